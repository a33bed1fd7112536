"""Parsing numbers, dates and yes/no values: exact, explicit, never a guess."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from yukimap.values import (
    BadValue,
    Locale,
    date_formats_reading,
    decimal_mark_evidence,
    format_decimal,
    parse_boolean,
    parse_date,
    parse_decimal,
    round_half_up,
)

COMMA = Locale(decimal_mark=",", thousands_separator=".")
DOT = Locale(decimal_mark=".")
AUTO = Locale()


@pytest.mark.parametrize("text,locale,expected", [
    ("12,50", COMMA, "12.50"),
    ("1.234,56", COMMA, "1234.56"),
    ("-1.000", COMMA, "-1000"),
    ("(12,50)", COMMA, "-12.50"),
    ("12,50-", COMMA, "-12.50"),
    ("€ 1.249,00", COMMA, "1249.00"),
    (",5", COMMA, "0.5"),
    ("+3", COMMA, "3"),
    ("-0,00", COMMA, "0.00"),
    ("14.88", DOT, "14.88"),
    ("007", DOT, "7"),
    ("12,50", AUTO, "12.50"),
    ("1.234,56", AUTO, "1234.56"),
    ("1,234.56", AUTO, "1234.56"),
    ("0.125", AUTO, "0.125"),  # a leading 0 cannot be a thousands group
    ("42", AUTO, "42"),
    # the forms people type (issue 12 item 8): a no-break or narrow no-break space between
    # the thousands, a currency sign before or after (with or without a space), a + sign
    ("1\u00a0234,56", Locale(decimal_mark=","), "1234.56"),
    ("1\u202f234,56", Locale(decimal_mark=","), "1234.56"),
    ("1 234 567,89", Locale(decimal_mark=",", thousands_separator=" "), "1234567.89"),
    ("€12,50", COMMA, "12.50"),
    ("12,50 €", COMMA, "12.50"),
    ("EUR 1.234,56", COMMA, "1234.56"),
    ("1.234,56EUR", COMMA, "1234.56"),
    ("-€ 12,50", COMMA, "-12.50"),
    ("€ -12,50", COMMA, "-12.50"),
    ("$1,234.56", Locale(decimal_mark=".", thousands_separator=","), "1234.56"),
    ("£ 12.00", DOT, "12.00"),
    ("+12,50", COMMA, "12.50"),
    ("+ 12,50 €", COMMA, "12.50"),
])
def test_numbers(text: str, locale: Locale, expected: str) -> None:
    assert format_decimal(parse_decimal(text, locale)) == expected


@pytest.mark.parametrize("text,locale,cause", [
    ("1.000", AUTO, "could be read two ways"),
    ("12.345", AUTO, "could be read two ways"),
    ("1.000", Locale(decimal_mark=","), "not a number with decimal mark ','"),
    ("12,50", DOT, "not a number with decimal mark '.'"),
    ("1.23.4", COMMA, "not a number"),
    ("abc", AUTO, "not a number"),
    ("1e5", DOT, "not a number"),
    ("", DOT, "not a number"),
])
def test_bad_numbers(text: str, locale: Locale, cause: str) -> None:
    with pytest.raises(BadValue) as info:
        parse_decimal(text, locale)
    assert info.value.cause.startswith(cause)


def test_thousands_hint_names_the_fix() -> None:
    with pytest.raises(BadValue) as info:
        parse_decimal("1.000,50", Locale(decimal_mark=","))
    assert "thousands_separator: '.'" in (info.value.hint or "")


@pytest.mark.parametrize("texts,mark,ambiguous", [
    (["12,50", "1.000"], ",", []),  # the comma proves itself; 1.000 is then a thousand
    (["12.50", "1,000"], ".", []),
    (["1.000", "2.500"], None, ["1.000", "2.500"]),
    (["1", "2"], None, []),
    (["12,50", "3.75", "1,25"], ",", []),  # mixed: most use the comma; 3.75 will fail
])
def test_decimal_mark_evidence(texts: list[str], mark: str | None,
                               ambiguous: list[str]) -> None:
    assert decimal_mark_evidence(texts) == (mark, ambiguous)


@pytest.mark.parametrize("texts,formats", [
    (["31-01-2024", "01-02-2024"], ["%d-%m-%Y"]),  # 31 settles day-month
    (["01-02-2024", "03-04-2024"], ["%d-%m-%Y", "%m-%d-%Y"]),  # nothing tells them apart
    (["20241101", "20241130"], ["%Y%m%d"]),
    (["2024-11-01"], []),  # ISO needs no format: none of the common ones is asked for it
    (["08:12"], []),
    (["31-01-2024", "gisteren"], []),  # one value no format reads: no reading of the column
])
def test_the_common_date_formats_that_read_every_value(texts: list[str],
                                                      formats: list[str]) -> None:
    assert date_formats_reading(texts) == formats


@pytest.mark.parametrize("value,places,expected", [
    ("2.345", 2, "2.35"), ("2.335", 2, "2.34"), ("-2.345", 2, "-2.35"), ("0.005", 2, "0.01"),
    ("1", 2, "1.00"), ("68.1525", 2, "68.15"),
])
def test_rounding_is_half_up_away_from_zero(value: str, places: int, expected: str) -> None:
    assert str(round_half_up(Decimal(value), places)) == expected


def test_no_exponent_notation() -> None:
    assert format_decimal(Decimal("1E+3")) == "1000"
    assert format_decimal(Decimal("0.00000001")) == "0.00000001"


DMY = Locale(date_formats=("%d-%m-%Y",))


@pytest.mark.parametrize("text,locale,expected", [
    ("31-01-2024", DMY, date(2024, 1, 31)),
    ("1-2-2024", DMY, date(2024, 2, 1)),
    ("2024-01-31", DMY, date(2024, 1, 31)),  # ISO always works
    ("2024-01-31 13:05:00", AUTO, date(2024, 1, 31)),  # an Excel date cell
    ("13/04/25", Locale(date_formats=("%d/%m/%y",)), date(2025, 4, 13)),
    # ISO with an offset, and Shopify's export: the date as written (the shop's own day)
    ("2024-11-30 23:45:10 +0100", AUTO, date(2024, 11, 30)),
    ("2024-11-30 23:45:10 -0500", DMY, date(2024, 11, 30)),
    ("2024-11-30T23:45:10+01:00", AUTO, date(2024, 11, 30)),
    ("2024-11-30T23:45:10.123Z", AUTO, date(2024, 11, 30)),
])
def test_dates(text: str, locale: Locale, expected: date) -> None:
    assert parse_date(text, locale) == expected


@pytest.mark.parametrize("text,locale,cause", [
    ("31-02-2024", DMY, "not a date in the format dd-mm-yyyy"),
    ("gisteren", DMY, "not a date in the format dd-mm-yyyy"),
    ("31-01-2024", AUTO, "not a date in ISO format"),
    ("03-04-2025", Locale(date_formats=("%d-%m-%Y", "%m-%d-%Y")), "fits more than one"),
    ("31-01-0024", DMY, "gives the year 24"),
    ("31-1-24", DMY, "not a date in the format dd-mm-yyyy"),
    ("2024-13-45", DMY, "not a valid date"),
    ("2024-11-30 23:45:10 CET", AUTO, "not a date in ISO format"),
])
def test_bad_dates(text: str, locale: Locale, cause: str) -> None:
    with pytest.raises(BadValue) as info:
        parse_date(text, locale)
    assert info.value.cause.startswith(cause)


def test_two_formats_that_agree_are_fine() -> None:
    locale = Locale(date_formats=("%d-%m-%Y", "%m-%d-%Y"))
    assert parse_date("13-04-2025", locale) == date(2025, 4, 13)
    assert parse_date("04-04-2025", locale) == date(2025, 4, 4)


@pytest.mark.parametrize("text,expected", [("Ja", True), ("nee", False), ("Y", True),
                                           ("0", False), ("WAAR", True), ("x", True)])
def test_booleans(text: str, expected: bool) -> None:
    assert parse_boolean(text, AUTO) is expected


def test_unknown_boolean_word() -> None:
    with pytest.raises(BadValue):
        parse_boolean("misschien", AUTO)


def test_vectorised_decimals_agree_with_the_scalar_parser() -> None:
    import random

    import polars as pl

    from yukimap.values import decimal_texts

    rng = random.Random(7)
    alphabet = "0123456789.,-+() €"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9)))
             for _ in range(20_000)]
    texts += ["(12,50)", "12,50-", "€ 1.249,00", ",5", "+3", "-0,00", "007", "1.234.567,8"]
    for mark, thousands in ((",", "."), (".", ","), (",", None), (".", None)):
        locale = Locale(decimal_mark=mark, thousands_separator=thousands)
        got = decimal_texts(pl.Series(texts), mark, thousands).to_list()
        for text, vector in zip(texts, got):
            try:
                scalar: str | None = format_decimal(parse_decimal(text, locale))
            except BadValue:
                scalar = None
            assert vector == scalar, (text, mark, thousands)


def test_vectorised_decimals_of_a_column_of_plain_numbers_agree_with_the_scalar_parser() -> None:
    """A column whose every number is written plainly (how most exports write amounts) is
    read in one step; a single other value among them takes the full way, and both agree
    with the scalar parser."""
    import random

    import polars as pl

    from yukimap.values import decimal_texts

    rng = random.Random(11)
    for mark, thousands in ((",", "."), (".", ","), (",", None), (".", None)):
        locale = Locale(decimal_mark=mark, thousands_separator=thousands)
        plain = [f"{rng.choice(['', '-'])}{rng.randint(1, 10**6)}{mark}{rng.randint(0, 99):02d}"
                 for _ in range(2_000)] + ["0", "0" + mark + "5", "7", "-12", None]
        for odd in (None, "-0" + mark + "00", "007", "+3", "1.234,5", " 12", "12-", mark + "5",
                    "00" + mark + "5", "-0"):
            texts = plain + [odd]
            got = decimal_texts(pl.Series(texts), mark, thousands).to_list()
            for text, vector in zip(texts, got):
                try:
                    scalar = None if text is None else format_decimal(parse_decimal(text, locale))
                except BadValue:
                    scalar = None
                assert vector == scalar, (text, odd, mark, thousands)
