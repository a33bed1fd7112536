"""A file written whole or not at all: through a temporary file beside it, renamed into place
with the mode any new file gets (the documents, the mappings and tests a person saves, the
JSON Schema). Apart from `output`, so that what only saves a text starts without the
pipeline (`yukimap schema`)."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO


class temporary:
    """A temporary file path in `folder`, removed on exit unless it was renamed away."""

    def __init__(self, folder: Path, name: str) -> None:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
        os.close(fd)
        self.path = Path(tmp)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        self.path.unlink(missing_ok=True)


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file: never a half-written file."""
    write_through(path, lambda out: out.write(text))


def write_through(path: Path, write: Callable[[TextIO], object]) -> None:
    """What `write` writes, as UTF-8 text, to `path` through a temporary file, as it is
    made (a big text is never held whole): never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with temporary(path.parent, path.name) as tmp:
        with tmp.open("w", encoding="utf-8") as out:
            write(out)
        publish(tmp, path)


def publish(temp: Path, path: Path) -> None:
    """Rename a finished temporary file into place with the mode any new file gets here:
    the temporary file is private (mkstemp), a document is not; only secrets (the session
    cache, see budget.py) stay private."""
    os.chmod(temp, 0o666 & ~_umask())
    os.replace(temp, path)


def _umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        status = ""
    found = re.search(r"^Umask:\s*([0-7]+)$", status, re.MULTILINE)
    if found:
        return int(found.group(1), 8)
    mask = os.umask(0o077)  # elsewhere: set and put back, briefly strict, never briefly open
    os.umask(mask)
    return mask
