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

Each module has one reason to change:
- journal: `SendLog`, the one door to the journal;
- store: the SQLite file (its tables, the connection, transactions, meta values, the clock);
- failures: the state folder's failures as errors a person can act on (`state_errors`);
- entries: a document as the journal knows it, and its states;
- documents: documents, their events, and the lookups in Yuki made for them on a day;
- runs: files, runs, and the IDs of administrations known by name;
- recovery: the ledger written first, checked when a run starts, the journal rebuilt from
  it; what a lost history may have sent held back.
"""

from __future__ import annotations

from yukimap.sendlog.entries import PENDING, REJECTED, SENDING, SENT, UNKNOWN, Change, Entry
from yukimap.sendlog.failures import StateDamaged, StateFolderFull, StateUnwritable, state_errors
from yukimap.sendlog.journal import SendLog
from yukimap.sendlog.runs import RunSummary
from yukimap.sendlog.store import local_time

__all__ = ["PENDING", "REJECTED", "SENDING", "SENT", "UNKNOWN", "Change", "Entry", "RunSummary",
           "SendLog", "StateDamaged", "StateFolderFull", "StateUnwritable", "local_time",
           "state_errors"]
