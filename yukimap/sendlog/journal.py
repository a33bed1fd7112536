"""`SendLog`: the journal in one SQLite file, and the one door to it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from yukimap.i18n import tr
from yukimap.ledger import Ledger
from yukimap.sendlog import documents as docs
from yukimap.sendlog import recovery, runs, store
from yukimap.sendlog.entries import SENDING, UNKNOWN, Change, Entry
from yukimap.sendlog.runs import RunSummary
from yukimap.settings import ensure_state_dir


class SendLog:
    """The journal in one SQLite file; safe for several processes at once."""

    def __init__(self, state_dir: Path) -> None:
        self.path = ensure_state_dir(state_dir) / "sends.sqlite"
        self.ledger = Ledger(self.path.with_name("sends.ledger"))
        self._db = store.connect(self.path)
        self._recovery = recovery.Recovery(self._db, self.ledger, self.path)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SendLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- files, runs and administrations -----------------------------------------------

    def file(self, sha256: str, name: str, size: int) -> tuple[int, str | None]:
        """The file's id, and when it was first seen if it was seen before."""
        return runs.file(self._db, sha256, name, size)

    def file_seen(self, sha256: str) -> str | None:
        """When a file with these bytes was first sent, if ever."""
        return runs.file_seen(self._db, sha256)

    def start_run(self, file_id: int, file_name: str, mapping: str, target: str,
                  administration: str) -> int:
        return runs.start(self._db, file_id, file_name, mapping, target, administration)

    def finish_run(self, run_id: int, outcome: str, calls: int) -> None:
        runs.finish(self._db, run_id, outcome, calls)

    def recent(self, limit: int = 20) -> list[RunSummary]:
        """The latest runs with the count of their documents per state."""
        return runs.recent(self._db, limit)

    def remember_administration(self, base_url: str, name: str, admin_id: str) -> None:
        runs.remember_administration(self._db, base_url, name, admin_id)

    def administration_id(self, base_url: str, name: str) -> str | None:
        return runs.administration_id(self._db, base_url, name)

    # --- documents ----------------------------------------------------------------------

    def lookup(self, administration: str, keys: Iterable[str]) -> dict[str, Entry]:
        """The journal's entries for these keys (absent: never seen)."""
        return docs.lookup(self._db, administration, keys)

    def get(self, document_id: int) -> Entry | None:
        return docs.get(self._db, document_id)

    def register(self, run_id: int, file_id: int, administration: str,
                 documents: Sequence[tuple[str, str, str, Sequence[int], str]]
                 ) -> dict[str, int]:
        """Documents about to be sent, as PENDING: (key, target, label, rows, content).
        A document seen before keeps its id and history; it moves to this run."""
        return docs.register(self._db, run_id, file_id, administration, documents)

    def mark(self, run_id: int | None, document_ids: Iterable[int], state: str,
             message: str | None = None, yuki_ref: str | None = None,
             forced: bool = False) -> None:
        """Move documents to `state`, committed before this returns (and in the ledger
        before that)."""
        self.change(run_id, [Change(i, state, message, yuki_ref) for i in document_ids],
                    forced)

    def change(self, run_id: int | None, changes: Sequence[Change], forced: bool = False
               ) -> None:
        """Move each document to its own state, all in one commit (and one write to the
        ledger before it): a call's thousand answers cost one sync of the disk, not a
        thousand."""
        stamp = store.now()
        with store.transaction(self._db) as db:
            self._recovery.write_ahead(changes, forced, stamp)
            docs.set_state(db, run_id, changes, forced, stamp)

    def recover(self) -> list[Entry]:
        """Documents left SENDING by a process that died during a call: UNKNOWN now."""
        stuck = docs.in_state(self._db, SENDING)
        if stuck:
            self.mark(None, [e.id for e in stuck], UNKNOWN,
                      tr("the sending process stopped during the call; Yuki may have it"))
        return [e for e in (self.get(s.id) for s in stuck) if e is not None]

    def unknown(self) -> list[Entry]:
        return docs.unknown(self._db)

    def decidable(self, ids: Sequence[int] = (), run_id: int | None = None,
                  file_name: str | None = None, every: bool = False
                  ) -> tuple[list[Entry], list[str]]:
        """The documents awaiting a decision among these (IDs, a run's, a file's, or all),
        and why any ID given cannot be decided."""
        return docs.decidable(self._db, ids, run_id, file_name, every)

    def last_change(self, administration: str) -> datetime | None:
        """When the journal last changed a document of this administration."""
        return docs.last_change(self._db, administration)

    def touched(self, run_id: int, ids: Sequence[int]) -> set[int]:
        """Those of these documents that a run changed."""
        return docs.touched(self._db, run_id, ids)

    def history(self, document_id: int) -> list[tuple[str, str, str | None]]:
        return docs.history(self._db, document_id)

    def lookups(self, day: str) -> tuple[int, set[int]]:
        """Lookups in Yuki made on `day` (Amsterdam), and the documents they were for."""
        return docs.lookups(self._db, day)

    def looked_up(self, document_id: int, day: str) -> None:
        docs.looked_up(self._db, document_id, day)

    # --- the ledger and the hold ----------------------------------------------------------

    def check_ledger(self) -> str | None:
        """Compare the journal with its ledger (under the send lock) and repair what can be
        repaired without guessing; what it did, for the receipt (None: all was in order)."""
        return self._recovery.check()

    def held(self, administration: str) -> str | None:
        """Why documents of this administration that the journal does not know are held
        back (`hold`); released once no document of it awaits a decision."""
        return recovery.held(self._db, administration)

    def hold(self, administration: str, note: str) -> None:
        recovery.hold(self._db, administration, note)
