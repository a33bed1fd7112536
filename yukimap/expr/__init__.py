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

Whatever a mapping or a row holds, an expression ends in bounded time and memory (bounds in
yukimap/limits.py): its text, nesting and parts are bounded when it compiles; numbers keep
at most `number_digits` digits before the decimal mark and are exact in + - *; counts,
places and days are whole numbers in a range; texts stay under `text_chars`; regular
expressions run on RE2, which takes linear time. Every function has a signature in
FUNCTIONS, checked when the mapping loads. Anything that still goes wrong on a row is an
ExprError, a problem with that row's data.
"""

from __future__ import annotations

import ast
import operator
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
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
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    getcontext,
    setcontext,
)
from difflib import get_close_matches
from functools import lru_cache
from typing import Any, Protocol

import re2  # type: ignore[import-untyped]

from yukimap.limits import limits, over
from yukimap.values import BadValue, format_decimal, to_xml_text


class ExprError(Exception):
    """An expression that cannot be compiled, or fails on a row. `value` is the value that
    made it fail on this row, kept out of `cause` so that rows group by cause."""

    def __init__(self, cause: str, hint: str | None = None, value: str | None = None) -> None:
        super().__init__(cause)
        self.cause = cause
        self.hint = hint
        self.value = value


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

# Sums and products of numbers within `number_digits` digits stay exact (an inexact result
# is an error, never a silent rounding); a quotient keeps this many significant digits.
PRECISION = 60
CONTEXT = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN,
                  traps=[InvalidOperation, DivisionByZero, Overflow])
_EXACT = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN,
                 traps=[InvalidOperation, DivisionByZero, Overflow, Inexact])


@dataclass(frozen=True)
class Expr:
    source: str
    columns: frozenset[str]
    lets: frozenset[str]
    run: Compiled

    def evaluate(self, env: Env) -> Any:
        try:
            return self._run(env)
        except ExprError:
            raise
        except Exception as exc:  # noqa: BLE001 -- whatever a row holds is a data problem
            raise _row_error(exc) from None

    def _run(self, env: Env) -> Any:
        previous = getcontext()
        if previous is CONTEXT:  # in numbers_context(), or a let inside an expression
            return self.run(env)
        setcontext(CONTEXT)
        try:
            return self.run(env)
        finally:
            setcontext(previous)


def _row_error(exc: Exception) -> ExprError:
    """What went wrong on a row, whatever Python raised."""
    if isinstance(exc, BadValue):
        return ExprError(exc.cause, exc.hint)
    if isinstance(exc, ZeroDivisionError):  # decimal's DivisionByZero and 0/0 among them
        return ExprError("division by zero")
    if isinstance(exc, Overflow):
        return _too_large(None)
    if isinstance(exc, Inexact):
        return ExprError(f"the result needs more than {PRECISION} digits to be exact",
                         "round the values first with round()")
    if isinstance(exc, InvalidOperation):
        return ExprError("invalid arithmetic (e.g. 0/0)")
    if isinstance(exc, RecursionError):
        return ExprError("the expression and the let: values it uses nest too deeply",
                         "simplify the let: values")
    if isinstance(exc, MemoryError):
        return ExprError("the values are too large to compute")
    return ExprError(f"cannot compute it: {exc}", "check the values on these rows")


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


def compile_expr(source: str, lets: frozenset[str] = frozenset()) -> Expr:
    """Compile `source`; names in `lets` are `let:` values, other names are columns."""
    text = source.strip()
    if len(text) > limits().max_expr_chars:
        raise ExprError(*over("max_expr_chars", "the expression", f"{len(text):,} characters"))
    tree = _parse(text)
    _check_size(tree.body)
    compiler = _Compiler(text, lets)
    run = compiler.node(tree.body)
    return Expr(source, frozenset(compiler.columns), frozenset(compiler.used_lets), run)


def shorten(source: str, width: int = 60) -> str:
    """An expression's text for a message: the start of a long one."""
    source = source.strip()
    return source if len(source) <= width else source[: width - 1] + "…"


def _parse(text: str) -> ast.Expression:
    try:
        with warnings.catch_warnings():  # invalid escapes like '\d' warn; they stay as written
            warnings.simplefilter("ignore")
            return ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExprError(
            f"cannot read the expression: {exc.msg} at character {exc.offset}",
            "texts need quotes ('abc'); a column with spaces is col('Order date')",
        ) from None
    except (RecursionError, MemoryError):  # Python's own parser gave up on the nesting
        raise _too_deep() from None


def _check_size(body: ast.expr) -> None:
    """Bound the nesting and the parts before compiling: the compiler recurses."""
    bounds = limits()
    stack = [(body, 1)]
    parts = 0
    while stack:
        node, depth = stack.pop()
        parts += 1
        if depth > bounds.expr_depth:
            raise _too_deep()
        if parts > bounds.expr_nodes:
            raise ExprError(f"the expression has more than {bounds.expr_nodes:,} parts",
                            "split it into let: values")
        for child in ast.iter_child_nodes(node):
            inner = child.value if isinstance(child, ast.keyword) else child
            if isinstance(inner, ast.expr):
                stack.append((inner, depth + 1))


def _too_deep() -> ExprError:
    return ExprError(f"the expression nests more than {limits().expr_depth} levels deep",
                     "split it into let: values")


# --- values -----------------------------------------------------------------------------


def _too_large(value: Decimal | None) -> ExprError:
    return ExprError(f"a number is too large (more than {limits().number_digits} digits before"
                     " the decimal mark)", value=None if value is None else to_xml_text(value))


def _bounded(value: Decimal) -> Decimal:
    """`value`, if it has at most `number_digits` digits before the decimal mark. Every
    number that enters an expression (a cell, a let value, a literal) or that arithmetic
    makes is checked, so each operation works on numbers of a bounded size."""
    if (value and value.adjusted() >= limits().number_digits) or not value.is_finite():
        raise _too_large(value)
    return value


def _number(value: Any, env: Env) -> Decimal:
    if isinstance(value, bool):
        raise ExprError("a yes/no value is not a number")
    if isinstance(value, Decimal):
        return value  # checked where it came in, or where arithmetic made it
    if isinstance(value, int):
        return _bounded(Decimal(value))
    if isinstance(value, Cell):
        try:
            return _bounded(env.decimal(value))
        except BadValue as exc:
            raise ExprError(f"column '{value.column}': {exc.cause}", exc.hint, value) from None
        except ExprError as exc:
            raise ExprError(f"column '{value.column}': {exc.cause}", exc.hint, value) from None
    if value is None:
        raise ExprError("an empty value in arithmetic", "use coalesce(x, 0) for empty cells")
    raise ExprError("a text where a number is needed", "use decimal(...) to read a number",
                    _str(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, (Decimal, int)) and not isinstance(value, bool)


_DAYS = (date.max - date.min).days  # the widest step that can stay in the calendar


def _shift(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        raise ExprError("the date would be outside the years 1 to 9999") from None


def _arith(op: Callable[[Decimal, Decimal], Decimal], sign: int = 0,
           ) -> Callable[[Any, Any, Env], Any]:
    """A binary operator on numbers; with a `sign`, it also adds to or subtracts from dates."""

    def apply(a: Any, b: Any, env: Env) -> Any:
        if isinstance(a, date) and sign:
            if isinstance(b, date):
                return Decimal((a - b).days)
            return _shift(a, sign * _whole_number(b, env, "the days added to a date", "days"))
        return _bounded(op(_number(a, env), _number(b, env)))

    return apply


def _join_text(a: Any, b: Any, env: Env) -> str:
    return _text_result(_str(a) + _str(b))


def _text_result(text: str) -> str:
    _check_length(len(text))
    return text


def _check_length(length: int) -> None:
    if length > limits().text_chars:
        raise ExprError(f"the text would be longer than {limits().text_chars:,} characters",
                        "check how the expression makes its text grow (replace(), &, join())")


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
    ast.Add: _arith(_EXACT.add, sign=1),
    ast.Sub: _arith(_EXACT.subtract, sign=-1),
    ast.Mult: _arith(_EXACT.multiply),
    ast.Div: _arith(CONTEXT.divide),
    ast.FloorDiv: _arith(CONTEXT.divide_int),
    ast.Mod: _arith(CONTEXT.remainder),
    ast.BitAnd: _join_text,  # Excel's & joins text: Order & '-' & Line
}
_COMPARE = {
    ast.Eq: _compare(operator.eq), ast.NotEq: _compare(operator.ne),
    ast.Lt: _compare(operator.lt), ast.LtE: _compare(operator.le),
    ast.Gt: _compare(operator.gt), ast.GtE: _compare(operator.ge),
}
_CONSTANT_NAMES = {"true": True, "false": False, "null": None, "none": None}


# --- whole-number arguments -------------------------------------------------------------

# The range of each kind of whole-number argument; read when used, as limits() reads the
# environment.
_RANGES: dict[str, Callable[[], tuple[int, int]]] = {
    "places": lambda: (0, 10),
    "count": lambda: (0, limits().text_chars),
    "position": lambda: (1, limits().text_chars),
    "days": lambda: (-_DAYS, _DAYS),
}


def _whole_number(value: Any, env: Env, what: str, kind: str) -> int:
    low, high = _RANGES[kind]()
    number = _number(value, env)
    if number != number.to_integral_value() or not low <= number <= high:
        raise ExprError(f"{what} must be a whole number from {low:,} to {high:,}",
                        value=to_xml_text(number))
    return int(number)


# --- functions --------------------------------------------------------------------------

_ROUNDING = {
    "half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "half_down": ROUND_HALF_DOWN,
    "up": ROUND_UP, "down": ROUND_DOWN, "ceiling": ROUND_CEILING, "floor": ROUND_FLOOR,
}


def _round(env: Env, value: Any, places: int, mode: str) -> Decimal:
    return _bounded(_number(value, env).quantize(Decimal(1).scaleb(-places),
                                                 rounding=_ROUNDING[mode]))


def _text(env: Env, value: Any, places: int | None) -> str:
    if value is None:
        return ""
    if places is not None:
        return format_decimal(_number(value, env), places)
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
        raise ExprError(f"{where}{exc.cause}", exc.hint, str(value)) from None


def _let_value(value: Any) -> Any:
    """A let value read from a column can be any size: bound it as it comes in."""
    return _bounded(value) if isinstance(value, Decimal) else value


def _str(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else to_xml_text(value)


def _replace(env: Env, value: Any, old: Any, new: Any) -> str:
    text, old_text, new_text = _str(value), _str(old), _str(new)
    # Measure before building: replacing '' inserts `new` between every two characters.
    _check_length(len(text) + text.count(old_text) * (len(new_text) - len(old_text)))
    return text.replace(old_text, new_text)


def _end_of_month(env: Env, value: Any) -> date:
    d = _as_date(env, value)
    if d.month == 12:
        return date(d.year, 12, 31)
    return date(d.year, d.month + 1, 1) - timedelta(days=1)


def _coalesce(env: Env, *values: Any) -> Any:
    return next((v for v in values if v is not None and v != ""), None)


def _join(env: Env, separator: Any, *values: Any) -> str:
    parts = [_str(v) for v in values if v not in (None, "")]
    sep = _str(separator)
    _check_length(sum(map(len, parts)) + len(sep) * max(len(parts) - 1, 0))
    return sep.join(parts)


def _decimal(env: Env, value: Any) -> Decimal:
    return _number(value if not isinstance(value, str) or isinstance(value, Cell)
                   else Cell(value, "(text)"), env)


def _right(env: Env, value: Any, n: int) -> str:
    return _str(value)[-n:] if n else ""


def _mid(env: Env, value: Any, start: int, n: int) -> str:
    return _str(value)[start - 1:][:n]


# --- regular expressions (RE2: linear time, whatever the pattern and the text) -----------

RE2_HINT = ("yukimap's regular expressions (RE2) have no back-references (\\1) or look-arounds"
            " ((?=...)), so that no pattern can make it hang")


def compile_regex(pattern: str, ignore_case: bool = False) -> Any:
    """`pattern` compiled by RE2; an ExprError says why RE2 cannot take it."""
    options = re2.Options()
    options.log_errors = False  # RE2 would print its own message on stderr
    options.case_sensitive = not ignore_case
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0].decode(errors="replace") if exc.args else "invalid"
        raise ExprError(f"not a valid regular expression: {reason}", RE2_HINT, pattern) \
            from None


# A replacement text: pieces of text, each followed by a group reference (or None).
Template = tuple[tuple[str, int | str | None], ...]
_TEMPLATE = re.compile(r"\\(?:(\d{1,2})|g<([^>]*)>|(.)|$)", re.DOTALL)
_ESCAPES = {"\\": "\\", "n": "\n", "t": "\t"}


@lru_cache(maxsize=256)
def _substitution(pattern: str, replacement: str) -> tuple[Any, Template]:
    regex = compile_regex(pattern)
    return regex, _template(replacement, regex)


def _template(replacement: str, regex: Any) -> Template:
    """Python's replacement syntax: \\1 or \\g<name> for a group, \\\\ for a backslash."""
    pieces: list[tuple[str, int | str | None]] = []
    text, end = "", 0
    for found in _TEMPLATE.finditer(replacement):
        text += replacement[end:found.start()]
        end = found.end()
        number, name, other = found.groups()
        if other is not None or (number, name) == (None, None):
            if other not in _ESCAPES:
                raise ExprError("regex_replace(): the replacement has a backslash that is not"
                                " a group", "write \\1 or \\g<name> for a group, \\\\ for a"
                                " backslash", replacement)
            text += _ESCAPES[other]
            continue
        pieces.append((text, _group(number, name, regex, replacement)))
        text = ""
    pieces.append((text + replacement[end:], None))
    return tuple(pieces)


def _group(number: str | None, name: str | None, regex: Any, replacement: str) -> int | str:
    key: int | str = int(number) if number is not None else str(name)
    if isinstance(key, str) and key.isdigit():
        key = int(key)
    if key in regex.groupindex or (isinstance(key, int) and key <= regex.groups):
        return key
    cause = (f"regex_replace(): the replacement refers to group {key}, but the pattern has"
             f" {regex.groups}" if isinstance(key, int) else
             f"regex_replace(): the replacement refers to group '{key}', which the pattern"
             " does not name")
    raise ExprError(cause, "groups are numbered from 1 by their '('; \\g<name> names one",
                    replacement)


def _regex_replace(env: Env, value: Any, pattern: Any, replacement: Any) -> str:
    regex, template = _substitution(_str(pattern), _str(replacement))
    text = _str(value)
    out: list[str] = []
    size = end = 0
    for match in regex.finditer(text):
        piece = text[end:match.start()] + _expand(template, match)
        size += len(piece)
        _check_length(size)  # as it grows: each match can add the whole replacement
        out.append(piece)
        end = match.end()
    out.append(text[end:])
    return _text_result("".join(out))


def _expand(template: Template, match: Any) -> str:
    return "".join(literal + ("" if group is None else match[group] or "")
                   for literal, group in template)


# --- the function table -----------------------------------------------------------------

_REQUIRED: Any = object()


@dataclass(frozen=True)
class Param:
    """One argument of a function: required, or with a default; `whole` names the range of
    a whole-number argument (_RANGES), `choices` the texts it may be."""

    name: str
    default: Any = _REQUIRED
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
    run: Callable[..., Any]
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


def _p(name: str, default: Any = _REQUIRED, whole: str | None = None,
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
            number = self._number_literal(node)
            return lambda env: number
        raise ExprError(f"literal {value!r} is not allowed")

    def _number_literal(self, node: ast.Constant) -> Decimal:
        text = ast.get_source_segment(self.source, node) or str(node.value)
        try:
            number = Decimal(text)
        except InvalidOperation:  # 0x1F, 0o17: Python's, not a bookkeeper's
            raise ExprError(f"the number {text} is not a plain decimal number",
                            "write it in digits, e.g. 31") from None
        if number and number.adjusted() >= limits().number_digits:
            raise ExprError(f"the number {shorten(text, 30)} is too large (more than"
                            f" {limits().number_digits} digits before the decimal mark)")
        return number

    def _Name(self, node: ast.Name) -> Compiled:
        name = node.id
        if name in self.lets:
            self.used_lets.add(name)
            return lambda env: _let_value(env.let(name))
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
            right = (self._items(comparator) if isinstance(op, (ast.In, ast.NotIn))
                     and isinstance(comparator, (ast.List, ast.Tuple)) else self.node(comparator))
            steps.append((self._comparison(op), right))

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

    def _items(self, node: ast.List | ast.Tuple) -> Compiled:
        """The list after `in`: the only place a list can be (elsewhere it would become
        the text of a Python list, or a text as long as all its items)."""
        items = [self.node(e) for e in node.elts]
        return lambda env: [i(env) for i in items]

    def _List(self, node: ast.List | ast.Tuple) -> Compiled:
        raise ExprError("a list [...] can only follow 'in', as in: Code in ['A', 'B']")

    _Tuple = _List

    def _Call(self, node: ast.Call) -> Compiled:
        if not isinstance(node.func, ast.Name) or any(k.arg is None for k in node.keywords):
            raise ExprError("only plain function calls like round(x, 2) are allowed")
        name = node.func.id
        if name == "col":
            return self._col_call(node)
        function = FUNCTIONS.get(name)
        if function is None:
            near = get_close_matches(name, FUNCTIONS, n=1)
            hint = f"did you mean {near[0]}()?" if near else None
            raise ExprError(f"unknown function {name}()", hint)
        fixed, extra = function.bind(node.args, node.keywords)
        if name == "regex_replace":
            self._check_substitution(fixed)
        args = [self._argument(function, param, arg) for param, arg in zip(function.params, fixed)]
        args += [self.node(arg) for arg in extra]
        run = function.run

        def call(env: Env) -> Any:
            result = run(env, *(a(env) for a in args))
            return _text_result(result) if isinstance(result, str) else result

        return call

    def _argument(self, function: Function, param: Param, node: ast.expr | None) -> Compiled:
        """One argument, converted as its parameter says; a literal is checked now."""
        if node is None:
            default = param.default
            return lambda env: default
        compiled = self.node(node)
        check = _argument_check(function, param)
        if check is None:
            return compiled
        if _literal(node):  # checked now: a wrong literal is a mapping error
            value = check(compiled(_NO_ROW), _NO_ROW)
            return lambda env: value
        return lambda env: check(compiled(env), env)

    def _check_substitution(self, fixed: list[ast.expr | None]) -> None:
        pattern, replacement = fixed[1], fixed[2]
        if isinstance(pattern, ast.Constant) and isinstance(pattern.value, str):
            try:
                regex = compile_regex(pattern.value)
            except ExprError as exc:
                raise ExprError(f"regex_replace(): {exc.cause}", exc.hint) from None
            if isinstance(replacement, ast.Constant) and isinstance(replacement.value, str):
                _template(replacement.value, regex)

    def _col_call(self, node: ast.Call) -> Compiled:
        arg = node.args[0] if len(node.args) == 1 and not node.keywords else None
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            raise ExprError("col() takes one column name in quotes, e.g. col('Order date')")
        return self._column(arg.value)


def _argument_check(function: Function, param: Param) -> Callable[[Any, Env], Any] | None:
    what = f"{function.name}(): {param.name}"
    if param.whole is not None:
        kind = param.whole
        return lambda value, env: _whole_number(value, env, what, kind)
    if param.choices:
        choices = param.choices

        def choose(value: Any, env: Env) -> str:
            if _str(value) not in choices:
                raise ExprError(f"{what} must be one of {', '.join(choices)}", value=_str(value))
            return _str(value)

        return choose
    return None


def _literal(node: ast.expr) -> bool:
    """A number or a text written in the expression, perhaps with a minus sign."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return isinstance(node, ast.Constant)


class _NoRow:
    """The row of a literal checked when the mapping loads: it has no cells."""

    def cell(self, column: str) -> str | None:
        return None

    def let(self, name: str) -> Any:
        return None

    def decimal(self, text: str) -> Decimal:
        raise BadValue("not a number")

    def date(self, text: str, formats: tuple[str, ...]) -> date:
        raise BadValue("not a date")


_NO_ROW = _NoRow()


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return False
    if isinstance(value, Decimal):
        return value != 0
    return True
