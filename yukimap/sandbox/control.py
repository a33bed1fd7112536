"""Test controls of the sandbox: injected faults and a clock that can be moved forward.

Set through POST /_sandbox/faults (JSON, one spec per request) or a `faults:` list in the
sandbox config. A spec names an `operation` (or "*" for any) and any of:

    latency: 2.5          seconds to wait AFTER processing, before answering (stays on)
    http_error: 2         the next 2 calls answer HTTP 500 (an IIS error page, no SOAP
                          fault) BEFORE processing; `http_status` picks another status
    drop_after: 1         the next call is processed (and stored), then the connection is
                          closed without an answer: the ambiguous case
    fault: "text"         the next `count` calls (default 1) answer this SOAP fault
                          (`faultcode` default soap:Server) before processing
    respond: {status: 200, body: "..."}   the next `count` calls get this raw answer
    daily_limit: true     every call answers "Daily limit exceeded" (until cleared)

DELETE /_sandbox/faults clears everything. The clock: POST /_sandbox/clock with
{"advance": seconds} or {"set": "2025-01-01T10:00:00+01:00"}.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

_KNOWN = {"operation", "latency", "http_error", "http_status", "drop_after", "fault",
          "faultcode", "count", "respond", "daily_limit"}


@dataclass
class Decision:
    """What the injections say about one incoming call."""

    latency: float = 0.0
    http_error: int | None = None  # an HTTP status to answer before processing
    drop_after: bool = False
    fault: tuple[str, str] | None = None  # (faultstring, faultcode)
    raw: tuple[int, str] | None = None  # (status, body)
    daily_limit: bool = False


class Injections:
    """Pending injected faults, consumed call by call. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._latency: dict[str, float] = {}
            self._http: dict[str, list[int]] = {}
            self._drop: dict[str, int] = {}
            self._faults: dict[str, list[tuple[str, str]]] = {}
            self._raw: dict[str, list[tuple[int, str]]] = {}
            self._daily_limit = False

    def add(self, spec: dict[str, Any]) -> None:
        unknown = set(spec) - _KNOWN
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        op = str(spec.get("operation", "*"))
        count = int(spec.get("count", 1))
        with self._lock:
            if "latency" in spec:
                self._latency[op] = float(spec["latency"])
            if spec.get("http_error"):
                status = int(spec.get("http_status", 500))
                self._http.setdefault(op, []).extend([status] * int(spec["http_error"]))
            if spec.get("drop_after"):
                self._drop[op] = self._drop.get(op, 0) + int(spec["drop_after"])
            if spec.get("fault"):
                fault = (str(spec["fault"]), str(spec.get("faultcode", "soap:Server")))
                self._faults.setdefault(op, []).extend([fault] * count)
            if spec.get("respond"):
                raw = (int(spec["respond"].get("status", 200)), str(spec["respond"]["body"]))
                self._raw.setdefault(op, []).extend([raw] * count)
            if "daily_limit" in spec:
                self._daily_limit = bool(spec["daily_limit"])

    def take(self, operation: str) -> Decision:
        """The decision for one call of `operation`; one-shot injections are used up."""
        with self._lock:
            decision = Decision(daily_limit=self._daily_limit)
            decision.latency = self._latency.get(operation, self._latency.get("*", 0.0))
            decision.raw = _pop(self._raw, operation)
            if decision.raw is None:
                decision.http_error = _pop(self._http, operation)
            if decision.raw is None and decision.http_error is None:
                decision.fault = _pop(self._faults, operation)
            for key in (operation, "*"):
                if self._drop.get(key):
                    self._drop[key] -= 1
                    decision.drop_after = True
                    break
            return decision

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {"latency": dict(self._latency),
                    "http_error": {k: len(v) for k, v in self._http.items() if v},
                    "drop_after": {k: v for k, v in self._drop.items() if v},
                    "fault": {k: len(v) for k, v in self._faults.items() if v},
                    "respond": {k: len(v) for k, v in self._raw.items() if v},
                    "daily_limit": self._daily_limit}


T = TypeVar("T")


def _pop(queues: dict[str, list[T]], operation: str) -> T | None:
    for key in (operation, "*"):
        if queues.get(key):
            return queues[key].pop(0)
    return None


class SandboxClock:
    """Real time plus an offset, so tests can jump a day ahead without sleeping."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0)

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()

    def set(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("give the time with its UTC offset")
        with self._lock:
            self._offset = moment - datetime.now(UTC)
        return self.now()
