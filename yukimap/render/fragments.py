"""Elements as XML text, by Yuki's rule for empty values: an omitted element leaves Yuki's
value alone, an empty element clears it, and xsi:nil is a third state.

Written two ways, side by side, that must agree: by polars for every row of a slice at once
(`xml_expr`: a document's or an item's elements, what the shipped templates write), and in
Python for one row (`Shape.render`: a group's `xml` when a template asks for it, and `el()`
for templates that write elements one by one). Both escape by the one text policy
(yukimap/text.py); tests/test_render_fragments.py holds them to the same text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import polars as pl
from markupsafe import Markup

from yukimap import text as text_policy
from yukimap.documents import Element, Empty
from yukimap.frames import ITEM

ItemKind = int | None  # the place of an item's kind among the mapping's items; None: header


class Field(Protocol):
    """What rendering needs of a mapped field (model.FieldSpec)."""

    @property
    def name(self) -> str: ...  # the element's path, dotted: "Contact.City"

    @property
    def empty(self) -> Empty: ...


class Nil:
    """The xsi:nil state of an element (only Product.Category uses it)."""

    _instance: Nil | None = None

    def __new__(cls) -> Nil:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NIL"


NIL = Nil()
EmptyValue = str | Nil | None  # what a template sees of an empty value: None, "" or NIL
_EMPTY_VALUE: dict[Empty, EmptyValue] = {"omit": None, "clear": "", "nil": NIL}


# --- for every row, by polars ----------------------------------------------------------------

def xml_expr(elements: Sequence[Element], fields: Mapping[ItemKind, Sequence[Field]],
             columns: set[str], depth: int) -> pl.Expr:
    """Everything inside the element of each row: its leaves, and its groups wrapped."""
    return _joined(_parts(elements, "", _empties(fields), columns, depth))


def block_expr(elements: Sequence[Element], fields: Mapping[ItemKind, Sequence[Field]],
               columns: set[str], depth: int, wrapper: str) -> pl.Expr:
    """Each item's whole element: its content (`xml_expr`) in its wrapper (<InvoiceLine>),
    joined in the same pass (wrapping the joined content would copy it once more)."""
    indent = "  " * (depth - 1)
    return _joined([pl.lit(f"\n{indent}<{wrapper}>"),
                    *_parts(elements, "", _empties(fields), columns, depth),
                    pl.lit(f"\n{indent}</{wrapper}>")])


def _empties(fields: Mapping[ItemKind, Sequence[Field]]) -> dict[str, dict[ItemKind, Empty]]:
    empties: dict[str, dict[ItemKind, Empty]] = {}
    for kind, specs in fields.items():
        for spec in specs:
            empties.setdefault(spec.name, {})[kind] = spec.empty
    return empties


def _empty_xml(name: str, empty: str, indent: str) -> str | None:
    if empty == "clear":
        return f"\n{indent}<{name} />"
    if empty == "nil":
        return f'\n{indent}<{name} xsi:nil="true" />'
    return None


def _element(element: Element, column: str, empties: dict[ItemKind, Empty],
             indent: str) -> pl.Expr:
    """One element as text for every row: rendered, empty, or null (omitted). The pieces
    are joined in one pass, which is null where the value is: then the empty form."""
    value = pl.col(column)
    text = text_policy.xml_text_expr(value) if element.kind == "text" else value
    given = pl.concat_str([pl.lit(f"\n{indent}<{element.name}>"), text,
                           pl.lit(f"</{element.name}>")])
    variants = set(empties.values())
    if len(variants) == 1 and None in empties:
        xml = _empty_xml(element.name, empties[None], indent)
        return given if xml is None else given.fill_null(pl.lit(xml))
    absent = pl.lit(None, dtype=pl.String)  # item kinds that treat an empty value differently
    for item, empty in empties.items():
        xml = _empty_xml(element.name, empty, indent)
        if xml is not None:
            absent = pl.when(pl.col(ITEM) == item).then(pl.lit(xml)).otherwise(absent)
    return given.fill_null(absent)


def _joined(parts: list[pl.Expr]) -> pl.Expr:
    """The parts one after another, those that are null (omitted) left out: never null."""
    return pl.concat_str(parts, separator="", ignore_nulls=True) if parts else pl.lit("")


def _parts(elements: Sequence[Element], prefix: str, empties: dict[str, dict[ItemKind, Empty]],
           columns: set[str], depth: int) -> list[pl.Expr]:
    indent = "  " * depth
    parts: list[pl.Expr] = []
    for element in elements:
        name = prefix + element.name
        if element.is_group:
            inner = _joined(_parts(element.children, name + ".", empties, columns, depth + 1))
            # an empty group is left out; its elements are computed once (a test that it is
            # not empty beside its text would compute them twice)
            parts.append(pl.concat_str([pl.lit(f"\n{indent}<{element.name}>"),
                                        inner.replace("", None),
                                        pl.lit(f"\n{indent}</{element.name}>")]))
        elif name in columns:
            parts.append(_element(element, name, empties.get(name, {None: "omit"}), indent))
    return parts


# --- for one row, in Python ------------------------------------------------------------------

def el(name: str, value: object) -> Markup:
    """One XML element by Yuki's rules: None -> nothing, "" -> <X />, NIL -> xsi:nil."""
    if value is None:
        return Markup("")
    if value == "":
        return Markup(f"<{name} />")
    if value is NIL:
        return Markup(f'<{name} xsi:nil="true" />')
    return Markup(f"<{name}>{text_policy.xml_text(str(value))}</{name}>")


@dataclass(frozen=True)
class Shape:
    """Where the values of one Node (and of its groups) sit in a row, and how it renders."""

    elements: tuple[Element, ...]
    index: dict[str, int]  # element name -> row position of its value
    empty: dict[str, EmptyValue]  # element name -> what an empty value is
    groups: dict[str, Shape]
    depth: int
    item_key: str | None = None

    def given(self, row: tuple[Any, ...]) -> bool:
        return any(row[i] is not None for i in self.index.values()) or any(
            self.empty.get(n) is not None for n in self.empty) or any(
            g.given(row) for g in self.groups.values())

    def render(self, row: tuple[Any, ...]) -> str:
        """What xml_expr renders, for one row in Python (groups asked for by a template)."""
        indent = "  " * self.depth
        out = []
        for element in self.elements:
            if element.is_group:
                inner = self.groups[element.name].render(row)
                if inner:
                    out.append(f"\n{indent}<{element.name}>{inner}\n{indent}</{element.name}>")
                continue
            position = self.index.get(element.name)
            value = row[position] if position is not None else None
            if value is None:
                value = self.empty.get(element.name)
            if value is not None:
                out.append(f"\n{indent}{el(element.name, value)}")
        return "".join(out)


def shapes(elements: tuple[Element, ...], fields: Mapping[ItemKind, Sequence[Field]],
           positions: dict[str, int], depth: int,
           item_key: str | None = None) -> dict[ItemKind, Shape]:
    """The Shape of each kind of item (None: the header, or an item of no kind's own)."""
    kinds: dict[ItemKind, Sequence[Field]] = {None: (), **fields}
    return {kind: _shape("", elements, positions,
                         {s.name: _EMPTY_VALUE[s.empty] for s in specs}, depth, item_key)
            for kind, specs in kinds.items()}


def _shape(prefix: str, elements: Sequence[Element], positions: dict[str, int],
           empty: dict[str, EmptyValue], depth: int, item_key: str | None = None) -> Shape:
    groups = {e.name: _shape(prefix + e.name + ".", e.children, positions, empty, depth + 1)
              for e in elements if e.is_group}
    leaves = [e.name for e in elements if not e.is_group]
    return Shape(tuple(elements),
                 {n: positions[prefix + n] for n in leaves if prefix + n in positions},
                 {n: empty.get(prefix + n) for n in leaves}, groups, depth, item_key)
