"""The intake: the scanner thread and the watchers that wake it.

The scanner lists each route's folder at start, on a watcher's event, every poll interval
(polling mode), while a file is settling, and every rescan interval whatever happens; it
claims stable files into processing/ (one rename) and records them in the state. Watchers
(watchdog, native mode) only wake the scanner. Each is supervised: one that died is
restarted and a full scan follows.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from yukimap.i18n import tr
from yukimap.watch import files
from yukimap.watch.config import Route
from yukimap.watch.scan import list_folder
from yukimap.watch.shared import FAULT, HEARTBEAT_SECONDS, RouteState, Shared
from yukimap.watch.state import CLAIMED


class Intake:
    """Finds the files of every route and claims them; `beat` runs once a round."""

    def __init__(self, shared: Shared, beat: Callable[[], None]) -> None:
        self.shared = shared
        self.beat = beat
        self.log = shared.log
        self.routes = shared.routes

    def loop(self) -> None:
        while not self.shared.stop.is_set():
            now = time.monotonic()
            for rs in self.routes.values():
                self._supervise(rs)
                if self._scan_due(rs, now):
                    self._scan(rs, now)
            self.beat()
            self.shared.wake.wait(self._scan_timeout(time.monotonic()))
            self.shared.wake.clear()

    def _scan_due(self, rs: RouteState, now: float) -> bool:
        route = rs.route
        if rs.dirty or now - rs.last_full >= route.rescan_seconds:
            return True
        if rs.mode == "polling" and now - rs.last_list >= route.poll_seconds:
            return True
        return bool(rs.tracker.pending) and now - rs.last_list >= _settle_step(route)

    def _scan_timeout(self, now: float) -> float:
        due = [HEARTBEAT_SECONDS]
        for rs in self.routes.values():
            route = rs.route
            due.append(rs.last_full + route.rescan_seconds - now)
            if rs.mode == "polling":
                due.append(rs.last_list + route.poll_seconds - now)
            if rs.tracker.pending:
                due.append(rs.last_list + _settle_step(route) - now)
        return min(max(min(due), 0.01), HEARTBEAT_SECONDS)

    def _scan(self, rs: RouteState, now: float) -> None:
        route = rs.route
        full = now - rs.last_full >= route.rescan_seconds
        by_event = rs.dirty
        rs.dirty = False
        with self.shared.lock:
            touched, rs.touched = rs.touched, set()
        folders: set[str] = set()
        try:
            listing = list_folder(route, folders)
        except OSError as exc:
            if rs.scan_error is None:
                self.log("scan-error", route=route.name, error=str(exc))
            rs.scan_error = str(exc)
            return
        if rs.scan_error is not None:
            self.log("scan-recovered", route=route.name)
            rs.scan_error = None
        for name in sorted(folders - rs.folders):
            self.log("folder-ignored", route=route.name, folder=name,
                     why=tr("folders are not taken: move the files themselves into the"
                            " folder"))
        rs.folders = folders
        for name in touched:
            rs.tracker.touched(name, now)
        new = [n for n in listing if not rs.tracker.known(n)]
        if new:
            with self.shared.lock:
                self.shared.counters.seen += len(new)
                if full and not by_event and rs.mode == "native":
                    self.shared.counters.found_by_rescan += len(new)
        for entry in rs.tracker.update(listing, now):
            self._claim(rs, entry.name)
        rs.last_list = now
        rs.last_scan_wall = time.time()
        if full:
            rs.last_full = now

    def _claim(self, rs: RouteState, name: str) -> None:
        route = rs.route
        try:
            path = files.claim(route.folder, name)
        except OSError as exc:  # gone, or still locked by its writer: try again later
            self.log("claim-later", route=route.name, file=name, error=str(exc))
            return
        rs.tracker.forget([name])
        if route.done_file:
            (route.folder / (name + ".done")).unlink(missing_ok=True)
        self.record_claim(rs, path, name)

    def record_claim(self, rs: RouteState, path: Path, name: str, note: str | None = None
                      ) -> None:
        try:
            digest, size = files.sha256(path)
        except OSError:
            digest, size = None, None
        row = self.shared.db().add(rs.route.name, name, path, digest, size, note)
        with self.shared.lock:
            self.shared.counters.claimed += 1
        self.log("file", route=rs.route.name, file=name, state=CLAIMED, id=row.id, path=path,
                 sha256=digest, size=size, note=note)
        self.shared.work.set()

    # --- watchers -------------------------------------------------------------------------

    def start_observer(self, rs: RouteState) -> None:
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        shared = self.shared
        folder = str(rs.route.folder)

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                names = [_name(p) for p in (event.src_path, getattr(event, "dest_path", ""))
                         if p]
                if FAULT == "observer-crash" and any(n.startswith("crash-the-watcher")
                                                     for n in names):
                    # i18n: a fault injected by the robustness tests
                    raise RuntimeError("injected fault: the watcher's handler fails")
                try:
                    with shared.lock:
                        rs.touched.update(n for n in names if n)
                    rs.dirty = True
                    shared.wake.set()
                except Exception as exc:  # noqa: BLE001 (a handler must never raise)
                    shared.log("watcher-error", route=rs.route.name, error=str(exc))

        observer = Observer()
        if FAULT != "no-events":
            observer.schedule(Handler(), folder, recursive=False)
        observer.daemon = True
        observer.start()
        rs.observer = observer

    def stop_watchers(self) -> None:
        for rs in self.routes.values():
            if rs.observer is not None:
                rs.observer.stop()

    def _supervise(self, rs: RouteState) -> None:
        if rs.mode != "native" or self.shared.stop.is_set():
            return
        if rs.observer is None or not rs.observer.is_alive():
            rs.restarts += 1
            with self.shared.lock:
                self.shared.counters.watcher_restarts += 1
            self.log("watcher-restarted", route=rs.route.name, restarts=rs.restarts)
            try:
                self.start_observer(rs)
            except OSError as exc:  # e.g. the folder is gone for a while
                self.log("watcher-error", route=rs.route.name, error=str(exc))
                rs.observer = None
            rs.dirty = True


def _settle_step(route: Route) -> float:
    """How often a settling file is looked at: well inside its stability window."""
    return min(0.25, route.stable_seconds / 3)


def _name(path: str | bytes) -> str:
    text = path.decode(errors="replace") if isinstance(path, bytes) else path
    return os.path.basename(text.rstrip("/\\"))
