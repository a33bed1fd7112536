"""Property tests of the readers: any bytes, any small workbook, any damage to it, with any
source settings, give a Table or a SourceError, never another exception, and quickly.

In-process (fast); `make fuzz` runs them with many more examples. The hostile files that
strain time and memory run through the command line in test_readers.py. A crash that takes
the process down (a Rust abort in calamine) leaves the file it read, with its settings, in
$TMPDIR/yukimap-fuzz-PID/: make it a test in test_readers.py.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.robustness.workbooks import _package, ods, ods_cell, ods_row, sheet_xml
from yukimap.errors import SourceError, column_letter
from yukimap.frames import Table
from yukimap.model import Source
from yukimap.read import read_table

SECONDS = 5.0  # for one small file; the real bound is in test_readers.py's subprocesses
LEFT = Path(tempfile.gettempdir()) / f"yukimap-fuzz-{os.getpid()}"  # see the module doc

sources = st.builds(
    Source,
    delimiter=st.sampled_from([None, ";", ",", "\t", "|", ";;", ""]),
    encoding=st.sampled_from(["utf-8", "cp1252", "latin-1", "utf-16", "utf-16-le", "klingon"]),
    quote=st.sampled_from(['"', "'", "", '""']),
    header_row=st.integers(min_value=0, max_value=4),
    skip_last=st.integers(min_value=-1, max_value=2),
    sheet=st.one_of(st.none(), st.integers(min_value=0, max_value=3), st.text(max_size=5)),
)

cell_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
csv_text = st.lists(st.lists(cell_text, max_size=6), max_size=8).map(
    lambda rows: "\n".join(";".join(row) for row in rows))


def _mutate(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    """Overwrite, cut or repeat bytes at the given places (position, byte)."""
    out = bytearray(data)
    for place, value in edits:
        if not out:
            out.append(value)
            continue
        at = place % len(out)
        if value < 16:
            del out[at:]
        elif value < 32:
            out[at:at] = out[at: at + 64]
        else:
            out[at] = value
    return bytes(out)


edits = st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=6)


def read_bytes(content: bytes, name: str, source: Source) -> Table | SourceError:
    LEFT.mkdir(exist_ok=True)
    path = LEFT / name
    path.write_bytes(content)
    (LEFT / "source.txt").write_text(repr(source), encoding="utf-8")
    started = time.monotonic()
    try:
        return read_table(path, source)
    except SourceError as error:
        return error
    finally:
        assert time.monotonic() - started < SECONDS
        for left in LEFT.iterdir():
            left.unlink()
        LEFT.rmdir()


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048), sources)
def test_any_bytes_as_csv(content: bytes, source: Source) -> None:
    read_bytes(content, "export.csv", source)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(csv_text, st.sampled_from(["utf-8", "cp1252", "utf-16"]), edits, sources)
def test_damaged_csv(text: str, encoding: str, changes: list[tuple[int, int]],
                     source: Source) -> None:
    content = _mutate(text.encode(encoding, "replace"), changes)
    outcome = read_bytes(content, "export.csv", source)
    if isinstance(outcome, Table):
        assert all(r >= source.header_row for r in outcome.frame["__row__"].to_list())


def _workbook(rows: list[list[str]], references: list[str | None]) -> bytes:
    """A small .xlsx of `rows`, some cells placed at `references` instead."""
    placed = []
    for r, row in enumerate(rows):
        cells = []
        for c, text in enumerate(row):
            ref = references[(r * 7 + c) % len(references)] if references else None
            cells.append((ref if ref != "" else f"{column_letter(c)}{r + 1}", text))
        placed.append((r + 1 if r % 3 else None, cells))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, text in _package({"Blad1": sheet_xml(placed)}).items():
            archive.writestr(part, text)
    return buffer.getvalue()


safe_text = st.text(alphabet="abcXYZ019 ;,-", max_size=8)
references = st.lists(st.one_of(st.none(), st.just(""), st.from_regex(
    r"\A[A-Z]{1,4}[0-9]{1,8}\Z")), max_size=4)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(safe_text, max_size=5), min_size=1, max_size=6), references, edits,
       sources)
def test_small_and_damaged_workbooks(rows: list[list[str]], refs: list[str | None],
                                     changes: list[tuple[int, int]], source: Source) -> None:
    content = _mutate(_workbook(rows, refs), changes)
    read_bytes(content, "book.xlsx", source)


def _xls_bytes(rows: list[list[str]], far: tuple[int, int]) -> bytes:
    import xlwt  # type: ignore[import-untyped]

    book = xlwt.Workbook()
    sheet = book.add_sheet("Blad1", cell_overwrite_ok=True)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            sheet.write(r, c, text)
    sheet.write(*far, "x")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _ods_bytes(rows: list[list[str]], repeats: tuple[int, int]) -> bytes:
    body = "".join(ods_row(*(ods_cell(t, repeat=repeats[0]) for t in row), repeat=repeats[1])
                   for row in rows)
    with tempfile.TemporaryDirectory() as folder:
        return ods(Path(folder) / "book.ods", {"Blad1": body}).read_bytes()


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(safe_text, max_size=4), min_size=1, max_size=5),
       st.tuples(st.integers(0, 65535), st.integers(0, 255)),
       st.tuples(st.integers(1, 5000), st.integers(1, 5000)), edits, st.booleans(), sources)
def test_small_and_damaged_xls_and_ods(rows: list[list[str]], far: tuple[int, int],
                                       repeats: tuple[int, int], changes: list[tuple[int, int]],
                                       as_xls: bool, source: Source) -> None:
    content = _xls_bytes(rows, far) if as_xls else _ods_bytes(rows, repeats)
    read_bytes(_mutate(content, changes), "book.xls" if as_xls else "book.ods", source)
