"""The values of expressions: the error a row's values cause, what an expression sees of a
row, and the bounds every number and text keeps (the decimal context, the digits before the
decimal mark, the length of a text, the range of a whole-number argument)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    getcontext,
    setcontext,
)
from typing import Protocol

from yukimap.i18n import tr
from yukimap.limits import limits
from yukimap.values import BadValue, to_xml_text


class ExprError(Exception):
    """An expression that cannot be compiled, or fails on a row. `value` is the value that
    made it fail on this row, kept out of `cause` so that rows group by cause."""

    def __init__(self, cause: str, hint: str | None = None, value: str | None = None) -> None:
        super().__init__(cause)
        self.cause = cause
        self.hint = hint
        self.value = value


# What an expression computes: a number, a text (a Cell when read from a column), a date,
# yes or no, or nothing; an int is a whole-number argument, already checked.
Value = Decimal | int | str | date | bool | None


class Env(Protocol):
    """What an expression can see of one row."""

    def cell(self, column: str) -> str | None: ...
    def let(self, name: str) -> Value: ...
    def decimal(self, text: str) -> Decimal: ...
    def date(self, text: str, formats: tuple[str, ...]) -> date: ...


class Cell(str):
    """Text read from a column; remembers the column for arithmetic and messages."""

    column: str

    def __new__(cls, text: str, column: str) -> Cell:
        cell = super().__new__(cls, text)
        cell.column = column
        return cell


# Sums and products of numbers within `number_digits` digits stay exact (an inexact result
# is an error, never a silent rounding); a quotient keeps this many significant digits.
PRECISION = 60
CONTEXT = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN,
                  traps=[InvalidOperation, DivisionByZero, Overflow])
_EXACT = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN,
                 traps=[InvalidOperation, DivisionByZero, Overflow, Inexact])


def _row_error(exc: Exception) -> ExprError:
    """What went wrong on a row, whatever Python raised."""
    if isinstance(exc, BadValue):
        return ExprError(exc.cause, exc.hint)
    if isinstance(exc, ZeroDivisionError):  # decimal's DivisionByZero and 0/0 among them
        return ExprError(tr("division by zero"))
    if isinstance(exc, Overflow):
        return _too_large(None)
    if isinstance(exc, Inexact):
        return ExprError(tr("the result needs more than {digits} digits to be exact",
                            digits=PRECISION),
                         tr("round the values first with round()"))
    if isinstance(exc, InvalidOperation):
        return ExprError(tr("invalid arithmetic (e.g. 0/0)"))
    if isinstance(exc, RecursionError):
        return ExprError(tr("the expression and the let: values it uses nest too deeply"),
                         tr("simplify the let: values"))
    if isinstance(exc, MemoryError):
        return ExprError(tr("the values are too large to compute"))
    return ExprError(tr("cannot compute it: {reason}", reason=exc),
                     tr("check the values on these rows"))


@contextmanager
def numbers_context() -> Iterator[None]:
    """The decimal context of expressions, for a loop over many rows: switched once, and
    to the context itself, not a copy (as decimal.localcontext would make)."""
    previous = getcontext()
    setcontext(CONTEXT)
    try:
        yield
    finally:
        setcontext(previous)


# --- numbers ----------------------------------------------------------------------------


def _too_large(value: Decimal | None) -> ExprError:
    return ExprError(tr("a number is too large (more than {digits} digits before the decimal"
                        " mark)", digits=limits().number_digits),
                     value=None if value is None else to_xml_text(value))


def _bounded(value: Decimal) -> Decimal:
    """`value`, if it has at most `number_digits` digits before the decimal mark. Every
    number that enters an expression (a cell, a let value, a literal) or that arithmetic
    makes is checked, so each operation works on numbers of a bounded size."""
    if (value and value.adjusted() >= limits().number_digits) or not value.is_finite():
        raise _too_large(value)
    return value


def _number(value: object, env: Env) -> Decimal:
    if isinstance(value, bool):
        raise ExprError(tr("a yes/no value is not a number"))
    if isinstance(value, Decimal):
        return value  # checked where it came in, or where arithmetic made it
    if isinstance(value, int):
        return _bounded(Decimal(value))
    if isinstance(value, Cell):
        try:
            return _bounded(env.decimal(value))
        except BadValue as exc:
            raise ExprError(tr("column '{column}': {cause}", column=value.column,
                               cause=exc.cause), exc.hint, value) from None
        except ExprError as exc:
            raise ExprError(tr("column '{column}': {cause}", column=value.column,
                               cause=exc.cause), exc.hint, value) from None
    if value is None:
        raise ExprError(tr("an empty value in arithmetic"),
                        tr("use coalesce(x, 0) for empty cells"))
    raise ExprError(tr("a text where a number is needed"), tr("use decimal(...) to read a number"),
                    _str(value))


def _is_number(value: object) -> bool:
    return isinstance(value, (Decimal, int)) and not isinstance(value, bool)


_DAYS = (date.max - date.min).days  # the widest step that can stay in the calendar


def _shift(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        raise ExprError(tr("the date would be outside the years 1 to 9999")) from None


# --- texts ------------------------------------------------------------------------------


def _text_result(text: str) -> str:
    _check_length(len(text))
    return text


def _check_length(length: int) -> None:
    if length > limits().text_chars:
        raise ExprError(tr("the text would be longer than {bound} characters",
                           bound=f"{limits().text_chars:,}"),
                        tr("check how the expression makes its text grow (replace(), &, join())"))


def _str(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else to_xml_text(value)


# --- whole-number arguments -------------------------------------------------------------

# The range of each kind of whole-number argument; read when used, as limits() reads the
# environment.
_RANGES: dict[str, Callable[[], tuple[int, int]]] = {
    "places": lambda: (0, 10),
    "count": lambda: (0, limits().text_chars),
    "position": lambda: (1, limits().text_chars),
    "days": lambda: (-_DAYS, _DAYS),
}


def _whole_number(value: Value, env: Env, what: str, kind: str) -> int:
    low, high = _RANGES[kind]()
    number = _number(value, env)
    if number != number.to_integral_value() or not low <= number <= high:
        raise ExprError(tr("{what} must be a whole number from {low} to {high}", what=what,
                           low=f"{low:,}", high=f"{high:,}"),
                        value=to_xml_text(number))
    return int(number)
