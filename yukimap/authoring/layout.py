"""How an export is laid out, found from the file: CSV or workbook, its encoding, the sheet
with the data, the row with the column names (below any title rows); then the file read as
`convert` reads it, with the reader's own sniffing of the delimiter.

The header row is the first row with at least two cells, most of them text (not numbers
or dates), all different, as wide as at least half the widest of the rows below it, with a
row of data below: a title ("Kassa-export, 18-11-2024") has one cell or a date, a period
line ("Periode: 01-11 t/m 30-11") as many dates as words.
"""

from __future__ import annotations

import codecs
import csv
import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from yukimap.authoring.columns import is_value
from yukimap.errors import EmptyHeaderRow, NotInSlices, SourceError, column_letter
from yukimap.frames import Table
from yukimap.i18n import N_, tr
from yukimap.limits import slice_bytes
from yukimap.model import Source
from yukimap.read import (
    CAMT_EXTENSIONS,
    CSV_EXTENSIONS,
    EXCEL_EXTENSIONS,
    MT940_EXTENSIONS,
    read_slices,
    read_table,
)
from yukimap.read.encoding import decodes
from yukimap.read.files import check_file, read_chunks
from yukimap.read.sniff import SNIFF_BYTES, SNIFF_DELIMITERS, split
from yukimap.read.table import PREVIEW_ROWS

Rows = Sequence[Sequence[str | None]]
_BELOW = 10  # rows below a header candidate that are looked at


@dataclass(frozen=True)
class Slices:
    """A big CSV's rows, read a slice at a time (NotInSlices where they cannot be)."""

    path: Path
    source: Source
    size: int

    def __call__(self) -> Iterator[Table]:
        return read_slices(self.path, self.source, self.size)

    def whole(self) -> Table:
        """The file read whole, where its slices cannot be."""
        return read_table(self.path, self.source)


@dataclass(frozen=True)
class Layout:
    """An export as init found it, and its table read that way: the whole file, or of a big
    CSV the first slice, its rows all read in turn by `tables`."""

    format: str  # "csv" or "excel"
    table: Table
    header_row: int
    encoding: str | None = None  # csv: the encoding that reads it
    encoding_note: str = ""  # csv: how it was found
    sheets: tuple[str, ...] = ()  # excel: every sheet
    columns: tuple[str, ...] = ()  # no row of column names (header_row 0): A, B, C, ...
    slices: Slices | None = None  # a big CSV's: `table` is its first slice

    def tables(self) -> Iterator[Table]:
        """The file's rows: its table, or a big CSV's slices in turn."""
        return self.slices() if self.slices is not None else iter([self.table])

    def whole(self) -> Layout:
        """The layout with the file read whole (where its slices cannot be read)."""
        if self.slices is None:
            return self
        return replace(self, table=self.slices.whole(), slices=None)


def counted(table: Table, slices: Slices | None) -> int:
    """The rows of data of a file `opened` gave."""
    if slices is None:
        return table.frame.height
    try:
        return sum(t.frame.height for t in slices())
    except NotInSlices:
        return slices.whole().frame.height


def opened(path: Path, source: Source) -> tuple[Table, Slices | None]:
    """The file read as `source` says: whole, or of a CSV too big for that, the first slice
    and how to read them all."""
    size = slice_bytes()
    check_file(path, str(path))
    if source.header_row >= 1 and path.stat().st_size > 2 * size:
        slices = Slices(path, source, size)
        try:
            first = next(slices(), None)
        except NotInSlices:
            first = None
        if first is not None:
            return first, slices
    return read_table(path, source), None


class NoHeader(SourceError):
    """No row of the file looks like column names, and its first row is not values either
    (a file whose first row holds values is read without a header: `columns:`)."""


def find_layout(path: Path) -> Layout:
    name = str(path)
    check_file(path, name)
    ext = path.suffix.lower()
    if ext in CAMT_EXTENSIONS + MT940_EXTENSIONS:
        pack = "bank-camt053" if ext in CAMT_EXTENSIONS else "bank-mt940"
        raise SourceError(tr("{file} is a bank statement, whose columns are the same for every"
                             " bank: start from the shipped mapping for it", file=name),
                          hint=f"yukimap init {name} --like {pack}")
    if ext in EXCEL_EXTENSIONS:
        return _workbook(path, name)
    if ext in CSV_EXTENSIONS or not ext:
        return _csv(path, name)
    known = ", ".join(CSV_EXTENSIONS + EXCEL_EXTENSIONS)
    raise SourceError(tr("cannot tell the format of {file} from its extension ({ext}); yukimap"
                         " reads {known}", file=name, ext=ext, known=known),
                      hint=tr("rename the file to the extension of its format"))


# --- CSV --------------------------------------------------------------------------------


def _csv(path: Path, name: str) -> Layout:
    head = next(read_chunks(path, name), b"")
    encoding, note = _encoding(path, name, head)
    sample = head[:SNIFF_BYTES].decode(encoding if encoding != "utf-8" else "utf-8-sig",
                                          errors="replace")
    header_row, width = _csv_header_row(sample, name)
    columns = letters(width) if header_row == 0 else ()
    source = Source(format="csv", encoding=encoding, header_row=header_row, columns=columns)
    table, slices = opened(path, source)
    return Layout("csv", table, header_row, encoding, note, columns=columns, slices=slices)


def letters(width: int) -> tuple[str, ...]:
    """Names for the columns of a file without a row of names: their letters, A, B, C."""
    return tuple(column_letter(i) for i in range(width))


def _encoding(path: Path, name: str, head: bytes) -> tuple[str, str]:
    """The encoding that reads the whole file (`head` its first bytes), and how it was
    found: a byte order mark, UTF-8 (every byte sequence valid), or else Windows' cp1252
    (latin-1 where cp1252 has no sign for a byte)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", tr("UTF-8, with a byte order mark")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", tr("UTF-16, with a byte order mark")
    sample = head[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if max(even, odd) * 3 >= len(sample) // 2 > 0 and min(even, odd) * 10 <= max(even, odd):
        order = "le" if odd > even else "be"  # as the reader judges NUL bytes
        return f"utf-16-{order}", tr("UTF-16 without a byte order mark (every other byte is"
                                     " zero)")
    if b"\x00" in sample:  # a damaged or binary file: the reader says so
        return "utf-8", ""
    for encoding, note in (("utf-8", N_("every byte reads as UTF-8")),
                           ("cp1252", N_("not UTF-8; every byte reads as Windows' cp1252")),
                           ("latin-1", N_("neither UTF-8 nor cp1252; read as latin-1"))):
        if decodes(read_chunks(path, name), encoding):  # the file a piece at a time
            return encoding, tr(note)
    raise AssertionError("latin-1 reads every byte")  # pragma: no cover  # i18n: a bug


def _csv_header_row(sample: str, name: str) -> tuple[int, int]:
    """The header row, split by the delimiter that splits the first records widest (the
    reader then sniffs its own from that row on); a file of one column: its first row; 0
    for a file whose first row holds values, not names. And the records' typical width."""
    records: list[list[str]] = []
    width = 1
    for delimiter in SNIFF_DELIMITERS:
        try:
            split_up = split(sample, delimiter, '"')[:PREVIEW_ROWS]
        except csv.Error:
            continue
        widths = [len(r) for r in split_up if _filled(r)]
        typical = statistics.median_high(widths) if widths else 0
        if typical > width:
            records, width = split_up, typical
    row = header_row(records) if records else None
    if row is not None:
        return row, width
    filled = [n for n, r in enumerate(records, start=1) if _filled(r)]
    if filled and filled[0] == 1 and any(is_value(c) for c in records[0] if c):
        return 0, width
    return (filled[0] if filled else 1), width


NO_HEADER_HINT = N_("yukimap finds columns by their names: add a row with a name for each"
                    " column at the top of the file, then run init again")


# --- workbooks --------------------------------------------------------------------------


MAX_SHEETS = 20  # of a workbook, looked at for the data: each is read whole


def _workbook(path: Path, name: str) -> Layout:
    """The sheet with the most rows of data under a header, of the first MAX_SHEETS; the
    first one on a tie."""
    first = _sheet(path, None, 1)
    best: tuple[int, Table, int] | None = None
    for number in range(1, min(len(first.sheets), MAX_SHEETS) + 1):
        table = first if number == 1 else _sheet(path, number, 1)
        row = header_row(table.preview) if table.preview else None
        if row is None:
            continue
        data = table.frame.height - sum(1 for r in table.preview[1:row] if _filled(r))
        if best is None or data > best[0]:
            best = (data, table, row)
    if best is None:
        row1 = first.preview[0] if first.preview else ()
        if any(is_value(c) for c in row1 if c):  # values from row 1 on: no header row
            last = first.letters[first.columns[-1]]
            columns = letters(next(i + 1 for i in range(len(row1) + 1)
                                   if column_letter(i) == last))
            table = read_table(path, Source(format="excel", sheet=1, columns=columns))
            return Layout("excel", table, 0, sheets=first.sheets, columns=columns)
        raise NoHeader(tr("no sheet of {file} has a row of column names above its data",
                          file=name), hint=tr(NO_HEADER_HINT))
    _, table, row = best
    if row != table.header_row:
        source = Source(format="excel", sheet=table.sheets.index(table.sheet or "") + 1,
                        header_row=row)
        table = read_table(path, source)
    return Layout("excel", table, row, sheets=first.sheets)


def _sheet(path: Path, sheet: int | None, header_row: int) -> Table:
    """A sheet read with its header on `header_row`, for its first rows (table.preview); a
    sheet whose first row is empty is read from the first row with text, as the reader's
    hint says."""
    try:
        return read_table(path, Source(format="excel", sheet=sheet, header_row=header_row))
    except EmptyHeaderRow as exc:
        if exc.first_text <= header_row:
            raise
        return _sheet(path, sheet, exc.first_text)


# --- the header row ---------------------------------------------------------------------


def header_row(rows: Rows) -> int | None:
    """The 1-based row of `rows` that holds the column names, or None."""
    for index, row in enumerate(rows):
        cells = [c.strip() for c in row if c and c.strip()]
        names = [c for c in cells if not is_value(c)]
        if len(names) < 2 or len(names) * 4 < len(cells) * 3 or len(set(cells)) < len(cells):
            continue
        below = [r for r in rows[index + 1: index + 1 + _BELOW] if _filled(r)]
        if below and len(cells) * 2 >= max(_filled(r) for r in below):
            return index + 1
    return None


def _filled(row: Sequence[str | None]) -> int:
    return sum(1 for c in row if c and c.strip())
