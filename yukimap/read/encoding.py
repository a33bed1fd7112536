"""A CSV's bytes as UTF-8, the text polars reads: the byte order mark or the encoding set,
a message that shows the bytes that cannot be read, and a warning when the encoding set
reads the file into letters it cannot have meant."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from typing import NoReturn

import polars as pl

from yukimap.errors import Problem, SourceError, Where
from yukimap.frames import ROW, Table
from yukimap.i18n import tr
from yukimap.limits import MB


def decode(raw: bytes, name: str, setting: str) -> tuple[bytes, str]:
    """The file as UTF-8 without byte order mark (all polars reads), and the encoding used.

    A byte order mark is unambiguous, so it wins over the setting: Excel's "CSV UTF-8"
    starts with the UTF-8 one, "Unicode text" with the UTF-16 one.
    """
    if raw.startswith(codecs.BOM_UTF8):
        return _as_utf8(raw, 3, "utf-8", name, setting), "utf-8"
    if raw.startswith(codecs.BOM_UTF16_LE):
        return _as_utf8(raw, 2, "utf-16-le", name, setting), "utf-16"
    if raw.startswith(codecs.BOM_UTF16_BE):
        return _as_utf8(raw, 2, "utf-16-be", name, setting), "utf-16"
    codec = _codec(setting)
    return _as_utf8(raw, 0, codec, name, setting), codec


def _codec(setting: str) -> str:
    try:
        return codecs.lookup(setting).name
    except LookupError:
        _unknown_encoding(setting)


def _unknown_encoding(setting: str) -> NoReturn:
    raise SourceError(
        tr("unknown encoding {setting}", setting=repr(setting)),
        hint=tr("write one such as encoding: cp1252, encoding: latin-1 or encoding: utf-16"
                " under source:"),
    ) from None


def _as_utf8(raw: bytes, skip: int, codec: str, name: str, setting: str) -> bytes:
    body = raw[skip:]
    if not codec.startswith(("utf-16", "utf-32")) and b"\x00" in body:
        _nul_bytes(body, skip, name)
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        raise _decode_error(body, skip, codec, exc, name, setting) from None
    except LookupError:  # a bytes-to-bytes codec such as base64
        _unknown_encoding(setting)
    return body if codec == "utf-8" else text.encode("utf-8")


def _nul_bytes(body: bytes, skip: int, name: str) -> NoReturn:
    """UTF-16 without a byte order mark is every other byte NUL to an 8-bit reader; any
    other NUL byte means a damaged or binary file."""
    sample = body[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    order = "le" if odd > even else "be"
    if max(even, odd) * 3 >= len(sample) // 2 and min(even, odd) * 10 <= max(even, odd):
        raise SourceError(
            tr("{name} contains NUL bytes, so it is probably UTF-16 text without a byte order"
               " mark", name=name),
            hint=tr("add encoding: {encoding} under source:", encoding=f"utf-16-{order}"),
        )
    at = body.index(b"\x00")
    line = body.count(b"\n", 0, at) + 1
    raise SourceError(
        tr("{name} contains NUL bytes (binary zeros), the first at byte offset {offset}"
           " (line {line}): it is damaged, or not a text file", name=name, offset=skip + at,
           line=line),
        hint=tr("the file may be incomplete (still being copied?) or damaged; export it again;"
                " a workbook needs its .xlsx, .xls or .ods name"),
    )


_UTF8_TWINS = ("utf-8", "utf-16", "utf-32")
LATIN = ("latin_1", "iso8859")  # latin-1 by its names: no sign where cp1252 has €


def encoding_doubts(content: bytes, table: Table, setting: str) -> tuple[Problem, ...]:
    """A warning when the encoding set reads the file into letters it cannot have meant:
    UTF-8 text read as an 8-bit code page ("EthiopiÃ«"), or latin-1 where cp1252's signs
    are (C1 control characters where € was)."""
    codec = table.encoding or "utf-8"
    if content.isascii() or codec.startswith(_UTF8_TWINS):
        return ()
    if decodes(_megabytes(content), "utf-8"):
        return _doubt(table, tr("read as {setting}, the file looks like UTF-8 text: its letters"
                                " come out garbled", setting=setting),
                      _garbled(content, codec), codec, "utf-8")
    if codec.startswith(LATIN) and re.search(rb"[\x80-\x9f]", content) \
            and decodes(_megabytes(content), "cp1252"):
        return _doubt(table, tr("read as {setting}, the file has control characters where"
                                " cp1252 has signs such as €", setting=setting),
                      "[\x80-\x9f]", codec, "cp1252")
    return ()


def decodes(pieces: Iterable[bytes], codec: str) -> bool:
    """Whether the bytes, given a piece at a time, are valid in `codec` (a file's, read or
    held, decoded without a copy of it)."""
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        for piece in pieces:
            decoder.decode(piece)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _megabytes(content: bytes) -> Iterator[bytes]:
    return (content[start: start + MB] for start in range(0, len(content), MB))


def _garbled(content: bytes, codec: str) -> str:
    """A pattern for the first non-ASCII letter as the wrong encoding shows it."""
    match = re.search(rb"[\x80-\xff]+", content)
    assert match is not None  # the content is not ASCII
    return re.escape(match.group().decode(codec, "replace")[:4])


def _doubt(table: Table, cause: str, pattern: str, codec: str, better: str
           ) -> tuple[Problem, ...]:
    """The warning, at the first cell that shows it."""
    where, value = Where(file=table.file), None
    for column in table.columns:
        hits = table.frame.filter(pl.col(column).str.contains(pattern)).head(1)
        if hits.height:
            value, row = hits[column][0], hits[ROW][0]
            where = Where(file=table.file, rows=(row,), column=column,
                          letter=table.letters[column])
            break
    hint = tr("set encoding: {encoding} under source:", encoding=better)
    if value is not None:
        fixed = value.encode(codec, "replace").decode(better, "replace")
        hint = tr("set encoding: {encoding} under source: ({value} then reads {fixed})",
                  encoding=better, value=repr(value), fixed=repr(fixed))
    return (Problem(cause, where, value=value, hint=hint, severity="warning"),)


def _decode_error(
    body: bytes, skip: int, codec: str, exc: UnicodeDecodeError, name: str, setting: str
) -> SourceError:
    before = body[: exc.start].decode(codec, errors="replace")
    line = before.count("\n") + 1
    bad = body[exc.start : max(exc.end, exc.start + 1)][:8]
    shown = " ".join(f"{b:02X}" for b in bad)
    after = body[exc.end : exc.end + 160].decode(codec, errors="replace").split("\n")[0]
    context = before.rsplit("\n", 1)[-1][-30:] + f"[{shown}]" + after.rstrip("\r")[:30]
    label = "UTF-8" if codec == "utf-8" else codec
    message = tr("{name} is not valid {encoding}: the bytes {bytes} at byte offset {offset}"
                 " (line {line}) cannot be read, in: {context}", name=name, encoding=label,
                 bytes=shown, offset=skip + exc.start, line=line, context=context)
    if codec == "utf-8":
        hint = tr("the file was probably saved by Excel on Windows; add encoding: cp1252 under"
                  " source:")
    else:
        hint = tr("the file is not in {setting}; set the right encoding under source:"
                  " (often utf-8, cp1252 or utf-16)", setting=setting)
    return SourceError(message, hint=hint)
