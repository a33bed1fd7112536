"""The two element renderers of yukimap/render/fragments.py write the same text: polars for
every row of a slice (a document's or an item's `xml`, what the shipped templates write) and
Python for one row (a group's `xml` when a template asks for it, through `el()`), for any
values the map stage gives them: escaping, line breaks, the three empty rules (omit, clear,
nil), item kinds with rules of their own, and groups within groups."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from yukimap import text
from yukimap.documents import Element, Empty, Kind
from yukimap.frames import ITEM
from yukimap.render.fragments import Field, ItemKind, Shape, block_expr, shapes, xml_expr


@dataclass(frozen=True)
class _Field:
    name: str
    empty: Empty


@dataclass(frozen=True)
class _Case:
    elements: tuple[Element, ...]
    fields: dict[ItemKind, list[Field]]
    frame: pl.DataFrame
    depth: int


# Values as the map stage leaves them: text as it is (never a character that a document
# cannot carry, which it refuses), other kinds in their canonical form.
_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc"))
                | st.sampled_from("&<>\"'\r\n\t"), min_size=1, max_size=12).filter(
                    lambda value: text.forbidden(value) is None)
_CANONICAL = st.from_regex(r"\A(-?[0-9]{1,5}(\.[0-9]{1,2})?|2024-0[1-9]-[12][0-9]|true|false)\Z")
_KINDS: list[Kind] = ["text", "text", "decimal", "date", "integer", "boolean"]


@st.composite
def _elements(draw: st.DrawFn, level: int = 0) -> tuple[Element, ...]:
    count = draw(st.integers(1, 4))
    found = []
    for n in range(count):
        name = f"E{level}{n}"
        if level < 2 and draw(st.booleans()):
            found.append(Element(name, None, children=draw(_elements(level + 1))))
        else:
            found.append(Element(name, draw(st.sampled_from(_KINDS))))
    return tuple(found)


def _leaves(elements: tuple[Element, ...], prefix: str = "") -> list[Element]:
    found = []
    for element in elements:
        if element.is_group:
            found += [Element(prefix + element.name + "." + leaf.name, leaf.kind)
                      for leaf in _leaves(element.children)]
        else:
            found.append(Element(prefix + element.name, element.kind))
    return found


@st.composite
def _cases(draw: st.DrawFn) -> _Case:
    elements = draw(_elements())
    leaves = _leaves(elements)
    # a column for some elements; every field of the mapping has its column
    columns = [leaf for leaf in leaves if draw(st.booleans())]
    kinds: list[ItemKind] = draw(st.sampled_from([[None], [0], [0, 1], [0, 1, 2]]))
    fields: dict[ItemKind, list[Field]] = {
        kind: [_Field(c.name, draw(st.sampled_from(["omit", "clear", "nil"])))
               for c in columns if draw(st.booleans())] for kind in kinds}
    height = draw(st.integers(1, 4))
    data = {"at": pl.Series(range(height))}  # a frame of no elements has its rows too
    if kinds != [None]:
        data[ITEM] = pl.Series(draw(st.lists(st.sampled_from(kinds), min_size=height,
                                             max_size=height)), dtype=pl.Int64)
    for column in columns:
        values = _TEXT if column.kind == "text" else _CANONICAL
        data[column.name] = pl.Series(draw(st.lists(st.none() | values, min_size=height,
                                                    max_size=height)), dtype=pl.String)
    frame = pl.DataFrame(data)
    return _Case(elements, fields, frame, draw(st.integers(1, 4)))


def _python_shapes(case: _Case) -> dict[ItemKind, Shape]:
    positions = {name: i for i, name in enumerate(case.frame.columns)}
    return shapes(case.elements, case.fields, positions, case.depth)


@settings(deadline=None)
@given(_cases())
def test_polars_and_python_write_the_same_elements(case: _Case) -> None:
    columns = set(case.frame.columns) - {"at", ITEM}
    by_polars = case.frame.select(xml_expr(case.elements, case.fields, columns, case.depth)
                                  .alias("xml"))["xml"].to_list()
    found = _python_shapes(case)
    for at, written in enumerate(by_polars):
        row = case.frame.row(at)
        kind = row[1] if ITEM in case.frame.columns else None
        assert found.get(kind, found[None]).render(row) == (written or "")


@settings(deadline=None)
@given(_cases())
def test_an_item_is_its_elements_in_its_wrapper(case: _Case) -> None:
    """block_expr joins the wrapper and the elements in one pass: the same text as the
    elements (xml_expr) put inside it, also where no element is written."""
    columns = set(case.frame.columns) - {"at", ITEM}
    both = case.frame.select(
        xml_expr(case.elements, case.fields, columns, case.depth).alias("xml"),
        block_expr(case.elements, case.fields, columns, case.depth, "Line").alias("block"))
    indent = "  " * (case.depth - 1)
    for xml, block in both.iter_rows():
        assert block == f"\n{indent}<Line>{xml}\n{indent}</Line>"


@settings(deadline=None)
@given(_cases())
def test_a_group_is_true_when_it_writes_something(case: _Case) -> None:
    """What a template's {% if invoice.Contact %} tests."""
    for shape in _python_shapes(case).values():
        for at in range(case.frame.height):
            row = case.frame.row(at)
            for group in shape.groups.values():
                assert group.given(row) == bool(group.render(row))


def test_an_empty_text_is_written_two_ways() -> None:
    """The one value on which the two differ: an empty text (a lookup can map a value to
    ''). polars writes <X></X> (in a document's xml), Python <X /> (in a group's xml that a
    template asks for): the same XML, other bytes. Kept as it is while the house is tidied;
    a change of behaviour is its own step."""
    elements = (Element("City"),)
    frame = pl.DataFrame({"City": [""]}, schema={"City": pl.String})
    fields: dict[ItemKind, list[Field]] = {None: [_Field("City", "omit")]}
    by_polars = frame.select(xml_expr(elements, fields, {"City"}, 1).alias("xml"))["xml"].to_list()
    shape = shapes(elements, fields, {"City": 0}, 1)[None]
    assert by_polars == ["\n  <City></City>"]
    assert shape.render(frame.row(0)) == "\n  <City />"
