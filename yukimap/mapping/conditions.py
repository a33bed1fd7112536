"""A condition tested on every row of a frame (skip_rows, skip_documents, an item's
when:, a rule of a rules: table): a test of one column, an expression that must be true, or
any of a list of conditions. Vectorised: a column test is a polars expression on the whole
column; only an expression is evaluated row by row."""

from __future__ import annotations

import re
from functools import lru_cache

import polars as pl

from yukimap.errors import Problem
from yukimap.expr import compile_regex
from yukimap.frames import HELD
from yukimap.mapping.context import Context
from yukimap.mapping.rowenv import evaluate
from yukimap.model import Condition

# Conditions are polars expressions over the frame's columns, evaluated in one select (a
# rules table: all its rules at once); what is not an expression (an expr: condition, a
# regular expression polars' engine would read otherwise) is computed first, as a column.
Held = dict[str, pl.Series]  # those columns, by their names in the frame


def condition(ctx: Context, cond: Condition, frame: pl.DataFrame) -> tuple[pl.Series,
                                                                           list[Problem]]:
    """Which rows the condition holds for (never null), and the rows where its expression
    failed."""
    return all_hold(ctx, (cond,), frame)


def all_hold(ctx: Context, conds: tuple[Condition, ...],
             frame: pl.DataFrame) -> tuple[pl.Series, list[Problem]]:
    """The rows every one of the conditions holds for."""
    held: Held = {}
    expr, problems = all_expr(ctx, conds, frame, held)
    return evaluated(frame, held, expr.alias("holds")).to_series(), problems


def evaluated(frame: pl.DataFrame, held: Held, *exprs: pl.Expr) -> pl.DataFrame:
    """`exprs` over the frame and the columns computed for them."""
    return frame.with_columns(**held).select(*exprs) if held else frame.select(*exprs)


def all_expr(ctx: Context, conds: tuple[Condition, ...], frame: pl.DataFrame,
             held: Held) -> tuple[pl.Expr, list[Problem]]:
    """An expression true where every condition holds (never null); the columns it needs
    are added to `held`."""
    return _combined(ctx, conds, frame, held, all_of=True)


def first_holding(ctx: Context, rules: list[tuple[Condition, ...]], frame: pl.DataFrame,
                  held: Held) -> tuple[pl.Expr, list[Problem]]:
    """The index of the first of `rules` (each a rule's conditions, all of which must hold)
    that holds for each row, null where none does; the columns it needs are added to `held`.
    The rules that only look for texts in columns (contains:, or any: of those), a bank
    export's usual table, are searched for together: one pass over each column finds every
    text of every such rule in it (polars' Aho-Corasick), however many there are; a pass per
    text would make a table of a hundred rules take a hundred passes."""
    sought: dict[tuple[str, bool], dict[str, int]] = {}  # (column, ignore case) -> text -> rule
    firsts: list[pl.Expr] = []
    problems: list[Problem] = []
    for index, when in enumerate(rules):
        texts = _texts_only(when)
        if texts is None:
            holds, found = all_expr(ctx, when, frame, held)
            firsts.append(pl.when(holds).then(pl.lit(index, pl.UInt32)))
            problems += found
            continue
        for column, ignore_case, text in texts:  # a text two rules seek: the first one's
            sought.setdefault((column, ignore_case), {}).setdefault(text, index)
    found_first = [_first_found(held, frame, column, ignore_case, texts)
                   for (column, ignore_case), texts in sought.items()]
    if firsts:
        found_first.append(pl.coalesce(firsts))
    if not found_first:
        return pl.lit(None, pl.UInt32), problems
    return pl.min_horizontal(found_first), problems


def _texts_only(when: tuple[Condition, ...]) -> list[tuple[str, bool, str]] | None:
    """(column, ignore case, text) of each text a rule looks for, when it holds exactly where
    one of them is found: its one condition a contains: test, or any: of such conditions."""
    return _texts(when[0]) if len(when) == 1 else None


def _texts(cond: Condition) -> list[tuple[str, bool, str]] | None:
    if cond.op == "any":
        parts = [_texts(part) for part in cond.parts]
        return None if None in parts else [text for part in parts if part for text in part]
    if cond.op != "contains" or cond.column is None or not str(cond.operand):
        return None  # an empty text is in every value: the usual test says so
    text = str(cond.operand)
    return [(cond.column, cond.ignore_case, text.lower() if cond.ignore_case else text)]


def _first_found(held: Held, frame: pl.DataFrame, column: str, ignore_case: bool,
                 texts: dict[str, int]) -> pl.Expr:
    """The first rule (by `texts`: text -> rule) one of whose texts is in the column's value,
    null where none is: every text found, overlapping ones too, each turned into its rule."""
    values = _lowered(held, frame, column) if ignore_case else pl.col(column)
    return values.str.extract_many(list(texts), overlapping=True).list.eval(
        pl.element().replace_strict(list(texts), list(texts.values()),
                                    return_dtype=pl.UInt32)).list.min()


def _combined(ctx: Context, conds: tuple[Condition, ...], frame: pl.DataFrame, held: Held,
              all_of: bool) -> tuple[pl.Expr, list[Problem]]:
    result = pl.lit(all_of)
    problems: list[Problem] = []
    for cond in conds:
        holds, found = _expr(ctx, cond, frame, held)
        problems += found
        result = (result & holds) if all_of else (result | holds)
    return result, problems


def _expr(ctx: Context, cond: Condition, frame: pl.DataFrame,
          held: Held) -> tuple[pl.Expr, list[Problem]]:
    if cond.op == "any":
        return _combined(ctx, cond.parts, frame, held, all_of=False)
    if cond.op == "expr":
        assert cond.expr is not None
        evaluated = evaluate(ctx.env, cond.expr, frame, cond.where)
        values = pl.Series([_truthy(v) for v in evaluated.values], dtype=pl.Boolean)
        return _held(held, values), evaluated.problems
    assert cond.column is not None
    if cond.op == "matches" and not _in_polars(str(cond.operand), cond.ignore_case):
        return _held(held, _regex_test(frame[cond.column], str(cond.operand),
                                       cond.ignore_case)), []
    lowered = _lowered(held, frame, cond.column) if cond.ignore_case else None
    return _column_test(cond, pl.col(cond.column), lowered).fill_null(False), []


def _lowered(held: Held, frame: pl.DataFrame, column: str) -> pl.Expr:
    """The column in lower case, computed once for all the conditions that ignore case
    (polars would lower it again in each branch of a rules table)."""
    name = f"{HELD}lower {column}"
    if name not in held:
        held[name] = frame[column].str.to_lowercase()
    return pl.col(name)


def _held(held: Held, values: pl.Series) -> pl.Expr:
    name = f"{HELD}{len(held)}"
    held[name] = values
    return pl.col(name)


def _truthy(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return value not in (None, "") and value != 0


def _column_test(cond: Condition, column: pl.Expr, lowered: pl.Expr | None) -> pl.Expr:
    op, operand = cond.op, cond.operand
    if op == "empty":
        return column.is_null()
    if op == "not_empty":
        return column.is_not_null()
    if op == "matches":
        return column.str.contains(_polars_pattern(str(operand), cond.ignore_case))
    values = column
    if lowered is not None:
        values = lowered
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
    raise ValueError(f"no such test: {op}")  # i18n: a bug (the mapping's tests are checked)


# A pattern without a backslash before a letter (\d, \w, \b, \p...: ASCII in RE2, Unicode in
# polars' Rust regex) means the same to both engines, and both take linear time.
_SAME_IN_POLARS = re.compile(r"^(?:[^\\]|\\[^A-Za-z0-9])*$")


def _polars_pattern(pattern: str, ignore_case: bool) -> str:
    return ("(?i)" if ignore_case else "") + pattern


@lru_cache(maxsize=256)
def _in_polars(pattern: str, ignore_case: bool) -> bool:
    """Whether the whole column can be tested in polars: the pattern means the same to its
    engine as to RE2 (a test holds the two to agree), and the engine takes it."""
    if not _SAME_IN_POLARS.match(pattern):
        return False
    try:
        pl.Series([""]).str.contains(_polars_pattern(pattern, ignore_case))
    except pl.exceptions.PolarsError:
        return False  # too large for its engine, or other syntax: RE2
    return True


def _regex_test(series: pl.Series, pattern: str, ignore_case: bool) -> pl.Series:
    """RE2, as `yukimap check` and regex_replace(): linear time, whatever the pattern; the
    whole column at once in polars when it means the same there, else per distinct value."""
    compiled = compile_regex(pattern, ignore_case)
    if _in_polars(pattern, ignore_case):
        return series.str.contains(_polars_pattern(pattern, ignore_case)).fill_null(False)
    uniques: list[str] = series.drop_nulls().unique().to_list()
    hits = {u: bool(compiled.search(u)) for u in uniques}
    found: pl.Series = series.replace_strict(hits, default=False, return_dtype=pl.Boolean)
    return found
