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

from tests.conftest import REPO
from tests.test_golden import CASES, _case
from yukimap.errors import DataError
from yukimap.frames import DOC, KEY, ROW, Mapped
from yukimap.pipeline import convert_file
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
        # the calls: two documents to a call (and one more, over a slice's end), or one
        step = 1 if target_of(mapping).per_call else 2
        for first in range(0, len(described), step):
            at = list(range(first, min(first + step, len(described))))
            assert found.text(found.documents(at)) == whole.text(whole.documents(at))
        assert found.text(found.documents([len(described) - 1, 0])) == whole.text(
            whole.documents([len(described) - 1, 0]))  # back to the first slice
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
