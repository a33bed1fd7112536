"""What the daemon's parts share: each route's watch state, the counters, the events, the
holds on sending, and the fault hooks. One `Shared` is made by the daemon and handed to the
intake and the sender; neither knows the daemon."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

from yukimap.settings import Settings
from yukimap.watch.config import Route
from yukimap.watch.log import Log
from yukimap.watch.scan import Tracker
from yukimap.watch.state import WatchState

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


@dataclass
class Shared:
    """The daemon's common ground. `lock` guards what two threads change (the counters, a
    route's touched names); `paused` and `key_hold` are the holds on sending (a domain's day
    of calls used up, the access key refused) that the sender sets and the start restores."""

    settings: Settings
    log: Log
    routes: dict[str, RouteState] = field(default_factory=dict)
    counters: Counters = field(default_factory=Counters)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    wake: threading.Event = field(default_factory=threading.Event)  # the scanner
    work: threading.Event = field(default_factory=threading.Event)  # the sender
    paused: dict[str, tuple[float, str]] = field(default_factory=dict)  # domain -> (until, why)
    key_hold: tuple[float, str] | None = None
    current: str | None = None  # the file being sent
    state: WatchState | None = None  # open while the daemon runs

    def db(self) -> WatchState:
        assert self.state is not None
        return self.state

    def route_settings(self, route: Route) -> Settings:
        return self.settings.with_changes(
            domain=route.domain or self.settings.domain,
            administration=route.administration or self.settings.administration)

    def domain(self, route: Route) -> str:
        from yukimap.budget import counter_name

        settings = self.route_settings(route)
        return counter_name(settings.domain, settings.access_key) or ""
