"""The mapping's JSON Schema, for the editor's completion, hover and live checks.

`mapping_schema()` is the one function the page's schema comes from. It takes the shipped
schema (yukimap/schemas/mapping.schema.json, from `yukimap schema`) when there is one, and
until then builds a small one from the loader's own key tables (schema.py) and the Yuki
documents (documents.py): the keys and field names are the loader's, so the editor cannot
suggest a key the loader refuses. The loader stays the judge: the editor's schema only
helps while typing, every dry run is checked by load_mapping itself.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import Any

from yukimap import documents
from yukimap.documents import DocumentType, Element
from yukimap.resources import schemas_dir
from yukimap.schema import check
from yukimap.schema import keys as tables

SHIPPED = "mapping.schema.json"
Json = dict[str, Any]


@cache
def mapping_schema() -> Json:
    """The JSON Schema of a mapping file (draft 7, as the editor's library reads it)."""
    shipped = schemas_dir() / SHIPPED
    if shipped.is_file():
        loaded: Json = json.loads(shipped.read_text(encoding="utf-8"))
        return loaded
    return _built()


def _keys(keys: Sequence[check.Key], values: dict[str, Json] | None = None) -> Json:
    """An object of the loader's keys, each with its doc; `values` gives shapes."""
    values = values or {}
    properties = {k.name: {**values.get(k.name, {}), "description": k.doc or k.name}
                  for k in keys}
    return {"type": "object", "properties": properties, "additionalProperties": False}


def _choice(values: Sequence[str]) -> Json:
    return {"enum": list(values)}


def _field(element: Element) -> Json:
    """A field: a constant, or the field keys (column, expr, map, ...)."""
    keys = _keys(tables.FIELD_KEYS, {
        "type": _choice(("text", "decimal", "integer", "date", "boolean")),
        "empty": _choice(("omit", "clear", "nil")),
        "required": {"type": "boolean"}, "truncate": {"type": "boolean"},
        "ignore_case": {"type": "boolean"}, "negate": {"type": "boolean"},
        "map": {"type": "object"},
    })
    if element.choices:
        keys["properties"]["value"] = {**_choice(element.choices), "description": "a constant"}
    constant: Json = {"type": ["string", "number", "boolean"]}
    return {"description": element.doc or element.name, "anyOf": [keys, constant]}


def _section(elements: tuple[Element, ...], extra: Json | None = None) -> Json:
    properties: Json = {}
    for element in elements:
        properties[element.name] = (
            {**_section(element.children), "description": element.doc or element.name}
            if element.is_group else _field(element))
    return {"type": "object", "properties": {**properties, **(extra or {})},
            "additionalProperties": False}


def _conditions() -> Json:
    condition = _keys(tables.CONDITION_KEYS, {"ignore_case": {"type": "boolean"}})
    return {"anyOf": [condition, {"type": "array", "items": condition}]}


def _target(target: DocumentType) -> Json:
    items = _section(target.items, {"when": {**_conditions(),
                                             "description": "the rows that give this item"}})
    properties: Json = {
        "target": {"const": target.name},
        target.header_key: {**_section(target.header), "description": target.document},
        target.item_key: {"description": f"one {target.item} per row, or a list of kinds",
                          "anyOf": [items, {"type": "array", "items": items}]},
    }
    for option in target.options:
        properties[option.name] = ({"type": "object", "description": option.doc}
                                   if option.kind == "balancing"
                                   else {**_choice(option.choices), "description": option.doc})
    return {"if": {"properties": {"target": {"const": target.name}}, "required": ["target"]},
            "then": {"properties": properties}}


def _built() -> Json:
    top = _keys(tables.TOP_KEYS, {
        "version": {"enum": [1]},
        "target": _choice(tuple(documents.DOCUMENT_TYPES)),
        "kind": _choice(tables.PACK_KINDS),
        "source": _keys(tables.SOURCE_KEYS, {"format": _choice(("csv", "excel", "camt053",
                                                                 "mt940")),
                                             "header_row": {"type": "integer", "minimum": 1}}),
        "skip_rows": _conditions(), "skip_documents": _conditions(),
        "group_by": {"anyOf": [{"type": "string"}, _keys(tables.GROUP_KEYS)]},
        "let": {"type": "object"},
        "empty_fields": _choice(("omit", "clear")),
    })
    for target in documents.DOCUMENT_TYPES.values():
        for key in (target.header_key, target.item_key, *(o.name for o in target.options)):
            # each target's shape is in allOf below; here only that the key exists
            top["properties"].setdefault(key, {"description": f"{target.name}: {key}"})
    top["required"] = ["version", "target"]
    top["allOf"] = [_target(t) for t in documents.DOCUMENT_TYPES.values()]
    top["$schema"] = "http://json-schema.org/draft-07/schema#"
    top["title"] = "yukimap mapping file"
    return top
