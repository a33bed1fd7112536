"""Finding complete files in a route's folder.

Events from the file system only say "look again soon"; what counts is a listing of the
folder. A file is taken when it matches the route's patterns, is not a temporary, lock or
system file, and its size and modification time stayed the same for the stability window
(measured with a monotonic clock, so a clock jump neither claims early nor stalls), with
no event for it meanwhile; with `done_file`, only once NAME.done exists too.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from yukimap.i18n import tr
from yukimap.watch.config import Route
from yukimap.watch.files import ARCHIVE, FAILED, PROCESSING

# Never taken: Office and LibreOffice lock files, downloads and copies in progress, hidden
# files (including macOS's ._ and .DS_Store), Windows' folder files, done markers.
IGNORED = ("~$*", ".~lock.*#", "*.tmp", "*.temp", "*.part", "*.partial", "*.crdownload",
           "*.download", ".*", "thumbs.db", "desktop.ini", "*.done", "*.swp")
DONE_SUFFIX = ".done"
OWN_FOLDERS = frozenset({PROCESSING, ARCHIVE, FAILED})


def ignored(name: str) -> bool:
    lowered = name.lower()
    return any(fnmatch.fnmatchcase(lowered, pattern) for pattern in IGNORED)


@dataclass(frozen=True)
class Entry:
    name: str
    size: int
    mtime_ns: int


def list_folder(route: Route, folders: set[str] | None = None) -> dict[str, Entry]:
    """The files of the folder the route would take, once stable (subfolders never: the
    names of those a person dropped in are added to `folders`)."""
    found: dict[str, Entry] = {}
    names: set[str] = set()
    with os.scandir(route.folder) as listing:
        for item in listing:
            names.add(item.name)
            if ignored(item.name):
                continue
            if folders is not None and item.name not in OWN_FOLDERS and _is_folder(item):
                folders.add(item.name)
            if not route.matches(item.name):
                continue
            try:
                if not item.is_file(follow_symlinks=False):
                    continue
                info = item.stat(follow_symlinks=False)
            except FileNotFoundError:  # gone between listing and stat
                continue
            found[item.name] = Entry(item.name, info.st_size, info.st_mtime_ns)
    if route.done_file:
        found = {n: e for n, e in found.items() if n + DONE_SUFFIX in names}
    return found


def _is_folder(item: os.DirEntry[str]) -> bool:
    try:
        return item.is_dir(follow_symlinks=False)
    except OSError:
        return False


@dataclass
class _Seen:
    entry: Entry
    since: float  # monotonic time of the last change (or event)


class Tracker:
    """Stability tracking for one folder: which files have been still for long enough."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._seen: dict[str, _Seen] = {}

    def touched(self, name: str, now: float) -> None:
        """An event for `name`: whatever the listing says, its window starts again."""
        seen = self._seen.get(name)
        if seen is not None:
            seen.since = now

    def update(self, listing: dict[str, Entry], now: float) -> list[Entry]:
        """Feed a listing; return the entries that are stable now, oldest first."""
        for name in list(self._seen):
            if name not in listing:  # removed (or claimed) before it was stable
                del self._seen[name]
        stable = []
        for name, entry in listing.items():
            seen = self._seen.get(name)
            if seen is None or seen.entry != entry:
                self._seen[name] = _Seen(entry, now)
            elif now - seen.since >= self.window:
                stable.append((seen.since, entry))
        # Arrival order: first seen, then modification time (files present at start).
        stable.sort(key=lambda pair: (pair[0], pair[1].mtime_ns, pair[1].name))
        return [entry for _, entry in stable]

    def known(self, name: str) -> bool:
        return name in self._seen

    def forget(self, names: Iterable[str]) -> None:
        for name in names:
            self._seen.pop(name, None)

    @property
    def pending(self) -> int:
        """Files seen and not yet stable (or not yet claimed)."""
        return len(self._seen)

    def next_due(self) -> float | None:
        """The monotonic time at which the next tracked file may become stable."""
        if not self._seen:
            return None
        return min(s.since for s in self._seen.values()) + self.window


# --- which watcher a folder gets ------------------------------------------------------

# File systems on which inotify & co. do not see changes made by other machines (or at all).
_REMOTE = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "drvfs", "fuse", "sshfs", "davfs",
           "vboxsf", "afs", "ceph", "glusterfs", "lustre", "gpfs", "prl_fs", "vmhgfs",
           "virtiofs"}


def mount_type(folder: Path, mounts: Path = Path("/proc/mounts")) -> str | None:
    """The file system type of `folder` (Linux: the longest matching mount point)."""
    try:
        lines = mounts.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    best: tuple[int, str] | None = None
    target = str(folder.resolve())
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) > best[0]):
            best = (len(point), parts[2])
    return best[1] if best else None


def choose_mode(route: Route) -> tuple[str, str]:
    """(native | polling, why) for the route's folder."""
    if route.mode != "auto":
        return route.mode, tr("set in the config")
    text = str(route.folder)
    if text.startswith(("\\\\", "//")):
        return "polling", tr("a network share (UNC path)")
    kind = mount_type(route.folder)
    if kind is not None and (kind in _REMOTE or kind.startswith("fuse")):
        return "polling", tr("a {kind} file system, where change events do not arrive",
                             kind=kind)
    return "native", (tr("a local {kind} file system", kind=kind) if kind
                      else tr("a local file system"))
