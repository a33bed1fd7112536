"""The final checks of a field's values against the element they fill: required, the
decimals Yuki takes (with the fixes for too many), lengths, choices, and the characters a
document cannot carry. Each gives its problems; lengths and decimals may also change the
values (cut as the mapping says, trailing zeros trimmed)."""

from __future__ import annotations

import polars as pl

from yukimap import text as text_policy
from yukimap.documents import Element
from yukimap.errors import Problem
from yukimap.i18n import tr
from yukimap.mapping.context import Context, flagged
from yukimap.mapping.fixes import too_many_decimals
from yukimap.model import Column, Expression, FieldSpec
from yukimap.values import trim_decimals

Checked = tuple[pl.Series, list[Problem]]


def check_values(ctx: Context, spec: FieldSpec, frame: pl.DataFrame, series: pl.Series,
                 name: str, header: bool, failed: pl.Series | None) -> Checked:
    """The values as Yuki gets them, and what is wrong with them."""
    element = spec.element
    problems = required(ctx, spec, frame, series, name, header, failed)
    problems += forbidden(ctx, spec, frame, series, name, header)
    if element is None:
        return series, problems
    if element.decimals is not None:
        series, found = decimals(ctx, spec, element, frame, series, name, header)
        problems += found
    if element.max_length is not None:
        series, found = length(ctx, spec, element, frame, series, name, header)
        problems += found
    if element.choices:
        problems += choices(ctx, spec, element, frame, series, name, header)
    return series, problems


def required(ctx: Context, spec: FieldSpec, frame: pl.DataFrame, series: pl.Series, name: str,
             header: bool, failed: pl.Series | None) -> list[Problem]:
    """An empty value where the mapping or Yuki requires one (a value that failed is a
    problem already, not also empty)."""
    if not (spec.required or (spec.element is not None and spec.element.required)):
        return []
    if not series.null_count():  # known without a query: the usual case
        return []
    empty = series.is_null() if failed is None else series.is_null() & ~failed
    return flagged(ctx, spec.column, frame, empty, name, header, tr("is empty"),
                   tr("fill in the cell, or add default: VALUE to the field for empty cells"))


def forbidden(ctx: Context, spec: FieldSpec, frame: pl.DataFrame, series: pl.Series, name: str,
              header: bool) -> list[Problem]:
    """Characters a document cannot carry (text.py): numbers, dates and yes/no values
    are rewritten by parsing, so only text can hold them."""
    if spec.kind != "text" or (ctx.table.carried and isinstance(spec.source, Column)
                               and spec.lookup is None and spec.default is None):
        return []  # a cell as it is, of a file whose cells are surely all carried
    if not text_policy.any_forbidden(series):
        return []
    bad = text_policy.forbidden_in(series)
    by_char: dict[str, list[str]] = {}
    for value in series.filter(bad).unique(maintain_order=True).to_list():
        by_char.setdefault(text_policy.forbidden(value) or "", []).append(value)
    computed = isinstance(spec.source, Expression)
    return [problem for char, values in by_char.items()
            for problem in flagged(ctx, spec.column, frame, series.is_in(values).fill_null(False),
                                   name, header, text_policy.control_cause(char),
                                   text_policy.removal_hint(char, spec.column, computed), series)]


def decimals(ctx: Context, spec: FieldSpec, element: Element, frame: pl.DataFrame,
             series: pl.Series, name: str, header: bool) -> Checked:
    """Trailing zeros beyond Yuki's decimals trimmed; more decimals than that are an error,
    with every way out written as mapping text."""
    assert element.decimals is not None
    more = rf"\.\d{{{element.decimals + 1},}}$"
    if not series.str.contains(more).any():  # the usual case: nothing to trim or refuse
        return series, []
    series = trim_decimals(series, element.decimals)
    too_many = series.str.contains(more).fill_null(False)
    if not too_many.any():
        return series, []
    return series, flagged(ctx, spec.column, frame, too_many, name, header,
                           tr("has more than {decimals} decimals, which Yuki refuses in {element}",
                              decimals=element.decimals, element=element.name),
                           _decimals_hint(ctx, spec, series.filter(too_many)),
                           series)


def _decimals_hint(ctx: Context, spec: FieldSpec, values: pl.Series) -> str:
    mapping = ctx.mapping
    item = next((i for i in mapping.items if spec in i.fields), None)
    lets = frozenset(s.path[1] for s in mapping.lets)
    return too_many_decimals(spec, item, values.unique().to_list(), mapping.source.locale, lets)


def length(ctx: Context, spec: FieldSpec, element: Element, frame: pl.DataFrame,
           series: pl.Series, name: str, header: bool) -> Checked:
    """Longer than Yuki takes: an error; cut with a warning when the mapping says so; a
    warning where Yuki cuts it itself."""
    limit = element.max_length
    assert limit is not None
    long = (series.str.len_chars() > limit).fill_null(False)
    if not long.any():
        return series, []
    if spec.truncate:
        return series.str.slice(0, limit), flagged(
            ctx, spec.column, frame, long, name, header,
            tr("longer than {limit} characters; cut as the mapping says (truncate: true)",
               limit=limit), None,
            series, "warning")
    if element.truncates:
        return series, flagged(ctx, spec.column, frame, long, name, header,
                               tr("longer than {limit} characters; Yuki will silently cut it",
                                  limit=limit),
                               tr("shorten it, or add truncate: true to cut it here"), series,
                               "warning")
    return series, flagged(ctx, spec.column, frame, long, name, header,
                           tr("longer than {limit} characters", limit=limit),
                           tr("shorten it, or add truncate: true to the field"), series)


def choices(ctx: Context, spec: FieldSpec, element: Element, frame: pl.DataFrame,
            series: pl.Series, name: str, header: bool) -> list[Problem]:
    """A value that is not one of the element's choices: an error, or a warning where Yuki
    also takes values an administration sets up itself."""
    other = (~series.is_in(list(element.choices)) & series.is_not_null()
             & (series != "")).fill_null(False)
    if not other.any():
        return []
    listed = ", ".join(element.choices)
    if element.strict_choices:
        return flagged(ctx, spec.column, frame, other, name, header,
                       tr("not one of {choices}", choices=listed),
                       tr("translate the export's values with map:"), series)
    return flagged(ctx, spec.column, frame, other, name, header,
                   tr("not one of Yuki's standard values ({choices})", choices=listed),
                   tr("fine if it is a custom value set up in Yuki; otherwise use map:"),
                   series, "warning")
