"""Read a CSV or Excel export into a polars frame of text, numbered like a spreadsheet.

This is the first stage of a conversion: everything after it works on a `Table`. Every
value stays text here (so "00123" keeps its zeros); the stages that know what a column
means turn text into numbers and dates. Each record carries `__row__`, the row number a
user sees when opening the file in Excel or LibreOffice, so that every later message can
point at a row. Blank rows are dropped but never renumber the others.

Reading is vectorised (polars for CSV, fastexcel/calamine for workbooks). Python only
looks at the first rows (header, delimiter sniffing) and, when something is wrong, at
the whole file again to say which rows are at fault.

The package, a module per reason to change: the file itself (`files`); what both readers
share (`table`); a CSV (`csvfile`, with `encoding`, `sniff` and `failure`, why polars
could not read it); a workbook through calamine (`excel`), after `scan` has found it
within bounds: its container (`zipscan`, `cfb`), its parts (`xlsxscan`, `odsscan`, with
`xmltags`; `biff`) and what they say (`extent`); a bank statement in a standard format
(`camt`, `mt940file` with `details86`) into the columns every statement has (`statement`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

from yukimap.errors import NotInSlices, SourceError
from yukimap.frames import Table
from yukimap.i18n import N_, tr
from yukimap.model import Source
from yukimap.read.csvfile import read_csv
from yukimap.read.files import DAMAGED_HINT, check_file
from yukimap.read.slices import csv_slices
from yukimap.read.sniff import SNIFF_BYTES, SNIFF_DELIMITERS, SNIFF_RECORDS
from yukimap.read.table import EMPTY_SHEET_HINT, PREVIEW_CHARS, PREVIEW_ROWS

# The readers of workbooks (fastexcel and the scan) and of bank statements (lxml's CAMT,
# mt940) are imported when a file of theirs is read: a CSV, the common case, needs none of
# them, and they cost a small conversion a good part of its start-up.

__all__ = [
    "CAMT_EXTENSIONS",
    "CSV_EXTENSIONS",
    "DAMAGED_HINT",
    "EMPTY_SHEET_HINT",
    "EXCEL_EXTENSIONS",
    "FORMAT_HINT",
    "MT940_EXTENSIONS",
    "PREVIEW_CHARS",
    "PREVIEW_ROWS",
    "SNIFF_BYTES",
    "SNIFF_DELIMITERS",
    "SNIFF_RECORDS",
    "find_columns",
    "read_slices",
    "read_table",
]

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
CAMT_EXTENSIONS = (".xml",)
MT940_EXTENSIONS = (".sta", ".940", ".mt940", ".swi")
FORMAT_HINT = N_("set format: csv (or excel, camt053, mt940) under source:")


def read_table(path: Path, source: Source) -> Table:
    """Read `path` as `source` describes; raise `SourceError` for anything a user must fix."""
    name = str(path)
    check_file(path, name)
    if source.header_row < (0 if source.columns else 1) or source.skip_last < 0:
        raise SourceError(
            tr("header_row must be 1 or more and skip_last 0 or more"),
            hint=tr("check source: in the mapping file"),
        )
    kind = _format(path, source)
    if kind == "camt053":
        from yukimap.read.camt import read_camt

        return read_camt(path, name)
    if kind == "mt940":
        from yukimap.read.mt940file import read_mt940

        return read_mt940(path, name)
    if kind == "csv":
        table = read_csv(path, name, source)
    else:
        from yukimap.read.excel import read_excel

        table = read_excel(path, name, source)
    return replace(table, find_columns=partial(find_columns, table))


def read_slices(path: Path, source: Source, size: int) -> Iterator[Table]:
    """A CSV file as tables of about `size` bytes of its rows each, which together are
    what read_table reads (read/slices.py); raises NotInSlices for any other file."""
    name = str(path)
    check_file(path, name)
    if source.header_row < 1 or _format(path, source) != "csv":
        raise NotInSlices("format")
    for table in csv_slices(path, name, source, size):
        yield replace(table, find_columns=partial(find_columns, table))


def find_columns(table: Table, names: Sequence[str]) -> dict[str, tuple[str | None, int]]:
    """Where names the mapping misses are, in the first rows and in a workbook's other
    sheets (the Excel reader's: it is imported only when a name is missing)."""
    from yukimap.read.excel import find_columns as found

    return found(table, names)


def _format(path: Path, source: Source) -> str:
    if source.format:
        return source.format
    ext = path.suffix.lower()
    if ext in MT940_EXTENSIONS or (ext == ".txt" and _mt940(path)):
        return "mt940"
    if ext in CAMT_EXTENSIONS:
        from yukimap.read.camt import camt_version

        if camt_version(_head(path)):
            return "camt053"
        raise SourceError(tr("{path} is XML but not a CAMT.053 bank statement (no camt.053"
                             " namespace in its first lines); yukimap reads XML only as CAMT.053",
                             path=path),
                          hint=tr("export the statement as CAMT.053, or the data as CSV or Excel"))
    if ext in CSV_EXTENSIONS:
        return "csv"
    if ext in EXCEL_EXTENSIONS:
        return "excel"
    known = ", ".join(CSV_EXTENSIONS + EXCEL_EXTENSIONS + CAMT_EXTENSIONS + MT940_EXTENSIONS)
    if ext:
        message = tr("cannot tell the format of {path} from its extension ({ext}); yukimap reads"
                     " {known}", path=path, ext=ext, known=known)
    else:
        message = tr("cannot tell the format of {path} from its extension (it has none);"
                     " yukimap reads {known}", path=path, known=known)
    raise SourceError(message, hint=tr(FORMAT_HINT))


def _mt940(path: Path) -> bool:
    from yukimap.read.mt940file import looks_like_mt940

    return looks_like_mt940(_head(path))


def _head(path: Path) -> bytes:
    """The first bytes of a file, to tell a statement format from them."""
    try:
        with path.open("rb") as stream:
            return stream.read(2048)
    except OSError:
        return b""
