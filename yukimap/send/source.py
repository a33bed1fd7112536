"""Where a send run takes a file's documents from: the file's whole conversion in memory
(`Whole`), or a big file's slices, mapped and checked once and kept on disk (`Spilled`), so
that sending a file of millions of rows takes the memory of one slice.

Both say the same of a file: each document's label, rows, reference and a hash of its
content, in file order (`described`), which the plan keys; what its documents use in the
administration, for pre-flight; the documents a call carries, and their text, rendered and
validated then (`documents`, `text`); and, when a call fails Yuki's schema, the file's
documents checked as `convert` checks them, with the rows of every problem (`check`).
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from itertools import groupby
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import polars as pl

from yukimap.errors import NotInSlices
from yukimap.frames import DOC, ITEM, KEY, ROW, ROWS, Mapped, compact_rows
from yukimap.model import Mapping as MappingFile
from yukimap.output import batch_checked, batch_rendered, check_documents
from yukimap.pipeline import ConversionResult, Stage, convert_file
from yukimap.render import DocumentContext, Lone, Page, contexts, pages
from yukimap.scratch import Scratch
from yukimap.sliced import map_in_slices
from yukimap.summary import Summary
from yukimap.usage import DocumentUsage, Gathered


class Described(NamedTuple):
    """What the plan needs of one document (not the document itself)."""

    label: str
    rows: Sequence[int]  # spreadsheet numbering
    reference: str | None
    content: str  # a hash of its values: the key of a document without a reference


class Source(Protocol):
    """A converted file's documents, for a send run."""

    mapping: MappingFile
    file: str  # as problems name it
    summary: Summary

    def described(self) -> Iterator[Described]: ...

    def usage(self) -> DocumentUsage: ...

    def pages(self, at: Sequence[int]) -> Iterator[Page]:
        """The documents at the places `at` (in order) of the file, as pages to render."""

    def text(self, documents: Iterator[Page]) -> str:
        """The text of a call of `documents`, rendered: `checked` before it may be sent."""

    def checked(self, text: str, labels: Sequence[str], ordinal: int) -> None:
        """Raise DocumentError when `text` breaks Yuki's schema (safe in another thread)."""

    def check(self) -> None: ...

    def close(self) -> None: ...


def converted(path: Path, mapping: MappingFile, stage: Stage) -> Source:
    """The file's documents: a big file's from its slices, any other's whole."""
    return spilled(path, mapping, stage) or Whole(convert_file(path, mapping, stage))


class Whole:
    """A file converted whole, held in memory."""

    def __init__(self, result: ConversionResult) -> None:
        self.result = result
        self.mapping = result.mapping
        self.file = result.table.file
        self.summary = result.summary
        self._documents: list[DocumentContext] = []

    def described(self) -> Iterator[Described]:
        return _described(self.result.mapped, self.mapping)

    def usage(self) -> DocumentUsage:
        return self.result.usage()

    def pages(self, at: Sequence[int]) -> Iterator[Page]:
        if not self.mapping.target.per_call:
            return _pages(self.result.mapped, self.mapping, at)
        if not self._documents:  # made once, when the first call is rendered
            self._documents = list(self.result.documents())
        return (Lone(self._documents[i]) for i in at)

    def text(self, documents: Iterator[Page]) -> str:
        return batch_rendered(self.mapping, documents)

    def checked(self, text: str, labels: Sequence[str], ordinal: int) -> None:
        batch_checked(self.mapping, text, labels, ordinal, self.result)

    def check(self) -> None:
        check_documents(self.result)

    def close(self) -> None:
        self._documents = []


class Spilled:
    """A big file's slices, mapped and checked as `convert` checks them, each written to a
    temporary folder as it came (`_Kept`) and read back when a call needs its documents; a
    slice of documents at a time in memory. What spans the file is small: the summary, the
    usage (each code with its rows, packed), and what `described` gives."""

    def __init__(self, path: Path, mapping: MappingFile, kept: _Kept, summary: Summary) -> None:
        self.path = path
        self.mapping = mapping
        self.file = str(path)
        self.summary = summary
        self._kept = kept
        self._held: _Held | None = None  # the slice read back last

    def described(self) -> Iterator[Described]:
        for number in range(len(self._kept.starts)):
            yield from _each(pl.read_ipc(self._kept.slice(number, "described")))

    def usage(self) -> DocumentUsage:
        return self._kept.used.usage()

    def pages(self, at: Sequence[int]) -> Iterator[Page]:
        """Calls come in file order: the slice read back last is the one to look in (or
        the next); a call may take the end of one slice and the start of the next."""
        starts = self._kept.starts
        for number, places in groupby(at, key=lambda i: bisect.bisect_right(starts, i) - 1):
            if self.mapping.target.per_call:
                yield from (Lone(self._document(number, i)) for i in places)
            else:
                yield from _pages(self._slice(number).mapped, self.mapping,
                                  [i - starts[number] for i in places])

    def text(self, documents: Iterator[Page]) -> str:
        return batch_rendered(self.mapping, documents)

    def checked(self, text: str, labels: Sequence[str], ordinal: int) -> None:
        batch_checked(self.mapping, text, labels, ordinal)

    def _slice(self, number: int) -> _Held:
        """The slice `number` read back (the last one read is kept)."""
        if self._held is None or self._held.number != number:
            mapped = Mapped(pl.read_ipc(self._kept.slice(number, "documents")),
                            pl.read_ipc(self._kept.slice(number, "items")), [], {}, 0)
            self._held = _Held(number, mapped, contexts(mapped, self.mapping),
                               self._kept.starts[number])
        return self._held

    def _document(self, number: int, at: int) -> DocumentContext:
        """The document at `at` in the file, of the slice `number`: one a call (a journal
        of each group), made as they are asked for, a few at a time (`render.contexts`);
        a document asked for again reads its slice again."""
        held = self._slice(number)
        if at < held.next:
            self._held = None
            held = self._slice(number)
        return held.at(at)

    def check(self) -> None:
        """Every document checked, whole, as `convert` would: only when a call failed."""
        check_documents(convert_file(self.path, self.mapping))

    def close(self) -> None:
        self._held = None
        self._kept.close()


class _Held:
    """A slice read back: its documents and items, and its documents' contexts in order,
    made as they are asked for (for documents that go one a call)."""

    def __init__(self, number: int, mapped: Mapped, documents: Iterator[DocumentContext],
                 first: int) -> None:
        self.number, self.mapped, self.documents = number, mapped, documents
        self.next = first  # the place in the file of the document `documents` makes next

    def at(self, at: int) -> DocumentContext:
        """The document at `at` (not before `next`)."""
        for document in self.documents:
            self.next += 1
            if self.next - 1 == at:
                return document
        raise LookupError(at)  # i18n: a bug (the plan has no document beyond the slices')


class _Kept:
    """What a reading of a big file's slices keeps: each slice's documents and items on
    disk, and what the plan and the pre-flight need of them in memory."""

    def __init__(self, mapping: MappingFile) -> None:
        self.mapping = mapping
        self._folder = Scratch("send")
        self.starts: list[int] = []  # the place of each slice's first document in the file
        self.count = 0  # the documents of the slices kept
        self.used = Gathered()  # gathered by the reading of the slices (sliced._Run)

    def start(self) -> Callable[[Mapped], None]:
        """A reading of the file begins (again): what an earlier one kept is dropped."""
        self.starts, self.count = [], 0
        return self._add

    def _add(self, mapped: Mapped) -> None:
        number = len(self.starts)
        self.starts.append(self.count)
        self.count += mapped.documents.height
        mapped.documents.write_ipc(self.slice(number, "documents"), compression="lz4")
        mapped.items.write_ipc(self.slice(number, "items"), compression="lz4")
        _description(mapped, self.mapping).write_ipc(self.slice(number, "described"),
                                                     compression="lz4")

    def slice(self, number: int, part: str) -> Path:
        return self._folder.path / f"{number}.{part}.arrow"

    def close(self) -> None:
        self._folder.cleanup()


def _pages(mapped: Mapped, mapping: MappingFile, at: Sequence[int]) -> Iterator[Page]:
    """The documents at the places `at` (in order) of `mapped`, and their items, as the
    pages a conversion renders: a run of documents taken as it is, others picked out."""
    documents, items = mapped.documents, mapped.items
    first, last = at[0], at[-1]
    chosen = (documents.slice(first, len(at)) if last - first + 1 == len(at)
              else documents[list(at)])
    ids = chosen[DOC]
    # items in the order of their documents (as pages has them): those of the run's
    lower = items[DOC].search_sorted(ids[0], side="left")
    upper = items[DOC].search_sorted(ids[-1], side="right")
    near = items.slice(lower, upper - lower)
    if len(at) < last - first + 1:  # documents left out between: their items too
        near = near.filter(pl.col(DOC).is_in(ids.implode()))
    return pages(Mapped(chosen, near, [], {}, 0), mapping)


def spilled(path: Path, mapping: MappingFile, stage: Stage) -> Spilled | None:
    """A big file's slices kept on disk (None: the file is converted whole)."""
    try:
        kept = _Kept(mapping)
    except OSError:
        return None
    try:
        summary = map_in_slices(path, mapping, kept.start, stage, kept.used)
    except (NotInSlices, OSError):
        summary = None
    except BaseException:
        kept.close()
        raise
    if summary is None:
        kept.close()
        return None
    return Spilled(path, mapping, kept, summary)


def _described(mapped: Mapped, mapping: MappingFile) -> Iterator[Described]:
    """Each document's label, rows, reference and the hash of its content."""
    return _each(_description(mapped, mapping))


def _each(description: pl.DataFrame) -> Iterator[Described]:
    for label, rows, reference, content in description.iter_rows():
        yield Described(label, compact_rows(rows), reference, content)


def _description(mapped: Mapped, mapping: MappingFile) -> pl.DataFrame:
    """What `_described` says of each document, as a frame, from the mapped columns (as a
    template's context has them: `render.contexts`)."""
    docs = mapped.documents
    noun = mapping.target.document
    field = mapping.target.reference_field
    references = (docs[field].to_list() if field and field in docs.columns
                  else [None] * docs.height)
    return pl.DataFrame({
        "label": [f"{noun} {key}" for key in docs[KEY].to_list()],
        "rows": docs[ROWS].cast(pl.List(pl.Int64)),
        "reference": [str(reference) if reference else None for reference in references],
        "content": _contents(mapped)}, schema={
            "label": pl.String, "rows": pl.List(pl.Int64), "reference": pl.String,
            "content": pl.String})


def _contents(mapped: Mapped) -> list[str]:
    """A hash of each document's content: its values and its items' values, in the
    canonical JSON of `_canonical` (which the journal keys documents without a reference
    by: it must not change). The mapped values are text (or empty): then the JSON is made by
    polars, a column at a time, each distinct value encoded once by `json` itself; a column
    of another type is made document by document (`_canonical`)."""
    docs, items = mapped.documents, mapped.items
    header, lines = _value_columns(docs), _value_columns(items)
    if any(docs[c].dtype != pl.String for c in header) or any(
            items[c].dtype != pl.String for c in lines):
        return [_hashed(text) for text in _canonical(mapped)]
    if docs.height > _AT_ONCE:  # (items in the order of their documents, as pages has them)
        starts = items[DOC].search_sorted(docs[DOC], side="left").to_list() + [items.height]
        return [found for first in range(0, docs.height, _AT_ONCE) for found in _contents(
            Mapped(docs.slice(first, _AT_ONCE), items.slice(
                starts[first], starts[min(first + _AT_ONCE, docs.height)] - starts[first]),
                [], {}, 0))]
    line = pl.concat_str([pl.lit("["), _pairs(items, lines), pl.lit("]")])
    per_document = items.group_by(DOC, maintain_order=True).agg(
        line.str.join(",").alias(_LINES))
    canonical = docs.select(DOC, _pairs(docs, header).alias(_HEADER)).join(
        per_document, on=DOC, how="left", maintain_order="left").select(pl.concat_str([
            pl.lit("[["), pl.col(_HEADER), pl.lit("],["), pl.col(_LINES).fill_null(""),
            pl.lit("]]")]))
    return [_hashed(text) for text in canonical.to_series()]


_HEADER, _LINES = "__header__", "__lines__"
_AT_ONCE = 5000  # documents whose JSON is made at once: a slice's is tens of megabytes
_ENCODER = json.JSONEncoder(default=str, separators=(",", ":"))


def _value_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in (DOC, KEY, ROWS, ROW, ITEM)]


def _pairs(frame: pl.DataFrame, columns: list[str]) -> pl.Expr:
    """Of each row, `["column",value]` for each column, as JSON, joined by commas."""
    if not columns:
        return pl.lit("")
    return pl.concat_str([pl.concat_str([pl.lit(f"[{json.dumps(c)},"), _encoded(frame, c),
                                         pl.lit("]")]) for c in columns], separator=",")


def _encoded(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The column's text values as JSON strings (`json` encodes each distinct one)."""
    found = frame[column].drop_nulls().unique().to_list()
    return pl.col(column).replace_strict(found, [json.dumps(v) for v in found],
                                         default=None).fill_null("null")


def _canonical(mapped: Mapped) -> Iterator[str]:
    """Each document's values and its items' values, canonical JSON, one by one."""
    docs, items = mapped.documents, mapped.items
    header, lines = _value_columns(docs), _value_columns(items)
    by_doc: dict[int, list[tuple[Any, ...]]] = {}
    for row in items.select(DOC, *lines).iter_rows():
        by_doc.setdefault(row[0], []).append(row[1:])
    for row in docs.select(DOC, *header).iter_rows():
        yield _ENCODER.encode([list(zip(header, row[1:])),
                               [list(zip(lines, r)) for r in by_doc.get(row[0], [])]])


def _hashed(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]
