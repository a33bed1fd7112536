"""What keeps the journal whole: every change of state is written to its ledger (ledger.py)
first; when a run starts, the two are compared and the journal is rebuilt or brought up to
date from the ledger when it was lost, emptied or replaced by an older copy; and what a lost
history may have sent is held back (`hold`) until no document waits for a person."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from yukimap.i18n import tr
from yukimap.ledger import Ledger, Record
from yukimap.sendlog import documents, store
from yukimap.sendlog.entries import SENDING, SENT, UNKNOWN, Change

# A document as a ledger record needs it (`_record`).
_RECORD = ("SELECT d.administration, d.key, d.target, d.label, d.rows, d.content, d.state,"
           " d.message, d.yuki_ref, d.forced, d.updated, f.name, f.sha256, d.id"
           " FROM documents d LEFT JOIN files f ON f.id = d.file_id")
_ID = 13  # the place of d.id in a row of _RECORD


class Recovery:
    """The journal at `path` (its connection `db`) and its ledger."""

    def __init__(self, db: sqlite3.Connection, ledger: Ledger, path: Path) -> None:
        self._db = db
        self.ledger = ledger
        self.path = path

    def write_ahead(self, changes: Sequence[Change], forced: bool, stamp: str) -> None:
        """The changes, on disk in the ledger before the journal commits them."""
        db = self._db
        if self.ledger.header() is None:
            self._restart_ledger()
        seq = self.ledger.last_seq()
        journal_id = store.meta(db, "journal")
        records = []
        wanted = {c.id: c for c in changes}
        for chunk in store.chunks(list(wanted)):
            for row in db.execute(f"{_RECORD} WHERE d.id IN ({','.join('?' * len(chunk))})",
                                  chunk):
                seq += 1
                record = _record(row, journal_id, seq, stamp)
                change = wanted[row[_ID]]
                records.append(record | {"state": change.state, "message": change.message,
                                         "yuki_ref": change.yuki_ref or record["yuki_ref"],
                                         "forced": forced or record["forced"]})
        self.ledger.append(records)
        store.set_meta(db, "ledger_seq", str(seq))

    def check(self) -> str | None:
        """Compare the journal with its ledger (under the send lock) and repair what can be
        repaired without guessing; what it did, for the receipt (None: all was in order)."""
        with store.transaction(self._db) as db:
            journal_id = store.meta(db, "journal")
            seq = int(store.meta(db, "ledger_seq") or 0)
            empty = db.execute("SELECT 1 FROM documents LIMIT 1").fetchone() is None
            header = self.ledger.header()
            if header is None:
                self._restart_ledger()
                return None if journal_id is None else tr(
                    "its ledger {ledger} was missing; written again from {journal}",
                    ledger=self.ledger.path.name, journal=self.path.name)
            if journal_id is None and empty:
                return self._rebuild(str(header["journal"]))
            if journal_id != header["journal"]:
                return self._foreign(header)
            last = self.ledger.last_seq()
            if seq < last:
                changes = self._replay(seq)
                return tr("{journal} was behind its ledger (an older copy?); brought up to"
                          " date from {ledger}: {count} change(s)", journal=self._where(),
                          ledger=self.ledger.path.name, count=changes)
            if seq > last:
                self._restart_ledger()
                return tr("its ledger {ledger} was behind {journal} (an older copy?); written"
                          " again from it", ledger=self.ledger.path.name,
                          journal=self.path.name)
            return None

    def _where(self) -> str:
        return tr("{name} in {folder}", name=self.path.name, folder=self.path.parent)

    def _rebuild(self, journal_id: str) -> str | None:
        store.set_meta(self._db, "journal", journal_id)
        if not self._replay(0):
            return None
        count, sent = self._db.execute("SELECT COUNT(*), COUNT(*) FILTER (WHERE state = ?)"
                                       " FROM documents", (SENT,)).fetchone()
        return tr("{journal} was missing or empty; rebuilt from its ledger {ledger}: {count}"
                  " document(s), {sent} of them sent", journal=self._where(),
                  ledger=self.ledger.path.name, count=count, sent=sent)

    def _replay(self, after: int) -> int:
        """Apply the ledger's records numbered above `after`; how many there were."""
        count = 0
        for record in self.ledger.records(after):
            _apply(self._db, record)
            store.set_meta(self._db, "ledger_seq", str(record["seq"]))
            count += 1
        return count

    def _foreign(self, header: Record) -> str:
        """The journal and the ledger are not one journal's (a journal copied in from
        another state folder, or a ledger): what the ledger knows as sent, or maybe sent,
        and the journal does not know as sent now waits for a person. The ledger is kept."""
        latest: dict[tuple[str, str], Record] = {}
        for record in self.ledger.records():
            latest[(record["administration"], record["key"])] = record
        waiting = 0
        stamp = store.now()
        for (administration, key), record in latest.items():
            if record["state"] not in (SENT, SENDING, UNKNOWN):
                continue
            known = documents.lookup(self._db, administration, [key]).get(key)
            if known is not None and known.state in (SENT, UNKNOWN):
                continue
            message = tr("the ledger of another send journal says {state} on {day}: it may be"
                         " in Yuki already", state=record["state"], day=str(record["at"])[:10])
            _apply(self._db, record | {"state": UNKNOWN, "at": stamp, "message": message})
            waiting += 1
        kept = self.ledger.path.with_name(f"{self.ledger.path.name}.{header['journal']}")
        self.ledger.path.replace(kept)
        self._restart_ledger()
        return tr("{journal} and the ledger {ledger} belong to different journals; {count}"
                  " document(s) that the ledger knows as sent, or maybe sent, now await a"
                  " decision (yukimap status); that ledger was kept as {kept}",
                  journal=self._where(), ledger=self.ledger.path.name, count=waiting,
                  kept=kept.name)

    def _restart_ledger(self) -> None:
        """A new ledger from what the journal knows (it has no ledger, or a wrong one)."""
        db = self._db
        journal_id = store.meta(db, "journal") or str(uuid.uuid4())
        store.set_meta(db, "journal", journal_id)
        records = [_record(row, journal_id, seq, None) for seq, row in
                   enumerate(db.execute(f"{_RECORD} ORDER BY d.id"), start=1)]
        self.ledger.start(journal_id, store.now(), records)
        store.set_meta(db, "ledger_seq", str(len(records)))


def _apply(db: sqlite3.Connection, record: Record) -> None:
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


def _record(row: Sequence[Any], journal_id: str | None, seq: int, stamp: str | None) -> Record:
    """A document's record; `stamp` None: as of its last change (a snapshot)."""
    return {"seq": seq, "journal": journal_id, "at": stamp or row[10], "state": row[6],
            "administration": row[0], "key": row[1], "target": row[2], "label": row[3],
            "rows": json.loads(row[4]), "content": row[5], "message": row[7],
            "yuki_ref": row[8], "forced": bool(row[9]), "file": row[11], "sha256": row[12]}


def held(db: sqlite3.Connection, administration: str) -> str | None:
    """Why documents of this administration that the journal does not know are held
    back (`hold`); released once no document of it awaits a decision."""
    with store.transaction(db):
        note = store.meta(db, f"held:{administration}")
        if note is not None and not db.execute(
                "SELECT 1 FROM documents WHERE administration = ? AND state = ? LIMIT 1",
                (administration, UNKNOWN)).fetchone():
            db.execute("DELETE FROM meta WHERE name = ?", (f"held:{administration}",))
            return None
        return note


def hold(db: sqlite3.Connection, administration: str, note: str) -> None:
    with store.transaction(db):
        store.set_meta(db, f"held:{administration}", note)
