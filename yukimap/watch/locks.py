"""One daemon per state folder and per watched folder: a second one refuses to start and
says which one runs (its PID, command and start time are kept beside the lock)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from yukimap.errors import Busy
from yukimap.i18n import tr
from yukimap.settings import ensure_state_dir
from yukimap.watch.state import now_text

FOLDER_LOCK = ".yukimap-watch.lock"  # hidden: never taken as input


@contextmanager
def hold(state_dir: Path, folders: Sequence[Path]) -> Iterator[None]:
    """Hold the daemon's lock in the state folder and in each watched folder."""
    places = [ensure_state_dir(state_dir) / "watch.lock", *(f / FOLDER_LOCK for f in folders)]
    info = {"pid": os.getpid(), "started": now_text(), "command": " ".join(sys.argv)}
    with ExitStack() as stack:
        for place in places:
            lock = FileLock(str(place), timeout=0)
            try:
                stack.enter_context(lock)
            except Timeout:
                raise _busy(place) from None
            sidecar = _sidecar(place)
            sidecar.write_text(json.dumps(info) + "\n", encoding="utf-8")
            stack.callback(sidecar.unlink, missing_ok=True)
        yield


def _sidecar(lock: Path) -> Path:
    return lock.with_name(lock.name + ".json")


def _busy(place: Path) -> Busy:
    try:
        info: dict[str, Any] = json.loads(_sidecar(place).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        info = {}
    who = tr("pid {pid}, started {started}: {command}", pid=info.get("pid", "?"),
             started=info.get("started", "?"), command=info.get("command", "?"))
    return Busy(tr("another yukimap watch is running on {folder} ({who})", folder=place.parent,
                   who=who),
                hint=tr("stop that one first: one daemon serves every route"))
