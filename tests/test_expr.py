"""The expression language: Decimal-exact, Excel-like text joining, nothing unsafe."""

from __future__ import annotations

import decimal
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from yukimap.expr import FUNCTIONS, ExprError, compile_expr, compile_regex
from yukimap.expr._values import _row_error
from yukimap.values import Locale, parse_date, parse_decimal


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


@pytest.mark.parametrize("source,cause,value", [
    ("Name * 2", "column 'Name': not a number with decimal mark ','", "jansen & zn"),
    ("Price / 0", "division by zero", None),
    ("Empty + 1", "an empty value in arithmetic", None),
    ("'abc' * 2", "a text where a number is needed", "abc"),
    ("round(Price, 2, Name)",
     "round(): mode must be one of half_up, half_even, half_down, up, down, ceiling, floor",
     "jansen & zn"),
    ("date(Name)", "column 'Name': not a date in the format dd-mm-yyyy", "jansen & zn"),
])
def test_row_errors(source: str, cause: str, value: str | None) -> None:
    # The value is kept out of the cause, so that the rows of one cause form one group.
    with pytest.raises(ExprError) as info:
        compile_expr(source).evaluate(ROW)
    assert (info.value.cause, info.value.value) == (cause, value)


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


# --- signatures: arity and keywords are checked when the expression compiles -------------


@pytest.mark.parametrize("name,signature", [
    ("round", "round(value, places=2, mode='half_up')"),
    ("text", "text(value, places=none)"),
    ("date", "date(value, formats...)"),
    ("min", "min(value, values...)"),
    ("join", "join(separator, values...)"),
    ("mid", "mid(value, start, n)"),
    ("regex_replace", "regex_replace(value, pattern, replacement)"),
])
def test_every_function_has_a_signature(name: str, signature: str) -> None:
    assert FUNCTIONS[name].signature() == signature


@pytest.mark.parametrize("source,cause", [
    ("left(Name)", "left() takes left(value, n); got 1 argument"),
    ("upper()", "upper() takes upper(value); got 0 arguments"),
    ("min()", "min() takes min(value, values...); got 0 arguments"),
    ("upper(Name, 1)", "upper() takes upper(value); got 2 arguments"),
    ("round(Price, 2, places=1)",
     "round() got places twice; it takes round(value, places=2, mode='half_up')"),
    ("text(Price, digits=2)",
     "text() has no argument 'digits'; it takes text(value, places=none)"),
    ("round(**Name)", "only plain function calls like round(x, 2) are allowed"),
])
def test_calls_that_do_not_fit_the_signature_do_not_compile(source: str, cause: str) -> None:
    with pytest.raises(ExprError) as info:
        compile_expr(source)
    assert info.value.cause == cause


@pytest.mark.parametrize("source,expected", [
    ("round(Price, places=1)", Decimal("14.9")),
    ("round(Price, mode='down', places=0)", Decimal("14")),
    ("text(Price * 1, places=1)", "14.9"),
    ("round(value=Price)", Decimal("14.88")),
])
def test_keyword_arguments_as_documented(source: str, expected: object) -> None:
    assert compile_expr(source).evaluate(ROW) == expected


# --- bounds: numbers, counts, texts, nesting ----------------------------------------------


@pytest.mark.parametrize("source,cause", [
    ("left(Name, 2.5)", "left(): n must be a whole number from 0 to 1,000,000"),
    ("left(Name, -1)", "left(): n must be a whole number from 0 to 1,000,000"),
    ("mid(Name, 0, 2)", "mid(): start must be a whole number from 1 to 1,000,000"),
    ("round(Price, 11)", "round(): places must be a whole number from 0 to 10"),
    ("1e30 + 1", "the number 1e30 is too large (more than 30 digits before the decimal mark)"),
    ("0x1F", "the number 0x1F is not a plain decimal number"),
    ("[1, 2]", "a list [...] can only follow 'in', as in: Code in ['A', 'B']"),
    ("text([Name] * 2)", "a list [...] can only follow 'in', as in: Code in ['A', 'B']"),
    ("-" * 41 + "1", "the expression nests more than 40 levels deep"),
    ("+".join(["1"] * 5000), "the expression nests more than 40 levels deep"),
    ("join(' ', " + ", ".join(["A"] * 2000) + ")",
     "the expression has more than 2,000 parts"),
])
def test_what_a_mapping_can_show_is_refused_when_it_compiles(source: str, cause: str) -> None:
    with pytest.raises(ExprError) as info:
        compile_expr(source)
    assert info.value.cause == cause


BIG = Row({"Name": "x" * 600_000, "Count": "1000001", "Big": "9" * 31, "Qty": "2"})


@pytest.mark.parametrize("source,cause,value", [
    ("Name & Name", "the text would be longer than 1,000,000 characters", None),
    ("join(' ', Name, Name)", "the text would be longer than 1,000,000 characters", None),
    ("replace(Qty, '', Name)", "the text would be longer than 1,000,000 characters", None),
    ("regex_replace(Qty, '', Name)", "the text would be longer than 1,000,000 characters", None),
    ("left(Name, Count)", "left(): n must be a whole number from 0 to 1,000,000", "1000001"),
    ("Big * 1", ("column 'Big': a number is too large (more than 30 digits before the decimal"
                " mark)"), "9" * 31),
    ("Qty * 5e29", "a number is too large (more than 30 digits before the decimal mark)",
     "1000000000000000000000000000000"),
    ("1e29 + 1e-40", "the result needs more than 60 digits to be exact", None),
    ("date('9999-12-31') + 1", "the date would be outside the years 1 to 9999", None),
    ("add_days(date('0001-01-01'), -1)", "the date would be outside the years 1 to 9999", None),
])
def test_what_depends_on_the_row_is_an_expression_error(source: str, cause: str,
                                                        value: str | None) -> None:
    with pytest.raises(ExprError) as info:
        compile_expr(source).evaluate(BIG)
    assert (info.value.cause, info.value.value) == (cause, value)


def test_any_python_error_on_a_row_is_an_expression_error() -> None:
    with pytest.raises(ExprError) as info:
        compile_expr("date('2024-01-01') < 'x'").evaluate(ROW)
    assert info.value.cause == ("cannot compute it: '<' not supported between instances of"
                                " 'datetime.date' and 'str'")


@pytest.mark.parametrize("raised,cause", [
    (MemoryError(), "the values are too large to compute"),
    (RecursionError(), "the expression and the let: values it uses nest too deeply"),
    (decimal.Overflow(), "a number is too large (more than 30 digits before the decimal mark)"),
    (decimal.InvalidOperation(), "invalid arithmetic (e.g. 0/0)"),
    (decimal.DivisionUndefined(), "division by zero"),
])
def test_what_python_raises_on_a_row_becomes_a_row_error(raised: Exception,
                                                          cause: str) -> None:
    assert _row_error(raised).cause == cause


def test_exact_digits_and_the_last_day_of_the_calendar() -> None:
    assert compile_expr("123456789012345678901234567890 - 1").evaluate(ROW) == \
        Decimal("123456789012345678901234567889")
    assert compile_expr("end_of_month(date('9999-12-15'))").evaluate(ROW) == date(9999, 12, 31)


# --- regular expressions: RE2, Python's replacement syntax --------------------------------


@pytest.mark.parametrize("source,expected", [
    (r"regex_replace(Name, '(?P<w>\\w+) & (\\w+)', '\\2-\\g<w>')", "zn-jansen"),
    ("regex_replace(Name, 'zn', 'é€')", "jansen & é€"),
    (r"regex_replace(Name, ' & ', '\\\\')", "jansen\\zn"),
    ("regex_replace(Name, '(a+)+$', '')", "jansen & zn"),
    ("regex_replace(Name, '', '-')", "-j-a-n-s-e-n- -&- -z-n-"),
])
def test_regex_replace(source: str, expected: str) -> None:
    assert compile_expr(source).evaluate(ROW) == expected


@pytest.mark.parametrize("source,cause", [
    (r"regex_replace(Name, '(a)\\1', '')",
     "regex_replace(): not a valid regular expression: invalid escape sequence: \\1"),
    (r"regex_replace(Name, '(a)', '\\q')",
     "regex_replace(): the replacement has a backslash that is not a group"),
    (r"regex_replace(Name, '(a)', '\\g<x>')",
     "regex_replace(): the replacement refers to group 'x', which the pattern does not name"),
])
def test_regex_mistakes_are_found_when_it_compiles(source: str, cause: str) -> None:
    with pytest.raises(ExprError) as info:
        compile_expr(source)
    assert info.value.cause == cause


def test_a_pattern_from_a_cell_is_checked_on_the_row() -> None:
    with pytest.raises(ExprError) as info:
        compile_expr("regex_replace(Name, Code & '(', '')").evaluate(ROW)
    assert info.value.cause == "not a valid regular expression: missing ): 007("
    assert info.value.value == "007("


def test_matches_can_ignore_case() -> None:
    assert compile_regex("JANSEN", ignore_case=True).search("de jansen")
    assert not compile_regex("JANSEN").search("de jansen")
