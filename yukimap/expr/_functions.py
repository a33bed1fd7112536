"""The functions of the expression language, each with its signature: the names of its
arguments, their defaults, the range of a whole-number argument and the texts an argument
may be (FUNCTIONS). A call is checked against it when the mapping loads."""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
)
from difflib import get_close_matches
from enum import Enum
from typing import Final

from yukimap.expr._regex import _regex_replace
from yukimap.expr._values import (
    Cell,
    Env,
    ExprError,
    Value,
    _bounded,
    _check_length,
    _number,
    _shift,
    _str,
    _whole_number,
)
from yukimap.i18n import plural, tr
from yukimap.values import BadValue, format_decimal, to_xml_text

_ROUNDING = {
    "half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "half_down": ROUND_HALF_DOWN,
    "up": ROUND_UP, "down": ROUND_DOWN, "ceiling": ROUND_CEILING, "floor": ROUND_FLOOR,
}


def _round(env: Env, value: Value, places: int, mode: str) -> Decimal:
    return _bounded(_number(value, env).quantize(Decimal(1).scaleb(-places),
                                                 rounding=_ROUNDING[mode]))


def _text(env: Env, value: Value, places: int | None) -> str:
    if value is None:
        return ""
    if places is not None:
        return format_decimal(_number(value, env), places)
    return to_xml_text(value)


def _as_date(env: Env, value: Value, *formats: Value) -> date:
    if isinstance(value, date):
        return value
    if value is None:
        raise ExprError(tr("an empty value where a date is needed"))
    try:
        return env.date(str(value), tuple(str(f) for f in formats))
    except BadValue as exc:
        cause = (tr("column '{column}': {cause}", column=value.column, cause=exc.cause)
                 if isinstance(value, Cell) else exc.cause)
        raise ExprError(cause, exc.hint, str(value)) from None


def _replace(env: Env, value: Value, old: Value, new: Value) -> str:
    text, old_text, new_text = _str(value), _str(old), _str(new)
    # Measure before building: replacing '' inserts `new` between every two characters.
    _check_length(len(text) + text.count(old_text) * (len(new_text) - len(old_text)))
    return text.replace(old_text, new_text)


def _end_of_month(env: Env, value: Value) -> date:
    d = _as_date(env, value)
    if d.month == 12:
        return date(d.year, 12, 31)
    return date(d.year, d.month + 1, 1) - timedelta(days=1)


def _coalesce(env: Env, *values: Value) -> Value:
    return next((v for v in values if v is not None and v != ""), None)


def _join(env: Env, separator: Value, *values: Value) -> str:
    parts = [_str(v) for v in values if v not in (None, "")]
    sep = _str(separator)
    _check_length(sum(map(len, parts)) + len(sep) * max(len(parts) - 1, 0))
    return sep.join(parts)


def _decimal(env: Env, value: Value) -> Decimal:
    return _number(value if not isinstance(value, str) or isinstance(value, Cell)
                   else Cell(value, "(text)"), env)


def _right(env: Env, value: Value, n: int) -> str:
    return _str(value)[-n:] if n else ""


def _mid(env: Env, value: Value, start: int, n: int) -> str:
    return _str(value)[start - 1:][:n]


# --- the table --------------------------------------------------------------------------

class _Required(Enum):
    """The default of an argument that must be given."""

    REQUIRED = "required"


_REQUIRED: Final = _Required.REQUIRED


@dataclass(frozen=True)
class Param:
    """One argument of a function: required, or with a default; `whole` names the range of
    a whole-number argument (_RANGES), `choices` the texts it may be."""

    name: str
    default: Value | _Required = _REQUIRED
    whole: str | None = None
    choices: tuple[str, ...] = ()

    def shown(self) -> str:
        if self.default is _REQUIRED:
            return self.name
        default = "none" if self.default is None else (
            f"'{self.default}'" if isinstance(self.default, str) else str(self.default))
        return f"{self.name}={default}"


@dataclass(frozen=True)
class Function:
    """A function of the language: its arguments, and `more`, the name of an argument that
    may repeat at the end (min(value, values...))."""

    name: str
    run: Callable[..., Value]
    params: tuple[Param, ...]
    more: str | None = None
    doc: str = ""  # what it does, for the reference (docs/reference.md)
    empty: str = ""  # what it does with an empty value
    example: str = ""  # a call the reference shows with its result (computed, not written)

    def signature(self) -> str:
        shown = [p.shown() for p in self.params] + ([f"{self.more}..."] if self.more else [])
        return f"{self.name}({', '.join(shown)})"

    def bind(self, args: Sequence[ast.expr], keywords: Sequence[ast.keyword],
             ) -> tuple[list[ast.expr | None], list[ast.expr]]:
        """The argument nodes by parameter (None: its default) and the repeated ones; an
        ExprError when they do not fit the signature."""
        fixed: list[ast.expr | None] = list(args[: len(self.params)])
        extra = list(args[len(self.params):])
        if extra and not self.more:
            raise self._wrong(len(args) + len(keywords))
        fixed += [None] * (len(self.params) - len(fixed))
        names = [p.name for p in self.params]
        for keyword in keywords:
            self._keyword(keyword, names, fixed)
        if any(node is None and p.default is _REQUIRED for node, p in zip(fixed, self.params)):
            raise self._wrong(len(args) + len(keywords))
        return fixed, extra

    def _keyword(self, keyword: ast.keyword, names: list[str],
                 fixed: list[ast.expr | None]) -> None:
        name = str(keyword.arg)
        if name not in names:
            near = get_close_matches(name, names, n=1)
            raise ExprError(tr("{function}() has no argument '{name}'; it takes {signature}",
                               function=self.name, name=name, signature=self.signature()),
                            tr("did you mean {name}=?", name=near[0]) if near else None)
        index = names.index(name)
        if fixed[index] is not None:
            raise ExprError(tr("{function}() got {name} twice; it takes {signature}",
                               function=self.name, name=name, signature=self.signature()))
        fixed[index] = keyword.value

    def _wrong(self, count: int) -> ExprError:
        return ExprError(plural(count, "{function}() takes {signature}; got 1 argument",
                                "{function}() takes {signature}; got {count} arguments",
                                function=self.name, signature=self.signature()))


def _p(name: str, default: Value | _Required = _REQUIRED, whole: str | None = None,
       choices: tuple[str, ...] = ()) -> Param:
    return Param(name, default, whole, choices)


_V = (_p("value"),)
_ERROR = "an empty value is an error; coalesce(value, 0) reads an empty cell as 0"
_NO_DATE = "an empty value is an error (a date is needed)"
_AS_EMPTY_TEXT = "an empty value counts as the empty text"
_FUNCTIONS = (
    Function("decimal", _decimal, _V,
             doc="the value as a number, read with the file's decimal mark",
             empty=_ERROR, example="decimal('12.50') * 2"),
    Function("number", _decimal, _V, doc="the same as decimal()", empty=_ERROR,
             example="number('7')"),
    Function("date", _as_date, _V, more="formats",
             doc="the value as a date, read with the given formats (strftime codes), else with"
                 " the source's date_format; ISO dates (2024-01-31) always work. A date plus a"
                 " number adds days", empty=_NO_DATE,
             example="date('31-01-2024', '%d-%m-%Y') + 30"),
    Function("text", _text, (*_V, _p("places", None, "places")),
             doc="the value as text; with places, a number written with that many decimals"
                 " and a dot", empty="an empty value gives the empty text",
             example="text(7.5, 2)"),
    Function("round", _round, (*_V, _p("places", 2, "places"),
                               _p("mode", "half_up", choices=tuple(_ROUNDING))),
             doc="the number rounded to places decimals (0 to 10); mode is half_up, half_even,"
                 " half_down, up, down, ceiling or floor", empty=_ERROR,
             example="round(2.345, 2)"),
    Function("abs", lambda env, v: abs(_number(v, env)), _V,
             doc="the number without its sign", empty=_ERROR, example="abs(-12.50)"),
    Function("min", lambda env, *vs: min(_number(v, env) for v in vs), _V, more="values",
             doc="the smallest of the numbers", empty=_ERROR, example="min(3, 1.5, 2)"),
    Function("max", lambda env, *vs: max(_number(v, env) for v in vs), _V, more="values",
             doc="the largest of the numbers", empty=_ERROR, example="max(0, -4.20)"),
    Function("upper", lambda env, v: _str(v).upper(), _V,
             doc="the text in capitals; accents stay (é becomes É)", empty=_AS_EMPTY_TEXT,
             example="upper('café')"),
    Function("lower", lambda env, v: _str(v).lower(), _V,
             doc="the text in small letters; accents stay (É becomes é, nothing is stripped)",
             empty=_AS_EMPTY_TEXT, example="lower('ÉCOLE Noord')"),
    Function("title", lambda env, v: _str(v).title(), _V,
             doc="each word with a capital first letter", empty=_AS_EMPTY_TEXT,
             example="title('jansen en zonen')"),
    Function("strip", lambda env, v: _str(v).strip(), _V,
             doc="the text without spaces at its start and end", empty=_AS_EMPTY_TEXT,
             example="strip('  NL01 ')"),
    Function("len", lambda env, v: Decimal(len(_str(v))), _V,
             doc="the number of characters", empty="an empty value has length 0",
             example="len('Factuur')"),
    Function("left", lambda env, v, n: _str(v)[:n], (*_V, _p("n", whole="count")),
             doc="the first n characters (all of a shorter text); the text comes first, then"
                 " n", empty=_AS_EMPTY_TEXT, example="left('INV-2024-001', 3)"),
    Function("right", _right, (*_V, _p("n", whole="count")),
             doc="the last n characters (all of a shorter text)", empty=_AS_EMPTY_TEXT,
             example="right('INV-2024-001', 3)"),
    Function("mid", _mid, (*_V, _p("start", whole="position"), _p("n", whole="count")),
             doc="n characters from position start (the first character is 1)",
             empty=_AS_EMPTY_TEXT, example="mid('INV-2024-001', 5, 4)"),
    Function("replace", _replace, (*_V, _p("old"), _p("new")),
             doc="the text with every old replaced by new (case matters)",
             empty=_AS_EMPTY_TEXT, example="replace('12 500,00', ' ', '')"),
    Function("regex_replace", _regex_replace, (*_V, _p("pattern"), _p("replacement")),
             doc="the text with every match of the regular expression pattern (RE2) replaced;"
                 " the text comes first, then the pattern, then the replacement, in which \\1"
                 " or \\g<name> is a group", empty=_AS_EMPTY_TEXT,
             example="regex_replace('Order #123 (web)', '[^0-9]', '')"),
    Function("contains", lambda env, v, part: _str(part) in _str(v), (*_V, _p("part")),
             doc="true when the text contains part; case matters: contains(lower(Naam),"
                 " 'albert heijn') ignores it", empty=_AS_EMPTY_TEXT + " (every text"
             " contains the empty text)", example="contains('Albert Heijn 1234', 'Heijn')"),
    Function("starts_with", lambda env, v, part: _str(v).startswith(_str(part)),
             (*_V, _p("part")), doc="true when the text starts with part; case matters",
             empty=_AS_EMPTY_TEXT, example="starts_with('NL91ABNA0417164300', 'NL')"),
    Function("ends_with", lambda env, v, part: _str(v).endswith(_str(part)), (*_V, _p("part")),
             doc="true when the text ends with part; case matters", empty=_AS_EMPTY_TEXT,
             example="ends_with('factuur.pdf', '.pdf')"),
    Function("empty", lambda env, v: v is None or v == "", _V,
             doc="true when the value is empty (an empty cell, or the empty text)",
             empty="true", example="empty('')"),
    Function("coalesce", _coalesce, _V, more="values",
             doc="the first value that is not empty", empty="empty values are skipped; all"
             " empty gives an empty value", example="coalesce('', 'Kantoor')"),
    Function("join", _join, (_p("separator"),), more="values",
             doc="the values joined with the separator between them (the separator comes"
                 " first)", empty="empty values are left out, so no double separators",
             example="join(' ', 'Jan', '', 'Jansen')"),
    Function("format_date", lambda env, v, fmt: _as_date(env, v).strftime(_str(fmt)),
             (*_V, _p("format")), doc="the date written with a format of strftime codes",
             empty=_NO_DATE, example="format_date('2024-01-31', '%d-%m-%Y')"),
    Function("add_days", lambda env, v, n: _shift(_as_date(env, v), n),
             (*_V, _p("days", whole="days")), doc="the date days later (earlier when negative)",
             empty=_NO_DATE, example="add_days('2024-01-31', 14)"),
    Function("end_of_month", _end_of_month, _V, doc="the last day of the date's month",
             empty=_NO_DATE, example="end_of_month('2024-02-10')"),
    Function("year", lambda env, v: Decimal(_as_date(env, v).year), _V,
             doc="the year of the date, as a number", empty=_NO_DATE,
             example="year('2024-01-31')"),
    Function("month", lambda env, v: Decimal(_as_date(env, v).month), _V,
             doc="the month of the date (1 to 12)", empty=_NO_DATE,
             example="month('2024-01-31')"),
    Function("day", lambda env, v: Decimal(_as_date(env, v).day), _V,
             doc="the day of the month of the date", empty=_NO_DATE,
             example="day('2024-01-31')"),
)
FUNCTIONS: dict[str, Function] = {f.name: f for f in _FUNCTIONS}


def _argument_check(function: Function, param: Param) -> Callable[[Value, Env], Value] | None:
    what = f"{function.name}(): {param.name}"
    if param.whole is not None:
        kind = param.whole
        return lambda value, env: _whole_number(value, env, what, kind)
    if param.choices:
        choices = param.choices

        def choose(value: Value, env: Env) -> str:
            if _str(value) not in choices:
                raise ExprError(tr("{what} must be one of {choices}", what=what,
                                   choices=", ".join(choices)), value=_str(value))
            return _str(value)

        return choose
    return None
