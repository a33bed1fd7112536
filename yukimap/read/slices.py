"""A big CSV file a slice at a time: its records in tables of about a given size, cut between
records, each exactly the rows `read_csv` reads of the whole file (the same header, columns,
letters and spreadsheet row numbers), so that a file of any size is read in memory that does
not grow with it.

Only where that can be promised: a file in UTF-8, in an 8-bit code page (cp1252, latin-1:
its records cut as they stand, each piece then made UTF-8) or in UTF-16 (made UTF-8 as it is
read, then cut as UTF-8 is), with its column names on a row of its own. A footer to leave
out (skip_last) is found at the end: the slices hold back as many rows as it has, until the
file's end shows they were the footer. Anything else, and
anything `read_csv` would refuse or warn about, raises `NotInSlices`: the caller reads the
file whole, which gives the exact answer.
"""

from __future__ import annotations

import codecs
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

import polars as pl

from yukimap.errors import NotInSlices, column_letter
from yukimap.frames import Table
from yukimap.limits import MB, limits
from yukimap.model import Source
from yukimap.read.csvfile import (
    check_lines,
    first_records,
    header_record,
    locate_header,
    quote_char,
    read_body,
)
from yukimap.read.encoding import LATIN, decodes
from yukimap.read.sniff import SNIFF_BYTES, choose_delimiter
from yukimap.read.table import finish, header_names, make_table
from yukimap.text import surely_carried

HEAD = 2 * MB  # where the header, the delimiter and the first rows (the preview) are found
_UTF8 = ("utf-8", "utf-8-sig")  # read as they stand
_UTF16 = ("utf-16", "utf-16-le", "utf-16-be")  # made UTF-8 as they are read
_UTF16_MARKS = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def csv_slices(path: Path, name: str, source: Source, size: int) -> Iterator[Table]:
    """The file's records, about `size` bytes of them at a time, as tables."""
    if source.columns:
        raise NotInSlices("layout")
    with open(path, "rb") as file:
        stream, codec, encoding = _opened(file, source.encoding)
        raw = stream.read(HEAD)
        whole = len(raw) < HEAD - len(codecs.BOM_UTF8)
        head = raw if codec in _UTF8 else _utf8(raw, codec, doubted=False)
        quote = quote_char(source.quote)
        header_start, data_start = locate_header(head, name, source.header_row, quote)
        if b"\n" not in head or (not whole and data_start + SNIFF_BYTES >= len(head)):
            raise NotInSlices("head")
        # the records are where they are in the file's own bytes: an 8-bit code page writes
        # newlines and quotes as UTF-8 does
        start = data_start if codec in _UTF8 else locate_header(raw, name, source.header_row,
                                                                 quote)[1]
        _utf8(raw[:start], codec)  # the rows above the data, as whole refuses or doubts them
        delimiter = choose_delimiter(head, name, source, quote, header_start)
        if delimiter is None:
            raise NotInSlices("one-column")
        header = header_record(head[header_start:data_start], name, delimiter, quote,
                               source.header_row)
        letters = [column_letter(i) for i in range(len(header))]
        names = header_names(header, letters)
        preview = first_records(head, delimiter, quote)
        line = head.count(b"\n", 0, data_start) + 1
        before = 0  # records read so far (polars' count, blank ones included)
        footer = _Footer(source.skip_last)
        for piece in _pieces(stream, raw[start:], size, quote):
            piece = _utf8(piece, codec)
            rows = _parse(piece, name, line, delimiter, quote, len(names),
                          source.header_row + 1 + before)
            before += rows.height
            line += piece.count(b"\n")
            if before > limits().max_rows:
                raise NotInSlices("max_rows")
            for frame, carried in footer.past(finish(rows, names, 0), surely_carried(piece)):
                yield make_table(frame, name, header, letters, source.header_row,
                                 delimiter=delimiter, encoding=encoding, preview=preview,
                                 carried=carried)
        for frame, carried in footer.end():
            yield make_table(frame, name, header, letters, source.header_row,
                             delimiter=delimiter, encoding=encoding, preview=preview,
                             carried=carried)


class _Footer:
    """The rows of a file's slices as they come, but for its last `rows` (not blank, as
    `finish` counts them), held back until the end shows they are its footer."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.held: list[tuple[pl.DataFrame, bool]] = []  # each with whether text was carried
        self.count = 0

    def past(self, frame: pl.DataFrame, carried: bool) -> Iterator[tuple[pl.DataFrame, bool]]:
        """The slices that lie before the footer, now that `frame` follows them."""
        self.held.append((frame, carried))
        self.count += frame.height
        while self.held and self.count - self.held[0][0].height >= self.rows:
            first = self.held.pop(0)
            self.count -= first[0].height
            yield first

    def end(self) -> Iterator[tuple[pl.DataFrame, bool]]:
        """What is held, without the footer."""
        if self.held:
            rows = pl.concat([frame for frame, _ in self.held])
            yield rows.head(max(0, rows.height - self.rows)), any(c for _, c in self.held)


def _opened(file: BinaryIO, setting: str) -> tuple[_Reads, str, str]:
    """The file past its byte order mark as the slicer reads it, the codec of its pieces,
    and its encoding as the whole reader names it. A mark wins over the encoding set, as
    whole; UTF-16 (Excel's "Unicode text") is read made UTF-8 as it goes."""
    start = file.read(len(codecs.BOM_UTF8))
    if start.startswith(codecs.BOM_UTF8):
        return file, "utf-8", "utf-8"
    for mark, codec in _UTF16_MARKS:
        if start.startswith(mark):
            file.seek(len(mark))
            return _AsUtf8(file, codec), "utf-8", "utf-16"
    file.seek(0)
    try:
        named = codecs.lookup(setting).name
    except LookupError:
        raise NotInSlices("layout") from None
    if named in _UTF16:  # "utf-16" without a mark reads as bytes.decode does: native order
        native = "utf-16-le" if sys.byteorder == "little" else "utf-16-be"
        return _AsUtf8(file, native if named == "utf-16" else named), "utf-8", named
    codec = _codec(setting)
    return file, codec, codec


class _Reads(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _AsUtf8:
    """A UTF-16 file read as the UTF-8 the whole reader makes of it, in pieces; bytes that
    are no UTF-16 are for the whole reader to tell."""

    def __init__(self, file: BinaryIO, codec: str) -> None:
        self._file = file
        self._decoder = codecs.getincrementaldecoder(codec)()
        self._made = b""
        self._ended = False

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self._made) < size) and not self._ended:
            raw = self._file.read(size if size > 0 else -1)
            self._ended = not raw
            try:
                text = self._decoder.decode(raw, final=self._ended)
            except UnicodeDecodeError:
                raise NotInSlices("encoding") from None
            self._made += text.encode("utf-8")
        made, self._made = (self._made, b"") if size < 0 else (self._made[:size],
                                                              self._made[size:])
        return made


def _codec(setting: str) -> str:
    """UTF-8, or an 8-bit code page that writes ASCII as ASCII (cp1252, latin-1), whose
    records a slice can be cut between as they stand."""
    try:
        codec = codecs.lookup(setting).name
        ascii_ = bytes(range(128))
        if codec in _UTF8 or (ascii_.decode(codec) == ascii_.decode("ascii") and len(
                bytes(range(256)).decode(codec, "replace")) == 256):
            return codec
    except (LookupError, UnicodeDecodeError):
        pass
    raise NotInSlices("layout")


def _utf8(piece: bytes, codec: str, doubted: bool = True) -> bytes:
    """A piece of the file as the UTF-8 read_csv reads: what it would refuse, or (`doubted`)
    warn about (UTF-8 read as a code page, latin-1 where cp1252's signs are), is for
    reading whole."""
    if b"\x00" in piece:
        raise NotInSlices("nul")
    if piece.isascii():  # the same in every such encoding, known without decoding it
        return piece
    if doubted and codec not in _UTF8 and (decodes([piece], "utf-8") or (
            codec.startswith(LATIN) and re.search(rb"[\x80-\x9f]", piece))):
        raise NotInSlices("encoding-doubt")
    try:  # utf-8-sig's mark was at the file's start, if anywhere
        text = piece.decode("utf-8" if codec in _UTF8 else codec)
    except UnicodeDecodeError:
        raise NotInSlices("encoding") from None
    return piece if codec in _UTF8 else text.encode("utf-8")


def _parse(piece: bytes, name: str, line: int, separator: str, quote: str | None,
           columns: int, first_row: int) -> pl.DataFrame:
    check_lines(piece, name, line)
    try:
        return read_body(piece, separator, quote, columns, first_row)
    except pl.exceptions.PolarsError:
        raise NotInSlices("unreadable") from None


def _pieces(stream: _Reads, start: bytes, size: int, quote: str | None) -> Iterator[bytes]:
    """The body in pieces of whole records, about `size` bytes each (a record longer than
    that makes its piece longer, up to four times `size`)."""
    buffer, ended = start, False
    while buffer or not ended:
        if len(buffer) < size and not ended:
            more = stream.read(size)
            ended, buffer = not more, buffer + more
            continue
        cut = record_cut(buffer[:size], quote) or record_cut(buffer, quote)
        if cut:
            yield buffer[:cut]
            buffer = buffer[cut:]
        elif ended:
            yield buffer
            return
        elif len(buffer) > 4 * size:  # records that long are for reading whole
            raise NotInSlices("record-length")
        else:
            more = stream.read(size)
            ended, buffer = not more, buffer + more


def record_cut(block: bytes, quote: str | None) -> int:
    """Where the last whole record of `block` ends (after its newline), 0 if none does;
    `block` starts a record. A newline inside quotes belongs to its record, and a quote's
    state is the parity of the quotes before it (a doubled quote reopens at once), as
    read_csv finds the header's record."""
    q = quote.encode() if quote else b""
    pos = len(block)
    inside = bool(q) and block.count(q) % 2 == 1
    while pos > 0:
        opening = block.rfind(q, 0, pos) if q else -1
        if not inside:
            newline = block.rfind(b"\n", opening + 1, pos)
            if newline >= 0:
                return newline + 1
        if opening < 0:
            return 0
        pos, inside = opening, not inside
    return 0
