"""The row environment: what an expression sees of one row (its cells, and `let` values
computed on demand), and an expression evaluated over the rows of a frame."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import polars as pl

from yukimap.errors import Problem, Where
from yukimap.expr import Expr, ExprError, Value, numbers_context, shorten
from yukimap.frames import POS, ROW, Table
from yukimap.i18n import tr
from yukimap.mapping.texts import canonical_typed, expr_final_text, typed_value
from yukimap.model import Column, Constant, Expression, FieldSpec, Mapping
from yukimap.values import BadValue, Locale, parse_date, parse_decimal, to_xml_text


class _LetError(ExprError):
    """An expression failed in a `let` value it uses."""


class RowEnv:
    """Gives expressions the cells of one row, and `let` values computed on demand (once per
    row: a let that several expressions use is computed once)."""

    def __init__(self, table: Table, mapping: Mapping, locale: Locale) -> None:
        self.locale = locale
        self.lets = {spec.path[1]: spec for spec in mapping.lets}
        wanted = {c for s in mapping.all_fields() if isinstance(s.source, Expression)
                  for c in s.source.columns}
        wanted |= {c for s in mapping.lets for c in s.columns}
        wanted |= {c for cond in mapping.all_conditions() if cond.expr for c in cond.expr.columns}
        self.columns = {c: table.frame[c].to_list() for c in wanted if c in table.frame.columns}
        self.pos = 0
        self.cache: dict[tuple[str, int], Value] = {}

    def run(self, expr: Expr, pos: int) -> object:
        self.pos = pos
        return expr.evaluate(self)

    def cell(self, column: str) -> str | None:
        value: str | None = self.columns[column][self.pos]
        return value

    def let(self, name: str) -> Value:
        key = (name, self.pos)
        if key not in self.cache:
            self.cache[key] = self._compute_let(self.lets[name])
        return self.cache[key]

    def _compute_let(self, spec: FieldSpec) -> Value:
        name = spec.path[1]
        source = spec.source
        if isinstance(source, Expression):
            try:
                value = source.expr.evaluate(self)
            except _LetError:  # named after the let where it failed, not every let above it
                raise
            except ExprError as exc:
                raise _LetError(f"let {name}: {exc.cause}", exc.hint, exc.value) from None
            if spec.lookup is not None and value not in (None, ""):
                return self._looked_up(spec, value)  # as a field with expr: and map: does
            return value if spec.round is None or not isinstance(value, Decimal) else \
                canonical_typed("decimal", to_xml_text(value, spec.round))
        raw = self.cell(source.name) if isinstance(source, Column) and source.name else \
            source.text if isinstance(source, Constant) else None
        try:
            if not isinstance(source, Column):  # a constant, already in canonical form at load
                return typed_value(spec, raw, Locale(decimal_mark="."))
            return typed_value(spec, raw, self.locale if spec.locale.decimal_mark is None
                               else spec.locale)
        except BadValue as exc:
            raise _LetError(f"let {name}: {exc.cause}", exc.hint, raw) from None

    def _looked_up(self, spec: FieldSpec, value: Value) -> Value:
        try:
            return canonical_typed(spec.kind, expr_final_text(spec, value, self.locale) or "")
        except BadValue as exc:
            raise _LetError(f"let {spec.path[1]}: {exc.cause}", exc.hint, str(value)) from None

    def decimal(self, text: str) -> Decimal:
        return parse_decimal(text, self.locale)

    def date(self, text: str, formats: tuple[str, ...]) -> date:
        locale = replace(self.locale, date_formats=formats) if formats else self.locale
        return parse_date(text, locale)


@dataclass(frozen=True)
class Evaluated:
    """An expression's value on each row of a frame: None where it failed (`failed`), and
    the failures as problems grouped by cause."""

    values: list[object]
    failed: list[bool]
    problems: list[Problem]


def evaluate(env: RowEnv, expr: Expr, frame: pl.DataFrame, where: Where,
             name: str | None = None) -> Evaluated:
    """The expression on each row; failures are located at the expression in the mapping,
    with their rows and the value that failed."""
    results: list[object] = []
    failed: list[bool] = []
    failures: dict[tuple[str, str | None, str | None], list[int]] = {}
    with numbers_context():
        for pos, row in zip(frame[POS].to_list(), frame[ROW].to_list()):
            try:
                results.append(env.run(expr, pos))
                failed.append(False)
            except ExprError as exc:
                failures.setdefault((exc.cause, exc.hint, exc.value), []).append(row)
                results.append(None)
                failed.append(True)
    problems = [Problem(tr("expression {expression}: {cause}",
                           expression=repr(shorten(expr.source)), cause=cause),
                        replace(where, rows=tuple(bad_rows), key=name or where.key), value, hint)
                for (cause, hint, value), bad_rows in failures.items()]
    return Evaluated(results, failed, problems)
