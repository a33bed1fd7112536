"""The JSON Schema of the mapping format, made from the key tables (keys.py) and the Yuki
documents (documents.py), for editors: with the YAML extension of VS Code (and any editor
that runs yaml-language-server) a mapping file gets completion, the description of every key
and field on hover, and a mark under a wrong key or value while it is typed.

Draft-07, which yaml-language-server supports best. The loader stays the one checker: the
schema says what the tables say, and where a key's value is a section of its own it gives
that section's shape; what only the loader can know (does a column exist, does an
expression compile) it leaves to `yukimap check`.
"""

from __future__ import annotations

import json
from typing import Any

from yukimap import documents
from yukimap.documents import DocumentType, Element
from yukimap.schema.check import Key
from yukimap.schema.keys import (
    BALANCING_KEYS,
    CONDITION_KEYS,
    CONDITION_TESTS,
    FIELD_KEYS,
    GROUP_KEYS,
    ITEM_KEYS,
    RULE_CONDITION_KEYS,
    RULE_KEYS,
    SIGN_KEYS,
    SOURCE_KEYS,
    TOP_KEYS,
    top_keys,
)
from yukimap.schema.shapes import SCALAR, TEXT_LIST, JsonSchema, json_shape

DRAFT = "http://json-schema.org/draft-07/schema#"
_REF = "#/definitions/"
_LET_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


def mapping_schema() -> JsonSchema:
    """The JSON Schema of a mapping file, every target's sections and fields included."""
    return {
        "$schema": DRAFT,
        "title": "yukimap mapping",
        "description": "How yukimap turns an export into Yuki documents. Made by `yukimap"
                       " schema` from the tables yukimap checks a mapping with.",
        "type": "object",
        "required": [k.name for k in TOP_KEYS if k.required],
        "properties": {k.name: _key(k, _TOP_SHAPES) for k in TOP_KEYS},
        "allOf": [_target_branch(t) for t in documents.DOCUMENT_TYPES.values()],
        "definitions": {
            "condition": _object(CONDITION_KEYS, _CONDITION_SHAPES),
            "conditions": _one_or_list({"$ref": _REF + "condition"}),
            "rule_condition": _object(RULE_CONDITION_KEYS, _CONDITION_SHAPES),
            "rule": _object(RULE_KEYS, {"when": _one_or_list({"$ref": _REF + "rule_condition"}),
                                        "value": SCALAR}),
            "field": _object(FIELD_KEYS, _FIELD_SHAPES),
        },
    }


def schema_text() -> str:
    """The schema as the file yukimap ships (mappings/mapping.schema.json)."""
    return json.dumps(mapping_schema(), indent=2, ensure_ascii=False) + "\n"


# --- keys -------------------------------------------------------------------------------


def _key(key: Key, shapes: dict[str, JsonSchema]) -> JsonSchema:
    shape = dict(shapes.get(key.name) or json_shape(key.check))
    if key.doc:
        shape["description"] = key.doc
    if isinstance(key.default, (str, int, bool)) and key.default not in ("",):
        shape["default"] = key.default
    return shape


def _object(keys: tuple[Key, ...], shapes: dict[str, JsonSchema],
            required: tuple[str, ...] = ()) -> JsonSchema:
    """A set of keys, as check_map takes it: only these keys."""
    out: JsonSchema = {
        "type": "object",
        "properties": {k.name: _key(k, shapes) for k in keys},
        "additionalProperties": False,
    }
    names = [k.name for k in keys if k.required] + list(required)
    if names:
        out["required"] = list(dict.fromkeys(names))
    return out


# Where a value may take two forms, the form is told by its type with if/then/else rather
# than anyOf, so that an editor reports a mistake in the form written, not in the other.


def _keys_or(keys: JsonSchema, other: JsonSchema) -> JsonSchema:
    """A set of keys, or (anything but a set of keys) the short form."""
    return {"if": {"type": "object"}, "then": keys, "else": other}


def _one_or_list(one: JsonSchema) -> JsonSchema:
    return {"if": {"type": "array"}, "then": {"type": "array", "minItems": 1, "items": one},
            "else": one}


_CONDITIONS: JsonSchema = {"$ref": _REF + "conditions"}
_FIELD: JsonSchema = {"$ref": _REF + "field"}
_TOP_SHAPES: dict[str, JsonSchema] = {
    "source": _object(SOURCE_KEYS, {}),
    "skip_rows": _CONDITIONS,
    "skip_documents": _CONDITIONS,
    "group_by": _keys_or(_object(GROUP_KEYS, {}), SCALAR),
    "let": {"type": "object", "propertyNames": {"pattern": _LET_NAME},
            "additionalProperties": _keys_or(_FIELD, SCALAR)},
}
_CONDITION_SHAPES: dict[str, JsonSchema] = {
    **{test: SCALAR for test in CONDITION_TESTS},
    "in": TEXT_LIST, "not_in": TEXT_LIST,
    "empty": {"const": True}, "not_empty": {"const": True},
    "any": {"type": "array", "minItems": 1, "items": {"$ref": _REF + "condition"}},
}
_FIELD_SHAPES: dict[str, JsonSchema] = {
    "value": SCALAR, "default": SCALAR, "fallback": SCALAR,
    "map": {"type": "object", "minProperties": 1, "additionalProperties": SCALAR},
    "sign": _object(SIGN_KEYS, {}),
    "rules": {"type": "array", "minItems": 1, "items": {"$ref": _REF + "rule"}},
}


# --- a target's sections ----------------------------------------------------------------


def _target_branch(target: DocumentType) -> JsonSchema:
    """The whole file, once `target:` names this kind of document."""
    header_required = [e.name for e in target.header if e.required]
    shapes: dict[str, JsonSchema] = {
        **_TOP_SHAPES,
        target.header_key: _section(target.header, f"the fields of each {target.document}"),
        target.item_key: _items(target),
        "balancing": _object(BALANCING_KEYS, {}),
    }
    keys = top_keys(target)
    branch = _object(keys, shapes, (target.header_key,) if header_required else ())
    branch["properties"]["target"]["const"] = target.name
    return {"if": {"properties": {"target": {"const": target.name}}, "required": ["target"]},
            "then": branch}


def _items(target: DocumentType) -> JsonSchema:
    one = _section(target.items, f"the fields of each {target.item}", when=True)
    return {"description": f"the {target.item}s of each {target.document}: one {target.item}"
                           f" per row, or a list of kinds of {target.item}, each with when:",
            **_one_or_list(one)}


def _section(elements: tuple[Element, ...], doc: str, when: bool = False) -> JsonSchema:
    properties: dict[str, Any] = {e.name: _element(e) for e in elements}
    if when:
        properties |= {k.name: _key(k, {"when": {"allOf": [_CONDITIONS]}}) for k in ITEM_KEYS}
    out: JsonSchema = {"type": "object", "description": doc, "properties": properties,
                       "additionalProperties": False}
    required = [e.name for e in elements if e.required]
    if required:
        out["required"] = required
    return out


def _element(element: Element) -> JsonSchema:
    if element.is_group:
        return _section(element.children, element.doc)
    return {"description": describe(element), **_keys_or(_FIELD, _short(element))}


def _short(element: Element) -> JsonSchema:
    """A constant written as the field itself: `Process: true`, `JournalType: GeneralJournal`."""
    if element.choices and element.strict_choices:
        numbers = [int(c) for c in element.choices if c.isdigit()]
        return {"enum": [*element.choices, *numbers]}
    kind = {"boolean": ["boolean", "string"], "decimal": ["number", "string"],
            "integer": ["integer", "string"], "date": ["string"]}
    return {"type": kind[element.kind]} if element.kind in kind else dict(SCALAR)


def describe(element: Element) -> str:
    """An element in one line: what it is, then its type and limits."""
    facts = [{"text": "text", "decimal": "a number", "integer": "a whole number",
              "date": "a date", "boolean": "true or false"}.get(element.kind or "", "")]
    if element.required:
        facts.insert(0, "required")
    if element.max_length is not None:
        cut = "longer is cut, with a warning" if element.truncates else "longer is an error"
        facts.append(f"at most {element.max_length} characters ({cut})")
    if element.decimals is not None:
        facts.append(f"at most {element.decimals} decimals")
    if element.choices:
        facts.append(("one of " if element.strict_choices else "usually one of ")
                     + ", ".join(element.choices))
    doc = element.doc[:1].upper() + element.doc[1:] if element.doc else element.name
    return f"{doc} ({'; '.join(f for f in facts if f)})"
