"""Files, runs and administrations: which file a run sent (by its bytes), when, to which
administration, with what outcome; and the IDs of administrations known by name."""

from __future__ import annotations

import sqlite3
from typing import TypedDict

from yukimap.sendlog import store


class RunSummary(TypedDict):
    """A send run as `yukimap history` and `yukimap status --json` show it."""

    id: int
    started: str
    finished: str | None
    file: str
    mapping: str
    target: str
    administration: str
    outcome: str | None
    calls: int
    documents: dict[str, int]  # documents by the state this run left them in


def file(db: sqlite3.Connection, sha256: str, name: str, size: int) -> tuple[int, str | None]:
    """The file's id, and when it was first seen if it was seen before."""
    with store.transaction(db):
        row = db.execute("SELECT id, first_seen FROM files WHERE sha256 = ?",
                         (sha256,)).fetchone()
        if row:
            return row[0], row[1]
        cursor = db.execute("INSERT INTO files (sha256, name, size, first_seen) VALUES"
                            " (?, ?, ?, ?)", (sha256, name, size, store.now()))
        return int(cursor.lastrowid or 0), None


def file_seen(db: sqlite3.Connection, sha256: str) -> str | None:
    """When a file with these bytes was first sent, if ever."""
    row = db.execute("SELECT first_seen FROM files WHERE sha256 = ?", (sha256,)).fetchone()
    return row[0] if row else None


def start(db: sqlite3.Connection, file_id: int, file_name: str, mapping: str, target: str,
          administration: str) -> int:
    with store.transaction(db):
        cursor = db.execute(
            "INSERT INTO runs (started, file_id, file_name, mapping, target,"
            " administration) VALUES (?, ?, ?, ?, ?, ?)",
            (store.now(), file_id, file_name, mapping, target, administration))
        return int(cursor.lastrowid or 0)


def finish(db: sqlite3.Connection, run_id: int, outcome: str, calls: int) -> None:
    with store.transaction(db):
        db.execute("UPDATE runs SET finished = ?, outcome = ?, calls = ? WHERE id = ?",
                   (store.now(), outcome, calls, run_id))


def recent(db: sqlite3.Connection, limit: int) -> list[RunSummary]:
    """The latest runs with the count of their documents per state."""
    runs = db.execute(
        "SELECT id, started, finished, file_name, mapping, target, administration, outcome,"
        " calls FROM runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    out: list[RunSummary] = []
    for run in runs:
        counts = dict(db.execute(
            "SELECT e.state, COUNT(DISTINCT e.document_id) FROM events e WHERE e.run_id = ?"
            " AND e.id = (SELECT MAX(id) FROM events WHERE document_id = e.document_id"
            " AND run_id = e.run_id) GROUP BY e.state", (run[0],)).fetchall())
        out.append(RunSummary(
            id=run[0], started=run[1], finished=run[2], file=run[3], mapping=run[4],
            target=run[5], administration=run[6], outcome=run[7], calls=run[8],
            documents=counts))
    return out


def remember_administration(db: sqlite3.Connection, base_url: str, name: str,
                            admin_id: str) -> None:
    with store.transaction(db):
        db.execute("INSERT OR REPLACE INTO administrations VALUES (?, ?, ?)",
                   (base_url, name.lower(), admin_id))


def administration_id(db: sqlite3.Connection, base_url: str, name: str) -> str | None:
    row = db.execute("SELECT id FROM administrations WHERE base_url = ? AND"
                     " name = ?", (base_url, name.lower())).fetchone()
    return row[0] if row else None
