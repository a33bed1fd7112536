"""The state folder's failures (SQLite's, the file system's) as errors a person can act on:
full, locked by another process, damaged (and which file), or not writable."""

from __future__ import annotations

import errno
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from yukimap.errors import Busy, UserError
from yukimap.i18n import N_, tr


class StateFolderFull(UserError):
    """The disk of the state folder is full: nothing can be recorded, so nothing is sent (or
    the temporary folder's, where a send keeps what it does not hold in memory)."""


class StateDamaged(UserError):
    """A file of the state folder cannot be read as what it should be."""


class StateUnwritable(UserError):
    """The state folder cannot be written (permissions, a read-only disk)."""


@contextmanager
def state_errors(state_dir: Path, done: Callable[[], str] = lambda: tr("nothing was sent")
                 ) -> Iterator[None]:
    """The state folder's failures (SQLite's, the file system's) as errors a person can act
    on, never a traceback. `done` says what had happened by then (default: nothing sent)."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise _state_error(state_dir, exc, done()) from None
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise _full(state_dir, done()) from None


def _full(state_dir: Path, done: str) -> StateFolderFull:
    """The state folder is full, or the temporary folder is, where a send keeps a big file's
    slices, its plan, its calls and its receipts (when the state folder has room)."""
    temp = Path(tempfile.gettempdir())
    if _no_room(temp) and not _no_room(state_dir):
        return StateFolderFull(tr("the temporary folder {folder} is full: free space in it,"
                                  " or set TMPDIR to a folder with room, then run again;"
                                  " {done}", folder=temp.resolve(), done=done))
    folder = state_dir.resolve()
    return StateFolderFull(tr("the state folder is full: free space in {folder}, then run"
                              " again; {done}", folder=folder, done=done))


def _state_error(state_dir: Path, exc: sqlite3.DatabaseError, done: str) -> UserError:
    name = getattr(exc, "sqlite_errorname", "")
    text = str(exc)
    if name == "SQLITE_FULL" or "disk is full" in text or _no_room(state_dir):
        return _full(state_dir, done)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "is locked" in text:
        return Busy(tr("another process keeps the state folder {folder} locked ({reason})",
                       folder=state_dir.resolve(), reason=text),
                    hint=tr("wait until it has finished, then run this again"))
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text \
            or "not a database" in text:
        return _damaged(state_dir, text, done)
    return StateUnwritable(
        tr("the state folder {folder} cannot be used ({reason}); {done}",
           folder=state_dir.resolve(), reason=text, done=done),
        hint=tr("check that it exists and that you may write to it (permissions, a disk that"
                " is read-only or not mounted)"))


def _no_room(state_dir: Path) -> bool:
    """SQLite reports a write that found no room as a plain I/O error, so ask the disk."""
    try:
        return shutil.disk_usage(state_dir).free < _ROOM
    except OSError:
        return False


_ROOM = 256 * 1024  # less free space than this in the state folder: it is full


# The files of the state folder a damage can be in: what each is, and what to do. The first
# that is not sound is named; when none can be told apart, the send journal.
_FILES = (
    ("sends.sqlite", N_("the send journal {path} is damaged ({reason}); {done}"),
     N_("restore it from a backup, or move it aside (rename it to sends.sqlite.damaged) and"
        " run again: yukimap then rebuilds it from its ledger, sends.ledger")),
    ("watch.sqlite", N_("the hot-folder state {path} is damaged ({reason}); {done}"),
     N_("move it aside (rename it to watch.sqlite.damaged) and start again: the daemon then"
        " takes up the files in processing/ again, and the send journal keeps every document"
        " from being booked twice")),
    ("calls.sqlite", N_("yukimap's call counter {path} is damaged ({reason}); {done}"),
     N_("move it aside (rename it to calls.sqlite.damaged) and run again; the count of"
        " today's calls then starts at 0, so mind Yuki's daily limit today")),
)


def _damaged(state_dir: Path, text: str, done: str) -> StateDamaged:
    """Which file is damaged: each is asked on its own (only now, on the error path)."""
    name, message, hint = next((f for f in _FILES if not _sound(state_dir / f[0])), _FILES[0])
    return StateDamaged(tr(message, path=(state_dir / name).resolve(), reason=text, done=done),
                        hint=tr(hint))


def _sound(path: Path) -> bool:
    if not path.exists():
        return True
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            return bool(db.execute("PRAGMA quick_check").fetchone()[0] == "ok")
    except sqlite3.DatabaseError:
        return False
