"""Where a sent file lands: it waits in processing/ with a note saying why, or it is moved to
archive/YYYY/MM/ or failed/ with its notes beside it. A move is recorded before the rename,
so a start after a kill finishes it (`finish`)."""

from __future__ import annotations

import json
import os
import signal
from datetime import datetime
from pathlib import Path
from typing import Any

from yukimap.watch import fate as fates
from yukimap.watch import files
from yukimap.watch.config import Route
from yukimap.watch.shared import FAULT, RouteState, Shared
from yukimap.watch.state import ARCHIVED, FAILED, MOVING, WAITING, FileRow, now_text, when


class Landing:
    """A file's fate on disk and in the state."""

    def __init__(self, shared: Shared) -> None:
        self.shared = shared
        self.log = shared.log
        self.routes = shared.routes

    def apply(self, row: FileRow, fate: fates.Fate, attempts: int) -> None:
        route = self.routes[row.route].route
        if fate.action == fates.WAIT:
            if fate.wait == fates.LIMIT and fate.until:
                self.pause(route, fate.until, fate.reason)
            if fate.wait == fates.KEY and fate.until:
                self.shared.key_hold = (fate.until, fate.reason)
            self.shared.db().update(row.id, attempts=attempts)
            self.wait(self.shared.db().get(row.id), fate)
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
        row = self.shared.db().update(row.id, state=MOVING, target=target_state,
                                      attempts=attempts, detail=json.dumps(detail, default=str),
                                      reason=fate.reason, wait=None, until=None)
        if FAULT == "kill-before-rename":
            os.kill(os.getpid(), signal.SIGKILL)
        self.finish(row, fate, target)

    def finish(self, row: FileRow, fate: fates.Fate, target: Path) -> None:
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
        elif fates.worth_a_note(fate):
            files.write_note(target.with_name(target.name + ".note.txt"),
                             fates.archive_note(row.name, fate))
        files.move(source, target)
        files.remove_note(source.with_name(source.name + ".waiting.txt"))
        done = self.shared.db().update(row.id, state=row.target, path=str(target))
        self.count_final(done)
        self.log("file", route=row.route, file=row.name, state=row.target, id=row.id,
                 path=target, reason=fate.reason, stage=fate.stage if row.target == FAILED
                 else None, calls=fate.calls)

    def count_final(self, row: FileRow) -> None:
        with self.shared.lock:
            if row.state == ARCHIVED:
                self.shared.counters.archived += 1
            elif row.state == FAILED:
                self.shared.counters.failed += 1

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
                or self.shared.settings.administration, "size": row.size, "sha256": row.sha256,
                "claimed_at": row.claimed_at, "at": now_text(), "attempts": row.attempts}

    def wait(self, row: FileRow, fate: fates.Fate) -> None:
        source = Path(row.path)
        changed = row.state != WAITING or row.wait != fate.wait or row.reason != fate.reason
        self.shared.db().update(row.id, state=WAITING, wait=fate.wait, reason=fate.reason,
                                until=fate.until)
        if changed and source.exists():
            files.write_note(source.with_name(source.name + ".waiting.txt"),
                             fates.waiting_note(row.name, fate))
        if changed:
            self.log("file", route=row.route, file=row.name, state=WAITING, id=row.id,
                     wait=fate.wait, reason=fate.reason,
                     until=when(fate.until) if fate.until else None)

    def pause(self, route: Route, until: float, why: str) -> None:
        domain = self.shared.domain(route)
        if self.shared.paused.get(domain, (0.0, ""))[0] < until:
            self.shared.paused[domain] = (until, why)
            self.log("domain-paused", domain=domain, until=when(until))
