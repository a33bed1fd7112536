"""A run's own folders in the system's temporary folder (a big file's slices, a spill to
disk, a document on its way to standard output). Each holds a lock that its process keeps
until it takes the folder away; the kernel lets go of the lock when the process ends, however
it ends. So a run killed before it could clean up (SIGKILL, a power cut) does not leave its
folder for good: the next one that makes a folder takes away every folder whose lock no
process holds any more."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from types import TracebackType

PREFIX = "yukimap-"
_LOCK = ".yukimap-owner.lock"
_GRACE = 60.0  # seconds: a younger folder's maker may not hold its lock yet


class Scratch:
    """A new folder `yukimap-KIND-…` in the temporary folder, taken away with what is in it
    (`cleanup`, or at the end of a `with`); OSError when none can be made."""

    def __init__(self, kind: str) -> None:
        # filelock (and the secrets and logging it imports) is imported when a folder is
        # made: most conversions make none, and it is a good part of a small one's start-up.
        from filelock import FileLock, Timeout

        sweep()
        self.path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{kind}-"))
        self._lock = FileLock(str(self.path / _LOCK), timeout=0)
        try:
            self._lock.acquire()
        except (OSError, Timeout):
            shutil.rmtree(self.path, ignore_errors=True)
            raise OSError(f"cannot lock {self.path}") from None  # i18n: OSError, said by callers

    def cleanup(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self._lock.release()

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.cleanup()


def sweep() -> None:
    """Take away the folders that runs which have ended left behind."""
    from filelock import FileLock, Timeout

    now = time.time()
    try:
        locks = list(Path(tempfile.gettempdir()).glob(f"{PREFIX}*/{_LOCK}"))
    except OSError:
        return
    for path in locks:
        lock = FileLock(str(path), timeout=0)
        try:
            if now - path.stat().st_mtime < _GRACE:
                continue
            lock.acquire()
        except (OSError, Timeout):  # held: its run goes on (or the folder went meanwhile)
            continue
        try:
            shutil.rmtree(path.parent, ignore_errors=True)
        finally:
            lock.release()
