"""A big CSV file a slice at a time: its records in tables of about a given size, cut between
records, each exactly the rows `read_csv` reads of the whole file (the same header, columns,
letters and spreadsheet row numbers), so that a file of any size is read in memory that does
not grow with it.

Only where that can be promised: a UTF-8 file with its column names on a row of its own and no
footer to leave out (skip_last needs the file's end before its first rows). Anything else, and
anything `read_csv` would refuse or warn about, raises `NotInSlices`: the caller reads the file
whole, which gives the exact answer.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

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
from yukimap.read.sniff import SNIFF_BYTES, choose_delimiter
from yukimap.read.table import finish, header_names, make_table
from yukimap.text import surely_carried

HEAD = 2 * MB  # where the header, the delimiter and the first rows (the preview) are found


def csv_slices(path: Path, name: str, source: Source, size: int) -> Iterator[Table]:
    """The file's records, about `size` bytes of them at a time, as tables."""
    if source.columns or source.skip_last or codecs.lookup(source.encoding).name != "utf-8":
        raise NotInSlices("layout")
    with open(path, "rb") as stream:
        head = stream.read(HEAD)
        if head.startswith(codecs.BOM_UTF8):
            head = head[len(codecs.BOM_UTF8):]
        whole = len(head) < HEAD - len(codecs.BOM_UTF8)
        quote = quote_char(source.quote)
        header_start, data_start = locate_header(head, name, source.header_row, quote)
        if b"\n" not in head or (not whole and data_start + SNIFF_BYTES >= len(head)):
            raise NotInSlices("head")
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
        for piece in _pieces(stream, head[data_start:], size, quote):
            raw = _parse(piece, name, line, delimiter, quote, len(names),
                         source.header_row + 1 + before)
            before += raw.height
            line += piece.count(b"\n")
            if before > limits().max_rows:
                raise NotInSlices("max_rows")
            yield make_table(finish(raw, names, 0), name, header, letters, source.header_row,
                             delimiter=delimiter, encoding="utf-8", preview=preview,
                             carried=surely_carried(piece))


def _parse(piece: bytes, name: str, line: int, separator: str, quote: str | None,
           columns: int, first_row: int) -> pl.DataFrame:
    _valid(piece)
    check_lines(piece, name, line)
    try:
        return read_body(piece, separator, quote, columns, first_row)
    except pl.exceptions.PolarsError:
        raise NotInSlices("unreadable") from None


def _valid(piece: bytes) -> None:
    """What read_csv's decoding takes as it is: UTF-8 without NUL bytes."""
    if b"\x00" in piece:
        raise NotInSlices("nul")
    if piece.isascii():  # UTF-8 as it is, known without decoding it
        return
    try:
        piece.decode("utf-8")
    except UnicodeDecodeError:
        raise NotInSlices("encoding") from None


def _pieces(stream: BinaryIO, start: bytes, size: int, quote: str | None) -> Iterator[bytes]:
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
