"""The columns a mapping reads against the columns of the file: a column missing, or
there twice, is an error before any row is mapped, with the nearest names, the header row
or sheet where the name is, or the delimiter the file seems to use."""

from __future__ import annotations

from collections.abc import Sequence
from difflib import get_close_matches

import polars as pl

from yukimap.errors import DataError, Problem, SourceError, Where
from yukimap.expr import Expr
from yukimap.frames import NO_RESULT, Table, delimiter_hint
from yukimap.i18n import N_, plural, tr
from yukimap.model import Expression, Mapping


def require_rows(table: Table) -> None:
    """A file of column names alone is an error, not an empty conversion (the map stage
    asks, once it knows the names are the ones the mapping reads)."""
    if table.frame.height == 0:
        where = table.file if table.sheet is None else tr("sheet {sheet} of {file}",
                                                          sheet=repr(table.sheet), file=table.file)
        if table.header_row == 0:
            raise SourceError(tr("{where} has no rows of data", where=where),
                              hint=tr("export the file again with its rows; or check skip_last:"
                                      " under source:"))
        raise SourceError(
            tr("{where} has column names (row {row}) but no rows of data below them",
               where=where, row=table.header_row),
            hint=tr("export the file again with its rows; or check header_row: and skip_last:"
                    " under source:"))


def check_columns(table: Table, mapping: Mapping) -> None:
    missing = sorted(mapping.columns - set(table.columns))
    repeated = sorted(mapping.columns & set(table.repeated))
    if not missing and not repeated:
        return
    in_expressions = {c for e in _expressions(mapping) for c in e.columns}
    found = table.find_columns(missing) if missing and table.find_columns else {}
    problems = [
        Problem(
            tr("column '{column}' is not in {file}", column=name, file=table.file),
            mapping.first_use(name),
            hint=_columns_hint(name, table, name in in_expressions, found.get(name)),
        )
        for name in missing
    ]
    problems += [
        Problem(
            tr("column '{column}' is in {file} more than once: columns {letters}",
               column=name, file=table.file, letters=_and(table.repeated[name])),
            mapping.first_use(name),
            hint=tr("rename one of them in the file, or choose one: {choices}", choices=", ".join(
                tr('column: "{choice}" reads column {letter}', choice=choice,
                   letter=table.letters[choice]) if i == 0 else
                tr('column: "{choice}" column {letter}', choice=choice,
                   letter=table.letters[choice])
                for i, choice in enumerate(_namesakes(table, name)))),
        )
        for name in repeated
    ]
    n = len(missing or repeated)
    raise DataError(
        plural(n, "{file} does not have the column the mapping reads: {columns}",
               "{file} does not have the columns the mapping reads: {columns}",
               file=_described(table), columns=", ".join(missing)) if missing else
        plural(n, "{file} has the column the mapping reads more than once: {columns}",
               "{file} has the columns the mapping reads more than once: {columns}",
               file=table.file, columns=", ".join(repeated)),
        problems=problems,
    )


def _described(table: Table) -> str:
    """The file, and for a workbook the sheet and the row its column names were read from."""
    if table.sheet is None:
        return table.file
    return tr("{file} (sheet {sheet}, column names from row {row})", file=table.file,
              sheet=repr(table.sheet), row=table.header_row)


def _namesakes(table: Table, name: str) -> list[str]:
    """The columns the header names `name`, as yukimap names them ("Name", "Name (C)")."""
    letters = table.repeated[name]
    return sorted((c for c in table.columns if table.letters[c] in letters),
                  key=lambda c: letters.index(table.letters[c]))


def _and(items: Sequence[str]) -> str:
    if len(items) > 1:
        return tr("{items} and {last}", items=", ".join(items[:-1]), last=items[-1])
    return "".join(items)


def _columns_hint(name: str, table: Table, in_expression: bool = False,
                  found: tuple[str | None, int] | None = None) -> str:
    if found is not None:
        return _found_hint(name, table, *found)
    wrong_delimiter = delimiter_hint(table.other_delimiter)
    if wrong_delimiter:
        return wrong_delimiter
    # "(C)" stands for a column without a name: never the one a mapping means
    columns = [c for c in table.columns if c != f"({table.letters[c]})"]
    near = get_close_matches(name, columns, n=len(columns), cutoff=0.0)
    shown = ", ".join(f"'{c}'" for c in near[:12])
    more = " " + tr("(+{more} more)", more=len(columns) - 12) if len(columns) > 12 else ""
    hint = tr("the file's columns, nearest first: {columns}", columns=shown + more)
    if in_expression:
        hint += "; " + tr("in an expression, a column whose name has spaces or signs is"
                          " col('{column}')", column=near[0] if near else name)
    return hint


def _found_hint(name: str, table: Table, sheet: str | None, row: int) -> str:
    """Set header_row (and sheet) to where the name is."""
    if sheet is None:
        return tr("'{column}' is in row {row}: set header_row: {row} under source:",
                  column=name, row=row)
    if sheet == table.sheet:
        return tr("'{column}' is in row {row} of sheet {sheet}: set header_row: {row} under"
                  " source:", column=name, row=row, sheet=repr(sheet))
    if row != 1:
        return tr("'{column}' is in row {row} of sheet {sheet}: set sheet: \"{name}\" and"
                  " header_row: {row} under source:", column=name, row=row, sheet=repr(sheet),
                  name=sheet)
    return tr("'{column}' is in row {row} of sheet {sheet}: set sheet: \"{name}\" under source:",
              column=name, row=row, sheet=repr(sheet), name=sheet)


def _expressions(mapping: Mapping) -> list[Expr]:
    found = [s.source.expr for s in mapping.all_fields() if isinstance(s.source, Expression)]
    found += [c.expr for c in mapping.all_conditions() if c.expr is not None]
    if mapping.group and mapping.group.expr is not None:
        found.append(mapping.group.expr)
    return found


ERROR_CELL = N_("an error in the workbook, not a value")
ERROR_CELL_HINT = N_("correct the formula in the workbook (or the cells it reads), save it,"
                     " and export again")
NO_RESULT_CELL = N_("a formula without its result: the program that wrote the workbook did"
                    " not calculate it")
NO_RESULT_HINT = N_("open the workbook in Excel or LibreOffice and save it, then export again")


def error_cells(table: Table, mapping: Mapping, rows: pl.Series) -> list[Problem]:
    """An error cell (#DIV/0!, #N/A) in a column the mapping reads, in a row it maps (not
    skipped), is an error at its row and column: never read as an empty value."""
    if not table.cell_errors:
        return []
    kept = set(rows.to_list())
    read = mapping.columns
    return [Problem(tr(NO_RESULT_CELL) if shown == NO_RESULT else tr(ERROR_CELL),
                    Where(file=table.file, sheet=table.sheet, rows=(row,), column=column,
                          letter=table.letters.get(column)),
                    None if shown in (NO_RESULT, "") else shown,
                    tr(NO_RESULT_HINT) if shown == NO_RESULT else tr(ERROR_CELL_HINT))
            for column, row, shown in table.cell_errors if column in read and row in kept]
