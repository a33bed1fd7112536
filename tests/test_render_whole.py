"""A loop that writes each document whole (yukimap/render/whole.py) is compiled as one call,
its texts made by polars a slice of documents at a time: the text is exactly what the loop
as written gives, and any other loop is left as written."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from tests.conftest import REPO, build_files
from yukimap.frames import Mapped
from yukimap.model import Mapping
from yukimap.output import shared_context
from yukimap.pipeline import convert_file
from yukimap.render import document_nodes, environment, load_template, pages, render, whole

SHIPPED = (REPO / "templates/sales_invoices.xml.j2").read_text()
LOOP = """{% for invoice in documents %}
  <SalesInvoice>{{ invoice.xml }}
    <InvoiceLines>{% for block in invoice.lines.blocks %}{{ block }}{% endfor %}

    </InvoiceLines>
  </SalesInvoice>
{% endfor %}"""
assert LOOP in SHIPPED


def _with(loop: str) -> str:
    return SHIPPED.replace(LOOP, loop)


# name -> (template, whether its loop is written whole)
TEMPLATES = {
    "shipped": (SHIPPED, True),
    "other fixed text": (_with(LOOP.replace("<InvoiceLines>", "<!-- regels -->\n<InvoiceLines>")),
                         True),
    "inside a condition": (_with("{% if documents %}" + LOOP + "{% endif %}"), True),
    "the first taken first": (_with("{% set first = documents|first %}<!-- {{ first.Reference }}"
                                    " -->\n" + LOOP), True),
    "loop.index": (_with(LOOP.replace("<SalesInvoice>", "<SalesInvoice><!-- {{ loop.index }} -->",
                                      1)), False),
    "a filter": (_with(LOOP.replace("{{ invoice.xml }}",
                                    "{{ invoice.xml|replace('iDeal', 'x') }}")), False),
    "another value": (_with(LOOP.replace("<SalesInvoice>", "<SalesInvoice><!-- {{ invoice.Subject"
                                         " }} -->", 1)), False),
    "a condition": (_with(LOOP.replace("{% for invoice in documents %}",
                                       "{% for invoice in documents if invoice.Reference %}")),
                    False),
    "el()": (_with(LOOP.replace("{{ invoice.xml }}", "{{ el('Subject', invoice.Subject) }}")),
             False),
    "text between blocks": (_with(LOOP.replace("{{ block }}", "{{ block }}\n")), False),
    "an else": (_with(LOOP.replace("{% endfor %}\n\n", "{% else %}none{% endfor %}\n\n")), False),
    # Jinja gathers a block's output as text: the pieces made as bytes are made text there
    "in a filter block": (_with("{% filter trim %}" + LOOP + "{% endfilter %}"), True),
    "in a set block": (_with("{% set all %}" + LOOP + "{% endset %}{{ all }}"), True),
    "in a macro": (_with("{% macro invoices() %}" + LOOP + "{% endmacro %}{{ invoices() }}"),
                   True),
}


EXAMPLE = (REPO / "examples/webshop-orders.csv").read_text(encoding="utf-8-sig")


def _converted(tmp_path: Path, folder: str, source: str, name: str = "t.xml.j2",
               export: str = EXAMPLE) -> tuple[Mapped, Mapping]:
    files = build_files(tmp_path / folder, {name: source, "export.csv": export, "m.yaml": (
        (REPO / "mappings/webshop-orders.yaml").read_text() + f"\ntemplate: {name}\n")})
    result = convert_file(files["export.csv"], files["m.yaml"])
    return result.mapped, result.mapping


def _rendered(tmp_path: Path, folder: str, source: str, name: str = "t.xml.j2",
              export: str = EXAMPLE) -> str:
    mapped, mapping = _converted(tmp_path, folder, source, name, export)
    documents = document_nodes(pages(mapped, mapping))
    return render(load_template(mapping), {"documents": documents} | shared_context(mapping))


@pytest.mark.parametrize("name", TEMPLATES)
def test_the_text_is_what_the_loop_as_written_gives(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, rewritten = TEMPLATES[name]
    loops = environment(tmp_path).parse(source).find_all(jinja2.nodes.For)
    assert any(whole.recipe(loop) is not None for loop in loops) == rewritten
    ours = _rendered(tmp_path, "whole", source)
    with monkeypatch.context() as written:
        written.setattr(whole, "rewrite", lambda template: None)
        as_written = _rendered(tmp_path, "as-written", source)
    # the example's four invoices (but the first, where a filter took it first)
    assert ours == as_written
    assert ours.count("<SalesInvoice>") == (3 if name == "the first taken first" else 4)


@pytest.mark.parametrize("name", ["loop.index", "a filter", "shipped", "in a set block"])
def test_items_written_whole_in_big_documents_are_what_the_loop_as_written_gives(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Items' blocks that polars writes as UTF-8, in chunks (an invoice of three lines is big
    here), inside a loop written whole or alone in one that is not: the loop's own text,
    escaped, letters beyond Latin-1 included."""
    from yukimap.render import nodes

    monkeypatch.setattr(nodes, "CHUNK", 2)
    monkeypatch.setattr(nodes, "BLOCK", 2)
    source = TEMPLATES[name][0]
    export = EXAMPLE.replace("Geurkaars", "Geurkaars & <ł€>")
    ours = _rendered(tmp_path, "whole", source, export=export)
    with monkeypatch.context() as written:
        written.setattr(whole, "rewrite", lambda template: None)
        as_written = _rendered(tmp_path, "as-written", source, export=export)
    assert ours == as_written
    assert "&amp; &lt;ł€&gt;" in ours


@pytest.mark.parametrize("first", ["", "{% set first = documents|first %}"])  # by polars,
@pytest.mark.parametrize("name", ["t.xml.j2", "t.txt.j2"])  # or one by one; escaped, or not
def test_the_texts_are_escaped_as_the_template_escapes(
        name: str, first: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _with(first + LOOP.replace("<SalesInvoice>", "<SalesInvoice>&amp; <!-- & -->", 1))
    export = EXAMPLE.replace("De Groene Vlinder B.V.", "Groen & <Vlinder>")
    ours = _rendered(tmp_path, "whole", source, name, export)
    with monkeypatch.context() as written:
        written.setattr(whole, "rewrite", lambda template: None)
        as_written = _rendered(tmp_path, "as-written", source, name, export)
    assert ours == as_written
    assert ours.count("<SalesInvoice>&amp; <!-- & -->") == (3 if first else 4)
    assert "<FullName>Groen &amp; &lt;Vlinder&gt;</FullName>" in ours  # 2024-1004's


def test_texts_made_a_few_documents_at_a_time_are_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from yukimap.render import nodes

    plain = _rendered(tmp_path, "plain", SHIPPED)
    monkeypatch.setattr(nodes, "_RUN", 3)  # runs of three invoices, two to a piece
    monkeypatch.setattr(nodes, "_TOGETHER", 2)
    parts = whole.recipe(next(environment(tmp_path).parse(SHIPPED).find_all(jinja2.nodes.For)))
    assert parts is not None
    texts = next(pages(*_converted(tmp_path, "runs", SHIPPED))).texts(parts)
    assert texts is not None and [t.count(b"<SalesInvoice>") for t in texts] == [2, 1, 1]
    assert _rendered(tmp_path, "runs", SHIPPED) == plain


def test_a_slice_with_a_big_document_is_written_one_by_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from yukimap.render import nodes

    plain = _rendered(tmp_path, "plain", SHIPPED)
    monkeypatch.setattr(nodes, "CHUNK", 2)  # an invoice of three lines is big, in blocks
    monkeypatch.setattr(nodes, "BLOCK", 2)
    assert _rendered(tmp_path, "big", SHIPPED) == plain


@pytest.mark.parametrize(("fixed", "expected"), [
    (("  <SalesInvoice>", "\n    <InvoiceLines>", "\n    </InvoiceLines>\n  </SalesInvoice>\n"),
     True),
    (("<A/>", "<!-- a comment -->", "<?pi x?>"), True),
    (("<A>",), False),  # opened, not closed
    (("</A><A>",), False),  # closes the element the one before opened
    (("text<A/>",), False),  # text beside the elements: the root takes none
    (("&amp;<A/>",), False),
    (("<![CDATA[x]]><A/>",), False),
    (("<A>&e;</A>",), False),  # an entity it does not know
])
def test_whole_means_whole_elements_and_blank_space(fixed: tuple[str, ...],
                                                    expected: bool) -> None:
    parts = (*fixed[:1], ("xml",), *fixed[1:2], ("blocks", "lines"), *fixed[2:])
    assert whole.balanced(parts) is expected


def test_only_a_loop_over_the_documents_has_them_taken_apart(tmp_path: Path) -> None:
    parse = environment(tmp_path).parse
    assert whole.writes_whole(parse(SHIPPED), "documents")
    assert not whole.writes_whole(parse(SHIPPED.replace("in documents", "in others")),
                                  "documents")
    unbalanced = LOOP.replace("  </SalesInvoice>\n{% endfor %}", "{% endfor %}")
    assert not whole.writes_whole(parse(_with(unbalanced)), "documents")


def test_small_pieces_are_gathered_and_a_big_one_goes_on_as_it_is() -> None:
    from yukimap.render import stream

    big = "<SalesInvoice>" + "x" * stream._ALONE + "</SalesInvoice>"
    small = ["<a/>"] * 3
    passed = list(stream._gathered(iter([*small, big, *small, *small])))
    assert passed == ["<a/>" * 3, big, "<a/>" * 6]
    assert passed[1] is big  # not copied
