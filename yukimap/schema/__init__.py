"""The mapping file's schema, and `load_mapping`, the one place that checks it.

The keys are tables of data (keys.py); the checker walks the YAML against them and collects
every problem with its line:column and key path, the allowed keys and the nearest name
(check.py); the sections, fields and conditions are checked into the frozen dataclasses of
model.py (sections.py, fields.py, conditions.py, source.py). Only a file that checks out as
a whole becomes a Mapping. Values from the command line are applied by options.py.
"""

from __future__ import annotations

import math
from pathlib import Path

from yukimap import documents
from yukimap.documents import DocumentType
from yukimap.errors import MappingError
from yukimap.grouping import headline
from yukimap.i18n import tr
from yukimap.limits import limits, over
from yukimap.model import Mapping, Source
from yukimap.resources import shipped_mappings
from yukimap.schema.check import INVALID, Ctx, Key, Yaml, check_map, nearest, one_of
from yukimap.schema.conditions import check_conditions, check_grouping
from yukimap.schema.fields import FieldEnv
from yukimap.schema.keys import top_keys
from yukimap.schema.options import (
    administration_field,
    administration_used,
    apply_options,
    dry_run_administration,
    with_header_constants,
)
from yukimap.schema.sections import check_items, check_lets, check_required, check_section
from yukimap.schema.source import check_named_columns, check_source
from yukimap.templatefiles import TemplateLimit, read_template
from yukimap.values import Locale
from yukimap.yamlsrc import Located, load_yaml, load_yaml_file

__all__ = [
    "INVALID", "SUPPORTED_VERSIONS", "Ctx", "Key", "administration_field", "administration_used",
    "apply_options", "check_map", "dry_run_administration", "load_mapping",
    "resolve_mapping_path", "with_header_constants",
]

SUPPORTED_VERSIONS = (1,)


def resolve_mapping_path(name_or_path: str | Path) -> Path:
    """A path, or the name of a shipped mapping ('webshop-orders')."""
    path = Path(name_or_path)
    if path.exists() or path.suffix in (".yaml", ".yml") or len(path.parts) > 1:
        return path
    shipped = shipped_mappings()
    if str(name_or_path) in shipped:
        return shipped[str(name_or_path)]
    near = nearest(name_or_path, list(shipped))
    listing = ", ".join(shipped) or tr("none")
    raise MappingError(
        tr("no mapping file '{name}' and no shipped mapping of that name", name=name_or_path),
        hint=(tr("{near} shipped mappings: {names}", near=near, names=listing) if near
              else tr("shipped mappings: {names}", names=listing)),
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
    return check_source(raw, ("source",), Ctx(doc)) or Source()


def _bounded_text(text: str, path: Path) -> str:
    bound = limits().max_mapping_kb * 1024
    size = len(text.encode("utf-8"))
    if size > bound:
        message, hint = over("max_mapping_kb", tr("mapping file {path}", path=path),
                             f"{math.ceil(size / 1024):,} KB")
        raise MappingError(message, hint=hint)
    return text


def _checked(doc: Located, path: Path) -> Mapping:
    ctx = Ctx(doc)
    mapping = _build(doc.data, path, ctx)
    errors = [p for p in ctx.problems if p.is_error]
    if errors or mapping is None:
        raise MappingError(headline(str(path), errors, "mapping"), problems=ctx.problems)
    return mapping


def _build(data: Yaml, path: Path, ctx: Ctx) -> Mapping | None:
    if not isinstance(data, dict):
        ctx.fail((), tr("a mapping file is a set of 'key: value' lines"),
                 hint=tr("start from a shipped mapping: yukimap mappings"))
        return None
    version = data.get("version")  # a wrong one is reported once, with the other keys
    version = int(version) if isinstance(version, str) and version.strip().isdigit() else None
    if version is not None and version not in SUPPORTED_VERSIONS:
        ctx.fail(("version",), tr("this yukimap reads mapping version 1, not {version}",
                                  version=version),
                 hint=tr("upgrade yukimap to use this mapping"))
        return None
    named = data.get("target")
    target = documents.DOCUMENT_TYPES.get(named) if isinstance(named, str) else None
    if target is None:
        # Without a target the document sections cannot be checked; say only this.
        targets = tuple(documents.DOCUMENT_TYPES)
        if "target" in data:
            one_of(*targets)(data["target"], ("target",), ctx)
        else:
            ctx.fail((), tr("the mapping needs the key 'target'"),
                     hint=tr("one of {choices}", choices=", ".join(targets)))
        return None
    top = check_map(data, (), ctx, top_keys(target), tr("the mapping"))
    if top is INVALID:
        return None
    return _build_mapping(top, target, path, ctx)


def _build_mapping(top: dict[str, Yaml], target: DocumentType, path: Path,
                   ctx: Ctx) -> Mapping | None:
    source = check_source(top["source"], ("source",), ctx)
    locale = source.locale if source else Locale()
    lets = check_lets(top["let"], locale, ctx)
    let_names = frozenset(spec.path[1] for spec in lets)
    env = FieldEnv(ctx, locale, top["empty_fields"], let_names)
    header = check_section(env, top[target.header_key], (target.header_key,), target.header,
                           target, target.header_key)
    items = check_items(env, top[target.item_key], target)
    skip = check_conditions(top["skip_rows"], ("skip_rows",), ctx, let_names)
    skip_documents = check_conditions(top["skip_documents"], ("skip_documents",), ctx, let_names)
    group = check_grouping(top["group_by"], ctx, let_names)
    template = _template(top["template"], path, ctx)
    options = {option.name: top[option.name] for option in target.options}
    check_required(target, header, items, ctx)
    if (source is None or header is None or items is None or skip is None
            or skip_documents is None):
        return None
    mapping = Mapping(
        path=path, version=top["version"], target=target, source=source, header=header,
        items=items, name=top["name"], description=top["description"], kind=top["kind"],
        skip=skip,
        skip_documents=skip_documents, group=group, lets=lets, template=template, options=options,
    )
    check_named_columns(mapping, ctx)
    return mapping


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
