"""Hostile expressions: huge numbers and counts, runaway texts, catastrophic regular
expressions, wrong calls. Each ends in bounded time with exit 0 or 1: what can be known
from the mapping is a located mapping error (`yukimap check`), what depends on the rows is
a data error grouped by cause with its rows (`yukimap convert --dry-run`). The last tests
feed the compiler and the evaluator random expressions and cells.
"""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.robustness.conftest import Bounded, Write
from yukimap.expr import ExprError, compile_expr
from yukimap.limits import limits
from yukimap.values import Locale, parse_date, parse_decimal

HEAD = """version: 1
target: sales_invoices
source: {delimiter: ";", decimal_mark: "."}
"""
INVOICE = """invoice:
  Reference: {column: Nr}
  Date: {column: Date}
"""
LINES = """lines:
  Description: {column: Text}
  ProductQuantity: 1
  Product:
    Description: {column: Nr}
    SalesPrice: {column: Price}
    VATPercentage: 21
    VATType: 1
"""
A40B = "a" * 40 + "b"
DATA = ("Nr;Date;Text;Price;Count\n"
        f"1;2024-01-31;{A40B};10.00;3\n"
        "2;2024-02-01;hello;12.50;999999999999\n")


def _lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


def _fields(**exprs: str) -> str:
    return "".join(f"  {name}: {{expr: \"{source}\"}}\n" for name, source in exprs.items())


def test_what_the_mapping_shows_is_an_error_when_it_loads(bounded: Bounded,
                                                          write: Write) -> None:
    write("m.yaml", HEAD + "let:\n" + _fields(
        huge_count="left(Nr, 1e9999999)",
        huge_number="9e999999*10",
        days="add_days(Date, 1e20)",
        places="round(Price, 1e9)",
        too_many="round(Price, 2, 3, 4)",
        too_few="left(Text)",
        misspelt="round(Price, place=2)",
        mode="round(Price, 2, 'bankers')",
        backref="regex_replace(Text, '(a)\\\\\\\\1', '')",
        group="regex_replace(Text, '(a)', '\\\\\\\\2')",
    ) + "skip_rows: {column: Text, matches: '(?=a)'}\n" + INVOICE + LINES)
    outcome = bounded("check", "m.yaml", codes=(1,))
    re2_hint = ("  fix: yukimap's regular expressions (RE2) have no back-references (\\1) or"
                " look-arounds ((?=...)), so that no pattern can make it hang")
    assert _lines(outcome.stderr) == [
        "error: m.yaml: 11 problems in the mapping",
        "",
        ("error: m.yaml:5:22 let.huge_count.expr: the number 1e9999999 is too large (more than"
         " 30 digits before the decimal mark) (got 'left(Nr, 1e9999999)')"),
        ("error: m.yaml:6:23 let.huge_number.expr: the number 9e999999 is too large (more than"
         " 30 digits before the decimal mark) (got '9e999999*10')"),
        ("error: m.yaml:7:16 let.days.expr: add_days(): days must be a whole number from"
         " -3,652,058 to 3,652,058 (got 'add_days(Date, 1e20)')"),
        ("error: m.yaml:8:18 let.places.expr: round(): places must be a whole number from 0 to 10"
         " (got 'round(Price, 1e9)')"),
        ("error: m.yaml:9:20 let.too_many.expr: round() takes round(value, places=2,"
         " mode='half_up'); got 4 arguments (got 'round(Price, 2, 3, 4)')"),
        ("error: m.yaml:10:19 let.too_few.expr: left() takes left(value, n); got 1 argument"
         " (got 'left(Text)')"),
        ("error: m.yaml:11:20 let.misspelt.expr: round() has no argument 'place'; it takes"
         " round(value, places=2, mode='half_up') (got 'round(Price, place=2)')"),
        "  fix: did you mean places=?",
        ("error: m.yaml:12:16 let.mode.expr: round(): mode must be one of half_up, half_even,"
         " half_down, up, down, ceiling, floor (got \"round(Price, 2, 'bankers')\")"),
        ("error: m.yaml:13:19 let.backref.expr: regex_replace(): not a valid regular expression:"
         " invalid escape sequence: \\1 (got \"regex_replace(Text, '(a)\\\\\\\\1', '')\")"),
        re2_hint,
        ("error: m.yaml:14:17 let.group.expr: regex_replace(): the replacement refers to group 2,"
         " but the pattern has 1 (got \"regex_replace(Text, '(a)', '\\\\\\\\2')\")"),
        "  fix: groups are numbered from 1 by their '('; \\g<name> names one",
        ("error: m.yaml:15:36 skip_rows.matches: not a valid regular expression: invalid perl"
         " operator: (?= (got '(?=a)')"),
        re2_hint,
    ]


def test_keyword_arguments_work_as_documented(bounded: Bounded, write: Write) -> None:
    write("m.yaml", HEAD + INVOICE + _fields(
        Subject="text(round(Price / 3, places=3, mode='down'), places=3)") + LINES)
    write("data.csv", DATA)
    outcome = bounded("convert", "data.csv", "-m", "m.yaml", codes=(0,))
    assert "<Subject>3.333</Subject>" in outcome.stdout
    assert "<Subject>4.166</Subject>" in outcome.stdout


def test_a_100000_term_sum_is_a_located_mapping_error(bounded: Bounded, write: Write) -> None:
    total = "+".join(["Price"] * 100_000)
    write("m.yaml", HEAD + INVOICE + _fields(Subject=total) + LINES)
    outcome = bounded("check", "m.yaml", codes=(1,))
    assert _lines(outcome.stderr)[2:] == [
        ("error: m.yaml:7:19 invoice.Subject.expr: the expression is over yukimap's limit of"
         " 10,000 characters (599,999 characters) (got 'Price+Price+Price+Price+Price+Price+"
         "Price+Price+Price+Price…')"),
        ("  fix: if the file is right, raise the limit: set YUKIMAP_MAX_EXPR_CHARS to a higher"
         " number (README: Limits)"),
    ]


def test_a_100000_term_sum_within_a_raised_bound_is_too_deep(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUKIMAP_MAX_EXPR_CHARS", "1000000")
    limits.cache_clear()
    try:
        with pytest.raises(ExprError) as info:  # Python's parser gives up: RecursionError
            compile_expr("+".join(["Price"] * 100_000))
    finally:
        limits.cache_clear()
    assert (info.value.cause, info.value.hint) == (
        "the expression nests more than 40 levels deep", "split it into let: values")


def test_what_depends_on_the_rows_is_a_grouped_data_error(bounded: Bounded,
                                                          write: Write) -> None:
    grow = "Text"
    for _ in range(7):
        grow = f"replace({grow}, '', Text)"
    write("m.yaml", HEAD + INVOICE + _fields(
        Subject="left(Text, Count)",
        Remarks=grow,
        PaymentID="text(Price * 1e29)",
        Layout="text(add_days(Date, Count))",
        PriceList="text(round(Price, Count))",
        ProjectCode="text(add_days(Date, 3000000))",
    ) + LINES)
    write("data.csv", DATA)
    outcome = bounded("convert", "data.csv", "-m", "m.yaml", "--dry-run", codes=(1,))
    assert _lines(outcome.stderr) == [
        "error: data.csv: 6 problems in the data",
        "",
        ("error: expression 'left(Text, Count)': left(): n must be a whole number from 0 to"
         " 1,000,000"),
        "  in m.yaml:7:12, invoice.Subject",
        "    row 3: '999999999999'",
        ("error: expression 'replace(replace(replace(replace(replace(replace(replace(Tex…': the"
         " text would be longer than 1,000,000 characters"),
        "  in m.yaml:8:12, invoice.Remarks (2 rows)",
        "    rows 2-3",
        "  fix: check how the expression makes its text grow (replace(), &, join())",
        ("error: expression 'text(Price * 1e29)': a number is too large (more than 30 digits"
         " before the decimal mark)"),
        "  in m.yaml:9:14, invoice.PaymentID (2 rows)",
        "    row 2: '1000000000000000000000000000000'",
        "    row 3: '1250000000000000000000000000000'",
        ("error: expression 'text(add_days(Date, Count))': add_days(): days must be a whole"
         " number from -3,652,058 to 3,652,058"),
        "  in m.yaml:10:11, invoice.Layout",
        "    row 3: '999999999999'",
        ("error: expression 'text(round(Price, Count))': round(): places must be a whole number"
         " from 0 to 10"),
        "  in m.yaml:11:14, invoice.PriceList",
        "    row 3: '999999999999'",
        ("error: expression 'text(add_days(Date, 3000000))': the date would be outside the years"
         " 1 to 9999"),
        "  in m.yaml:12:16, invoice.ProjectCode (2 rows)",
        "    rows 2-3",
    ]


def test_catastrophic_regular_expressions_run_in_linear_time(bounded: Bounded,
                                                              write: Write) -> None:
    write("m.yaml", HEAD + "skip_rows: {column: Text, matches: '(a|a)+c$'}\n" + INVOICE
          + _fields(Subject="regex_replace(Text, '(a+)+$', '')") + LINES)
    write("data.csv", DATA.replace(A40B, "a" * 5000 + "b").replace("hello", "hellaaaa"))
    outcome = bounded("convert", "data.csv", "-m", "m.yaml", codes=(0,), seconds=10)
    assert outcome.seconds < 5
    assert f"<Subject>{'a' * 5000}b</Subject>" in outcome.stdout  # no match: as it was
    assert "<Subject>hell</Subject>" in outcome.stdout


def test_an_expression_failing_on_300_rows_is_one_group(bounded: Bounded,
                                                        write: Write) -> None:
    rows = "".join(f"{i};2024-01-31;t;x{i % 100};\n" for i in range(1, 301))
    write("data.csv", "Nr;Date;Text;Price;Count\n" + rows)
    write("m.yaml", HEAD + INVOICE + _fields(Subject="text(Price * 2)") + LINES.replace(
        "SalesPrice: {column: Price}", "SalesPrice: 1"))
    outcome = bounded("convert", "data.csv", "-m", "m.yaml", "--dry-run", codes=(1,))
    assert _lines(outcome.stderr) == [
        "error: data.csv: 1 problem in the data",
        "",
        "error: expression 'text(Price * 2)': column 'Price': not a number with decimal mark '.'",
        "  in m.yaml:7:12, invoice.Subject (300 rows)",
        "    rows 2, 102, 202: 'x1'",
        "    rows 3, 103, 203: 'x2'",
        "    rows 4, 104, 204: 'x3'",
        "    rows 5, 105, 205: 'x4'",
        "    rows 6, 106, 206: 'x5'",
        "    rows 7, 107, 207: 'x6'",
        "    rows 8, 108, 208: 'x7'",
        "    rows 9, 109, 209: 'x8'",
        "    … and 92 more values (276 rows)",
        "  fix: correct the value in the export",
    ]


# --- the compiler and the evaluator on random input --------------------------------------


class _Row:
    """One row of cells, read with a comma as the decimal mark."""

    def __init__(self, cells: dict[str, str | None]) -> None:
        self.cells = cells
        self.locale = Locale(decimal_mark=",", thousands_separator=".",
                            date_formats=("%d-%m-%Y",))

    def cell(self, column: str) -> str | None:
        return self.cells.get(column)

    def let(self, name: str) -> Any:
        raise AssertionError("no lets here")

    def decimal(self, text: str) -> Decimal:
        return parse_decimal(text, self.locale)

    def date(self, text: str, formats: tuple[str, ...]) -> date:
        return parse_date(text, Locale(date_formats=formats or self.locale.date_formats))


_NAMES = ["decimal", "date", "text", "round", "abs", "min", "max", "upper", "left", "right",
          "mid", "replace", "regex_replace", "contains", "join", "coalesce", "format_date",
          "add_days", "end_of_month", "year", "len", "empty", "col", "nosuch"]
_ATOMS = ["A", "B", "C", "1", "0", "-1", "2.5", "1e29", "1e31", "9e999999", "1e-999999", "3652059",
          "'x'", "''", "'(a+)+$'", "'\\\\1'", "'%Y'", "true", "none", "[1, 'a']", "'2024-02-29'",
          "places=2", "mode='up'", "n=1", "*A", "**A", "A.b", "A[0]", "0x1F", "1_000", "1j",
          "col('A')", "date(A)", "'\\\\1'", "'\\\\g<x>'", "'(?P<x>a)'", "'é€'"]
_JOINS = [" + ", " - ", " * ", " / ", " // ", " % ", " & ", " == ", " < ", " and ", " or ",
          " if A else ", ", ", " in ", " ** "]


@st.composite
def _expressions(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.integers(0, 4 if depth < 4 else 0))
    if kind == 0:
        return draw(st.sampled_from(_ATOMS))
    if kind == 1:
        args = draw(st.lists(_expressions(depth + 1), max_size=4))
        return f"{draw(st.sampled_from(_NAMES))}({', '.join(args)})"
    if kind == 2:
        return f"({draw(_expressions(depth + 1))})"
    if kind == 3:
        return f"{'not ' if draw(st.booleans()) else '-'}{draw(_expressions(depth + 1))}"
    return draw(_expressions(depth + 1)) + draw(st.sampled_from(_JOINS)) + draw(
        _expressions(depth + 1))


_CELLS = st.one_of(st.none(), st.sampled_from(["", "1", "12,50", "1.234,5", "-0", "1e400", "x",
                                                "31-01-2024", "9" * 40, "a" * 50 + "!"]),
                   st.text(max_size=20))


@given(_expressions(), _CELLS, _CELLS, _CELLS)
def test_random_expressions_give_a_value_or_an_expression_error(source: str, a: str | None,
                                                                b: str | None,
                                                                c: str | None) -> None:
    started = time.monotonic()
    try:
        expr = compile_expr(source)
    except ExprError:
        return
    try:
        expr.evaluate(_Row({"A": a, "B": b, "C": c}))
    except ExprError as exc:
        assert exc.cause
    assert time.monotonic() - started < 2


@given(st.text(max_size=300))
def test_any_text_compiles_or_is_an_expression_error(source: str) -> None:
    try:
        compile_expr(source)
    except ExprError as exc:
        assert exc.cause
