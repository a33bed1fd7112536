"""One field of a mapping (an output element, or a `let` value) checked into a FieldSpec:
its one value source, then its modifiers, each checked against the element it fills."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yukimap.documents import ADMINISTRATION_FIELDS, Element, Empty, Kind, administration_problem
from yukimap.expr import Expr
from yukimap.i18n import N_, tr
from yukimap.model import (
    Blank,
    Column,
    Constant,
    DebitCredit,
    Expression,
    FieldSpec,
    Lookup,
    Rule,
    Rules,
    Sign,
    ValueSource,
)
from yukimap.placeholders import field_todos
from yukimap.schema.check import INVALID, Ctx, Yaml, as_text, check_map, shown
from yukimap.schema.conditions import check_conditions, compiled
from yukimap.schema.keys import FIELD_KEYS, RULE_CONDITION_KEYS, RULE_KEYS, SIGN_KEYS
from yukimap.schema.source import check_locale
from yukimap.values import (
    BadValue,
    Locale,
    parse_boolean,
    parse_date,
    parse_integer,
    parse_written_number,
    to_xml_text,
)
from yukimap.yamlsrc import KeyPath


@dataclass(frozen=True)
class FieldEnv:
    """What every field of a mapping needs to know while it is checked."""

    ctx: Ctx
    locale: Locale  # the source's; a field may change it for itself
    empty: Empty  # empty_fields: what an empty value of a clearable element sends
    let_names: frozenset[str]  # the `let` values its expressions may use


def check_field(env: FieldEnv, raw: Yaml, path: KeyPath, element: Element | None,
                out_path: tuple[str, ...]) -> FieldSpec | None:
    """The field at `path` (a map of keys, or a constant); None once its problems are
    reported."""
    ctx = env.ctx
    short = not isinstance(raw, dict)
    if not isinstance(raw, dict):
        if raw is None:
            ctx.fail(path, tr("no value given"),
                     hint=tr("write column: NAME, value: TEXT or expr:"))
            return None
        raw = {"value": raw}
    todos = field_todos(raw, element, ".".join(out_path))  # a starter's TODOs, unfilled
    for sub, cause, fix in todos:
        ctx.fail(path if short else path + sub, cause, fix)
    if todos:
        return None
    checked = check_map(raw, path, ctx, FIELD_KEYS, tr("a field"), extra=f" ({'.'.join(out_path)})")
    if checked is INVALID:
        return None
    kind = _kind(ctx, checked, path, element)
    locale = check_locale(checked, path, ctx, env.locale)
    return _spec(env, checked, path, element, out_path, kind, locale)


def _kind(ctx: Ctx, checked: dict[str, Any], path: KeyPath, element: Element | None) -> Kind:
    declared: Kind | None = checked["type"]
    if element is None:
        return declared or "text"
    assert element.kind is not None  # a leaf element: groups are sections
    if declared and declared != element.kind:
        ctx.fail(path + ("type",),
                 tr("Yuki's {name} is {kind}, not {declared}", name=element.name,
                    kind=_a(element.kind), declared=_a(declared)),
                 hint=tr("remove type:, or compute the value with expr:"))
    return element.kind


def _spec(env: FieldEnv, c: dict[str, Any], path: KeyPath, element: Element | None,
          out_path: tuple[str, ...], kind: Kind, locale: Locale) -> FieldSpec | None:
    ctx = env.ctx
    one_source = _one_source(ctx, c, path)
    expr = compiled(c["expr"], path + ("expr",), ctx, env.let_names) if c["expr"] else None
    if c["expr"] and expr is None:
        return None
    written = _lookup(ctx, c, path)
    empty = _empty(env, c, path, element)
    sign = _sign(ctx, c["sign"], path + ("sign",))
    checks_ok = _modifiers(ctx, c, path, kind, element)
    typing = _Typing(kind, locale, element, translated=written is not None)
    table = None
    if written is not None:
        table = {k: _constant(ctx, v, path + ("map", k), typing, mapped=True)
                 for k, v in written.items()}
        checks_ok = checks_ok and INVALID not in table.values()
    value = _constant(ctx, c["value"], path + ("value",), typing, mapped=False)
    default = _constant(ctx, c["default"], path + ("default",), typing, mapped=True)
    fallback = _constant(ctx, c["fallback"], path + ("fallback",), typing, mapped=True)
    rules = _rules(env, c["rules"], path + ("rules",), typing)
    if not one_source or not checks_ok or INVALID in (value, default, fallback, rules):
        return None
    source = Rules(rules, fallback) if rules is not None else _value_source(c, expr, value)
    return FieldSpec(
        path=out_path, kind=kind, where=ctx.doc.where(path), source=source, element=element,
        lookup=None if table is None else Lookup(table, c["ignore_case"], fallback),
        sign=sign, negate=c["negate"], default=default, required=c["required"],
        round=c["round"], locale=locale, empty=empty, truncate=c["truncate"],
    )


def _one_source(ctx: Ctx, c: dict[str, Any], path: KeyPath) -> bool:
    """At most one source; none only for a field that has a default or is sent empty."""
    sources = [k for k in ("column", "value", "expr") if c[k] is not None]
    if c["debit"] is not None or c["credit"] is not None:
        sources.append("debit:/credit:")
    if c["rules"] is not None:
        sources.append("rules")
    if len(sources) > 1:
        ctx.fail(path, tr("use one of column:, value:, expr:, debit:/credit: or rules:, not"
                          " {sources}", sources=" and ".join(sources)))
        return False
    if not sources and c["default"] is None and c["empty"] not in ("clear", "nil"):
        ctx.fail(path, tr("say where the value comes from: column:, value: or expr:"),
                 hint=tr("to always send the element empty, write empty: clear"))
        return False
    return True


def _value_source(c: dict[str, Any], expr: Expr | None, value: str | None) -> ValueSource:
    """The one source a checked field names."""
    if c["column"] is not None:
        return Column(c["column"])
    if value is not None:
        return Constant(value)
    if expr is not None:
        return Expression(expr)
    if c["debit"] is not None or c["credit"] is not None:
        return DebitCredit(c["debit"], c["credit"])
    return Blank()


def _rules(env: FieldEnv, value: Yaml, path: KeyPath, typing: _Typing) -> Any:
    """The rules: table, each rule's value checked against the field's type; None when the
    field has none, INVALID once a problem is reported."""
    if value is None:
        return None
    ctx = env.ctx
    if not isinstance(value, list) or not value:
        return ctx.fail(path, tr("rules: is a list of '- {when: CONDITION, value: VALUE}'"))
    rules = [_rule(env, raw, path + (i,), typing) for i, raw in enumerate(value)]
    return INVALID if None in rules else tuple(rules)


def _rule(env: FieldEnv, raw: Yaml, path: KeyPath, typing: _Typing) -> Rule | None:
    ctx = env.ctx
    checked = check_map(raw, path, ctx, RULE_KEYS, tr("a rule"))
    if checked is INVALID:
        return None
    when = (check_conditions(checked["when"], path + ("when",), ctx, env.let_names,
                             RULE_CONDITION_KEYS) if checked["when"] is not INVALID else None)
    value = (_constant(ctx, checked["value"], path + ("value",), typing, mapped=True)
             if checked["value"] is not INVALID else INVALID)
    if when == ():
        ctx.fail(path + ("when",), tr("a rule needs a condition under when:"))
    if not when or value is INVALID or value is None:
        return None
    return Rule(when, value, ctx.doc.where(path))


def _sign(ctx: Ctx, value: Yaml, path: KeyPath) -> Sign | None:
    if value is None:
        return None
    raw = check_map(value, path, ctx, SIGN_KEYS, "sign")
    if raw is INVALID or INVALID in raw.values():
        return None
    ignore_case: bool = raw["ignore_case"]
    positive = tuple(w.lower() if ignore_case else w for w in raw["positive"])
    negative = tuple(w.lower() if ignore_case else w for w in raw["negative"])
    if set(positive) & set(negative):
        ctx.fail(path, tr("a value cannot be both positive and negative"),
                 value=", ".join(sorted(set(positive) & set(negative))))
    return Sign(raw["column"], positive, negative, ignore_case)


def _lookup(ctx: Ctx, c: dict[str, Any], path: KeyPath) -> dict[str, str] | None:
    """The map: table with its keys as text (folded for ignore_case), values not yet checked."""
    table = c["map"]
    if table is None:
        return None
    if not isinstance(table, dict) or not table:
        ctx.fail(path + ("map",), tr("map: is a table of 'value in file: value for Yuki'"))
        return None
    fold = str.lower if c["ignore_case"] else str
    return {fold(as_text(k).strip()): as_text(v) for k, v in table.items()}


def _empty(env: FieldEnv, c: dict[str, Any], path: KeyPath, element: Element | None) -> Empty:
    default: Empty = "omit" if element is None or not element.clearable else env.empty
    empty: Empty = c["empty"] or default
    if element is not None and empty == "clear" and not element.clearable:
        if c["empty"]:
            env.ctx.fail(path + ("empty",), tr("{name} cannot be sent empty", name=element.name),
                         hint=tr("use empty: omit"))
        return "omit"
    if empty == "nil" and (element is None or not element.nillable):
        env.ctx.fail(path + ("empty",), tr("only Category can be nil"),
                     hint=tr("use omit or clear"))
    return empty


def _modifiers(ctx: Ctx, c: dict[str, Any], path: KeyPath, kind: Kind,
               element: Element | None) -> bool:
    """The modifiers fit the field's type and the element; False once one does not."""
    before = len(ctx.problems)
    if c["round"] is not None and kind != "decimal":
        ctx.fail(path + ("round",), tr("round: applies to numbers only"))
    if c["fallback"] is not None and c["map"] is None and c["rules"] is None:
        ctx.fail(path + ("fallback",), tr("fallback: goes with map: or rules:"))
    if c["truncate"] and (element is None or element.max_length is None):
        ctx.fail(path + ("truncate",), tr("this field has no length limit to cut at"))
    if kind != "date" and c["date_format"]:
        ctx.fail(path + ("date_format",), tr("date_format: applies to dates only"))
    for key in ("debit", "credit", "sign", "negate"):
        if c[key] and kind != "decimal":
            ctx.fail(path + (key,), tr("{key}: applies to amounts only", key=key))
    if (c["debit"] or c["credit"]) and c["map"] is not None:
        ctx.fail(path + ("map",), tr("map: cannot go with debit:/credit:"))
    if c["rules"] is not None and c["map"] is not None:
        ctx.fail(path + ("map",), tr("map: cannot go with rules: (a rule gives the value itself)"))
    return len(ctx.problems) == before


@dataclass(frozen=True)
class _Typing:
    """How a field's constants (value:, default:, fallback:, map:) are read at load time."""

    kind: Kind
    locale: Locale
    element: Element | None
    translated: bool  # a lookup table translates value: like a cell


def _constant(ctx: Ctx, value: Yaml, path: KeyPath, typing: _Typing, mapped: bool) -> Any:
    """A constant from the mapping checked against the field's type, in canonical form."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return ctx.fail(path, tr("expected a single value"), value=shown(value))
    raw = as_text(value)
    if typing.translated and not mapped:
        return raw  # goes through the lookup table like a cell would
    try:
        typed = _typed_text(raw, typing.kind, typing.locale)
        shape = _shape_problem(typing.element, typed)
    except BadValue as exc:
        return ctx.fail(path, tr("'{value}' is {cause}", value=raw, cause=exc.cause), exc.hint,
                        value=raw)
    if shape is not None:
        return ctx.fail(path, tr("'{value}' is {cause}", value=raw, cause=shape[0]), shape[1],
                        value=raw)
    return typed


_PARSERS = {"decimal": parse_written_number, "integer": parse_integer, "date": parse_date,
            "boolean": parse_boolean}


def _typed_text(raw: str, kind: Kind, locale: Locale) -> str:
    """A constant as the canonical text of the field's type (not rounded: the map stage
    rounds every value of a field with round: in one place)."""
    parser = _PARSERS.get(kind)
    if parser is None:
        return raw
    return to_xml_text(parser(raw, locale))


def _shape_problem(element: Element | None, text: str) -> tuple[str, str] | None:
    """Values of a known shape (an administration's ID or CoC number), checked the same
    way wherever they come from: a constant here, a column in the journal's rules, -a."""
    name = element.name if element is not None else None
    return administration_problem(name, text) if name in ADMINISTRATION_FIELDS else None


_KINDS = {"integer": N_("an integer"), "text": N_("text"), "date": N_("a date"),
          "boolean": N_("a yes/no value"), "decimal": N_("a number")}


def _a(kind: str | None) -> str:
    return tr(_KINDS[kind]) if kind in _KINDS else str(kind)
