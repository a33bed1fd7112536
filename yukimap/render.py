"""The render stage: mapped documents in, document text out, through a Jinja2 template.

Pure apart from reading the template file. The environment is built here and only here:
sandboxed, StrictUndefined (a misspelt variable is an error, not an empty string), and
autoescaping for XML templates. Templates write elements with the `el` function, which
knows Yuki's rule for empty values: an omitted element leaves Yuki's value alone, an empty
element clears it, and xsi:nil is a third state.
"""

from __future__ import annotations

import re
from decimal import Decimal
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from yukimap.documents import Element, Target, walk
from yukimap.errors import MappingError, Problem, Where
from yukimap.mapping import DOC, ITEM, ROW, ROWS, Mapped
from yukimap.model import FieldSpec, Mapping
from yukimap.resources import templates_dir


class Nil:
    """The xsi:nil state of an element (only Product.Category uses it)."""

    _instance: Nil | None = None

    def __new__(cls) -> Nil:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NIL"


NIL = Nil()
_EMPTY_VALUE: dict[str, Any] = {"omit": None, "clear": "", "nil": NIL}


_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# XML 1.0 cannot carry most control characters at all; exports sometimes contain them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NEWLINE = re.compile(r"\r\n|\r|\n")


def xml_text(value: Any) -> str:
    """Element text: &, < and > escaped; a line break as &#13;, the code Yuki documents."""
    text = str(value).translate(_TEXT_ESCAPES)
    if "\n" in text or "\r" in text:
        text = _NEWLINE.sub("&#13;", text)
    return _CONTROL.sub("", text)


def el(name: str, value: Any) -> Markup:
    """One XML element by Yuki's rules: None -> nothing, "" -> <X />, NIL -> xsi:nil."""
    if value is None:
        return Markup("")
    if value == "":
        return Markup(f"<{name} />")
    if value is NIL:
        return Markup(f'<{name} xsi:nil="true" />')
    return Markup(f"<{name}>{xml_text(value)}</{name}>")


def csv_field(value: Any, separator: str = ";") -> str:
    """A CSV field: quoted only when it holds the separator, a quote or a line break."""
    text = "" if value is None or value is NIL else str(value)
    if separator in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def amount(value: Any, mark: str = ",") -> str:
    """A canonical amount ('-1234.5') as Yuki's CSV formats want it: '-1234,50'."""
    if value is None or value == "":
        return ""
    text = format(Decimal(str(value)).quantize(Decimal("0.01")), "f")
    return text.replace(".", mark)


def dmy(value: Any) -> str:
    """An ISO date as dd-mm-yyyy."""
    if value is None or value == "":
        return ""
    year, month, day = str(value).split("-")
    return f"{day}-{month}-{year}"


@cache
def environment(folder: Path) -> jinja2.Environment:
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("xml", "xml.j2")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.globals["el"] = el
    env.filters["csv"] = csv_field
    env.filters["amount"] = amount
    env.filters["dmy"] = dmy
    env.tests["nil"] = lambda value: value is NIL
    return env


def load_template(mapping: Mapping) -> jinja2.Template:
    path = mapping.template or templates_dir() / mapping.target.template
    try:
        return environment(path.parent).get_template(path.name)
    except jinja2.TemplateSyntaxError as exc:
        raise MappingError(
            f"template {path} has a syntax error",
            problems=[Problem(exc.message or "syntax error",
                              Where(file=str(path), line=exc.lineno))],
        ) from None


# --- contexts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    """Where a mapped column goes in the context, and what its empty value becomes."""

    path: tuple[str, ...]
    empty: Any


def _slots(specs: Sequence[FieldSpec]) -> dict[str, _Slot]:
    return {s.name: _Slot(s.path, _EMPTY_VALUE[s.empty]) for s in specs}


def _skeleton(elements: Sequence[Element]) -> dict[str, Any]:
    """Every element of the document, empty: templates see all names (StrictUndefined)."""
    return {e.name: (_skeleton(e.children) if e.is_group else None) for e in elements}


def _fill(skeleton: dict[str, Any], slots: list[tuple[_Slot, Any]]) -> dict[str, Any]:
    context = {k: (dict(v) if isinstance(v, dict) else v) for k, v in skeleton.items()}
    for slot, value in slots:
        holder = context
        for part in slot.path[:-1]:
            holder = holder[part]
        holder[slot.path[-1]] = slot.empty if value is None else value
    for name, value in context.items():
        if isinstance(value, dict) and all(v is None for v in value.values()):
            context[name] = None  # no element given at all: leave the group out
    return context


@dataclass(frozen=True)
class Document:
    """One document's template context, with where it came from."""

    index: int
    rows: tuple[int, ...]
    context: dict[str, Any]
    item_rows: tuple[int, ...]


def contexts(mapped: Mapped, mapping: Mapping) -> Iterator[Document]:
    """The template context of each document, in file order."""
    target = mapping.target
    header_slots = _slots(mapping.header)
    item_slots = [_slots(item.fields) for item in mapping.items]
    # items a target adds itself (a journal's balancing entry) fill elements by name
    added = {".".join(path): _Slot(path, None) for path, _ in walk(target.items)}
    header_skeleton = _skeleton(target.header)
    item_skeleton = _skeleton(target.items)
    header_cols = [c for c in mapped.documents.columns if c in header_slots]
    items = mapped.items
    item_cols = [c for c in items.columns if c not in (DOC, ROW, ITEM)]
    item_iter = iter(items.select(DOC, ROW, ITEM, *item_cols).iter_rows()) if items.height else iter(())
    pending = next(item_iter, None)
    for doc_row in mapped.documents.select(DOC, ROWS, *header_cols).iter_rows():
        doc, rows, values = doc_row[0], doc_row[1], doc_row[2:]
        header = _fill(header_skeleton, [(header_slots[c], v) for c, v in zip(header_cols, values)])
        lines, line_rows = [], []
        while pending is not None and pending[0] == doc:
            slots = item_slots[pending[2]] if pending[2] < len(item_slots) else added
            filled = [(slots.get(c) or added[c], v) for c, v in zip(item_cols, pending[3:])
                      if c in slots or (c in added and v is not None)]
            lines.append(_fill(item_skeleton, filled))
            line_rows.append(pending[1])
            pending = next(item_iter, None)
        header[target.item_key] = lines
        yield Document(doc, tuple(rows), header, tuple(line_rows))


# --- rendering --------------------------------------------------------------------------

_BLANK_LINES = re.compile(r"\n[ \t]*(?=\n)")
_CHUNKS = 2000  # template pieces joined before blank lines are dropped


def _template_error(template: jinja2.Template, exc: jinja2.UndefinedError) -> MappingError:
    return MappingError(
        f"template {template.filename}: {exc.message}",
        hint="the template uses a name that the document does not have; check its spelling",
    )


def render(template: jinja2.Template, context: dict[str, Any]) -> str:
    """Render into one text (for a batch sent in one call)."""
    return "".join(render_stream(template, context))


def render_stream(template: jinja2.Template, context: dict[str, Any]) -> Iterator[str]:
    """Render lazily, piece by piece, so a document of any size never sits in memory.

    Lines left blank by omitted elements are dropped as the text streams past.
    """
    pieces = template.generate(context)
    carry = ""
    try:
        while True:
            block = list(islice(pieces, _CHUNKS))
            if not block:
                break
            text = carry + "".join(block)
            cut = text.rfind("\n")
            if cut < 0:
                carry = text
                continue
            carry = text[cut:]
            yield _BLANK_LINES.sub("", text[:cut])
    except jinja2.UndefinedError as exc:
        raise _template_error(template, exc) from None
    if carry:
        yield _BLANK_LINES.sub("", carry)
