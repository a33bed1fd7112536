"""What a conversion amounts to, for the dry run and the receipt: counts and totals.

The target modules (yukimap/targets/) fill in what matters for their document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from yukimap.frames import Tally
from yukimap.i18n import tr


@dataclass
class Totals:
    excl: Decimal = Decimal("0.00")
    vat: Decimal = Decimal("0.00")

    @property
    def incl(self) -> Decimal:
        return self.excl + self.vat


@dataclass(frozen=True)
class Span:
    """The first and last of a field's values (ISO dates: text order is date order), kept
    as values so that the spans of a file's slices make the file's."""

    first: str
    last: str

    def __str__(self) -> str:
        return self.first if self.first == self.last else tr("{first} to {last}",
                                                             first=self.first, last=self.last)

    def __or__(self, other: Span) -> Span:
        return Span(min(self.first, other.first), max(self.last, other.last))


@dataclass
class Summary:
    target: str
    documents: int
    items: int
    rows_read: int
    skipped: dict[str, int]
    notes: list[str]
    skipped_documents: dict[str, int] = field(default_factory=dict)
    totals: dict[str, Totals] = field(default_factory=dict)  # sales: by currency
    unpriced: int = 0  # sales: lines whose amount Yuki takes from its price list
    figures: dict[str, object] = field(default_factory=dict)  # extra label -> value lines
    table: list[tuple[str, ...]] = field(default_factory=list)  # a target's own table
    table_title: str = ""
    tables: list[tuple[str, list[tuple[str, ...]]]] = field(default_factory=list)  # (title,
    # a header row and value rows): more tables of a target's own
    tallies: tuple[Tally, ...] = ()  # the rows each rules: and map: table gave a value
