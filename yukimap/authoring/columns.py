"""What the values of an export's columns are, judged over each whole column: dates (in
which formats), numbers (with which decimal mark), whole numbers, or text; which values
it has. A reading is stated only when every value of the column admits it and no other;
otherwise the readings that remain are kept, for init to list.

A big file is judged a slice at a time (`Profiler.add`), and says the same as the whole:
every reading is one that each value admits, so what one slice rules out stays out. Each
distinct value is judged once: the values seen are kept, all columns together within
SEEN_BYTES, to tell a new one and to count them; a column with more than that holds is
counted no further (it has at least so many) and judged again in every slice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from yukimap.limits import MB
from yukimap.values import (
    COMMON_DATE_FORMATS,
    ISO_DATE,
    date_formats_reading,
    marks_reading,
)

if TYPE_CHECKING:
    import polars as pl

    from yukimap.frames import Table

Kind = Literal["empty", "date", "number", "whole", "text"]

LISTED = 20  # distinct values a profile keeps (for a map: the first ones, in file order)
IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{8,30}$")
SEEN_BYTES = 64 * MB  # the distinct values kept to count them, all columns together
_WHOLE = r"^[+-]?\d+$"  # a whole number as it stands: no mark, nothing to clean


@dataclass(frozen=True)
class Profile:
    """One column of an export, judged over all its values."""

    name: str
    letter: str
    kind: Kind
    filled: int  # cells with a value
    rows: int  # rows of the table
    values: tuple[str, ...]  # the first LISTED distinct values, in file order
    distinct: int  # how many distinct values it has (at least, when not `counted`)
    date_formats: tuple[str, ...] = ()  # dates: () ISO only; one: settled; more: all remain
    decimal_marks: tuple[str, ...] = ()  # numbers: one: settled; two: both remain; none: mixed
    thousands: str | None = None  # numbers: the separator some value shows
    ambiguous: tuple[str, ...] = ()  # numbers: values that read both ways
    counted: bool = True  # False: too many distinct values to keep; `distinct` is a floor
    repeats: bool | None = False  # a value is in two rows; None: not known (not `counted`)
    showing: tuple[tuple[str, str], ...] = ()  # numbers: a mark, the first value that has it
    written: tuple[str, ...] = ()  # dates: the first LISTED not in ISO form

    def first_with(self, *signs: str) -> str:
        """The first value with the first of `signs` that one has (a number with a mark has
        '.' or ',')."""
        shown = dict(self.showing)
        return next(shown[sign] for sign in signs if sign in shown)

    @property
    def ibans(self) -> bool:
        return bool(self.values) and all(IBAN.match(v.replace(" ", "")) for v in self.values)

    @property
    def all_listed(self) -> bool:
        return self.counted and self.distinct <= LISTED


class Profiler:
    """The profiles of a file's columns, its slices added in the file's order."""

    def __init__(self, first: Table) -> None:
        self.columns = [_Column(name, first.letters[name]) for name in first.columns]

    def add(self, table: Table) -> None:
        for column in self.columns:
            column.add(table.frame[column.name])
        kept = [c for c in self.columns if c.seen is not None]
        held = {id(c): c.seen.estimated_size() for c in kept if c.seen is not None}
        while sum(held.values()) > SEEN_BYTES:  # the column that holds the most counts no more
            biggest = max(kept, key=lambda c: held.get(id(c), 0))
            biggest.seen = None
            del held[id(biggest)]

    def profiles(self) -> list[Profile]:
        return [column.profile() for column in self.columns]


@dataclass
class _Column:
    """What one column's values so far admit."""

    name: str
    letter: str
    rows: int = 0
    filled: int = 0
    values: list[str] = field(default_factory=list)  # the first LISTED distinct ones
    seen: pl.Series | None = None  # every distinct value so far; None: too many to keep
    distinct: int = 0
    repeats: bool = False  # a value in two rows, seen
    dated: bool = True  # every value a date so far, ISO or in one of `formats`
    written: list[str] = field(default_factory=list)  # the first dates not in ISO form
    formats: tuple[str, ...] = COMMON_DATE_FORMATS  # the formats that read every such one
    numbers: bool = True  # every value a number so far
    reads: dict[str, bool] = field(default_factory=lambda: {".": True, ",": True})
    marked: bool = False  # a number with a mark (not whole)
    signs: dict[str, str] = field(default_factory=dict)  # a mark, the first value with it
    either: list[str] = field(default_factory=list)  # the first numbers that read both ways
    started: bool = False

    def add(self, cells: pl.Series) -> None:
        import polars as pl

        self.rows += cells.len()
        present = cells.drop_nulls()
        self.filled += present.len()
        uniques = present.unique(maintain_order=True)
        self.repeats = self.repeats or uniques.len() < present.len()
        new = uniques
        if not self.started:
            self.seen, self.started = pl.Series(self.name, [], dtype=pl.String), True
        if self.seen is not None:
            frame = uniques.to_frame(self.name)
            # the slice's values hashed and every value seen probed: the other way round
            # would hash every value seen for every slice
            known = self.seen.to_frame(self.name).join(frame, on=self.name, how="inner")
            new = frame.join(known, on=self.name, how="anti", maintain_order="left")[self.name]
            self.repeats = self.repeats or known.height > 0
            self.seen = pl.concat([self.seen, new])
            self.distinct = self.seen.len()
        else:
            self.distinct = max(self.distinct, uniques.len())
        _extend(self.values, uniques)
        self._judged(new)

    def _judged(self, new: pl.Series) -> None:
        """The readings that every one of `new`, values not seen before, admits too."""
        if self.dated:
            self._dates([str(v) for v in new])
        if self.numbers:
            # a whole number as it stands reads either way and shows no mark: no need to look
            self._numbers(new.filter(~new.str.contains(_WHOLE)))

    def _dates(self, values: list[str]) -> None:
        written = [v for v in values if not ISO_DATE.match(v)]
        if not written:
            return
        _extend(self.written, written)
        reading = set(date_formats_reading(written))
        self.formats = tuple(f for f in self.formats if f in reading)
        self.dated = bool(self.formats)

    def _numbers(self, values: pl.Series) -> None:
        # How a text reads as a number does not change when a digit 1-9 becomes another
        # (the patterns tell only a digit, and a first digit 0 from 1-9): a value of each
        # shape is judged for all of that shape, thousands of amounts by a few shapes.
        shapes = values.str.replace_all("[1-9]", "1")
        for sign in ".,":
            having = values.filter(values.str.contains(sign, literal=True))
            if sign not in self.signs and having.len():
                self.signs[sign] = having[0]
        both: list[str] = []
        for shape in shapes.unique(maintain_order=True):
            marks = marks_reading(shape)
            if marks is None:
                continue
            if not marks:
                self.numbers = False
                return
            self.marked = True
            for mark in self.reads:
                self.reads[mark] = self.reads[mark] and mark in marks
            if len(marks) == 2:
                both.append(shape)
        if both and len(self.either) < LISTED:
            _extend(self.either, values.filter(shapes.is_in(both)))

    def profile(self) -> Profile:
        counted = self.seen is not None
        base = Profile(self.name, self.letter, "empty", self.filled, self.rows,
                       tuple(self.values), self.distinct, counted=counted,
                       repeats=True if self.repeats else (False if counted else None))
        if not self.filled:
            return base
        if self.dated:
            return replace(base, kind="date", date_formats=self.formats if self.written else (),
                           written=tuple(self.written))
        if not self.numbers:
            return replace(base, kind="text")
        if not self.marked:
            return replace(base, kind="whole")
        base = replace(base, showing=tuple((s, self.signs[s]) for s in ".," if s in self.signs))
        marks = tuple(m for m, reads in self.reads.items() if reads)
        if len(marks) == 2:
            return replace(base, kind="number", decimal_marks=marks,
                           ambiguous=tuple(self.either[:3]))
        if not marks:
            return replace(base, kind="number")  # the column mixes marks: no one reading
        other = "," if marks[0] == "." else "."
        return replace(base, kind="number", decimal_marks=marks,
                       thousands=other if other in self.signs else None)


def _extend(first: list[str], values: Iterable[str]) -> None:
    """`first`, the first LISTED distinct values, with `values` after them (values seen
    before come again where a column is judged again in every slice)."""
    for value in values:
        if len(first) >= LISTED:
            return
        if value not in first:
            first.append(value)


def is_number(text: str) -> bool:
    """Whether `text` reads as a number with one decimal mark or the other."""
    return marks_reading(text) != ()


def is_value(text: str) -> bool:
    """A number or a date: a value, not a column's name."""
    text = text.strip()
    return bool(ISO_DATE.match(text) or date_formats_reading([text])) or is_number(text)
