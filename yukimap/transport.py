"""Transport-level pieces of the Yuki client: did a request leave, reading answers, retries,
each call's time limit, and the typed errors for a SOAP fault, a slow answer and a strange
one. No state; the client holds the state.
"""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
import urllib3.exceptions as u3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from yukimap.budget import next_reset
from yukimap.errors import (
    AccessDenied,
    AmbiguousOutcome,
    DailyLimitExceeded,
    DocumentRejected,
    NoRights,
    SessionExpired,
    TransientError,
    YukiError,
    YukiFault,
)
from yukimap.i18n import N_, tr
from yukimap.soap import MAX_XML_BYTES, Fault, Operation, classify_fault

log = logging.getLogger("yukimap.client")
T = TypeVar("T")


def with_retries(fn: Callable[[], T], attempts: int = 3, base_delay: float = 1.0, *,
                 max_delay: float = 60.0, sleep: Callable[[float], None] = time.sleep,
                 jitter: Callable[[], float] = random.random) -> T:
    """Call `fn`, retrying TransientError with exponential backoff and jitter.

    Only TransientError is retried: an AmbiguousOutcome (the request may have been
    processed) or any fault propagates at once.
    """
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except TransientError as exc:
            if attempt >= attempts:
                raise
            delay = min(max_delay, base_delay * 2 ** (attempt - 1)) * (0.5 + jitter())
            log.info(tr("transient failure ({operation}); retry {attempt} of {attempts} in"
                        " {seconds} s", operation=exc.operation or tr("call"),
                        attempt=attempt, attempts=attempts - 1, seconds=f"{delay:.1f}"))
            sleep(delay)
    raise AssertionError("unreachable")


def never_sent(exc: requests.RequestException) -> str | None:
    """Why the request provably never reached the server, or None if it may have."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return tr("connection timed out")
    if isinstance(exc, requests.exceptions.SSLError):
        return tr("TLS handshake failed")
    if isinstance(exc, requests.exceptions.ProxyError):
        return tr("proxy refused the connection")
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, u3.MaxRetryError):
            reason = reason.reason
        if isinstance(reason, u3.NameResolutionError):
            return tr("host name not found")
        if isinstance(reason, u3.NewConnectionError):
            return tr("connection refused")
        if isinstance(reason, u3.ConnectTimeoutError):
            return tr("connection timed out")
    return None


def read_capped(response: requests.Response, deadline: Deadline) -> bytes:
    """The whole body, at most MAX_XML_BYTES, read in chunks while the call has time left."""
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_XML_BYTES:
            raise TooLarge
        if deadline.expired:  # a connection the timer could not cut (a SOCKS proxy, say)
            # i18n: caught by the wire and told as "no complete answer within ..."
            raise requests.exceptions.ReadTimeout("the call's time limit passed")
        chunks.append(chunk)
    return b"".join(chunks)


class TooLarge(Exception):
    pass


# --- time limits -----------------------------------------------------------------------
# How long one call may take in all, from connecting to the last byte of the answer, sized
# to what the operation asks of Yuki. Yuki publishes no figures: a lookup answers in well
# under a second, a journal or a batch of invoices is booked while the call waits. Every
# limit is multiplied by the deadline_scale setting (YUKIMAP_DEADLINE_SCALE, default 1).


@dataclass(frozen=True)
class TimeLimit:
    """The time limit of one kind of call; sales invoices get more time per invoice."""

    what: str  # what the call does, for messages (an N_ template): "a lookup", "a journal"
    base: float  # seconds
    per_invoice: float = 0.0
    at_most: float | None = None
    many: str = ""  # with per_invoice: the N_ template for more than one invoice

    def seconds(self, invoices: int, scale: float) -> float:
        total = self.base + self.per_invoice * invoices
        return (total if self.at_most is None else min(total, self.at_most)) * scale

    def describe(self, invoices: int) -> str:
        if not self.per_invoice:
            return tr(self.what)
        return tr(self.what if invoices == 1 else self.many, count=invoices)


LOOKUP = TimeLimit(N_("a lookup"), 30.0)
TIME_LIMITS: dict[str, TimeLimit] = {
    "Authenticate": TimeLimit(N_("opening a session"), 30.0),
    "SetCurrentDomain": TimeLimit(N_("opening a session"), 30.0),
    "ProcessJournal": TimeLimit(N_("a journal"), 120.0),
    "ImportStatement": TimeLimit(N_("a cash statement"), 120.0),
    "ImportSingleStatementLine": TimeLimit(N_("a cash statement line"), 30.0),
    "ProcessSalesInvoices": TimeLimit(N_("{count} sales invoice"), 60.0, per_invoice=1.5,
                                      at_most=900.0, many=N_("{count} sales invoices")),
}


def time_limit(operation: str) -> TimeLimit:
    return TIME_LIMITS.get(operation, LOOKUP)


_ACTIVE: ContextVar[Deadline | None] = ContextVar("yukimap_deadline", default=None)


class Deadline:
    """The end of one call's time, enforced on its socket.

    requests has only a connect timeout and a read timeout, and the read timeout bounds the
    gap between two bytes: an answer that trickles in a byte a second never trips it. So a
    timer cuts the call's connection (shutdown) when its time is up, which ends whatever
    read or write is waiting on it; the call then fails as a dropped connection would.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._cut = False
        self._timer = threading.Timer(seconds, self._time_is_up)
        self._timer.daemon = True
        self._token: Token[Deadline | None] | None = None

    @property
    def expired(self) -> bool:
        return self._cut or time.monotonic() >= self._ends

    def left(self) -> float:
        return max(self._ends - time.monotonic(), 0.001)

    def watch(self, sock: socket.socket) -> None:
        """Cut this socket when the time is up (at once if it already is)."""
        with self._lock:
            self._sockets.append(sock)
            if self._cut:
                _shutdown(sock)

    def _time_is_up(self) -> None:
        with self._lock:
            self._cut = True
            for sock in self._sockets:
                _shutdown(sock)

    def __enter__(self) -> Deadline:
        self._token = _ACTIVE.set(self)
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        if self._token is not None:
            _ACTIVE.reset(self._token)


def _shutdown(sock: socket.socket) -> None:
    # socket.socket's own shutdown, also for a TLS socket: SSLSocket.shutdown would drop
    # its TLS state under the feet of the thread that is reading.
    with suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _watch(sock: socket.socket | None) -> None:
    deadline = _ACTIVE.get()
    if deadline is not None and sock is not None:
        deadline.watch(sock)


class _Watched:
    """A connection that hands its socket to the running call's Deadline: a new socket
    when it connects, a kept-alive one when a request goes out on it."""

    sock: socket.socket | None

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        _watch(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch(self.sock)
        super().request(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class _DeadlineAdapter(HTTPAdapter):
    """requests' adapter, with connections that a Deadline can cut."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS has connection classes of its own
            manager.pool_classes_by_scheme = _POOLS
        return manager


def http_session() -> requests.Session:
    """A requests session whose calls a Deadline can end."""
    session = requests.Session()
    for prefix in ("https://", "http://"):
        session.mount(prefix, _DeadlineAdapter())
    return session


def too_slow(op: Operation, host: str, seconds: float, what: str) -> YukiError:
    """The error for a call whose time limit passed once it may have reached Yuki."""
    scale = tr("if Yuki is often this slow, set YUKIMAP_DEADLINE_SCALE=2 to give every call"
               " twice its time limit")
    if op.sends_document:
        return AmbiguousOutcome(
            tr("{operation} went out to Yuki at {host} but no complete answer came within"
               " {seconds} s, the time limit for {what}: Yuki may or may not have processed it",
               operation=op.name, host=host, seconds=f"{seconds:g}", what=what),
            operation=op.name,
            hint=tr("do not simply send it again; check in Yuki first; {scale}", scale=scale))
    return TransientError(
        tr("Yuki at {host} gave no complete answer to {operation} within {seconds} s, the time"
           " limit for {what}; {operation} changes nothing in Yuki, so trying again is safe",
           host=host, operation=op.name, seconds=f"{seconds:g}", what=what),
        operation=op.name, hint=tr("try again later; {scale}", scale=scale))


class Dropped(TransientError):
    """A call that changes nothing in Yuki (a lookup) went out, and its connection closed
    before a complete answer: safe to retry, like a lookup that ran out of time."""


def dropped(op: Operation, host: str) -> YukiError:
    """The error for a call whose connection closed, once it may have reached Yuki, before a
    complete answer came: a document may or may not have been booked; a lookup changes
    nothing, so asking again is safe."""
    if op.sends_document:
        return AmbiguousOutcome(
            tr("{operation} went out to Yuki at {host} but the connection closed without a"
               " complete answer: Yuki may or may not have processed it",
               operation=op.name, host=host), operation=op.name,
            hint=tr("do not simply send it again; check in Yuki first"))
    return Dropped(
        tr("{operation} went out to Yuki at {host} but the connection closed without a"
           " complete answer; {operation} changes nothing in Yuki, so trying again is safe",
           operation=op.name, host=host),
        operation=op.name, hint=tr("try again later"))


# --- what came back ----------------------------------------------------------------------

SHOWN_CHARS = 200  # of an answer that cannot be used
SHOWN_TYPE_CHARS = 100  # of its content type
_WINDOW = 16 * 1024  # bytes decoded to find those characters
_SECRET_MARGIN = 256  # longer than any key or session ID


def came_back(content_type: str, content: bytes, redact: Callable[[str], str]) -> str:
    """An answer that cannot be used, for a message: its content type, size and the start of
    its text on one line, with secrets redacted and control characters shown as '?'. Both
    come from whoever answered, so both may echo a secret or try to steer the terminal."""
    kind = _one_line(redact(content_type), SHOWN_TYPE_CHARS) or tr("no content type")
    if not content:
        return tr("{kind}, an empty body", kind=kind)
    text = redact(content[:_WINDOW].decode("utf-8", errors="replace"))
    if len(content) > _WINDOW:  # a secret cut in half at the window's end escapes redaction
        text = text[:-_SECRET_MARGIN] + "…"
    return tr('{kind}, {size} bytes: "{text}"', kind=kind, size=f"{len(content):,}",
              text=_one_line(text, SHOWN_CHARS))


def _one_line(text: str, at_most: int) -> str:
    """`text` on one line, at most `at_most` characters (then '…'), control characters '?'."""
    text = " ".join(text.split())
    shown = "".join(c if c.isprintable() else "?" for c in text[:at_most])
    return shown + "…" if len(text) > at_most and not shown.endswith("…") else shown


def fault_error(faultstring: str, text: str, op: Operation) -> YukiError:
    """The typed error for a SOAP fault; `text` is the faultstring with secrets redacted."""
    kind = classify_fault(Fault(code="", string=faultstring), op.name)
    common: dict[str, Any] = {"operation": op.name, "faultstring": text}
    if kind is AccessDenied:
        return AccessDenied(tr("Yuki refused the access key: {fault}", fault=text), **common,
                            hint=tr("check YUKI_ACCESS_KEY (or yuki_access_key in the config"
                                    " file); keys are made in Yuki under Settings >"
                                    " Webservices"))
    if kind is NoRights:
        message = (tr("the access key has no rights for Yuki's {service} webservice"
                      " ({operation}): {fault}", service=op.service, operation=op.name,
                      fault=text) if op.service else
                   tr("the access key has no rights for Yuki's this webservice"
                      " ({operation}): {fault}", operation=op.name, fault=text))
        return NoRights(message, **common,
                        hint=tr("in Yuki, give the key this webservice (or 'All webservices')"))
    if kind is DailyLimitExceeded:
        resumes = next_reset()
        return DailyLimitExceeded(
            tr("Yuki's daily call limit for this domain is used up ({fault}); it resets at"
               " midnight Amsterdam time, {resumes}", fault=text,
               resumes=f"{resumes:%Y-%m-%d %H:%M %Z}"), resumes_at=resumes,
            hint=tr("wait for the reset, or ask the accountant for the Yuki Webservice add-on"
                    " (5000 or 10000 calls a day)"), **common)
    if kind is SessionExpired:
        return SessionExpired(tr("Yuki no longer accepts the session: {fault}", fault=text),
                              **common)
    if kind is DocumentRejected:
        return DocumentRejected(tr("Yuki rejected the document ({operation}): {fault}",
                                   operation=op.name, fault=text), **common)
    return YukiFault(tr("Yuki answered {operation} with a fault: {fault}", operation=op.name,
                        fault=text), **common)
