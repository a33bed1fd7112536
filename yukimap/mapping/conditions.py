"""A condition tested on every row of a frame (skip_rows, skip_documents, an item's
when:, a rule of a rules: table): a test of one column, an expression that must be true, or
any of a list of conditions. Vectorised: a column test is a polars operation on the whole
column; only an expression is evaluated row by row."""

from __future__ import annotations

import re

import polars as pl

from yukimap.errors import Problem
from yukimap.expr import compile_regex
from yukimap.mapping.context import Context
from yukimap.mapping.rowenv import evaluate
from yukimap.model import Condition


def condition(ctx: Context, cond: Condition, frame: pl.DataFrame) -> tuple[pl.Series,
                                                                           list[Problem]]:
    """Which rows the condition holds for (never null), and the rows where its expression
    failed."""
    if cond.op == "any":
        return any_holds(ctx, cond.parts, frame)
    if cond.op == "expr":
        assert cond.expr is not None
        evaluated = evaluate(ctx.env, cond.expr, frame, cond.where)
        holds = pl.Series([_truthy(v) for v in evaluated.values], dtype=pl.Boolean)
        return holds, evaluated.problems
    assert cond.column is not None
    return _column_test(cond, frame[cond.column]).fill_null(False), []


def all_hold(ctx: Context, conds: tuple[Condition, ...],
             frame: pl.DataFrame) -> tuple[pl.Series, list[Problem]]:
    """The rows every one of the conditions holds for."""
    return _combined(ctx, conds, frame, all_of=True)


def any_holds(ctx: Context, conds: tuple[Condition, ...],
              frame: pl.DataFrame) -> tuple[pl.Series, list[Problem]]:
    """The rows one of the conditions holds for."""
    return _combined(ctx, conds, frame, all_of=False)


def _combined(ctx: Context, conds: tuple[Condition, ...], frame: pl.DataFrame,
              all_of: bool) -> tuple[pl.Series, list[Problem]]:
    result = pl.Series([all_of] * frame.height, dtype=pl.Boolean)
    problems: list[Problem] = []
    for cond in conds:
        holds, found = condition(ctx, cond, frame)
        problems += found
        result = (result & holds) if all_of else (result | holds)
    return result, problems


def _truthy(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return value not in (None, "") and value != 0


def _column_test(cond: Condition, series: pl.Series) -> pl.Series:
    op, operand = cond.op, cond.operand
    if op == "empty":
        return series.is_null()
    if op == "not_empty":
        return series.is_not_null()
    if op == "matches":
        return _regex_test(series, str(operand), cond.ignore_case)
    values = series
    if cond.ignore_case:
        values = series.str.to_lowercase()
        if isinstance(operand, str):
            operand = operand.lower()
        if isinstance(operand, tuple):
            operand = tuple(o.lower() for o in operand)
    if op in ("in", "not_in"):
        assert isinstance(operand, tuple)
        found = values.is_in(list(operand))
        return found if op == "in" else (~found).fill_null(True)  # an empty cell: not in
    if op == "equals":
        return values == operand
    if op == "not_equals":
        return (values != operand).fill_null(True)
    if op == "contains":
        return values.str.contains(str(operand), literal=True)
    if op == "starts_with":
        return values.str.starts_with(str(operand))
    raise ValueError(f"no such test: {op}")


# A pattern without a backslash before a letter (\d, \w, \b, \p...: ASCII in RE2, Unicode in
# polars' Rust regex) means the same to both engines, and both take linear time.
_SAME_IN_POLARS = re.compile(r"^(?:[^\\]|\\[^A-Za-z0-9])*$")


def _regex_test(series: pl.Series, pattern: str, ignore_case: bool) -> pl.Series:
    # RE2, as `yukimap check` and regex_replace(): linear time, whatever the pattern; the
    # whole column at once in polars when the pattern means the same there (a test holds
    # the two to agree), else per distinct value.
    compiled = compile_regex(pattern, ignore_case)
    if _SAME_IN_POLARS.match(pattern):
        try:
            return series.str.contains(("(?i)" if ignore_case else "") + pattern).fill_null(False)
        except pl.exceptions.PolarsError:
            pass  # a pattern polars' engine does not take (too large, other syntax): RE2
    uniques: list[str] = series.drop_nulls().unique().to_list()
    hits = {u: bool(compiled.search(u)) for u in uniques}
    found: pl.Series = series.replace_strict(hits, default=False, return_dtype=pl.Boolean)
    return found
