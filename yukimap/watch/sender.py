"""The sender: one worker thread sends the files, one run at a time, through `send`.

Files of a route go one at a time in claim order, or several together when they are plainly
due, and routes in turn (`turns`); a route whose domain is paused (daily limit) is skipped,
the others go on. Sending goes through `send.send_file` and `send.send_files`, so the send
journal's promises hold here: nothing is booked twice.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from yukimap.i18n import tr
from yukimap.send import AWAITING
from yukimap.watch import fate as fates
from yukimap.watch.config import Route
from yukimap.watch.landing import Landing
from yukimap.watch.shared import RouteState, Shared
from yukimap.watch.state import GONE, FileRow
from yukimap.watch.turns import Turns


class Sender:
    """Sends the next files and hands each its fate."""

    def __init__(self, shared: Shared, landing: Landing) -> None:
        self.shared = shared
        self.landing = landing
        self.turns = Turns(shared, landing)
        self.log = shared.log
        self.routes = shared.routes

    def loop(self) -> None:
        turn = 0
        while not self.shared.stop.is_set():
            rows, turn = self.turns.next_files(turn)
            if not rows:
                self.shared.work.wait(self._work_timeout())
                self.shared.work.clear()
                continue
            self.shared.current = rows[0].name
            try:
                if len(rows) == 1:
                    self._process(rows[0])
                else:
                    self._process_together(rows)
            finally:
                self.shared.current = None

    def _work_timeout(self) -> float:
        if any(rs.linger_until is not None for rs in self.routes.values()):
            return 0.05
        upcoming = [r.until for r in self.shared.db().open_files() if r.until]
        if not upcoming:
            return 5.0
        return min(max(min(upcoming) - time.time(), 0.01), 5.0)

    def _process(self, row: FileRow) -> None:
        rs = self.routes[row.route]
        path = Path(row.path)
        if not self._ready(row):
            return
        attempts = row.attempts + 1
        outcome = self._send(rs, path, dry_run=row.wait == fates.PERSON)
        if row.wait == fates.PERSON and not isinstance(outcome, BaseException) and not (
                outcome.counts().get(AWAITING)):
            outcome = self._send(rs, path, dry_run=False)  # decided: now really send
        if not isinstance(outcome, BaseException):
            with self.shared.lock:
                self.shared.counters.calls += outcome.calls_used
            if row.sha256 and outcome.sha256 != row.sha256:
                # Still being written when it was claimed: send again what it holds now.
                self.log("file-changed", route=row.route, file=row.name, id=row.id)
                self.shared.db().update(row.id, sha256=outcome.sha256, attempts=attempts)
                return
        fate = fates.fate_of(outcome, self._context(rs.route, attempts))
        if row.wait == fates.PERSON and fate.wait == fates.PERSON:
            attempts = row.attempts  # a free look, not a try
        self.landing.apply(row, fate, attempts)

    def _send(self, rs: RouteState, path: Path, *, dry_run: bool) -> Any:
        from yukimap.send import send_file  # the pipeline's cost is paid on the first file

        route = rs.route
        try:
            return send_file(path, rs.mapping, self.shared.route_settings(route),
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
                paths, rs.mapping, self.shared.route_settings(route),
                administration=route.administration, batch_size=route.batch_size,
                retry_delay=min(route.retry_seconds, 2.0)))
        except Exception as exc:  # noqa: BLE001 (what concerns them all: each file waits)
            outcomes = [exc] * len(ready)
        counted = False
        for row, outcome in zip(ready, outcomes):
            attempts = row.attempts + 1
            if not isinstance(outcome, BaseException):
                if not counted:  # one run: its calls are on every receipt
                    with self.shared.lock:
                        self.shared.counters.calls += outcome.calls_used
                    counted = True
                if row.sha256 and outcome.sha256 != row.sha256:
                    self.log("file-changed", route=row.route, file=row.name, id=row.id)
                    self.shared.db().update(row.id, sha256=outcome.sha256, attempts=attempts)
                    continue
            fate = fates.fate_of(outcome, self._context(route, attempts))
            self.landing.apply(row, fate, attempts)

    def _ready(self, row: FileRow) -> bool:
        """Whether a claimed file is still there with something in it (else it meets its
        fate here: gone, or empty)."""
        path = Path(row.path)
        if not path.exists():
            self.shared.db().update(row.id, state=GONE, reason=tr("taken out of processing/"))
            self.log("file", route=row.route, file=row.name, state=GONE, id=row.id)
            return False
        if path.stat().st_size == 0:
            self.landing.apply(row, fates.empty_file(), row.attempts + 1)
            return False
        return True

    def _context(self, route: Route, attempts: int) -> fates.Context:
        from yukimap.budget import CallBudget, next_reset

        budget = CallBudget(self.shared.settings.state_dir, self.shared.settings.daily_budget)
        try:
            left = budget.remaining(self.shared.domain(route))
        finally:
            budget.close()
        return fates.Context(attempts, route.retry_seconds, route.retry_max_seconds,
                             route.recheck_seconds, route.key_retry_seconds, left,
                             next_reset().timestamp())
