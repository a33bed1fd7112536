"""The daemon's own state: every file it claimed and what became of it, in SQLite
(`watch.sqlite` in the state folder, beside the send journal; WAL, synchronous=FULL).

A file's state: CLAIMED (in processing/, its turn to be sent) -> WAITING (why, until when)
-> MOVING (its destination and fate recorded, the move not yet done) -> ARCHIVED | FAILED;
GONE when a person took it out of processing/. The folders are the projection of this
table: at start the daemon reconciles the two (reconcile.py).

The daemon also writes a snapshot of its health here (`daemon` row) for `yukimap status`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from yukimap.i18n import tr
from yukimap.sendlog import state_errors
from yukimap.settings import ensure_state_dir

CLAIMED, WAITING, MOVING = "CLAIMED", "WAITING", "MOVING"
ARCHIVED, FAILED, GONE = "ARCHIVED", "FAILED", "GONE"
OPEN_STATES = (CLAIMED, WAITING, MOVING)

# i18n: SQL
_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    route TEXT NOT NULL,
    name TEXT NOT NULL,           -- the name it arrived with
    path TEXT NOT NULL,           -- where it is now (processing/..., archive/..., failed/...)
    sha256 TEXT,
    size INTEGER,
    state TEXT NOT NULL,
    wait TEXT,                    -- WAITING: retry | limit | person | key
    reason TEXT,                  -- one line: why it waits, or why it failed
    until REAL,                   -- WAITING: epoch seconds of the next try
    attempts INTEGER NOT NULL DEFAULT 0,
    target TEXT,                  -- MOVING: ARCHIVED or FAILED
    detail TEXT,                  -- MOVING and after: the fate as JSON
    claimed_at TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_open ON files(state, route);
CREATE TABLE IF NOT EXISTS daemon (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pid INTEGER NOT NULL,
    started TEXT NOT NULL,
    heartbeat REAL NOT NULL,
    snapshot TEXT NOT NULL        -- JSON: routes, health, counters
);
"""


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class FileRow:
    id: int
    route: str
    name: str
    path: str
    sha256: str | None
    size: int | None
    state: str
    wait: str | None
    reason: str | None
    until: float | None
    attempts: int
    target: str | None
    detail: str | None
    claimed_at: str
    updated: str


_COLUMNS = ("id, route, name, path, sha256, size, state, wait, reason, until, attempts, target,"
            " detail, claimed_at, updated")


class WatchState:
    """The state database; one connection shared by the daemon's threads under a lock."""

    def __init__(self, state_dir: Path) -> None:
        self.path = ensure_state_dir(state_dir) / "watch.sqlite"
        self._lock = threading.RLock()
        with state_errors(state_dir, lambda: tr("no file was touched")):
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                       check_same_thread=False)
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.executescript(_SCHEMA)
            except sqlite3.DatabaseError:
                self._db.close()
                raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[FileRow]:
        with self._lock:
            return [FileRow(*r) for r in self._db.execute(
                f"SELECT {_COLUMNS} FROM files {sql}", args).fetchall()]

    # --- files ----------------------------------------------------------------------

    def add(self, route: str, name: str, path: Path, sha256: str | None, size: int | None,
            reason: str | None = None) -> FileRow:
        stamp = now_text()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO files (route, name, path, sha256, size, state, reason, claimed_at,"
                " updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (route, name, str(path), sha256, size, CLAIMED, reason, stamp, stamp))
            row_id = int(cursor.lastrowid or 0)
        return self.get(row_id)

    def get(self, row_id: int) -> FileRow:
        [row] = self._rows("WHERE id = ?", (row_id,))
        return row

    def open_files(self) -> list[FileRow]:
        """Files not yet archived or failed, in claim order."""
        return self._rows(f"WHERE state IN ({','.join('?' * len(OPEN_STATES))}) ORDER BY id",
                          OPEN_STATES)

    def by_path(self, path: Path) -> FileRow | None:
        found = self._rows("WHERE path = ? AND state IN (?, ?, ?) ORDER BY id DESC",
                           (str(path), *OPEN_STATES))
        return found[0] if found else None

    def update(self, row_id: int, **changes: Any) -> FileRow:
        changes["updated"] = now_text()
        names = ", ".join(f"{k} = ?" for k in changes)
        with self._write() as db:
            db.execute(f"UPDATE files SET {names} WHERE id = ?", (*changes.values(), row_id))
        return self.get(row_id)

    def recent(self, state: str, limit: int = 10) -> list[FileRow]:
        return self._rows("WHERE state = ? ORDER BY id DESC LIMIT ?", (state, limit))

    def counts(self) -> dict[tuple[str, str], int]:
        """(route, state) -> number of files."""
        with self._lock:
            rows = self._db.execute("SELECT route, state, COUNT(*) FROM files"
                                    " GROUP BY route, state").fetchall()
        return {(r[0], r[1]): int(r[2]) for r in rows}

    # --- the daemon's snapshot ------------------------------------------------------

    def beat(self, pid: int, started: str, snapshot: dict[str, Any]) -> None:
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO daemon (id, pid, started, heartbeat, snapshot)"
                       " VALUES (1, ?, ?, ?, ?)",
                       (pid, started, time.time(), json.dumps(snapshot, default=str)))

    def snapshot(self) -> tuple[int, str, float, dict[str, Any]] | None:
        with self._lock:
            row = self._db.execute("SELECT pid, started, heartbeat, snapshot FROM daemon"
                                   " WHERE id = 1").fetchone()
        if row is None:
            return None
        return int(row[0]), str(row[1]), float(row[2]), json.loads(row[3])

    def writable(self) -> bool:
        """Whether the database takes a write now (for /healthz)."""
        try:
            with self._write() as db:
                db.execute("UPDATE daemon SET heartbeat = heartbeat WHERE id = 1")
        except sqlite3.Error:
            return False
        return True


def when(epoch: float) -> str:
    """A moment of the state (seconds since the epoch) in local time with its zone, e.g.
    2025-03-01 00:00:00 CET."""
    return datetime.fromtimestamp(epoch).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
