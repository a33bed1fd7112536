"""What a conversion amounts to, for the dry run and the receipt: counts and totals.

The target modules (yukimap/targets/) fill in what matters for their document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from yukimap.frames import Tally
from yukimap.i18n import tr
from yukimap.money import exact_money


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


def net_change(up: Decimal, down: Decimal) -> str:
    """A total difference, with its two sides when changes go both ways."""
    total = exact_money(up + down, signed=True)
    if up and down:
        return tr("{total} ({up} and {down})", total=total, up=exact_money(up, signed=True),
                  down=exact_money(down, signed=True))
    return total


@dataclass(frozen=True)
class RoundedKind:
    """What round: changed in one kind of amount (line amounts, VAT amounts, amounts), kept
    as numbers so that the figures of a file's slices add up to the file's: the changes up
    and down, how many amounts (or documents) changed, and the words (templates)."""

    up: Decimal
    down: Decimal
    count: int
    what: str  # "line amounts", "amounts"
    counted: tuple[str, str]  # what a change is, singular and plural: "invoice", "invoices"

    def __str__(self) -> str:
        return tr("{change} in the {what} of {count} {counted} (see the warning)",
                  change=net_change(self.up, self.down), what=tr(self.what), count=self.count,
                  counted=tr(self.counted[self.count != 1]))

    def __or__(self, other: RoundedKind) -> RoundedKind:
        return RoundedKind(self.up + other.up, self.down + other.down,
                           self.count + other.count, self.what, self.counted)


@dataclass(frozen=True)
class Roundings:
    """The summary's figure of what round: changed: one `RoundedKind` (or None) per kind of
    amount the target measures, in its order."""

    kinds: tuple[RoundedKind | None, ...]

    def __str__(self) -> str:
        return "; ".join(str(kind) for kind in self.kinds if kind is not None)

    def __or__(self, other: Roundings) -> Roundings:
        return Roundings(tuple(a if b is None else b if a is None else a | b
                               for a, b in zip(self.kinds, other.kinds, strict=True)))


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
