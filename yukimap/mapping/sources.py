"""Where a field's values come from: one function per kind of source (a column, a constant,
an expression, debit and credit columns, a rules table, none), and one per modifier that
changes them (a sign column, negate, a default). Each takes a frame's rows and gives their
values as the text Yuki gets, with the problems it found; none reports anywhere else.

Values are parsed once per distinct value (see values.over_unique); expressions and `let`
values, which can depend on several cells, are evaluated row by row. A rules table is the
index of the first rule that holds for each row (conditions.first_holding), in one select.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from yukimap.errors import Problem
from yukimap.expr import numbers_context, shorten
from yukimap.frames import KEY, POS, RAW, ROW, VALUE, Tally
from yukimap.i18n import tr
from yukimap.limits import limits
from yukimap.mapping.conditions import Held, evaluated, first_holding
from yukimap.mapping.context import Context, field_where, flagged
from yukimap.mapping.rowenv import evaluate
from yukimap.mapping.texts import debit_minus_credit, expr_final_text, final_text, negate_texts
from yukimap.model import Column, Constant, DebitCredit, Expression, FieldSpec, Rules, Sign
from yukimap.values import (
    BadValue,
    Locale,
    Parsed,
    date_format_hint,
    decimal_texts,
    over_unique,
)


@dataclass(frozen=True)
class Values:
    """A field's values from its source, for the rows of a frame."""

    raw: pl.Series | None  # where a default fills in (null); None: a constant, never empty
    series: pl.Series  # the text Yuki gets, null where empty or failed
    failed: pl.Series | None  # rows whose value failed (a problem already), not also "empty"
    problems: list[Problem]
    tally: Tally | None = None  # a rules: or map: table: the rows each of its values took


def source_values(ctx: Context, spec: FieldSpec, frame: pl.DataFrame, name: str,
                  header: bool) -> Values:
    """The values of the field's one source (not yet rounded: see fields.field_values)."""
    locale = ctx.field_locale(spec)
    source = spec.source
    if isinstance(source, Column):
        return column_values(ctx, spec, frame, locale, source.name, name, header)
    if isinstance(source, Constant):
        return constant_values(ctx, spec, frame, locale, source, name, header)
    if isinstance(source, Expression):
        return expression_values(ctx, spec, frame, locale, source, name)
    if isinstance(source, DebitCredit):
        return debit_credit_values(ctx, spec, frame, locale, source, name, header)
    if isinstance(source, Rules):
        return rules_values(ctx, spec, frame, source, name, header)
    return blank_values(frame)


def column_values(ctx: Context, spec: FieldSpec, frame: pl.DataFrame, locale: Locale,
                  column: str, name: str, header: bool) -> Values:
    """A column through the lookup table, or parsed by the field's type."""
    raw = frame[column]
    parsed = _parse(ctx, spec, raw, locale, frame, column)
    values = _parsed_values(ctx, spec, frame, raw, parsed, column, name, header)
    errors = [row for named, row, _ in ctx.table.cell_errors if named == column]
    if errors:  # an error cell is an error already (columns.error_cells), not also empty
        values = replace(values, failed=_either(values.failed, frame[ROW].is_in(errors)))
    if spec.lookup is None:
        return values
    return replace(values, tally=_lookup_tally(ctx, spec, raw, column, name, header))


def constant_values(ctx: Context, spec: FieldSpec, frame: pl.DataFrame, locale: Locale,
                    source: Constant, name: str, header: bool) -> Values:
    """A constant: checked when the mapping was loaded, unless a lookup table translates it."""
    values = pl.repeat(source.text, frame.height, dtype=pl.String, eager=True)
    if spec.lookup is None:
        return Values(None, values, None, [])
    parsed = _parse(ctx, spec, values, locale, frame, None)
    return _parsed_values(ctx, spec, frame, values, parsed, None, name, header)


def blank_values(frame: pl.DataFrame) -> Values:
    """No source: empty on every row, for the default to fill or the element to be empty."""
    empty = pl.Series([None] * frame.height, dtype=pl.String)
    return Values(empty, empty, None, [])


def expression_values(ctx: Context, spec: FieldSpec, frame: pl.DataFrame, locale: Locale,
                      source: Expression, name: str) -> Values:
    """An expression evaluated row by row; its results are final, never re-parsed. A text
    joined of literal texts and columns is joined for all rows at once (`joined_texts`)."""
    joined = joined_texts(ctx, spec, frame, source)
    if joined is not None:
        return Values(joined, joined, pl.repeat(False, frame.height, eager=True), [])
    return expression_row_by_row(ctx, spec, frame, locale, source, name)


def joined_texts(ctx: Context, spec: FieldSpec, frame: pl.DataFrame,
                 source: Expression) -> pl.Series | None:
    """`expr: "'Order ' & Order"` in a text field without map:, joined by polars as the row
    by row evaluation joins it (a test holds the two together): each column's cell of the
    row as read (an empty one as ""), an empty result as no value. None where that does not
    apply, or where a text would be over the bound on texts (the rows then say which)."""
    parts, table = source.expr.joined, ctx.table.frame
    if (parts is None or spec.kind != "text" or spec.lookup is not None
            or not any(is_column for is_column, _ in parts)
            or any(is_column and part not in table.columns for is_column, part in parts)):
        return None
    positions = frame[POS]
    cells = pl.DataFrame({str(at): table[part].gather(positions)
                          for at, (is_column, part) in enumerate(parts) if is_column})
    pieces = [pl.col(str(at)).fill_null("") if is_column else pl.lit(part, dtype=pl.String)
              for at, (is_column, part) in enumerate(parts)]
    joined = cells.select(pl.concat_str(pieces).replace("", None).alias(VALUE))[VALUE]
    return None if (joined.str.len_chars() > limits().text_chars).any() else joined


def expression_row_by_row(ctx: Context, spec: FieldSpec, frame: pl.DataFrame, locale: Locale,
                          source: Expression, name: str) -> Values:
    """Each row's value of the expression, evaluated in Python."""
    evaluated = evaluate(ctx.env, source.expr, frame, spec.where, name)
    failed = list(evaluated.failed)
    texts: list[str | None] = []
    failures: dict[tuple[str, str | None, str], list[int]] = {}
    with numbers_context():  # rounding a result as the field says needs its digits
        for index, (row, value) in enumerate(zip(frame[ROW].to_list(), evaluated.values)):
            try:
                texts.append(expr_final_text(spec, value, locale))
            except BadValue as exc:
                failures.setdefault((exc.cause, exc.hint, str(value)), []).append(row)
                texts.append(None)
                failed[index] = True
    problems = evaluated.problems + [
        Problem(tr("expression {expression}: its result is {cause}",
                   expression=repr(shorten(source.expr.source)), cause=cause),
                replace(spec.where, rows=tuple(rows), key=name), value=value, hint=hint)
        for (cause, hint, value), rows in failures.items()]
    series = pl.Series(texts, dtype=pl.String)
    return Values(series, series, pl.Series(failed, dtype=pl.Boolean), problems)


def debit_credit_values(ctx: Context, spec: FieldSpec, frame: pl.DataFrame, locale: Locale,
                        source: DebitCredit, name: str, header: bool) -> Values:
    """amount = debit - credit; a row with both filled (and not zero) is an error."""
    sides = [column_values(ctx, spec, frame, locale, column, name, header)
             if column is not None else None for column in (source.debit, source.credit)]
    debit, credit = (_texts(side, frame.height) for side in sides)
    pairs = [debit_minus_credit(d, c) for d, c in zip(debit, credit)]
    both = pl.Series([clash for _, clash in pairs], dtype=pl.Boolean)
    problems = [p for side in sides if side is not None for p in side.problems]
    problems += flagged(ctx, source.debit, frame, both, name, header,
                        tr("both the debit column '{debit}' and the credit column '{credit}'"
                           " are filled", debit=source.debit, credit=source.credit),
                        tr("leave one of them empty (or 0)"))
    failed = _either(*(side.failed if side is not None else None for side in sides))
    amounts = pl.Series([amount for amount, _ in pairs], dtype=pl.String)
    return Values(amounts, amounts, _either(failed, both), problems)


def rules_values(ctx: Context, spec: FieldSpec, frame: pl.DataFrame, source: Rules, name: str,
                 header: bool) -> Values:
    """The value of the first rule that holds for each row, else the fallback; a row that
    no rule holds for, without a fallback, is an error."""
    held: Held = {}
    first, problems = first_holding(ctx, [rule.when for rule in source.rules], frame, held)
    # the index of the first rule that holds, null where none does: one select for all
    chosen = evaluated(frame, held, first.alias("rule")).to_series()
    results = pl.Series([rule.value for rule in source.rules], dtype=pl.String)
    series = results.gather(chosen).fill_null(source.fallback) if source.fallback is not None \
        else results.gather(chosen)
    failed = None
    if source.fallback is None and chosen.is_null().any():
        failed = chosen.is_null()
        problems += flagged(ctx, None, frame, failed, name, header,
                            tr("no rule of rules: holds for this row"),
                            tr("add a rule that holds for it, or fallback: VALUE for rows no rule"
                               " matches"))
    found = dict(chosen.drop_nulls().value_counts().iter_rows())  # rule -> its rows
    counts = [(f"{i + 1}: {rule.describe()} -> {rule.value}", found.get(i, 0))
              for i, rule in enumerate(source.rules)]
    fallback = None if source.fallback is None else (source.fallback,
                                                     int(chosen.is_null().sum()))
    tally = Tally(name, _place(ctx, spec), "rules", None, tuple(counts), fallback,
                  rows=frame.height, unit="documents" if header else "rows")
    return Values(None, series, failed, problems, tally)


def _lookup_tally(ctx: Context, spec: FieldSpec, raw: pl.Series, column: str, name: str,
                  header: bool) -> Tally:
    """The rows of each value of a map: table found in the column, of the fallback, and
    of the default for empty cells."""
    lookup = spec.lookup
    assert lookup is not None
    folded = raw.str.to_lowercase() if lookup.ignore_case else raw
    keys = list(lookup.table)
    found = dict(folded.filter(folded.is_in(keys)).value_counts().iter_rows())
    counts = tuple((f"{key} -> {value}", found[key]) for key, value in lookup.table.items()
                   if key in found)
    others = int((folded.is_not_null() & ~folded.is_in(keys)).sum())
    empty = int(raw.is_null().sum())
    return Tally(
        name, _place(ctx, spec), "map", column, counts,
        None if lookup.fallback is None else (lookup.fallback, others),
        None if spec.default is None or not empty else (spec.default, empty),
        rows=raw.len(), unit="documents" if header else "rows")


def _place(ctx: Context, spec: FieldSpec) -> str:
    if spec.where.line is None:
        return ctx.mapping.path.name
    return tr("{file} line {line}", file=ctx.mapping.path.name, line=spec.where.line)


def _texts(side: Values | None, height: int) -> list[str | None]:
    return side.series.to_list() if side is not None else [None] * height


def _either(a: pl.Series | None, b: pl.Series | None) -> pl.Series | None:
    if a is None or b is None:
        return a if b is None else b
    return a | b


# --- parsing ------------------------------------------------------------------------------


def _parse(ctx: Context, spec: FieldSpec, raw: pl.Series, locale: Locale, frame: pl.DataFrame,
           column: str | None) -> Parsed:
    """Parse a column by the field's rules; the same column of the same rows parsed the
    same way (two journal entries reading one amount) is parsed once."""
    key = None
    if column is not None:
        lookup = None if spec.lookup is None else (
            tuple(sorted(spec.lookup.table.items())), spec.lookup.ignore_case,
            spec.lookup.fallback)
        key = (id(frame), column, spec.kind, locale, lookup, spec.round)
        if key in ctx.parsed:
            return ctx.parsed[key][0]
    if spec.kind == "text" and spec.lookup is None:
        parsed = Parsed(raw, {})  # text is taken as it is
    elif (spec.kind == "decimal" and spec.lookup is None and spec.round is None
            and locale.decimal_mark is not None):
        texts = decimal_texts(raw, locale.decimal_mark, locale.thousands_separator)
        invalid = raw.filter(texts.is_null() & raw.is_not_null()).unique()
        failures = over_unique(invalid, lambda text: final_text(spec, text, locale)).failures
        parsed = Parsed(texts, failures)
    else:
        parsed = over_unique(raw, lambda text: final_text(spec, text, locale))
    if key is not None:
        ctx.parsed[key] = (parsed, frame)
    return parsed


def _parsed_values(ctx: Context, spec: FieldSpec, frame: pl.DataFrame, raw: pl.Series,
                   parsed: Parsed, column: str | None, name: str, header: bool) -> Values:
    problems = _failures(ctx, spec, column, frame, raw, parsed.failures, name, header)
    failed = raw.is_in(list(parsed.failures)).fill_null(False) if parsed.failures else None
    return Values(raw, parsed.series, failed, problems)


def _failures(ctx: Context, spec: FieldSpec, column: str | None, frame: pl.DataFrame,
              raw: pl.Series, failures: dict[str, BadValue], name: str,
              header: bool) -> list[Problem]:
    """The values that failed to parse, one problem per value with its rows."""
    if not failures:
        return []
    rows = frame.select(ROW, KEY).with_columns(raw.alias(RAW))
    bad = rows.filter(pl.col(RAW).is_in(list(failures)))
    hints = _date_hints(spec, bad[RAW].unique(maintain_order=True), failures)
    problems = []
    for (value,), group in bad.group_by(RAW, maintain_order=True):
        assert isinstance(value, str)
        exc = failures[value]
        problems.append(Problem(exc.cause, field_where(ctx, column, group, name, header),
                                value=value, hint=hints.get(exc.cause, exc.hint)))
    return problems


def _date_hints(spec: FieldSpec, values: pl.Series,
                failures: dict[str, BadValue]) -> dict[str, str]:
    """For values that are not dates in the formats given: the date_format that reads
    them all, judged over the whole column (one value could fit formats that others
    rule out)."""
    if spec.kind != "date" or spec.lookup is not None:
        return {}
    texts = [v for v in values.to_list() if failures[v].kind in ("date", "date_format")]
    hint = date_format_hint(texts, spec.locale.date_formats) if texts else None
    return {failures[texts[0]].cause: hint} if hint else {}


# --- modifiers ----------------------------------------------------------------------------


def signed(ctx: Context, spec: FieldSpec, frame: pl.DataFrame, values: Values, name: str,
           header: bool) -> Values:
    """Amounts made negative where the sign column says so; a row whose sign column holds
    neither word is an error."""
    sign = spec.sign
    if sign is None:
        return values
    series, failed = values.series, values.failed
    known, out = _signed(ctx, frame, series, sign)
    unknown = ~known & series.is_not_null()
    problems = list(values.problems)
    if unknown.any():
        listed = ", ".join(sign.positive + sign.negative)
        problems += flagged(ctx, sign.column, frame, unknown, name, header,
                            tr("not one of the sign values ({values})", values=listed),
                            tr("add the value under sign: positive: or negative:"),
                            frame[sign.column])
        failed = unknown if failed is None else (failed | unknown)
    return Values(values.raw, out, failed, problems)


def _signed(ctx: Context, frame: pl.DataFrame, series: pl.Series,
            sign: Sign) -> tuple[pl.Series, pl.Series]:
    """Which rows' sign words are known, and the amounts signed (null where the word is not
    known); worked out once for the same amounts and sign (Context.signed)."""
    key = (id(frame), id(series), sign)
    if key in ctx.signed:
        return ctx.signed[key][:2]
    words = frame[sign.column]
    if sign.ignore_case:
        words = words.str.to_lowercase()
    negative = words.is_in(list(sign.negative)).fill_null(False)
    known = negative | words.is_in(list(sign.positive)).fill_null(False)
    flipped = negate_texts(series)
    out = pl.select(pl.when(negative).then(flipped).when(known).then(series)
                    .otherwise(None)).to_series()
    ctx.signed[key] = (known, out, frame, series)
    return known, out


def negated(spec: FieldSpec, values: Values) -> Values:
    if not spec.negate:
        return values
    return replace(values, series=negate_texts(values.series))


def defaulted(spec: FieldSpec, values: Values) -> Values:
    """The default where the source is empty (not where its value failed)."""
    if spec.default is None or values.raw is None:
        return values
    filled = pl.select(
        pl.when(values.raw.is_null()).then(pl.lit(spec.default)).otherwise(values.series)
    ).to_series()
    return replace(values, series=filled)
