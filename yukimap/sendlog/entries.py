"""A document as the journal knows it (`Entry`), and the states it moves through."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from yukimap.frames import compact_rows

PENDING, SENDING, SENT, REJECTED, UNKNOWN = "PENDING", "SENDING", "SENT", "REJECTED", "UNKNOWN"


class Change(NamedTuple):
    """A document moved to a state: with its message, and Yuki's ID for it (None: kept)."""

    id: int
    state: str
    message: str | None = None
    yuki_ref: str | None = None


@dataclass(frozen=True, slots=True)  # a big file's run looks up hundreds of thousands
class Entry:
    """A document as the journal knows it."""

    id: int
    administration: str
    key: str
    target: str
    label: str  # e.g. "invoice 2024-1001"
    state: str
    rows: Sequence[int]  # spreadsheet numbering (a range, where they follow each other)
    file_name: str | None
    yuki_ref: str | None
    message: str | None
    forced: bool
    sent_at: str | None
    updated: str
    content: str
    run_id: int | None = None  # the run that sent it last


SELECT = ("SELECT d.id, d.administration, d.key, d.target, d.label, d.state, d.rows, f.name,"
          " d.yuki_ref, d.message, d.forced, d.sent_at, d.updated, d.content, d.run_id"
          " FROM documents d LEFT JOIN files f ON f.id = d.file_id")


def entry(row: Sequence[Any], key: str | None = None) -> Entry:
    """An Entry from a row of SELECT (`key`: the same key, held already)."""
    return Entry(
        # the words many documents share are held once (a big file's run holds them all:
        # a call's documents share their times and message)
        id=int(row[0]), administration=sys.intern(str(row[1])), key=key or str(row[2]),
        target=sys.intern(str(row[3])), label=str(row[4]), state=sys.intern(str(row[5])),
        rows=compact_rows(json.loads(str(row[6]))),
        file_name=None if row[7] is None else sys.intern(str(row[7])),
        yuki_ref=None if row[8] is None else str(row[8]),
        message=None if row[9] is None else sys.intern(str(row[9])), forced=bool(row[10]),
        sent_at=None if row[11] is None else sys.intern(str(row[11])),
        updated=sys.intern(str(row[12])),
        content=str(row[13]), run_id=None if row[14] is None else int(str(row[14])),
    )
