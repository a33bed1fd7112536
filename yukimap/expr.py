"""A small, safe expression language for computed fields, e.g.

    expr: "round(Price * Qty * 1.21, 2)"
    expr: "upper(left(col('Customer name'), 3)) & '-' & Order"
    expr: "'Cash' if Payment == 'contant' else 'ElectronicTransfer'"

It is Python's expression syntax, parsed with `ast` and compiled into closures; only
literals, names, arithmetic, comparisons, `and`/`or`/`not`, `x if c else y`, `in` and the
functions in FUNCTIONS are allowed: no attributes, no subscripts, no imports, no loops.
Numbers are Decimal, never float: the literal 1.21 is Decimal("1.21"). A bare name is a
`let:` value if one has that name, else a column; `col("Order date")` reads a column whose
name is not a plain word. Column values are text; + - * / always mean numbers (a column is
read with the file's decimal mark, and a value that is not a number is an error), and `&`
joins text, as in Excel.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
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
    DivisionByZero,
    InvalidOperation,
)
from typing import Any, Protocol

from yukimap.values import BadValue, format_decimal, to_xml_text


class ExprError(Exception):
    """An expression that cannot be compiled, or fails on a row."""

    def __init__(self, cause: str, hint: str | None = None) -> None:
        super().__init__(cause)
        self.cause = cause
        self.hint = hint


class Env(Protocol):
    """What an expression can see of one row."""

    def cell(self, column: str) -> str | None: ...
    def let(self, name: str) -> Any: ...
    def decimal(self, text: str) -> Decimal: ...
    def date(self, text: str, formats: tuple[str, ...]) -> date: ...


class Cell(str):
    """Text read from a column; remembers the column for arithmetic and messages."""

    column: str

    def __new__(cls, text: str, column: str) -> Cell:
        cell = super().__new__(cls, text)
        cell.column = column
        return cell


Compiled = Callable[[Env], Any]


@dataclass(frozen=True)
class Expr:
    source: str
    columns: frozenset[str]
    lets: frozenset[str]
    run: Compiled

    def evaluate(self, env: Env) -> Any:
        try:
            return self.run(env)
        except ExprError:
            raise
        except BadValue as exc:
            raise ExprError(exc.cause, exc.hint) from None
        except (DivisionByZero, ZeroDivisionError):
            raise ExprError("division by zero") from None
        except InvalidOperation:
            raise ExprError("invalid arithmetic (e.g. 0/0)") from None


def compile_expr(source: str, lets: frozenset[str] = frozenset()) -> Expr:
    """Compile `source`; names in `lets` are `let:` values, other names are columns."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExprError(
            f"cannot read the expression: {exc.msg} at character {exc.offset}",
            "texts need quotes ('abc'); a column with spaces is col('Order date')",
        ) from None
    compiler = _Compiler(source.strip(), lets)
    run = compiler.node(tree.body)
    return Expr(source, frozenset(compiler.columns), frozenset(compiler.used_lets), run)


# --- values -----------------------------------------------------------------------------


def _number(value: Any, env: Env) -> Decimal:
    if isinstance(value, bool):
        raise ExprError("a yes/no value is not a number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Cell):
        try:
            return env.decimal(value)
        except BadValue as exc:
            raise ExprError(f"column '{value.column}': '{value}' is {exc.cause}", exc.hint) from None
    if value is None:
        raise ExprError("an empty value in arithmetic", "use coalesce(x, 0) for empty cells")
    raise ExprError(f"'{value}' is text, not a number", "use decimal(...) to read a number")


def _is_number(value: Any) -> bool:
    return isinstance(value, (Decimal, int)) and not isinstance(value, bool)


def _arith(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any, Env], Any]:
    def apply(a: Any, b: Any, env: Env) -> Any:
        if isinstance(a, date) and op in (operator.add, operator.sub):
            if isinstance(b, date):
                return Decimal((a - b).days)
            return a + timedelta(days=int(op(0, _number(b, env))))
        return op(_number(a, env), _number(b, env))

    return apply


def _join_text(a: Any, b: Any, env: Env) -> str:
    return _str(a) + _str(b)


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any, Env], bool]:
    def apply(a: Any, b: Any, env: Env) -> bool:
        if _is_number(a) or _is_number(b):
            if a is None or b is None:
                return op is operator.ne
            return op(_number(a, env), _number(b, env))
        if isinstance(a, str) and isinstance(b, str):
            return op(str(a), str(b))
        if op in (operator.eq, operator.ne):
            return op(a, b)
        if a is None or b is None:
            raise ExprError("an empty value in a comparison", "test it with empty(x) first")
        return op(a, b)

    return apply


_BINOPS = {
    ast.Add: _arith(operator.add),
    ast.Sub: _arith(operator.sub),
    ast.Mult: _arith(operator.mul),
    ast.Div: _arith(operator.truediv),
    ast.FloorDiv: _arith(operator.floordiv),
    ast.Mod: _arith(operator.mod),
    ast.BitAnd: _join_text,  # Excel's & joins text: Order & '-' & Line
}
_COMPARE = {
    ast.Eq: _compare(operator.eq), ast.NotEq: _compare(operator.ne),
    ast.Lt: _compare(operator.lt), ast.LtE: _compare(operator.le),
    ast.Gt: _compare(operator.gt), ast.GtE: _compare(operator.ge),
}
_CONSTANT_NAMES = {"true": True, "false": False, "null": None, "none": None}


# --- functions --------------------------------------------------------------------------

_ROUNDING = {
    "half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "half_down": ROUND_HALF_DOWN,
    "up": ROUND_UP, "down": ROUND_DOWN, "ceiling": ROUND_CEILING, "floor": ROUND_FLOOR,
}


def _round(env: Env, value: Any, places: Any = 2, mode: Any = "half_up") -> Decimal:
    if str(mode) not in _ROUNDING:
        raise ExprError(f"unknown rounding mode '{mode}'", f"use one of {', '.join(_ROUNDING)}")
    exponent = Decimal(1).scaleb(-int(_number(places, env)))
    return _number(value, env).quantize(exponent, rounding=_ROUNDING[str(mode)])


def _text(env: Env, value: Any, places: Any = None) -> str:
    if value is None:
        return ""
    if places is not None:
        return format_decimal(_number(value, env), int(_number(places, env)))
    return to_xml_text(value)


def _as_date(env: Env, value: Any, *formats: Any) -> date:
    if isinstance(value, date):
        return value
    if value is None:
        raise ExprError("an empty value where a date is needed")
    try:
        return env.date(str(value), tuple(str(f) for f in formats))
    except BadValue as exc:
        where = f"column '{value.column}': " if isinstance(value, Cell) else ""
        raise ExprError(f"{where}'{value}' is {exc.cause}", exc.hint) from None


def _str(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else to_xml_text(value)


def _regex_replace(env: Env, value: Any, pattern: Any, repl: Any) -> str:
    try:
        return re.sub(str(pattern), str(repl), _str(value))
    except re.error as exc:
        raise ExprError(f"bad regular expression: {exc}") from None


def _end_of_month(env: Env, value: Any) -> date:
    d = _as_date(env, value)
    first_next = date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _coalesce(env: Env, *values: Any) -> Any:
    return next((v for v in values if v is not None and v != ""), None)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "decimal": lambda env, v: _number(v if not isinstance(v, str) or isinstance(v, Cell)
                                      else Cell(v, "(text)"), env),
    "number": lambda env, v: FUNCTIONS["decimal"](env, v),
    "date": _as_date,
    "text": _text,
    "round": _round,
    "abs": lambda env, v: abs(_number(v, env)),
    "min": lambda env, *vs: min(_number(v, env) for v in vs),
    "max": lambda env, *vs: max(_number(v, env) for v in vs),
    "upper": lambda env, v: _str(v).upper(),
    "lower": lambda env, v: _str(v).lower(),
    "title": lambda env, v: _str(v).title(),
    "strip": lambda env, v: _str(v).strip(),
    "len": lambda env, v: Decimal(len(_str(v))),
    "left": lambda env, v, n: _str(v)[: int(_number(n, env))],
    "right": lambda env, v, n: _str(v)[-int(_number(n, env)):] if int(_number(n, env)) else "",
    "mid": lambda env, v, start, n: _str(v)[int(_number(start, env)) - 1:][: int(_number(n, env))],
    "replace": lambda env, v, old, new: _str(v).replace(_str(old), _str(new)),
    "regex_replace": _regex_replace,
    "contains": lambda env, v, part: _str(part) in _str(v),
    "starts_with": lambda env, v, part: _str(v).startswith(_str(part)),
    "ends_with": lambda env, v, part: _str(v).endswith(_str(part)),
    "empty": lambda env, v: v is None or v == "",
    "coalesce": _coalesce,
    "join": lambda env, sep, *vs: _str(sep).join(_str(v) for v in vs if v not in (None, "")),
    "format_date": lambda env, v, fmt: _as_date(env, v).strftime(_str(fmt)),
    "add_days": lambda env, v, n: _as_date(env, v) + timedelta(days=int(_number(n, env))),
    "end_of_month": _end_of_month,
    "year": lambda env, v: Decimal(_as_date(env, v).year),
    "month": lambda env, v: Decimal(_as_date(env, v).month),
    "day": lambda env, v: Decimal(_as_date(env, v).day),
}


# --- compiler ---------------------------------------------------------------------------


class _Compiler:
    def __init__(self, source: str, lets: frozenset[str]) -> None:
        self.source = source
        self.lets = lets
        self.columns: set[str] = set()
        self.used_lets: set[str] = set()

    def node(self, node: ast.expr) -> Compiled:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise ExprError(
                f"'{ast.get_source_segment(self.source, node) or type(node).__name__}'"
                " is not allowed in an expression",
                "use literals, column names, + - * /, comparisons, and/or/not,"
                " 'a if test else b', and the functions listed in the docs",
            )
        return method(node)  # type: ignore[no-any-return]

    def _Constant(self, node: ast.Constant) -> Compiled:
        value = node.value
        if isinstance(value, bool) or value is None or isinstance(value, str):
            return lambda env: value
        if isinstance(value, (int, float)):
            number = Decimal(ast.get_source_segment(self.source, node) or str(value))
            return lambda env: number
        raise ExprError(f"literal {value!r} is not allowed")

    def _Name(self, node: ast.Name) -> Compiled:
        name = node.id
        if name in self.lets:
            self.used_lets.add(name)
            return lambda env: env.let(name)
        if name.lower() in _CONSTANT_NAMES:
            constant = _CONSTANT_NAMES[name.lower()]
            return lambda env: constant
        return self._column(name)

    def _column(self, name: str) -> Compiled:
        self.columns.add(name)

        def read(env: Env) -> Any:
            text = env.cell(name)
            return None if text is None else Cell(text, name)

        return read

    def _BinOp(self, node: ast.BinOp) -> Compiled:
        apply = _BINOPS.get(type(node.op))
        if apply is None:
            raise ExprError(f"operator {type(node.op).__name__} is not allowed")
        left, right = self.node(node.left), self.node(node.right)
        return lambda env: apply(left(env), right(env), env)

    def _UnaryOp(self, node: ast.UnaryOp) -> Compiled:
        operand = self.node(node.operand)
        if isinstance(node.op, ast.Not):
            return lambda env: not _truthy(operand(env))
        if isinstance(node.op, ast.USub):
            return lambda env: -_number(operand(env), env)
        if isinstance(node.op, ast.UAdd):
            return lambda env: _number(operand(env), env)
        raise ExprError("operator ~ is not allowed")

    def _BoolOp(self, node: ast.BoolOp) -> Compiled:
        parts = [self.node(v) for v in node.values]
        if isinstance(node.op, ast.And):
            return lambda env: all(_truthy(p(env)) for p in parts)
        return lambda env: any(_truthy(p(env)) for p in parts)

    def _Compare(self, node: ast.Compare) -> Compiled:
        first = self.node(node.left)
        steps = []
        for op, comparator in zip(node.ops, node.comparators):
            steps.append((self._comparison(op), self.node(comparator)))

        def compare(env: Env) -> bool:
            left = first(env)
            for apply, right_fn in steps:
                right = right_fn(env)
                if not apply(left, right, env):
                    return False
                left = right
            return True

        return compare

    def _comparison(self, op: ast.cmpop) -> Callable[[Any, Any, Env], bool]:
        if isinstance(op, (ast.In, ast.NotIn)):
            negate = isinstance(op, ast.NotIn)

            def contains(a: Any, b: Any, env: Env) -> bool:
                if isinstance(b, (list, tuple)):
                    found = any(_compare(operator.eq)(a, item, env) for item in b)
                else:
                    found = _str(a) in _str(b)
                return found != negate

            return contains
        apply = _COMPARE.get(type(op))
        if apply is None:
            raise ExprError(f"comparison {type(op).__name__} is not allowed")
        return apply

    def _IfExp(self, node: ast.IfExp) -> Compiled:
        test, body, orelse = self.node(node.test), self.node(node.body), self.node(node.orelse)
        return lambda env: body(env) if _truthy(test(env)) else orelse(env)

    def _List(self, node: ast.List | ast.Tuple) -> Compiled:
        items = [self.node(e) for e in node.elts]
        return lambda env: [i(env) for i in items]

    _Tuple = _List

    def _Call(self, node: ast.Call) -> Compiled:
        if not isinstance(node.func, ast.Name) or node.keywords:
            raise ExprError("only plain function calls like round(x, 2) are allowed")
        name = node.func.id
        if name == "col":
            return self._col_call(node)
        function = FUNCTIONS.get(name)
        if function is None:
            from difflib import get_close_matches

            near = get_close_matches(name, FUNCTIONS, n=1)
            hint = f"did you mean {near[0]}()?" if near else None
            raise ExprError(f"unknown function {name}()", hint)
        args = [self.node(a) for a in node.args]
        return lambda env: function(env, *(a(env) for a in args))

    def _col_call(self, node: ast.Call) -> Compiled:
        arg = node.args[0] if len(node.args) == 1 else None
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            raise ExprError("col() takes one column name in quotes, e.g. col('Order date')")
        return self._column(arg.value)


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return False
    if isinstance(value, Decimal):
        return value != 0
    return True
