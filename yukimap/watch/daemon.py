"""The daemon: a scanner thread, supervised watchers, one sender worker, signals.

- The scanner lists each route's folder at start, on a watcher's event, every poll interval
  (polling mode), while a file is settling, and every rescan interval whatever happens; it
  claims stable files into processing/ (one rename) and records them in the state.
- Watchers (watchdog, native mode) only wake the scanner. Each is supervised: one that
  died is restarted and a full scan follows.
- One worker sends: files of a route one at a time in claim order, routes in turn; a route
  whose domain is paused (daily limit) is skipped, the others go on. Sending goes through
  `send.send_file`, so the send journal's promises hold here: nothing is booked twice.
- SIGTERM/SIGINT stop the intake; the file being sent is finished within the deadline.
  SIGKILL at any moment is safe: at start, the state and the folders are reconciled and
  whatever was claimed is finished (the journal sends only what is not in Yuki).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

from yukimap.send import AWAITING
from yukimap.settings import Settings
from yukimap.watch import fate as fates
from yukimap.watch import files
from yukimap.watch.config import Route, WatchConfig, resolve_mapping
from yukimap.watch.log import Log
from yukimap.watch.scan import Tracker, choose_mode, list_folder
from yukimap.watch.shared import FAULT, HEARTBEAT_SECONDS, Counters, RouteState
from yukimap.watch.state import (
    ARCHIVED,
    CLAIMED,
    FAILED,
    GONE,
    MOVING,
    WAITING,
    FileRow,
    WatchState,
    now_text,
)


class Daemon:
    def __init__(self, config: WatchConfig, settings: Settings, log: Log, *,
                 stop_timeout: float = 30.0) -> None:
        self.config = config
        self.settings = settings
        self.log = log
        self.stop_timeout = stop_timeout
        self.stop = threading.Event()
        self.wake = threading.Event()
        self.work = threading.Event()
        self.lock = threading.Lock()
        self.counters = Counters()
        self.routes: dict[str, RouteState] = {}
        self.paused: dict[str, tuple[float, str]] = {}  # domain -> (until, why)
        self.key_hold: tuple[float, str] | None = None
        self.current: str | None = None
        self.started = now_text()
        self.state: WatchState | None = None
        self.health_url: str | None = None

    # --- start and stop ---------------------------------------------------------------

    def run(self) -> int:
        from yukimap.watch.locks import hold

        folders = sorted({r.folder for r in self.config.routes})
        with hold(self.settings.state_dir, folders):
            self.state = WatchState(self.settings.state_dir)
            try:
                _open_journal(self.settings.state_dir)
                return self._run()
            finally:
                self.state.close()

    def _run(self) -> int:
        logging.getLogger("watchdog").setLevel(logging.ERROR)  # its chatter is not ours
        for route in self.config.routes:
            mode, why = choose_mode(route)
            self.routes[route.name] = RouteState(route, resolve_mapping(route, self.config.path),
                                                 mode, why, Tracker(route.stable_seconds))
            self.log("route", route=route.name, folder=route.folder, mode=mode, why=why,
                     patterns=",".join(route.patterns))
        self._reconcile()
        self._install_signals()
        threading.excepthook = self._thread_died
        for rs in self.routes.values():
            if rs.mode == "native":
                self._start_observer(rs)
        server = self._start_health()
        threads = [threading.Thread(target=self._guard(self._scan_loop), name="scanner",
                                    daemon=True),
                   threading.Thread(target=self._guard(self._work_loop), name="sender",
                                    daemon=True)]
        for thread in threads:
            thread.start()
        self.log("started", pid=os.getpid(), routes=len(self.routes), health=self.health_url)
        while not self.stop.wait(0.5):
            pass
        return self._shutdown(threads, server)

    def _shutdown(self, threads: list[threading.Thread], server: Any) -> int:
        self.log("stopping", current=self.current)
        self.wake.set()
        self.work.set()
        for rs in self.routes.values():
            if rs.observer is not None:
                rs.observer.stop()
        deadline = time.monotonic() + self.stop_timeout
        for thread in threads:
            thread.join(max(deadline - time.monotonic(), 0.0))
        if server is not None:
            server.shutdown()
        busy = [t.name for t in threads if t.is_alive()]
        if busy:
            # The call in flight stays SENDING in the journal; the next start reconciles it.
            self.log("stopped", note="the deadline passed during a send; the next start"
                     " reconciles its documents", file=self.current)
            self._beat(force=True)
            os._exit(0)
        self._beat(force=True, stopped=True)
        self.log("stopped")
        return 0

    def _install_signals(self) -> None:
        def stop(signum: int, frame: FrameType | None) -> None:
            self.stop.set()

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
                self.stop.set()

        return run

    # --- at start: the state and the folders agree ------------------------------------

    def _reconcile(self) -> None:
        state = self._state()
        known: set[str] = set()
        for row in state.open_files():
            rs = self.routes.get(row.route)
            path = Path(row.path)
            known.add(str(path))
            if row.state == MOVING:
                self._resume_move(row)
            elif rs is None:
                self.log("file", route=row.route, file=row.name, state=row.state,
                         note="its route is no longer in the config; it stays in processing/")
            elif not path.exists():
                state.update(row.id, state=GONE, reason="taken out of processing/ by a person")
                self.log("file", route=row.route, file=row.name, state=GONE)
            elif row.wait == fates.LIMIT and row.until:
                self._pause(rs.route, row.until, row.reason or "daily limit")
            elif row.wait == fates.KEY and row.until:
                self.key_hold = (row.until, row.reason or "the access key was refused")
        for rs in self.routes.values():
            for path in files.data_files(rs.route.folder / files.PROCESSING):
                if str(path) not in known and rs.route.matches(path.name):
                    # Claimed by a run that was killed before it recorded the claim.
                    self._record_claim(rs, path, path.name, note="found in processing/ at"
                                       " start")
                    known.add(str(path))

    def _resume_move(self, row: FileRow) -> None:
        detail = json.loads(row.detail or "{}")
        source, target = Path(row.path), Path(detail["dest"])
        if source.exists():
            self._finish(row, fates.Fate.from_dict(detail["fate"]), target)
        elif target.exists():
            done = self._state().update(row.id, state=row.target, path=str(target))
            self._count_final(done)
            self.log("file", route=row.route, file=row.name, state=row.target, path=target)
        else:
            self._state().update(row.id, state=GONE, reason="not found at start")

    # --- the scanner --------------------------------------------------------------------

    def _scan_loop(self) -> None:
        while not self.stop.is_set():
            now = time.monotonic()
            for rs in self.routes.values():
                self._supervise(rs)
                if self._scan_due(rs, now):
                    self._scan(rs, now)
            self._beat()
            self.wake.wait(self._scan_timeout(time.monotonic()))
            self.wake.clear()

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
        with self.lock:
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
                     why="folders are not taken: move the files themselves into the folder")
        rs.folders = folders
        for name in touched:
            rs.tracker.touched(name, now)
        new = [n for n in listing if not rs.tracker.known(n)]
        if new:
            with self.lock:
                self.counters.seen += len(new)
                if full and not by_event and rs.mode == "native":
                    self.counters.found_by_rescan += len(new)
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
        self._record_claim(rs, path, name)

    def _record_claim(self, rs: RouteState, path: Path, name: str, note: str | None = None
                      ) -> None:
        try:
            digest, size = files.sha256(path)
        except OSError:
            digest, size = None, None
        row = self._state().add(rs.route.name, name, path, digest, size, note)
        with self.lock:
            self.counters.claimed += 1
        self.log("file", route=rs.route.name, file=name, state=CLAIMED, id=row.id, path=path,
                 sha256=digest, size=size, note=note)
        self.work.set()

    # --- watchers -------------------------------------------------------------------------

    def _start_observer(self, rs: RouteState) -> None:
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        daemon = self
        folder = str(rs.route.folder)

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                names = [_name(p) for p in (event.src_path, getattr(event, "dest_path", ""))
                         if p]
                if FAULT == "observer-crash" and any(n.startswith("crash-the-watcher")
                                                     for n in names):
                    raise RuntimeError("injected fault: the watcher's handler fails")
                try:
                    with daemon.lock:
                        rs.touched.update(n for n in names if n)
                    rs.dirty = True
                    daemon.wake.set()
                except Exception as exc:  # noqa: BLE001 (a handler must never raise)
                    daemon.log("watcher-error", route=rs.route.name, error=str(exc))

        observer = Observer()
        if FAULT != "no-events":
            observer.schedule(Handler(), folder, recursive=False)
        observer.daemon = True
        observer.start()
        rs.observer = observer

    def _supervise(self, rs: RouteState) -> None:
        if rs.mode != "native" or self.stop.is_set():
            return
        if rs.observer is None or not rs.observer.is_alive():
            rs.restarts += 1
            with self.lock:
                self.counters.watcher_restarts += 1
            self.log("watcher-restarted", route=rs.route.name, restarts=rs.restarts)
            try:
                self._start_observer(rs)
            except OSError as exc:  # e.g. the folder is gone for a while
                self.log("watcher-error", route=rs.route.name, error=str(exc))
                rs.observer = None
            rs.dirty = True

    # --- the sender -----------------------------------------------------------------------

    def _work_loop(self) -> None:
        turn = 0
        while not self.stop.is_set():
            rows, turn = self._next_files(turn)
            if not rows:
                self.work.wait(self._work_timeout())
                self.work.clear()
                continue
            self.current = rows[0].name
            try:
                if len(rows) == 1:
                    self._process(rows[0])
                else:
                    self._process_together(rows)
            finally:
                self.current = None

    def _work_timeout(self) -> float:
        if any(rs.linger_until is not None for rs in self.routes.values()):
            return 0.05
        upcoming = [r.until for r in self._state().open_files() if r.until]
        if not upcoming:
            return 5.0
        return min(max(min(upcoming) - time.time(), 0.01), 5.0)

    def _next_files(self, turn: int) -> tuple[list[FileRow], int]:
        """The next files to send: routes in turn, each route's files in claim order. The
        files of a route that are plainly due go together in one run (up to
        FILES_PER_RUN), so their invoices share calls; a file that waits for a person's
        decision goes alone (it is looked at with a dry run first)."""
        now = time.time()
        by_route: dict[str, list[FileRow]] = {}
        for open_row in self._state().open_files():
            if open_row.state in (CLAIMED, WAITING) and open_row.route in self.routes:
                by_route.setdefault(open_row.route, []).append(open_row)
        names = list(self.routes)
        for step in range(len(names)):
            name = names[(turn + step) % len(names)]
            rows = by_route.get(name, [])
            row = self._due(self.routes[name], rows, now)
            if row is not None:
                together = self._together(row, rows, now)
                if self._lingers(self.routes[name], together):
                    continue
                return together, turn + step + 1
        return [], turn

    def _lingers(self, rs: RouteState, together: list[FileRow]) -> bool:
        """A run that has room waits for the route's files that are still settling, at most
        one stability window, so a burst shares its calls (100 invoices to a call) instead of
        its first file taking a call of its own."""
        if len(together) >= FILES_PER_RUN or not _plain(together[0], time.time()) \
                or rs.tracker.pending == 0:
            rs.linger_until = None
            return False
        now = time.monotonic()
        if rs.linger_until is None:
            rs.linger_until = now + rs.route.stable_seconds
        if now < rs.linger_until:
            return True
        rs.linger_until = None
        return False

    def _together(self, first: FileRow, rows: list[FileRow], now: float) -> list[FileRow]:
        """`first`, and the files after it that are due as plainly as it is."""
        if not _plain(first, now):
            return [first]
        after = rows[rows.index(first) + 1:]
        more = [r for r in after if _plain(r, now)]
        return [first, *more][:FILES_PER_RUN]

    def _due(self, rs: RouteState, rows: list[FileRow], now: float) -> FileRow | None:
        hold = self._hold(rs.route, now)
        for row in rows:
            if hold is not None:
                if row.wait == fates.PERSON:
                    continue  # it waits for a decision whatever the hold: keep that reason
                if row.wait != hold.wait or row.state == CLAIMED:
                    self._wait(row, hold)
                continue
            if row.wait == fates.PERSON and (row.until or 0) > now:
                continue  # waits for a decision: the files after it go on
            if row.state == WAITING and (row.until or 0) > now:
                return None  # the route waits (Yuki unreachable): keep the order
            return row
        return None

    def _hold(self, route: Route, now: float) -> fates.Fate | None:
        """Why every file of this route waits now (key refused, day's calls used up)."""
        if self.key_hold is not None and self.key_hold[0] > now:
            return fates.Fate(fates.WAIT, "connecting to Yuki", self.key_hold[1],
                              next_step="fix the access key; the daemon tries again by itself",
                              wait=fates.KEY, until=self.key_hold[0])
        paused = self.paused.get(self._domain(route))
        if paused is not None and paused[0] > now:
            return fates.Fate(fates.WAIT, "sending", paused[1],
                              next_step="nothing to do: it goes on by itself",
                              wait=fates.LIMIT, until=paused[0])
        return None

    def _process(self, row: FileRow) -> None:
        rs = self.routes[row.route]
        path = Path(row.path)
        if not self._ready(row):
            return
        attempts = row.attempts + 1
        outcome = self._send(rs, path, dry_run=row.wait == fates.PERSON)
        if row.wait == fates.PERSON and not isinstance(outcome, BaseException) and not any(
                o.state == AWAITING for o in outcome.documents):
            outcome = self._send(rs, path, dry_run=False)  # decided: now really send
        if not isinstance(outcome, BaseException):
            with self.lock:
                self.counters.calls += outcome.calls_used
            if row.sha256 and outcome.sha256 != row.sha256:
                # Still being written when it was claimed: send again what it holds now.
                self.log("file-changed", route=row.route, file=row.name, id=row.id)
                self._state().update(row.id, sha256=outcome.sha256, attempts=attempts)
                return
        fate = fates.fate_of(outcome, self._context(rs.route, attempts))
        if row.wait == fates.PERSON and fate.wait == fates.PERSON:
            attempts = row.attempts  # a free look, not a try
        self._apply(row, fate, attempts)

    def _send(self, rs: RouteState, path: Path, *, dry_run: bool) -> Any:
        from yukimap.send import send_file  # the pipeline's cost is paid on the first file

        route = rs.route
        try:
            return send_file(path, rs.mapping, self._settings(route),
                             administration=route.administration, batch_size=route.batch_size,
                             retry_delay=min(route.retry_seconds, 2.0), dry_run=dry_run)
        except Exception as exc:  # noqa: BLE001 (one file's error never stops the daemon)
            return exc

    def _process_together(self, rows: list[FileRow]) -> None:
        """Several files of one route in one send run: their invoices go many to a call
        across the files; each file then meets its own fate, as if sent alone."""
        from yukimap.send import send_files

        rs = self.routes[rows[0].route]
        route = rs.route
        ready = [row for row in rows if self._ready(row)]
        if not ready:
            return
        paths = [Path(row.path) for row in ready]
        try:
            outcomes: list[Any] = list(send_files(
                paths, rs.mapping, self._settings(route), administration=route.administration,
                batch_size=route.batch_size, retry_delay=min(route.retry_seconds, 2.0)))
        except Exception as exc:  # noqa: BLE001 (what concerns them all: each file waits)
            outcomes = [exc] * len(ready)
        counted = False
        for row, outcome in zip(ready, outcomes):
            attempts = row.attempts + 1
            if not isinstance(outcome, BaseException):
                if not counted:  # one run: its calls are on every receipt
                    with self.lock:
                        self.counters.calls += outcome.calls_used
                    counted = True
                if row.sha256 and outcome.sha256 != row.sha256:
                    self.log("file-changed", route=row.route, file=row.name, id=row.id)
                    self._state().update(row.id, sha256=outcome.sha256, attempts=attempts)
                    continue
            self._apply(row, fates.fate_of(outcome, self._context(route, attempts)), attempts)

    def _ready(self, row: FileRow) -> bool:
        """Whether a claimed file is still there with something in it (else it meets its
        fate here: gone, or empty)."""
        path = Path(row.path)
        if not path.exists():
            self._state().update(row.id, state=GONE, reason="taken out of processing/")
            self.log("file", route=row.route, file=row.name, state=GONE, id=row.id)
            return False
        if path.stat().st_size == 0:
            self._apply(row, fates.empty_file(), row.attempts + 1)
            return False
        return True

    def _settings(self, route: Route) -> Settings:
        return self.settings.with_changes(
            domain=route.domain or self.settings.domain,
            administration=route.administration or self.settings.administration)

    def _domain(self, route: Route) -> str:
        from yukimap.budget import counter_name

        settings = self._settings(route)
        return counter_name(settings.domain, settings.access_key) or ""

    def _context(self, route: Route, attempts: int) -> fates.Context:
        from yukimap.budget import CallBudget, next_reset

        budget = CallBudget(self.settings.state_dir, self.settings.daily_budget)
        try:
            left = budget.remaining(self._domain(route))
        finally:
            budget.close()
        return fates.Context(attempts, route.retry_seconds, route.retry_max_seconds,
                             route.recheck_seconds, route.key_retry_seconds, left,
                             next_reset().timestamp())

    # --- a file's fate on disk ------------------------------------------------------------

    def _apply(self, row: FileRow, fate: fates.Fate, attempts: int) -> None:
        route = self.routes[row.route].route
        if fate.action == fates.WAIT:
            if fate.wait == fates.LIMIT and fate.until:
                self._pause(route, fate.until, fate.reason)
            if fate.wait == fates.KEY and fate.until:
                self.key_hold = (fate.until, fate.reason)
            self._state().update(row.id, attempts=attempts)
            self._wait(self._state().get(row.id), fate)
            return
        if FAULT == "kill-before-archive":
            os.kill(os.getpid(), signal.SIGKILL)
        if fate.action == fates.ARCHIVE:
            folder = files.archive_folder(route.folder, datetime.now())
            target_state = ARCHIVED
        else:
            folder = route.folder / files.FAILED
            target_state = FAILED
        target = files.unique(folder, row.name)
        detail = {"dest": str(target), "fate": fate.to_dict()}
        row = self._state().update(row.id, state=MOVING, target=target_state, attempts=attempts,
                                   detail=json.dumps(detail, default=str), reason=fate.reason,
                                   wait=None, until=None)
        if FAULT == "kill-before-rename":
            os.kill(os.getpid(), signal.SIGKILL)
        self._finish(row, fate, target)

    def _finish(self, row: FileRow, fate: fates.Fate, target: Path) -> None:
        """Write the notes beside the target, then move the file there (again, on resume)."""
        source = Path(row.path)
        rs = self.routes.get(row.route)
        if row.target == FAILED:
            facts = self._facts(row)
            if fate.rows and rs is not None:
                facts["rejected_file"] = self._write_rejected(rs, source, target, fate)
            files.write_note(target.with_name(target.name + ".error.json"), json.dumps(
                {"file": row.name, **fate.to_dict(), **facts}, indent=2, default=str,
                ensure_ascii=False) + "\n")
            files.write_note(target.with_name(target.name + ".error.txt"),
                             fates.failure_note(row.name, fate, facts))
        elif fate.reason and not fate.reason.endswith("sent to Yuki") and " sent to Yuki (" \
                not in fate.reason:
            files.write_note(target.with_name(target.name + ".note.txt"),
                             fates.archive_note(row.name, fate))
        files.move(source, target)
        files.remove_note(source.with_name(source.name + ".waiting.txt"))
        done = self._state().update(row.id, state=row.target, path=str(target))
        self._count_final(done)
        self.log("file", route=row.route, file=row.name, state=row.target, id=row.id,
                 path=target, reason=fate.reason, stage=fate.stage if row.target == FAILED
                 else None, calls=fate.calls)

    def _count_final(self, row: FileRow) -> None:
        with self.lock:
            if row.state == ARCHIVED:
                self.counters.archived += 1
            elif row.state == FAILED:
                self.counters.failed += 1

    def _write_rejected(self, rs: RouteState, source: Path, target: Path,
                        fate: fates.Fate) -> str | None:
        from yukimap.rejected import write_rows

        stem, dot, ext = target.name.rpartition(".")
        name = f"{stem}.rejected.{ext}" if dot else f"{target.name}.rejected"
        try:
            written = write_rows(source, rs.mapping, list(fate.rows),
                                 files.unique(target.parent, name))
        except Exception as exc:  # noqa: BLE001 (the reason file still says which rows)
            self.log("rejected-rows-not-written", file=source.name, error=str(exc))
            return None
        return written.name

    def _facts(self, row: FileRow) -> dict[str, Any]:
        rs = self.routes.get(row.route)
        route = rs.route if rs else None
        return {"route": row.route, "mapping": rs.mapping if rs else "?",
                "administration": (route.administration if route else None)
                or self.settings.administration, "size": row.size, "sha256": row.sha256,
                "claimed_at": row.claimed_at, "at": now_text(), "attempts": row.attempts}

    def _wait(self, row: FileRow, fate: fates.Fate) -> None:
        source = Path(row.path)
        changed = row.state != WAITING or row.wait != fate.wait or row.reason != fate.reason
        self._state().update(row.id, state=WAITING, wait=fate.wait, reason=fate.reason,
                             until=fate.until)
        if changed and source.exists():
            files.write_note(source.with_name(source.name + ".waiting.txt"),
                             fates.waiting_note(row.name, fate))
        if changed:
            self.log("file", route=row.route, file=row.name, state=WAITING, id=row.id,
                     wait=fate.wait, reason=fate.reason,
                     until=fates.when(fate.until) if fate.until else None)

    def _pause(self, route: Route, until: float, why: str) -> None:
        domain = self._domain(route)
        if self.paused.get(domain, (0.0, ""))[0] < until:
            self.paused[domain] = (until, why)
            self.log("domain-paused", domain=domain, until=fates.when(until))

    # --- health -----------------------------------------------------------------------

    def _state(self) -> WatchState:
        assert self.state is not None
        return self.state

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
                            "domain": self._domain(rs.route), "mode": rs.mode,
                            "mode_why": rs.mode_why, "watcher_alive": alive,
                            "watcher_restarts": rs.restarts, "last_scan_age": age,
                            "scan_error": rs.scan_error, "settling": rs.tracker.pending}
            if not alive:
                problems.append(f"route {name}: the watcher is not running")
            factor = self.config.health.scan_age_factor if self.config.health else 3.0
            if age is None or age > factor * rs.route.rescan_seconds + HEARTBEAT_SECONDS:
                problems.append(f"route {name}: no full scan for too long")
            if rs.scan_error:
                problems.append(f"route {name}: the folder cannot be read: {rs.scan_error}")
        key = None
        if self.key_hold is not None and self.key_hold[0] > now_wall:
            key = {"until": fates.when(self.key_hold[0]), "reason": self.key_hold[1]}
            problems.append(f"Yuki refused the access key: {self.key_hold[1]}")
        paused = {d: {"until": fates.when(u), "reason": why}
                  for d, (u, why) in self.paused.items() if u > now_wall}
        with self.lock:
            counters = dict(self.counters.__dict__)
        return {"pid": os.getpid(), "started": self.started, "routes": routes,
                "key_refused": key, "paused": paused, "counters": counters,
                "current": self.current, "problems": problems, "health": self.health_url}

    def _beat(self, force: bool = False, stopped: bool = False) -> None:
        now = time.monotonic()
        if not force and now - getattr(self, "_last_beat", -1e9) < HEARTBEAT_SECONDS:
            return
        self._last_beat = now
        snap = self.snapshot()
        snap["stopped"] = stopped
        try:
            self._state().beat(os.getpid(), self.started, snap)
        except Exception as exc:  # noqa: BLE001 (health reports it; the daemon goes on)
            self.log("state-error", error=str(exc))

    def _start_health(self) -> Any:
        if self.config.health is None:
            return None
        from yukimap.watch.health import serve

        server, url = serve(self.config.health.port, self)
        self.health_url = url
        return server


FILES_PER_RUN = 100  # files of a route sent together in one run (their invoices share calls)


def _open_journal(state_dir: Path) -> None:
    """A send journal that cannot be read stops the start (never a new empty one later)."""
    from yukimap.sendlog import SendLog, state_errors

    with state_errors(state_dir, lambda: "no file was touched"):
        SendLog(state_dir).close()


def _plain(row: FileRow, now: float) -> bool:
    """Due without a story: claimed, or waiting for a retry whose time has come (a file
    that waits for a person's decision is never plain)."""
    if row.wait == fates.PERSON:
        return False
    return row.state == CLAIMED or (row.state == WAITING and (row.until or 0) <= now)


def _settle_step(route: Route) -> float:
    """How often a settling file is looked at: well inside its stability window."""
    return min(0.25, route.stable_seconds / 3)


def _name(path: str | bytes) -> str:
    text = path.decode(errors="replace") if isinstance(path, bytes) else path
    return os.path.basename(text.rstrip("/\\"))
