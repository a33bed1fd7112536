"""What a send run has to do: each document with its business key and what the journal
knows of it, and the calls that carry the documents due."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yukimap.frames import DOC, ITEM, KEY, ROW, ROWS
from yukimap.pipeline import ConversionResult
from yukimap.render import DocumentContext
from yukimap.send.receipt import ALREADY_SENT, AWAITING, NOT_SENT, Receipt
from yukimap.sendlog import PENDING, REJECTED, SENDING, SENT, UNKNOWN, Entry


@dataclass(eq=False)  # a document is itself: looked up in sets of thousands, never by value
class Planned:
    """A document of a file, with its business key, and what the journal knows of it."""

    document: DocumentContext
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
    """One file of a send run: its conversion, its receipt and its documents."""

    path: Path
    result: ConversionResult
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
    result = run.result
    contents = _contents(result)
    reference_field = result.mapping.target.reference_field
    for document in result.documents():
        value = getattr(document.context, reference_field) if reference_field else None
        reference = str(value) if value else None
        content = contents[document.ordinal]
        key = result.target.business_key(reference, content)
        run.items.append(Planned(document, key, content, reference, run))


def due(item: Planned, force: bool) -> bool:
    """Whether this run sends the document."""
    state = item.entry.state if item.entry else None
    if state in (None, PENDING, REJECTED):
        return True
    return force and state == SENT


def skip_state(item: Planned) -> str:
    """The receipt's word for a document this run does not send."""
    state = item.entry.state if item.entry else None
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


def _contents(result: ConversionResult) -> dict[int, str]:
    """A hash of each document's content (its values and its items' values, canonical)."""
    docs = result.mapped.documents
    items = result.mapped.items
    skip = {DOC, KEY, ROWS, ROW, ITEM}
    header_cols = [c for c in docs.columns if c not in skip]
    item_cols = [c for c in items.columns if c not in skip]
    by_doc: dict[int, list[tuple[Any, ...]]] = {}
    for row in items.select(DOC, *item_cols).iter_rows():
        by_doc.setdefault(row[0], []).append(row[1:])
    hashes = {}
    for ordinal, row in enumerate(docs.select(DOC, *header_cols).iter_rows()):
        canonical = json.dumps([list(zip(header_cols, row[1:])),
                                [list(zip(item_cols, r)) for r in by_doc.get(row[0], [])]],
                               default=str, separators=(",", ":"))
        hashes[ordinal] = hashlib.sha256(canonical.encode()).hexdigest()[:32]
    return hashes
