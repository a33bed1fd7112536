"""The TODO that a starter mapping (`yukimap init`) leaves where a person must decide, and
what the loader says about one that is still there.

A placeholder is the bare word TODO as the value of a field's key (`column: TODO`,
`Reference: TODO`, a `map:` value, `fallback: TODO`, ...). The loader refuses each one at
its line and column, saying what to fill in, so that a starter mapping cannot be used until
every decision in it is made. A longer text that merely contains the word is a value.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from yukimap.documents import Element
from yukimap.i18n import N_, tr

TODO = "TODO"

_COLUMN_CAUSES = {
    "column": N_("TODO: fill in the column that holds {subject}"),
    "debit": N_("TODO: fill in the column of the debit amounts of {subject}"),
    "credit": N_("TODO: fill in the column of the credit amounts of {subject}"),
}

# (sub-path under the field, cause, fix) of each placeholder in a field.
Found = tuple[tuple[str, ...], str, str]


def is_todo(value: Any) -> bool:
    return isinstance(value, str) and value.strip() == TODO


def field_todos(raw: dict[Any, Any], element: Element | None, name: str) -> list[Found]:
    """Every placeholder in one field of a mapping (its keys as written), in key order."""
    return list(_todos(raw, element, name))


def _todos(raw: dict[Any, Any], element: Element | None, name: str) -> Iterator[Found]:
    doc = f" ({tr(element.doc)})" if element is not None and element.doc else ""
    optional = element is None or not element.required
    for key, value in raw.items():
        if key == "map" and isinstance(value, dict):
            for source, target in value.items():
                if is_todo(target):
                    yield (("map", str(source)),
                           tr("TODO: fill in what '{source}' becomes in {name}{doc}",
                              source=source, name=name, doc=doc),
                           tr("replace TODO with the value for Yuki{choices}",
                              choices=_choices(element)))
        elif is_todo(value) and key in _COLUMN_CAUSES:
            if optional and key == "column":
                fix = tr("replace TODO with the column's name as the export's header row writes"
                         " it (yukimap init listed the columns at the top of the mapping); or"
                         " delete the line: {name} is optional", name=name)
            else:
                fix = tr("replace TODO with the column's name as the export's header row writes"
                         " it (yukimap init listed the columns at the top of the mapping)")
            yield ((key,), tr(_COLUMN_CAUSES[key], subject=name + doc), fix)
        elif is_todo(value) and key in _OTHER:
            cause, fix = _OTHER[key]
            yield ((key,), tr(cause, name=name, doc=doc),
                   tr(fix, name=name, choices=_choices(element)))


_OTHER = {
    "value": (N_("TODO: fill in the value of {name}{doc}"),
              N_("replace TODO with the value{choices}; or read it from a column: {name}:"
                 " {{column: NAME}}")),
    "expr": (N_("TODO: fill in the expression that computes {name}{doc}"),
             N_('replace TODO with an expression over the row\'s columns, e.g. expr: "Bedrag *'
                ' -1"')),
    "default": (N_("TODO: fill in the {name} for empty cells{doc}"),
                N_("replace TODO with that value; or delete default: to leave such values"
                   " empty")),
    "sign": (N_("TODO: fill in which column and words give {name} its sign"),
             N_("replace TODO with the indicator column and what its values mean, e.g. sign:"
                " {{column: Af Bij, positive: Bij, negative: Af}}")),
    "fallback": (N_("TODO: fill in the {name} for the values map: does not list"),
                 N_("replace TODO with that value; or delete fallback: to make such values an"
                    " error that names them")),
}


def _choices(element: Element | None) -> str:
    if element is None or not element.choices or not element.strict_choices:
        return ""
    return tr(" (one of {choices})", choices=", ".join(element.choices))
