"""What a template sees: each document as a Node, its items as Items, made a slice of
documents at a time (`contexts`).

A Node's elements are pre-rendered, per run of leaf elements, by polars for a whole slice of
documents at once (fragments.py, escaping included): the shipped templates only give the
structure, so rendering costs a few template steps per document and line, not one per
element. Every value is still there by name, read from the frame only when a template asks,
for templates that write elements one by one: {{ el("Subject", invoice.Subject) }}.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import polars as pl
from markupsafe import Markup

from yukimap.documents import Element, walk
from yukimap.errors import MappingError, NotInSlices
from yukimap.frames import DOC, ITEM, KEY, ROW, ROWS, XML, Mapped, is_internal
from yukimap.i18n import tr
from yukimap.model import Mapping
from yukimap.render import whole
from yukimap.render.fragments import (
    Field,
    ItemKind,
    Shape,
    block_expr,
    shapes,
    xml_expr,
)
from yukimap.render.whole import Part, balanced

_EMPTY = Markup("")

SLICE = 5_000  # documents prepared at a time: bounds the memory of pre-rendered text


class Node:
    """A document, an item or a group of elements, as a template sees it.

    `xml` is everything inside the element, rendered in Yuki's order by Yuki's rule for
    empty values, nested groups included (e.g. an invoice's own elements with its Contact
    and ContactPerson). Any element name gives its value (None: omitted, "": sent empty,
    NIL: xsi:nil); a group name gives the group's Node, false when none of its elements is
    given. A document's items are a list under the target's item name (`invoice.lines`).
    """

    __slots__ = ("_xml", "_source", "_shape", "_groups", "_items")

    def __init__(self, xml: str | None, source: _Row, shape: Shape,
                 items: Items | _Across | None = None) -> None:
        self._xml = xml
        self._source = source
        self._shape = shape
        self._groups: dict[str, Node] | None = None
        self._items = items

    @property
    def _values(self) -> tuple[Any, ...]:
        return self._source.values()

    @property
    def xml(self) -> Markup:
        if self._xml is None:  # a group: rendered on demand, for templates that ask
            self._xml = self._shape.render(self._values)
        return Markup(self._xml) if self._xml else _EMPTY

    def __getattr__(self, name: str) -> Any:
        shape = self._shape
        if name in shape.groups:
            if self._groups is None:
                self._groups = {}
            if name not in self._groups:
                self._groups[name] = Node(None, self._source, shape.groups[name])
            return self._groups[name]
        if name == shape.item_key:
            return self._items if self._items is not None else []
        position = shape.index.get(name)
        if position is None:
            if name in shape.empty:  # an element the mapping does not give
                return None
            raise AttributeError(name)
        value = self._values[position]
        return shape.empty.get(name) if value is None else value

    def __getitem__(self, name: str) -> Any:
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None

    def __bool__(self) -> bool:
        if self._xml is not None:
            return bool(self._xml)
        return self._shape.given(self._values)


class _Row:
    """One row of a slice, read from the frame only when a template asks for a value: the
    shipped templates use the rendered `xml` alone."""

    __slots__ = ("_frame", "_at", "_row")

    def __init__(self, frame: pl.DataFrame, at: int) -> None:
        self._frame = frame
        self._at = at
        self._row: tuple[Any, ...] | None = None

    def values(self) -> tuple[Any, ...]:
        if self._row is None:
            self._row = self._frame.row(self._at)
        return self._row


@dataclass(frozen=True)
class DocumentContext:
    """One document's template context, with where it came from."""

    index: int
    rows: tuple[int, ...]
    context: Node
    _part: _Part
    _begin: int
    _end: int
    ordinal: int = 0  # its place among the documents of the conversion
    label: str = ""  # for people: "invoice 2024-1001"

    @property
    def items(self) -> int:
        """How many items it has."""
        return self._end - self._begin

    @property
    def item_rows(self) -> tuple[int, ...]:
        """The spreadsheet row of each of its items."""
        return Items(self._part, self._begin, self._end).rows


@dataclass(frozen=True)
class _Level:
    """How to build the Nodes of one level (documents, or items) from a frame."""

    xml: pl.Expr | None  # the rendered content of each row's element (None: CSV targets)
    values: list[str]  # value columns, in row order after the keys and the xml
    keys: tuple[str, ...]
    shapes: dict[ItemKind, Shape]  # by item kind
    block: pl.Expr | None = None  # items: each whole element, wrapper included

    def frame(self, frame: pl.DataFrame) -> pl.DataFrame:
        xml = [self.xml.alias(XML)] if self.xml is not None else [pl.lit(None, pl.String)
                                                                       .alias(XML)]
        return frame.select(*self.keys, *xml, *self.values)

    def node(self, row: tuple[Any, ...], source: _Row, kind: ItemKind,
             items: Items | None = None) -> Node:
        shape = self.shapes.get(kind) or self.shapes[None]
        return Node(row[len(self.keys)] or "", source, shape, items)

    def rows(self, frame: pl.DataFrame) -> Iterator[tuple[tuple[Any, ...], _Row]]:
        """(keys and xml, the lazy full row) for each row of a prepared slice."""
        head = frame.select(*self.keys, XML)
        for at, row in enumerate(head.iter_rows()):
            yield row, _Row(frame, at)


def _level(elements: tuple[Element, ...], fields: dict[ItemKind, Sequence[Field]],
           frame: pl.DataFrame, depth: int, renders_xml: bool, keys: tuple[str, ...],
           item_key: str | None = None, wrapper: str | None = None) -> _Level:
    columns = {c for c in frame.columns if not is_internal(c)}
    xml = xml_expr(elements, fields, columns, depth) if renders_xml else None
    values = [n for n in (".".join(path) for path, _ in walk(elements)) if n in columns]
    positions = {name: i for i, name in enumerate([*keys, XML, *values])}
    block = block_expr(elements, fields, columns, depth, wrapper) \
        if xml is not None and wrapper else None
    return _Level(xml, values, keys, shapes(elements, fields, positions, depth, item_key),
                  block)


CHUNK = 50_000  # items rendered in one go; a bigger document is rendered in blocks
BLOCK = 5_000  # items of a big document per block: small pieces keep the validator busy
# Around each block of a big document when asked: NUL cannot occur in XML, so a writer can
# find the blocks in the stream, hand them to two validators in turn, and drop the marks.
BLOCK_MARK = "\x00"
BLOCK_MARK_BYTES = BLOCK_MARK.encode("utf-8")  # one byte, which no other character's UTF-8 holds


def _marked(text: bytes, mark: bytes) -> tuple[bytes, ...]:
    """`text` between marks (none: `mark` empty), the marks as pieces of their own: adding
    them to the text would copy it once more."""
    return (mark, text, mark) if mark else (text,)


class Items:
    """A document's items (invoice lines, journal entries) as a template sees them.

    `blocks`: the items rendered whole (wrapper element included), a few big pieces of text
    made by polars; the shipped templates write these. Iterating gives a Node per item, for
    templates that write items one by one (slower on big files). Both are made on demand.
    """

    __slots__ = ("_part", "_start", "_end")

    def __init__(self, part: _Part, start: int, end: int) -> None:
        self._part, self._start, self._end = part, start, end

    def __len__(self) -> int:
        return self._end - self._start

    def __bool__(self) -> bool:
        return self._end > self._start

    def __iter__(self) -> Iterator[Node]:
        return self._part.nodes(self._start, self._end)

    def __getitem__(self, index: int) -> Node:
        return list(self)[index]

    @property
    def blocks(self) -> Iterator[Markup]:
        return self._part.blocks(self._start, self._end)

    def _written(self) -> Iterator[str | bytes]:
        """`blocks` as a loop that writes nothing else writes them (whole.blocks)."""
        return self._part.written(self._start, self._end)

    @property
    def rows(self) -> tuple[int, ...]:
        """The spreadsheet row of each item."""
        return tuple(self._part.items[ROW].slice(self._start, len(self)).to_list())


class _Part:
    """The items of a slice of documents: small documents share one, so that polars renders
    many documents' items at once; a big document has one to itself, rendered in chunks."""

    def __init__(self, items: pl.DataFrame, level: _Level, marked: bool = False) -> None:
        self.items = items
        self.level = level
        self.marked = marked  # blocks wrapped in BLOCK_MARK, for a writer that splits them
        self._blocks: dict[int, str] | None = None  # item offset of a document -> its text
        self._rows: list[tuple[tuple[Any, ...], _Row]] | None = None

    def blocks(self, start: int, end: int) -> Iterator[Markup]:
        if self.level.block is None:
            raise MappingError(tr("this document has no rendered items (it is not XML)"))
        if self.items.height <= CHUNK:
            if self._blocks is None:
                self._blocks = self._texts()
            text = self._blocks.get(start, "")
            if text:
                yield Markup(text)
            return
        yield from self.chunks(start, end)

    def chunks(self, start: int, end: int) -> Iterator[Markup]:
        """The items rendered a BLOCK at a time (marked, when asked)."""
        for text in self._joined(start, end, pl.String):
            yield Markup(f"{BLOCK_MARK}{text}{BLOCK_MARK}" if self.marked else text)

    def written(self, start: int, end: int) -> Iterator[str | bytes]:
        """`blocks` as pieces to write: of a big document, its chunks as UTF-8 and the marks
        as pieces of their own (whole.pieces)."""
        if self.items.height <= CHUNK:
            yield from self.blocks(start, end)
            return
        yield from self.pieces(start, end)

    def pieces(self, start: int, end: int) -> Iterator[bytes]:
        """`chunks` as UTF-8, the marks as pieces of their own (whole.pieces)."""
        for text in self._joined(start, end, pl.Binary):
            yield from _marked(text, BLOCK_MARK_BYTES if self.marked else b"")

    def _joined(self, start: int, end: int, kind: type[pl.DataType]) -> Iterator[Any]:
        assert self.level.block is not None
        for first in range(start, end, BLOCK):
            chunk = self.items.slice(first, min(BLOCK, end - first))
            yield chunk.select(self.level.block.str.join("").cast(kind)).item()

    def _texts(self) -> dict[int, str]:
        assert self.level.block is not None
        joined = (self.items.select(DOC, self.level.block.alias("b"))
                  .with_row_index("at").group_by(DOC, maintain_order=True)
                  .agg(pl.col("at").first(), pl.col("b").str.join("")))
        return dict(zip(joined["at"].to_list(), joined["b"].to_list()))

    def nodes(self, start: int, end: int) -> Iterator[Node]:
        if self.items.height <= CHUNK:
            if self._rows is None:
                self._rows = list(self.level.rows(self.level.frame(self.items)))
            for row, source in self._rows[start:end]:
                yield self.level.node(row, source, row[2])
            return
        for first in range(start, end, CHUNK):
            chunk = self.level.frame(self.items.slice(first, min(CHUNK, end - first)))
            for row, source in self.level.rows(chunk):
                yield self.level.node(row, source, row[2])


class Page(Protocol):
    """Documents prepared together: their contexts one by one, or, where a template's loop
    writes each document whole (whole.py), their texts at once."""

    def contexts(self) -> Iterator[DocumentContext]: ...

    def texts(self, parts: tuple[Part, ...]) -> Iterator[str | bytes] | None: ...


class _Slice:
    """A slice of documents (at most SLICE, their items one frame), prepared at once."""

    def __init__(self, header: _Level, docs: pl.DataFrame, part: _Part, offsets: list[int],
                 first: int, labels: tuple[str, list[Any]], marked: bool) -> None:
        self.header, self.docs, self.part = header, docs, part
        self.offsets, self.first, self.labels = offsets, first, labels
        self.marked = marked  # its documents' texts in BLOCK_MARK, when they are whole

    def contexts(self) -> Iterator[DocumentContext]:
        offsets, part, (noun, keys) = self.offsets, self.part, self.labels
        for ordinal, ((row, source), begin, end, key) in enumerate(
                zip(self.header.rows(self.docs), offsets, offsets[1:], keys), start=self.first):
            node = self.header.node(row, source, None, Items(part, begin, end))
            yield DocumentContext(row[0], tuple(row[1]), node, part, begin, end, ordinal,
                                  f"{noun} {key}")

    def texts(self, parts: tuple[Part, ...]) -> Iterator[str | bytes] | None:
        """The documents' texts as `parts` write them, a few documents a piece (marked,
        when asked and they are whole elements), made by polars a run of documents at a
        time: each document's own elements (`xml`) and its items' blocks as a Node and
        Items give them; None where the items are not rendered in one go (a big document:
        in blocks) or a part names anything but the items."""
        key = self.header.shapes[None].item_key
        if self.part.level.block is None or self.part.items.height > CHUNK or any(
                isinstance(p, tuple) and p[0] == "blocks" and p[1] != key for p in parts):
            return None
        return self._texts(parts)

    def _texts(self, parts: tuple[Part, ...]) -> Iterator[bytes]:
        block = self.part.level.block
        assert block is not None
        # Each document's texts in order, the items' blocks as a list of their own, and a
        # piece's documents' lists joined once: joining each document's blocks, then its
        # parts, then the documents would copy the text three times.
        ordered = _in_order(parts)
        texts = pl.concat_list(ordered).explode().str.join("") if ordered else pl.lit("")
        # each piece as UTF-8, as polars has it (whole.pieces), marked when asked
        mark = BLOCK_MARK_BYTES if self.marked and balanced(parts) else b""
        offsets = self.offsets
        for first in range(0, self.docs.height, _RUN):  # a run at a time: less text held
            last = min(first + _RUN, self.docs.height)
            items = self.part.items.slice(offsets[first], offsets[last] - offsets[first])
            blocks = (items.select(DOC, block.alias(_BLOCKS))
                      .group_by(DOC, maintain_order=True).agg(pl.col(_BLOCKS)))
            # a few documents a piece: far fewer template steps, pieces still small
            for piece in (self.docs.slice(first, last - first).select(DOC, XML)
                          .join(blocks, on=DOC, how="left", maintain_order="left")
                          .group_by((pl.int_range(pl.len()) // _TOGETHER).alias("piece"),
                                    maintain_order=True)
                          .agg(texts.alias("text"))
                          .to_series(1).cast(pl.Binary).to_list()):
                yield from _marked(piece, mark)


def _in_order(parts: tuple[Part, ...]) -> list[pl.Expr]:
    """What a document writes (`parts`), for `pl.concat_list`: its fixed texts and own
    elements between its items' blocks joined into one text each, the blocks a list."""
    found: list[pl.Expr] = []
    run: list[pl.Expr] = []
    for part in parts:
        if isinstance(part, tuple) and part[0] == "blocks":
            if run:
                found.append(pl.concat_str(run))
                run = []
            found.append(pl.col(_BLOCKS).fill_null([]))  # a document without items: none
        else:
            run.append(pl.lit(part) if isinstance(part, str) else pl.col(XML).fill_null(""))
    if run:
        found.append(pl.concat_str(run))
    return found


_BLOCKS = "__blocks"  # a document's items rendered whole, a list
_TOGETHER = 32  # documents' texts written as one piece
_RUN = 1_024  # documents whose texts are made at once


class Lone:
    """One document's context, as a page of its own."""

    def __init__(self, document: DocumentContext) -> None:
        self.document = document

    def contexts(self) -> Iterator[DocumentContext]:
        yield self.document

    def texts(self, parts: tuple[Part, ...]) -> Iterator[str | bytes] | None:
        return None


def document_nodes(pages: Iterator[Page]) -> Iterator[Node]:
    """`documents` as a template sees them: each document's Node, in file order, one
    iterator as before; a loop that writes each whole (whole.py) takes the rest of them a
    page at a time."""
    going = _Going(pages)
    nodes = going.nodes()
    whole.writes_itself(nodes, going.texts)
    return nodes


class _Going:
    """The pages of `documents`, and the contexts left of the one being gone through."""

    def __init__(self, pages: Iterator[Page]) -> None:
        self.pages = pages
        self.left: Iterator[DocumentContext] = iter(())

    def nodes(self) -> Iterator[Node]:
        while True:
            for document in self.left:
                yield document.context
            page = next(self.pages, None)
            if page is None:
                return
            self.left = page.contexts()

    def texts(self, parts: tuple[Part, ...],
              each: Callable[[Iterable[Any]], Iterator[str]]) -> Iterator[str | bytes]:
        """What is left, the documents' texts as `parts` write them: of a page begun, by
        `each` one by one; of the others, at once where the page can (`Page.texts`)."""
        yield from each(document.context for document in self.left)
        for page in self.pages:
            texts = page.texts(parts)
            if texts is None:
                self.left = page.contexts()
                yield from each(document.context for document in self.left)
            else:
                yield from texts


def each_context(pages: Iterable[Page]) -> Iterator[DocumentContext]:
    """The contexts of the documents of `pages`, one by one."""
    for page in pages:
        yield from page.contexts()


def contexts(mapped: Mapped, mapping: Mapping, marked: bool = False) -> Iterator[DocumentContext]:
    """The template context of each document, in file order, a slice at a time; `marked`
    wraps the blocks of big documents in BLOCK_MARK."""
    return each_context(pages(mapped, mapping, marked))


def pages(mapped: Mapped, mapping: Mapping, marked: bool = False) -> Iterator[Page]:
    """The documents, in file order, a slice at a time (`contexts`); `marked`: the blocks
    of big documents whose items are children of the root, or, of documents that go many
    to a call (children of the root), the pieces of their texts written whole, in
    BLOCK_MARK (the validators of a big file take them apart)."""
    target = mapping.target
    xml = target.xsd is not None
    header = _level(target.header, {None: mapping.header}, mapped.documents,
                    target.depths[0], xml, (DOC, ROWS), target.item_key)
    item_specs: dict[ItemKind, Sequence[Field]] = {
        i: item.fields for i, item in enumerate(mapping.items)}
    items = mapped.items
    lines = _level(target.items, item_specs, items, target.depths[1], xml, (DOC, ROW, ITEM),
                   wrapper=target.item_tag)
    starts = items[DOC].search_sorted(mapped.documents[DOC], side="left").to_list() \
        if items.height else [0] * mapped.documents.height
    starts.append(items.height)
    keys = mapped.documents[KEY].to_list()
    for first, last in _slices(starts):
        docs = header.frame(mapped.documents.slice(first, last - first))
        part = _Part(items.slice(starts[first], starts[last] - starts[first]), lines,
                     marked and target.items_at_root)
        offsets = [start - starts[first] for start in starts[first:last + 1]]
        yield _Slice(header, docs, part, offsets, first, (target.document, keys[first:last]),
                     marked and not target.per_call)


def spanning_context(first: Mapped, rest: Iterator[Mapped], mapping: Mapping,
                     marked: bool = False) -> DocumentContext:
    """The template context of the one document of a big file converted a slice at a time
    (sliced.py; a journal of the whole file): its own fields from the first slice, as the
    whole file gives them (from its first row), and its items from every slice in turn,
    each slice mapped only when the template comes to its items."""
    context = next(contexts(first, mapping, marked))
    lines = context._part
    parts = (_Part(mapped.items, lines.level, marked) for mapped in rest)
    context.context._items = _Across(lines, parts)
    return context


class _Across:
    """The items of a document that spans a file's slices, as `Items` gives them, slice by
    slice. They are gone through once, in order (as the shipped templates do); a template
    that asks how many there are, or for one by its place, or goes through them twice,
    hands the file back to be converted whole (NotInSlices), which can answer."""

    __slots__ = ("_first", "_rest", "_used")

    def __init__(self, first: _Part, rest: Iterator[_Part]) -> None:
        self._first, self._rest, self._used = first, rest, False

    def _parts(self) -> Iterator[_Part]:
        if self._used:
            raise NotInSlices("items-twice")
        self._used = True
        yield self._first
        yield from self._rest

    def __len__(self) -> int:
        raise NotInSlices("items-length")

    def __bool__(self) -> bool:
        if self._first.items.height:
            return True
        raise NotInSlices("items-length")

    def __iter__(self) -> Iterator[Node]:
        for part in self._parts():
            yield from part.nodes(0, part.items.height)

    def __getitem__(self, index: int) -> Node:
        raise NotInSlices("items-index")

    @property
    def blocks(self) -> Iterator[Markup]:
        if self._first.level.block is None:
            raise NotInSlices("items-not-xml")
        for part in self._parts():
            yield from part.chunks(0, part.items.height)

    def _written(self) -> Iterator[bytes]:
        """`blocks` as pieces to write (whole.blocks)."""
        if self._first.level.block is None:
            raise NotInSlices("items-not-xml")
        for part in self._parts():
            yield from part.pieces(0, part.items.height)

    @property
    def rows(self) -> tuple[int, ...]:
        raise NotInSlices("items-rows")


def _slices(starts: list[int]) -> Iterator[tuple[int, int]]:
    """Documents in groups of at most SLICE, with at most CHUNK items between them, unless
    one document alone has more."""
    first, count = 0, len(starts) - 1
    while first < count:
        last = first + 1
        while (last < count and last - first < SLICE
               and starts[last + 1] - starts[first] <= CHUNK):
            last += 1
        yield first, last
        first = last
