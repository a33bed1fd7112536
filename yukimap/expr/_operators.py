"""What the operators mean on the values of expressions: + - * / on numbers (and on dates,
days added or between), & joins text as in Excel, comparisons, and what counts as true."""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from yukimap.expr._values import (
    _EXACT,
    CONTEXT,
    Env,
    ExprError,
    Value,
    _bounded,
    _is_number,
    _number,
    _shift,
    _str,
    _text_result,
    _whole_number,
)
from yukimap.i18n import tr

# The list after `in` is an operand too, and the left one of the comparison chained after it.
Operand = Value | list[Value]
Binary = Callable[[Value, Value, Env], Value]
Comparison = Callable[[Operand, Operand, Env], bool]


def _arith(op: Callable[[Decimal, Decimal], Decimal], sign: int = 0,
           ) -> Binary:
    """A binary operator on numbers; with a `sign`, it also adds to or subtracts from dates."""

    def apply(a: Value, b: Value, env: Env) -> Value:
        if isinstance(a, date) and sign:
            if isinstance(b, date):
                return Decimal((a - b).days)
            return _shift(a, sign * _whole_number(b, env, tr("the days added to a date"),
                                                  "days"))
        return _bounded(op(_number(a, env), _number(b, env)))

    return apply


def _join_text(a: Value, b: Value, env: Env) -> str:
    return _text_result(_str(a) + _str(b))


def _blank(value: object) -> bool:
    return value is None or value == ""


def _compare(op: Callable[[Any, Any], bool]) -> Comparison:
    """`op` is Python's own comparison (operator.lt), on whatever values it is given; an
    empty value as OPERATORS["empty cells"] says."""

    def apply(a: Operand, b: Operand, env: Env) -> bool:
        if op in (operator.eq, operator.ne) and (_blank(a) or _blank(b)):
            same = _blank(a) and _blank(b)  # an empty value equals only an empty value
            return same if op is operator.eq else not same
        if a is None or b is None:
            raise ExprError(tr("an empty value in a comparison"),
                            tr("test it with empty(x) first, or give it a value: coalesce(x, 0)"))
        if _is_number(a) or _is_number(b):
            return op(_number(a, env), _number(b, env))
        if isinstance(a, str) and isinstance(b, str):
            return op(str(a), str(b))
        return op(a, b)

    return apply


# What the operators do, for the reference (docs are made from it): one rule for an empty
# cell, here and in the column tests of conditions (schema.keys).
# i18n: documentation (docs/reference.md, English)
OPERATORS = (
    ("+ - * /", "arithmetic on numbers, exact (a column is read with the file's decimal"
                " mark); a date + or - a whole number of days; date - date: the days between"),
    ("&", "joins text, as in Excel: Order & '-' & Line"),
    ("== != < <= > >=", "compare numbers as numbers (when either side is a number), dates as"
                        " dates, text as text (case matters: lower() both sides to ignore it)"),
    ("in", "x in ['a', 'b']: x is one of the values"),
    ("and or not", "combine conditions; an empty value, '' and 0 count as false"),
    ("x if c else y", "x when c holds, else y"),
    ("empty cells", "an empty cell is no value: it equals only an empty value (x == '' and"
                    " empty(x) are true for it; x == 0 is false, x != 0 true); arithmetic and"
                    " < <= > >= with an empty cell are an error at its row (write"
                    " coalesce(x, 0) or test empty(x) first); & and join() take it as ''"),
)


_BINOPS: dict[type[ast.operator], Binary] = {
    ast.Add: _arith(_EXACT.add, sign=1),
    ast.Sub: _arith(_EXACT.subtract, sign=-1),
    ast.Mult: _arith(_EXACT.multiply),
    ast.Div: _arith(CONTEXT.divide),
    ast.FloorDiv: _arith(CONTEXT.divide_int),
    ast.Mod: _arith(CONTEXT.remainder),
    ast.BitAnd: _join_text,  # Excel's & joins text: Order & '-' & Line
}
_COMPARE: dict[type[ast.cmpop], Comparison] = {
    ast.Eq: _compare(operator.eq), ast.NotEq: _compare(operator.ne),
    ast.Lt: _compare(operator.lt), ast.LtE: _compare(operator.le),
    ast.Gt: _compare(operator.gt), ast.GtE: _compare(operator.ge),
}


def _truthy(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return False
    if isinstance(value, Decimal):
        return value != 0
    return True
