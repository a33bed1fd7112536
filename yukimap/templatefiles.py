"""A template file, read within its bounds into text: a regular UTF-8 file within
limits.max_template_kb, free of characters that no Yuki document can carry (text.py).

The mapping schema checks a user's template with it when the mapping loads (so a problem is
located at the mapping's `template:` key), and the renderer reads it with it.
"""

from __future__ import annotations

import math
import stat
from pathlib import Path

from yukimap import text as text_policy
from yukimap.errors import MappingError
from yukimap.limits import limits, over

PATH_HINT = "give the path of the template file, relative to the mapping file"


class TemplateLimit(MappingError):
    """A template went over a bound, or cannot be used; `message` is the cause."""


def _over(setting: str, what: str, found: str) -> TemplateLimit:
    message, hint = over(setting, what, found)
    return TemplateLimit(message, hint=hint)


def read_template(path: Path) -> str:
    """The text of a template file, or TemplateLimit saying what is wrong with it."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise TemplateLimit(f"template file {path} does not exist",
                            hint="give the path relative to the mapping file") from None
    except OSError as exc:
        raise _unreadable(path, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise TemplateLimit(f"template file {path} is a folder, not a file", hint=PATH_HINT)
    if not stat.S_ISREG(info.st_mode):
        raise TemplateLimit(f"template file {path} is not a regular file", hint=PATH_HINT)
    bound = limits().max_template_kb * 1024
    try:
        with open(path, "rb") as file:
            data = file.read(bound + 1)  # /proc files and growing files lie about their size
    except OSError as exc:
        raise _unreadable(path, exc) from None
    if max(len(data), info.st_size) > bound:
        size = max(len(data), info.st_size)
        raise _over("max_template_kb", f"template file {path}", f"{math.ceil(size / 1024):,} KB")
    return _decoded(path, data)


def _unreadable(path: Path, exc: OSError) -> TemplateLimit:
    return TemplateLimit(f"template file {path} cannot be read: {exc.strerror}",
                         hint="check that the file is there and that you may read it")


def _decoded(path: Path, data: bytes) -> str:
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TemplateLimit(
            f"template file {path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at position"
            f" {exc.start:,})", hint="save it as UTF-8 (in a text editor: Save as, encoding UTF-8)"
        ) from None
    char = text_policy.forbidden(source)
    if char is not None:
        line = source.count("\n", 0, source.index(char)) + 1
        raise TemplateLimit(f"template file {path} line {line} "
                            + text_policy.CAUSE.format(text_policy.shown(char)),
                            hint="remove it from the template")
    return source
