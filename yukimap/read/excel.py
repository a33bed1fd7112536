"""A workbook (.xlsx, .xlsm, .xls, .ods) into a `Table`, through fastexcel (calamine), once
the scan has found it within bounds: the sheet chosen, its header taken from the raw grid,
every cell as the text a spreadsheet shows; and where names a mapping misses are in the
workbook's other sheets.
"""

from __future__ import annotations

import codecs
import difflib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import fastexcel
import polars as pl

from yukimap.errors import EmptyHeaderRow, Problem, SourceError, Where, column_letter
from yukimap.frames import ROW, Table
from yukimap.i18n import plural, tr
from yukimap.model import Source
from yukimap.read import cfb, scan
from yukimap.read.extent import Extents
from yukimap.read.files import damaged, read_bytes
from yukimap.read.table import (
    EMPTY_SHEET_HINT,
    PREVIEW_ROWS,
    cell_name,
    check_header,
    check_rows,
    clean,
    finish,
    first_rows,
    header_names,
    make_table,
)

# What fastexcel 0.21 (calamine) does, found by experiment with workbooks written by
# openpyxl, xlwt and by hand (.ods):
# - A sheet's range starts at its first non-empty cell. With header_row=0 or None it also
#   skips leading empty rows, and header_row >= 1 counts from sheet row 1 except that 0
#   means "first non-empty row": neither gives reliable coordinates. With header_row=None
#   *and* skip_rows=0, row i of the frame is sheet row i + 1 in .xlsx, .xls and .ods alike,
#   leading empty rows included. Leading empty columns are left out, but each column's
#   `absolute_index` is its real 0-based position (C -> 2). So the header is taken from
#   the raw grid here, not by fastexcel.
# - dtypes="string" renders numbers without a trailing ".0" (2 -> "2", 14.88 -> "14.88"),
#   rounded to 9 decimals (1/3 -> "0.333333333", 0.1+0.2 -> "0.3", 1e-10 -> "0"), never in
#   exponent notation; booleans as "true"/"false". Dates and datetimes come out as
#   "2024-03-01 00:00:00" (.xlsx/.xls), or as written in .ods ("2024-03-01",
#   "2024-03-01T13:45:10"); time-only cells as "1899-12-31 13:45:00" (.ods time cells come
#   out empty). Error cells (#DIV/0!) and formulas without a cached value come out empty
#   (.ods error cells as ""); the scan finds error cells in the parts: see `_with_errors`.
# - A damaged .xls can make calamine panic (a Rust panic, not an Exception) instead of
#   returning an error; a cut-short file is checked for before calamine sees it.

_DATE_RULES = (
    # time-only cells: Excel's day zero carries no information
    (r"^1899-12-3[01][ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)$", "${1}"),
    (r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(?:\.0+)?$", "${1}"),
    (r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})", "${1} ${2}"),
)
_DATED = r"^\d{4}-\d{2}-\d{2}[ T]"  # how every text a rule rewrites starts


def read_excel(path: Path, name: str, source: Source) -> Table:
    reader, extents, content = _open_workbook(path, name)
    sheets = list(reader.sheet_names)
    index = _sheet_index(sheets, source.sheet, name)
    sheet_name = sheets[index]
    where = tr("sheet {sheet} of {name}", sheet=repr(sheet_name), name=name)
    scan.check_sheet(extents, sheet_name, where, source.header_row)
    grid, absolute = _load(reader, index, name, content)
    if grid.height == 0 or grid.width == 0:
        raise SourceError(tr("{where} is empty", where=where), hint=tr(EMPTY_SHEET_HINT))
    if source.columns:
        return _headerless(grid, absolute, source, name, sheet_name, tuple(sheets), extents)
    header = _excel_header(grid, where, source.header_row)
    check_header(header, where, source.header_row)
    letters = [column_letter(i) for i in absolute]
    names = header_names(header, letters)
    raw = grid.slice(source.header_row).with_row_index(ROW, offset=source.header_row + 1)
    check_rows(raw.height, where)
    frame = finish(raw, names, source.skip_last)
    table = make_table(frame, name, header, letters, source.header_row, sheet=sheet_name,
                       preview=first_rows(grid.head(PREVIEW_ROWS).iter_rows()),
                       sheets=tuple(sheets))
    return _with_errors(table, extents, absolute, names)


def _with_errors(table: Table, extents: Extents, absolute: list[int],
                 names: Sequence[str]) -> Table:
    """The table with the error cells the scan found in its rows (calamine reads them as
    empty), by column name."""
    found = {cell for extent in extents.get(table.sheet) or () if not extent.declared
             for cell in extent.errors}
    column = dict(zip(absolute, names))
    rows = set(table.frame[ROW].to_list()) if found else set()
    errors = sorted(((column[c - 1], r, shown) for r, c, shown in found
                     if c - 1 in column and r in rows), key=lambda e: (e[1], e[0]))
    return replace(table, cell_errors=tuple(errors))


def _headerless(grid: pl.DataFrame, absolute: list[int], source: Source, name: str,
                sheet: str, sheets: tuple[str, ...], extents: Extents) -> Table:
    """A sheet without a header row, its columns named by columns: in order from column A
    (row 1 is data); a cell beyond the columns named is an error at its row."""
    where = tr("sheet {sheet} of {name}", sheet=repr(sheet), name=name)
    width = len(source.columns)
    at = dict(zip(absolute, grid.columns))
    rows = grid.with_row_index(ROW, offset=1)
    beyond = [(a, c) for a, c in at.items() if a >= width]
    if beyond:
        filled = [clean(pl.col(c)).is_not_null() for _, c in beyond]
        hits = rows.filter(pl.any_horizontal(filled)).select(
            ROW, pl.coalesce([pl.when(f).then(pl.lit(column_letter(a)))
                              for (a, _), f in zip(beyond, filled)]).alias("letter"))
        if hits.height:
            raise SourceError(
                plural(hits.height, "1 row(s) of {where} have cells beyond the {width} columns"
                       " columns: under source: names", "{count} row(s) of {where} have cells"
                       " beyond the {width} columns columns: under source: names", where=where,
                       width=width),
                hint=tr("add a name to columns: for each column of the sheet, in order"),
                problems=[Problem(tr("a cell beyond the columns named"),
                                  Where(file=name, sheet=sheet, rows=(row,)),
                                  value=tr("column {letter}", letter=letter))
                          for row, letter in hits.iter_rows()])
    raw = rows.select(
        *(pl.col(at[a]).alias(f"_{a}") if a in at else pl.lit(None, pl.String).alias(f"_{a}")
          for a in range(width)), ROW)
    check_rows(raw.height, where)
    frame = finish(raw, list(source.columns), source.skip_last)
    table = make_table(frame, name, source.columns, [column_letter(a) for a in range(width)],
                       0, sheet=sheet, preview=first_rows(grid.head(PREVIEW_ROWS).iter_rows()),
                       sheets=sheets)
    return _with_errors(table, extents, list(range(width)), source.columns)


@contextmanager
def _calamine(name: str, content: bytes) -> Iterator[None]:
    """What calamine raises, as the reason the workbook cannot be opened; a panic too."""
    try:
        yield
    except Exception as exc:
        raise _damaged(name, exc, content) from None
    except BaseException as exc:  # noqa: B036 - a calamine panic; see the comment above
        if type(exc).__name__ != "PanicException":
            raise
        raise _damaged(name, exc, content) from None


def _load(reader: fastexcel.ExcelReader, index: int, name: str, content: bytes,
          rows: int | None = None) -> tuple[pl.DataFrame, list[int]]:
    """Sheet `index` as text columns "_0", "_1", ..., and each one's 0-based column."""
    with _calamine(name, content):
        sheet = reader.load_sheet(index, header_row=None, skip_rows=0, n_rows=rows,
                                  dtypes="string")
        grid = sheet.to_polars()
        absolute = [column.absolute_index for column in sheet.available_columns()]
    del sheet  # calamine's copy of the cells: the frame is all that is needed now
    grid = grid.rename(dict(zip(grid.columns, (f"_{i}" for i in range(grid.width)))))
    return grid.with_columns(_excel_text(pl.col(c)) for c in _dated(grid)), absolute


def find_columns(table: Table, names: Sequence[str]) -> dict[str, tuple[str | None, int]]:
    """Where names the mapping misses are: (sheet, row) of the first row that has each,
    among the first rows of the file or sheet read, then of the workbook's other sheets
    (read here again: only when a column is missing)."""
    found = _in_rows(table.preview, names, table.sheet, skip=table.header_row)
    others = [s for s in table.sheets if s != table.sheet]
    if len(found) == len(names) or not others:
        return found
    try:
        reader, extents, content = _open_workbook(Path(table.file), table.file)
        for sheet in others:
            index = table.sheets.index(sheet)
            try:
                scan.check_sheet(extents, sheet, sheet, 1)
                grid, _ = _load(reader, index, table.file, content, PREVIEW_ROWS)
            except SourceError:
                continue
            rest = [n for n in names if n not in found]
            found |= _in_rows(first_rows(grid.iter_rows()), rest, sheet)
    except SourceError:
        pass  # the file changed since it was read: the usual hint then
    return found


def _in_rows(rows: Sequence[Sequence[str | None]], names: Sequence[str], sheet: str | None,
             skip: int = 0) -> dict[str, tuple[str | None, int]]:
    found: dict[str, tuple[str | None, int]] = {}
    for number, row in enumerate(rows, start=1):
        cells = {cell_name(c) for c in row} if number != skip else set()
        found |= {n: (sheet, number) for n in names if n in cells and n not in found}
    return found


def _dated(grid: pl.DataFrame) -> list[str]:
    """The columns with a cell the rules may rewrite: three regex replaces of every cell
    cost more than one search for how those cells start."""
    if not grid.width:
        return []
    found = grid.select(pl.col(c).str.contains(_DATED).any() for c in grid.columns).row(0)
    return [column for column, dated in zip(grid.columns, found) if dated]


def _excel_text(cell: pl.Expr) -> pl.Expr:
    for pattern, replacement in _DATE_RULES:
        cell = cell.str.replace(pattern, replacement)
    return cell


def _excel_header(grid: pl.DataFrame, where: str, header_row: int) -> list[str | None]:
    if header_row > grid.height:
        raise SourceError(
            plural(grid.height, "the header should be on row {row}, but {where} has only 1"
                   " row(s)", "the header should be on row {row}, but {where} has only {count}"
                   " row(s)", row=header_row, where=where),
            hint=tr("set header_row: under source: to the row with the column names"),
        )
    cells = [None if c is None or not c.strip() else c for c in grid.row(header_row - 1)]
    if all(c is None for c in cells):
        filled = grid.with_row_index("_n", offset=1).filter(
            pl.any_horizontal([clean(pl.col(c)).is_not_null() for c in grid.columns])
        )
        first = filled["_n"][0] if filled.height else None
        if first is None:
            raise SourceError(tr("{where} is empty", where=where), hint=tr(EMPTY_SHEET_HINT))
        raise EmptyHeaderRow(
            tr("row {row} of {where} is empty, but the column names should be there",
               row=header_row, where=where),
            hint=tr("the first row with text is row {first}: set header_row: {first} under"
                    " source: if the column names are there", first=first),
            first_text=first,
        )
    return cells


def _open_workbook(path: Path, name: str
                   ) -> tuple[fastexcel.ExcelReader, Extents, bytes]:
    """The workbook, how far its sheets reach, and its bytes. calamine reads the bytes that
    were checked, not the file again: in a hot folder it may have changed since."""
    content = read_bytes(path, name)
    cut_short = cfb.cut_short(content)
    if cut_short:
        raise damaged(name, cut_short)
    extents = scan.inspect(content, name)
    with _calamine(name, content):
        return fastexcel.read_excel(content), extents, content


def _damaged(name: str, exc: BaseException, content: bytes) -> SourceError:
    head = content[:2048]
    hint = None
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html", b"<table")):
        reason = tr("it is a web page (HTML), not a workbook")
        hint = tr("the file may be incomplete (still being copied?) or damaged; export it again;"
                  " or open it in Excel and save it as .xlsx")
    elif head and not _workbook_start(head) and _is_text(head):
        reason = tr("it is a text file, not a workbook")
        hint = tr("the file may be incomplete (still being copied?) or damaged; export it again;"
                  " if it is a CSV export, set format: csv under source:")
    elif type(exc).__name__ == "PanicException":
        reason = tr("its inner structure is damaged")
    else:
        lines = str(exc).strip().splitlines() or [type(exc).__name__]
        reason = lines[0].removeprefix("calamine error: ")
    return damaged(name, reason, hint)


def _workbook_start(head: bytes) -> bool:
    """Whether `head` begins like a zip (.xlsx, .ods) or an OLE file (.xls), even cut short."""
    return any(magic.startswith(head[: len(magic)]) for magic in (b"PK\x03\x04", cfb.CFB_MAGIC))


def _is_text(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if b"\x00" in head:
        return False
    return head.decode("utf-8", errors="replace").count("\ufffd") * 50 <= len(head)


def _sheet_index(sheets: list[str], wanted: str | int | None, name: str) -> int:
    if wanted is None:
        return 0
    listing = ", ".join(repr(s) for s in sheets)
    if isinstance(wanted, int):
        if 1 <= wanted <= len(sheets):
            return wanted - 1
        raise SourceError(
            plural(len(sheets), "there is no sheet {wanted} in {name}: it has 1 sheet(s):"
                   " {listing}", "there is no sheet {wanted} in {name}: it has {count} sheet(s):"
                   " {listing}", wanted=wanted, name=name, listing=listing),
            hint=tr("set sheet: to a number from 1 to {count} (or a name) under source:",
                    count=len(sheets)),
        )
    if wanted in sheets:
        return sheets.index(wanted)
    nearest = sorted(
        sheets,
        key=lambda s: -difflib.SequenceMatcher(None, wanted.lower(), s.lower()).ratio(),
    )
    raise SourceError(
        tr("there is no sheet {wanted} in {name}; its sheets are, nearest first: {sheets}",
           wanted=repr(wanted), name=name, sheets=", ".join(repr(s) for s in nearest)),
        hint=f'sheet: "{nearest[0]}"',
    )
