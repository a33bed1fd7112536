"""What a send run keeps of each document, kept on disk: in an anonymous SQLite database,
which SQLite holds in a page cache of a few megabytes and spills to a temporary file it
has already deleted (nothing is left behind, even when the process is killed). A run of
millions of documents then holds its page cache, not its documents."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from yukimap.frames import compact_rows


def anonymous(schema: str) -> sqlite3.Connection:
    """A new anonymous database with `schema` (statements separated by semicolons)."""
    db = sqlite3.connect("", check_same_thread=False)  # a receipt may be read by another thread
    db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + schema)
    return db


def rows_text(rows: Sequence[int]) -> str:
    """A document's spreadsheet rows as stored: first and last, where they follow each
    other, else the list (JSON)."""
    if isinstance(rows, range) and rows.step == 1 and len(rows) > 1:
        return f"{rows.start}-{rows.stop - 1}"
    return json.dumps(list(rows))


def rows_of(text: str) -> Sequence[int]:
    """The rows `rows_text` stored."""
    if text.startswith("["):
        return compact_rows(json.loads(text))
    first, last = text.split("-")
    return range(int(first), int(last) + 1)
