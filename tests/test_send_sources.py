"""`yukimap send` takes a big file's documents from its slices, kept on disk (send/source.py),
and says of each exactly what the whole file says: its label, rows, reference and content
hash (the journal's key of a document without a reference: a different hash would send a
journal twice), what the file uses in the administration with the rows that use it, and the
text of every call, byte for byte. The golden cases, in slices of 200 bytes."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import REPO, build_files
from tests.test_golden import CASES, _case
from tests.test_render_whole import EXAMPLE, TEMPLATES
from yukimap.errors import DataError
from yukimap.frames import DOC, KEY, ROW, Mapped
from yukimap.output import document_text, shared_context
from yukimap.pipeline import ConversionResult, convert_file
from yukimap.render import load_template, render
from yukimap.schema import apply_options, load_mapping
from yukimap.send import source
from yukimap.send.source import Spilled, Whole, _contents, converted
from yukimap.targets import target_of
from yukimap.usage import DocumentUsage

# the golden cases whose documents go in slices, many to a call or one: those that convert
# in slices (but one journal of the whole file, which goes in one call, whole), and a file
# of journals per group that makes one (convert hands it back to say where it writes it)
SPILLED = {"shopify-orders", "webshop-orders", "woocommerce-orders", "yuki-doc-example",
           "pos-daily", "mollie-settlement"}


def _by_contexts(result: ConversionResult, at: list[int]) -> str:
    """The text of a call as each document's template context renders it, one by one (as
    send rendered its calls before it took the pages a conversion renders)."""
    documents = list(result.documents())
    chosen = [documents[i] for i in at]
    mapping = result.mapping
    context: dict[str, object] = (
        {"document": chosen[0].context} if mapping.target.per_call
        else {"documents": [d.context for d in chosen]})
    return render(load_template(mapping), context | shared_context(mapping))


def _usage(usage: DocumentUsage) -> tuple[dict[object, tuple[int, ...]], ...]:
    return tuple({code: tuple(found[code]) for code in found}  # type: ignore[index]
                 for found in (usage.gl_accounts, usage.vat_pairs))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_a_golden_case_from_its_slices_is_the_whole_file(case: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUKIMAP_SLICE_BYTES", "200")
    source, mapping_path, spec = _case(case)
    mapping = apply_options(load_mapping(mapping_path), spec.get("administration"),
                            spec.get("opening_balance"))
    try:
        result = convert_file(source, mapping)
    except DataError:
        with pytest.raises(DataError):  # a file with problems says them (as whole: test_sliced)
            converted(source, mapping, print)
        return
    whole = Whole(result)
    # each document as a template's context has it: its label, rows and reference
    field = mapping.target.reference_field
    assert [(d.label, tuple(d.rows), d.reference) for d in whole.described()] == [
        (c.label, c.rows, str(getattr(c.context, field) or "") or None if field else None)
        for c in result.documents()]
    found = converted(source, mapping, print)
    try:
        big = source.stat().st_size > 2 * 200  # else read whole: slices are for big files
        assert isinstance(found, Spilled) == (case.name in SPILLED and big), type(found)
        if not isinstance(found, Spilled):
            return
        assert found.summary == whole.summary
        described = list(found.described())
        assert described == list(whole.described())
        assert _usage(found.usage()) == _usage(whole.usage())
        # the calls: two documents to a call (and one more, over a slice's end), or one;
        # with documents left out between them (sent before); and back to the first slice
        step = 1 if target_of(mapping).per_call else 2
        calls = [list(range(first, min(first + step, len(described))))
                 for first in range(0, len(described), step)]
        calls += [[len(described) - 1], [0]] + (
            [] if step == 1 else [list(range(0, len(described), 2))])
        for at in calls:
            text = found.text(found.pages(at))
            assert text == whole.text(whole.pages(at)) == _by_contexts(result, at)
        found.check()  # it passes, as whole
    finally:
        found.close()


def test_the_slices_kept_are_taken_away(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUKIMAP_SLICE_BYTES", "200")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR read again
    case = REPO / "tests" / "cases" / "webshop-orders"
    source, mapping_path, _ = _case(case)
    found = converted(source, load_mapping(mapping_path), print)
    assert isinstance(found, Spilled)
    [folder] = [p for p in tmp_path.iterdir() if p.name.startswith("yukimap-send-")]
    assert len(list(folder.glob("*.arrow"))) >= 4  # a documents and an items file a slice
    found.close()
    assert list(tmp_path.iterdir()) == []


# --- the content hash: the journal's key of a document without a reference ----------------

_TEXT = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(['"', "\\", "é", "\x00",
                                                                    "\U0001f600", "\u2028"]))


@given(st.lists(st.tuples(st.lists(_TEXT, min_size=2, max_size=2),
                          st.lists(st.lists(_TEXT, min_size=2, max_size=2), max_size=3)),
                min_size=1, max_size=6))
def test_the_content_hash_is_the_journals_as_it_always_was(
        documents: list[tuple[list[str | None], list[list[str | None]]]]) -> None:
    """Made by polars a column at a time, each document's hash is that of its values and
    its items' values in the JSON the journal has always keyed by (the formula below):
    quotes, backslashes, control and non-ASCII characters, empty values, no items."""
    header = pl.DataFrame({DOC: range(len(documents)), KEY: [f"k{i}" for i in
                                                             range(len(documents))],
                           "Subject": [d[0][0] for d in documents],
                           "Contact.FullName": [d[0][1] for d in documents]},
                          schema_overrides={"Subject": pl.String, "Contact.FullName": pl.String})
    lines = [(doc, row, values) for doc, (_, items) in enumerate(documents)
             for row, values in enumerate(items)]
    items = pl.DataFrame({DOC: [d for d, _, _ in lines], ROW: [r for _, r, _ in lines],
                          "Description": [v[0] for _, _, v in lines],
                          "Price": [v[1] for _, _, v in lines]},
                         schema={DOC: pl.Int64, ROW: pl.Int64, "Description": pl.String,
                                 "Price": pl.String})
    mapped = Mapped(header, items, [], {}, 0)
    expected = []
    for (values, item_values) in documents:
        canonical = json.dumps([list(zip(["Subject", "Contact.FullName"], values)),
                                [list(zip(["Description", "Price"], v)) for v in item_values]],
                               default=str, separators=(",", ":"))
        expected.append(hashlib.sha256(canonical.encode()).hexdigest()[:32])
    assert _contents(mapped) == expected
    with pytest.MonkeyPatch.context() as patched:  # made a few documents at a time
        patched.setattr(source, "_AT_ONCE", 2)
        assert _contents(mapped) == expected
    # a column that is not text: each document's JSON made alone, the same formula
    typed = mapped.documents.with_columns(pl.lit(Decimal("1.50")).alias("Amount"))
    assert _contents(Mapped(typed, items, [], {}, 0)) == [
        hashlib.sha256(json.dumps([list(zip(["Subject", "Contact.FullName", "Amount"],
                                            [*values, Decimal("1.50")])),
                                   [list(zip(["Description", "Price"], v))
                                    for v in item_values]],
                                  default=str, separators=(",", ":")).encode()).hexdigest()[:32]
        for values, item_values in documents]


# and one that counts each document's items (as many as there are between its place and
# the next document's: any other's left between would count)
CALLS = TEMPLATES | {"items counted": (TEMPLATES["shipped"][0].replace(
    "<InvoiceLines>", "<!-- {{ invoice.lines|length }} lines -->\n<InvoiceLines>", 1), True)}


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize("at", [[0, 2], [1, 2, 3], [3]], ids=str)
def test_a_call_s_text_is_its_documents_as_the_template_writes_them(
        name: str, at: list[int], tmp_path: Path) -> None:
    """Whatever the template's loop (written whole by polars, or as it is written), and
    with documents left out between (sent before): a call carries exactly its documents,
    as `convert` writes them."""
    files = build_files(tmp_path, {"t.xml.j2": CALLS[name][0], "export.csv": EXAMPLE,
                                   "m.yaml": (REPO / "mappings/webshop-orders.yaml").read_text()
                                   + "\ntemplate: t.xml.j2\n"})
    result = convert_file(files["export.csv"], files["m.yaml"])
    whole = Whole(result)
    if name != "the first taken first":
        assert whole.text(whole.pages(at)) == _by_contexts(result, at)
        return
    # `documents|first` takes the first document out of those the loop then goes through:
    # so `convert` writes it, and so a call now carries it (it carried every document when
    # its documents were a list, unlike the file convert wrote)
    assert whole.text(whole.pages([0, 1, 2, 3])) == document_text(result)
    assert whole.text(whole.pages(at)).count("<SalesInvoice>") == len(at) - 1
