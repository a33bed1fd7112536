"""What each check of the key tables takes, in words (for the reference) and as JSON Schema
(for editors): one place, so that the two say the same.

A mapping is read with yukimap's own YAML loader, which keeps every scalar as text; an
editor reads YAML 1.2, where `1` is a number and `true` a boolean. A JSON Schema shape
therefore takes a number where the loader takes the text of one.
"""

from __future__ import annotations

from typing import Any

from yukimap.schema.check import (
    Check,
    OneOf,
    Whole,
    anything,
    date_formats,
    delimiter,
    flag,
    mark,
    sheet,
    text,
    text_list,
)

JsonSchema = dict[str, Any]

SCALAR: JsonSchema = {"type": ["string", "number", "boolean"]}
TEXT_LIST: JsonSchema = {"anyOf": [SCALAR, {"type": "array", "items": SCALAR}]}
WHOLE_TEXT: JsonSchema = {"type": "string", "pattern": r"^\s*\d+\s*$"}

_MARKS = (".", ",", " ", "'")
# i18n: documentation (docs/reference.md and the JSON Schema, both English)
_SHAPES: dict[Check, tuple[str, JsonSchema]] = {
    anything: ("", {}),
    text: ("text", SCALAR),
    flag: ("true or false", {"type": "boolean"}),
    mark: ("`.`, `,`, a space or `'`", {"enum": list(_MARKS)}),
    delimiter: ("one character; `tab` for a tab",
                {"type": "string", "anyOf": [{"minLength": 1, "maxLength": 1},
                                              {"enum": ["tab", "TAB", "\\t"]}]}),
    text_list: ("text, or a list of texts", TEXT_LIST),
    date_formats: ("a date format, or a list of them",
                   {"anyOf": [{"type": "string", "pattern": "%"},
                              {"type": "array", "items": {"type": "string", "pattern": "%"}}]}),
    sheet: ("a sheet's name, or its number (1 = the first)",
            {"anyOf": [{"type": "integer", "minimum": 1}, SCALAR]}),
}


def words(check: Check) -> str:
    """What a key takes, for people: "true or false", "one of csv, excel"."""
    if isinstance(check, OneOf):
        return "one of " + ", ".join(f"`{c}`" for c in check.choices)
    if isinstance(check, Whole):
        if check.maximum is None:
            return f"a whole number, {check.minimum} or more"  # i18n: docs/reference.md
        return f"a whole number from {check.minimum} to {check.maximum}"  # i18n: docs/reference.md
    return _SHAPES.get(check, ("", {}))[0]


def json_shape(check: Check) -> JsonSchema:
    """What a key takes, as JSON Schema; {} (anything) for a check it does not know, such as
    a key whose value is a section of its own (its shape is given where it is used)."""
    if isinstance(check, OneOf):
        return {"enum": list(check.choices)}
    if isinstance(check, Whole):
        number: JsonSchema = {"type": "integer", "minimum": check.minimum}
        if check.maximum is not None:
            number["maximum"] = check.maximum
        return {"anyOf": [number, WHOLE_TEXT]}
    return dict(_SHAPES.get(check, ("", {}))[1])
