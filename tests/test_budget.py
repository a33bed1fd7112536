"""The daily call counter (SQLite, per domain per Amsterdam day) and the session cache."""

from __future__ import annotations

import sqlite3
import stat
import threading
from datetime import UTC, datetime, timedelta, tzinfo
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import yukimap.budget as budget_module
from yukimap.budget import CallBudget, SessionCache, next_reset, to_amsterdam, yuki_day
from yukimap.errors import BudgetExhausted
from yukimap.settings import Secret


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def tzdata_amsterdam() -> tzinfo:
    """Amsterdam from the tzdata package alone, as a machine without a tz database has it."""
    with resources.files("tzdata.zoneinfo.Europe").joinpath("Amsterdam").open("rb") as data:
        return ZoneInfo.from_file(data, key="Europe/Amsterdam")


def test_counts_per_domain_and_stops_before_the_budget(tmp_path: Path) -> None:
    budget = CallBudget(tmp_path, budget=3, clock=Clock(utc(2025, 3, 1, 10)))
    for _ in range(3):
        budget.reserve("bakkerij", "Authenticate")
    with pytest.raises(BudgetExhausted) as caught:
        budget.reserve("bakkerij", "ProcessSalesInvoices")
    exc = caught.value
    assert (exc.used, exc.budget, exc.domain) == (3, 3, "bakkerij")
    assert "3 of 3" in exc.message and "midnight Amsterdam time" in exc.message
    assert "Nothing was sent" in exc.message
    assert budget.calls_today("bakkerij") == 3  # the refused call was not counted
    assert budget.remaining("bakkerij") == 0
    assert budget.remaining("fietsenmaker") == 3  # another domain has its own count
    assert budget.usage_today() == {"bakkerij": 3}
    assert budget.operations_today("bakkerij") == {"Authenticate": 3}


def test_the_count_starts_again_on_the_next_amsterdam_day(tmp_path: Path) -> None:
    clock = Clock(utc(2025, 3, 1, 22, 30))  # 23:30 in Amsterdam (CET)
    budget = CallBudget(tmp_path, budget=1, clock=clock)
    budget.reserve("d", "Authenticate")
    clock.moment = utc(2025, 3, 1, 22, 59)
    with pytest.raises(BudgetExhausted):
        budget.reserve("d", "Administrations")
    clock.moment = utc(2025, 3, 1, 23, 1)  # 00:01 on 2 March in Amsterdam, still 1 March in UTC
    budget.reserve("d", "Administrations")
    assert budget.calls_today("d") == 1


@pytest.mark.parametrize("moment, day, reset", [
    (utc(2025, 3, 1, 23, 30), "2025-03-02", "2025-03-03T00:00:00+01:00"),  # winter: UTC+1
    (utc(2025, 7, 1, 22, 30), "2025-07-02", "2025-07-03T00:00:00+02:00"),  # summer: UTC+2
    (utc(2025, 7, 1, 21, 30), "2025-07-01", "2025-07-02T00:00:00+02:00"),
    (utc(2025, 3, 30, 0, 30), "2025-03-30", "2025-03-31T00:00:00+02:00"),  # DST starts that day
])
def test_yuki_day_is_the_amsterdam_calendar_day(moment: datetime, day: str, reset: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    assert yuki_day(moment).isoformat() == day
    assert next_reset(moment).isoformat() == reset
    monkeypatch.setattr(budget_module, "_AMS", tzdata_amsterdam())  # no system tz database
    assert yuki_day(moment).isoformat() == day
    assert next_reset(moment).isoformat() == reset
    assert to_amsterdam(utc(2025, 1, 15, 12)).utcoffset() == timedelta(hours=1)
    assert to_amsterdam(utc(2025, 8, 15, 12)).utcoffset() == timedelta(hours=2)


def test_release_uncounts_a_call_that_never_left(tmp_path: Path) -> None:
    budget = CallBudget(tmp_path, budget=5)
    reservation = budget.reserve("d", "Administrations")
    budget.release(reservation)
    assert budget.calls_today("d") == 0


def test_yukis_own_limit_fills_up_the_day(tmp_path: Path) -> None:
    budget = CallBudget(tmp_path, budget=10)
    budget.reserve("d", "Authenticate")
    budget.mark_exhausted("d")
    assert budget.remaining("d") == 0
    with pytest.raises(BudgetExhausted):
        budget.reserve("d", "Administrations")


def test_wal_mode_and_two_writers_never_overspend(tmp_path: Path) -> None:
    CallBudget(tmp_path, budget=50).calls_today("d")
    mode = sqlite3.connect(tmp_path / "calls.sqlite").execute("PRAGMA journal_mode").fetchone()
    assert mode[0] == "wal"
    granted, refused = [], []

    def worker() -> None:  # each worker has its own connection, as two processes would
        mine = CallBudget(tmp_path, budget=50)
        for _ in range(40):
            try:
                mine.reserve("d", "ProcessSalesInvoices")
                granted.append(1)
            except BudgetExhausted:
                refused.append(1)
        mine.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(granted) == 50 and len(refused) == 30
    assert CallBudget(tmp_path, budget=50).calls_today("d") == 50


# --- the session cache -----------------------------------------------------------------


def test_session_cache_file_is_private_and_holds_no_key(tmp_path: Path) -> None:
    cache = SessionCache(tmp_path)
    key = Secret("ACCESS-KEY-RECOGNISABLE-1234")
    cache_key = SessionCache.cache_key("https://api.yukiworks.nl/ws/", key, None)
    cache.put(cache_key, Secret("session-1"), None)
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    text = cache.path.read_text()
    assert "ACCESS-KEY-RECOGNISABLE-1234" not in text and cache_key in text
    found = cache.get(cache_key)
    assert found is not None and found.session_id.reveal() == "session-1"
    other = SessionCache.cache_key("https://api.yukiworks.be/ws/", key, None)
    assert other != cache_key and cache.get(other) is None
    cache.forget(cache_key)
    assert cache.get(cache_key) is None


def test_session_cache_expires_before_yuki_does(tmp_path: Path) -> None:
    now = [1_000_000.0]
    cache = SessionCache(tmp_path, clock=lambda: now[0])
    cache.put("k", Secret("s"), "domain-1")
    now[0] += timedelta(hours=23, minutes=45).total_seconds()
    assert cache.get("k") is not None and cache.get("k").domain_id == "domain-1"
    now[0] += timedelta(minutes=10).total_seconds()  # within 10 minutes of Yuki's 24 h
    assert cache.get("k") is None


def test_damaged_cache_is_ignored(tmp_path: Path) -> None:
    cache = SessionCache(tmp_path)
    cache.path.write_text("{not json")
    assert cache.get("k") is None
    cache.put("k", Secret("s"))
    assert cache.get("k") is not None


def test_a_damaged_session_entry_is_dropped_not_a_crash(tmp_path: Path) -> None:
    """sessions.json is only a cache: an entry that is not what yukimap wrote is forgotten."""
    from yukimap.budget import SessionCache
    from yukimap.settings import Secret

    cache = SessionCache(tmp_path)
    cache.path.write_text('{"a": "not an entry", "b": {"created": "x"}, "c": [1]}')
    cache.put("k", Secret("session"))
    assert cache.get("k") is not None and cache.get("a") is None
