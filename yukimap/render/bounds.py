"""The bounds of a template. A user's template is code that yukimap runs on every file: no
template may hang yukimap, exhaust its memory or reach past its sandbox, and every way one
fails is the user's to fix, named by file and line (failures.py).

- The file: read only when it is a regular UTF-8 file within limits.max_template_kb and
  free of characters that no Yuki document can carry (templatefiles.py).
- Time: one deadline for rendering a file (limits.max_render_seconds), checked on every
  piece of output, every loop step, call and intercepted operator, so that even a loop
  that writes nothing ends (here, checked by sandbox.py and stream.py).
- Output: the text a template writes, into the document or into a macro or block,
  is counted as it is written (limits.max_output_mb; here, counted by sandbox.py and
  stream.py).
- Values: a template cannot change lists or dicts in place (ImmutableSandboxedEnvironment),
  and every operation that can make a value much larger than its inputs (`*`, `**`, `+`,
  `%`, `~`, and the methods and filters that take a width or repeat their input) is sized
  before it runs: no single value it computes may be over limits.text_chars characters
  (as printed) or a number over limits.template_digits digits (sizes.py).
- Recursion: Python's own limit stops a macro that calls itself; that is the user's error too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from yukimap.i18n import tr
from yukimap.limits import MB, limits, over
from yukimap.templatefiles import TemplateLimit


def _over(setting: str, what: str, found: str) -> TemplateLimit:
    message, hint = over(setting, what, found)
    return TemplateLimit(message, hint=hint)


_current = threading.local()  # the deadline of the rendering that runs in this thread


class Deadline:
    """When rendering one file must end (limits.max_render_seconds from its start)."""

    def __init__(self) -> None:
        self.seconds = limits().max_render_seconds
        self.at = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise _over("max_render_seconds", tr("rendering"),
                        tr("stopped after {seconds} seconds", seconds=self.seconds))

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Time spent inside is not the template's: a big file's slices are read and mapped
        between its documents (sliced.py)."""
        began = time.monotonic()
        try:
            yield
        finally:
            self.at += time.monotonic() - began


@contextmanager
def running(deadline: Deadline) -> Iterator[None]:
    """`deadline` is the one that the templates rendered in this thread check."""
    outer = getattr(_current, "deadline", None)
    _current.deadline = deadline
    try:
        yield
    finally:
        _current.deadline = outer


def check_time() -> None:
    deadline: Deadline | None = getattr(_current, "deadline", None)
    if deadline is not None:
        deadline.check()


def output_over(written: int) -> TemplateLimit | None:
    """TemplateLimit when `written` characters are over limits.max_output_mb."""
    if written <= limits().max_output_mb * MB:
        return None
    return _over("max_output_mb", tr("the rendered document"),
                 tr("more than {mb} MB", mb=f"{limits().max_output_mb:,}"))

