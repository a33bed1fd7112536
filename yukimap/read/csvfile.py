"""A CSV file into a `Table`: its records as a spreadsheet shows them (quoted newlines
belong to the record), the header found on its row, every line within bounds, and the body
read by polars as text."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

import polars as pl

from yukimap.errors import Problem, SourceError, Where, column_letter
from yukimap.frames import ROW, Table
from yukimap.i18n import plural, tr
from yukimap.limits import MB, limits
from yukimap.model import Source
from yukimap.read.encoding import decode, encoding_doubts
from yukimap.read.failure import check_widths, explain_failure
from yukimap.read.files import read_bytes, refuse
from yukimap.read.sniff import choose_delimiter, other_delimiter, split
from yukimap.read.table import (
    PREVIEW_ROWS,
    Preview,
    check_header,
    check_rows,
    finish,
    first_rows,
    header_names,
    make_table,
)


def read_csv(path: Path, name: str, source: Source) -> Table:
    content = read_bytes(path, name)
    data, encoding = decode(content, name, source.encoding)
    if not data.strip():
        raise SourceError(tr("{where} is empty", where=name),
                          hint=tr("export the file again, with its rows"))
    data = _line_ends(data)
    quote = quote_char(source.quote)
    if source.columns:  # no header row: the first record is data, row 1
        header_start = data_start = 0
        delimiter = choose_delimiter(data, name, replace(source, header_row=1), quote, 0)
    else:
        header_start, data_start = locate_header(data, name, source.header_row, quote)
        delimiter = choose_delimiter(data, name, source, quote, header_start)
    # polars needs a separator even for a one-column file: one byte that never occurs.
    unused = (c for c in "\x1f\x1e\x1d\x1c" if c.encode() not in data)
    separator = delimiter or next(unused, "\x1f")
    header = list(source.columns) or header_record(data[header_start:data_start], name,
                                                   separator, quote, source.header_row)
    letters = [column_letter(i) for i in range(len(header))]
    names = header_names(header, letters)
    body = data[data_start:]
    first_line = data.count(b"\n", 0, data_start) + 1
    check_lines(body, name, first_line)
    if source.columns:
        check_widths(body, name, separator, quote, len(names))
    try:
        raw = read_body(body, separator, quote, len(names), source.header_row + 1,
                        limits().max_rows + 1)
    except pl.exceptions.PolarsError as exc:
        other = other_delimiter(data, name, source, quote, header_start, delimiter)
        explain_failure(body, name, separator, quote, len(names), source.header_row, exc,
                        other)
    check_rows(raw.height, name)
    frame = finish(raw, names, source.skip_last)
    table = make_table(frame, name, header, letters, source.header_row, delimiter=delimiter,
                       encoding=encoding, preview=first_records(data, separator, quote),
                       other_delimiter=(other_delimiter(data, name, source, quote, header_start,
                                                        delimiter) if len(names) == 1 else None))
    return replace(table, problems=encoding_doubts(content, table, source.encoding))


def read_body(body: bytes, separator: str, quote: str | None, columns: int, first_row: int,
              rows: int | None = None) -> pl.DataFrame:
    """Records as text columns "_0", "_1", ... and ROW, their spreadsheet rows from
    `first_row` on; at most `rows` of them."""
    return pl.read_csv(
        body,
        has_header=False,
        separator=separator,
        quote_char=quote,
        schema={f"_{i}": pl.String for i in range(columns)},
        raise_if_empty=False,
        truncate_ragged_lines=False,
        row_index_name=ROW,
        row_index_offset=first_row,
        n_rows=rows,
        missing_columns="insert",  # a blank first row has no fields at all
    )


def _line_ends(data: bytes) -> bytes:
    """Old Macs and some tills end lines with CR alone: then every CR ends a line."""
    if b"\r" in data and b"\n" not in data:
        return data.replace(b"\r", b"\n")
    return data


def header_record(record: bytes, name: str, separator: str, quote: str | None, row: int
                  ) -> list[str]:
    if len(record) > _longest_line():
        _line_too_long(tr("the header of {where} (row {row})", where=name, row=row), len(record))
    cells = split(record.decode("utf-8"), separator, quote)[0]
    check_header(cells, name, row)
    return cells


def _longest_line() -> int:
    """The most bytes a line may have: max_columns cells of max_cell_chars (32 MB by
    default). Checked before the line is split: polars takes ten times the size of a cell
    to read it, so one huge cell must never reach it."""
    bounds = limits()
    return bounds.max_columns * bounds.max_cell_chars


def _line_too_long(what: str, length: int) -> NoReturn:
    refuse("max_cell_chars", what, tr("it is {length} bytes long, more than {columns} cells of"
                                      " that many characters", length=f"{length:,}",
                                      columns=f"{limits().max_columns:,}"))


def check_lines(body: bytes, name: str, first_line: int) -> None:
    """No line longer than _longest_line. Looked for in windows of half that length: a
    line that long fills one without a line break. (Only a file that big can have one.)"""
    bound = _longest_line()
    step = bound // 2
    for at in range(0, len(body), step):
        if body.find(b"\n", at, at + step) < 0:
            start = body.rfind(b"\n", 0, at) + 1
            end = body.find(b"\n", at)
            length = (len(body) if end < 0 else end) - start
            if length > bound:
                line = first_line + body.count(b"\n", 0, start)
                _line_too_long(tr("line {line} of {name}", line=line, name=name), length)


def first_records(data: bytes, separator: str, quote: str | None) -> Preview:
    """The first records as a spreadsheet shows them, to look for column names in."""
    end = 0
    for _ in range(PREVIEW_ROWS):
        if end >= len(data):
            break
        end, _ = _record_end(data, end, quote)
    try:
        return first_rows(iter(split(data[:min(end, MB)].decode("utf-8", "replace"), separator,
                                     quote)))
    except csv.Error:
        return ()


def quote_char(quote: str | None) -> str | None:
    if not quote:
        return None  # quoting switched off: quote characters are ordinary text
    if len(quote) != 1 or not quote.isascii():
        raise SourceError(
            tr("quote must be a single character, not {quote}", quote=repr(quote)),
            hint=tr('write quote: \'"\' under source: (or quote: "" to switch quoting off)'),
        )
    return quote


def _record_end(data: bytes, start: int, quote: str | None) -> tuple[int, bool]:
    """Where the record starting at `start` ends (after its newline), and whether a quote
    is left open. Quoted newlines belong to the record: a spreadsheet row is a record."""
    pos = start
    q = quote.encode() if quote else b""
    while True:
        newline = data.find(b"\n", pos)
        opening = data.find(q, pos) if q else -1
        if opening < 0 or 0 <= newline < opening:
            return (len(data) if newline < 0 else newline + 1), False
        closing = data.find(q, opening + 1)  # a doubled quote reopens at once: same parity
        if closing < 0:
            return len(data), True
        pos = closing + 1


def locate_header(data: bytes, name: str, header_row: int, quote: str | None) -> tuple[int, int]:
    """Byte offsets of the header record and of the first record after it."""
    pos = 0
    for row in range(1, header_row):
        if pos >= len(data):
            _too_few_rows(name, row - 1, header_row)
        pos, _ = _record_end(data, pos, quote)
    if pos >= len(data):
        _too_few_rows(name, header_row - 1, header_row)
    end, unclosed = _record_end(data, pos, quote)
    if unclosed:
        raise SourceError(
            tr("row {row} of {name}, the header, opens a quote ({quote}) that is never closed",
               row=header_row, name=name, quote=quote),
            hint=tr('check the quotes on that row, or add quote: "" under source: if {quote} is'
                    " ordinary text in this file", quote=quote),
            problems=[Problem(tr("quote never closed"), Where(file=name, rows=(header_row,)))],
        )
    if not data[pos:end].strip():
        raise SourceError(
            tr("row {row} of {where} is empty, but the column names should be there",
               row=header_row, where=name),
            hint=_first_text_hint(data, end, header_row + 1, quote),
        )
    return pos, end


def _first_text_hint(data: bytes, pos: int, first_row: int, quote: str | None) -> str:
    """Point at the first row with text from `pos` (row `first_row`), looking a little way."""
    for row in range(first_row, first_row + 100):
        if pos >= len(data):
            break
        end, _ = _record_end(data, pos, quote)
        if data[pos:end].strip():
            return tr("the first row with text is row {first}: set header_row: {first} under"
                      " source:", first=row)
        pos = end
    return tr("set header_row: under source: to the row with the column names")


def _too_few_rows(name: str, rows: int, header_row: int) -> NoReturn:
    raise SourceError(
        plural(rows, "the header should be on row {row}, but {where} has only 1 row(s)",
               "the header should be on row {row}, but {where} has only {count} row(s)",
               row=header_row, where=name),
        hint=tr("set header_row: under source: to the row with the column names"),
    )
