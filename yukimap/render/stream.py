"""A template rendered as a stream of text: pieces gathered into blocks of about 256 KB, the
lines that el() leaves blank dropped as they pass, and the output and the clock checked on
every block (bounds.py), with every failure of a user's template located in it. A block is
text, or UTF-8 bytes where the documents' texts were made as bytes (whole.Pieces)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from yukimap.render.bounds import Deadline, check_time, output_over, running
from yukimap.render.failures import USER_ERRORS, located
from yukimap.render.whole import text_of
from yukimap.resources import templates_dir
from yukimap.templatefiles import TemplateLimit

_BLANK_LINES = re.compile(r"\n[ \t]*(?=\n)")
_GATHER = 1 << 18  # bytes of small template pieces passed on together
_ALONE = 1 << 16  # a piece this big is passed on by itself


Block = str | bytes


def _gathered(pieces: Iterator[Block]) -> Iterator[Block]:
    """Pieces passed on as soon as about 256 KB has gathered: few writes, and a steady flow
    to the validator. A big piece (a run of documents written whole) goes on as it is,
    after what gathered before it: joining it would copy it for nothing. Text and bytes
    are gathered apart, in their order."""
    buffer: list[Block] = []
    size = 0
    for piece in pieces:
        if buffer and (len(piece) >= _ALONE
                       or isinstance(piece, bytes) is not isinstance(buffer[0], bytes)):
            yield _joined(buffer)
            buffer, size = [], 0
        if len(piece) >= _ALONE:
            yield piece
            continue
        buffer.append(piece)
        size += len(piece)
        if size >= _GATHER:
            yield _joined(buffer)
            buffer, size = [], 0
    if buffer:
        yield _joined(buffer)


def _joined(buffer: list[Block]) -> Block:
    if isinstance(buffer[0], bytes):
        return b"".join(buffer)  # type: ignore[arg-type]
    return "".join(buffer)  # type: ignore[arg-type]


def _uses_el(source: str) -> bool:
    code = re.sub(r"\{#.*?#\}", "", source, flags=re.DOTALL)  # comments may mention el()
    return re.search(r"\bel\s*\(", code) is not None


def _calls_el(template: jinja2.Template) -> bool:
    return template.filename is None or _file_calls_el(template.filename)


@cache
def _file_calls_el(filename: str) -> bool:
    """Read once per template file (templates are not reloaded during a run either)."""
    try:
        return _uses_el(Path(filename).read_text(encoding="utf-8"))
    except OSError:
        return True


def render(template: jinja2.Template, context: dict[str, Any]) -> str:
    """Render into one text (for a batch sent in one call)."""
    return "".join(map(text_of, render_stream(template, context)))


def render_stream(template: jinja2.Template, context: dict[str, Any],
                  deadline: Deadline | None = None) -> Iterator[Block]:
    """Render lazily, piece by piece, so a document of any size never sits in memory;
    within the bounds of bounds.py (`deadline`: the file's, when it has several
    documents), and with every failure of a user's template located in it.

    Lines left blank by elements that el() omits are dropped as the text streams past;
    templates that do not call el() have none, and skip that scan.
    """
    pieces = template.generate(context)
    blocks = _bounded(_gathered(pieces), pieces)
    errors = USER_ERRORS if _own(template) else _SHIPPED_ERRORS
    try:
        with running(deadline or Deadline()):
            yield from (_without_blank_lines(blocks) if _calls_el(template) else blocks)
    except errors as exc:
        raise located(exc, template.filename or str(template.name)) from None


# A shipped template fails only by a bound or a bug (whose traceback then goes to the user).
_SHIPPED_ERRORS: tuple[type[Exception], ...] = (jinja2.UndefinedError, TemplateLimit)


def _bounded(blocks: Iterator[Block], pieces: Iterator[Block]) -> Iterator[Block]:
    """The output counted and the clock checked as it streams; a bound that is reached is
    raised inside the template, so that it is located at the line being rendered."""
    written = 0
    for block in blocks:
        written += len(block)
        problem = output_over(written)
        try:
            check_time()
        except TemplateLimit as late:
            problem = problem or late
        if problem is not None:
            pieces.throw(problem)  # type: ignore[attr-defined]
            raise problem
        yield block


def _without_blank_lines(blocks: Iterator[Block]) -> Iterator[str]:
    carry = ""
    for block in blocks:
        text = carry + text_of(block)
        cut = text.rfind("\n")
        if cut < 0:
            carry = text
            continue
        carry = text[cut:]
        yield _BLANK_LINES.sub("", text[:cut])
    if carry:
        yield _BLANK_LINES.sub("", carry)


def _own(template: jinja2.Template) -> bool:
    """A user's own template (not one that ships with yukimap)."""
    return template.filename is None or Path(template.filename).parent != templates_dir()
