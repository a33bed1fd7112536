"""The journal's SQLite file: its tables, the connection (WAL, synchronous=FULL: a state
written before a call is on disk before the call goes out), short transactions, the meta
values, and the journal's clock."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

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
CREATE TABLE IF NOT EXISTS lookups (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id),
    day TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_state ON documents(state);
CREATE INDEX IF NOT EXISTS events_document ON events(document_id);
"""


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    db.executescript(_SCHEMA)
    return db


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One short transaction, committed (and synced) on leaving."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def meta(db: sqlite3.Connection, name: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(db: sqlite3.Connection, name: str, value: str) -> None:
    db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value))


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def local_time(stamp: str) -> str:
    """A stamp of the journal (UTC) as people read it: local time, with its zone."""
    moment = datetime.fromisoformat(stamp)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z")


def chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for first in range(0, len(ids), size):
        yield ids[first:first + size]
