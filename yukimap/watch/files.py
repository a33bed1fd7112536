"""The life of a file on disk: claimed into processing/, then archive/YYYY/MM/ or failed/.

Every move is a rename inside the route's folder (one volume, so atomic), followed by an
fsync of the folders involved; notes are written to a temporary file, synced and renamed
into place, so a reader never sees half a note. Names never collide: a taken name gets a
" (2)", " (3)", ... before its extension, as a file manager would.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from datetime import datetime
from pathlib import Path

PROCESSING = "processing"
ARCHIVE = "archive"
FAILED = "failed"
# The daemon's own files beside a data file (never taken as input: they are not in the inbox).
NOTE_SUFFIXES = (".waiting.txt", ".error.txt", ".error.json", ".note.txt")


def is_note(name: str) -> bool:
    return name.endswith(NOTE_SUFFIXES)


def unique(folder: Path, name: str, taken: set[str] | None = None) -> Path:
    """`folder/name`, or `folder/stem (N).ext` with the first N that is free."""
    taken = taken or set()
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    number = 1
    candidate = name
    while (folder / candidate).exists() or candidate in taken or _notes_exist(folder, candidate):
        number += 1
        candidate = f"{stem} ({number}){'.' + ext if ext else ''}"
    return folder / candidate


def _notes_exist(folder: Path, name: str) -> bool:
    return any((folder / (name + suffix)).exists() for suffix in NOTE_SUFFIXES)


def sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def move(source: Path, target: Path) -> None:
    """Rename `source` to `target` (same volume), durable once this returns."""
    target.parent.mkdir(parents=True, exist_ok=True)
    os.rename(source, target)
    sync_folder(target.parent)
    if source.parent != target.parent:
        sync_folder(source.parent)


def claim(folder: Path, name: str, taken: set[str] | None = None) -> Path:
    """Take `folder/name` into `folder/processing/` by one rename; returns its new path."""
    target = unique(folder / PROCESSING, name, taken)
    move(folder / name, target)
    return target


def write_note(path: Path, text: str) -> None:
    """Write a note atomically: a temporary file, synced, renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    sync_folder(path.parent)


def remove_note(path: Path) -> None:
    path.unlink(missing_ok=True)


def archive_folder(folder: Path, when: datetime) -> Path:
    return folder / ARCHIVE / f"{when:%Y}" / f"{when:%m}"


def sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1024 * 1024), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def data_files(folder: Path) -> list[Path]:
    """The data files in a folder (not the daemon's notes, not hidden or temporary files)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not is_note(p.name) and not p.name.startswith("."))
