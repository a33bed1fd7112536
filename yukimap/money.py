"""Money as summaries and warnings show it: a fixed, locale-free format."""

from __future__ import annotations

from decimal import Decimal


def money(value: Decimal) -> str:
    """1234567.5 -> '1,234,567.50': a fixed, locale-free format for summaries."""
    return f"{value:,.2f}"


def exact_money(value: Decimal, signed: bool = False) -> str:
    """An amount with at least 2 decimals and every decimal it has (100.00, 3.015,
    -0.005): what rounding changes can be less than a cent."""
    normal = value.normalize()
    places = normal.as_tuple().exponent
    shown = normal if isinstance(places, int) and places < -2 else value.quantize(Decimal("0.01"))
    return f"{shown:+,f}" if signed and shown != 0 else f"{shown:,f}"
