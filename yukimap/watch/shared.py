"""What the daemon's parts share: each route's watch state, the counters, the fault hooks."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from yukimap.watch.config import Route
from yukimap.watch.scan import Tracker

# Test-only fault hooks (the fault tests need deterministic points; never set in production):
#   no-events            the native watcher watches nothing: only the rescan finds files
#   observer-crash       the watcher's handler raises on a file named crash-the-watcher*
#                        (watchdog's dispatcher thread then dies, as in watchdog #793)
#   kill-before-archive  SIGKILL itself after a send, before the file is moved
#   kill-before-rename   SIGKILL itself after the move is recorded, before the rename
FAULT = os.environ.get("YUKIMAP_WATCH_FAULT", "")
HEARTBEAT_SECONDS = 2.0


@dataclass
class RouteState:
    route: Route
    mapping: str
    mode: str
    mode_why: str
    tracker: Tracker
    observer: Any = None
    last_full: float = -1e9
    last_list: float = -1e9
    dirty: bool = True
    touched: set[str] = field(default_factory=set)
    restarts: int = 0
    scan_error: str | None = None
    last_scan_wall: float = 0.0
    folders: set[str] = field(default_factory=set)  # dropped-in folders already named
    linger_until: float | None = None  # a run with room waits for settling files until then


@dataclass
class Counters:
    seen: int = 0
    found_by_rescan: int = 0
    claimed: int = 0
    archived: int = 0
    failed: int = 0
    calls: int = 0
    watcher_restarts: int = 0
