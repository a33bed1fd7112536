"""One value at a time: a cell through the lookup table or parsed by the field's type, an
expression's result made to fit the field, into the text Yuki gets; and a let's value
typed for the expressions that use it. Shared by the field sources and the row environment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import polars as pl

from yukimap.documents import Kind
from yukimap.i18n import N_, tr
from yukimap.model import FieldSpec, Lookup
from yukimap.values import (
    BadValue,
    Locale,
    parse_boolean,
    parse_date,
    parse_decimal,
    parse_integer,
    to_xml_text,
)

_PARSERS: dict[str, Callable[[str, Locale], object]] = {
    "decimal": parse_decimal, "integer": parse_integer, "date": parse_date,
    "boolean": parse_boolean,
}


def final_text(spec: FieldSpec, raw: str, locale: Locale) -> str:
    """One raw cell -> the text Yuki gets: through the lookup table, or parsed by type."""
    if spec.lookup is not None:
        return looked_up(spec.lookup, raw)
    parser = _PARSERS.get(spec.kind)
    if parser is None:
        return raw
    return to_xml_text(parser(raw, locale), spec.round)


def looked_up(lookup: Lookup, raw: str) -> str:
    """A cell through the lookup table: its value there, else the fallback."""
    found = lookup.table.get(raw.lower() if lookup.ignore_case else raw)
    if found is not None:
        return found
    if lookup.fallback is not None:
        return lookup.fallback
    known = ", ".join(list(lookup.table)[:10])
    raise BadValue(tr("not in the lookup table (map:)"),
                   tr("add it to map: (known: {known}), or set fallback: for other values",
                      known=known))


Typed = str | Decimal | date | bool  # a value as expressions see it


def typed_value(spec: FieldSpec, raw: str | None, locale: Locale) -> Typed | None:
    """One raw cell -> a typed value, for `let` values used by expressions."""
    if raw is None:
        raw = spec.default
        if raw is None:
            return None
        locale = Locale(decimal_mark=".")  # defaults are checked in canonical form
    text = final_text(spec, raw, locale) if spec.lookup is not None or spec.kind != "text" else raw
    return canonical_typed(spec.kind, text)


def canonical_typed(kind: Kind, text: str) -> Typed:
    if kind == "decimal":
        return Decimal(text)
    if kind == "integer":
        return Decimal(int(text))
    if kind == "date":
        return date.fromisoformat(text)
    if kind == "boolean":
        return text == "true"
    return text


_PYTHON_KIND: dict[type, Kind] = {bool: "boolean", Decimal: "decimal", int: "decimal",
                                  date: "date"}
_KIND_WORDS = {"decimal": N_("a number"), "integer": N_("a whole number"), "date": N_("a date"),
               "boolean": N_("a yes/no value"), "text": N_("text")}


def expr_final_text(spec: FieldSpec, value: object, locale: Locale) -> str | None:
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
        assert isinstance(value, (Decimal, int))
        if value != Decimal(value).to_integral_value():
            raise BadValue(tr("not a whole number"), tr("round it: round(x, 0)"))
        return str(int(value))
    if kind != spec.kind:
        raise BadValue(tr("{given}, where {needed} is needed", given=tr(_KIND_WORDS[kind]),
                          needed=tr(_KIND_WORDS[spec.kind])))
    return to_xml_text(value, spec.round)


def debit_minus_credit(debit: str | None, credit: str | None) -> tuple[str | None, bool]:
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


def negate_texts(series: pl.Series) -> pl.Series:
    """Flip the sign of canonical decimal texts ('12.50' <-> '-12.50'; zero stays zero)."""
    return pl.select(
        pl.when(series.str.contains(r"^-?0(\.0*)?$")).then(series)
        .when(series.str.starts_with("-")).then(series.str.slice(1))
        .otherwise(pl.lit("-") + series)
    ).to_series()
