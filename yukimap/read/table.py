"""What the CSV and the Excel reader share: usable header names, the bounds on the header,
the rows and every cell, cleaning and numbering, and the first rows kept as a preview."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import polars as pl

from yukimap.errors import Problem, SourceError, Where
from yukimap.frames import ROW, Table
from yukimap.i18n import N_, tr
from yukimap.limits import limits, over
from yukimap.read.files import refuse

PREVIEW_ROWS = 30  # rows looked through for column names the mapping misses
PREVIEW_CHARS = 200  # of each cell there
EMPTY_SHEET_HINT = N_("choose the sheet with the data with sheet: under source:")

# The first rows of a file or sheet, cells cut short (Table.preview).
Preview = tuple[tuple[str | None, ...], ...]


def header_names(cells: Sequence[str | None], letters: Sequence[str]) -> list[str]:
    """Usable, unique column names: stripped, empty ones named "(C)", repeats "Name (F)"."""
    names: list[str] = []
    seen = {ROW}
    for cell, letter in zip(cells, letters):
        name = cell_name(cell) or f"({letter})"
        while name in seen:
            name = f"{name} ({letter})"
        seen.add(name)
        names.append(name)
    return names


def cell_name(cell: str | None) -> str:
    return (cell or "").strip().replace("\ufeff", "").strip()


def _repeated(cells: Sequence[str | None], letters: Sequence[str]) -> dict[str, tuple[str, ...]]:
    seen: dict[str, list[str]] = {}
    for cell, letter in zip(cells, letters):
        if cell_name(cell):
            seen.setdefault(cell_name(cell), []).append(letter)
    return {name: tuple(found) for name, found in seen.items() if len(found) > 1}


def check_header(cells: Sequence[str | None], where: str, header_row: int) -> None:
    if len(cells) > limits().max_columns:
        refuse("max_columns", tr("the header of {where} (row {row})", where=where, row=header_row),
               tr("{count} columns", count=f"{len(cells):,}"))


def check_rows(read: int, where: str) -> None:
    """`read` records were read of at most max_rows + 1."""
    if read > limits().max_rows:
        refuse("max_rows", where, tr("it has more than {bound} rows of data",
                                     bound=f"{limits().max_rows:,}"))


def _check_cells(table: Table, header: Sequence[str | None], where: str) -> None:
    """Every cell within max_cell_chars, the header's too; all cells over it, located."""
    bound = limits().max_cell_chars
    found = [(len(c or ""), table.header_row, table.letters[n])
             for c, n in zip(header, table.columns) if len(c or "") > bound]
    frame = table.frame
    lengths = [pl.col(c).str.len_chars().fill_null(0) for c in table.columns]
    over_rows = (frame.filter(pl.any_horizontal([n > bound for n in lengths])) if lengths
                 else frame.clear())
    if over_rows.height:  # the usual case has none: no query per column then
        for column in table.columns:
            hits = over_rows.filter(pl.col(column).str.len_chars() > bound)
            found += [(len(v), r, table.letters[column])
                      for v, r in hits.select(column, ROW).iter_rows()]
    if not found:
        return
    found.sort(key=lambda f: (f[1], f[2]))
    longest = max(found)
    message, hint = over("max_cell_chars", tr("the longest cell of {where}", where=where),
                         tr("{length} characters, row {row}, column {letter}",
                            length=f"{longest[0]:,}", row=longest[1], letter=longest[2]))
    raise SourceError(message, hint=hint, problems=[
        Problem(tr("over {bound} characters", bound=f"{bound:,}"),
                Where(file=table.file, sheet=table.sheet, rows=(row,)),
                value=tr("column {letter}: {length} characters", letter=letter,
                         length=f"{length:,}"))
        for length, row, letter in found])


def clean(column: pl.Expr) -> pl.Expr:
    """Strip surrounding whitespace (polars' strip also removes U+00A0); "" becomes null.
    (Stripped once: a when/then on the stripped text strips every cell twice.)"""
    return column.str.strip_chars().replace("", None)


def finish(raw: pl.DataFrame, names: list[str], skip_last: int) -> pl.DataFrame:
    """Name and clean the columns of `raw` ("_0", "_1", ... and ROW), drop empty rows."""
    sources = [f"_{i}" for i in range(len(names))]
    cleaned = [clean(pl.col(s)).alias(s) for s in sources]
    frame = raw.select([*cleaned, pl.col(ROW).cast(pl.Int64)])
    if sources:
        frame = frame.filter(pl.any_horizontal([pl.col(s).is_not_null() for s in sources]))
    if skip_last:
        frame = frame.head(max(0, frame.height - skip_last))
    return frame.rename(dict(zip(sources, names)))


def make_table(frame: pl.DataFrame, name: str, header: Sequence[str | None],
               letters: list[str], header_row: int, *, preview: Preview,
               sheet: str | None = None, sheets: tuple[str, ...] = (),
               delimiter: str | None = None, encoding: str | None = None,
               other_delimiter: str | None = None, carried: bool = False) -> Table:
    """The table, once its header, rows and cells are within the limits."""
    names = list(frame.columns[:-1])
    table = Table(
        frame=frame,
        file=name,
        columns=tuple(names),
        letters=dict(zip(names, letters)),
        header_row=header_row,
        repeated=_repeated(header, letters),
        preview=preview,
        sheet=sheet,
        sheets=sheets,
        delimiter=delimiter,
        encoding=encoding,
        other_delimiter=other_delimiter,
        carried=carried,
    )
    where = (name if table.sheet is None
             else tr("sheet {sheet} of {name}", sheet=repr(table.sheet), name=name))
    _check_cells(table, header, where)
    return table


def first_rows(rows: Iterator[Sequence[str | None]]) -> Preview:
    return tuple(tuple(c[:PREVIEW_CHARS] if c else None for c in row)
                 for _, row in zip(range(PREVIEW_ROWS), rows))

