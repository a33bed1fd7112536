"""Helpers the target modules share."""

from __future__ import annotations

import polars as pl

from yukimap.errors import Problem, Where
from yukimap.mapping import ROW

PLAIN_CODE = r"^\d+$"


def column(frame: pl.DataFrame, name: str) -> pl.Series:
    """A mapped column, or nulls when the mapping does not give that field."""
    if name in frame.columns:
        return frame[name]
    return pl.Series(name, [None] * frame.height, dtype=pl.String)


def plain_codes(frame: pl.DataFrame, field: str, file: str, key: str) -> list[Problem]:
    """GL account codes must be the bare number ('8000'), not '8000 Omzet' or '80.00'."""
    values = column(frame, field)
    wrong = values.is_not_null() & ~values.str.contains(PLAIN_CODE).fill_null(True)
    bad = frame.select(ROW).with_columns(values.alias("__v__")).filter(wrong)
    return [
        Problem("not a plain GL account code",
                Where(file=file, rows=tuple(group[ROW].to_list()), key=key), value=str(value),
                hint="only the account number, e.g. 8000 (not '8000 Omzet'); translate names"
                     " with map:")
        for (value,), group in bad.group_by("__v__", maintain_order=True)
    ]


def rows_by_value(frame: pl.DataFrame, name: str) -> dict[str, tuple[int, ...]]:
    """Each distinct non-empty value of a mapped column, with the rows that have it."""
    values = column(frame, name)
    used = frame.select(ROW).with_columns(values.alias("__v__")).filter(
        pl.col("__v__").is_not_null() & (pl.col("__v__") != ""))
    return {str(value): tuple(group[ROW].to_list())
            for (value,), group in used.group_by("__v__", maintain_order=True)}
