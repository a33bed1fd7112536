"""Which files the sender takes next: routes in turn, each route's files in claim order; a
route held (key refused, day's calls used up) has its files wait with the hold's reason."""

from __future__ import annotations

import time

from yukimap.i18n import N_, tr
from yukimap.watch import fate as fates
from yukimap.watch.config import Route
from yukimap.watch.landing import Landing
from yukimap.watch.shared import RouteState, Shared
from yukimap.watch.state import CLAIMED, WAITING, FileRow

FILES_PER_RUN = 100  # files of a route sent together in one run (their invoices share calls)


class Turns:
    """The order of sending, over the state's open files."""

    def __init__(self, shared: Shared, landing: Landing) -> None:
        self.shared = shared
        self.landing = landing
        self.routes = shared.routes

    def next_files(self, turn: int) -> tuple[list[FileRow], int]:
        """The next files to send: routes in turn, each route's files in claim order. The
        files of a route that are plainly due go together in one run (up to
        FILES_PER_RUN), so their invoices share calls; a file that waits for a person's
        decision goes alone (it is looked at with a dry run first)."""
        now = time.time()
        by_route: dict[str, list[FileRow]] = {}
        for open_row in self.shared.db().open_files():
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
                    self.landing.wait(row, hold)
                continue
            if row.wait == fates.PERSON and (row.until or 0) > now:
                continue  # waits for a decision: the files after it go on
            if row.state == WAITING and (row.until or 0) > now:
                return None  # the route waits (Yuki unreachable): keep the order
            return row
        return None

    def _hold(self, route: Route, now: float) -> fates.Fate | None:
        """Why every file of this route waits now (key refused, day's calls used up)."""
        key_hold = self.shared.key_hold
        if key_hold is not None and key_hold[0] > now:
            return fates.Fate(fates.WAIT, N_("connecting to Yuki"), key_hold[1],
                              next_step=tr("fix the access key; the daemon tries again by"
                                           " itself"),
                              wait=fates.KEY, until=key_hold[0])
        paused = self.shared.paused.get(self.shared.domain(route))
        if paused is not None and paused[0] > now:
            return fates.Fate(fates.WAIT, N_("sending"), paused[1],
                              next_step=tr("nothing to do: it goes on by itself"),
                              wait=fates.LIMIT, until=paused[0])
        return None


def _plain(row: FileRow, now: float) -> bool:
    """Due without a story: claimed, or waiting for a retry whose time has come (a file
    that waits for a person's decision is never plain)."""
    if row.wait == fates.PERSON:
        return False
    return row.state == CLAIMED or (row.state == WAITING and (row.until or 0) <= now)
