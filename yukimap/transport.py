"""Transport-level pieces of the Yuki client: did a request leave, reading answers, retries,
and the typed error for a SOAP fault. No state; client.py holds the state.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests
import urllib3.exceptions as u3

from yukimap.budget import next_reset
from yukimap.errors import (
    AccessDenied,
    DailyLimitExceeded,
    DocumentRejected,
    NoRights,
    SessionExpired,
    TransientError,
    YukiError,
    YukiFault,
)
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
            log.info("transient failure (%s); retry %d of %d in %.1f s",
                     exc.operation or "call", attempt, attempts - 1, delay)
            sleep(delay)
    raise AssertionError("unreachable")


def never_sent(exc: requests.RequestException) -> str | None:
    """Why the request provably never reached the server, or None if it may have."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS handshake failed"
    if isinstance(exc, requests.exceptions.ProxyError):
        return "proxy refused the connection"
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, u3.MaxRetryError):
            reason = reason.reason
        if isinstance(reason, u3.NameResolutionError):
            return "host name not found"
        if isinstance(reason, u3.NewConnectionError):
            return "connection refused"
        if isinstance(reason, u3.ConnectTimeoutError):
            return "connection timed out"
    return None


def read_capped(response: requests.Response) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_XML_BYTES:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


class TooLarge(Exception):
    pass


def fault_error(faultstring: str, text: str, op: Operation) -> YukiError:
    """The typed error for a SOAP fault; `text` is the faultstring with secrets redacted."""
    kind = classify_fault(Fault(code="", string=faultstring), op.name)
    common: dict[str, Any] = {"operation": op.name, "faultstring": text}
    service = op.service or "this"
    if kind is AccessDenied:
        return AccessDenied(f"Yuki refused the access key: {text}", **common,
                            hint="check YUKI_ACCESS_KEY (or yuki_access_key in the config"
                            " file); keys are made in Yuki under Settings > Webservices")
    if kind is NoRights:
        return NoRights(f"the access key has no rights for Yuki's {service} webservice"
                        f" ({op.name}): {text}", **common,
                        hint="in Yuki, give the key this webservice (or 'All webservices')")
    if kind is DailyLimitExceeded:
        resumes = next_reset()
        return DailyLimitExceeded(
            f"Yuki's daily call limit for this domain is used up ({text}); it resets at"
            f" midnight Amsterdam time, {resumes:%Y-%m-%d %H:%M %Z}", resumes_at=resumes,
            hint="wait for the reset, or ask the accountant for the Yuki Webservice add-on"
            " (5000 or 10000 calls a day)", **common)
    if kind is SessionExpired:
        return SessionExpired(f"Yuki no longer accepts the session: {text}", **common)
    if kind is DocumentRejected:
        return DocumentRejected(f"Yuki rejected the document ({op.name}): {text}", **common)
    return YukiFault(f"Yuki answered {op.name} with a fault: {text}", **common)
