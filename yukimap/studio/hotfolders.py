"""The hot folders, for the studio's page: each route of `yukimap watch`'s config with its
waiting, failed and archived files, the calls used today per domain and the daemon's health;
and Retry, which moves a failed file back into its route's folder.

It reads what `yukimap status --json` reads (watch.report.watch_status, the call budget's
counter, the daemon's state through WatchState) and the route folders as the daemon lays
them out (ROUTE/failed/NAME with NAME.error.txt and NAME.error.json). It never imports the
daemon and never sends anything: a retried file is sent, or not, by the running daemon.

Retry moves `failed/NAME` back into the route's folder under the name it arrived with (or
"name (2).csv" when that is taken, as the daemon names files) and moves its reason files
aside into `failed/retried/`, not deleting them: the reason stays at hand if the retry fails
again, and a new failure's reason files cannot be confused with the old ones. Its row in the
state becomes GONE ("taken out by a person"), so status no longer counts it as failed.
"""

from __future__ import annotations

import json
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yukimap.i18n import tr
from yukimap.studio.folders import OutsideFolders
from yukimap.watch.config import Route, WatchConfig
from yukimap.watch.files import FAILED, is_note, move, unique
from yukimap.watch.report import watch_status
from yukimap.watch.state import ARCHIVED, GONE, WatchState
from yukimap.watch.state import FAILED as FAILED_STATE

RETRIED = "retried"  # failed/retried/: the reason files of retried files
LISTED = 50  # failed files listed per route, newest first
ARCHIVED_SHOWN = 10  # archived files listed per route, newest first
REASON_KB = 16  # of a failed file's .error.txt shown
REASON_SUFFIXES = (".error.txt", ".error.json")
Json = dict[str, Any]


class NotRetried(Exception):
    """A retry that cannot be done; the message says why, for the page."""


@dataclass(frozen=True)
class HotFolders:
    """The watch config's routes and the daemon's state folder."""

    config: WatchConfig
    state_dir: Path

    def route(self, name: str) -> Route:
        for route in self.config.routes:
            if route.name == name:
                return route
        raise NotRetried(tr("no route {name} in {config}", name=repr(name),
                            config=self.config.path.name))

    def status(self) -> Json:
        """What the page shows: the daemon's health, the calls today, each route's files."""
        found = watch_status(self.state_dir)
        failed_rows, archived_rows = self._rows()
        routes = []
        for route in self.config.routes:
            known = (found or {}).get("routes", {}).get(route.name, {})
            routes.append({
                "name": route.name, "folder": str(route.folder), "mapping": route.mapping,
                "mode": known.get("mode", route.mode), "counts": known.get("counts", {}),
                "last_scan_seconds_ago": _scan_age(found, known),
                "waiting": known.get("waiting", []),
                "failed": _failed(route, failed_rows),
                "archived": [{"file": Path(r.path).name, "name": r.name, "at": r.updated}
                             for r in archived_rows if r.route == route.name][:ARCHIVED_SHOWN],
            })
        daemon = None if found is None else {
            k: found[k] for k in ("running", "pid", "started", "heartbeat_seconds_ago",
                                  "healthy", "problems", "key_refused", "paused")}
        return {"config": self.config.path.name, "daemon": daemon, "routes": routes,
                "calls": self._calls()}

    def retry(self, route_name: str, file: str) -> Json:
        """Move the failed file `file` of the route back into its folder (see the module)."""
        route = self.route(route_name)
        failed = route.folder / FAILED
        source = failed / _plain_name(file)
        _regular(failed, source)
        row = self._failed_row(source)
        target = unique(route.folder, Path(row.name).name if row is not None else file)
        move(source, target)
        rows = _rejected_rows(failed, file)  # named in the .error.json, read before it moves
        aside = []
        for note in [failed / (file + suffix) for suffix in REASON_SUFFIXES] + [rows]:
            if note is not None and note.is_file() and not note.is_symlink():
                moved = unique(failed / RETRIED, note.name)
                move(note, moved)
                aside.append(f"{FAILED}/{RETRIED}/{moved.name}")
        if row is not None:
            state = WatchState(self.state_dir)
            try:
                state.update(row.id, state=GONE, reason=tr(
                    "retried from the studio: moved back into the folder as {name}",
                    name=target.name))
            finally:
                state.close()
        return {"route": route.name, "file": file, "moved_to": target.name,
                "reasons_moved_to": aside}

    def _rows(self) -> tuple[list[Any], list[Any]]:
        if not (self.state_dir / "watch.sqlite").exists():
            return [], []
        state = WatchState(self.state_dir)
        try:
            return state.recent(FAILED_STATE, 500), state.recent(ARCHIVED, 500)
        finally:
            state.close()

    def _failed_row(self, path: Path) -> Any:
        failed, _ = self._rows()
        return next((r for r in failed if Path(r.path) == path), None)

    def _calls(self) -> Json:
        """Today's calls per domain, counted as `yukimap status` counts them (the budget's
        counter in the state folder; the daily budget is the settings')."""
        from yukimap.budget import CallBudget
        from yukimap.errors import UserError
        from yukimap.settings import load_settings

        try:
            budget = CallBudget(self.state_dir, load_settings(state_dir=self.state_dir)
                                .daily_budget)
        except UserError:  # settings that do not load: the daemon's own answer says so
            budget = CallBudget(self.state_dir)
        try:
            usage = budget.usage_today()
            return {"day": budget.today().isoformat(), "budget": budget.budget,
                    "domains": {d: {"used": n, "left": max(budget.budget - n, 0)}
                                for d, n in sorted(usage.items())}}
        finally:
            budget.close()


def _scan_age(found: Json | None, known: Json) -> float | None:
    """Seconds since the route's last full scan, as of now (the daemon says it at its beat)."""
    age = known.get("last_scan_age")
    if found is None or age is None:
        return None
    return round(float(age) + float(found["heartbeat_seconds_ago"]), 1)


def _failed(route: Route, rows: list[Any]) -> list[Json]:
    """The data files in the route's failed/ folder, newest first, each with its reason (the
    state's one line, and the .error.txt the daemon wrote beside it)."""
    folder = route.folder / FAILED
    if not folder.is_dir() or folder.is_symlink():
        return []
    by_path = {Path(r.path): r for r in rows if r.route == route.name}
    found = []
    for path in folder.iterdir():
        name = path.name
        if name.startswith(".") or is_note(name) or ".rejected" in name:
            continue
        try:
            info = path.lstat()
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode):
            found.append((info.st_mtime, path))
    listed = []
    for mtime, path in sorted(found, reverse=True)[:LISTED]:
        row = by_path.get(path)
        listed.append({"file": path.name, "name": row.name if row else path.name,
                       "reason": row.reason if row else None,
                       "error": _reason_text(path.with_name(path.name + ".error.txt")),
                       "since": time.strftime("%Y-%m-%d %H:%M", time.localtime(mtime))})
    return listed


def _reason_text(note: Path) -> str | None:
    try:
        if note.is_symlink() or not note.is_file():
            return None
        with open(note, "rb") as text:
            data = text.read(REASON_KB * 1024 + 1)
    except OSError:
        return None
    shown = data[: REASON_KB * 1024].decode("utf-8", "replace")
    return shown + ("\n…" if len(data) > REASON_KB * 1024 else "")


def _rejected_rows(failed: Path, file: str) -> Path | None:
    """The rows Yuki refused, which the daemon wrote beside a partly refused file for a
    person to fix (its .error.json names them): stale once the whole file is retried."""
    try:
        told = json.loads((failed / (file + ".error.json")).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    name = told.get("rejected_file") if isinstance(told, dict) else None
    if not isinstance(name, str) or name != Path(name).name or name.startswith("."):
        return None
    return failed / name


def _plain_name(file: str) -> str:
    """A file name in failed/, never a path: no folders, no '..', no hidden or note files."""
    if (not file or "/" in file or "\\" in file or "\0" in file or file in (".", "..")
            or file.startswith(".") or is_note(file)):
        raise OutsideFolders(tr("{name} is not a failed file's name", name=repr(file)))
    return file


def _regular(failed: Path, path: Path) -> None:
    """`path` is a file of its own in `failed` (no symbolic link on the way)."""
    for part in (failed, path):
        try:
            mode = part.lstat().st_mode
        except FileNotFoundError:
            raise NotRetried(tr("{name} is not in {folder}/ (any more)", name=path.name,
                                folder=FAILED)) from None
        if stat.S_ISLNK(mode):
            raise OutsideFolders(tr("{name} is a symbolic link: the studio does not follow"
                                    " links", name=part.name))
    if not stat.S_ISREG(path.lstat().st_mode):
        raise NotRetried(tr("{name} is not a file", name=path.name))
