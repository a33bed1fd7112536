"""The mapping file's schema, as data, and `load_mapping`, the one place that checks it.

The schema is a set of key tables (`Key(name, check, ...)`); `_check_map` walks a YAML
mapping against a table, converting values and collecting every problem with its
line:column and key path, the allowed keys and the nearest name. Only after the whole
file checks out is it turned into the frozen dataclasses of model.py.
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from yukimap import documents
from yukimap.documents import (
    ADMINISTRATION_FIELDS,
    COC_NUMBER,
    GUID,
    NO_ADMINISTRATION,
    DocumentType,
    Element,
    administration_problem,
)
from yukimap.errors import MappingError, Problem, UsageError, Where
from yukimap.expr import FUNCTIONS, ExprError, compile_expr, compile_regex, shorten
from yukimap.grouping import headline
from yukimap.limits import limits, over
from yukimap.model import (
    Balancing,
    Condition,
    FieldSpec,
    Grouping,
    ItemSpec,
    Locale,
    Mapping,
    Sign,
    Source,
)
from yukimap.resources import shipped_mappings
from yukimap.templatefiles import TemplateLimit, read_template
from yukimap.values import (
    BadValue,
    format_decimal,
    parse_boolean,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_written_number,
)
from yukimap.yamlsrc import KeyPath, Located, load_yaml, load_yaml_file

SUPPORTED_VERSIONS = (1,)


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


@dataclass
class Ctx:
    doc: Located
    problems: list[Problem] = field(default_factory=list)

    def fail(self, path: KeyPath, cause: str, hint: str | None = None, value: Any = None) -> Any:
        shown = None if value is None else str(value)
        self.problems.append(Problem(cause, self.doc.where(path), shown, hint))
        return INVALID


Check = Callable[[Any, KeyPath, Ctx], Any]


@dataclass(frozen=True)
class Key:
    name: str
    check: Check
    required: bool = False
    default: Any = None
    doc: str = ""


# --- scalar checks ----------------------------------------------------------------------


def text(value: Any, path: KeyPath, ctx: Ctx) -> Any:
    if isinstance(value, (dict, list)) or value is None:
        return ctx.fail(path, "expected a text value", value=_shown(value))
    return _as_text(value)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "{...}"
    if isinstance(value, list):
        return "[...]"
    return "(empty)" if value is None else str(value)


def whole(minimum: int = 0, maximum: int | None = None) -> Check:
    def check(value: Any, path: KeyPath, ctx: Ctx) -> Any:
        if isinstance(value, bool) or not re.fullmatch(r"\d+", str(value).strip()):
            return ctx.fail(path, "expected a whole number", value=_shown(value))
        number = int(str(value))
        if number < minimum or (maximum is not None and number > maximum):
            top = f" to {maximum}" if maximum is not None else " or more"
            return ctx.fail(path, f"expected a number from {minimum}{top}", value=number)
        return number

    return check


def flag(value: Any, path: KeyPath, ctx: Ctx) -> Any:
    if isinstance(value, bool):
        return value
    return ctx.fail(path, "expected true or false", value=_shown(value))


def one_of(*choices: str) -> Check:
    def check(value: Any, path: KeyPath, ctx: Ctx) -> Any:
        if isinstance(value, str) and value in choices:
            return value
        return ctx.fail(path, f"expected one of {', '.join(choices)}", _nearest(value, choices),
                        value=_shown(value))

    return check


def mark(value: Any, path: KeyPath, ctx: Ctx) -> Any:
    if value in (".", ",", " ", "'"):
        return value
    return ctx.fail(path, "expected '.', ',', ' ' or \"'\"", value=_shown(value))


def delimiter(value: Any, path: KeyPath, ctx: Ctx) -> Any:
    value = {"tab": "\t", "\\t": "\t"}.get(str(value).lower(), value)
    if isinstance(value, str) and len(value) == 1:
        return value
    return ctx.fail(path, "expected one character, e.g. \";\", \",\" or tab", value=_shown(value))


def text_list(value: Any, path: KeyPath, ctx: Ctx) -> Any:
    items = value if isinstance(value, list) else [value]
    out = [text(item, path + (i,), ctx) for i, item in enumerate(items)]
    return INVALID if INVALID in out else tuple(out)


def date_formats(value: Any, path: KeyPath, ctx: Ctx) -> Any:
    formats = text_list(value, path, ctx)
    if formats is INVALID:
        return INVALID
    for fmt in formats:
        if "%" not in fmt:
            return ctx.fail(path, "a date format uses codes like %d-%m-%Y", value=fmt,
                            hint='for 31-01-2024 write "%d-%m-%Y"; for 01/31/24 "%m/%d/%y"')
    return formats


def sheet(value: Any, path: KeyPath, ctx: Ctx) -> Any:
    if isinstance(value, str) and value.strip().isdigit():
        return whole(1)(value, path, ctx)
    return text(value, path, ctx)


def _nearest(value: Any, choices: Sequence[str]) -> str | None:
    near = get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{near[0]}'?" if near else None


# --- maps of keys -----------------------------------------------------------------------


def _check_map(
    value: Any, path: KeyPath, ctx: Ctx, keys: Sequence[Key], what: str, extra: str = ""
) -> Any:
    if not isinstance(value, dict):
        return ctx.fail(path, f"{what} must be a set of 'key: value' lines", value=_shown(value))
    names = [k.name for k in keys]
    for name in value:
        if name not in names:
            _unknown_key(ctx, path + (name,), name, names, what, extra)
    out: dict[str, Any] = {}
    for key in keys:
        if key.name in value:
            checked = key.check(value[key.name], path + (key.name,), ctx)
            # A wrong optional value is reported once; the rest is checked as if it were
            # not given, so INVALID never reaches a message or a computation.
            out[key.name] = key.default if checked is INVALID and not key.required else checked
        elif key.required:
            ctx.fail(path, f"{what} needs the key '{key.name}'", hint=key.doc or None)
            out[key.name] = INVALID
        else:
            out[key.name] = key.default
    return out  # with unknown keys reported, checking goes on to find every other problem


def _unknown_key(ctx: Ctx, path: KeyPath, name: Any, allowed: list[str], what: str,
                 extra: str) -> None:
    near = _nearest(name, allowed)
    listing = f"allowed here: {', '.join(allowed)}"
    hint = f"{near} ({listing})" if near else listing
    ctx.fail(path, f"unknown key '{name}' in {what}{extra}", hint)


# --- the tables -------------------------------------------------------------------------

SOURCE_KEYS = (
    Key("format", one_of("csv", "excel"), doc="csv or excel; default: from the file extension"),
    Key("delimiter", delimiter, doc="column separator; default: sniffed from the header"),
    Key("encoding", text, default="utf-8", doc="text encoding, e.g. cp1252; default utf-8"),
    Key("quote", delimiter, default='"', doc="quote character"),
    Key("sheet", sheet, doc="Excel sheet by name, or by position (1 = first)"),
    Key("header_row", whole(1), default=1, doc="row number of the column titles"),
    Key("skip_last", whole(0), default=0, doc="footer rows to ignore"),
    Key("decimal_mark", mark, doc="'.' or ','; default: read from the file, never guessed"),
    Key("thousands_separator", mark, doc="'.', ',', ' ' or \"'\""),
    Key("date_format", date_formats, default=(), doc="e.g. \"%d-%m-%Y\", or a list"),
    Key("true_values", text_list, doc="words meaning yes"),
    Key("false_values", text_list, doc="words meaning no"),
)

CONDITION_TESTS = ("equals", "not_equals", "in", "not_in", "matches", "contains",
                   "starts_with", "empty", "not_empty")
CONDITION_KEYS = (
    Key("column", text, doc="the column to test"),
    *(Key(t, lambda v, p, c: v) for t in CONDITION_TESTS),
    Key("ignore_case", flag, default=False),
    Key("expr", text, doc="an expression that is true for the rows meant"),
)

GROUP_KEYS = (
    Key("column", text, doc="the column whose value identifies a document"),
    Key("expr", text, doc="or an expression giving that value, e.g. date(Boekdatum)"),
    Key("fill_down", flag, default=False, doc="an empty key continues the group above"),
    Key("on_conflict", one_of("error", "first"), default="error",
        doc="rows of one group disagree on a document field: error, or use the first row"),
)

FIELD_KEYS = (
    Key("column", text, doc="read the value from this column"),
    Key("value", lambda v, p, c: v, doc="a constant value"),
    Key("expr", text, doc="compute the value with an expression"),
    Key("default", lambda v, p, c: v, doc="used when the cell is empty"),
    Key("required", flag, default=False, doc="an empty value is an error"),
    Key("map", lambda v, p, c: v, doc="lookup table: value in the file -> value for Yuki"),
    Key("fallback", lambda v, p, c: v, doc="for values not in map (default: an error)"),
    Key("ignore_case", flag, default=False, doc="map: match regardless of case"),
    Key("type", one_of("text", "decimal", "integer", "date", "boolean"),
        doc="how to read the value"),
    Key("date_format", date_formats, doc="date format(s) for this field only"),
    Key("decimal_mark", mark, doc="decimal mark for this field only"),
    Key("thousands_separator", mark, doc="thousands separator for this field only"),
    Key("round", whole(0, 6), doc="round half-up to this many decimals"),
    Key("empty", one_of("omit", "clear", "nil"),
        doc="an empty value: omit the element (keep Yuki's value), clear it, or nil"),
    Key("truncate", flag, default=False, doc="cut text at Yuki's limit (with a warning)"),
    Key("debit", text, doc="amounts: column of debit amounts (positive)"),
    Key("credit", text, doc="amounts: column of credit amounts (made negative)"),
    Key("sign", lambda v, p, c: v,
        doc="amounts: {column: Af Bij, positive: Bij, negative: Af}: an indicator column"),
    Key("negate", flag, default=False, doc="amounts: flip the sign"),
)
SIGN_KEYS = (
    Key("column", text, required=True, doc="the indicator column"),
    Key("positive", text_list, required=True, doc="values meaning a positive amount"),
    Key("negative", text_list, required=True, doc="values meaning a negative amount"),
    Key("ignore_case", flag, default=True),
)
BALANCING_KEYS = (
    Key("GLAccount", text, required=True, doc="the account of the balancing entry"),
    Key("Description", text, default="Balancing entry (yukimap)"),
    Key("max", lambda v, p, c: v, required=True,
        doc="the largest difference to balance; larger ones stay an error"),
)


def _top_keys(target: DocumentType | None) -> tuple[Key, ...]:
    section = (lambda v, p, c: v)
    keys = [
        Key("version", whole(1), required=True, doc="the mapping format version: 1"),
        Key("target", one_of(*documents.DOCUMENT_TYPES), required=True,
            doc=f"what to make: {', '.join(documents.DOCUMENT_TYPES)}"),
        Key("name", text, default=""),
        Key("description", text, default=""),
        Key("source", section, default={}),
        Key("skip_rows", section, doc="rows to leave out (any condition matches)"),
        Key("group_by", section, doc="column whose value makes one document"),
        Key("skip_documents", section,
            doc="documents to leave out, tested on their first row (any condition matches)"),
        Key("let", section, doc="named values that expressions can use"),
        Key("template", text, doc="your own Jinja2 template, relative to the mapping"),
        Key("empty_fields", one_of("omit", "clear"), default="omit",
            doc="default for empty values: omit the element, or send it empty"),
    ]
    if target is not None:
        keys.insert(5, Key(target.header_key, section, default={}))
        keys.insert(6, Key(target.item_key, section, required=True))
        for option in target.options:
            check = _balancing if option.kind == "balancing" else one_of(*option.choices)
            keys.append(Key(option.name, check, default=option.default, doc=option.doc))
    return tuple(keys)


def _balancing(value: Any, path: KeyPath, ctx: Ctx) -> Any:
    raw = _check_map(value, path, ctx, BALANCING_KEYS, "balancing")
    if raw is INVALID or INVALID in raw.values():
        return INVALID
    try:
        limit = parse_decimal(_as_text(raw["max"]), Locale(decimal_mark="."))
    except BadValue as exc:
        return ctx.fail(path + ("max",), f"'{raw['max']}' is {exc.cause}")
    if not re.fullmatch(r"\d+", raw["GLAccount"]):
        return ctx.fail(path + ("GLAccount",), "not a plain account code", value=raw["GLAccount"],
                        hint="only the account number, e.g. 2000")
    return Balancing(raw["GLAccount"], raw["Description"], limit)


# --- loading ----------------------------------------------------------------------------


def resolve_mapping_path(name_or_path: str | Path) -> Path:
    """A path, or the name of a shipped mapping ('webshop-orders')."""
    path = Path(name_or_path)
    if path.exists() or path.suffix in (".yaml", ".yml") or len(path.parts) > 1:
        return path
    shipped = shipped_mappings()
    if str(name_or_path) in shipped:
        return shipped[str(name_or_path)]
    near = _nearest(name_or_path, list(shipped))
    raise MappingError(
        f"no mapping file '{name_or_path}' and no shipped mapping of that name",
        hint=f"{near + ' ' if near else ''}shipped mappings: {', '.join(shipped) or 'none'}",
    )


def load_mapping(name_or_path: str | Path) -> Mapping:
    """Read and check a mapping file; raise MappingError listing every problem."""
    path = resolve_mapping_path(name_or_path)
    return _checked(load_yaml_file(path), path)


def load_mapping_text(text: str, path: Path) -> Mapping:
    """Check a mapping given as text (an editor's, not yet saved) as if it were the file at
    `path`: messages name that path and a template is found beside it."""
    return _checked(load_yaml(_bounded_text(text, path), str(path)), path)


def source_of(text: str, path: Path) -> Source:
    """How a mapping's `source:` reads the file, from its text, however wrong the rest of
    the mapping is (an editor shows the file while the mapping is still being written);
    the defaults where the text or its `source:` cannot be read."""
    try:
        doc = load_yaml(_bounded_text(text, path), str(path))
    except MappingError:
        return Source()
    raw = doc.data.get("source") if isinstance(doc.data, dict) else None
    if not isinstance(raw, dict):
        return Source()
    ctx = Ctx(doc)
    return _source(raw, ("source",), ctx) or Source()


def _bounded_text(text: str, path: Path) -> str:
    bound = limits().max_mapping_kb * 1024
    size = len(text.encode("utf-8"))
    if size > bound:
        message, hint = over("max_mapping_kb", f"mapping file {path}",
                             f"{math.ceil(size / 1024):,} KB")
        raise MappingError(message, hint=hint)
    return text


def _checked(doc: Located, path: Path) -> Mapping:
    ctx = Ctx(doc)
    mapping = _build(doc.data, path, ctx)
    errors = [p for p in ctx.problems if p.is_error]
    if errors or mapping is None:
        raise MappingError(headline(str(path), errors, "in the mapping"), problems=ctx.problems)
    return mapping


def _build(data: Any, path: Path, ctx: Ctx) -> Mapping | None:
    if not isinstance(data, dict):
        ctx.fail((), "a mapping file is a set of 'key: value' lines",
                 hint="start from a shipped mapping: yukimap mappings")
        return None
    version = whole(1)(data.get("version"), ("version",), ctx) if "version" in data else None
    if version not in (None, INVALID) and version not in SUPPORTED_VERSIONS:
        ctx.fail(("version",), f"this yukimap reads mapping version 1, not {version}",
                 hint="upgrade yukimap to use this mapping")
        return None
    target = documents.DOCUMENT_TYPES.get(data.get("target"))  # type: ignore[arg-type]
    if target is None:
        # Without a target the document sections cannot be checked; say only this.
        targets = tuple(documents.DOCUMENT_TYPES)
        if "target" in data:
            one_of(*targets)(data["target"], ("target",), ctx)
        else:
            ctx.fail((), "the mapping needs the key 'target'", hint=f"one of {', '.join(targets)}")
        return None
    top = _check_map(data, (), ctx, _top_keys(target), "the mapping")
    if top is INVALID:
        return None
    return _build_mapping(top, target, path, ctx)


def _build_mapping(top: dict[str, Any], target: DocumentType, path: Path, ctx: Ctx) -> Mapping | None:
    source = _source(top["source"], ("source",), ctx)
    empty_default = top["empty_fields"]
    lets = _lets(top["let"], source.locale if source else Locale(), ctx)
    let_names = frozenset(spec.path[1] for spec in lets)
    locale = source.locale if source else Locale()
    env = _FieldEnv(ctx, locale, empty_default, let_names)
    header = env.section(top[target.header_key], (target.header_key,), target.header,
                         target, target.header_key)
    items = _items(top[target.item_key], target, env)
    skip = _conditions(top["skip_rows"], ("skip_rows",), ctx, let_names)
    skip_documents = _conditions(top["skip_documents"], ("skip_documents",), ctx, let_names)
    group = _grouping(top["group_by"], ctx, let_names)
    template = _template(top["template"], path, ctx)
    options = {option.name: top[option.name] for option in target.options}
    _check_required(target, header, items, ctx)
    if None in (source, header, items, skip, skip_documents):
        return None
    return Mapping(
        path=path, version=top["version"], target=target, source=source, header=header,
        items=items, name=top["name"], description=top["description"], skip=skip,
        skip_documents=skip_documents, group=group, lets=lets, template=template, options=options,
    )


def _source(value: Any, path: KeyPath, ctx: Ctx) -> Source | None:
    raw = _check_map(value, path, ctx, SOURCE_KEYS, "source")
    if raw is INVALID:
        return None
    locale = _locale(raw, path, ctx, Locale())
    return Source(
        format=raw["format"], delimiter=raw["delimiter"], encoding=raw["encoding"],
        quote=raw["quote"], sheet=raw["sheet"], header_row=raw["header_row"],
        skip_last=raw["skip_last"], locale=locale,
    )


def _locale(raw: dict[str, Any], path: KeyPath, ctx: Ctx, base: Locale) -> Locale:
    decimal_mark = raw.get("decimal_mark") or base.decimal_mark
    thousands = raw.get("thousands_separator") or base.thousands_separator
    if decimal_mark and thousands and decimal_mark == thousands:
        ctx.fail(path + ("thousands_separator",),
                 "the thousands separator cannot be the decimal mark too", value=thousands)
    if thousands and not decimal_mark:
        ctx.fail(path + ("thousands_separator",),
                 "a thousands separator needs a decimal_mark too", value=thousands)
    lower = lambda words: tuple(w.lower() for w in words)  # noqa: E731
    return Locale(
        decimal_mark=decimal_mark,
        thousands_separator=thousands,
        date_formats=raw.get("date_format") or base.date_formats,
        true_words=lower(raw["true_values"]) if raw.get("true_values") else base.true_words,
        false_words=lower(raw["false_values"]) if raw.get("false_values") else base.false_words,
    )


def _grouping(value: Any, ctx: Ctx, lets: frozenset[str]) -> Grouping | None:
    if value is None:
        return None
    path: KeyPath = ("group_by",)
    raw = {"column": value} if isinstance(value, str) else value
    checked = _check_map(raw, path, ctx, GROUP_KEYS, "group_by")
    if checked is INVALID:
        return None
    if (checked["column"] is None) == (checked["expr"] is None):
        ctx.fail(path, "group_by needs either column: or expr:")
        return None
    expr = _compile(checked["expr"], path + ("expr",), ctx, lets) if checked["expr"] else None
    return Grouping(checked["column"], expr, checked["fill_down"], checked["on_conflict"],
                    ctx.doc.where(path))


def _template(value: str | None, mapping_path: Path, ctx: Ctx) -> Path | None:
    if value is None:
        return None
    path = (mapping_path.parent / value).resolve()
    try:
        read_template(path)
    except TemplateLimit as exc:
        ctx.fail(("template",), exc.message, value=value, hint=exc.hint)
        return None
    return path


# --- conditions -------------------------------------------------------------------------


def _conditions(
    value: Any, path: KeyPath, ctx: Ctx, lets: frozenset[str]
) -> tuple[Condition, ...] | None:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    base = path if not isinstance(value, list) else None
    out = [_condition(item, base or path + (i,), ctx, lets) for i, item in enumerate(items)]
    return None if any(c is None for c in out) else tuple(out)  # type: ignore[arg-type]


def _condition(value: Any, path: KeyPath, ctx: Ctx, lets: frozenset[str]) -> Condition | None:
    raw = _check_map(value, path, ctx, CONDITION_KEYS, "a condition")
    if raw is INVALID:
        return None
    where = ctx.doc.where(path)
    tests = [t for t in CONDITION_TESTS if t in value]
    if raw["expr"] is not None:
        if tests or raw["column"]:
            ctx.fail(path, "a condition has either expr: or column: with a test, not both")
            return None
        expr = _compile(raw["expr"], path + ("expr",), ctx, lets)
        return None if expr is None else Condition("expr", expr=expr, where=where)
    if raw["column"] is None or len(tests) != 1:
        ctx.fail(path, "a condition needs column: and exactly one test",
                 hint=f"tests: {', '.join(CONDITION_TESTS)}; for several, make a list")
        return None
    return _column_condition(raw, tests[0], path, ctx, where)


def _column_condition(raw: dict[str, Any], test: str, path: KeyPath, ctx: Ctx,
                      where: Any) -> Condition | None:
    operand = raw[test]
    if test in ("empty", "not_empty"):
        if operand is not True:
            ctx.fail(path + (test,), f"write {test}: true", value=_shown(operand))
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


def _compile(source: str, path: KeyPath, ctx: Ctx, lets: frozenset[str]) -> Any:
    try:
        return compile_expr(source, lets)
    except ExprError as exc:
        ctx.fail(path, exc.cause, exc.hint, value=shorten(source))
        return None


# --- lets and fields --------------------------------------------------------------------

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _lets(value: Any, locale: Locale, ctx: Ctx) -> tuple[FieldSpec, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        ctx.fail(("let",), "let: is a set of 'name: {expr: ...}' lines")
        return ()
    env = _FieldEnv(ctx, locale, "omit", frozenset())
    specs = []
    for name, spec in value.items():
        path: KeyPath = ("let", name)
        if not _NAME.match(str(name)) or name in FUNCTIONS:
            ctx.fail(path, f"'{name}' cannot be a let name",
                     hint="use letters, digits and _; not a function name")
            continue
        built = env.field(spec, path, None, ("let", name))
        if built is not None:
            specs.append(built)
        env.let_names = env.let_names | {name}
    return tuple(specs)


class _FieldEnv:
    """Builds FieldSpecs; carries what every field needs to know."""

    def __init__(self, ctx: Ctx, locale: Locale, empty: str, let_names: frozenset[str]) -> None:
        self.ctx = ctx
        self.locale = locale
        self.empty = empty
        self.let_names = let_names

    def section(self, value: Any, path: KeyPath, elements: tuple[Element, ...],
                target: DocumentType, what: str, extra: tuple[str, ...] = ()) -> Any:
        if not isinstance(value, dict):
            self.ctx.fail(path, f"{what}: must be a set of 'Field: ...' lines",
                          value=_shown(value))
            return None
        names = [e.name for e in elements]
        specs: list[FieldSpec] = []
        ok = True
        for name, raw in value.items():
            if name in extra:
                continue
            element = next((e for e in elements if e.name == name), None)
            if element is None:
                self._unknown_field(path + (name,), name, names, target, what)
                ok = False
            elif element.is_group:
                group = self.section(raw, path + (name,), element.children, target,
                                     f"{what}.{name}")
                ok = ok and group is not None
                specs.extend(_prefixed(group or (), name))
            else:
                built = self.field(raw, path + (name,), element, (name,))
                ok = ok and built is not None
                if built is not None:
                    specs.append(built)
        return tuple(specs) if ok else None

    def _unknown_field(self, path: KeyPath, name: Any, names: list[str], target: DocumentType,
                       what: str) -> None:
        elsewhere = _section_of(name, target)
        if elsewhere and elsewhere != what.split(".")[0]:
            self.ctx.fail(path, f"'{name}' does not belong in {what}",
                          hint=f"{name} belongs under {elsewhere}:")
            return
        _unknown_key(self.ctx, path, name, names, what, f" (not a field of {_a_an(target.document)})")

    def field(self, raw: Any, path: KeyPath, element: Element | None,
              out_path: tuple[str, ...]) -> FieldSpec | None:
        ctx = self.ctx
        if not isinstance(raw, dict):
            if raw is None:
                ctx.fail(path, "no value given", hint="write column: NAME, value: TEXT or expr:")
                return None
            raw = {"value": raw}
        checked = _check_map(raw, path, ctx, FIELD_KEYS, "a field",
                             extra=f" ({'.'.join(out_path)})")
        if checked is INVALID:
            return None
        kind = self._kind(checked, path, element)
        locale = _locale(checked, path, ctx, self.locale)
        return self._spec(checked, path, element, out_path, kind, locale)

    def _kind(self, checked: dict[str, Any], path: KeyPath, element: Element | None) -> Any:
        declared = checked["type"]
        if element is None:
            return declared or "text"
        if declared and declared != element.kind:
            self.ctx.fail(path + ("type",),
                          f"Yuki's {element.name} is {_a(element.kind)}, not {_a(declared)}",
                          hint="remove type:, or compute the value with expr:")
        return element.kind

    def _spec(self, c: dict[str, Any], path: KeyPath, element: Element | None,
              out_path: tuple[str, ...], kind: Any, locale: Locale) -> FieldSpec | None:
        ctx = self.ctx
        sources = [k for k in ("column", "value", "expr") if c[k] is not None]
        if c["debit"] is not None or c["credit"] is not None:
            sources.append("debit:/credit:")
        if len(sources) > 1:
            ctx.fail(path, f"use one of column:, value:, expr: or debit:/credit:, not"
                           f" {' and '.join(sources)}")
            return None
        if not sources and c["default"] is None and c["empty"] not in ("clear", "nil"):
            ctx.fail(path, "say where the value comes from: column:, value: or expr:",
                     hint="to always send the element empty, write empty: clear")
            return None
        expr = _compile(c["expr"], path + ("expr",), ctx, self.let_names) if c["expr"] else None
        if c["expr"] and expr is None:
            return None
        lookup = self._lookup(c, path)
        where = ctx.doc.where(path)
        empty = self._empty(c, path, element)
        spec = FieldSpec(
            path=out_path, kind=kind, where=where, element=element, column=c["column"],
            value=None, expr=expr, default=None, required=c["required"], lookup=lookup,
            ignore_case=c["ignore_case"], fallback=None, locale=locale, round=c["round"],
            empty=empty, truncate=c["truncate"], debit=c["debit"], credit=c["credit"],
            sign=self._sign(c["sign"], path + ("sign",)), negate=c["negate"],
        )
        checks_ok = self._modifiers(c, path, spec)
        if lookup is not None:
            typed = {k: self._constant(v, path + ("map", k), spec, mapped=True)
                     for k, v in lookup.items()}
            checks_ok = checks_ok and INVALID not in typed.values()
            spec = _replace(spec, lookup=typed)
        value = self._constant(c["value"], path + ("value",), spec, mapped=False)
        default = self._constant(c["default"], path + ("default",), spec, mapped=True)
        fallback = self._constant(c["fallback"], path + ("fallback",), spec, mapped=True)
        if not checks_ok or INVALID in (value, default, fallback):
            return None
        return _replace(spec, value=value, default=default, fallback=fallback)

    def _sign(self, value: Any, path: KeyPath) -> Sign | None:
        if value is None:
            return None
        raw = _check_map(value, path, self.ctx, SIGN_KEYS, "sign")
        if raw is INVALID or INVALID in raw.values():
            return None
        fold = (lambda w: w.lower()) if raw["ignore_case"] else (lambda w: w)
        positive = tuple(fold(w) for w in raw["positive"])
        negative = tuple(fold(w) for w in raw["negative"])
        if set(positive) & set(negative):
            self.ctx.fail(path, "a value cannot be both positive and negative",
                          value=", ".join(sorted(set(positive) & set(negative))))
        return Sign(raw["column"], positive, negative, raw["ignore_case"])

    def _lookup(self, c: dict[str, Any], path: KeyPath) -> dict[str, str] | None:
        table = c["map"]
        if table is None:
            return None
        if not isinstance(table, dict) or not table:
            self.ctx.fail(path + ("map",), "map: is a table of 'value in file: value for Yuki'")
            return None
        fold = (lambda s: s.lower()) if c["ignore_case"] else (lambda s: s)
        return {fold(_as_text(k).strip()): _as_text(v) for k, v in table.items()}

    def _empty(self, c: dict[str, Any], path: KeyPath, element: Element | None) -> Any:
        empty = c["empty"] or ("omit" if element is None else self._default_empty(element))
        if element is not None and empty == "clear" and not element.clearable:
            if c["empty"]:
                self.ctx.fail(path + ("empty",), f"{element.name} cannot be sent empty",
                              hint="use empty: omit")
            return "omit"
        if empty == "nil" and (element is None or not element.nillable):
            self.ctx.fail(path + ("empty",), "only Category can be nil", hint="use omit or clear")
        return empty

    def _default_empty(self, element: Element) -> str:
        return self.empty if element.clearable else "omit"

    def _modifiers(self, c: dict[str, Any], path: KeyPath, spec: FieldSpec) -> bool:
        before = len(self.ctx.problems)
        if c["round"] is not None and spec.kind != "decimal":
            self.ctx.fail(path + ("round",), "round: applies to numbers only")
        if c["fallback"] is not None and c["map"] is None:
            self.ctx.fail(path + ("fallback",), "fallback: goes with map:")
        element = spec.element
        if c["truncate"] and (element is None or element.max_length is None):
            self.ctx.fail(path + ("truncate",), "this field has no length limit to cut at")
        if spec.kind != "date" and c["date_format"]:
            self.ctx.fail(path + ("date_format",), "date_format: applies to dates only")
        for key in ("debit", "credit", "sign", "negate"):
            if c[key] and spec.kind != "decimal":
                self.ctx.fail(path + (key,), f"{key}: applies to amounts only")
        if (c["debit"] or c["credit"]) and c["map"] is not None:
            self.ctx.fail(path + ("map",), "map: cannot go with debit:/credit:")
        return len(self.ctx.problems) == before

    def _constant(self, value: Any, path: KeyPath, spec: FieldSpec, mapped: bool) -> Any:
        """Check a constant from the mapping against the field's type, at load time."""
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            return self.ctx.fail(path, "expected a single value", value=_shown(value))
        raw = _as_text(value)
        if spec.lookup is not None and not mapped:
            return raw  # goes through the lookup table like a cell would
        try:
            typed = _typed_text(raw, spec, spec.locale)
            shape = _shape_problem(spec, typed)
        except BadValue as exc:
            return self.ctx.fail(path, f"'{raw}' is {exc.cause}", exc.hint, value=raw)
        if shape is not None:
            return self.ctx.fail(path, f"'{raw}' is {shape[0]}", shape[1], value=raw)
        return typed


def _typed_text(raw: str, spec: FieldSpec, locale: Locale) -> str:
    """A constant as the canonical text of the field's type (not rounded: the map stage
    rounds every value of a field with round: in one place)."""
    from yukimap.values import to_xml_text

    parsers = {"decimal": parse_written_number, "integer": parse_integer, "date": parse_date,
               "boolean": parse_boolean}
    parser = parsers.get(spec.kind)
    if parser is None:
        return raw
    return to_xml_text(parser(raw, locale))


def _shape_problem(spec: FieldSpec, text: str) -> tuple[str, str] | None:
    """Values of a known shape (an administration's ID or CoC number), checked the same
    way wherever they come from: a constant here, a column in the journal's rules, -a."""
    name = spec.element.name if spec.element is not None else None
    return administration_problem(name, text) if name in ADMINISTRATION_FIELDS else None


def _items(value: Any, target: DocumentType, env: _FieldEnv) -> tuple[ItemSpec, ...] | None:
    path: KeyPath = (target.item_key,)
    if value is None:
        env.ctx.fail(path, f"{target.item_key}: needs at least one field")
        return None
    listed = value if isinstance(value, list) else [value]
    out = []
    for i, raw in enumerate(listed):
        item_path = path + (i,) if isinstance(value, list) else path
        if not isinstance(raw, dict):
            env.ctx.fail(item_path, f"each entry of {target.item_key}: is a set of fields")
            return None
        fields = env.section(raw, item_path, target.items, target, target.item_key,
                             extra=("when",))
        when = _conditions(raw.get("when"), item_path + ("when",), env.ctx, env.let_names)
        if fields is None or when is None:
            return None
        out.append(ItemSpec(fields, when, env.ctx.doc.where(item_path)))
    return tuple(out)


def _check_required(target: DocumentType, header: Any, items: Any, ctx: Ctx) -> None:
    """Elements Yuki requires must be mapped (AdministrationID may come from the command line)."""
    sections = [(target.header_key, target.header, [header])]
    sections.append((target.item_key, target.items, list(items or ())))
    for key, elements, specs_list in sections:
        required = [e.name for e in elements if e.required]
        for index, specs in enumerate(specs_list):
            fields = specs.fields if isinstance(specs, ItemSpec) else (specs or ())
            given = {s.path[0] for s in fields}
            for name in required:
                if name not in given and specs is not None:
                    where: KeyPath = (key, index) if len(specs_list) > 1 and key == target.item_key \
                        else (key,)
                    ctx.fail(where, f"{key}: needs {name} (Yuki requires it)",
                             hint=_element_doc(elements, name))


def _element_doc(elements: tuple[Element, ...], name: str) -> str | None:
    element = next((e for e in elements if e.name == name), None)
    return element.doc or None if element else None


def _prefixed(specs: Sequence[FieldSpec], group: str) -> list[FieldSpec]:
    return [_replace(s, path=(group,) + s.path) for s in specs]


def _replace(spec: FieldSpec, **changes: Any) -> FieldSpec:
    from dataclasses import replace

    return replace(spec, **changes)


def _section_of(name: str, target: DocumentType) -> str | None:
    for key, elements in ((target.header_key, target.header), (target.item_key, target.items)):
        for path, _ in documents.walk(elements):
            if name in path:
                return key
    return None


def _a(kind: str | None) -> str:
    return {"integer": "an integer", "text": "text", "date": "a date",
            "boolean": "a yes/no value", "decimal": "a number"}.get(kind or "", str(kind))


def _a_an(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def with_header_constants(mapping: Mapping, constants: dict[str, str | None],
                          origin: str) -> Mapping:
    """The mapping with document fields set from outside it (e.g. the command line);
    a None value removes the field. `origin` says where the values came from."""
    header = [s for s in mapping.header if s.path[0] not in constants]
    for name, value in constants.items():
        element = mapping.target.header_element(name)
        if value is None or element is None or element.kind is None:
            continue
        header.append(FieldSpec(path=(name,), kind=element.kind, where=Where(key=origin),
                                element=element, value=value))
    order = [e.name for e in mapping.target.header]
    header.sort(key=lambda s: order.index(s.path[0]))
    return replace(mapping, header=tuple(header))


def administration_field(given: str) -> str:
    """Which field -a fills: a GUID is an ID, digits a CoC number; anything else is refused
    here, since only Yuki can look up a name (send and check --online do)."""
    if GUID.match(given):
        return "AdministrationID"
    if COC_NUMBER.match(given):
        return "AdministrationCoCNumber"
    meant = ("AdministrationID" if re.fullmatch(r"[0-9a-fA-F{}-]+", given) and "-" in given
             else "AdministrationCoCNumber" if re.fullmatch(r"[\d .]+", given) else None)
    if meant is not None:
        cause, hint = administration_problem(meant, given)  # type: ignore[misc]
        raise UsageError(f"-a {given!r} is {cause}", hint=hint)
    raise UsageError(
        f"the administration {given!r} is a name, and only Yuki can look it up",
        hint="give its ID (a GUID) or its Chamber of Commerce number (`yukimap administrations`"
             "\nlists them), or let send or check --online look the name up:\n"
             f"  yukimap send FILE -m MAPPING -a {shlex.quote(given)}")


def apply_options(mapping: Mapping, administration: str | None,
                  opening_balance: str | None) -> Mapping:
    """Command-line values that fill document fields: -a/--administration, --opening-balance."""
    target = mapping.target
    if administration is not None:
        if not target.administration_in_document:
            raise UsageError("-a goes into the document only for journals; other documents are"
                             " given to an administration when they are sent",
                             hint="yukimap send FILE -m MAPPING -a ID_OR_NAME")
        chosen = administration_field(administration)
        fields = {name: administration if name == chosen else None
                  for name in ADMINISTRATION_FIELDS}
        mapping = with_header_constants(mapping, fields, "-a")
    if opening_balance is not None:
        if target.header_element("OpeningBalance") is None:
            raise UsageError("--opening-balance is for petty cash statements")
        value = format_decimal(_option_amount("--opening-balance", opening_balance))
        mapping = with_header_constants(mapping, {"OpeningBalance": value}, "--opening-balance")
    return mapping


def dry_run_administration(mapping: Mapping) -> Mapping:
    """A journal that names no administration, for a dry run: rendered with a placeholder ID
    (nothing is written or sent), so that everything else is checked and summed up; the
    summary says that sending needs one (administration_used)."""
    if not mapping.target.administration_in_document or any(
            s.path[0] in ADMINISTRATION_FIELDS for s in mapping.header):
        return mapping
    return with_header_constants(mapping, {"AdministrationID": NO_ADMINISTRATION}, "dry run")


def _option_amount(option: str, text: str) -> Decimal:
    """An amount on the command line, with a dot or a comma (refused only when it reads
    two ways)."""
    try:
        return parse_written_number(text, Locale())
    except BadValue as exc:
        if exc.cause == "not a number":
            raise UsageError(f"{option} {text!r} is not an amount like 1250.00 or 1250,00"
                             ) from None
        raise UsageError(f"{option} {text!r} is {exc.cause}", hint=exc.hint) from None


def administration_used(mapping: Mapping, given: str | None, origin: str = "-a") -> str | None:
    """Which administration a journal carries and where it comes from, for the summary;
    `given` is the one from outside the mapping (-a, or the settings: `origin`)."""
    if not mapping.target.administration_in_document:
        return None
    own = next((s for s in mapping.header if s.path[0] in ADMINISTRATION_FIELDS), None)
    if given is not None:
        ignored = f"; the mapping's {_described(own)} is not used" if own is not None else ""
        return f"{given} ({administration_field(given)}, from {origin}{ignored})"
    if own is None:
        return ("none given: sending needs one (-a ID_OR_NAME, or AdministrationID under"
                " journal: in the mapping)")
    if own.value is not None:
        return f"{own.value} ({own.name}, from the mapping)"
    return f"{_described(own)} (from the mapping)"


def _described(spec: FieldSpec) -> str:
    if spec.value is not None:
        return f"{spec.name} {spec.value}"
    if spec.column is not None:
        return f"{spec.name} from the column '{spec.column}'"
    return f"{spec.name} from an expression"
