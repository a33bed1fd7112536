"""The map stage: a table of text and a checked mapping in, documents and items out.

Pure: no files, no clock, no network. Every value is turned into the final text Yuki gets
(ISO dates, plain decimals, true/false) or left null (the renderer then omits, clears or
nils the element as the field says). Problems are collected for the whole file, never
raised one by one, and each names the file, the spreadsheet row, the column and the value.

Values are parsed once per distinct value (see values.over_unique); expressions and `let`
values, which can depend on several cells, are evaluated row by row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import polars as pl

from yukimap import text as text_policy
from yukimap.errors import DataError, Problem, SourceError, Where
from yukimap.expr import ExprError, compile_regex, numbers_context, shorten
from yukimap.mapping.fixes import too_many_decimals, yaml_text
from yukimap.frames import DOC, ITEM, KEY, POS, RAW, ROW, ROWS, VALUE, Mapped, Table, delimiter_hint
from yukimap.model import (
    Column,
    Condition,
    Constant,
    DebitCredit,
    Expression,
    FieldSpec,
    ItemSpec,
    Mapping,
)
from yukimap.values import (
    BadValue,
    Locale,
    Parsed,
    date_format_hint,
    decimal_mark_evidence,
    decimal_texts,
    over_unique,
    parse_boolean,
    parse_date,
    parse_decimal,
    parse_integer,
    round_texts,
    to_xml_text,
    trim_decimals,
)


def map_table(table: Table, mapping: Mapping) -> Mapped:
    """Map every row; raise DataError only when the mapping cannot apply to this file."""
    _check_columns(table, mapping)
    _require_rows(table)
    run = _Run(table, mapping)
    frame = table.frame.with_row_index(POS)
    frame = run.skip(frame)
    frame = run.assign_documents(frame)
    frame = run.skip_documents(frame)
    documents = run.documents(frame)
    items = run.items(frame)
    run.check_documents_have_items(documents, items)
    return Mapped(documents, items, [*table.problems, *run.problems], run.skipped,
                  table.frame.height, run.skipped_documents, run.notes, run.exact_values())


# --- columns ----------------------------------------------------------------------------


def _require_rows(table: Table) -> None:
    """A file of column names alone is an error, not an empty conversion (the map stage
    asks, once it knows the names are the ones the mapping reads)."""
    if table.frame.height == 0:
        where = table.file if table.sheet is None else f"sheet {table.sheet!r} of {table.file}"
        raise SourceError(
            f"{where} has column names (row {table.header_row}) but no rows of data below them",
            hint="export the file again with its rows; or check header_row: and skip_last:"
            " under source:")




def _check_columns(table: Table, mapping: Mapping) -> None:
    missing = sorted(mapping.columns - set(table.columns))
    repeated = sorted(mapping.columns & set(table.repeated))
    if not missing and not repeated:
        return
    in_expressions = {c for e in _expressions(mapping) for c in e.columns}
    found = table.find_columns(missing) if missing and table.find_columns else {}
    problems = [
        Problem(
            f"column '{name}' is not in {table.file}",
            _first_use(mapping, name),
            hint=_columns_hint(name, table, name in in_expressions, found.get(name)),
        )
        for name in missing
    ]
    problems += [
        Problem(
            f"column '{name}' is in {table.file} more than once: columns"
            f" {_and(table.repeated[name])}",
            _first_use(mapping, name),
            hint="rename one of them in the file, or choose one: " + ", ".join(
                f'column: "{choice}" {"reads " if i == 0 else ""}column {table.letters[choice]}'
                for i, choice in enumerate(_namesakes(table, name))),
        )
        for name in repeated
    ]
    s = "s" if len(missing or repeated) > 1 else ""
    raise DataError(
        f"{_described(table)} does not have the column{s} the mapping reads:"
        f" {', '.join(missing)}" if missing else
        f"{table.file} has the column{s} the mapping reads more than once: {', '.join(repeated)}",
        problems=problems,
    )


def _described(table: Table) -> str:
    """The file, and for a workbook the sheet and the row its column names were read from."""
    if table.sheet is None:
        return table.file
    return f"{table.file} (sheet {table.sheet!r}, column names from row {table.header_row})"


def _namesakes(table: Table, name: str) -> list[str]:
    """The columns the header names `name`, as yukimap names them ("Name", "Name (C)")."""
    letters = table.repeated[name]
    return sorted((c for c in table.columns if table.letters[c] in letters),
                  key=lambda c: letters.index(table.letters[c]))


def _and(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


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
    more = f" (+{len(columns) - 12} more)" if len(columns) > 12 else ""
    hint = f"the file's columns, nearest first: {shown}{more}"
    if in_expression:
        hint += (f"; in an expression, a column whose name has spaces or signs is"
                 f" col('{near[0] if near else name}')")
    return hint


def _found_hint(name: str, table: Table, sheet: str | None, row: int) -> str:
    """Set header_row (and sheet) to where the name is."""
    if sheet is None:
        return f"'{name}' is in row {row}: set header_row: {row} under source:"
    if sheet == table.sheet:
        return f"'{name}' is in row {row} of sheet {sheet!r}: set header_row: {row} under source:"
    row_too = f" and header_row: {row}" if row != 1 else ""
    return (f"'{name}' is in row {row} of sheet {sheet!r}: set sheet: \"{sheet}\"{row_too}"
            " under source:")


def _expressions(mapping: Mapping) -> list[Any]:
    found = [s.source.expr for s in mapping.all_fields() if isinstance(s.source, Expression)]
    found += [c.expr for c in mapping.all_conditions() if c.expr is not None]
    if mapping.group and mapping.group.expr is not None:
        found.append(mapping.group.expr)
    return found


def _first_use(mapping: Mapping, column: str) -> Where:
    for spec in mapping.all_fields():
        if column in spec.columns:
            return spec.where
    for cond in mapping.all_conditions():
        if cond.column == column or (cond.expr is not None and column in cond.expr.columns):
            return cond.where
    return mapping.group.where if mapping.group else Where(file=str(mapping.path))


# --- one run ----------------------------------------------------------------------------


class _Run:
    def __init__(self, table: Table, mapping: Mapping) -> None:
        self.table = table
        self.mapping = mapping
        self.target = mapping.target
        self.problems: list[Problem] = []
        self.skipped: dict[str, int] = {}
        self.skipped_documents: dict[str, int] = {}
        self.parsed: dict[tuple[Any, ...], tuple[Parsed, pl.DataFrame]] = {}
        self.notes: list[str] = []
        self.exact: list[pl.DataFrame] = []  # per item kind: values before round:
        self.locale = self._file_locale()
        self.env = _RowEnv(table, mapping, self.locale)

    # locale ---------------------------------------------------------------------------

    def _file_locale(self) -> Locale:
        """The source locale, with the decimal mark settled from the whole file if unset."""
        locale = self.mapping.source.locale
        if locale.decimal_mark is not None:
            return locale
        columns = sorted({
            s.column for s in self.mapping.all_fields()
            if s.kind == "decimal" and s.column and s.lookup is None
            and s.locale.decimal_mark is None
        })
        texts = pl.concat(
            [self.table.frame[c].drop_nulls().unique() for c in columns] or [pl.Series([], dtype=pl.String)]
        ).unique().to_list()
        mark, _ambiguous = decimal_mark_evidence(texts)
        if mark is None:
            return locale
        self.notes.append(f"decimal mark '{mark}' (read from the values in {', '.join(columns)})")
        return replace(locale, decimal_mark=mark, thousands_separator="," if mark == "." else ".")

    def field_locale(self, spec: FieldSpec) -> Locale:
        if spec.locale.decimal_mark is None and self.locale.decimal_mark is not None:
            return replace(spec.locale, decimal_mark=self.locale.decimal_mark,
                           thousands_separator=self.locale.thousands_separator)
        return spec.locale

    # skipping -------------------------------------------------------------------------

    def skip(self, frame: pl.DataFrame) -> pl.DataFrame:
        if not self.mapping.skip:
            return frame
        drop = pl.Series([False] * frame.height)
        for cond in self.mapping.skip:
            hit = self.condition(cond, frame) & ~drop
            count = int(hit.sum())
            if count:
                self.skipped[cond.describe()] = count
            drop = drop | hit
        return frame.filter(~drop)

    def skip_documents(self, frame: pl.DataFrame) -> pl.DataFrame:
        if not self.mapping.skip_documents:
            return frame
        firsts = frame.group_by(DOC, maintain_order=True).first()
        drop = pl.Series([False] * firsts.height)
        for cond in self.mapping.skip_documents:
            hit = self.condition(cond, firsts) & ~drop
            if hit.any():
                self.skipped_documents[cond.describe()] = int(hit.sum())
            drop = drop | hit
        return frame.filter(~pl.col(DOC).is_in(firsts.filter(drop)[DOC].to_list()))

    def condition(self, cond: Condition, frame: pl.DataFrame) -> pl.Series:
        if cond.op == "expr":
            return pl.Series([_truthy(v) for v in self.evaluate(cond.expr, frame, cond.where)],
                             dtype=pl.Boolean)
        return _column_test(cond, frame[cond.column]).fill_null(False)  # type: ignore[index]

    # documents ------------------------------------------------------------------------

    def assign_documents(self, frame: pl.DataFrame) -> pl.DataFrame:
        group = self.mapping.group
        if group is None and self.target.without_group_by == "file":
            return frame.with_columns(pl.lit(0, dtype=pl.Int64).alias(DOC),
                                      pl.lit(Path(self.table.file).name).alias(KEY))
        if group is None:
            return frame.with_columns(pl.int_range(pl.len()).alias(DOC),
                                      pl.col(ROW).cast(pl.String).alias(KEY))
        if group.expr is not None:
            values = self.evaluate(group.expr, frame, group.where)
            key = pl.Series([None if v in (None, "") else to_xml_text(v) for v in values],
                            dtype=pl.String).to_frame(KEY).to_series()
            frame = frame.with_columns(key.alias(KEY))
        else:
            frame = frame.with_columns(pl.col(group.column).alias(KEY))
        if group.fill_down:
            frame = frame.with_columns(pl.col(KEY).forward_fill())
        empty = frame.filter(pl.col(KEY).is_null())
        if empty.height:
            what = f"the column '{group.column}'" if group.column else "the group_by expression"
            self.problems.append(Problem(
                f"no value in {what} that makes the {self.target.title}",
                self._where(empty[ROW].to_list(), group.column), hint=self._empty_key_hint(empty),
            ))
            frame = frame.filter(pl.col(KEY).is_not_null())
        keys = frame[KEY].unique(maintain_order=True)
        index = dict(zip(keys.to_list(), range(len(keys))))
        return frame.with_columns(
            pl.col(KEY).replace_strict(index, return_dtype=pl.Int64).alias(DOC)
        )

    def _empty_key_hint(self, empty: pl.DataFrame) -> str:
        """Rows without a key are most often totals or a footer: leaving them out comes
        first, since fill_down would add them to the document above (a total booked twice)."""
        fill = "only if such rows continue the document above, add fill_down: true to group_by"
        total = _totals_cell(empty, self.table.columns)
        if total is not None:
            rows = "a totals row" if empty.height == 1 else "totals rows"
            return (f"it looks like {rows}: leave {'it' if empty.height == 1 else 'them'} out"
                    f" with skip_rows: {{column: {yaml_text(total[0])}, starts_with:"
                    f" {yaml_text(total[1])}}}; {fill}")
        last = self.table.frame.height
        if sorted(empty[POS].to_list()) == list(range(last - empty.height, last)):
            n = empty.height
            these, they, them = ("these are", "they are", "them") if n > 1 else \
                ("this is", "it is", "it")
            rows = f"last {n} rows" if n > 1 else "last row"
            return (f"{these} the file's {rows}: if {they} totals or a footer, leave {them} out"
                    f" with skip_last: {n} under source:; {fill}")
        return ("fill in the key on every row; leave rows that are not data (totals, notes) out"
                f" with skip_rows:; {fill}")

    def documents(self, frame: pl.DataFrame) -> pl.DataFrame:
        firsts = frame.group_by(DOC, maintain_order=True).agg(
            pl.all().exclude(ROW).first(), pl.col(ROW).alias(ROWS)
        )
        firsts = firsts.with_columns(pl.col(ROWS).list.first().alias(ROW))
        self._check_conflicts(frame, firsts)
        values = [self.field_series(spec, firsts, header=True) for spec in self.mapping.header]
        return firsts.select(DOC, KEY, ROWS, *values)

    def _check_conflicts(self, frame: pl.DataFrame, firsts: pl.DataFrame) -> None:
        group = self.mapping.group
        if group is None or group.on_conflict == "first":
            return
        columns = sorted({c for s in self.mapping.header for c in s.columns} - {group.column}
                         - (group.expr.columns if group.expr is not None else frozenset()))
        if not columns:
            return
        counts = frame.group_by(DOC).agg(pl.col(c).drop_nulls().n_unique() for c in columns)
        for column in columns:
            bad = counts.filter(pl.col(column) > 1)[DOC].to_list()
            for doc in bad[:50]:
                self._conflict(frame.filter(pl.col(DOC) == doc), column)

    def _conflict(self, rows: pl.DataFrame, column: str) -> None:
        values = rows[column].drop_nulls().unique(maintain_order=True).to_list()
        self.problems.append(Problem(
            f"rows of one {self.target.document} disagree on the column '{column}'",
            replace(self._where(rows[ROW].to_list(), column),
                    document=f"{self.target.document} {rows[KEY][0]}"),
            value=" / ".join(values[:4]),
            hint="the first row's value would be used; fix the export, or add"
                 " on_conflict: first to group_by",
        ))

    # items ----------------------------------------------------------------------------

    def items(self, frame: pl.DataFrame) -> pl.DataFrame:
        parts = []
        for index, item in enumerate(self.mapping.items):
            rows = self._item_rows(item, frame)
            values, exact = [], []
            for spec in item.fields:
                final, before = self.field_values(spec, rows, header=False)
                values.append(final)
                if before is not None:
                    exact.append(before.alias(spec.name))
            parts.append(rows.select(DOC, ROW, pl.lit(index).alias(ITEM), *values))
            if exact:
                self.exact.append(rows.select(DOC, ROW, pl.lit(index).alias(ITEM), *exact))
        items = pl.concat(parts, how="diagonal") if parts else pl.DataFrame()
        return items.sort(DOC, ROW, ITEM, maintain_order=True) if items.height else items

    def exact_values(self) -> pl.DataFrame:
        if not self.exact:
            return pl.DataFrame()
        return pl.concat(self.exact, how="diagonal").sort(DOC, ROW, ITEM, maintain_order=True)

    def _item_rows(self, item: ItemSpec, frame: pl.DataFrame) -> pl.DataFrame:
        if not item.when:
            return frame
        keep = pl.Series([True] * frame.height)
        for cond in item.when:
            keep = keep & self.condition(cond, frame)
        return frame.filter(keep)

    def check_documents_have_items(self, documents: pl.DataFrame, items: pl.DataFrame) -> None:
        with_items = set(items[DOC].unique().to_list()) if items.height else set()
        empty = documents.filter(~pl.col(DOC).is_in(list(with_items)))
        for key, rows in zip(empty[KEY].to_list(), empty[ROWS].to_list()):
            self.problems.append(Problem(
                f"a {self.target.document} without {self.target.item_key}",
                replace(self._where(rows, None), document=f"{self.target.document} {key}"),
                hint=f"check the when: conditions under {self.target.item_key}:",
            ))

    # fields ---------------------------------------------------------------------------

    def field_series(self, spec: FieldSpec, frame: pl.DataFrame, header: bool) -> pl.Series:
        return self.field_values(spec, frame, header)[0]

    def field_values(self, spec: FieldSpec, frame: pl.DataFrame,
                     header: bool) -> tuple[pl.Series, pl.Series | None]:
        """The field's final texts; for a field with round:, also its exact texts, so that
        the targets can show what rounding changes in the amounts booked."""
        locale = self.field_locale(spec)
        name = _section_name(self.target, spec, header)
        places = spec.round if spec.kind == "decimal" else None
        exact_spec = replace(spec, round=None)  # rounded below, once, whatever the source
        if isinstance(spec.source, Expression):
            raw, failed = self._expr_series(exact_spec, frame, locale, name)
            series = raw
        elif isinstance(spec.source, DebitCredit):
            raw, series, failed = self._debit_credit(exact_spec, frame, locale, name, header)
        else:
            raw, series, failed = self._parsed(exact_spec, frame, locale, name, header,
                                               spec.column)
        if spec.sign is not None:
            series, failed = self._apply_sign(spec, frame, series, failed, name, header)
        if spec.negate:
            series = negate_texts(series)
        series = self._fill_default(spec, series, raw)
        exact = None
        if places is not None:
            exact, series = series, round_texts(series, places)
        series = self._check_final(spec, frame, series, name, header, failed)
        return series.alias(spec.name), exact

    def _parsed(self, spec: FieldSpec, frame: pl.DataFrame, locale: Locale, name: str,
                header: bool, column: str | None) -> tuple[Any, pl.Series, pl.Series | None]:
        """(raw, parsed, failed): a column (or constant) through the value pipeline."""
        raw = frame[column] if column is not None else self._raw(spec, frame, locale)
        if raw is None:  # a constant needing no parsing
            assert isinstance(spec.source, Constant)
            return None, pl.repeat(spec.source.text, frame.height, dtype=pl.String,
                                   eager=True), None
        parsed = self._parse(spec, raw, locale, column, frame)
        where_spec = replace(spec, source=Column(column)) if column is not None else spec
        self._report_failures(where_spec, frame, raw, parsed.failures, name, header)
        failed = raw.is_in(list(parsed.failures)) if parsed.failures else None
        return raw, parsed.series, failed

    def _parse(self, spec: FieldSpec, raw: pl.Series, locale: Locale,
               column: str | None, frame: pl.DataFrame) -> Parsed:
        """Parse a column by the field's rules; the same column of the same rows parsed the
        same way (two journal entries reading one amount) is parsed once."""
        key = None
        if column is not None:
            lookup = None if spec.lookup is None else (
                tuple(sorted(spec.lookup.table.items())), spec.lookup.ignore_case,
                spec.lookup.fallback)
            key = (id(frame), column, spec.kind, locale, lookup, spec.round)
            if key in self.parsed:
                return self.parsed[key][0]
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
            self.parsed[key] = (parsed, frame)  # the frame stays alive, so its id stays its own
        return parsed

    def _debit_credit(self, spec: FieldSpec, frame: pl.DataFrame, locale: Locale, name: str,
                      header: bool) -> tuple[pl.Series, pl.Series, pl.Series | None]:
        """amount = debit - credit; a row with both filled (and not zero) is an error."""
        source = spec.source
        assert isinstance(source, DebitCredit)
        sides = [self._parsed(spec, frame, locale, name, header, column)
                 if column is not None else (None, None, None)
                 for column in (source.debit, source.credit)]
        debit, credit = sides[0][1], sides[1][1]
        pairs = [_debit_minus_credit(d, c) for d, c in
                 zip(_values(debit, frame.height), _values(credit, frame.height))]
        amounts = [amount for amount, _ in pairs]
        both = [clash for _, clash in pairs]
        mask = pl.Series(both, dtype=pl.Boolean)
        failed = _any_failed(_any_failed(sides[0][2], sides[1][2]), mask)  # not also "empty"
        if mask.any():
            self._flag(replace(spec, source=Column(source.debit or "")), frame, mask, name, header,
                       f"both the debit column '{source.debit}' and the credit column"
                       f" '{source.credit}' are filled", "leave one of them empty (or 0)")
        raw = pl.Series(amounts, dtype=pl.String)
        return raw, raw, failed

    def _apply_sign(self, spec: FieldSpec, frame: pl.DataFrame, series: pl.Series,
                    failed: pl.Series | None, name: str,
                    header: bool) -> tuple[pl.Series, pl.Series | None]:
        sign = spec.sign
        assert sign is not None
        words = frame[sign.column]
        if sign.ignore_case:
            words = words.str.to_lowercase()
        negative = words.is_in(list(sign.negative)).fill_null(False)
        known = negative | words.is_in(list(sign.positive)).fill_null(False)
        unknown = ~known & series.is_not_null()
        if unknown.any():
            listed = ", ".join(sign.positive + sign.negative)
            self._flag(replace(spec, source=Column(sign.column)), frame, unknown, name, header,
                       f"not one of the sign values ({listed})",
                       "add the value under sign: positive: or negative:",
                       frame[sign.column])
            failed = unknown if failed is None else (failed | unknown)
        flipped = negate_texts(series)
        out = pl.select(pl.when(negative).then(flipped).when(known).then(series)
                        .otherwise(None)).to_series()
        return out, failed

    def _raw(self, spec: FieldSpec, frame: pl.DataFrame, locale: Locale) -> pl.Series | None:
        if isinstance(spec.source, Column):
            return frame[spec.source.name]
        if isinstance(spec.source, Constant) and spec.lookup is not None:
            return pl.repeat(spec.source.text, frame.height, dtype=pl.String, eager=True)
        if not isinstance(spec.source, Constant):
            return pl.Series([None] * frame.height, dtype=pl.String)
        return None

    def _expr_series(self, spec: FieldSpec, frame: pl.DataFrame, locale: Locale,
                     name: str) -> tuple[pl.Series, pl.Series]:
        """Evaluate an expression field row by row; its results are final, never re-parsed."""
        assert isinstance(spec.source, Expression)
        expr = spec.source.expr
        results, failed = self.evaluate_marked(expr, frame, spec.where, name)
        texts: list[str | None] = []
        failures: dict[tuple[str, str | None, str], list[int]] = {}
        with numbers_context():  # rounding a result as the field says needs its digits
            for index, (row, value) in enumerate(zip(frame[ROW].to_list(), results)):
                try:
                    texts.append(expr_final_text(spec, value, locale))
                except BadValue as exc:
                    failures.setdefault((exc.cause, exc.hint, str(value)), []).append(row)
                    texts.append(None)
                    failed[index] = True
        for (cause, hint, value), rows in failures.items():
            self.problems.append(Problem(
                f"expression {shorten(expr.source)!r}: its result is {cause}",
                replace(spec.where, rows=tuple(rows), key=name), value=value, hint=hint))
        return pl.Series(texts, dtype=pl.String), pl.Series(failed, dtype=pl.Boolean)

    def _fill_default(self, spec: FieldSpec, series: pl.Series, raw: pl.Series | None) -> pl.Series:
        if spec.default is None or raw is None:
            return series
        return pl.select(
            pl.when(raw.is_null()).then(pl.lit(spec.default)).otherwise(series)
        ).to_series()

    def _report_failures(self, spec: FieldSpec, frame: pl.DataFrame, raw: pl.Series,
                         failures: dict[str, BadValue], name: str, header: bool) -> None:
        if not failures:
            return
        rows = frame.select(ROW, KEY).with_columns(raw.alias(RAW))
        bad = rows.filter(pl.col(RAW).is_in(list(failures)))
        hints = self._date_hints(spec, bad[RAW].unique(maintain_order=True), failures)
        for (value,), group in bad.group_by(RAW, maintain_order=True):
            exc = failures[value]  # type: ignore[index]
            self.problems.append(Problem(
                exc.cause, self._field_where(spec, group, name, header), value=value,
                hint=hints.get(exc.cause, exc.hint),
            ))

    def _date_hints(self, spec: FieldSpec, values: pl.Series,
                    failures: dict[str, BadValue]) -> dict[str, str]:
        """For values that are not dates in the formats given: the date_format that reads
        them all, judged over the whole column (one value could fit formats that others
        rule out)."""
        if spec.kind != "date" or spec.lookup is not None:
            return {}
        texts = [v for v in values.to_list() if failures[v].cause.startswith("not a date in")]
        hint = date_format_hint(texts, spec.locale.date_formats) if texts else None
        return {failures[texts[0]].cause: hint} if hint else {}

    def _check_final(self, spec: FieldSpec, frame: pl.DataFrame, series: pl.Series,
                     name: str, header: bool, failed: pl.Series | None) -> pl.Series:
        element = spec.element
        if spec.required or (element is not None and element.required):
            empty = series.is_null() if failed is None else series.is_null() & ~failed
            self._flag(spec, frame, empty, name, header, "is empty",
                       "fill in the cell, or add default: VALUE to the field for empty cells")
        self._refuse_forbidden(spec, frame, series, name, header)
        if element is None:
            return series
        if element.decimals is not None:
            series = trim_decimals(series, element.decimals)
            too_many = series.str.contains(rf"\.\d{{{element.decimals + 1},}}$").fill_null(False)
            if too_many.any():
                self._flag(spec, frame, too_many, name, header,
                           f"has more than {element.decimals} decimals, which Yuki refuses in"
                           f" {element.name}", self._decimals_hint(spec, series.filter(too_many)),
                           series)
        if element.max_length is not None:
            series = self._check_length(spec, frame, series, name, header)
        if element.choices:
            self._check_choices(spec, frame, series, name, header)
        return series

    def _decimals_hint(self, spec: FieldSpec, values: pl.Series) -> str:
        item = next((i for i in self.mapping.items if spec in i.fields), None)
        lets = frozenset(s.path[1] for s in self.mapping.lets)
        return too_many_decimals(spec, item, values.unique().to_list(),
                                 self.mapping.source.locale, lets)

    def _check_length(self, spec: FieldSpec, frame: pl.DataFrame, series: pl.Series,
                      name: str, header: bool) -> pl.Series:
        element = spec.element
        assert element is not None and element.max_length is not None
        limit = element.max_length
        long = (series.str.len_chars() > limit).fill_null(False)
        if not long.any():
            return series
        if spec.truncate:
            self._flag(spec, frame, long, name, header, f"longer than {limit} characters;"
                       " cut as the mapping says (truncate: true)", None, series, "warning")
            return series.str.slice(0, limit)
        if element.truncates:
            self._flag(spec, frame, long, name, header,
                       f"longer than {limit} characters; Yuki will silently cut it",
                       "shorten it, or add truncate: true to cut it here", series, "warning")
            return series
        self._flag(spec, frame, long, name, header, f"longer than {limit} characters",
                   "shorten it, or add truncate: true to the field", series)
        return series

    def _check_choices(self, spec: FieldSpec, frame: pl.DataFrame, series: pl.Series,
                       name: str, header: bool) -> None:
        element = spec.element
        assert element is not None
        other = (~series.is_in(list(element.choices)) & series.is_not_null()
                 & (series != "")).fill_null(False)
        if not other.any():
            return
        listed = ", ".join(element.choices)
        if element.strict_choices:
            self._flag(spec, frame, other, name, header, f"not one of {listed}",
                       "translate the export's values with map:", series)
        else:
            self._flag(spec, frame, other, name, header,
                       f"not one of Yuki's standard values ({listed})",
                       "fine if it is a custom value set up in Yuki; otherwise use map:",
                       series, "warning")

    def _refuse_forbidden(self, spec: FieldSpec, frame: pl.DataFrame, series: pl.Series,
                          name: str, header: bool) -> None:
        """Characters a document cannot carry (text.py): numbers, dates and yes/no values
        are rewritten by parsing, so only text can hold them."""
        if spec.kind != "text":
            return
        bad = text_policy.forbidden_in(series)
        if not bad.any():
            return
        by_char: dict[str, list[str]] = {}
        for value in series.filter(bad).unique(maintain_order=True).to_list():
            by_char.setdefault(text_policy.forbidden(value) or "", []).append(value)
        for char, values in by_char.items():
            self._flag(spec, frame, series.is_in(values).fill_null(False), name, header,
                       text_policy.CAUSE.format(text_policy.shown(char)),
                       text_policy.removal_hint(char, spec.column,
                                                isinstance(spec.source, Expression)),
                       series)

    def _flag(self, spec: FieldSpec, frame: pl.DataFrame, mask: pl.Series, name: str,
              header: bool, cause: str, hint: str | None, values: pl.Series | None = None,
              severity: str = "error") -> None:
        if not mask.any():
            return
        rows = frame.select(ROW, KEY).with_columns(
            (values if values is not None else pl.repeat(None, frame.height, dtype=pl.String,
                                                         eager=True)).alias(VALUE)
        ).filter(mask)
        for (value,), group in rows.group_by(VALUE, maintain_order=True):
            self.problems.append(Problem(
                cause, self._field_where(spec, group, name, header),
                value=value, hint=hint, severity=severity,  # type: ignore[arg-type]
            ))

    def _field_where(self, spec: FieldSpec, rows: pl.DataFrame, name: str, header: bool) -> Where:
        where = self._where(rows[ROW].to_list(), spec.column)
        document = None
        if header and rows.height == 1:
            document = f"{self.target.document} {rows[KEY][0]}"
        return replace(where, key=name, document=document)

    def _where(self, rows: Iterable[int], column: str | None) -> Where:
        letter = self.table.letters.get(column) if column else None
        return Where(file=self.table.file, sheet=self.table.sheet, rows=tuple(rows),
                     column=column, letter=letter)

    # expressions ----------------------------------------------------------------------

    def evaluate(self, expr: Any, frame: pl.DataFrame, where: Where,
                 name: str | None = None) -> list[Any]:
        """An expression's value on each row (None where it failed; see `evaluate_marked`)."""
        return self.evaluate_marked(expr, frame, where, name)[0]

    def evaluate_marked(self, expr: Any, frame: pl.DataFrame, where: Where,
                        name: str | None = None) -> tuple[list[Any], list[bool]]:
        """(values, failed) on each row. Failures are problems grouped by cause, located at
        the expression in the mapping, with their rows and the value that failed."""
        results: list[Any] = []
        failed: list[bool] = []
        failures: dict[tuple[str, str | None, str | None], list[int]] = {}
        with numbers_context():
            for pos, row in zip(frame[POS].to_list(), frame[ROW].to_list()):
                try:
                    results.append(self.env.run(expr, pos))
                    failed.append(False)
                except ExprError as exc:
                    failures.setdefault((exc.cause, exc.hint, exc.value), []).append(row)
                    results.append(None)
                    failed.append(True)
        for (cause, hint, value), bad_rows in failures.items():
            self.problems.append(Problem(
                f"expression {shorten(expr.source)!r}: {cause}",
                replace(where, rows=tuple(bad_rows), key=name or where.key), value, hint))
        return results, failed


_TOTAL = re.compile(r"^\s*((?:sub)?tota(?:a)?l)", re.IGNORECASE)


def _totals_cell(rows: pl.DataFrame, columns: Sequence[str]) -> tuple[str, str] | None:
    """(column, word) of the first cell of these rows that starts with a totals word."""
    for column in columns:
        for value in rows[column].drop_nulls().to_list()[:50]:
            found = _TOTAL.match(value)
            if found:
                return column, found.group(1)
    return None


def _values(series: pl.Series | None, height: int) -> list[str | None]:
    return series.to_list() if series is not None else [None] * height


def _debit_minus_credit(debit: str | None, credit: str | None) -> tuple[str | None, bool]:
    """(debit - credit, whether both sides hold an amount). A zero next to an amount on the
    other side is how many bank exports write an empty side, so it counts as empty."""
    if debit is not None and credit is not None:
        if Decimal(debit) == 0:
            debit = None
        elif Decimal(credit) == 0:
            credit = None
    if debit is None and credit is None:
        return None, False
    if debit is not None and credit is not None:
        return None, True
    return to_xml_text(Decimal(debit or 0) - Decimal(credit or 0)), False


def _any_failed(a: pl.Series | None, b: pl.Series | None) -> pl.Series | None:
    if a is None or b is None:
        return a if b is None else b
    return a | b


def negate_texts(series: pl.Series) -> pl.Series:
    """Flip the sign of canonical decimal texts ('12.50' <-> '-12.50'; zero stays zero)."""
    zero = series.str.contains(r"^-?0(\.0*)?$").fill_null(False)
    flipped = pl.select(
        pl.when(series.str.starts_with("-")).then(series.str.slice(1))
        .otherwise(pl.lit("-") + series)
    ).to_series()
    return pl.select(pl.when(zero).then(series).otherwise(flipped)).to_series()


def _section_name(target: Any, spec: FieldSpec, header: bool) -> str:
    return f"{target.header_key if header else target.item_key}.{spec.name}"


# --- the value pipeline (shared by fields and lets) --------------------------------------

_PARSERS: dict[str, Callable[[str, Locale], Any]] = {
    "decimal": parse_decimal, "integer": parse_integer, "date": parse_date,
    "boolean": parse_boolean,
}


def final_text(spec: FieldSpec, raw: str, locale: Locale) -> str:
    """One raw cell -> the text Yuki gets: through the lookup table, or parsed by type."""
    if spec.lookup is not None:
        key = raw.lower() if spec.lookup.ignore_case else raw
        found = spec.lookup.table.get(key)
        if found is not None:
            return found
        if spec.lookup.fallback is not None:
            return spec.lookup.fallback
        known = ", ".join(list(spec.lookup.table)[:10])
        raise BadValue("not in the lookup table (map:)",
                       f"add it to map: (known: {known}), or set fallback: for other values")
    parser = _PARSERS.get(spec.kind)
    if parser is None:
        return raw
    return to_xml_text(parser(raw, locale), spec.round)


def typed_value(spec: FieldSpec, raw: str | None, locale: Locale) -> Any:
    """One raw cell -> a typed value, for `let` values used by expressions."""
    if raw is None:
        raw = spec.default
        if raw is None:
            return None
        locale = Locale(decimal_mark=".")  # defaults are checked in canonical form
    text = final_text(spec, raw, locale) if spec.lookup is not None or spec.kind != "text" else raw
    return _canonical_typed(spec.kind, text)


def _canonical_typed(kind: str, text: str) -> Any:
    if kind == "decimal":
        return Decimal(text)
    if kind == "integer":
        return Decimal(int(text))
    if kind == "date":
        return date.fromisoformat(text)
    if kind == "boolean":
        return text == "true"
    return text


_PYTHON_KIND = {bool: "boolean", Decimal: "decimal", int: "decimal", date: "date"}


def expr_final_text(spec: FieldSpec, value: Any, locale: Locale) -> str | None:
    """An expression's result -> the text Yuki gets. Text results go through the lookup
    table or are parsed like a cell; typed results must fit the field's type."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return final_text(spec, str(value), locale)
    if spec.lookup is not None:
        return final_text(spec, to_xml_text(value), locale)
    kind = _PYTHON_KIND.get(type(value), "text")
    if spec.kind == "text":
        return to_xml_text(value)
    if spec.kind == "integer" and kind == "decimal":
        if value != Decimal(value).to_integral_value():
            raise BadValue("not a whole number", "round it: round(x, 0)")
        return str(int(value))
    if kind != spec.kind:
        raise BadValue(f"{_KIND_WORDS[kind]}, where {_KIND_WORDS[spec.kind]} is needed")
    return to_xml_text(value, spec.round)


_KIND_WORDS = {"decimal": "a number", "integer": "a whole number", "date": "a date",
               "boolean": "a yes/no value", "text": "text"}


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return value not in (None, "") and value != 0


def _column_test(cond: Condition, series: pl.Series) -> pl.Series:
    fold = (lambda s: s.str.to_lowercase()) if cond.ignore_case else (lambda s: s)
    operand = cond.operand
    if cond.ignore_case and isinstance(operand, str):
        operand = operand.lower()
    if cond.ignore_case and isinstance(operand, tuple):
        operand = tuple(o.lower() for o in operand)
    values = fold(series)
    tests: dict[str, Callable[[], pl.Series]] = {
        "equals": lambda: values == operand,
        "not_equals": lambda: (values != operand).fill_null(True),
        "in": lambda: values.is_in(list(operand)),  # type: ignore[arg-type]
        "not_in": lambda: ~values.is_in(list(operand)),  # type: ignore[arg-type]
        "contains": lambda: values.str.contains(str(operand), literal=True),
        "starts_with": lambda: values.str.starts_with(str(operand)),
        "empty": lambda: series.is_null(),
        "not_empty": lambda: series.is_not_null(),
        "matches": lambda: _regex_test(series, str(operand), cond.ignore_case),
    }
    return tests[cond.op]()


def _regex_test(series: pl.Series, pattern: str, ignore_case: bool) -> pl.Series:
    # RE2, as `yukimap check` and regex_replace(): linear time, whatever the pattern.
    compiled = compile_regex(pattern, ignore_case)
    uniques = series.drop_nulls().unique().to_list()
    hits = {u: bool(compiled.search(u)) for u in uniques}
    return series.replace_strict(hits, default=False, return_dtype=pl.Boolean)


# --- the row environment for expressions ------------------------------------------------


class _LetError(ExprError):
    """An expression failed in a `let` value it uses."""


class _RowEnv:
    """Gives expressions the cells of one row, and `let` values computed on demand."""

    def __init__(self, table: Table, mapping: Mapping, locale: Locale) -> None:
        self.locale = locale
        self.lets = {spec.path[1]: spec for spec in mapping.lets}
        wanted = {c for s in mapping.all_fields() if isinstance(s.source, Expression)
                  for c in s.source.columns}
        wanted |= {c for s in mapping.lets for c in s.columns}
        wanted |= {c for cond in mapping.all_conditions() if cond.expr for c in cond.expr.columns}
        self.columns = {c: table.frame[c].to_list() for c in wanted if c in table.frame.columns}
        self.pos = 0
        self.cache: dict[tuple[str, int], Any] = {}

    def run(self, expr: Any, pos: int) -> Any:
        self.pos = pos
        return expr.evaluate(self)

    def cell(self, column: str) -> str | None:
        return self.columns[column][self.pos]

    def let(self, name: str) -> Any:
        key = (name, self.pos)
        if key not in self.cache:
            self.cache[key] = self._compute_let(self.lets[name])
        return self.cache[key]

    def _compute_let(self, spec: FieldSpec) -> Any:
        name = spec.path[1]
        if isinstance(spec.source, Expression):
            try:
                value = spec.source.expr.evaluate(self)
            except _LetError:  # named after the let where it failed, not every let above it
                raise
            except ExprError as exc:
                raise _LetError(f"let {name}: {exc.cause}", exc.hint, exc.value) from None
            return value if spec.round is None or not isinstance(value, Decimal) else \
                _canonical_typed("decimal", to_xml_text(value, spec.round))
        source = spec.source
        raw = self.cell(source.name) if isinstance(source, Column) and source.name else \
            source.text if isinstance(source, Constant) else None
        try:
            if not isinstance(source, Column):  # a constant, already in canonical form at load
                return typed_value(spec, raw, Locale(decimal_mark="."))
            return typed_value(spec, raw, self.locale if spec.locale.decimal_mark is None
                               else spec.locale)
        except BadValue as exc:
            raise _LetError(f"let {name}: {exc.cause}", exc.hint, raw) from None

    def decimal(self, text: str) -> Decimal:
        return parse_decimal(text, self.locale)

    def date(self, text: str, formats: tuple[str, ...]) -> date:
        locale = replace(self.locale, date_formats=formats) if formats else self.locale
        return parse_date(text, locale)
