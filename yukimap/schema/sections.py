"""The sections of fields: the document's own fields, its items (each kind with its when:),
and the `let` values; and the elements Yuki requires in each."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from yukimap import documents
from yukimap.documents import DocumentType, Element
from yukimap.expr import FUNCTIONS
from yukimap.i18n import tr
from yukimap.model import FieldSpec, ItemSpec
from yukimap.schema.check import INVALID, Ctx, Yaml, shown, unknown_key
from yukimap.schema.conditions import check_conditions
from yukimap.schema.fields import FieldEnv, check_field
from yukimap.schema.keys import ITEM_KEYS
from yukimap.values import Locale
from yukimap.yamlsrc import KeyPath

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_lets(value: Yaml, locale: Locale, ctx: Ctx) -> tuple[FieldSpec, ...]:
    """The `let` values; each may use the ones above it."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        ctx.fail(("let",), tr("let: is a set of 'name: {expr: ...}' lines"))
        return ()
    env = FieldEnv(ctx, locale, "omit", frozenset())
    specs = []
    for name, spec in value.items():
        path: KeyPath = ("let", name)
        if not _NAME.match(str(name)) or name in FUNCTIONS:
            ctx.fail(path, tr("'{name}' cannot be a let name", name=name),
                     hint=tr("use letters, digits and _; not a function name"))
            continue
        built = check_field(env, spec, path, None, ("let", name))
        if built is not None and _let_keys_used(built, spec, path, ctx):
            specs.append(built)
        env = replace(env, let_names=env.let_names | {name})
    return tuple(specs)


# What a let value cannot do: it is computed for an expression, which has no debit/credit
# columns or sign indicator of its own (an expression can compute them).
_NOT_FOR_LETS = ("debit", "credit", "sign", "negate")


def _let_keys_used(spec: FieldSpec, raw: Yaml, path: KeyPath, ctx: Ctx) -> bool:
    """Refuse keys a let value would silently ignore."""
    ignored = [k for k in _NOT_FOR_LETS if isinstance(raw, dict) and k in raw]
    for key in ignored:
        ctx.fail(path + (key,), tr("{key}: does not work on a let value", key=key),
                 hint=tr("compute the amount with expr:, e.g. expr: \"coalesce(Debet, 0) -"
                         " coalesce(Credit, 0)\""))
    return not ignored


def check_section(env: FieldEnv, value: Yaml, path: KeyPath, elements: tuple[Element, ...],
                  target: DocumentType, what: str,
                  extra: tuple[str, ...] = ()) -> tuple[FieldSpec, ...] | None:
    """The fields of a section (or of a group of elements in it), by element name; `extra`
    are keys of the section that are not fields."""
    if not isinstance(value, dict):
        env.ctx.fail(path, tr("{what}: must be a set of 'Field: ...' lines", what=what),
                     value=shown(value))
        return None
    names = [e.name for e in elements]
    specs: list[FieldSpec] = []
    ok = True
    for name, raw in value.items():
        if name in extra:
            continue
        element = next((e for e in elements if e.name == name), None)
        if element is None:
            _unknown_field(env.ctx, path + (name,), name, names, target, what)
            ok = False
        elif element.is_group:
            group = check_section(env, raw, path + (name,), element.children, target,
                                  f"{what}.{name}")
            ok = ok and group is not None
            specs.extend(_prefixed(group or (), name))
        else:
            built = check_field(env, raw, path + (name,), element, (name,))
            ok = ok and built is not None
            if built is not None:
                specs.append(built)
    return tuple(specs) if ok else None


def _unknown_field(ctx: Ctx, path: KeyPath, name: Yaml, names: list[str], target: DocumentType,
                   what: str) -> None:
    elsewhere = _section_of(name, target)
    if elsewhere and elsewhere != what.split(".")[0]:
        ctx.fail(path, tr("'{name}' does not belong in {what}", name=name, what=what),
                 hint=tr("{name} belongs under {section}:", name=name, section=elsewhere))
        return
    unknown_key(ctx, path, name, names, what,
                tr(" (not a field of {document})", document=target.a_document))


def check_items(env: FieldEnv, value: Yaml, target: DocumentType) -> tuple[ItemSpec, ...] | None:
    """One kind of item, or a list of kinds, each with its fields and its when:."""
    path: KeyPath = (target.item_key,)
    if value is None:
        env.ctx.fail(path, tr("{key}: needs at least one field", key=target.item_key))
        return None
    listed = value if isinstance(value, list) else [value]
    out: list[ItemSpec] = []
    for i, raw in enumerate(listed):  # every entry, so that all their problems show
        item_path = path + (i,) if isinstance(value, list) else path
        if not isinstance(raw, dict):
            env.ctx.fail(item_path, tr("each entry of {key}: is a set of fields",
                                       key=target.item_key))
            continue
        fields = check_section(env, raw, item_path, target.items, target, target.item_key,
                               extra=tuple(key.name for key in ITEM_KEYS))
        when = check_conditions(raw.get("when"), item_path + ("when",), env.ctx, env.let_names)
        once, place = (key.check(raw[key.name], item_path + (key.name,), env.ctx)
                       if key.name in raw else key.default for key in ITEM_KEYS[1:])
        if fields is not None and when is not None and INVALID not in (once, place):
            out.append(ItemSpec(fields, when, env.ctx.doc.where(item_path), once, place))
    return tuple(out) if len(out) == len(listed) else None


def check_required(target: DocumentType, header: tuple[FieldSpec, ...] | None,
                   items: tuple[ItemSpec, ...] | None, ctx: Ctx) -> None:
    """Elements Yuki requires must be mapped (AdministrationID may come from the command line)."""
    listed_header: list[tuple[FieldSpec, ...] | None] = [header]
    listed_items: list[tuple[FieldSpec, ...] | None] = [item.fields for item in items or ()]
    sections = [(target.header_key, target.header, listed_header),
                (target.item_key, target.items, listed_items)]
    for key, elements, listed in sections:
        required = [e.name for e in elements if e.required]
        for index, fields in enumerate(listed):
            if fields is None:  # the section is wrong, and said so
                continue
            given = {s.path[0] for s in fields}
            for name in required:
                if name not in given:
                    where: KeyPath = (key, index) if len(listed) > 1 and key == target.item_key \
                        else (key,)
                    ctx.fail(where, tr("{key}: needs {name} (Yuki requires it)", key=key,
                                       name=name),
                             hint=_element_doc(elements, name))


def _element_doc(elements: tuple[Element, ...], name: str) -> str | None:
    element = next((e for e in elements if e.name == name), None)
    return tr(element.doc) if element and element.doc else None


def _prefixed(specs: Sequence[FieldSpec], group: str) -> list[FieldSpec]:
    return [replace(s, path=(group,) + s.path) for s in specs]


def _section_of(name: str, target: DocumentType) -> str | None:
    for key, elements in ((target.header_key, target.header), (target.item_key, target.items)):
        for path, _ in documents.walk(elements):
            if name in path:
                return key
    return None


