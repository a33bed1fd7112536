"""Parsing text into typed values and formatting them for Yuki. Pure functions.

Each parser is written once, for one value, and never guesses: a value that could be read
two ways is an error. `over_unique` applies a parser to a column by parsing each distinct
value once (exports repeat dates, prices and codes a lot), which keeps the Decimal-exact
Python parsers fast on a million rows.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING

from yukimap.i18n import N_, plural, tr

if TYPE_CHECKING:  # polars is imported by the functions that use it: a mapping is read
    import polars as pl  # without it (`yukimap mappings`, `status`, `schema`)

DEFAULT_TRUE_WORDS = ("ja", "j", "yes", "y", "true", "waar", "1", "x")
DEFAULT_FALSE_WORDS = ("nee", "n", "no", "false", "onwaar", "0")


@dataclass(frozen=True)
class Locale:
    """How numbers, dates and booleans are written in the source file."""

    decimal_mark: str | None = None  # None: inferred per file, refusing ambiguous values
    thousands_separator: str | None = None
    date_formats: tuple[str, ...] = ()  # strftime formats; ISO 8601 is always understood
    true_words: tuple[str, ...] = DEFAULT_TRUE_WORDS
    false_words: tuple[str, ...] = DEFAULT_FALSE_WORDS


class BadValue(Exception):
    """A value that cannot be parsed; `cause` is the same for every value of one kind, in the
    user's language; `kind` says which kind for code that acts on it (never the text)."""

    def __init__(self, cause: str, hint: str | None = None, kind: str | None = None) -> None:
        super().__init__(cause)
        self.cause = cause
        self.hint = hint
        self.kind = kind


# --- numbers ----------------------------------------------------------------------------

_NOISE = re.compile(r"[\s\u00a0\u202f€$£]|EUR|eur")
_PARENS = re.compile(r"^\((.*)\)$")


@cache
def _number_re(mark: str, thousands: str | None) -> re.Pattern[str]:
    m = re.escape(mark)
    grouped = rf"|[1-9]\d{{0,2}}(?:{re.escape(thousands)}\d{{3}})+" if thousands else ""
    return re.compile(rf"^[+-]?(?:(?:\d+{grouped})(?:{m}\d+)?|{m}\d+)$")


_CANDIDATES = {".": _number_re(".", ","), ",": _number_re(",", ".")}
_PLAIN = re.compile(r"^[+-]?\d+$")


def _clean_number(text: str) -> str:
    text = _NOISE.sub("", text)
    paren = _PARENS.match(text)
    if paren:  # accountants write (12,50) for -12,50
        text = "-" + paren.group(1)
    elif len(text) > 1 and text.endswith("-") and not text.startswith("-"):
        text = "-" + text[:-1]  # some bank exports put the minus after the amount
    return text


def _to_decimal(text: str, mark: str, thousands: str | None) -> Decimal:
    if thousands:
        text = text.replace(thousands, "")
    if mark != ".":
        text = text.replace(mark, ".")
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid numbers
        raise BadValue(tr("not a number"), kind="number") from None
    return value + Decimal(0) if value == 0 else value  # -0.00 -> 0.00


def parse_decimal(text: str, locale: Locale) -> Decimal:
    """Parse `text` with the locale's marks; with no decimal mark set, refuse ambiguity."""
    clean = _clean_number(text)
    mark = locale.decimal_mark
    if mark is not None:
        thousands = locale.thousands_separator
        if _number_re(mark, thousands).match(clean):
            return _to_decimal(clean, mark, thousands)
        raise BadValue(*_number_hint(clean, mark, thousands))
    fits = [m for m, pattern in _CANDIDATES.items() if pattern.match(clean)]
    if not fits:
        raise BadValue(tr("not a number"),
                       tr("write it as digits with one decimal mark, e.g. 1234,56"), kind="number")
    values = {_to_decimal(clean, m, "," if m == "." else ".") for m in fits}
    if len(values) > 1:
        raise BadValue(
            tr("could be read two ways (is the dot or the comma the decimal mark?)"),
            tr('set decimal_mark: "," (and thousands_separator: ".") or decimal_mark: "." under'
               " source:"),
        )
    return values.pop()


def _number_hint(clean: str, mark: str, thousands: str | None) -> tuple[str, str]:
    other = "," if mark == "." else "."
    if other in clean and thousands is None:
        return (
            tr("not a number with decimal mark '{mark}'", mark=mark),
            tr("if '{other}' separates thousands here, add thousands_separator: '{other}' under"
               " source:; if it is the decimal mark, set decimal_mark: '{other}'", other=other),
        )
    return (tr("not a number with decimal mark '{mark}'", mark=mark),
            tr("correct the value in the export"))


def parse_written_number(text: str, locale: Locale) -> Decimal:
    """A number a person wrote (a constant in a mapping, an amount on the command line).

    It reads with the mapping's marks or with a plain dot (250.00 as a programmer writes it);
    without a mark set, with either mark when the text shows which (250,00 and 1.250,00
    read, as does 1250.5). Only a text that reads two ways (1,250: a thousand, or one and a
    quarter) is refused, with both readings.
    """
    clean = _clean_number(text)
    if locale.decimal_mark is None:
        candidates = [Locale(".", ","), Locale(",", ".")]
    else:
        candidates = [locale, Locale(".")]
    readings: dict[Decimal, Locale] = {}
    for option in candidates:
        mark, thousands = option.decimal_mark or ".", option.thousands_separator
        if _number_re(mark, thousands).match(clean):
            readings.setdefault(_to_decimal(clean, mark, thousands), option)
    if len(readings) == 1:
        return next(iter(readings))
    if len(readings) > 1:
        raise BadValue(*_two_readings(clean, readings))
    if locale.decimal_mark is not None:
        raise BadValue(*_number_hint(clean, locale.decimal_mark, locale.thousands_separator))
    raise BadValue(tr("not a number"),
                   tr("write it as digits with one decimal mark, e.g. 1250.00"), kind="number")


def _two_readings(clean: str, readings: dict[Decimal, Locale]) -> tuple[str, str]:
    def grouped(option: Locale) -> bool:
        return bool(option.thousands_separator and option.thousands_separator in clean)

    ordered = sorted(readings.items(), key=lambda item: not grouped(item[1]))
    said = [tr("{number} (with '{separator}' separating thousands)",
               number=plain_number(value), separator=option.thousands_separator)
            if grouped(option) else
            tr("{number} (with '{mark}' as the decimal mark)", number=plain_number(value),
               mark=option.decimal_mark)
            for value, option in ordered]
    written = [plain_number(value).replace(".", option.decimal_mark or ".")
               for value, option in ordered]
    return (tr("ambiguous: {readings}", readings=either(said)),
            tr("write it without thousands separators: {numbers}", numbers=either(written)))


def either(texts: Sequence[str]) -> str:
    """'a or b or c', in the user's language."""
    return functools.reduce(lambda one, other: tr("{one} or {other}", one=one, other=other),
                            texts)


def plain_number(value: Decimal) -> str:
    """A number without trailing zeros, never in exponent notation: 1250, 1.25."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def round_texts(series: pl.Series, places: int) -> pl.Series:
    """Canonical decimal texts rounded half-up to `places` decimals (round: on a field)."""
    return over_unique(series, lambda text: format_decimal(Decimal(text), places)).series


def trim_decimals(series: pl.Series, places: int) -> pl.Series:
    """Canonical decimal texts without trailing zeros past `places` decimals: '0.9900' is
    '0.99' for 2 (trailing zeros are not decimals), '12.50' stays as it is."""
    return series.str.replace(rf"^(-?\d+\.\d{{{places}}}\d*?)0+$", "${1}")


@cache
def _canonical_but_mark(mark: str) -> str:
    """A number written as its canonical text is, but with `mark` for its decimal point:
    a minus as its only sign, no leading zeros, no grouping, nothing around it."""
    return rf"^(?:-?[1-9]\d*|0)(?:{re.escape(mark)}\d+)?$"


def decimal_texts(series: pl.Series, mark: str, thousands: str | None) -> pl.Series:
    """parse_decimal + format_decimal for a whole column at once, for a known decimal mark:
    the canonical text of each value, null where the value is not a number (those are
    then parsed one by one for their message). A test holds it to the scalar parser."""
    import polars as pl

    if series.str.contains(_canonical_but_mark(mark)).all():  # most exports: one step
        return series.str.replace(mark, ".", literal=True) if mark != "." else series
    text = series.str.replace_all(_NOISE.pattern, "")
    text = text.str.replace(r"^\((.*)\)$", "-${1}").str.replace(r"^([^-].*)-$", "-${1}")
    valid = text.str.contains(_number_re(mark, thousands).pattern)
    if thousands:
        text = text.str.replace_all(thousands, "", literal=True)
    if mark != ".":
        text = text.str.replace(mark, ".", literal=True)
    text = (text.str.replace(r"^\+", "").str.replace(r"^(-?)0+(\d)", "${1}${2}")
            .str.replace(r"^(-?)\.", "${1}0.").str.replace(r"^-(0(?:\.0+)?)$", "${1}"))
    return pl.select(pl.when(valid).then(text)).to_series()


def decimal_mark_evidence(texts: Sequence[str]) -> tuple[str | None, list[str]]:
    """Which decimal mark a file uses, judged over all its number values at once.

    Returns (mark, ambiguous values). A mark is chosen when every value reads under it and
    not under the other; when the file mixes marks, the mark most values use is chosen so
    that the others are reported as errors. Values such as '1.000' that read both ways, in
    a file where nothing settles the question, are returned as ambiguous.
    """
    cleaned = [c for c in (_clean_number(t) for t in texts) if not _PLAIN.match(c)]
    fitting = {m: sum(1 for c in cleaned if p.match(c)) for m, p in _CANDIDATES.items()}
    fits_all = [m for m, n in fitting.items() if n == len(cleaned)]
    if len(fits_all) == 1:
        return fits_all[0], []
    if not fits_all:
        return max(fitting, key=lambda m: fitting[m]), []
    return None, [t for t in texts if not _PLAIN.match(_clean_number(t))]


def marks_reading(text: str) -> tuple[str, ...] | None:
    """The decimal marks ('.', ',') under which `text` reads as a number, () for none; None
    for a whole number, which reads under either and shows neither (what
    `decimal_mark_evidence` weighs, a value at a time)."""
    clean = _clean_number(text)
    if _PLAIN.match(clean):
        return None
    return tuple(m for m, pattern in _CANDIDATES.items() if pattern.match(clean))


def round_half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_decimal(value: Decimal, places: int | None = None) -> str:
    """Plain notation ('1234.50', never '1.2345E+3'); `places` rounds half-up first."""
    if places is not None:
        value = round_half_up(value, places)
    text = format(value, "f")
    return "0" if text in ("-0", "") else text


def parse_integer(text: str, locale: Locale) -> int:
    clean = _clean_number(text)
    if _PLAIN.match(clean):
        return int(clean)
    raise BadValue(tr("not a whole number"), tr("write it as digits only, e.g. 12"))


# --- dates ------------------------------------------------------------------------------

# ISO 8601, as Excel date cells are read: a date, a time, an offset from UTC (Shopify's
# "2024-11-30 23:45:10 +0100", "...T23:45:10+01:00", "...Z"); the date is the one written.
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                      r"(?: ?(?:Z|[+-]\d{2}(?::?\d{2})?))?)?$")
_HUMAN = {"%d": N_("dd"), "%m": N_("mm"), "%Y": N_("yyyy"), "%y": N_("yy"), "%b": N_("mon"),
          "%B": N_("month"), "%H": N_("hh"), "%M": N_("mm"), "%S": N_("ss")}


def describe_format(fmt: str) -> str:
    """'%d-%m-%Y' -> 'dd-mm-yyyy' (in Dutch 'dd-mm-jjjj'), for people who do not read
    strftime."""
    for code, word in _HUMAN.items():
        fmt = fmt.replace(code, tr(word))
    return fmt


def parse_date(text: str, locale: Locale) -> date:
    """Parse with the mapping's formats; ISO 8601 (also Excel date cells) always works."""
    iso = ISO_DATE.match(text)
    if iso:
        try:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            raise BadValue(tr("not a valid date")) from None
    found: dict[date, str] = {}
    for fmt in locale.date_formats:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        found.setdefault(parsed, fmt)
    if len(found) > 1:
        shown = either([f"{d.isoformat()} ({describe_format(f)})" for d, f in found.items()])
        raise BadValue(
            tr("fits more than one date format"),
            tr("it could be {dates}; keep only the right format", dates=shown),
        )
    if not found:
        return _date_error(locale)
    value = next(iter(found))
    if not 1900 <= value.year <= 2199:
        raise BadValue(
            tr("gives the year {year}", year=value.year),
            tr("for two-digit years use %y instead of %Y in date_format"),
        )
    return value


# Formats tried on a column's values to propose date_format: (never to read a value).
COMMON_DATE_FORMATS = (
    "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%m/%d/%Y", "%m-%d-%Y", "%Y/%m/%d", "%Y.%m.%d",
    "%d-%m-%y", "%d/%m/%y", "%d.%m.%y", "%m/%d/%y", "%Y%m%d", "%d-%b-%Y", "%d %b %Y",
    "%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p", "%d.%m.%Y %H:%M",
)


def _reads(text: str, fmt: str) -> date | None:
    try:
        value = datetime.strptime(text, fmt).date()
    except ValueError:
        return None
    return value if 1900 <= value.year <= 2199 else None


def date_formats_reading(values: Sequence[str], configured: tuple[str, ...] = ()) -> list[str]:
    """The common formats, other than those `configured`, that read every one of `values`
    as a date from 1900 to 2199 (the readings that remain for a column: one settles it)."""
    return [f for f in COMMON_DATE_FORMATS if f not in configured
            and all(_reads(v, f) is not None for v in values)]


def date_format_hint(values: Sequence[str], configured: tuple[str, ...]) -> str | None:
    """A hint for a column's values that are not dates in the configured formats: the
    common formats that read every one of them. None when the values show nothing new."""
    fits = date_formats_reading(values, configured)
    if len(fits) == 1:
        shown = _reading(_telling(values, fits[0]), fits[0])
        if configured:
            listed = ", ".join(f'"{f}"' for f in (*configured, fits[0]))
            return tr("correct the values, or add their format under source: date_format:"
                      " [{listed}]\n(it reads {values}: {shown})", listed=listed,
                      values=_all(values), shown=shown)
        return tr('add date_format: "{format}" under source:\n(the one common format that'
                  " reads {values}: {shown})", format=fits[0], values=_all(values), shown=shown)
    if fits:
        return _several_formats(values, fits[:4])
    if configured:
        return None
    return tr("no common date format reads these values; correct them, or add the export's\n"
              'format under source: in strftime codes, e.g. date_format: "%d-%m-%Y" for'
              " 31-01-2024")


def _reading(text: str, fmt: str) -> str:
    return tr("'{text}' is {date}", text=text, date=_reads(text, fmt))


def _all(values: Sequence[str]) -> str:
    return plural(len(values), "the value", "all {count} values")


def _swapped(fmt: str) -> str:
    """The format with day and month changed places: what a wrong reading would be."""
    return fmt.replace("%d", "%_").replace("%m", "%d").replace("%_", "%m")


def _telling(values: Sequence[str], fmt: str) -> str:
    """The value that shows best how `fmt` reads: one that day and month swapped cannot read."""
    return next((v for v in values if _reads(v, _swapped(fmt)) is None), values[0])


def _several_formats(values: Sequence[str], fits: list[str]) -> str:
    telling = next((v for v in values if len({_reads(v, f) for f in fits}) > 1), values[0])
    lines = [tr("add the export's date format under source:; these formats read {values}:",
                values=_all(values))]
    lines += [f'date_format: "{f}" ({_reading(telling, f)})' for f in fits]
    if len({_reads(telling, f) for f in fits}) == 1:
        lines.append(tr("every value reads the same with each, so yukimap cannot choose: take\n"
                        "the one the export uses"))
    elif {_swapped(f) for f in fits} == set(fits):
        lines.append(tr("no value tells them apart (a day above 12 would), so yukimap cannot"
                        " choose: take\nthe one the export uses"))
    else:
        lines.append(tr("no value tells them apart, so yukimap cannot choose: take\n"
                        "the one the export uses"))
    return "\n".join(lines)


def _date_error(locale: Locale) -> date:
    if not locale.date_formats:
        raise BadValue(
            tr("not a date in ISO format (yyyy-mm-dd)"),
            tr('add the export\'s format under source:, e.g. date_format: "%d-%m-%Y"'),
            kind="date",
        )
    formats = ", ".join(describe_format(f) for f in locale.date_formats)
    raise BadValue(
        tr("not a date in the format {formats}", formats=formats),
        tr("correct the value, or add its format to date_format under source:"),
        kind="date_format",
    )


# --- booleans ---------------------------------------------------------------------------


def parse_boolean(text: str, locale: Locale) -> bool:
    word = text.strip().lower()
    if word in locale.true_words:
        return True
    if word in locale.false_words:
        return False
    raise BadValue(
        tr("not a yes/no value"),
        tr("use one of {true} or {false}, or a map:", true=", ".join(locale.true_words),
           false=", ".join(locale.false_words)),
    )


# --- formatting for Yuki ----------------------------------------------------------------


def to_xml_text(value: object, places: int | None = None) -> str:
    """A typed value as Yuki's XML wants it: ISO dates, 'true'/'false', plain decimals."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_decimal(value, places)
    if isinstance(value, int):
        return format_decimal(Decimal(value), places) if places is not None else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- applying a parser to a column ------------------------------------------------------

Parser = Callable[[str], str]


@dataclass(frozen=True)
class Parsed:
    """A column parsed value by value: results as text, and the failures by raw value."""

    series: pl.Series  # null where the input was null or failed
    failures: dict[str, BadValue]


def over_unique(series: pl.Series, parse: Parser) -> Parsed:
    """Apply `parse` (raw text -> output text) to each distinct non-null value once."""
    import polars as pl

    uniques = series.drop_nulls().unique().to_list()
    results: dict[str, str | None] = {}
    failures: dict[str, BadValue] = {}
    for raw in uniques:
        try:
            results[raw] = parse(raw)
        except BadValue as exc:
            failures[raw] = exc
            results[raw] = None
    if not results:
        return Parsed(series.cast(pl.String), failures)
    out = series.replace_strict(results, default=None, return_dtype=pl.String)
    return Parsed(out, failures)
