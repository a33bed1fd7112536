"""The file itself, before any format is read: a regular file within max_file_mb, its bytes
read once; and the ways a read is refused that every reader shares."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

from yukimap.errors import SourceError
from yukimap.i18n import N_, tr
from yukimap.limits import MB, limits, over

DAMAGED_HINT = N_("the file may be incomplete (still being copied?) or damaged; export it again")


def check_file(path: Path, name: str) -> None:
    """A regular file within max_file_mb; a device, pipe or socket is never opened: reading
    /dev/zero or a pipe nobody writes to would never end."""
    try:
        status = path.stat()
    except OSError:
        raise SourceError(tr("cannot find {name}", name=name),
                          hint=tr("check the file name and its folder")) from None
    if stat.S_ISDIR(status.st_mode):
        raise SourceError(tr("{name} is a folder, not a file", name=name),
                          hint=tr("give the export file itself"))
    if not stat.S_ISREG(status.st_mode):
        raise SourceError(_not_regular(status.st_mode, name),
                          hint=tr("give the export file itself"))
    _check_size(status.st_size, name)


def _not_regular(mode: int, name: str) -> str:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return tr("{name} is not a regular file but a device", name=name)
    if stat.S_ISFIFO(mode):
        return tr("{name} is not a regular file but a pipe", name=name)
    if stat.S_ISSOCK(mode):
        return tr("{name} is not a regular file but a socket", name=name)
    return tr("{name} is not a regular file but a special file", name=name)


def _check_size(size: int, name: str) -> None:
    if size > limits().max_file_mb * MB:
        refuse("max_file_mb", name, f"{size / MB:,.1f} MB")


def read_bytes(path: Path, name: str) -> bytes:
    """The file's bytes, never more than max_file_mb: it may still be growing."""
    bound = limits().max_file_mb * MB + 1
    try:
        with path.open("rb") as stream:
            # asked for what the file holds: a read asks the system for all it may take
            size = os.fstat(stream.fileno()).st_size
            content = stream.read(min(bound, size + 1))
            if len(content) > size:  # it grew since
                content += stream.read(bound - len(content))
    except OSError as exc:
        raise _unreadable(name, exc) from None
    _check_size(len(content), name)
    return content


def read_chunks(path: Path, name: str, size: int = MB) -> Iterator[bytes]:
    """The file's bytes `size` at a time, never more than max_file_mb in all."""
    left = limits().max_file_mb * MB + 1
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(min(size, left)):
                left -= len(chunk)
                if not left:
                    _check_size(limits().max_file_mb * MB + 1, name)
                yield chunk
    except OSError as exc:
        raise _unreadable(name, exc) from None


def _unreadable(name: str, exc: OSError) -> SourceError:
    return SourceError(
        tr("cannot read {name}: {reason}", name=name, reason=exc.strerror or exc),
        hint=tr("check that the file is not open elsewhere and that you may read it"))


def refuse(setting: str, what: str, found: str) -> NoReturn:
    """Refuse `what`, which goes beyond the limit `setting`: `found` says how far."""
    message, hint = over(setting, what, found)
    raise SourceError(message, hint=hint)


def damaged(name: str, reason: str, hint: str | None = None) -> SourceError:
    """`reason` and `hint` already in the user's language (the hint: DAMAGED_HINT's)."""
    return SourceError(tr("cannot open {name} as an Excel workbook: {reason}", name=name,
                          reason=reason), hint=tr(DAMAGED_HINT) if hint is None else hint)
