"""The send journal: every document yukimap sends to Yuki, and what became of it.

SQLite (`sends.sqlite` in the state folder), WAL mode, synchronous=FULL: a state written
before a call is on disk before the call goes out, so a crash at any point loses nothing.

A document's state moves PENDING -> SENDING -> SENT | REJECTED | UNKNOWN:
  SENDING   written (and committed) just before the call that carries it;
  SENT      Yuki accepted it (per invoice, from Yuki's answer);
  REJECTED  Yuki refused it, with Yuki's message; sending it again (fixed) is allowed;
  UNKNOWN   the call went out but no answer came (a timeout, a dropped connection, a
            crash during the call): it is never sent again blindly; it is reconciled
            (a sales invoice is looked up in Yuki) or decided by a person (`resolve`).
A document is known by its business key: a sales invoice by administration + invoice
number (Reference), a journal or cash statement by administration + a hash of its content.
So a SENT document is never sent again, whether its file comes back, a re-export under
another name holds it, or `send` simply runs twice; `--force` resends on purpose, and is
recorded as such.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from yukimap.settings import ensure_state_dir

PENDING, SENDING, SENT, REJECTED, UNKNOWN = "PENDING", "SENDING", "SENT", "REJECTED", "UNKNOWN"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    first_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    file_id INTEGER REFERENCES files(id),
    file_name TEXT NOT NULL,
    mapping TEXT NOT NULL,
    target TEXT NOT NULL,
    administration TEXT NOT NULL,
    outcome TEXT,
    calls INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    administration TEXT NOT NULL,
    key TEXT NOT NULL,
    target TEXT NOT NULL,
    label TEXT NOT NULL,
    state TEXT NOT NULL,
    file_id INTEGER REFERENCES files(id),
    run_id INTEGER REFERENCES runs(id),
    rows TEXT NOT NULL,
    content TEXT NOT NULL,
    yuki_ref TEXT,
    message TEXT,
    forced INTEGER NOT NULL DEFAULT 0,
    sent_at TEXT,
    updated TEXT NOT NULL,
    UNIQUE (administration, key)
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    run_id INTEGER REFERENCES runs(id),
    at TEXT NOT NULL,
    state TEXT NOT NULL,
    message TEXT
);
CREATE TABLE IF NOT EXISTS administrations (
    base_url TEXT NOT NULL,
    name TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (base_url, name)
);
CREATE INDEX IF NOT EXISTS documents_state ON documents(state);
CREATE INDEX IF NOT EXISTS events_document ON events(document_id);
"""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def local_time(stamp: str) -> str:
    """A stamp of the journal (UTC) as people read it: local time, with its zone."""
    moment = datetime.fromisoformat(stamp)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z")


@dataclass(frozen=True)
class Entry:
    """A document as the journal knows it."""

    id: int
    administration: str
    key: str
    target: str
    label: str  # e.g. "invoice 2024-1001"
    state: str
    rows: tuple[int, ...]
    file_name: str | None
    yuki_ref: str | None
    message: str | None
    forced: bool
    sent_at: str | None
    updated: str
    content: str


class SendLog:
    """The journal in one SQLite file; safe for several processes at once."""

    def __init__(self, state_dir: Path) -> None:
        self.path = ensure_state_dir(state_dir) / "sends.sqlite"
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SendLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short transaction, committed (and synced) on leaving."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- files, runs and administrations -----------------------------------------------

    def file(self, sha256: str, name: str, size: int) -> tuple[int, str | None]:
        """The file's id, and when it was first seen if it was seen before."""
        with self._write() as db:
            row = db.execute("SELECT id, first_seen FROM files WHERE sha256 = ?",
                             (sha256,)).fetchone()
            if row:
                return row[0], row[1]
            cursor = db.execute("INSERT INTO files (sha256, name, size, first_seen) VALUES"
                                " (?, ?, ?, ?)", (sha256, name, size, now()))
            return int(cursor.lastrowid or 0), None

    def file_seen(self, sha256: str) -> str | None:
        """When a file with these bytes was first sent, if ever."""
        row = self._db.execute("SELECT first_seen FROM files WHERE sha256 = ?",
                               (sha256,)).fetchone()
        return row[0] if row else None

    def start_run(self, file_id: int, file_name: str, mapping: str, target: str,
                  administration: str) -> int:
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO runs (started, file_id, file_name, mapping, target,"
                " administration) VALUES (?, ?, ?, ?, ?, ?)",
                (now(), file_id, file_name, mapping, target, administration))
            return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, outcome: str, calls: int) -> None:
        with self._write() as db:
            db.execute("UPDATE runs SET finished = ?, outcome = ?, calls = ? WHERE id = ?",
                       (now(), outcome, calls, run_id))

    def remember_administration(self, base_url: str, name: str, admin_id: str) -> None:
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO administrations VALUES (?, ?, ?)",
                       (base_url, name.lower(), admin_id))

    def administration_id(self, base_url: str, name: str) -> str | None:
        row = self._db.execute("SELECT id FROM administrations WHERE base_url = ? AND"
                               " name = ?", (base_url, name.lower())).fetchone()
        return row[0] if row else None

    # --- documents ----------------------------------------------------------------------

    def lookup(self, administration: str, keys: Iterable[str]) -> dict[str, Entry]:
        """The journal's entries for these keys (absent: never seen)."""
        found: dict[str, Entry] = {}
        wanted = list(keys)
        for first in range(0, len(wanted), 500):
            chunk = wanted[first:first + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                    f"{_SELECT} WHERE d.administration = ? AND d.key IN ({marks})",
                    (administration, *chunk)):
                entry = _entry(row)
                found[entry.key] = entry
        return found

    def get(self, document_id: int) -> Entry | None:
        row = self._db.execute(f"{_SELECT} WHERE d.id = ?", (document_id,)).fetchone()
        return _entry(row) if row else None

    def register(self, run_id: int, file_id: int, administration: str,
                 documents: Sequence[tuple[str, str, str, tuple[int, ...], str]]) -> dict[str, int]:
        """Documents about to be sent, as PENDING: (key, target, label, rows, content).
        A document seen before keeps its id and history; it moves to this run."""
        ids: dict[str, int] = {}
        with self._write() as db:
            for key, target, label, rows, content in documents:
                db.execute(
                    "INSERT INTO documents (administration, key, target, label, state, file_id,"
                    " run_id, rows, content, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (administration, key) DO UPDATE SET state = excluded.state,"
                    " file_id = excluded.file_id, run_id = excluded.run_id, rows = excluded.rows,"
                    " content = excluded.content, label = excluded.label,"
                    " updated = excluded.updated, message = NULL",
                    (administration, key, target, label, PENDING, file_id, run_id,
                     json.dumps(list(rows)), content, now()))
                ids[key] = db.execute("SELECT id FROM documents WHERE administration = ? AND"
                                      " key = ?", (administration, key)).fetchone()[0]
                self._event(db, ids[key], run_id, PENDING, None)
        return ids

    def mark(self, run_id: int | None, document_ids: Iterable[int], state: str,
             message: str | None = None, yuki_ref: str | None = None,
             forced: bool = False) -> None:
        """Move documents to `state`, committed before this returns."""
        stamp = now()
        with self._write() as db:
            for document_id in document_ids:
                db.execute(
                    "UPDATE documents SET state = ?, message = ?, yuki_ref = COALESCE(?, yuki_ref),"
                    " forced = forced OR ?, sent_at = CASE WHEN ? = 'SENT' THEN ? ELSE sent_at"
                    " END, updated = ? WHERE id = ?",
                    (state, message, yuki_ref, int(forced), state, stamp, stamp, document_id))
                self._event(db, document_id, run_id, state, message)

    def recover(self) -> list[Entry]:
        """Documents left SENDING by a process that died during a call: UNKNOWN now."""
        stuck = [_entry(r) for r in self._db.execute(f"{_SELECT} WHERE d.state = ?", (SENDING,))]
        if stuck:
            self.mark(None, [e.id for e in stuck], UNKNOWN,
                      "the sending process stopped during the call; Yuki may have it")
        return [e for e in (self.get(s.id) for s in stuck) if e is not None]

    def touched(self, run_id: int) -> set[int]:
        """The documents a run changed."""
        return {r[0] for r in self._db.execute(
            "SELECT DISTINCT document_id FROM events WHERE run_id = ?", (run_id,))}

    def unknown(self) -> list[Entry]:
        return [_entry(r) for r in self._db.execute(f"{_SELECT} WHERE d.state = ?"
                                                    " ORDER BY d.updated", (UNKNOWN,))]

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest runs with the count of their documents per state."""
        runs = self._db.execute(
            "SELECT id, started, finished, file_name, mapping, target, administration, outcome,"
            " calls FROM runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        out = []
        for run in runs:
            counts = dict(self._db.execute(
                "SELECT e.state, COUNT(DISTINCT e.document_id) FROM events e WHERE e.run_id = ?"
                " AND e.id = (SELECT MAX(id) FROM events WHERE document_id = e.document_id"
                " AND run_id = e.run_id) GROUP BY e.state", (run[0],)).fetchall())
            keys = ("id", "started", "finished", "file", "mapping", "target", "administration",
                    "outcome", "calls")
            out.append({**dict(zip(keys, run)), "documents": counts})
        return out

    def history(self, document_id: int) -> list[tuple[str, str, str | None]]:
        return self._db.execute("SELECT at, state, message FROM events WHERE document_id = ?"
                                " ORDER BY id", (document_id,)).fetchall()

    @staticmethod
    def _event(db: sqlite3.Connection, document_id: int, run_id: int | None, state: str,
               message: str | None) -> None:
        db.execute("INSERT INTO events (document_id, run_id, at, state, message) VALUES"
                   " (?, ?, ?, ?, ?)", (document_id, run_id, now(), state, message))


_SELECT = ("SELECT d.id, d.administration, d.key, d.target, d.label, d.state, d.rows, f.name,"
           " d.yuki_ref, d.message, d.forced, d.sent_at, d.updated, d.content"
           " FROM documents d LEFT JOIN files f ON f.id = d.file_id")


def _entry(row: Sequence[object]) -> Entry:
    return Entry(
        id=int(row[0]), administration=str(row[1]), key=str(row[2]), target=str(row[3]),
        label=str(row[4]), state=str(row[5]), rows=tuple(json.loads(str(row[6]))),
        file_name=None if row[7] is None else str(row[7]),
        yuki_ref=None if row[8] is None else str(row[8]),
        message=None if row[9] is None else str(row[9]), forced=bool(row[10]),
        sent_at=None if row[11] is None else str(row[11]), updated=str(row[12]),
        content=str(row[13]),
    )
