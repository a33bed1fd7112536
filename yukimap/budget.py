"""Local state for talking to Yuki: the daily call counter and the session cache.

The call counter (SQLite, `calls.sqlite` in the state folder) counts every call per domain
per day, Authenticate included, and refuses a call once the day's budget is used up,
before anything is sent. Reserving a call is one short `BEGIN IMMEDIATE` transaction in
WAL mode, so two yukimap processes at once never overspend.

Calls that carry documents are also counted per administration, for good: when the send
journal and its ledger are both lost, this is the last record that documents went to an
administration from this state folder (send.py then holds what it cannot tell apart).

ASSUMPTIONS: Yuki counts calls per calendar day in the Netherlands (Europe/Amsterdam) and
resets at midnight there; its documentation says "per day" without a time zone. Every
call counts, Authenticate included (yuki-api.md §1: "presumably"). This counter only sees
yukimap's own calls on this machine: other software on the same domain uses the same Yuki
limit, which is why the budget can be set below 1000 to keep a reserve.

The session cache (`sessions.json`, mode 0600) keeps one session ID per access key, base
URL and domain for 24 hours, so each run does not cost an Authenticate. Its keys are
SHA-256 hashes: the access key itself is never written anywhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypedDict
from zoneinfo import ZoneInfo

from yukimap.errors import BudgetExhausted
from yukimap.i18n import tr
from yukimap.settings import Secret, ensure_state_dir

Clock = Callable[[], datetime]
# i18n: a pseudo-operation stored in calls.sqlite and shown as a key by status --json
LIMIT_REACHED = "(Yuki: daily limit exceeded)"  # pseudo-operation that fills up the day


def utc_now() -> datetime:
    return datetime.now(UTC)


# --- Yuki's day ------------------------------------------------------------------------


# The system's tz database, or where it has none (Windows, slim containers) the tzdata
# package's, a dependency for that reason.
_AMS = ZoneInfo("Europe/Amsterdam")


def to_amsterdam(moment: datetime) -> datetime:
    """`moment` in Amsterdam time (a moment without a time zone is UTC)."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(_AMS)


def yuki_day(moment: datetime | None = None) -> date:
    """The calendar day on which Yuki counts a call made at `moment`."""
    return to_amsterdam(moment or utc_now()).date()


def next_reset(moment: datetime | None = None) -> datetime:
    """The next midnight in Amsterdam: when Yuki's (and our) daily count starts again."""
    local = to_amsterdam(moment or utc_now())
    tomorrow = local.date() + timedelta(days=1)
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=_AMS)


# --- the call counter ------------------------------------------------------------------


def counter_name(domain: str | None, access_key: Secret | None) -> str | None:
    """Under which name calls are counted: the configured domain, else the access key's
    fingerprint (an administration or domain key lives in exactly one domain)."""
    if domain:
        return domain
    return f"key {access_key.fingerprint()}" if access_key is not None else None


@dataclass(frozen=True)
class Reservation:
    """One call counted before it is sent; `release` it if it provably never left."""

    domain: str
    day: str
    operation: str
    administration: str | None = None  # set for a call that carries documents


class CallBudget:
    """Per-domain, per-day call counter with a hard budget, shared by processes."""

    def __init__(self, state_dir: Path, budget: int = 1000, *, clock: Clock = utc_now) -> None:
        self.path = ensure_state_dir(state_dir) / "calls.sqlite"
        self.budget = budget
        self._clock = clock
        self._db: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA busy_timeout=30000")
            db.execute(
                "CREATE TABLE IF NOT EXISTS calls (domain TEXT NOT NULL, day TEXT NOT NULL,"
                " operation TEXT NOT NULL, count INTEGER NOT NULL DEFAULT 0,"
                " PRIMARY KEY (domain, day, operation))"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS document_calls (administration TEXT NOT NULL,"
                " day TEXT NOT NULL, count INTEGER NOT NULL DEFAULT 0,"
                " PRIMARY KEY (administration, day))"
            )
            self._db = db
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def today(self) -> date:
        return yuki_day(self._clock())

    def resets_at(self) -> datetime:
        return next_reset(self._clock())

    def reserve(self, domain: str, operation: str, administration: str | None = None
                ) -> Reservation:
        """Count one call now, or raise BudgetExhausted without counting; `administration`
        for a call that carries documents to it."""
        day = self.today().isoformat()
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")  # the check and the increment are one step
        try:
            used = self._used(db, domain, day)
            if used >= self.budget:
                raise self._exhausted(domain, used)
            db.execute(
                "INSERT INTO calls (domain, day, operation, count) VALUES (?, ?, ?, 1)"
                " ON CONFLICT (domain, day, operation) DO UPDATE SET count = count + 1",
                (domain, day, operation),
            )
            if administration:
                db.execute(
                    "INSERT INTO document_calls (administration, day, count) VALUES (?, ?, 1)"
                    " ON CONFLICT (administration, day) DO UPDATE SET count = count + 1",
                    (administration, day))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return Reservation(domain, day, operation, administration)

    def release(self, reservation: Reservation) -> None:
        """Uncount a call that never reached Yuki (connection refused, DNS failure)."""
        self._conn().execute(
            "UPDATE calls SET count = MAX(count - 1, 0)"
            " WHERE domain = ? AND day = ? AND operation = ?",
            (reservation.domain, reservation.day, reservation.operation),
        )
        if reservation.administration:
            self._conn().execute(
                "UPDATE document_calls SET count = MAX(count - 1, 0)"
                " WHERE administration = ? AND day = ?",
                (reservation.administration, reservation.day))

    def document_calls(self, administration: str) -> tuple[int, date] | None:
        """Calls that carried documents to this administration, ever, and the last day."""
        count, last = self._conn().execute(
            "SELECT SUM(count), MAX(day) FROM document_calls WHERE administration = ?"
            " AND count > 0", (administration,)).fetchone()
        return (int(count), date.fromisoformat(last)) if count else None

    def mark_exhausted(self, domain: str) -> None:
        """Yuki itself said "Daily limit exceeded": spend the rest of today's budget, so
        later runs today stop here instead of spending calls on more refusals."""
        day = self.today().isoformat()
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            missing = self.budget - self._used(db, domain, day)
            if missing > 0:
                db.execute(
                    "INSERT INTO calls (domain, day, operation, count) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (domain, day, operation) DO UPDATE SET count = count + ?",
                    (domain, day, LIMIT_REACHED, missing, missing),
                )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def calls_today(self, domain: str) -> int:
        return self._used(self._conn(), domain, self.today().isoformat())

    def remaining(self, domain: str) -> int:
        return max(self.budget - self.calls_today(domain), 0)

    def sent_today(self, domain: str) -> int:
        """Calls really sent today: without the rest of the day spent by mark_exhausted."""
        spent = self.operations_today(domain).get(LIMIT_REACHED, 0)
        return self.calls_today(domain) - spent

    def usage_today(self) -> dict[str, int]:
        """Calls made today per domain (only domains with calls)."""
        rows = self._conn().execute(
            "SELECT domain, SUM(count) FROM calls WHERE day = ? GROUP BY domain ORDER BY domain",
            (self.today().isoformat(),),
        )
        return {domain: int(total) for domain, total in rows if total}

    def operations_today(self, domain: str) -> dict[str, int]:
        rows = self._conn().execute(
            "SELECT operation, count FROM calls WHERE domain = ? AND day = ? AND count > 0"
            " ORDER BY operation", (domain, self.today().isoformat()),
        )
        return dict(rows)

    @staticmethod
    def _used(db: sqlite3.Connection, domain: str, day: str) -> int:
        row = db.execute(
            "SELECT COALESCE(SUM(count), 0) FROM calls WHERE domain = ? AND day = ?",
            (domain, day),
        ).fetchone()
        return int(row[0])

    def _exhausted(self, domain: str, used: int) -> BudgetExhausted:
        resets = self.resets_at()
        wait = resets - to_amsterdam(self._clock())
        hours, rest = divmod(int(wait.total_seconds()) // 60, 60)
        return BudgetExhausted(
            tr("yukimap's daily call budget for {domain} is used up: {used} of {budget}"
               " calls today. Nothing was sent. The count resets at midnight Amsterdam time"
               " ({resets}, in {hours} h {minutes} min).",
               domain=domain, used=used, budget=self.budget,
               resets=f"{resets:%Y-%m-%d %H:%M %Z}", hours=hours, minutes=f"{rest:02d}"),
            hint=tr("wait for the reset, or raise YUKIMAP_DAILY_BUDGET if the domain has more"
                    " calls (Yuki: 1000 a day free, 5000 or 10000 with a paid add-on)"),
            domain=domain, used=used, budget=self.budget, resets_at=resets,
        )


# --- the session cache -----------------------------------------------------------------

SESSION_LIFETIME = timedelta(hours=24)  # Yuki: "Each session ID is valid for 24h"
SESSION_MARGIN = timedelta(minutes=10)  # never start a call on a session about to expire


class _SessionEntry(TypedDict):
    """One entry of sessions.json, by cache key."""

    session_id: str
    created: float
    domain_id: str | None


@dataclass(frozen=True)
class CachedSession:
    session_id: Secret
    created: float  # epoch seconds
    domain_id: str | None  # the domain SetCurrentDomain was called with, if any


class SessionCache:
    """Session IDs on disk, one per (base URL, access key, domain), for 24 hours."""

    def __init__(
        self,
        state_dir: Path,
        *,
        lifetime: timedelta = SESSION_LIFETIME,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = ensure_state_dir(state_dir) / "sessions.json"
        self.lifetime = lifetime
        self._clock = clock

    @staticmethod
    def cache_key(base_url: str, access_key: Secret, domain: str | None) -> str:
        material = "\0".join((base_url, access_key.reveal(), domain or ""))
        return hashlib.sha256(material.encode()).hexdigest()

    def get(self, key: str) -> CachedSession | None:
        entry = self._load().get(key)
        if not isinstance(entry, dict) or not entry.get("session_id"):
            return None
        created = float(entry.get("created", 0))
        if self._clock() - created > (self.lifetime - SESSION_MARGIN).total_seconds():
            return None
        return CachedSession(Secret(str(entry["session_id"])), created, entry.get("domain_id"))

    def put(self, key: str, session_id: Secret, domain_id: str | None = None) -> None:
        entries = self._load()
        now = self._clock()
        # Drop expired entries while we are here, so the file does not grow forever.
        entries = {k: v for k, v in entries.items()
                   if now - float(v.get("created", 0)) < self.lifetime.total_seconds()}
        entries[key] = {"session_id": session_id.reveal(), "created": now,
                        "domain_id": domain_id}
        self._save(entries)

    def forget(self, key: str) -> None:
        entries = self._load()
        if entries.pop(key, None) is not None:
            self._save(entries)

    def _load(self) -> dict[str, _SessionEntry]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # missing or damaged: it is only a cache
        if not isinstance(data, dict):
            return {}
        # a damaged entry is dropped like a damaged file: it is only a cache
        return {k: _SessionEntry(session_id=str(v.get("session_id") or ""),
                                 created=float(v["created"]), domain_id=v.get("domain_id"))
                for k, v in data.items()
                if isinstance(v, dict) and _number(v.get("created"))}

    def _save(self, entries: dict[str, _SessionEntry]) -> None:
        # Written under a fresh name with mode 0600 from the start, then renamed over the
        # old file: the session IDs are never readable by others, not even for a moment.
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(entries, out)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def _number(value: object) -> bool:
    """Whether a cached `created` is a time yukimap wrote (a float or an int)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)
