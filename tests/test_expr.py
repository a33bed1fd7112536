"""The expression language: Decimal-exact, Excel-like text joining, nothing unsafe."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from yukimap.expr import ExprError, compile_expr
from yukimap.model import Locale
from yukimap.values import parse_date, parse_decimal


class Row:
    def __init__(self, cells: dict[str, str | None], lets: dict[str, Any] | None = None) -> None:
        self.cells, self.lets = cells, lets or {}
        self.locale = Locale(decimal_mark=",", date_formats=("%d-%m-%Y",))

    def cell(self, column: str) -> str | None:
        return self.cells.get(column)

    def let(self, name: str) -> Any:
        return self.lets[name]

    def decimal(self, text: str) -> Decimal:
        return parse_decimal(text, self.locale)

    def date(self, text: str, formats: tuple[str, ...]) -> date:
        return parse_date(text, Locale(date_formats=formats or self.locale.date_formats))


ROW = Row({"Price": "14,88", "Qty": "2", "Name": "jansen & zn", "Order date": "31-01-2024",
           "Empty": None, "Code": "007"})


@pytest.mark.parametrize("source,expected", [
    ("Price * Qty", Decimal("29.76")),
    ("0.1 + 0.2", Decimal("0.3")),
    ("round(Price * 1.21, 2)", Decimal("18.00")),
    ("round(2.345, 2)", Decimal("2.35")),
    ("round(2.345, 2, 'half_even')", Decimal("2.34")),
    ("round(-2.5, 0)", Decimal("-3")),
    ("Code & '-' & Qty", "007-2"),
    ("upper(left(Name, 6))", "JANSEN"),
    ("date(col('Order date')) + 30", date(2024, 3, 1)),
    ("end_of_month(date('15-02-2024'))", date(2024, 2, 29)),
    ("format_date(date(col('Order date')), '%Y%m')", "202401"),
    ("'big' if Price > 10 else 'small'", "big"),
    ("Qty in ['1', '2']", True),
    ("Qty == 2", True),
    ("coalesce(Empty, Code)", "007"),
    ("empty(Empty) and not empty(Code)", True),
    ("join(' ', Empty, Name, Code)", "jansen & zn 007"),
    ("regex_replace(Name, '[^a-z]', '')", "jansenzn"),
    ("mid('abcdef', 2, 3)", "bcd"),
    ("max(Price, 20, Qty)", Decimal("20")),
    ("text(Price * 1, 2)", "14.88"),
    ("Price * Qty > 29 and Price * Qty < 30", True),
])
def test_expressions(source: str, expected: object) -> None:
    assert compile_expr(source).evaluate(ROW) == expected


def test_names_are_columns_or_lets() -> None:
    expr = compile_expr("net * 2 + Qty", frozenset({"net"}))
    assert expr.columns == {"Qty"} and expr.lets == {"net"}
    assert expr.evaluate(Row({"Qty": "1"}, {"net": Decimal("1.5")})) == Decimal("4.0")


@pytest.mark.parametrize("source,cause", [
    ("Name * 2", "column 'Name': 'jansen & zn' is not a number with decimal mark ','"),
    ("Price / 0", "division by zero"),
    ("Empty + 1", "an empty value in arithmetic"),
    ("'abc' * 2", "'abc' is text, not a number"),
    ("round(Price, 2, 'bankers')", "unknown rounding mode 'bankers'"),
    ("date(Name)", "column 'Name': 'jansen & zn' is not a date in the format dd-mm-yyyy"),
])
def test_row_errors(source: str, cause: str) -> None:
    with pytest.raises(ExprError) as info:
        compile_expr(source).evaluate(ROW)
    assert info.value.cause == cause


@pytest.mark.parametrize("source", [
    "__import__('os')", "Name.upper()", "Name[0]", "[x for x in Name]", "lambda: 1",
    "open('/etc/passwd')", "Name ** 2", "f'{Name}'", "(x := 1)",
])
def test_nothing_unsafe_compiles(source: str) -> None:
    with pytest.raises(ExprError):
        compile_expr(source)


def test_unknown_function_suggests_the_nearest() -> None:
    with pytest.raises(ExprError) as info:
        compile_expr("uper(Name)")
    assert info.value.hint == "did you mean upper()?"
