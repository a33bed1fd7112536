"""A big file whose documents' rows are far apart, regrouped on disk.

Converted whole, a file's rows make one document per key, the documents in the order their
keys first appear and each document's rows in the file's order, wherever they stand. A
slice must hold each of its documents whole; where a document's rows are spread over
slices (order lines exported by time, a journal's dates in no order) the rows are first
sorted that way through disk: each slice's rows go to files by ranges of document (in the
order their keys first appear), and the ranges are read back one at a time, each sorted by
document and row, as the slices of the file. Memory holds a slice, what waits to be
written (`BUFFER`), and one key per document.

The rows keep their spreadsheet row numbers (ROW), so every message names the rows of the
file. Rows without a key stay with the document of the row before them (the mapping says
them as it does in the whole file).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import cast

import polars as pl

from yukimap.errors import NotInSlices
from yukimap.frames import ROW, Table
from yukimap.limits import MB
from yukimap.scratch import Scratch

# What waits in memory before it is written out, all ranges together.
BUFFER = 16 * MB

_ORDER = "__order__"  # a row's document, numbered in the order the keys first appear
_RANGE = "__range__"  # the range of documents a row is written with


@contextmanager
def spill_folder() -> Iterator[Path]:
    """A folder of its own in the system's temporary folder, taken away with what is in it;
    NotInSlices if none can be made."""
    try:
        made = Scratch("regroup")
    except OSError:
        raise NotInSlices("regroup-disk") from None
    with made as folder:
        yield folder


def regrouped(tables: Iterator[Table], column: str, folder: Path) -> Iterator[Table]:
    """The rows of `tables` (a file's slices, in order) as tables of whole documents by
    `column`, in the order the whole file makes them, through files in `folder`;
    NotInSlices if the disk refuses."""
    try:
        spilled = _Spill(folder, column)
        for table in tables:
            spilled.add(table)
        spilled.flush()
    except OSError:
        raise NotInSlices("regroup-disk") from None
    yield from spilled.read_back()


# A range holds about this share of a slice's rows: ranges are read back together up to a
# slice's rows, so a range whose documents have more rows than foreseen keeps a slice near
# its size.
RANGES_PER_SLICE = 8


class _Spill:
    """Rows written to files by ranges of documents, a file per range for each `flush`; read
    back a slice's rows of them at a time. A document's range is set when its key is first
    seen, by the rows per document of its slice, so that a range holds about a slice's
    RANGES_PER_SLICE-th part of rows."""

    def __init__(self, folder: Path, column: str) -> None:
        self.folder = folder
        self.column = column
        self.known = pl.DataFrame(schema={column: pl.String, _ORDER: pl.Int64,
                                          _RANGE: pl.Int64})
        self.slice_rows = 0  # the rows of the first slice
        self.range = 0  # the range new documents go to
        self.filled = 0  # the documents in it
        self.rows: dict[int, int] = {}  # per range
        self.waiting: dict[int, list[pl.DataFrame]] = {}
        self.waiting_bytes = 0
        self.files: dict[int, list[Path]] = {}
        self.last = (0, 0)  # the document and range of the last row so far
        self.table: Table | None = None  # the last slice, whose fields every slice shares

    def add(self, table: Table) -> None:
        self.table = table
        frame = self._ordered(table.frame)
        if not frame.height:
            return
        for (number,), part in frame.partition_by(_RANGE, as_dict=True,
                                                  maintain_order=True).items():
            number = cast(int, number)
            self.waiting.setdefault(number, []).append(part.drop(_RANGE))
            self.rows[number] = self.rows.get(number, 0) + part.height
            self.waiting_bytes += int(part.estimated_size())
        if self.waiting_bytes > BUFFER:
            self.flush()

    def _ordered(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The slice's rows with their document's number and range; new keys numbered on
        (a row without a key goes with the row before it)."""
        keys = frame[self.column].drop_nulls().unique(maintain_order=True).to_frame()
        # the table of every key is probed, and only the slice's keys hashed: a join the
        # other way round builds a table of every key for every slice
        found = self.known.join(keys, on=self.column, how="inner")
        new = keys.join(found, on=self.column, how="anti", maintain_order="left")
        self.slice_rows = self.slice_rows or frame.height
        # as many rows a document as in this slice: where rows stand apart, a document has
        # more in the file, which RANGES_PER_SLICE leaves room for
        per_range = max(1, self.slice_rows * keys.height
                        // (RANGES_PER_SLICE * max(1, frame.height)))
        place = pl.int_range(pl.len(), dtype=pl.Int64) + self.filled
        new = new.with_columns(
            (pl.int_range(pl.len(), dtype=pl.Int64) + self.known.height).alias(_ORDER),
            (place // per_range + self.range).alias(_RANGE))
        self.known = pl.concat([self.known, new])
        self.range, self.filled = (self.range + (self.filled + new.height) // per_range,
                                   (self.filled + new.height) % per_range)
        frame = frame.join(pl.concat([found, new]), on=self.column, how="left",
                           maintain_order="left")
        frame = frame.with_columns(pl.col(_ORDER).forward_fill().fill_null(self.last[0]),
                                   pl.col(_RANGE).forward_fill().fill_null(self.last[1]))
        if frame.height:
            self.last = (int(frame[_ORDER][-1]), int(frame[_RANGE][-1]))
        return frame

    def flush(self) -> None:
        for number, parts in self.waiting.items():
            path = self.folder / f"{number:09d}-{len(self.files.get(number, [])):06d}.arrow"
            pl.concat(parts).write_ipc(path, compression="uncompressed")
            self.files.setdefault(number, []).append(path)
        self.waiting.clear()
        self.waiting_bytes = 0

    def read_back(self) -> Iterator[Table]:
        """The ranges' rows, sorted by document and row, a slice's rows at a time (at least
        one range) as the slices of the file."""
        paths: list[Path] = []
        rows = 0
        for number in sorted(self.files):
            paths += self.files.pop(number)
            rows += self.rows[number]
            if rows >= self.slice_rows:
                yield self._slice(paths)
                paths, rows = [], 0
        if paths:
            yield self._slice(paths)

    def _slice(self, paths: list[Path]) -> Table:
        try:
            rows = pl.concat([pl.read_ipc(path) for path in paths])
            for path in paths:
                path.unlink()
        except OSError:
            raise NotInSlices("regroup-disk") from None
        assert self.table is not None
        # rows of any of the slices: not surely carried (Table.carried)
        return replace(self.table, frame=rows.sort(_ORDER, ROW).drop(_ORDER), carried=False)
