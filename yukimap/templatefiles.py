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
from yukimap.i18n import N_, tr
from yukimap.limits import limits, over

PATH_HINT = N_("give the path of the template file, relative to the mapping file")


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
        raise TemplateLimit(tr("template file {path} does not exist", path=path),
                            hint=tr("give the path relative to the mapping file")) from None
    except OSError as exc:
        raise _unreadable(path, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise TemplateLimit(tr("template file {path} is a folder, not a file", path=path),
                            hint=tr(PATH_HINT))
    if not stat.S_ISREG(info.st_mode):
        raise TemplateLimit(tr("template file {path} is not a regular file", path=path),
                            hint=tr(PATH_HINT))
    bound = limits().max_template_kb * 1024
    try:
        with open(path, "rb") as file:
            data = file.read(bound + 1)  # /proc files and growing files lie about their size
    except OSError as exc:
        raise _unreadable(path, exc) from None
    if max(len(data), info.st_size) > bound:
        size = max(len(data), info.st_size)
        raise _over("max_template_kb", tr("template file {path}", path=path),
                    f"{math.ceil(size / 1024):,} KB")
    return _decoded(path, data)


def _unreadable(path: Path, exc: OSError) -> TemplateLimit:
    return TemplateLimit(tr("template file {path} cannot be read: {reason}", path=path,
                            reason=exc.strerror),
                         hint=tr("check that the file is there and that you may read it"))


def _decoded(path: Path, data: bytes) -> str:
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TemplateLimit(
            tr("template file {path} is not UTF-8 text (byte 0x{byte} at position {position})",
               path=path, byte=f"{data[exc.start]:02x}", position=f"{exc.start:,}"),
            hint=tr("save it as UTF-8 (in a text editor: Save as, encoding UTF-8)")
        ) from None
    char = text_policy.forbidden(source)
    if char is not None:
        line = source.count("\n", 0, source.index(char)) + 1
        raise TemplateLimit(tr("template file {path} line {line} {cause}", path=path, line=line,
                               cause=text_policy.control_cause(char)),
                            hint=tr("remove it from the template"))
    return source
