"""The folders a studio may touch, and the one guard every path from the page goes through.

The page names a file by an ID, `N/relative/path`: the Nth folder given to `yukimap studio`
and a path inside it. `Folders.path` turns an ID into a real path or raises `OutsideFolders`:
an absolute path, `..`, a symbolic link anywhere on the way (one could point anywhere), a
dot-file or a name the studio does not handle are refused before anything is opened. No
other function of the studio opens a file the page names.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from yukimap.i18n import tr
from yukimap.read import CAMT_EXTENSIONS, CSV_EXTENSIONS, EXCEL_EXTENSIONS, MT940_EXTENSIONS

EXPORTS = CSV_EXTENSIONS + EXCEL_EXTENSIONS + CAMT_EXTENSIONS + MT940_EXTENSIONS
MAPPINGS = (".yaml", ".yml")
LISTED = 500  # files listed at most, over all folders
DEPTH = 2  # folder levels looked into below each chosen folder


class OutsideFolders(Exception):
    """A path the studio will not touch; the message says why, for the page."""


@dataclass(frozen=True)
class Entry:
    """A file the page may open."""

    id: str
    name: str
    kind: str  # "export" or "mapping"
    size: int


class Folders:
    """The chosen folders, resolved once: what they hold and the guard on every path."""

    def __init__(self, folders: list[Path]) -> None:
        roots = []
        for folder in folders:
            if not folder.is_dir():
                raise OutsideFolders(tr("{folder} is not a folder", folder=folder))
            roots.append(folder.resolve())
        self.roots = tuple(roots)

    def path(self, file_id: str, suffixes: tuple[str, ...] = EXPORTS + MAPPINGS) -> Path:
        """The real path of a file ID, checked: inside its folder, no link on the way."""
        index, _, rest = file_id.partition("/")
        if not index.isdigit() or int(index) >= len(self.roots):
            raise OutsideFolders(tr("no folder {index} in this studio", index=repr(index)))
        relative = PurePosixPath(rest)
        if not rest or relative.is_absolute() or "\\" in rest or "\0" in rest:
            raise OutsideFolders(tr("{path} is not a path inside the studio's folders",
                                    path=repr(rest)))
        if any(part in ("..", ".") or part.startswith(".") for part in relative.parts):
            raise OutsideFolders(tr("{path}: the studio opens no '..' and no hidden files",
                                    path=repr(rest)))
        if relative.suffix.lower() not in suffixes:
            raise OutsideFolders(tr("{name}: the studio handles only {suffixes} files here",
                                    name=relative.name, suffixes=", ".join(suffixes)))
        root = self.roots[int(index)]
        path = root.joinpath(*relative.parts)
        _no_links(root, relative.parts)
        return path

    def file_id(self, path: Path) -> str | None:
        """The ID of a path inside a folder (as the page names it), or None."""
        for index, root in enumerate(self.roots):
            try:
                return f"{index}/{path.relative_to(root).as_posix()}"
            except ValueError:
                continue
        return None

    def inside(self, path: Path) -> bool:
        """Whether `path`, links resolved, is in one of the folders."""
        real = Path(os.path.realpath(path))
        return any(real == root or root in real.parents for root in self.roots)

    def entries(self) -> list[Entry]:
        """The exports and mappings in the folders (no links, no hidden files), by name."""
        found: list[Entry] = []
        for index, root in enumerate(self.roots):
            found += _walk(root, f"{index}/", DEPTH, LISTED - len(found))
        return found


def _no_links(root: Path, parts: tuple[str, ...]) -> None:
    here = root
    for part in parts:
        here = here / part
        try:
            mode = here.lstat().st_mode
        except FileNotFoundError:
            return  # a file to be written; its folder was checked on the way
        except OSError as exc:
            raise OutsideFolders(f"{part}: {exc.strerror}") from None
        if stat.S_ISLNK(mode):
            raise OutsideFolders(tr("{name} is a symbolic link: the studio does not follow links",
                                    name=part))


def _walk(folder: Path, prefix: str, depth: int, room: int) -> list[Entry]:
    found: list[Entry] = []
    try:
        children = sorted(os.scandir(folder), key=lambda e: e.name.lower())
    except OSError:
        return found
    for child in children:
        if len(found) >= room or child.name.startswith("."):
            continue
        if child.is_dir(follow_symlinks=False) and depth > 0:
            found += _walk(Path(child.path), f"{prefix}{child.name}/", depth - 1,
                           room - len(found))
        elif child.is_file(follow_symlinks=False):
            suffix = Path(child.name).suffix.lower()
            kind = "export" if suffix in EXPORTS else "mapping" if suffix in MAPPINGS else ""
            if kind:
                found.append(Entry(prefix + child.name, child.name, kind,
                                   child.stat(follow_symlinks=False).st_size))
    return found
