"""A progress display for long runs: a spinner naming the stage, on a terminal only."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from yukimap.i18n import tr


@contextmanager
def progress() -> Iterator[Callable[[str], None]]:
    """Yield a `stage(text)` callback; shows a spinner on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        yield lambda text: None
        return
    from rich.console import Console  # only for interactive runs: keeps scripts fast

    console = Console(stderr=True)
    with console.status(tr("starting")) as status:
        yield lambda text: status.update(f"{text} …")
