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

Every change of state is first written to the journal's ledger (ledger.py), an append-only
file next to it; `check_ledger` compares the two when a run starts and rebuilds the journal
from the ledger when it was lost, emptied or replaced by an older copy.
"""

from __future__ import annotations

import errno
import json
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypedDict

from yukimap.errors import Busy, UserError
from yukimap.ledger import Ledger, Record
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


class StateFolderFull(UserError):
    """The disk of the state folder is full: nothing can be recorded, so nothing is sent."""


class StateDamaged(UserError):
    """A file of the state folder cannot be read as what it should be."""


class StateUnwritable(UserError):
    """The state folder cannot be written (permissions, a read-only disk)."""


@contextmanager
def state_errors(state_dir: Path, done: Callable[[], str] = lambda: "nothing was sent"
                 ) -> Iterator[None]:
    """The state folder's failures (SQLite's, the file system's) as errors a person can act
    on, never a traceback. `done` says what had happened by then (default: nothing sent)."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise _state_error(state_dir, exc, done()) from None
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise _full(state_dir, done()) from None


def _full(state_dir: Path, done: str) -> StateFolderFull:
    folder = state_dir.resolve()
    return StateFolderFull(f"the state folder is full: free space in {folder}, then run"
                           f" again; {done}")


def _state_error(state_dir: Path, exc: sqlite3.DatabaseError, done: str) -> UserError:
    name = getattr(exc, "sqlite_errorname", "")
    text = str(exc)
    if name == "SQLITE_FULL" or "disk is full" in text or _no_room(state_dir):
        return _full(state_dir, done)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "is locked" in text:
        return Busy(f"another process keeps the state folder {state_dir.resolve()} locked"
                    f" ({text})", hint="wait until it has finished, then run this again")
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text \
            or "not a database" in text:
        return _damaged(state_dir, text, done)
    return StateUnwritable(
        f"the state folder {state_dir.resolve()} cannot be used ({text}); {done}",
        hint="check that it exists and that you may write to it (permissions, a disk that"
        " is read-only or not mounted)")


def _no_room(state_dir: Path) -> bool:
    """SQLite reports a write that found no room as a plain I/O error, so ask the disk."""
    try:
        return shutil.disk_usage(state_dir).free < _ROOM
    except OSError:
        return False


_ROOM = 256 * 1024  # less free space than this in the state folder: it is full


def _damaged(state_dir: Path, text: str, done: str) -> StateDamaged:
    """Which file is damaged: each is asked on its own (only now, on the error path)."""
    journal, counter = state_dir / "sends.sqlite", state_dir / "calls.sqlite"
    if not _sound(journal) or _sound(counter):
        return StateDamaged(
            f"the send journal {journal.resolve()} is damaged ({text}); {done}",
            hint="restore it from a backup, or move it aside (rename it to"
            " sends.sqlite.damaged) and run again: yukimap then rebuilds it from its ledger,"
            " sends.ledger")
    return StateDamaged(
        f"yukimap's call counter {counter.resolve()} is damaged ({text}); {done}",
        hint="move it aside (rename it to calls.sqlite.damaged) and run again; the count of"
        " today's calls then starts at 0, so mind Yuki's daily limit today")


def _sound(path: Path) -> bool:
    if not path.exists():
        return True
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            return bool(db.execute("PRAGMA quick_check").fetchone()[0] == "ok")
    except sqlite3.DatabaseError:
        return False


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
    run_id: int | None = None  # the run that sent it last


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


class SendLog:
    """The journal in one SQLite file; safe for several processes at once."""

    def __init__(self, state_dir: Path) -> None:
        self.path = ensure_state_dir(state_dir) / "sends.sqlite"
        self.ledger = Ledger(self.path.with_name("sends.ledger"))
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
        ids = list(document_ids)
        with self._write() as db:
            self._to_ledger(db, ids, state, message, yuki_ref, forced, stamp)
            for document_id in ids:
                db.execute(
                    "UPDATE documents SET state = ?, message = ?, yuki_ref = COALESCE(?, yuki_ref),"
                    " forced = forced OR ?, sent_at = CASE WHEN ? = 'SENT' THEN ? ELSE sent_at"
                    " END, updated = ? WHERE id = ?",
                    (state, message, yuki_ref, int(forced), state, stamp, stamp, document_id))
                self._event(db, document_id, run_id, state, message)

    # --- the ledger ------------------------------------------------------------------------

    def _to_ledger(self, db: sqlite3.Connection, ids: list[int], state: str,
                   message: str | None, yuki_ref: str | None, forced: bool, stamp: str) -> None:
        """The change, on disk in the ledger before the journal commits it."""
        if self.ledger.header() is None:
            self._restart_ledger(db)
        seq = self.ledger.last_seq()
        journal_id = self._meta(db, "journal")
        records = []
        for chunk in _chunks(ids):
            for row in db.execute(f"{_RECORD} WHERE d.id IN ({','.join('?' * len(chunk))})",
                                  chunk):
                seq += 1
                record = _record(row, journal_id, seq, stamp)
                records.append(record | {"state": state, "message": message,
                                         "yuki_ref": yuki_ref or record["yuki_ref"],
                                         "forced": forced or record["forced"]})
        self.ledger.append(records)
        self._set_meta(db, "ledger_seq", str(seq))

    def check_ledger(self) -> str | None:
        """Compare the journal with its ledger (under the send lock) and repair what can be
        repaired without guessing; what it did, for the receipt (None: all was in order)."""
        with self._write() as db:
            journal_id = self._meta(db, "journal")
            seq = int(self._meta(db, "ledger_seq") or 0)
            empty = db.execute("SELECT 1 FROM documents LIMIT 1").fetchone() is None
            header = self.ledger.header()
            if header is None:
                self._restart_ledger(db)
                return None if journal_id is None else (
                    f"its ledger {self.ledger.path.name} was missing; written again from"
                    f" {self.path.name}")
            if journal_id is None and empty:
                return self._rebuild(db, str(header["journal"]))
            if journal_id != header["journal"]:
                return self._foreign(db, header)
            last = self.ledger.last_seq()
            if seq < last:
                changes = self._replay(db, seq)
                return (f"{self._where()} was behind its ledger (an older copy?); brought up"
                        f" to date from {self.ledger.path.name}: {changes} change(s)")
            if seq > last:
                self._restart_ledger(db)
                return (f"its ledger {self.ledger.path.name} was behind {self.path.name} (an"
                        " older copy?); written again from it")
            return None

    def _where(self) -> str:
        return f"{self.path.name} in {self.path.parent}"

    def _rebuild(self, db: sqlite3.Connection, journal_id: str) -> str | None:
        self._set_meta(db, "journal", journal_id)
        if not self._replay(db, 0):
            return None
        documents, sent = db.execute("SELECT COUNT(*), COUNT(*) FILTER (WHERE state = ?)"
                                     " FROM documents", (SENT,)).fetchone()
        return (f"{self._where()} was missing or empty; rebuilt from its ledger"
                f" {self.ledger.path.name}: {documents} document(s), {sent} of them sent")

    def _replay(self, db: sqlite3.Connection, after: int) -> int:
        """Apply the ledger's records numbered above `after`; how many there were."""
        count = 0
        for record in self.ledger.records(after):
            self._apply(db, record)
            self._set_meta(db, "ledger_seq", str(record["seq"]))
            count += 1
        return count

    def _foreign(self, db: sqlite3.Connection, header: Record) -> str:
        """The journal and the ledger are not one journal's (a journal copied in from
        another state folder, or a ledger): what the ledger knows as sent, or maybe sent,
        and the journal does not know as sent now waits for a person. The ledger is kept."""
        latest: dict[tuple[str, str], Record] = {}
        for record in self.ledger.records():
            latest[(record["administration"], record["key"])] = record
        waiting = 0
        stamp = now()
        for (administration, key), record in latest.items():
            if record["state"] not in (SENT, SENDING, UNKNOWN):
                continue
            known = self.lookup(administration, [key]).get(key)
            if known is not None and known.state in (SENT, UNKNOWN):
                continue
            said = f"{record['state']} on {str(record['at'])[:10]}"
            self._apply(db, record | {"state": UNKNOWN, "at": stamp, "message": (
                f"the ledger of another send journal says {said}: it may be in Yuki already")})
            waiting += 1
        kept = self.ledger.path.with_name(f"{self.ledger.path.name}.{header['journal']}")
        self.ledger.path.replace(kept)
        self._restart_ledger(db)
        return (f"{self._where()} and the ledger {self.ledger.path.name} belong to different"
                f" journals; {waiting} document(s) that the ledger knows as sent, or maybe"
                f" sent, now await a decision (yukimap status); that ledger was kept as"
                f" {kept.name}")

    def _restart_ledger(self, db: sqlite3.Connection) -> None:
        """A new ledger from what the journal knows (it has no ledger, or a wrong one)."""
        journal_id = self._meta(db, "journal") or str(uuid.uuid4())
        self._set_meta(db, "journal", journal_id)
        records = [_record(row, journal_id, seq, None) for seq, row in
                   enumerate(db.execute(f"{_RECORD} ORDER BY d.id"), start=1)]
        self.ledger.start(journal_id, now(), records)
        self._set_meta(db, "ledger_seq", str(len(records)))

    def _apply(self, db: sqlite3.Connection, record: Record) -> None:
        """One ledger record into the journal: the document as it says, and its event."""
        file_id = None
        if record.get("sha256"):
            db.execute("INSERT OR IGNORE INTO files (sha256, name, size, first_seen) VALUES"
                       " (?, ?, 0, ?)", (record["sha256"], record.get("file") or "?",
                                         record["at"]))
            file_id = db.execute("SELECT id FROM files WHERE sha256 = ?",
                                 (record["sha256"],)).fetchone()[0]
        state = str(record["state"])
        db.execute(
            "INSERT INTO documents (administration, key, target, label, state, file_id, rows,"
            " content, yuki_ref, message, forced, sent_at, updated) VALUES (?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (administration, key) DO UPDATE SET"
            " state = excluded.state, target = excluded.target, label = excluded.label,"
            " file_id = COALESCE(excluded.file_id, file_id), rows = excluded.rows,"
            " content = excluded.content, yuki_ref = COALESCE(excluded.yuki_ref, yuki_ref),"
            " message = excluded.message, forced = excluded.forced OR forced,"
            " sent_at = COALESCE(excluded.sent_at, sent_at), updated = excluded.updated",
            (record["administration"], record["key"], record.get("target") or "?",
             record.get("label") or record["key"], state, file_id,
             json.dumps(record.get("rows") or []), record.get("content") or "",
             record.get("yuki_ref"), record.get("message"), int(bool(record.get("forced"))),
             record["at"] if state == SENT else None, record["at"]))
        document_id = db.execute("SELECT id FROM documents WHERE administration = ? AND"
                                 " key = ?", (record["administration"], record["key"])
                                 ).fetchone()[0]
        db.execute("INSERT INTO events (document_id, run_id, at, state, message) VALUES"
                   " (?, NULL, ?, ?, ?)", (document_id, record["at"], state,
                                           record.get("message")))

    @staticmethod
    def _meta(db: sqlite3.Connection, name: str) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    @staticmethod
    def _set_meta(db: sqlite3.Connection, name: str, value: str) -> None:
        db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value))

    def recover(self) -> list[Entry]:
        """Documents left SENDING by a process that died during a call: UNKNOWN now."""
        stuck = [_entry(r) for r in self._db.execute(f"{_SELECT} WHERE d.state = ?", (SENDING,))]
        if stuck:
            self.mark(None, [e.id for e in stuck], UNKNOWN,
                      "the sending process stopped during the call; Yuki may have it")
        return [e for e in (self.get(s.id) for s in stuck) if e is not None]

    def lookups(self, day: str) -> tuple[int, set[int]]:
        """Lookups in Yuki made on `day` (Amsterdam), and the documents they were for."""
        tried = {int(r[0]) for r in self._db.execute(
            "SELECT document_id FROM lookups WHERE day = ?", (day,))}
        return len(tried), tried

    def looked_up(self, document_id: int, day: str) -> None:
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO lookups (document_id, day) VALUES (?, ?)",
                       (document_id, day))

    def decidable(self, ids: Sequence[int] = (), run_id: int | None = None,
                  file_name: str | None = None, every: bool = False
                  ) -> tuple[list[Entry], list[str]]:
        """The documents awaiting a decision among these (IDs, a run's, a file's, or all),
        and why any ID given cannot be decided."""
        chosen: dict[int, Entry] = {}
        problems = []
        for document_id in ids:
            entry = self.get(document_id)
            if entry is None:
                problems.append(f"the send journal has no document {document_id}")
            elif entry.state != UNKNOWN:
                problems.append(f"{entry.label} ({entry.id}) is {entry.state}, not UNKNOWN")
            else:
                chosen[entry.id] = entry
        for entry in self.unknown():
            if every or (run_id is not None and entry.run_id == run_id) or (
                    file_name is not None and entry.file_name == file_name):
                chosen[entry.id] = entry
        return sorted(chosen.values(), key=lambda e: e.id), problems

    def held(self, administration: str) -> str | None:
        """Why documents of this administration that the journal does not know are held
        back (`hold`); released once no document of it awaits a decision."""
        with self._write() as db:
            note = self._meta(db, f"held:{administration}")
            if note is not None and not db.execute(
                    "SELECT 1 FROM documents WHERE administration = ? AND state = ? LIMIT 1",
                    (administration, UNKNOWN)).fetchone():
                db.execute("DELETE FROM meta WHERE name = ?", (f"held:{administration}",))
                return None
            return note

    def hold(self, administration: str, note: str) -> None:
        with self._write() as db:
            self._set_meta(db, f"held:{administration}", note)

    def last_change(self, administration: str) -> datetime | None:
        """When the journal last changed a document of this administration."""
        row = self._db.execute("SELECT MAX(updated) FROM documents WHERE administration = ?",
                               (administration,)).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def touched(self, run_id: int) -> set[int]:
        """The documents a run changed."""
        return {r[0] for r in self._db.execute(
            "SELECT DISTINCT document_id FROM events WHERE run_id = ?", (run_id,))}

    def unknown(self) -> list[Entry]:
        return [_entry(r) for r in self._db.execute(f"{_SELECT} WHERE d.state = ?"
                                                    " ORDER BY d.updated", (UNKNOWN,))]

    def recent(self, limit: int = 20) -> list[RunSummary]:
        """The latest runs with the count of their documents per state."""
        runs = self._db.execute(
            "SELECT id, started, finished, file_name, mapping, target, administration, outcome,"
            " calls FROM runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        out: list[RunSummary] = []
        for run in runs:
            counts = dict(self._db.execute(
                "SELECT e.state, COUNT(DISTINCT e.document_id) FROM events e WHERE e.run_id = ?"
                " AND e.id = (SELECT MAX(id) FROM events WHERE document_id = e.document_id"
                " AND run_id = e.run_id) GROUP BY e.state", (run[0],)).fetchall())
            out.append(RunSummary(
                id=run[0], started=run[1], finished=run[2], file=run[3], mapping=run[4],
                target=run[5], administration=run[6], outcome=run[7], calls=run[8],
                documents=counts))
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
           " d.yuki_ref, d.message, d.forced, d.sent_at, d.updated, d.content, d.run_id"
           " FROM documents d LEFT JOIN files f ON f.id = d.file_id")


# A document as a ledger record needs it (`_record`).
_RECORD = ("SELECT d.administration, d.key, d.target, d.label, d.rows, d.content, d.state,"
           " d.message, d.yuki_ref, d.forced, d.updated, f.name, f.sha256"
           " FROM documents d LEFT JOIN files f ON f.id = d.file_id")


def _record(row: Sequence[Any], journal_id: str | None, seq: int, stamp: str | None) -> Record:
    """A document's record; `stamp` None: as of its last change (a snapshot)."""
    return {"seq": seq, "journal": journal_id, "at": stamp or row[10], "state": row[6],
            "administration": row[0], "key": row[1], "target": row[2], "label": row[3],
            "rows": json.loads(row[4]), "content": row[5], "message": row[7],
            "yuki_ref": row[8], "forced": bool(row[9]), "file": row[11], "sha256": row[12]}


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for first in range(0, len(ids), size):
        yield ids[first:first + size]


def _entry(row: Sequence[Any]) -> Entry:
    return Entry(
        id=int(row[0]), administration=str(row[1]), key=str(row[2]), target=str(row[3]),
        label=str(row[4]), state=str(row[5]), rows=tuple(json.loads(str(row[6]))),
        file_name=None if row[7] is None else str(row[7]),
        yuki_ref=None if row[8] is None else str(row[8]),
        message=None if row[9] is None else str(row[9]), forced=bool(row[10]),
        sent_at=None if row[11] is None else str(row[11]), updated=str(row[12]),
        content=str(row[13]), run_id=None if row[14] is None else int(str(row[14])),
    )
