"""Money as summaries and warnings show it: a fixed format in each language, 1,234.50 in
English and 1.234,50 in Dutch (what a reader of that language takes for an amount)."""

from __future__ import annotations

from decimal import Decimal

from yukimap.i18n import language

_DUTCH = str.maketrans(",.", ".,")


def money(value: Decimal) -> str:
    """1234567.5 -> '1,234,567.50' ('1.234.567,50' in Dutch), for summaries."""
    return _written(f"{value:,.2f}")


def _written(english: str) -> str:
    return english.translate(_DUTCH) if language() == "nl" else english


def exact_money(value: Decimal, signed: bool = False) -> str:
    """An amount with at least 2 decimals and every decimal it has (100.00, 3.015,
    -0.005): what rounding changes can be less than a cent."""
    normal = value.normalize()
    places = normal.as_tuple().exponent
    shown = normal if isinstance(places, int) and places < -2 else value.quantize(Decimal("0.01"))
    return _written(f"{shown:+,f}" if signed and shown != 0 else f"{shown:,f}")
