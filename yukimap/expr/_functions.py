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
        raise ExprError("an empty value where a date is needed")
    try:
        return env.date(str(value), tuple(str(f) for f in formats))
    except BadValue as exc:
        where = f"column '{value.column}': " if isinstance(value, Cell) else ""
        raise ExprError(f"{where}{exc.cause}", exc.hint, str(value)) from None


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
            raise ExprError(f"{self.name}() has no argument '{name}'; it takes"
                            f" {self.signature()}", f"did you mean {near[0]}=?" if near else None)
        index = names.index(name)
        if fixed[index] is not None:
            raise ExprError(f"{self.name}() got {name} twice; it takes {self.signature()}")
        fixed[index] = keyword.value

    def _wrong(self, count: int) -> ExprError:
        return ExprError(f"{self.name}() takes {self.signature()}; got {count}"
                         f" argument{'s' if count != 1 else ''}")


def _p(name: str, default: Value | _Required = _REQUIRED, whole: str | None = None,
       choices: tuple[str, ...] = ()) -> Param:
    return Param(name, default, whole, choices)


_V = (_p("value"),)
_FUNCTIONS = (
    Function("decimal", _decimal, _V),
    Function("number", _decimal, _V),
    Function("date", _as_date, _V, more="formats"),
    Function("text", _text, (*_V, _p("places", None, "places"))),
    Function("round", _round, (*_V, _p("places", 2, "places"),
                               _p("mode", "half_up", choices=tuple(_ROUNDING)))),
    Function("abs", lambda env, v: abs(_number(v, env)), _V),
    Function("min", lambda env, *vs: min(_number(v, env) for v in vs), _V, more="values"),
    Function("max", lambda env, *vs: max(_number(v, env) for v in vs), _V, more="values"),
    Function("upper", lambda env, v: _str(v).upper(), _V),
    Function("lower", lambda env, v: _str(v).lower(), _V),
    Function("title", lambda env, v: _str(v).title(), _V),
    Function("strip", lambda env, v: _str(v).strip(), _V),
    Function("len", lambda env, v: Decimal(len(_str(v))), _V),
    Function("left", lambda env, v, n: _str(v)[:n], (*_V, _p("n", whole="count"))),
    Function("right", _right, (*_V, _p("n", whole="count"))),
    Function("mid", _mid, (*_V, _p("start", whole="position"), _p("n", whole="count"))),
    Function("replace", _replace, (*_V, _p("old"), _p("new"))),
    Function("regex_replace", _regex_replace, (*_V, _p("pattern"), _p("replacement"))),
    Function("contains", lambda env, v, part: _str(part) in _str(v), (*_V, _p("part"))),
    Function("starts_with", lambda env, v, part: _str(v).startswith(_str(part)),
             (*_V, _p("part"))),
    Function("ends_with", lambda env, v, part: _str(v).endswith(_str(part)), (*_V, _p("part"))),
    Function("empty", lambda env, v: v is None or v == "", _V),
    Function("coalesce", _coalesce, _V, more="values"),
    Function("join", _join, (_p("separator"),), more="values"),
    Function("format_date", lambda env, v, fmt: _as_date(env, v).strftime(_str(fmt)),
             (*_V, _p("format"))),
    Function("add_days", lambda env, v, n: _shift(_as_date(env, v), n),
             (*_V, _p("days", whole="days"))),
    Function("end_of_month", _end_of_month, _V),
    Function("year", lambda env, v: Decimal(_as_date(env, v).year), _V),
    Function("month", lambda env, v: Decimal(_as_date(env, v).month), _V),
    Function("day", lambda env, v: Decimal(_as_date(env, v).day), _V),
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
                raise ExprError(f"{what} must be one of {', '.join(choices)}", value=_str(value))
            return _str(value)

        return choose
    return None
