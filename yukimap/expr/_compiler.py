"""The compiler: an expression's text, parsed by `ast` and bounded in size and nesting,
into closures of a row (Expr), with the operators, the functions and nothing else."""

from __future__ import annotations

import ast
import operator
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation, getcontext, setcontext
from difflib import get_close_matches

from yukimap.expr._functions import _REQUIRED, FUNCTIONS, Function, Param, _argument_check
from yukimap.expr._operators import _BINOPS, _COMPARE, Comparison, Operand, _compare, _truthy
from yukimap.expr._regex import _template, compile_regex
from yukimap.expr._values import (
    CONTEXT,
    Cell,
    Env,
    ExprError,
    Value,
    _bounded,
    _number,
    _row_error,
    _str,
    _text_result,
)
from yukimap.i18n import tr
from yukimap.limits import limits, over
from yukimap.values import BadValue

Compiled = Callable[[Env], Value]


# A text joined of literal texts and columns (`'Order ' & Order`): each part is (True, a
# column's name) or (False, a literal text); a column's empty cell joins as "".
Joined = tuple[tuple[bool, str], ...]


@dataclass(frozen=True)
class Expr:
    source: str
    columns: frozenset[str]
    lets: frozenset[str]
    run: Compiled
    joined: Joined | None = None  # the parts, when the expression is only such a join

    def evaluate(self, env: Env) -> Value:
        try:
            return self._run(env)
        except ExprError:
            raise
        except Exception as exc:  # noqa: BLE001 -- whatever a row holds is a data problem
            raise _row_error(exc) from None

    def _run(self, env: Env) -> Value:
        previous = getcontext()
        if previous is CONTEXT:  # in numbers_context(), or a let inside an expression
            return self.run(env)
        setcontext(CONTEXT)
        try:
            return self.run(env)
        finally:
            setcontext(previous)


def compile_expr(source: str, lets: frozenset[str] = frozenset()) -> Expr:
    """Compile `source`; names in `lets` are `let:` values, other names are columns."""
    text = source.strip()
    if len(text) > limits().max_expr_chars:
        raise ExprError(*over("max_expr_chars", tr("the expression"),
                              tr("{count} characters", count=f"{len(text):,}")))
    tree = _parse(text)
    _check_size(tree.body)
    compiler = _Compiler(text, lets)
    run = compiler.node(tree.body)
    joined = _joined(tree.body, lets) if isinstance(tree.body, ast.BinOp) else None
    return Expr(source, frozenset(compiler.columns), frozenset(compiler.used_lets), run, joined)


def _joined(node: ast.expr, lets: frozenset[str]) -> Joined | None:
    """The parts of a join (&) of literal texts and columns, or None when it is more."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd):
        left, right = _joined(node.left, lets), _joined(node.right, lets)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return ((False, node.value),)
    if (isinstance(node, ast.Name) and node.id not in lets
            and node.id.lower() not in _CONSTANT_NAMES):
        return ((True, node.id),)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "col"
            and len(node.args) == 1 and not node.keywords
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
        return ((True, node.args[0].value),)
    return None


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
            tr("cannot read the expression: {reason} at character {offset}", reason=exc.msg,
               offset=exc.offset),
            tr("texts need quotes ('abc'); a column with spaces is col('Order date')"),
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
            raise ExprError(tr("the expression has more than {bound} parts",
                               bound=f"{bounds.expr_nodes:,}"),
                            tr("split it into let: values"))
        for child in ast.iter_child_nodes(node):
            inner = child.value if isinstance(child, ast.keyword) else child
            if isinstance(inner, ast.expr):
                stack.append((inner, depth + 1))


def _too_deep() -> ExprError:
    return ExprError(tr("the expression nests more than {bound} levels deep",
                        bound=limits().expr_depth),
                     tr("split it into let: values"))


_CONSTANT_NAMES = {"true": True, "false": False, "null": None, "none": None}


def _let_value(value: Value) -> Value:
    """A let value read from a column can be any size: bound it as it comes in."""
    return _bounded(value) if isinstance(value, Decimal) else value


class _Compiler:
    def __init__(self, source: str, lets: frozenset[str]) -> None:
        self.source = source
        self.lets = lets
        self.columns: set[str] = set()
        self.used_lets: set[str] = set()

    def node(self, node: ast.expr) -> Compiled:
        method: Callable[[ast.expr], Compiled] | None = getattr(
            self, f"_{type(node).__name__}", None)
        if method is None:
            raise ExprError(
                tr("'{part}' is not allowed in an expression",
                   part=ast.get_source_segment(self.source, node) or type(node).__name__),
                tr("use literals, column names, + - * /, comparisons, and/or/not,"
                   " 'a if test else b', and the functions listed in the docs"),
            )
        return method(node)

    def _Constant(self, node: ast.Constant) -> Compiled:
        value = node.value
        if isinstance(value, bool) or value is None or isinstance(value, str):
            return lambda env: value
        if isinstance(value, (int, float)):
            number = self._number_literal(node)
            return lambda env: number
        raise ExprError(tr("literal {value} is not allowed", value=repr(value)))

    def _number_literal(self, node: ast.Constant) -> Decimal:
        text = ast.get_source_segment(self.source, node) or str(node.value)
        try:
            number = Decimal(text)
        except InvalidOperation:  # 0x1F, 0o17: Python's, not a bookkeeper's
            raise ExprError(tr("the number {number} is not a plain decimal number", number=text),
                            tr("write it in digits, e.g. 31")) from None
        if number and number.adjusted() >= limits().number_digits:
            raise ExprError(tr("the number {number} is too large (more than {digits} digits"
                               " before the decimal mark)", number=shorten(text, 30),
                               digits=limits().number_digits))
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

        def read(env: Env) -> Value:
            text = env.cell(name)
            return None if text is None else Cell(text, name)

        return read

    def _BinOp(self, node: ast.BinOp) -> Compiled:
        apply = _BINOPS.get(type(node.op))
        if apply is None:
            raise ExprError(tr("operator {operator} is not allowed",
                               operator=type(node.op).__name__))
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
        raise ExprError(tr("operator {operator} is not allowed", operator="~"))

    def _BoolOp(self, node: ast.BoolOp) -> Compiled:
        parts = [self.node(v) for v in node.values]
        if isinstance(node.op, ast.And):
            return lambda env: all(_truthy(p(env)) for p in parts)
        return lambda env: any(_truthy(p(env)) for p in parts)

    def _Compare(self, node: ast.Compare) -> Compiled:
        first = self.node(node.left)
        steps: list[tuple[Comparison, Callable[[Env], Operand]]] = []
        for op, comparator in zip(node.ops, node.comparators):
            right: Callable[[Env], Operand] = (
                self._items(comparator) if isinstance(op, (ast.In, ast.NotIn))
                and isinstance(comparator, (ast.List, ast.Tuple)) else self.node(comparator))
            steps.append((self._comparison(op), right))

        def compare(env: Env) -> bool:
            left: Operand = first(env)
            for apply, right_fn in steps:
                right = right_fn(env)
                if not apply(left, right, env):
                    return False
                left = right
            return True

        return compare

    def _comparison(self, op: ast.cmpop) -> Comparison:
        if isinstance(op, (ast.In, ast.NotIn)):
            negate = isinstance(op, ast.NotIn)

            def contains(a: Operand, b: Operand, env: Env) -> bool:
                if isinstance(b, (list, tuple)):
                    found = any(_compare(operator.eq)(a, item, env) for item in b)
                else:
                    found = _str(a) in _str(b)
                return found != negate

            return contains
        apply = _COMPARE.get(type(op))
        if apply is None:
            raise ExprError(tr("comparison {comparison} is not allowed",
                               comparison=type(op).__name__))
        return apply

    def _IfExp(self, node: ast.IfExp) -> Compiled:
        test, body, orelse = self.node(node.test), self.node(node.body), self.node(node.orelse)
        return lambda env: body(env) if _truthy(test(env)) else orelse(env)

    def _items(self, node: ast.List | ast.Tuple) -> Callable[[Env], list[Value]]:
        """The list after `in`: the only place a list can be (elsewhere it would become
        the text of a Python list, or a text as long as all its items)."""
        items = [self.node(e) for e in node.elts]
        return lambda env: [i(env) for i in items]

    def _List(self, node: ast.List | ast.Tuple) -> Compiled:
        raise ExprError(tr("a list [...] can only follow 'in', as in: Code in ['A', 'B']"))

    _Tuple = _List

    def _Call(self, node: ast.Call) -> Compiled:
        if not isinstance(node.func, ast.Name) or any(k.arg is None for k in node.keywords):
            raise ExprError(tr("only plain function calls like round(x, 2) are allowed"))
        name = node.func.id
        if name == "col":
            return self._col_call(node)
        function = FUNCTIONS.get(name)
        if function is None:
            near = get_close_matches(name, FUNCTIONS, n=1)
            hint = tr("did you mean {name}()?", name=near[0]) if near else None
            raise ExprError(tr("unknown function {name}()", name=name), hint)
        fixed, extra = function.bind(node.args, node.keywords)
        if name == "regex_replace":
            self._check_substitution(fixed)
        args = [self._argument(function, param, arg) for param, arg in zip(function.params, fixed)]
        args += [self.node(arg) for arg in extra]
        run = function.run

        def call(env: Env) -> Value:
            result = run(env, *(a(env) for a in args))
            return _text_result(result) if isinstance(result, str) else result

        return call

    def _argument(self, function: Function, param: Param, node: ast.expr | None) -> Compiled:
        """One argument, converted as its parameter says; a literal is checked now."""
        if node is None:
            default = param.default
            assert default is not _REQUIRED, "bind() refuses a call without it"  # i18n: a bug
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
            raise ExprError(tr("col() takes one column name in quotes, e.g. col('Order date')"))
        return self._column(arg.value)

def _literal(node: ast.expr) -> bool:
    """A number or a text written in the expression, perhaps with a minus sign."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return isinstance(node, ast.Constant)


class _NoRow:
    """The row of a literal checked when the mapping loads: it has no cells."""

    def cell(self, column: str) -> str | None:
        return None

    def let(self, name: str) -> Value:
        return None

    def decimal(self, text: str) -> Decimal:
        raise BadValue(tr("not a number"), kind="number")

    def date(self, text: str, formats: tuple[str, ...]) -> date:
        raise BadValue(tr("not a date"))


_NO_ROW = _NoRow()
