"""Documents and their events: what the journal knows of each document, each change of its
state, and the lookups in Yuki made for it on a day."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime

from yukimap.i18n import tr
from yukimap.sendlog import store
from yukimap.sendlog.entries import PENDING, SELECT, UNKNOWN, Change, Entry, entry


def lookup(db: sqlite3.Connection, administration: str, keys: Iterable[str]
           ) -> dict[str, Entry]:
    """The journal's entries for these keys (absent: never seen)."""
    found: dict[str, Entry] = {}
    wanted = list(keys)
    for first in range(0, len(wanted), 500):
        chunk = {key: key for key in wanted[first:first + 500]}
        marks = ",".join("?" * len(chunk))
        for row in db.execute(f"{SELECT} WHERE d.administration = ? AND d.key IN ({marks})",
                              (administration, *chunk)):
            known = entry(row, chunk.get(row[2]))  # the caller's key, not a copy of it
            found[known.key] = known
    return found


def get(db: sqlite3.Connection, document_id: int) -> Entry | None:
    row = db.execute(f"{SELECT} WHERE d.id = ?", (document_id,)).fetchone()
    return entry(row) if row else None


def register(db: sqlite3.Connection, run_id: int, file_id: int, administration: str,
             documents: Sequence[tuple[str, str, str, Sequence[int], str]]) -> dict[str, int]:
    """Documents about to be sent, as PENDING: (key, target, label, rows, content).
    A document seen before keeps its id and history; it moves to this run."""
    ids: dict[str, int] = {}
    with store.transaction(db):
        for key, target, label, rows, content in documents:
            db.execute(
                "INSERT INTO documents (administration, key, target, label, state, file_id,"
                " run_id, rows, content, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (administration, key) DO UPDATE SET state = excluded.state,"
                " file_id = excluded.file_id, run_id = excluded.run_id, rows = excluded.rows,"
                " content = excluded.content, label = excluded.label,"
                " updated = excluded.updated, message = NULL",
                (administration, key, target, label, PENDING, file_id, run_id,
                 json.dumps(list(rows)), content, store.now()))
            ids[key] = db.execute("SELECT id FROM documents WHERE administration = ? AND"
                                  " key = ?", (administration, key)).fetchone()[0]
            event(db, ids[key], run_id, PENDING, None)
    return ids


def set_state(db: sqlite3.Connection, run_id: int | None, changes: Sequence[Change],
              forced: bool, stamp: str) -> None:
    """Move documents to their states, each with its event (within the caller's
    transaction)."""
    for document_id, state, message, yuki_ref in changes:
        db.execute(
            "UPDATE documents SET state = ?, message = ?, yuki_ref = COALESCE(?, yuki_ref),"
            " forced = forced OR ?, sent_at = CASE WHEN ? = 'SENT' THEN ? ELSE sent_at"
            " END, updated = ? WHERE id = ?",
            (state, message, yuki_ref, int(forced), state, stamp, stamp, document_id))
        event(db, document_id, run_id, state, message)


def event(db: sqlite3.Connection, document_id: int, run_id: int | None, state: str,
          message: str | None) -> None:
    db.execute("INSERT INTO events (document_id, run_id, at, state, message) VALUES"
               " (?, ?, ?, ?, ?)", (document_id, run_id, store.now(), state, message))


def in_state(db: sqlite3.Connection, state: str) -> list[Entry]:
    return [entry(r) for r in db.execute(f"{SELECT} WHERE d.state = ?", (state,))]


def unknown(db: sqlite3.Connection) -> list[Entry]:
    return [entry(r) for r in db.execute(f"{SELECT} WHERE d.state = ?"
                                         " ORDER BY d.updated", (UNKNOWN,))]


def decidable(db: sqlite3.Connection, ids: Sequence[int], run_id: int | None,
              file_name: str | None, every: bool) -> tuple[list[Entry], list[str]]:
    """The documents awaiting a decision among these (IDs, a run's, a file's, or all),
    and why any ID given cannot be decided."""
    chosen: dict[int, Entry] = {}
    problems = []
    for document_id in ids:
        known = get(db, document_id)
        if known is None:
            problems.append(tr("the send journal has no document {id}", id=document_id))
        elif known.state != UNKNOWN:
            problems.append(tr("{label} ({id}) is {state}, not UNKNOWN", label=known.label,
                               id=known.id, state=known.state))
        else:
            chosen[known.id] = known
    for waiting in unknown(db):
        if every or (run_id is not None and waiting.run_id == run_id) or (
                file_name is not None and waiting.file_name == file_name):
            chosen[waiting.id] = waiting
    return sorted(chosen.values(), key=lambda e: e.id), problems


def last_change(db: sqlite3.Connection, administration: str) -> datetime | None:
    """When the journal last changed a document of this administration."""
    row = db.execute("SELECT MAX(updated) FROM documents WHERE administration = ?",
                     (administration,)).fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None


def touched(db: sqlite3.Connection, run_id: int, ids: Sequence[int]) -> set[int]:
    """Those of these documents that a run changed."""
    found: set[int] = set()
    for first in range(0, len(ids), 500):
        chunk = ids[first:first + 500]
        found.update(r[0] for r in db.execute(
            f"SELECT DISTINCT document_id FROM events WHERE document_id IN"
            f" ({','.join('?' * len(chunk))}) AND run_id = ?", (*chunk, run_id)))
    return found


def history(db: sqlite3.Connection, document_id: int) -> list[tuple[str, str, str | None]]:
    return db.execute("SELECT at, state, message FROM events WHERE document_id = ?"
                      " ORDER BY id", (document_id,)).fetchall()


def lookups(db: sqlite3.Connection, day: str) -> tuple[int, set[int]]:
    """Lookups in Yuki made on `day` (Amsterdam), and the documents they were for."""
    tried = {int(r[0]) for r in db.execute(
        "SELECT document_id FROM lookups WHERE day = ?", (day,))}
    return len(tried), tried


def looked_up(db: sqlite3.Connection, document_id: int, day: str) -> None:
    with store.transaction(db):
        db.execute("INSERT OR REPLACE INTO lookups (document_id, day) VALUES (?, ?)",
                   (document_id, day))
