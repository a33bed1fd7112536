"""The targets: one `Target` per kind of Yuki document, found in one dict, `TARGETS`.

A Target carries the document's description (documents.DocumentType: its elements, XSD,
template, the call that takes it) and what is particular to it beyond its shape:
`rules(mapped, mapping, file)` (Yuki's rules that an XSD does not show), `finish(mapped,
mapping)` (what is computed over a whole document: balancing entries, running balances),
`summarize(mapped, summary)`, `usage(mapped)` (the accounts and VAT codes it uses, for
pre-flight), `check_text(text)` (the checks of a document that is not XML), and how a
document is known to the send journal (`business_key`), and how a big file that is one
such document is taken a slice at a time (`spanning`: the journal's balance is added up
across the slices). All are pure and run before rendering, so problems still know their
source rows. Nothing outside this package compares target names: callers look a Target up
and ask it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from yukimap.documents import JOURNAL, PETTY_CASH, SALES_INVOICE, DocumentType
from yukimap.errors import Problem
from yukimap.frames import Mapped
from yukimap.i18n import tr
from yukimap.model import Mapping
from yukimap.summary import Summary
from yukimap.targets import journal, petty_cash, sales
from yukimap.targets._common import AMOUNT_ROUNDED
from yukimap.targets._common import Rules as Rules  # the stages' and sliced.py's name
from yukimap.usage import DocumentUsage

TextProblem = tuple[int, str, str | None]  # (line of the text, cause, value)


def _no_finish(mapped: Mapped, mapping: Mapping) -> tuple[Mapped, list[Problem]]:
    return mapped, []


class Across(Protocol):
    """What a document that spans a big file's slices adds up across them (sliced.py)."""

    def add(self, mapped: Mapped) -> None:
        """One more slice of the document's items."""

    def balanced(self) -> bool:
        """The rules across the whole document hold."""

    def closing_rules(self, made: list[Problem]) -> Rules:
        """Where they do not: the whole document's rules, what does not hold across it
        told from these sums and what `gather` found (those problems also put in `made`),
        as the whole document that fails tells it (one that passes is finished whole)."""

    def gather(self, mapped: Mapped) -> None:
        """One more slice, read again where the rules across do not hold: what telling it
        needs (the rows)."""

    def summarize(self, summary: Summary) -> None:
        """What the summary says of the whole document."""


@dataclass(frozen=True)
class Spanning:
    """How one document that spans a big file (a journal of the whole file) is converted a
    slice at a time: the rules that hold for any part of it, the summary of a part, and
    what adds up across the parts."""

    rules: Rules
    summarize: Callable[[Mapped, Summary], None]
    across: Callable[[], Across]


@dataclass(frozen=True)
class Target:
    """A kind of Yuki document and everything particular to it."""

    type: DocumentType
    rules: Rules
    summarize: Callable[[Mapped, Summary], None]
    usage: Callable[[Mapped], DocumentUsage]
    finish: Callable[[Mapped, Mapping], tuple[Mapped, list[Problem]]] = _no_finish
    check_text: Callable[[str], list[TextProblem]] | None = None  # a document that is not XML
    # A big file of these documents may be converted a slice at a time (sliced.py): each
    # rule is of one document, but for the header fields whose values must be unique in a
    # file, which the slices check together; its summary adds up slice by slice.
    in_slices: bool = False
    unique_fields: tuple[str, ...] = ()
    # A file that is one such document may be converted a slice at a time too (sliced.py).
    spanning: Spanning | None = None

    @property
    def name(self) -> str:
        return self.type.name

    @property
    def xsd(self) -> str | None:
        return self.type.xsd

    @property
    def template(self) -> str:
        return self.type.template

    @property
    def extension(self) -> str:
        """Of a file of such documents: XML where there is a schema, else Yuki's CSV."""
        return ".xml" if self.xsd else ".csv"

    @property
    def per_call(self) -> bool:
        """One document per call to Yuki (else a batch of documents in one call)."""
        return self.type.per_call

    def business_key(self, reference: str | None, content: str) -> str:
        """How the send journal knows a document: a sales invoice by its number, any other
        document by a hash of its content (the administration is the journal's other key)."""
        return f"invoice:{reference}" if reference else f"{self.name}:{content}"

    def summary(self, mapped: Mapped, part: bool = False) -> Summary:
        """What a conversion amounts to: the common counts, and this target's own (`part`:
        of a slice of a document that spans the file, see `Spanning`)."""
        summary = Summary(self.name, mapped.documents.height, mapped.items.height,
                          mapped.rows_read, dict(mapped.skipped), list(mapped.notes),
                          dict(mapped.skipped_documents), tallies=mapped.tallies)
        summarize = self.spanning.summarize if part and self.spanning else self.summarize
        summarize(mapped, summary)
        return summary


TARGETS: dict[str, Target] = {t.name: t for t in (
    Target(SALES_INVOICE, sales.rules, sales.summarize, sales.usage, in_slices=True,
           unique_fields=("Reference",)),
    Target(JOURNAL, journal.rules, journal.summarize, journal.usage, journal.finish,
           in_slices=True,
           spanning=Spanning(journal.part_rules, journal.part_summary, journal.Balances)),
    Target(PETTY_CASH, petty_cash.rules, petty_cash.summarize, petty_cash.usage,
           petty_cash.finish, petty_cash.csv_problems),
)}


def target_of(mapping: Mapping) -> Target:
    return TARGETS[mapping.target.name]


def rounding_causes() -> set[str]:
    """The causes of the warnings of what round: changes (in this language): their fix
    gives the total change of the file they are found in."""
    return {tr(rounded.cause) for rounded in (*sales.ROUNDED, AMOUNT_ROUNDED)}
