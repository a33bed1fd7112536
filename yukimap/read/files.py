"""The file itself, before any format is read: a regular file within max_file_mb, its bytes
read once; and the ways a read is refused that every reader shares."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import NoReturn

from yukimap.errors import SourceError
from yukimap.limits import MB, limits, over

DAMAGED_HINT = "the file may be incomplete (still being copied?) or damaged; export it again"


def check_file(path: Path, name: str) -> None:
    """A regular file within max_file_mb; a device, pipe or socket is never opened: reading
    /dev/zero or a pipe nobody writes to would never end."""
    try:
        status = path.stat()
    except OSError:
        raise SourceError(f"cannot find {name}",
                          hint="check the file name and its folder") from None
    if stat.S_ISDIR(status.st_mode):
        raise SourceError(f"{name} is a folder, not a file", hint="give the export file itself")
    if not stat.S_ISREG(status.st_mode):
        raise SourceError(f"{name} is not a regular file but {_kind(status.st_mode)}",
                          hint="give the export file itself")
    _check_size(status.st_size, name)


def _kind(mode: int) -> str:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _check_size(size: int, name: str) -> None:
    if size > limits().max_file_mb * MB:
        refuse("max_file_mb", name, f"{size / MB:,.1f} MB")


def read_bytes(path: Path, name: str) -> bytes:
    """The file's bytes, never more than max_file_mb: it may still be growing."""
    try:
        with path.open("rb") as stream:
            content = stream.read(limits().max_file_mb * MB + 1)
    except OSError as exc:
        raise SourceError(
            f"cannot read {name}: {exc.strerror or exc}",
            hint="check that the file is not open elsewhere and that you may read it",
        ) from None
    _check_size(len(content), name)
    return content


def refuse(setting: str, what: str, found: str) -> NoReturn:
    """Refuse `what`, which goes beyond the limit `setting`: `found` says how far."""
    message, hint = over(setting, what, found)
    raise SourceError(message, hint=hint)


def damaged(name: str, reason: str, hint: str = DAMAGED_HINT) -> SourceError:
    return SourceError(f"cannot open {name} as an Excel workbook: {reason}", hint=hint)
