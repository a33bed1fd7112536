"""One field over the rows of a frame: its source, then its modifiers in order (sign,
negate, default, round), then the final checks against the element it fills."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import polars as pl

from yukimap.errors import Problem
from yukimap.frames import Tally
from yukimap.mapping.checks import check_values
from yukimap.mapping.context import Context
from yukimap.mapping.sources import defaulted, negated, signed, source_values
from yukimap.model import FieldSpec
from yukimap.values import round_texts


@dataclass(frozen=True)
class FieldValues:
    """A field's values for the rows of a frame, and the problems found on the way."""

    series: pl.Series  # the text Yuki gets, named after the field
    exact: pl.Series | None  # for a field with round:, its values before rounding
    problems: list[Problem]
    tally: Tally | None = None  # a rules: or map: table: the rows each of its values took


# Told each step's values, by name (source, sign, negate, default, round, checked): how
# `yukimap explain` shows a value's way without a second copy of the steps.
Trace = Callable[[str, pl.Series], None]


def field_values(ctx: Context, spec: FieldSpec, frame: pl.DataFrame,
                 header: bool, trace: Trace | None = None) -> FieldValues:
    """The field's final texts; for a field with round:, also its exact texts, so that
    the targets can show what rounding changes in the amounts booked."""
    told = trace or _untold
    name = ctx.section_name(spec, header)
    exact_spec = replace(spec, round=None)  # rounded below, once, whatever the source
    values = source_values(ctx, exact_spec, frame, name, header)
    told("source", values.series)
    values = signed(ctx, spec, frame, values, name, header)
    told("sign", values.series)
    values = negated(spec, values)
    told("negate", values.series)
    values = defaulted(spec, values)
    told("default", values.series)
    series, exact = values.series, None
    if spec.round is not None and spec.kind == "decimal":
        exact, series = series, round_texts(series, spec.round)
    told("round", series)
    series, problems = check_values(ctx, spec, frame, series, name, header, values.failed)
    told("checked", series)
    return FieldValues(series.alias(spec.name), exact, values.problems + problems, values.tally)


def _untold(step: str, values: pl.Series) -> None:
    return None
