"""What a send run has to do: each document with its business key and what the journal
knows of it, and the calls that carry the documents due."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from yukimap.send.receipt import ALREADY_SENT, AWAITING, NOT_SENT, Receipt
from yukimap.send.source import Source
from yukimap.sendlog import PENDING, REJECTED, SENDING, SENT, UNKNOWN, Entry
from yukimap.targets import target_of


@dataclass(eq=False, slots=True)  # a document is itself: looked up in sets, never by value
class Planned:
    """A document of a file, with its business key, and what the journal knows of it."""

    at: int  # its place among the file's documents
    label: str
    rows: Sequence[int]  # spreadsheet numbering (a range, where they follow each other)
    key: str
    content: str  # a hash of its values: the key of a document without a reference
    reference: str | None
    file: FileRun
    entry: Entry | None = None
    log_id: int | None = None

    @property
    def run_id(self) -> int:
        assert self.file.receipt.run_id is not None, "a run starts before it sends"  # i18n: a bug
        return self.file.receipt.run_id


@dataclass(eq=False)  # a file is itself, whatever its contents: a key of dicts
class FileRun:
    """One file of a send run: its documents (`source`), its receipt and its plan."""

    path: Path
    source: Source
    receipt: Receipt
    digest: str
    size: int
    items: list[Planned] = field(default_factory=list)
    file_id: int | None = None

    @property
    def name(self) -> str:
        return self.path.name


def plan(run: FileRun) -> None:
    """Each document's business key (a sales invoice by its number, any other document by a
    hash of its content)."""
    target = target_of(run.source.mapping)
    for at, found in enumerate(run.source.described()):
        key = target.business_key(found.reference, found.content)
        run.items.append(Planned(at, found.label, found.rows, key, found.content,
                                 found.reference, run))


def due(item: Planned, force: bool) -> bool:
    """Whether this run sends the document."""
    state = item.entry.state if item.entry else None
    if state in (None, PENDING, REJECTED):
        return True
    return force and state == SENT


def skip_state(entry: Entry | None) -> str:
    """The receipt's word for a document this run does not send (the journal's `entry`)."""
    state = entry.state if entry else None
    if state == SENT:
        return ALREADY_SENT
    if state in (UNKNOWN, SENDING):
        return AWAITING
    return state or NOT_SENT


def waves(files: Sequence[FileRun]) -> list[list[FileRun]]:
    """The files in order, cut wherever a file holds a document an earlier file of its wave
    holds too (a re-export beside the export it repeats): a wave's documents are each sent
    once, and the next wave finds what the earlier one sent in the journal."""
    found: list[list[FileRun]] = []
    keys: set[str] = set()
    for run in files:
        mine = {item.key for item in run.items}
        if found and not keys.isdisjoint(mine):
            found.append([run])
            keys = mine
        else:
            if not found:
                found.append([])
            found[-1].append(run)
            keys |= mine
    return found


def batches(items: Sequence[Planned], per_call: bool, size: int) -> list[list[Planned]]:
    """The calls that carry `items`: one document each, or `size` to a call, across files."""
    step = 1 if per_call else size
    return [list(items[first:first + step]) for first in range(0, len(items), step)]


def calls_needed(documents: int, per_call: bool, size: int) -> int:
    return -(-documents // (1 if per_call else size)) if documents else 0
