"""What the values of an export's columns are, judged over each whole column: dates (in
which formats), numbers (with which decimal mark), whole numbers, or text; which values
it has. A reading is stated only when every value of the column admits it and no other;
otherwise the readings that remain are kept, for init to list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from yukimap.frames import Table
from yukimap.values import (
    ISO_DATE,
    BadValue,
    Locale,
    date_formats_reading,
    decimal_mark_evidence,
    parse_decimal,
)

Kind = Literal["empty", "date", "number", "whole", "text"]

LISTED = 20  # distinct values a profile keeps (for a map: the first ones, in file order)
IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{8,30}$")
_MARKS = {".": Locale(".", ","), ",": Locale(",", ".")}


@dataclass(frozen=True)
class Profile:
    """One column of an export, judged over all its values."""

    name: str
    letter: str
    kind: Kind
    filled: int  # cells with a value
    rows: int  # rows of the table
    values: tuple[str, ...]  # the first LISTED distinct values, in file order
    distinct: int  # how many distinct values it has
    date_formats: tuple[str, ...] = ()  # dates: () ISO only; one: settled; more: all remain
    decimal_marks: tuple[str, ...] = ()  # numbers: one: settled; two: both remain; none: mixed
    thousands: str | None = None  # numbers: the separator some value shows
    ambiguous: tuple[str, ...] = ()  # numbers: values that read both ways

    @property
    def repeats(self) -> bool:
        return self.distinct < self.filled

    @property
    def ibans(self) -> bool:
        return bool(self.values) and all(IBAN.match(v.replace(" ", "")) for v in self.values)

    @property
    def all_listed(self) -> bool:
        return self.distinct <= LISTED


def profile_table(table: Table) -> list[Profile]:
    return [profile(table, name) for name in table.columns]


def profile(table: Table, name: str) -> Profile:
    column = table.frame[name].drop_nulls()
    uniques = column.unique(maintain_order=True)
    values = [str(v) for v in uniques.to_list()]
    base = Profile(name, table.letters[name], "empty", column.len(), table.frame.height,
                   tuple(values[:LISTED]), len(values))
    if not values:
        return base
    dated = _dates(values)
    if dated is not None:
        return _with(base, kind="date", date_formats=tuple(dated))
    if all(is_number(v) for v in values):
        return _numbers(base, values)
    return _with(base, kind="text")


def _with(base: Profile, **changes: object) -> Profile:
    from dataclasses import replace

    return replace(base, **changes)  # type: ignore[arg-type]


def _dates(values: list[str]) -> list[str] | None:
    """The formats that read every value ([] for ISO dates alone); None: not dates."""
    written = [v for v in values if not ISO_DATE.match(v)]
    if not written:
        return []
    formats = date_formats_reading(written)
    return formats or None


def is_number(text: str) -> bool:
    """Whether `text` reads as a number with one decimal mark or the other."""
    return any(_reads(text, mark) for mark in _MARKS)


def is_value(text: str) -> bool:
    """A number or a date: a value, not a column's name."""
    text = text.strip()
    return bool(ISO_DATE.match(text) or date_formats_reading([text])) or is_number(text)


def _numbers(base: Profile, values: list[str]) -> Profile:
    mark, ambiguous = decimal_mark_evidence(values)
    if mark is None and not ambiguous:
        return _with(base, kind="whole")
    if mark is None:
        return _with(base, kind="number", decimal_marks=(".", ","),
                     ambiguous=tuple(ambiguous[:3]))
    if not all(_reads(v, mark) for v in values):
        return _with(base, kind="number")  # the column mixes marks: no one reading
    other = "," if mark == "." else "."
    thousands = other if any(other in v for v in values) else None
    return _with(base, kind="number", decimal_marks=(mark,), thousands=thousands)


def _reads(text: str, mark: str) -> bool:
    try:
        parse_decimal(text, _MARKS[mark])
    except BadValue:
        return False
    return True

