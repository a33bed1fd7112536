"""Helpers the target modules share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from yukimap import nouns
from yukimap.errors import Problem, Where
from yukimap.frames import DOC, ITEM, KEY, ROW, VALUE, Mapped
from yukimap.i18n import N_, tr
from yukimap.model import Mapping
from yukimap.money import exact_money
from yukimap.summary import RoundedKind, Roundings, Span, net_change

Rules = Callable[[Mapped, Mapping, str], list[Problem]]  # (mapped, mapping, file) -> problems

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
    bad = frame.select(ROW).with_columns(values.alias(VALUE)).filter(wrong)
    return [
        Problem(tr("not a plain GL account code"),
                Where(file=file, rows=tuple(group[ROW].to_list()), key=key), value=str(value),
                hint=tr("only the account number, e.g. 8000 (not '8000 Omzet'); translate names"
                        " with map:"))
        for (value,), group in bad.group_by(VALUE, maintain_order=True)
    ]


def rows_by_value(frame: pl.DataFrame, name: str) -> dict[str, tuple[int, ...]]:
    """Each distinct non-empty value of a mapped column, with the rows that have it."""
    values = column(frame, name)
    used = frame.select(ROW).with_columns(values.alias(VALUE)).filter(
        pl.col(VALUE).is_not_null() & (pl.col(VALUE) != ""))
    return {str(value): tuple(group[ROW].to_list())
            for (value,), group in used.group_by(VALUE, maintain_order=True)}


# --- what round: changes in the amounts booked -------------------------------------------

EXACT = " (exact)"  # suffix of a rounded field's exact value beside it


@dataclass(frozen=True)
class Change:
    """An amount booked (an item's, or the sum of a document's changed items) that round:
    changed: `before` from the file's exact values, `after` as it is sent."""

    key: str
    rows: tuple[int, ...]
    before: Decimal
    after: Decimal

    @property
    def difference(self) -> Decimal:
        return self.after - self.before


Column = Callable[[str], "list[Decimal | None]"]  # a field's values, as sent or exact
Measure = Callable[[Column], "list[Decimal | None]"]  # the amount booked per item


def rounded_fields(mapped: Mapped, names: tuple[str, ...]) -> list[str]:
    """The fields among `names` that have round:."""
    return [c for c in mapped.exact.columns if c in names]


def rounded_items(mapped: Mapped, names: tuple[str, ...]) -> pl.DataFrame:
    """The items in which round: changed one of the fields `names`: those fields as sent and
    the rounded ones' exact values beside them (NAME + EXACT), and nothing else."""
    fields = rounded_fields(mapped, names)
    if not fields or not mapped.items.height:
        return pl.DataFrame()
    keys = [DOC, ROW, ITEM]
    given = [n for n in names if n in mapped.items.columns]
    joined = mapped.items.select(*keys, *given).join(
        mapped.exact.select(*keys, *fields), on=keys, how="inner", suffix=EXACT)
    differs = pl.any_horizontal([(pl.col(f) != pl.col(f + EXACT)).fill_null(False)
                                 for f in fields])
    return joined.filter(differs)


def changes(mapped: Mapped, measure: Measure, names: tuple[str, ...],
            per_document: bool) -> list[Change]:
    """Every amount booked that round: changes, per document or per item, in file order;
    `measure` computes the amount from the fields `names`."""
    items = rounded_items(mapped, names)
    if not items.height:
        return []
    before, after = measure(_values(items, EXACT)), measure(_values(items, ""))
    keys = dict(zip(mapped.documents[DOC].to_list(), mapped.documents[KEY].to_list()))
    found: dict[object, tuple[int, list[int], list[Decimal], list[Decimal]]] = {}
    for doc, row, item, was, now in zip(items[DOC].to_list(), items[ROW].to_list(),
                                         items[ITEM].to_list(), before, after):
        if was is None or now is None or was == now:
            continue
        at = doc if per_document else (doc, row, item)
        rows, befores, afters = found.setdefault(at, (doc, [], [], []))[1:]
        rows.append(row)
        befores.append(was)
        afters.append(now)
    return [Change(str(keys.get(doc)), tuple(rows), sum(befores, Decimal(0)),
                   sum(afters, Decimal(0))) for doc, rows, befores, afters in found.values()]


def _values(items: pl.DataFrame, suffix: str) -> Column:
    """The fields of `items` as Decimals: as sent (suffix ""), or exact (EXACT) where round:
    changed them. Each distinct text is read once."""
    def values(name: str) -> list[Decimal | None]:
        key = name + suffix if name + suffix in items.columns else name
        if key not in items.columns:
            return [None] * items.height
        read = {t: Decimal(t) for t in items[key].drop_nulls().unique().to_list() if t != ""}
        return [read.get(t) for t in items[key].to_list()]

    return values


@dataclass(frozen=True)
class Rounded:
    """An amount Yuki books that round: on some fields can change, and how to say so (texts
    are templates, marked with N_ and translated when they are used)."""

    measure: Measure
    fields: tuple[str, ...]  # the item fields it is computed from
    cause: str
    what: str  # "line amounts", "amounts": for the summary
    fix: str

    def problems(self, mapped: Mapped, file: str, section: str, document: str,
                 per_document: bool) -> list[Problem]:
        """One warning per changed amount, all under one cause, the file's total in the fix."""
        found = changes(mapped, self.measure, self.fields, per_document)
        if not found:
            return []
        subject = ", ".join(f"{section}.{f}" for f in rounded_fields(mapped, self.fields))
        hint = tr("in the whole file {change};\n{fix}", change=net_change(*_sides(found)),
                  fix=tr(self.fix))
        return [Problem(tr(self.cause), Where(file=file, rows=c.rows, key=subject,
                                              document=nouns.label(document, c.key)),
                        value=tr("{after} instead of {before} ({difference})",
                                 after=exact_money(c.after), before=exact_money(c.before),
                                 difference=exact_money(c.difference, signed=True)),
                        hint=hint, severity="warning")
                for c in found]

    def figure(self, mapped: Mapped, per_document: bool,
               counted: tuple[str, str]) -> RoundedKind | None:
        """The file's total change, for the summary: '-24.985 in the line amounts of 2
        invoices (see the warning)'; `counted` is what a change is, singular and plural
        (templates)."""
        found = changes(mapped, self.measure, self.fields, per_document)
        if not found:
            return None
        return RoundedKind(*_sides(found), len(found), self.what, counted)


def rounding_figure(summary_figures: dict[str, object],
                    kinds: list[RoundedKind | None]) -> None:
    if any(kinds):
        summary_figures[tr("changed by round:")] = Roundings(tuple(kinds))


def _sides(found: list[Change]) -> tuple[Decimal, Decimal]:
    """The changes up and down, each summed."""
    return (sum((c.difference for c in found if c.difference > 0), Decimal(0)),
            sum((c.difference for c in found if c.difference < 0), Decimal(0)))


def date_range(figures: dict[str, object], label: str, frame: pl.DataFrame, name: str) -> None:
    """The first and last date of a field, for the summary (`label` a template): a
    date_format that reads the file wrongly (%m-%d-%Y for %d-%m-%Y) shows here as dates
    nobody expected."""
    dates = column(frame, name).drop_nulls()
    if dates.len():
        figures[tr(label)] = Span(str(dates.min()), str(dates.max()))


# Journal entries and cash lines book their Amount itself.
AMOUNT_ROUNDED = Rounded(
    lambda column: column("Amount"), ("Amount",),
    N_("round: changes the amounts Yuki books"), N_("amounts"),
    N_("to book the exact amounts, correct them in the export: Yuki books whole cents"))
