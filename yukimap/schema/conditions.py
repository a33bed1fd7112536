"""Which rows: the conditions of skip_rows, skip_documents and an item's when:, and the
group_by that makes documents of rows; with the expressions they compile."""

from __future__ import annotations

from yukimap.errors import Where
from yukimap.expr import Expr, ExprError, compile_expr, compile_regex, shorten
from yukimap.i18n import tr
from yukimap.model import Condition, Grouping
from yukimap.schema.check import INVALID, Ctx, Key, Yaml, check_map, shown, text, text_list
from yukimap.schema.keys import CONDITION_KEYS, CONDITION_TESTS, GROUP_KEYS
from yukimap.yamlsrc import KeyPath


def check_conditions(value: Yaml, path: KeyPath, ctx: Ctx, lets: frozenset[str],
                     keys: tuple[Key, ...] = CONDITION_KEYS) -> tuple[Condition, ...] | None:
    """One condition or a list of them; None when any is wrong. `keys`: the condition keys
    of the place (in rules: tables, case is ignored by default)."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    base = path if not isinstance(value, list) else None
    out = [_condition(item, base or path + (i,), ctx, lets, keys)
           for i, item in enumerate(items)]
    checked = [c for c in out if c is not None]
    return tuple(checked) if len(checked) == len(out) else None


def _condition(value: Yaml, path: KeyPath, ctx: Ctx, lets: frozenset[str],
               keys: tuple[Key, ...]) -> Condition | None:
    raw = check_map(value, path, ctx, keys, tr("a condition"))
    if raw is INVALID:
        return None
    where = ctx.doc.where(path)
    tests = [t for t in CONDITION_TESTS if t in value]
    if raw["any"] is not None:
        return _any(raw["any"], value, path, ctx, lets, keys)
    if raw["expr"] is not None:
        if tests or raw["column"]:
            ctx.fail(path, tr("a condition has either expr: or column: with a test, not both"))
            return None
        expr = compiled(raw["expr"], path + ("expr",), ctx, lets)
        return None if expr is None else Condition("expr", expr=expr, where=where)
    if raw["column"] is None or len(tests) != 1:
        ctx.fail(path, tr("a condition needs column: and exactly one test"),
                 hint=tr("tests: {tests}; for several, make a list",
                         tests=", ".join(CONDITION_TESTS)))
        return None
    return _column_condition(raw, tests[0], path, ctx, where)


def _any(parts: Yaml, value: dict[str, Yaml], path: KeyPath, ctx: Ctx, lets: frozenset[str],
         keys: tuple[Key, ...]) -> Condition | None:
    """{any: [CONDITION, ...]}: holds when one of its conditions does."""
    if len(value) != 1 or not isinstance(parts, list) or not parts:
        ctx.fail(path, tr("any: takes a list of conditions and nothing else beside it"),
                 hint=tr("write {any: [CONDITION, CONDITION]}"))
        return None
    checked = check_conditions(parts, path + ("any",), ctx, lets, keys)
    if checked is None:
        return None
    return Condition("any", where=ctx.doc.where(path), parts=checked)


def _column_condition(raw: dict[str, Yaml], test: str, path: KeyPath, ctx: Ctx,
                      where: Where) -> Condition | None:
    operand = raw[test]
    if test in ("empty", "not_empty"):
        if operand is not True:
            ctx.fail(path + (test,), tr("write {test}: true", test=test), value=shown(operand))
            return None
    elif test in ("in", "not_in"):
        operand = text_list(operand, path + (test,), ctx)
    elif test == "matches":
        operand = text(operand, path + (test,), ctx)
        if operand is not INVALID:
            try:
                compile_regex(operand, raw["ignore_case"])
            except ExprError as exc:
                ctx.fail(path + (test,), exc.cause, exc.hint, value=operand)
                return None
    else:
        operand = text(operand, path + (test,), ctx)
    if operand is INVALID:
        return None
    return Condition(test, column=raw["column"], operand=operand, ignore_case=raw["ignore_case"],
                     where=where)


def check_grouping(value: Yaml, ctx: Ctx, lets: frozenset[str]) -> Grouping | None:
    if value is None:
        return None
    path: KeyPath = ("group_by",)
    raw = {"column": value} if isinstance(value, str) else value
    checked = check_map(raw, path, ctx, GROUP_KEYS, "group_by")
    if checked is INVALID:
        return None
    if (checked["column"] is None) == (checked["expr"] is None):
        ctx.fail(path, tr("group_by needs either column: or expr:"))
        return None
    expr = compiled(checked["expr"], path + ("expr",), ctx, lets) if checked["expr"] else None
    return Grouping(checked["column"], expr, checked["fill_down"], checked["on_conflict"],
                    ctx.doc.where(path))


def compiled(source: str, path: KeyPath, ctx: Ctx, lets: frozenset[str]) -> Expr | None:
    """The expression compiled, or None once its problem is reported."""
    try:
        return compile_expr(source, lets)
    except ExprError as exc:
        ctx.fail(path, exc.cause, exc.hint, value=shorten(source))
        return None
