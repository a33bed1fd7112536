"""What the sandbox received and accepted, in SQLite: the query API for tests and `--list`.

Also the sandbox's own bookkeeping: sessions and the log of every call (the daily limit
is counted from that log). One connection, guarded by a lock: the HTTP server is threaded
but the traffic is tiny.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, key_name TEXT NOT NULL,
    created REAL NOT NULL, domain_id TEXT);
CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,
    day TEXT NOT NULL, domain TEXT, service TEXT NOT NULL, operation TEXT NOT NULL,
    counted INTEGER NOT NULL, outcome TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS sales_invoices (id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL, administration_id TEXT NOT NULL, reference TEXT,
    subject TEXT, contact TEXT, invoice_date TEXT, due_date TEXT, processed INTEGER NOT NULL,
    total TEXT NOT NULL, xml TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS journals (id INTEGER PRIMARY KEY AUTOINCREMENT,
    guid TEXT NOT NULL, administration_id TEXT NOT NULL, subject TEXT, entries INTEGER NOT NULL,
    xml TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cash_statements (id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL, administration_id TEXT NOT NULL, account TEXT NOT NULL,
    lines INTEGER NOT NULL, text TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cash_lines (id INTEGER PRIMARY KEY AUTOINCREMENT,
    statement_id INTEGER, administration_id TEXT NOT NULL, account TEXT NOT NULL,
    transaction_date TEXT NOT NULL, description TEXT, amount TEXT NOT NULL,
    transaction_code TEXT, offset_account TEXT, offset_name TEXT, received_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sales_ref ON sales_invoices (administration_id, reference);
CREATE INDEX IF NOT EXISTS calls_day ON calls (domain, day);
"""


@dataclass(frozen=True)
class StoredInvoice:
    document_id: str
    administration_id: str
    reference: str | None
    subject: str
    contact: str
    invoice_date: str
    due_date: str
    processed: bool
    total: Decimal
    xml: str
    received_at: str


@dataclass(frozen=True)
class StoredJournal:
    guid: str
    administration_id: str
    subject: str
    entries: int
    xml: str
    received_at: str


@dataclass(frozen=True)
class StoredStatement:
    id: int
    document_id: str
    administration_id: str
    account: str
    lines: int
    text: str
    received_at: str


@dataclass(frozen=True)
class StoredCashLine:
    statement_id: int | None  # None: came in through ImportSingleStatementLine
    administration_id: str
    account: str
    transaction_date: str
    description: str
    amount: Decimal
    transaction_code: str
    offset_account: str
    offset_name: str
    received_at: str


@dataclass(frozen=True)
class CallRecord:
    at: str
    day: str
    domain: str | None
    service: str
    operation: str
    counted: bool
    outcome: str


class SandboxStore:
    """The sandbox's SQLite file. Safe to open a second time (e.g. from a test or --list)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False,
                                   isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _rows(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        # A row's values have the types of the schema's columns, which only SQLite knows.
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _write(self, sql: str, args: tuple[object, ...] = ()) -> int:
        with self._lock:
            return int(self._db.execute(sql, args).lastrowid or 0)

    # --- sessions and calls -----------------------------------------------------------

    def add_session(self, session_id: str, key_name: str, created: float,
                    domain_id: str | None) -> None:
        self._write("INSERT INTO sessions VALUES (?, ?, ?, ?)",
                    (session_id, key_name, created, domain_id))

    def session(self, session_id: str) -> tuple[str, float, str | None] | None:
        rows = self._rows("SELECT key_name, created, domain_id FROM sessions WHERE id = ?",
                          (session_id,))
        return rows[0] if rows else None

    def set_session_domain(self, session_id: str, domain_id: str) -> None:
        self._write("UPDATE sessions SET domain_id = ? WHERE id = ?", (domain_id, session_id))

    def session_ids(self) -> list[str]:
        return [r[0] for r in self._rows("SELECT id FROM sessions ORDER BY created")]

    def count_and_log(self, at: str, day: str, domain: str | None, service: str,
                      operation: str, limit: int) -> int | None:
        """Log a counted call if the domain is under its daily limit: the call's id, or None."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                used = self._db.execute(
                    "SELECT COUNT(*) FROM calls WHERE domain = ? AND day = ? AND counted = 1",
                    (domain, day)).fetchone()[0]
                call_id = None
                if used < limit:
                    call_id = self._db.execute(
                        "INSERT INTO calls (at, day, domain, service, operation, counted)"
                        " VALUES (?, ?, ?, ?, ?, 1)", (at, day, domain, service, operation),
                    ).lastrowid
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return call_id

    def log_call(self, at: str, day: str, domain: str | None, service: str, operation: str,
                 outcome: str) -> int:
        """Log a call that did not count against the limit (refused before processing)."""
        return self._write(
            "INSERT INTO calls (at, day, domain, service, operation, counted, outcome)"
            " VALUES (?, ?, ?, ?, ?, 0, ?)", (at, day, domain, service, operation, outcome))

    def finish_call(self, call_id: int, outcome: str) -> None:
        self._write("UPDATE calls SET outcome = ? WHERE id = ?", (outcome, call_id))

    def calls(self, operation: str | None = None) -> list[CallRecord]:
        sql = "SELECT at, day, domain, service, operation, counted, outcome FROM calls"
        rows = self._rows(sql + (" WHERE operation = ?" if operation else "") + " ORDER BY id",
                          (operation,) if operation else ())
        return [CallRecord(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6]) for r in rows]

    def calls_counted(self, domain: str, day: str) -> int:
        count: int = self._rows("SELECT COUNT(*) FROM calls WHERE domain = ? AND day = ?"
                                " AND counted = 1", (domain, day))[0][0]
        return count

    # --- documents --------------------------------------------------------------------

    def add_sales_invoice(self, inv: StoredInvoice) -> None:
        self._write(
            "INSERT INTO sales_invoices (document_id, administration_id, reference, subject,"
            " contact, invoice_date, due_date, processed, total, xml, received_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (inv.document_id, inv.administration_id, inv.reference, inv.subject, inv.contact,
             inv.invoice_date, inv.due_date, int(inv.processed), str(inv.total), inv.xml,
             inv.received_at))

    def has_reference(self, administration_id: str, reference: str) -> bool:
        return bool(self._rows(
            "SELECT 1 FROM sales_invoices WHERE administration_id = ? AND reference = ?",
            (administration_id, reference)))

    def sales_invoices(self, administration_id: str | None = None,
                       reference: str | None = None) -> list[StoredInvoice]:
        where, args = _where(administration_id=administration_id, reference=reference)
        rows = self._rows(
            "SELECT document_id, administration_id, reference, subject, contact, invoice_date,"
            " due_date, processed, total, xml, received_at FROM sales_invoices"
            f"{where} ORDER BY id", args)
        return [StoredInvoice(r[0], r[1], r[2], r[3] or "", r[4] or "", r[5] or "",
                              r[6] or "", bool(r[7]), Decimal(r[8]), r[9], r[10]) for r in rows]

    def add_journal(self, journal: StoredJournal) -> None:
        self._write("INSERT INTO journals (guid, administration_id, subject, entries, xml,"
                    " received_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (journal.guid, journal.administration_id, journal.subject, journal.entries,
                     journal.xml, journal.received_at))

    def journals(self, administration_id: str | None = None) -> list[StoredJournal]:
        where, args = _where(administration_id=administration_id)
        rows = self._rows("SELECT guid, administration_id, subject, entries, xml, received_at"
                          f" FROM journals{where} ORDER BY id", args)
        return [StoredJournal(r[0], r[1], r[2] or "", r[3], r[4], r[5]) for r in rows]

    def add_statement(self, document_id: str, administration_id: str, account: str,
                      text: str, lines: list[StoredCashLine], received_at: str) -> int:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                sid = self._db.execute(
                    "INSERT INTO cash_statements (document_id, administration_id, account,"
                    " lines, text, received_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (document_id, administration_id, account, len(lines), text, received_at),
                ).lastrowid
                for line in lines:
                    self._insert_line(line, sid)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return int(sid or 0)

    def add_cash_line(self, line: StoredCashLine) -> None:
        with self._lock:
            self._insert_line(line, None)

    def _insert_line(self, line: StoredCashLine, statement_id: int | None) -> None:
        self._db.execute(
            "INSERT INTO cash_lines (statement_id, administration_id, account, transaction_date,"
            " description, amount, transaction_code, offset_account, offset_name, received_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (statement_id, line.administration_id, line.account, line.transaction_date,
             line.description, str(line.amount), line.transaction_code, line.offset_account,
             line.offset_name, line.received_at))

    def cash_statements(self, administration_id: str | None = None) -> list[StoredStatement]:
        where, args = _where(administration_id=administration_id)
        rows = self._rows("SELECT id, document_id, administration_id, account, lines, text,"
                          f" received_at FROM cash_statements{where} ORDER BY id", args)
        return [StoredStatement(*r) for r in rows]

    def cash_lines(self, administration_id: str | None = None) -> list[StoredCashLine]:
        where, args = _where(administration_id=administration_id)
        rows = self._rows(
            "SELECT statement_id, administration_id, account, transaction_date, description,"
            " amount, transaction_code, offset_account, offset_name, received_at"
            f" FROM cash_lines{where} ORDER BY id", args)
        return [StoredCashLine(r[0], r[1], r[2], r[3], r[4] or "", Decimal(r[5]), r[6] or "",
                               r[7] or "", r[8] or "", r[9]) for r in rows]


def _where(**filters: str | None) -> tuple[str, tuple[str, ...]]:
    used = {k: v for k, v in filters.items() if v is not None}
    if not used:
        return "", ()
    return " WHERE " + " AND ".join(f"{k} = ?" for k in used), tuple(used.values())
