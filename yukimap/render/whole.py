"""A template's loop over its documents that writes, between fixed text, only each document's
own elements and its items rendered whole, as the shipped sales template does:

    {% for invoice in documents %}
      <SalesInvoice>{{ invoice.xml }}
        <InvoiceLines>{% for block in invoice.lines.blocks %}{{ block }}{% endfor %}
        </InvoiceLines>
      </SalesInvoice>
    {% endfor %}

Such a loop is found in the template's syntax tree, exactly this shape and nothing else in
it (no condition, filter, `loop`, other value or else branch), and compiled as one call
that writes each document's text in one piece: the same text, without the template steps
per document (about a third of the time of a big file's rendering). A loop that writes
only a document's items rendered whole, `{% for block in X.ITEMS.blocks %}{{ block }}{% endfor %}`,
as the shipped journal template does, is compiled as one call too. Any other loop is
compiled as it is written.

The texts polars makes come as UTF-8 bytes and are written as they are (`pieces`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache
from types import GeneratorType
from typing import Any
from weakref import WeakKeyDictionary

from jinja2 import nodes, pass_eval_context
from jinja2.nodes import EvalContext
from lxml import etree
from markupsafe import escape

WHOLE = "yukimap_whole"  # the global the rewritten loop calls
BLOCKS = "yukimap_blocks"  # the global a rewritten loop over items' blocks calls
_PIECE = "yukimap_piece"  # the rewritten loop's variable: one document's text

# What one document writes, in order: fixed text, its own elements ("xml",), or the items
# under a name rendered whole ("blocks", name).
Part = str | tuple[str, ...]


def rewrite(template: nodes.Template) -> None:
    """Replace, wherever they are, the loops over the documents of that one shape."""
    for node in [template, *template.find_all(nodes.Node)]:
        for field in node.fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                setattr(node, field, [_rewritten(child) for child in value])


def _rewritten(node: Any) -> Any:
    if not isinstance(node, nodes.For):
        return node
    parts = recipe(node)
    if parts is not None:
        call = nodes.Call(nodes.Name(WHOLE, "load"), [node.iter, nodes.Const(parts)], [], None,
                          None)
    elif (items := _blocks_loop(node)) is not None:  # a journal's entries, written alone
        call = nodes.Call(nodes.Name(BLOCKS, "load"), [items], [], None, None)
    else:
        return node
    # Each text is written as it is: `whole` has escaped it as the template escapes (else
    # Jinja would want it as Markup, a copy of every text, a big file's 450 MB).
    output = nodes.ScopedEvalContextModifier(
        [nodes.Keyword("autoescape", nodes.Const(False))],
        [pieces(nodes.Name(_PIECE, "load"))])
    loop = nodes.For(nodes.Name(_PIECE, "store"), call, [output], [], None, False)
    return loop.set_lineno(node.lineno)


def pieces(piece: nodes.Name) -> nodes.Output:
    """The rewritten loop's output: each piece yielded as `whole` gives it, text or, where
    polars made it, UTF-8 bytes (the template's code, render.sandbox, yields it without
    `str()`; where Jinja gathers output, in a block or a macro, it makes it text): a big
    file's 450 MB are not decoded into Python's text only to be encoded again to be
    written, which for text beyond Latin-1 (ł, €) costs as much as the rest of rendering.
    (Jinja allows no node types of one's own: an Output, marked.)"""
    output = nodes.Output([piece])
    output.yukimap_pieces = True  # type: ignore[attr-defined]
    return output


def writes_pieces(output: nodes.Output) -> bool:
    return getattr(output, "yukimap_pieces", False)


def text_of(piece: str | bytes) -> str:
    """A piece of `pieces` as text."""
    return piece.decode("utf-8") if isinstance(piece, bytes) else piece


def recipe(loop: nodes.For) -> tuple[Part, ...] | None:
    """What each document of `loop` writes, if the loop has the one shape; else None."""
    if not (_plain(loop) and isinstance(loop.iter, nodes.Name)
            and isinstance(loop.target, nodes.Name)):
        return None
    document = loop.target.name
    parts: list[Part] = []
    for step in loop.body:
        if isinstance(step, nodes.Output):
            for piece in step.nodes:
                if isinstance(piece, nodes.TemplateData):
                    parts.append(piece.data)
                elif _attribute_of(piece, document) == "xml":
                    parts.append(("xml",))
                else:
                    return None
        elif isinstance(step, nodes.For) and (items := _blocks_of(step, document)):
            parts.append(("blocks", items))
        else:
            return None
    return tuple(parts)


def writes_whole(template: nodes.Template, name: str) -> bool:
    """The template has a loop of the one shape over `name` whose documents' texts are
    whole elements (`balanced`): such a loop writes them in pieces a validator may take
    apart (validate.xsd.validators)."""
    return any(isinstance(loop.iter, nodes.Name) and loop.iter.name == name
               and (parts := recipe(loop)) is not None and balanced(parts)
               for loop in template.find_all(nodes.For))


@cache
def balanced(parts: tuple[Part, ...]) -> bool:
    """Each document's text is whole elements and blank space between them: its fixed text
    is, with the document's own elements and its items (whole elements) left out."""
    fixed = "".join(part for part in parts if isinstance(part, str))
    try:
        top = etree.fromstring(f"<top>{fixed}</top>", etree.XMLParser(resolve_entities=False,
                                                                      no_network=True))
    except etree.XMLSyntaxError:
        return False
    return all(not (text or "").strip() for text in (top.text, *(e.tail for e in top)))


def _plain(loop: nodes.For) -> bool:
    return not loop.else_ and loop.test is None and not loop.recursive


def _attribute_of(node: nodes.Node, name: str) -> str | None:
    """`name.attribute`: the attribute (not one of the sandbox's hidden ones)."""
    if (isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name)
            and node.node.name == name and not node.attr.startswith("_")):
        return node.attr
    return None


def _blocks_of(loop: nodes.For, document: str) -> str | None:
    """`{% for block in document.ITEMS.blocks %}{{ block }}{% endfor %}`: ITEMS."""
    items = _blocks_loop(loop)
    return None if items is None else _attribute_of(items, document)


def _blocks_loop(loop: nodes.For) -> nodes.Getattr | None:
    """`{% for block in NAME.ITEMS.blocks %}{{ block }}{% endfor %}`: NAME.ITEMS."""
    inner = loop.iter
    if not (_plain(loop) and isinstance(loop.target, nodes.Name)
            and isinstance(inner, nodes.Getattr) and inner.attr == "blocks"
            and isinstance(inner.node, nodes.Getattr)
            and isinstance(inner.node.node, nodes.Name)
            and not inner.node.attr.startswith("_")):
        return None
    body = loop.body
    if len(body) != 1 or not isinstance(body[0], nodes.Output):
        return None
    written = body[0].nodes
    if len(written) == 1 and isinstance(written[0], nodes.Name) \
            and written[0].name == loop.target.name:
        return inner.node
    return None


# Documents that write the texts of such a loop themselves, many at once: what `documents`
# is (a generator, as a template has always seen it) -> its writer, which is given the parts
# and a function that writes documents one by one.
Writer = Callable[[tuple[Part, ...], Callable[[Iterable[Any]], Iterator[str]]],
                  Iterator[str | bytes]]
_WRITERS: WeakKeyDictionary[Any, Writer] = WeakKeyDictionary()


def writes_itself(documents: Iterator[Any], writer: Writer) -> None:
    """`documents` (a generator) has its texts written by `writer`."""
    _WRITERS[documents] = writer


@pass_eval_context
def blocks(context: EvalContext, items: Any) -> Iterator[str | bytes]:
    """The items' blocks, as the loop it replaces writes them: of yukimap's own items, as
    pieces to write (UTF-8, made by polars: see `pieces`); of anything else, taken
    through the sandbox and escaped where the template escapes."""
    own = getattr(type(items), "_written", None)
    if own is not None:
        return own(items)  # type: ignore[no-any-return]
    written = escape if context.autoescape else str
    return map(written, context.environment.getattr(items, "blocks"))


@pass_eval_context
def whole(context: EvalContext, documents: Iterable[Any],
          parts: tuple[Part, ...]) -> Iterator[str | bytes]:
    """Each document's text, as the loop it replaces writes it: values taken through the
    sandbox and written as Jinja writes them (escaped where the template is; decided here,
    when the loop begins, as the loop's own body writes without escaping)."""
    environment = context.environment
    written = escape if context.autoescape else str

    def each(documents: Iterable[Any]) -> Iterator[str]:
        for document in documents:
            pieces: list[str] = []
            for part in parts:
                if isinstance(part, str):
                    pieces.append(part)
                elif part[0] == "xml":
                    pieces.append(written(environment.getattr(document, "xml")))
                else:
                    items = environment.getattr(document, part[1])
                    pieces += map(written, environment.getattr(items, "blocks"))
            yield "".join(pieces)

    writer = _WRITERS.get(documents) if isinstance(documents, GeneratorType) else None
    return each(documents) if writer is None else writer(parts, each)
