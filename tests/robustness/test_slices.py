"""The reader a slice at a time (read/slices.py) reads the rows the whole file reads, on
generated CSV text with quotes, line breaks and delimiters inside its cells."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import REPO, run_cli
from yukimap.errors import NotInSlices, UserError
from yukimap.read import read_slices, read_table
from yukimap.read.slices import _AsUtf8, record_cut
from yukimap.schema import load_mapping

WEBSHOP = REPO / "mappings" / "webshop-orders.yaml"

_CELLS = st.text(alphabet=st.sampled_from(['a', 'é', ' ', ';', '"', '\n', '1', ',', '€']),
                 max_size=12)


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["Naam", "Omschrijving", "Bedrag"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@given(rows=st.lists(st.lists(_CELLS, min_size=3, max_size=3), min_size=1, max_size=60),
       size=st.integers(min_value=40, max_value=400))
def test_slices_read_the_rows_the_whole_file_reads(rows: list[list[str]], size: int,
                                                   tmp_path_factory: pytest.TempPathFactory
                                                   ) -> None:
    # a record is at most about 80 bytes here, so none is too long for a slice
    path = tmp_path_factory.mktemp("csv") / "export.csv"
    path.write_bytes(_csv(rows))
    source = load_mapping(WEBSHOP).source
    try:
        whole = read_table(path, source).frame
    except UserError:  # a file the reader refuses whole is not read in slices either
        with pytest.raises((UserError, NotInSlices)):
            list(read_slices(path, source, size))
        return
    assert pl.concat([t.frame for t in read_slices(path, source, size)]).equals(whole)


@given(rows=st.lists(st.lists(_CELLS, min_size=3, max_size=3), min_size=1, max_size=60),
       size=st.integers(min_value=40, max_value=400), footer=st.integers(0, 8),
       blank=st.booleans())
def test_slices_leave_out_the_footer_the_whole_file_leaves_out(
        rows: list[list[str]], size: int, footer: int, blank: bool,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """skip_last: the last rows (blank ones not counted), held back by the slices until
    the end shows they are the footer; more footer than rows leaves none."""
    path = tmp_path_factory.mktemp("csv") / "export.csv"
    path.write_bytes(_csv(rows) + (b";;\n" if blank else b"") + b"Totaal;;12,50\n")
    source = replace(load_mapping(WEBSHOP).source, skip_last=footer)
    try:
        whole = read_table(path, source).frame
    except UserError:
        with pytest.raises((UserError, NotInSlices)):
            list(read_slices(path, source, size))
        return
    sliced = list(read_slices(path, source, size))
    assert pl.concat([t.frame for t in sliced]).equals(whole)


# letters of an 8-bit code page at or above 0xC0: never a UTF-8 sequence's continuation,
# so no slice of them reads as UTF-8 (which the whole file would warn about)
_CODE_PAGE_CELLS = st.text(alphabet=st.sampled_from(['a', 'é', 'ë', ' ', ';', '"', '\n', '1',
                                                     'ï', 'Ø']), max_size=12)


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "iso8859-15", "utf-8-sig"])
@given(rows=st.lists(st.lists(_CODE_PAGE_CELLS, min_size=3, max_size=3), min_size=1,
                     max_size=60),
       size=st.integers(min_value=40, max_value=400), mark=st.booleans())
def test_slices_of_a_file_in_a_code_page_read_the_rows_the_whole_file_reads(
        encoding: str, rows: list[list[str]], size: int, mark: bool,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    # each piece is cut where its records end in the file's own bytes, then made UTF-8
    path = tmp_path_factory.mktemp("csv") / "export.csv"
    text = _csv(rows).decode("utf-8").replace("Omschrijving", "Référence", 1)
    path.write_bytes((b"\xef\xbb\xbf" if mark else b"") + text.encode(encoding))
    _same_as_whole(path, encoding, size)


def _same_as_whole(path: Path, encoding: str, size: int) -> None:
    """The slices of the file, read with this encoding set, are the rows and encoding the
    whole file reads; a file the whole reader refuses is not read in slices either."""
    source = replace(load_mapping(WEBSHOP).source, encoding=encoding)
    try:
        whole = read_table(path, source)
    except UserError:
        with pytest.raises((UserError, NotInSlices)):
            list(read_slices(path, source, size))
        return
    sliced = list(read_slices(path, source, size))
    assert pl.concat([t.frame for t in sliced]).equals(whole.frame)
    assert {t.encoding for t in sliced} == {whole.encoding}


_UTF16_CELLS = st.text(alphabet=st.sampled_from(['a', 'é', ' ', ';', '"', '\n', '1', '€',
                                                 '\U0001f600', '\u4e2d']), max_size=12)


@pytest.mark.parametrize(("mark", "codec", "setting"), [
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-8"), (codecs.BOM_UTF16_BE, "utf-16-be", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "cp1252"), (b"", "utf-16-le", "utf-16-le"),
    (b"", "utf-16-be", "utf-16-be"), (b"", "utf-16-le", "utf-16"),
    (codecs.BOM_UTF8, "utf-8", "utf-16")])
@given(rows=st.lists(st.lists(_UTF16_CELLS, min_size=3, max_size=3), min_size=1,
                     max_size=60),
       size=st.integers(min_value=40, max_value=400), damaged=st.booleans())
def test_slices_of_a_utf16_file_read_the_rows_the_whole_file_reads(
        mark: bytes, codec: str, setting: str, rows: list[list[str]], size: int,
        damaged: bool, tmp_path_factory: pytest.TempPathFactory) -> None:
    # Excel's "Unicode text": made UTF-8 as it is read (a byte order mark wins over the
    # encoding set, as whole); a file cut in half a letter is the whole reader's to tell
    path = tmp_path_factory.mktemp("csv") / "export.csv"
    body = _csv(rows).decode("utf-8").encode(codec)
    path.write_bytes(mark + (body[:-1] if damaged else body))
    _same_as_whole(path, setting, size)


@given(text=st.text(max_size=200), reads=st.lists(st.integers(min_value=1, max_value=9),
                                                   min_size=1, max_size=80),
       codec=st.sampled_from(["utf-16-le", "utf-16-be"]))
def test_utf16_is_made_utf8_whatever_the_pieces_it_is_read_in(
        text: str, reads: list[int], codec: str) -> None:
    # a letter's two bytes, or a surrogate pair's four, split between two reads
    made = _AsUtf8(io.BytesIO(text.encode(codec, "surrogatepass")), codec)
    try:
        pieces = [made.read(n) for n in reads] + [made.read()]
    except NotInSlices:  # a lone surrogate: no UTF-16 (the whole reader says so)
        assert any("\ud800" <= c <= "\udfff" for c in text)
        return
    assert b"".join(pieces) == text.encode("utf-8")
    assert all(len(p) <= n for p, n in zip(pieces, reads, strict=False))


def test_a_slice_that_reads_as_utf8_in_a_code_page_file_is_read_whole(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    # the whole file warns when all of it reads as UTF-8 too; a slice cannot know that
    path = tmp_path_factory.mktemp("csv") / "export.csv"
    path.write_bytes(_csv([["Café", "thé", "1"]] * 40))
    source = replace(load_mapping(WEBSHOP).source, encoding="cp1252")
    assert any(p.severity == "warning" for p in read_table(path, source).problems)
    with pytest.raises(NotInSlices):
        list(read_slices(path, source, 100))


@pytest.mark.parametrize(("block", "cut"), [
    (b"a;b\nc;d\n", 8), (b"a;b\nc;d", 4), (b'a;"b\nc";d\ne', 10), (b'a;"b\nc', 0),
    (b'a;"b""\n""c"\n', 12), (b'a;"b""\n', 0), (b"no newline", 0), (b'"x"\n"y', 4)])
def test_a_slice_is_cut_after_the_last_whole_record(block: bytes, cut: int) -> None:
    assert record_cut(block, '"') == cut


def test_a_big_file_whose_header_is_not_utf8_is_told_as_whole_not_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Excel on Windows saves cp1252: the slicer decoded the header and ended in a traceback
    header = (REPO / "examples" / "webshop-orders.csv").read_text(
        encoding="utf-8-sig").splitlines()[0].replace("Besteldatum", "Besteldätum")
    rows = "".join(f"2024-{n:05d};01-11-2024;voltooid;iDEAL;;;Jan;Jansen;;;;;NL;;0450-TH;"
                   f"Thee;2;4,50;9;\n" for n in range(2000))
    (tmp_path / "orders.csv").write_bytes((header + "\n" + rows).encode("cp1252"))
    monkeypatch.setenv("YUKIMAP_SLICE_BYTES", "20000")
    result = run_cli("convert", tmp_path / "orders.csv", "-m", WEBSHOP, "--dry-run")
    assert result.code == 1
    assert result.stderr.splitlines()[-2:] == [
        f"error: {tmp_path / 'orders.csv'} is not valid UTF-8: the bytes E4 at byte offset 20"
        " (line 1) cannot be read, in: Bestelnummer;Besteld[E4]tum;Status;Betaalmethode;Klant",
        "  fix: the file was probably saved by Excel on Windows; add encoding: cp1252 under"
        " source:"]
