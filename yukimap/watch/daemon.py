"""The daemon: it wires the intake (the scanner and its supervised watchers, intake.py) to
the sender (one worker, sender.py), and owns the start, the stop, signals and health.

- SIGTERM/SIGINT stop the intake; the file being sent is finished within the deadline.
  SIGKILL at any moment is safe: at start, the state and the folders are reconciled and
  whatever was claimed is finished (the journal sends only what is not in Yuki;
  reconcile.py).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from yukimap.i18n import tr
from yukimap.settings import Settings
from yukimap.watch.config import WatchConfig, resolve_mapping
from yukimap.watch.intake import Intake
from yukimap.watch.landing import Landing
from yukimap.watch.log import Log
from yukimap.watch.reconcile import reconcile
from yukimap.watch.scan import Tracker, choose_mode
from yukimap.watch.sender import Sender
from yukimap.watch.shared import HEARTBEAT_SECONDS, RouteState, Shared
from yukimap.watch.state import WatchState, now_text, when


class Daemon:
    """One daemon serves every route of a config: `run` until SIGTERM or SIGINT."""

    def __init__(self, config: WatchConfig, settings: Settings, log: Log, *,
                 stop_timeout: float = 30.0) -> None:
        self.config = config
        self.settings = settings
        self.log = log
        self.stop_timeout = stop_timeout
        self.shared = Shared(settings, log)
        self.routes = self.shared.routes
        self.intake = Intake(self.shared, beat=self._beat)
        self.landing = Landing(self.shared)
        self.sender = Sender(self.shared, self.landing)
        self.started = now_text()
        self.health_url: str | None = None
        self._last_beat = -1e9

    @property
    def state(self) -> WatchState | None:
        """The state database, open while the daemon runs (health reads it)."""
        return self.shared.state

    # --- start and stop ---------------------------------------------------------------

    def run(self) -> int:
        from yukimap.watch.locks import hold

        folders = sorted({r.folder for r in self.config.routes})
        with hold(self.settings.state_dir, folders):
            state = self.shared.state = WatchState(self.settings.state_dir)
            try:
                _open_journal(self.settings.state_dir)
                return self._run()
            finally:
                state.close()

    def _run(self) -> int:
        logging.getLogger("watchdog").setLevel(logging.ERROR)  # its chatter is not ours
        for route in self.config.routes:
            mode, why = choose_mode(route)
            self.routes[route.name] = RouteState(route, resolve_mapping(route, self.config.path),
                                                 mode, why, Tracker(route.stable_seconds))
            self.log("route", route=route.name, folder=route.folder, mode=mode, why=why,
                     patterns=",".join(route.patterns))
        reconcile(self.shared, self.intake, self.landing)
        self._install_signals()
        threading.excepthook = self._thread_died
        for rs in self.routes.values():
            if rs.mode == "native":
                self.intake.start_observer(rs)
        server = self._start_health()
        threads = [threading.Thread(target=self._guard(self.intake.loop), name="scanner",
                                    daemon=True),
                   threading.Thread(target=self._guard(self.sender.loop), name="sender",
                                    daemon=True)]
        for thread in threads:
            thread.start()
        self.log("started", pid=os.getpid(), routes=len(self.routes), health=self.health_url)
        while not self.shared.stop.wait(0.5):
            pass
        return self._shutdown(threads, server)

    def _shutdown(self, threads: list[threading.Thread], server: Any) -> int:
        self.log("stopping", current=self.shared.current)
        self.shared.wake.set()
        self.shared.work.set()
        self.intake.stop_watchers()
        deadline = time.monotonic() + self.stop_timeout
        for thread in threads:
            thread.join(max(deadline - time.monotonic(), 0.0))
        if server is not None:
            server.shutdown()
        busy = [t.name for t in threads if t.is_alive()]
        if busy:
            # The call in flight stays SENDING in the journal; the next start reconciles it.
            self.log("stopped", note=tr("the deadline passed during a send; the next start"
                                        " reconciles its documents"), file=self.shared.current)
            self._beat(force=True)
            os._exit(0)
        self._beat(force=True, stopped=True)
        self.log("stopped")
        return 0

    def _install_signals(self) -> None:
        def stop(signum: int, frame: FrameType | None) -> None:
            self.shared.stop.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, stop)

    def _thread_died(self, args: threading.ExceptHookArgs) -> None:
        """A thread that dies (a watcher, say) is logged as one line; supervision restarts
        watchers, and a dead scanner or sender stops the daemon (see _guard)."""
        name = args.thread.name if args.thread is not None else "?"
        self.log("thread-died", thread=name, error=f"{args.exc_type.__name__}: {args.exc_value}")

    def _guard(self, loop: Callable[[], None]) -> Callable[[], None]:
        """A loop that dies of a bug stops the daemon loudly instead of going quiet."""

        def run() -> None:
            try:
                loop()
            except BaseException as exc:  # noqa: BLE001 (the daemon must say so and stop)
                self.log("internal-error", thread=threading.current_thread().name,
                         error=f"{type(exc).__name__}: {exc}")
                self.shared.stop.set()

        return run

    # --- health -----------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        now_wall, now = time.time(), time.monotonic()
        routes = {}
        problems = []
        for name, rs in self.routes.items():
            alive = rs.mode == "polling" or (rs.observer is not None and rs.observer.is_alive())
            age = now - rs.last_full if rs.last_full > 0 else None
            routes[name] = {"folder": str(rs.route.folder), "mapping": rs.mapping,
                            "administration": rs.route.administration
                            or self.settings.administration,
                            "domain": self.shared.domain(rs.route), "mode": rs.mode,
                            "mode_why": rs.mode_why, "watcher_alive": alive,
                            "watcher_restarts": rs.restarts, "last_scan_age": age,
                            "scan_error": rs.scan_error, "settling": rs.tracker.pending}
            if not alive:
                problems.append(tr("route {name}: the watcher is not running", name=name))
            factor = self.config.health.scan_age_factor if self.config.health else 3.0
            if age is None or age > factor * rs.route.rescan_seconds + HEARTBEAT_SECONDS:
                problems.append(tr("route {name}: no full scan for too long", name=name))
            if rs.scan_error:
                problems.append(tr("route {name}: the folder cannot be read: {reason}",
                                   name=name, reason=rs.scan_error))
        key = None
        key_hold = self.shared.key_hold
        if key_hold is not None and key_hold[0] > now_wall:
            key = {"until": when(key_hold[0]), "reason": key_hold[1]}
            problems.append(tr("Yuki refused the access key: {fault}", fault=key_hold[1]))
        paused = {d: {"until": when(u), "reason": why}
                  for d, (u, why) in self.shared.paused.items() if u > now_wall}
        with self.shared.lock:
            counters = dict(self.shared.counters.__dict__)
        return {"pid": os.getpid(), "started": self.started, "routes": routes,
                "key_refused": key, "paused": paused, "counters": counters,
                "current": self.shared.current, "problems": problems, "health": self.health_url}

    def _beat(self, force: bool = False, stopped: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_beat < HEARTBEAT_SECONDS:
            return
        self._last_beat = now
        snap = self.snapshot()
        snap["stopped"] = stopped
        try:
            self.shared.db().beat(os.getpid(), self.started, snap)
        except Exception as exc:  # noqa: BLE001 (health reports it; the daemon goes on)
            self.log("state-error", error=str(exc))

    def _start_health(self) -> Any:
        if self.config.health is None:
            return None
        from yukimap.watch.health import serve

        server, url = serve(self.config.health.port, self)
        self.health_url = url
        return server


def _open_journal(state_dir: Path) -> None:
    """A send journal that cannot be read stops the start (never a new empty one later)."""
    from yukimap.sendlog import SendLog, state_errors

    with state_errors(state_dir, lambda: tr("no file was touched")):
        SendLog(state_dir).close()
