"""One process at a time changes a state folder's send journal."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from yukimap.errors import Busy
from yukimap.i18n import tr
from yukimap.send.receipt import now


@contextmanager
def exclusive(log_path: Path) -> Iterator[None]:
    """One process at a time changes a state folder's send journal (a daemon and a manual
    send, say): the SENDING documents of a run must not look abandoned to another. The lock
    is filelock's (fcntl or msvcrt); who holds it is written next to it, for the message."""
    from filelock import FileLock, Timeout

    owner = log_path.with_suffix(".lock.owner")
    lock = FileLock(log_path.with_suffix(".lock"), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise Busy(tr("another yukimap is working on the send journal in {folder}:"
                      " {holder}", folder=log_path.parent, holder=_holder(owner)),
                   hint=tr("wait until it has finished, then run this again")) from None
    try:
        owner.write_text(json.dumps({"pid": os.getpid(), "command": _command(),
                                     "since": now()}), encoding="utf-8")
        yield
    finally:
        owner.unlink(missing_ok=True)
        lock.release()


def _command() -> str:
    words = ["yukimap", *sys.argv[1:]]
    text = " ".join(words)
    return text if len(text) <= 200 else text[:199] + "…"


def _holder(owner: Path) -> str:
    """Who holds the lock, from its sidecar; the sidecar is written just after the lock is
    taken, so it may be missing for a moment."""
    try:
        known = json.loads(owner.read_text(encoding="utf-8"))
        since = datetime.fromisoformat(str(known["since"])).strftime("%Y-%m-%d %H:%M:%S UTC")
        return tr("process {pid} ({command}), since {since}", pid=int(known["pid"]),
                  command=known["command"], since=since)
    except (OSError, ValueError, KeyError, TypeError):
        return tr("a process that did not say which")
