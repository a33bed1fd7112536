"""Read a CSV or Excel export into a polars frame of text, numbered like a spreadsheet.

This is the first stage of a conversion: everything after it works on a `Table`. Every
value stays text here (so "00123" keeps its zeros); the stages that know what a column
means turn text into numbers and dates. Each record carries `__row__`, the row number a
user sees when opening the file in Excel or LibreOffice, so that every later message can
point at a row. Blank rows are dropped but never renumber the others.

Reading is vectorised (polars for CSV, fastexcel/calamine for workbooks). Python only
looks at the first rows (header, delimiter sniffing) and, when something is wrong, at
the whole file again to say which rows are at fault.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
import stat
import struct
from collections.abc import Iterator, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import NoReturn

import fastexcel
import polars as pl

from yukimap.errors import Problem, SourceError, Where, column_letter
from yukimap.frames import ROW, Table, delimiter_hint
from yukimap.limits import MB, limits, over
from yukimap.model import Source
from yukimap.read import scan

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
SNIFF_DELIMITERS = (";", ",", "\t", "|")
SNIFF_RECORDS = 50  # records after the header that must agree with it
SNIFF_BYTES = 64 * 1024
FORMAT_HINT = "set format: csv (or excel) under source:"
DAMAGED_HINT = scan.DAMAGED_HINT
PREVIEW_ROWS = 30  # rows looked through for column names the mapping misses
PREVIEW_CHARS = 200  # of each cell there
EMPTY_SHEET_HINT = "choose the sheet with the data with sheet: under source:"


def read_table(path: Path, source: Source) -> Table:
    """Read `path` as `source` describes; raise `SourceError` for anything a user must fix."""
    name = str(path)
    _check_file(path, name)
    if source.header_row < 1 or source.skip_last < 0:
        raise SourceError(
            "header_row must be 1 or more and skip_last 0 or more",
            hint="check source: in the mapping file",
        )
    table = (_read_csv if _format(path, source) == "csv" else _read_excel)(path, name, source)
    return replace(table, find_columns=partial(find_columns, table))


def _check_file(path: Path, name: str) -> None:
    """A regular file within max_file_mb; a device, pipe or socket is never opened: reading
    /dev/zero or a pipe nobody writes to would never end."""
    try:
        status = path.stat()
    except OSError:
        raise SourceError(f"cannot find {name}",
                          hint="check the file name and its folder") from None
    if stat.S_ISDIR(status.st_mode):
        raise SourceError(f"{name} is a folder, not a file", hint="give the export file itself")
    if not stat.S_ISREG(status.st_mode):
        raise SourceError(f"{name} is not a regular file but {_kind(status.st_mode)}",
                          hint="give the export file itself")
    _check_size(status.st_size, name)


def _kind(mode: int) -> str:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _check_size(size: int, name: str) -> None:
    if size > limits().max_file_mb * MB:
        message, hint = over("max_file_mb", name, f"{size / MB:,.1f} MB")
        raise SourceError(message, hint=hint)


def _format(path: Path, source: Source) -> str:
    if source.format:
        return source.format
    ext = path.suffix.lower()
    if ext in CSV_EXTENSIONS:
        return "csv"
    if ext in EXCEL_EXTENSIONS:
        return "excel"
    known = ", ".join(CSV_EXTENSIONS + EXCEL_EXTENSIONS)
    raise SourceError(
        f"cannot tell the format of {path} from its extension"
        f" ({ext or 'it has none'}); yukimap reads {known}",
        hint=FORMAT_HINT,
    )


# ---------------------------------------------------------------------------------------
# Shared: header names, cleaning, numbering


def _header_names(cells: Sequence[str | None], letters: Sequence[str]) -> list[str]:
    """Usable, unique column names: stripped, empty ones named "(C)", repeats "Name (F)"."""
    names: list[str] = []
    seen = {ROW}
    for cell, letter in zip(cells, letters):
        name = _name(cell) or f"({letter})"
        while name in seen:
            name = f"{name} ({letter})"
        seen.add(name)
        names.append(name)
    return names


def _name(cell: str | None) -> str:
    return (cell or "").strip().replace("\ufeff", "").strip()


def _repeated(cells: Sequence[str | None], letters: Sequence[str]) -> dict[str, tuple[str, ...]]:
    seen: dict[str, list[str]] = {}
    for cell, letter in zip(cells, letters):
        if _name(cell):
            seen.setdefault(_name(cell), []).append(letter)
    return {name: tuple(found) for name, found in seen.items() if len(found) > 1}


def _check_header(cells: Sequence[str | None], where: str, header_row: int) -> None:
    if len(cells) > limits().max_columns:
        message, hint = over("max_columns", f"the header of {where} (row {header_row})",
                             f"{len(cells):,} columns")
        raise SourceError(message, hint=hint)


def _check_rows(read: int, where: str) -> None:
    """`read` records were read of at most max_rows + 1."""
    if read > limits().max_rows:
        message, hint = over("max_rows", where, f"it has more than {limits().max_rows:,} rows"
                             " of data")
        raise SourceError(message, hint=hint)


def _check_cells(table: Table, header: Sequence[str | None], where: str) -> None:
    """Every cell within max_cell_chars, the header's too; all cells over it, located."""
    bound = limits().max_cell_chars
    found = [(len(c or ""), table.header_row, table.letters[n])
             for c, n in zip(header, table.columns) if len(c or "") > bound]
    frame = table.frame
    lengths = [pl.col(c).str.len_chars().fill_null(0) for c in table.columns]
    if lengths:
        over_rows = frame.filter(pl.any_horizontal([n > bound for n in lengths]))
        for column in table.columns:
            hits = over_rows.filter(pl.col(column).str.len_chars() > bound)
            found += [(len(v), r, table.letters[column])
                      for v, r in hits.select(column, ROW).iter_rows()]
    if not found:
        return
    found.sort(key=lambda f: (f[1], f[2]))
    longest = max(found)
    message, hint = over("max_cell_chars", f"the longest cell of {where}",
                         f"{longest[0]:,} characters, row {longest[1]}, column {longest[2]}")
    raise SourceError(message, hint=hint, problems=[
        Problem(f"over {bound:,} characters",
                Where(file=table.file, sheet=table.sheet, rows=(row,)),
                value=f"column {letter}: {length:,} characters")
        for length, row, letter in found])


def _clean(column: pl.Expr) -> pl.Expr:
    """Strip surrounding whitespace (polars' strip also removes U+00A0); "" becomes null."""
    stripped = column.str.strip_chars()
    return pl.when(stripped.str.len_bytes() > 0).then(stripped)


def _finish(raw: pl.DataFrame, names: list[str], skip_last: int) -> pl.DataFrame:
    """Name and clean the columns of `raw` ("_0", "_1", ... and ROW), drop empty rows."""
    sources = [f"_{i}" for i in range(len(names))]
    cleaned = [_clean(pl.col(s)).alias(s) for s in sources]
    frame = raw.select([*cleaned, pl.col(ROW).cast(pl.Int64)])
    if sources:
        frame = frame.filter(pl.any_horizontal([pl.col(s).is_not_null() for s in sources]))
    if skip_last:
        frame = frame.head(max(0, frame.height - skip_last))
    return frame.rename(dict(zip(sources, names)))


def _table(frame: pl.DataFrame, name: str, header: Sequence[str | None], letters: list[str],
           header_row: int, **how: object) -> Table:
    """The table, once its header, rows and cells are within the limits."""
    names = list(frame.columns[:-1])
    table = Table(
        frame=frame,
        file=name,
        columns=tuple(names),
        letters=dict(zip(names, letters)),
        header_row=header_row,
        repeated=_repeated(header, letters),
        **how,  # type: ignore[arg-type]
    )
    where = name if table.sheet is None else f"sheet {table.sheet!r} of {name}"
    _check_cells(table, header, where)
    return table


def _preview(rows: Iterator[Sequence[str | None]]) -> tuple[tuple[str | None, ...], ...]:
    return tuple(tuple(c[:PREVIEW_CHARS] if c else None for c in row)
                 for _, row in zip(range(PREVIEW_ROWS), rows))


# ---------------------------------------------------------------------------------------
# CSV


def _read_csv(path: Path, name: str, source: Source) -> Table:
    content = _read_bytes(path, name)
    data, encoding = _decode(content, name, source.encoding)
    if not data.strip():
        raise SourceError(f"{name} is empty", hint="export the file again, with its rows")
    data = _line_ends(data)
    quote = _quote_char(source.quote)
    header_start, data_start = _locate_header(data, name, source.header_row, quote)
    delimiter = _delimiter(data, name, source, quote, header_start)
    # polars needs a separator even for a one-column file: one byte that never occurs.
    unused = (c for c in "\x1f\x1e\x1d\x1c" if c.encode() not in data)
    separator = delimiter or next(unused, "\x1f")
    header = _header(data[header_start:data_start], name, separator, quote, source.header_row)
    letters = [column_letter(i) for i in range(len(header))]
    names = _header_names(header, letters)
    body = data[data_start:]
    first_line = data.count(b"\n", 0, data_start) + 1
    _check_lines(body, name, first_line)
    try:
        raw = pl.read_csv(
            body,
            has_header=False,
            separator=separator,
            quote_char=quote,
            schema={f"_{i}": pl.String for i in range(len(names))},
            raise_if_empty=False,
            truncate_ragged_lines=False,
            row_index_name=ROW,
            row_index_offset=source.header_row + 1,
            n_rows=limits().max_rows + 1,
            missing_columns="insert",  # a blank first row has no fields at all
        )
    except pl.exceptions.PolarsError as exc:
        other = _other_delimiter(data, name, source, quote, header_start, delimiter)
        _explain_csv_failure(body, name, separator, quote, len(names), source.header_row, exc,
                             other)
    _check_rows(raw.height, name)
    frame = _finish(raw, names, source.skip_last)
    table = _table(frame, name, header, letters, source.header_row, delimiter=delimiter,
                   encoding=encoding, preview=_csv_preview(data, separator, quote),
                   other_delimiter=(_other_delimiter(data, name, source, quote, header_start,
                                                     delimiter) if len(names) == 1 else None))
    return replace(table, problems=_encoding_doubts(content, table, source.encoding))


def _line_ends(data: bytes) -> bytes:
    """Old Macs and some tills end lines with CR alone: then every CR ends a line."""
    if b"\r" in data and b"\n" not in data:
        return data.replace(b"\r", b"\n")
    return data


def _header(record: bytes, name: str, separator: str, quote: str | None, row: int
            ) -> list[str]:
    if len(record) > _longest_line():
        _line_too_long(f"the header of {name} (row {row})", len(record))
    cells = _split(record.decode("utf-8"), separator, quote)[0]
    _check_header(cells, name, row)
    return cells


def _longest_line() -> int:
    """The most bytes a line may have: max_columns cells of max_cell_chars (32 MB by
    default). Checked before the line is split: polars takes ten times the size of a cell
    to read it, so one huge cell must never reach it."""
    bounds = limits()
    return bounds.max_columns * bounds.max_cell_chars


def _line_too_long(what: str, length: int) -> NoReturn:
    message, hint = over("max_cell_chars", what, f"it is {length:,} bytes long, more than"
                         f" {limits().max_columns:,} cells of that many characters")
    raise SourceError(message, hint=hint)


def _check_lines(body: bytes, name: str, first_line: int) -> None:
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
                _line_too_long(f"line {line} of {name}", length)


def _csv_preview(data: bytes, separator: str, quote: str | None
                 ) -> tuple[tuple[str | None, ...], ...]:
    """The first records as a spreadsheet shows them, to look for column names in."""
    end = 0
    for _ in range(PREVIEW_ROWS):
        if end >= len(data):
            break
        end, _ = _record_end(data, end, quote)
    try:
        return _preview(iter(_split(data[:min(end, MB)].decode("utf-8", "replace"), separator,
                                    quote)))
    except csv.Error:
        return ()


def _read_bytes(path: Path, name: str) -> bytes:
    """The file's bytes, never more than max_file_mb: it may still be growing."""
    try:
        with path.open("rb") as stream:
            content = stream.read(limits().max_file_mb * MB + 1)
    except OSError as exc:
        raise SourceError(
            f"cannot read {name}: {exc.strerror or exc}",
            hint="check that the file is not open elsewhere and that you may read it",
        ) from None
    _check_size(len(content), name)
    return content


def _quote_char(quote: str | None) -> str | None:
    if not quote:
        return None  # quoting switched off: quote characters are ordinary text
    if len(quote) != 1 or not quote.isascii():
        raise SourceError(
            f"quote must be a single character, not {quote!r}",
            hint='write quote: \'"\' under source: (or quote: "" to switch quoting off)',
        )
    return quote


# -- encoding ------------------------------------------------------------------------------


def _decode(raw: bytes, name: str, setting: str) -> tuple[bytes, str]:
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
        f"unknown encoding {setting!r}",
        hint="write one such as encoding: cp1252, encoding: latin-1 or encoding: utf-16"
        " under source:",
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
            f"{name} contains NUL bytes, so it is probably UTF-16 text without a byte order mark",
            hint=f"add encoding: utf-16-{order} under source:",
        )
    at = body.index(b"\x00")
    line = body.count(b"\n", 0, at) + 1
    raise SourceError(
        f"{name} contains NUL bytes (binary zeros), the first at byte offset {skip + at}"
        f" (line {line}): it is damaged, or not a text file",
        hint=DAMAGED_HINT + "; a workbook needs its .xlsx, .xls or .ods name",
    )


_UTF8_TWINS = ("utf-8", "utf-16", "utf-32")
_LATIN = ("latin_1", "iso8859")


def _encoding_doubts(content: bytes, table: Table, setting: str) -> tuple[Problem, ...]:
    """A warning when the encoding set reads the file into letters it cannot have meant:
    UTF-8 text read as an 8-bit code page ("EthiopiÃ«"), or latin-1 where cp1252's signs
    are (C1 control characters where € was)."""
    codec = table.encoding or "utf-8"
    if content.isascii() or codec.startswith(_UTF8_TWINS):
        return ()
    if _decodes(content, "utf-8"):
        return _doubt(table, f"read as {setting}, the file looks like UTF-8 text: its letters"
                      " come out garbled", _garbled(content, codec), codec, "utf-8")
    if codec.startswith(_LATIN) and re.search(rb"[\x80-\x9f]", content) \
            and _decodes(content, "cp1252"):
        return _doubt(table, f"read as {setting}, the file has control characters where cp1252"
                      " has signs such as €", "[\x80-\x9f]", codec, "cp1252")
    return ()


def _decodes(content: bytes, codec: str) -> bool:
    """Whether `content` is valid in `codec`, a megabyte at a time (no copy of the file)."""
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        for start in range(0, len(content), MB):
            decoder.decode(content[start: start + MB], final=start + MB >= len(content))
    except UnicodeDecodeError:
        return False
    return True


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
    hint = f"set encoding: {better} under source:"
    if value is not None:
        fixed = value.encode(codec, "replace").decode(better, "replace")
        hint += f" ({value!r} then reads {fixed!r})"
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
    message = (
        f"{name} is not valid {label}: the bytes {shown} at byte offset {skip + exc.start}"
        f" (line {line}) cannot be read, in: {context}"
    )
    if codec == "utf-8":
        hint = (
            "the file was probably saved by Excel on Windows;"
            " add encoding: cp1252 under source:"
        )
    else:
        hint = (
            f"the file is not in {setting}; set the right encoding under source:"
            " (often utf-8, cp1252 or utf-16)"
        )
    return SourceError(message, hint=hint)


# -- records and header ----------------------------------------------------------------------


def _record_end(data: bytes, start: int, quote: str | None) -> tuple[int, bool]:
    """Where the record starting at `start` ends (after its newline), and whether a quote
    is left open. Quoted newlines belong to the record: a spreadsheet row is a record."""
    pos = start
    q = quote.encode() if quote else None
    while True:
        newline = data.find(b"\n", pos)
        opening = data.find(q, pos) if q else -1
        if opening < 0 or 0 <= newline < opening:
            return (len(data) if newline < 0 else newline + 1), False
        closing = data.find(q, opening + 1)  # a doubled quote reopens at once: same parity
        if closing < 0:
            return len(data), True
        pos = closing + 1


def _locate_header(data: bytes, name: str, header_row: int, quote: str | None) -> tuple[int, int]:
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
            f"row {header_row} of {name}, the header, opens a quote ({quote}) that is never closed",
            hint=f'check the quotes on that row, or add quote: "" under source: if {quote} is'
            " ordinary text in this file",
            problems=[Problem("quote never closed", Where(file=name, rows=(header_row,)))],
        )
    if not data[pos:end].strip():
        raise SourceError(
            f"row {header_row} of {name} is empty, but the column names should be there",
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
            return f"the first row with text is row {row}: set header_row: {row} under source:"
        pos = end
    return "set header_row: under source: to the row with the column names"


def _too_few_rows(name: str, rows: int, header_row: int) -> NoReturn:
    raise SourceError(
        f"the header should be on row {header_row}, but {name} has only {rows} row(s)",
        hint="set header_row: under source: to the row with the column names",
    )


# The header record may be as long as the file; its cells are held against max_cell_chars
# once split, with their row and column, rather than failing here at 128 KiB.
csv.field_size_limit(2**31 - 1)


def _split(text: str, delimiter: str, quote: str | None) -> list[list[str]]:
    """Records of `text` as Python's csv module splits them (for sniffing and the header)."""
    options = {"quotechar": quote} if quote else {"quoting": csv.QUOTE_NONE}
    stream = io.StringIO(text, newline="")
    return list(csv.reader(stream, delimiter=delimiter, **options))  # type: ignore[arg-type]


def _delimiter(data: bytes, name: str, source: Source, quote: str | None, start: int) -> str | None:
    if source.delimiter is not None:
        return _checked_delimiter(source.delimiter, quote)
    return _sniff(data, name, source, quote, start)


def _checked_delimiter(delimiter: str, quote: str | None) -> str:
    if len(delimiter) != 1 or not delimiter.isascii() or delimiter in "\r\n":
        raise SourceError(
            f"delimiter must be a single character, not {delimiter!r}",
            hint='write it in double quotes, e.g. delimiter: ";" (a tab is delimiter: "\\t")',
        )
    if delimiter == quote:
        raise SourceError(
            f"delimiter and quote are both {delimiter!r}",
            hint="they must differ; check source: in the mapping file",
        )
    return delimiter


def _label(delimiter: str) -> str:
    return "TAB" if delimiter == "\t" else repr(delimiter)


def _yaml(delimiter: str) -> str:
    return '"\\t"' if delimiter == "\t" else f'"{delimiter}"'


def _sniff(data: bytes, name: str, source: Source, quote: str | None, start: int) -> str | None:
    """The one delimiter that splits the header and the first records alike, or None for a
    one-column file. Refuses to guess between candidates that fit equally well."""
    sample = data[start : start + SNIFF_BYTES]
    cut_short = start + SNIFF_BYTES < len(data)
    if cut_short and b"\n" in sample:
        sample = sample[: sample.rfind(b"\n") + 1]
    text = sample.decode("utf-8", errors="replace")
    fits: dict[str, int] = {}
    misfits: list[str] = []
    for candidate, records in _candidate_splits(text, quote):
        if not records or len(records[0]) < 2:
            continue  # not in the header (outside quotes)
        width = len(records[0])
        rows = _sample_rows(records, cut_short, source.skip_last, source.header_row)
        longer = [(row, len(r)) for row, r in rows if len(r) > width]
        # Rows may leave out empty trailing fields, but most must match the header.
        exact = sum(len(r) == width for _, r in rows)
        if longer:
            row, got = longer[0]
            misfits.append(
                f"with {_label(candidate)} the header has {width} columns but row {row} has {got}"
            )
        elif rows and exact * 2 <= len(rows):
            misfits.append(
                f"with {_label(candidate)} the header has {width} columns but most rows have fewer"
            )
        else:
            fits[candidate] = width
    if not fits and not misfits:
        _refuse_one_column_header(text, name, source, quote, cut_short)
        return None
    best = max(fits.values(), default=0)
    winners = [c for c, width in fits.items() if width == best]
    if len(winners) == 1:
        return winners[0]
    if winners:
        both = " and ".join(_label(c) for c in winners)
        reason = f"{both} each split the header and the rows into {best} columns"
        example = winners[0]
    else:
        reason = "; ".join(misfits)
        example = ";"
    raise SourceError(
        f"cannot tell which character separates the columns of {name}: {reason}",
        hint=f"add delimiter: {_yaml(example)} under source: (with the character your file uses)",
    )


def _sample_rows(
    records: list[list[str]], cut_short: bool, skip_last: int, header_row: int
) -> list[tuple[int, list[str]]]:
    """The first records after the header, numbered, without blank ones or a footer."""
    rows = [(header_row + i, r) for i, r in enumerate(records) if i and r]
    if cut_short:
        rows = rows[:-1]  # the sample may end inside a record
    elif skip_last:
        rows = rows[:-skip_last]
    return rows[:SNIFF_RECORDS]


def _candidate_splits(text: str, quote: str | None) -> Iterator[tuple[str, list[list[str]]]]:
    """The sample split by each delimiter yukimap can sniff (those that split at all)."""
    for candidate in SNIFF_DELIMITERS:
        if candidate == quote:
            continue
        try:
            yield candidate, _split(text, candidate, quote)
        except csv.Error:
            continue


def _refuse_one_column_header(
    text: str, name: str, source: Source, quote: str | None, cut_short: bool
) -> None:
    """A header without any delimiter is a one-column file, unless the rows below it all
    have several columns: then the header is most likely a title above the real one."""
    for candidate, records in _candidate_splits(text, quote):
        rows = _sample_rows(records, cut_short, source.skip_last, source.header_row)
        widths = {len(r) for _, r in rows}
        if len(widths) == 1 and min(widths) > 1:
            raise SourceError(
                f"row {source.header_row} of {name} has a single column name, but the rows below"
                f" it have {min(widths)} columns separated by {_label(candidate)}",
                hint="if the column names are on a later row, set header_row: under source:"
                " to that row; if the file really has one column, add delimiter: \"|\" (or"
                " another character that does not occur in it) under source:",
            )


# -- what went wrong ------------------------------------------------------------------------


def _explain_csv_failure(
    body: bytes,
    name: str,
    delimiter: str,
    quote: str | None,
    width: int,
    header_row: int,
    exc: Exception,
    other: str | None = None,
) -> NoReturn:
    """polars stops at the first bad record; find every bad record to show them all. With
    the wrong delimiter set, rows look too long or badly quoted: `other` is the one the
    file seems to use, and the fix then names it."""
    records = _record_stats(body, delimiter, quote).with_columns(
        (pl.col("record") + header_row + 1).alias(ROW)
    )
    # A stray quote merges lines into one record: its field count means nothing.
    reliable = ~pl.col("unclosed") & ~pl.col("odd_quotes")
    too_long = records.filter(reliable & (pl.col("fields") > width))
    if too_long.height:
        problems = [
            Problem(
                f"more fields than the header ({width})",
                Where(file=name, rows=(row,)),
                value=f"{fields} fields",  # the report shows "row 7: '5 fields'" under the cause
            )
            for row, fields in too_long.select(ROW, "fields").iter_rows()
        ]
        raise SourceError(
            f"{len(problems)} row(s) of {name} have more fields than the header ({width})",
            hint=delimiter_hint(other) or f"check the delimiter ({_label(delimiter)}) and the"
            f" quotes on those rows: a value that contains {_label(delimiter)} must be in quotes",
            problems=problems,
        )
    unclosed = records.filter(pl.col("unclosed"))
    if quote and unclosed.height:
        row = unclosed[ROW][0]
        raise SourceError(
            f"row {row} of {name} opens a quote ({quote}) that is never closed",
            hint=f"check the quotes on that row, or add quote: \"\" under source: if {quote} is"
            " ordinary text in this file",
            problems=[Problem("quote never closed", Where(file=name, rows=(row,)))],
        )
    odd = records.filter(pl.col("odd_quotes"))[ROW].to_list()
    if quote and odd:
        raise SourceError(
            f"{len(odd)} row(s) of {name} have badly quoted values",
            hint=delimiter_hint(other) or f"a value in quotes ({quote}) must be quoted as a"
            f" whole, with any {quote} inside it doubled; or add quote: \"\" under source: if"
            f" {quote} is ordinary text here",
            problems=[Problem("badly quoted value", Where(file=name, rows=(row,))) for row in odd],
        )
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    raise SourceError(
        f"cannot read {name} as CSV ({reason})",
        hint="check the delimiter and the quotes in the file",
    )


def _other_delimiter(data: bytes, name: str, source: Source, quote: str | None, start: int,
                     used: str | None) -> str | None:
    """The delimiter sniffing finds, when it is not the one used."""
    try:
        found = _sniff(data, name, replace(source, delimiter=None), quote, start)
    except SourceError:
        return None
    return found if found != used else None


def _record_stats(body: bytes, delimiter: str, quote: str | None) -> pl.DataFrame:
    """Per record: index, number of fields, open quote, odd quoting. Vectorised: records are
    physical lines joined while a quote is open, as polars splits them."""
    lines = pl.Series("line", [body.decode("utf-8")]).str.split("\n").explode()
    if body.endswith(b"\n"):
        lines = lines.head(-1)
    frame = pl.DataFrame({"line": lines}).with_columns(
        pl.col("line").str.count_matches(quote, literal=True).alias("quotes")
        if quote
        else pl.lit(0).alias("quotes")
    )
    inside = (pl.col("quotes").cum_sum() - pl.col("quotes")) % 2 == 1
    frame = frame.with_columns(((~inside).cum_sum() - 1).alias("record"))
    if frame.height and frame["record"][-1] == frame.height - 1:
        records = frame  # no quoted newlines: every line is a record
    else:
        records = frame.group_by("record", maintain_order=True).agg(
            pl.col("line").str.join("\n"), pl.col("quotes").sum()
        )
    text = pl.col("line")
    if quote:
        q, d = re.escape(quote), re.escape(delimiter)
        # Whole quoted fields become a NUL mark, so delimiters inside them do not count and
        # text glued to a closing quote ("a"b) shows up as a mark followed by text.
        text = text.str.replace_all(f"(^|{d}){q}(?:[^{q}]|{q}{q})*{q}", "${1}\x00")
    return records.select(
        "record",
        (text.str.count_matches(delimiter, literal=True) + 1).alias("fields"),
        (pl.col("quotes") % 2 == 1).alias("unclosed"),
        (
            text.str.contains(f"\x00[^{re.escape(delimiter)}\r]")
            | (text.str.contains(quote, literal=True) if quote else pl.lit(False))
        ).alias("odd_quotes"),
    )


# ---------------------------------------------------------------------------------------
# Excel
#
# What fastexcel 0.21 (calamine) does, found by experiment with workbooks written by
# openpyxl, xlwt and by hand (.ods):
# - A sheet's range starts at its first non-empty cell. With header_row=0 or None it also
#   skips leading empty rows, and header_row >= 1 counts from sheet row 1 except that 0
#   means "first non-empty row": neither gives reliable coordinates. With header_row=None
#   *and* skip_rows=0, row i of the frame is sheet row i + 1 in .xlsx, .xls and .ods alike,
#   leading empty rows included. Leading empty columns are left out, but each column's
#   `absolute_index` is its real 0-based position (C -> 2). So the header is taken from
#   the raw grid here, not by fastexcel.
# - dtypes="string" renders numbers without a trailing ".0" (2 -> "2", 14.88 -> "14.88"),
#   rounded to 9 decimals (1/3 -> "0.333333333", 0.1+0.2 -> "0.3", 1e-10 -> "0"), never in
#   exponent notation; booleans as "true"/"false". Dates and datetimes come out as
#   "2024-03-01 00:00:00" (.xlsx/.xls), or as written in .ods ("2024-03-01",
#   "2024-03-01T13:45:10"); time-only cells as "1899-12-31 13:45:00" (.ods time cells come
#   out empty). Error cells (#DIV/0!) and formulas without a cached value come out empty.
# - A damaged .xls can make calamine panic (a Rust panic, not an Exception) instead of
#   returning an error; a cut-short file is checked for before calamine sees it.

_DATE_RULES = (
    # time-only cells: Excel's day zero carries no information
    (r"^1899-12-3[01][ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)$", "${1}"),
    (r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(?:\.0+)?$", "${1}"),
    (r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})", "${1} ${2}"),
)


def _read_excel(path: Path, name: str, source: Source) -> Table:
    reader, extents, content = _open_workbook(path, name)
    sheets = list(reader.sheet_names)
    index = _sheet_index(sheets, source.sheet, name)
    sheet_name = sheets[index]
    where = f"sheet {sheet_name!r} of {name}"
    scan.check_sheet(extents, sheet_name, where, source.header_row)
    grid, absolute = _load(reader, index, path, name, content)
    if grid.height == 0 or grid.width == 0:
        raise SourceError(f"{where} is empty", hint=EMPTY_SHEET_HINT)
    header = _excel_header(grid, where, source.header_row)
    _check_header(header, where, source.header_row)
    letters = [column_letter(i) for i in absolute]
    names = _header_names(header, letters)
    raw = grid.slice(source.header_row).with_row_index(ROW, offset=source.header_row + 1)
    _check_rows(raw.height, where)
    frame = _finish(raw, names, source.skip_last)
    return _table(frame, name, header, letters, source.header_row, sheet=sheet_name,
                  preview=_preview(grid.head(PREVIEW_ROWS).iter_rows()), sheets=tuple(sheets))


def _load(reader: fastexcel.ExcelReader, index: int, path: Path, name: str, content: bytes,
          rows: int | None = None) -> tuple[pl.DataFrame, list[int]]:
    """Sheet `index` as text columns "_0", "_1", ..., and each one's 0-based column."""
    try:
        sheet = reader.load_sheet(index, header_row=None, skip_rows=0, n_rows=rows,
                                  dtypes="string")
        grid = sheet.to_polars()
        absolute = [column.absolute_index for column in sheet.available_columns()]
    except Exception as exc:
        raise _damaged(path, name, exc, content) from None
    except BaseException as exc:  # noqa: B036 - a calamine panic; see the comment above
        if type(exc).__name__ != "PanicException":
            raise
        raise _damaged(path, name, exc, content) from None
    del sheet  # calamine's copy of the cells: the frame is all that is needed now
    grid = grid.rename(dict(zip(grid.columns, (f"_{i}" for i in range(grid.width)))))
    return grid.with_columns(_excel_text(pl.col(c)) for c in grid.columns), absolute


def find_columns(table: Table, names: Sequence[str]) -> dict[str, tuple[str | None, int]]:
    """Where names the mapping misses are: (sheet, row) of the first row that has each,
    among the first rows of the file or sheet read, then of the workbook's other sheets
    (read here again: only when a column is missing)."""
    found = _in_rows(table.preview, names, table.sheet, skip=table.header_row)
    others = [s for s in table.sheets if s != table.sheet]
    if len(found) == len(names) or not others:
        return found
    try:
        reader, extents, content = _open_workbook(Path(table.file), table.file)
        for sheet in others:
            index = table.sheets.index(sheet)
            try:
                scan.check_sheet(extents, sheet, sheet, 1)
                grid, _ = _load(reader, index, Path(table.file), table.file, content,
                                PREVIEW_ROWS)
            except SourceError:
                continue
            rest = [n for n in names if n not in found]
            found |= _in_rows(_preview(grid.iter_rows()), rest, sheet)
    except SourceError:
        pass  # the file changed since it was read: the usual hint then
    return found


def _in_rows(rows: Sequence[Sequence[str | None]], names: Sequence[str], sheet: str | None,
             skip: int = 0) -> dict[str, tuple[str | None, int]]:
    found: dict[str, tuple[str | None, int]] = {}
    for number, row in enumerate(rows, start=1):
        cells = {_name(c) for c in row} if number != skip else set()
        found |= {n: (sheet, number) for n in names if n in cells and n not in found}
    return found


def _excel_text(cell: pl.Expr) -> pl.Expr:
    for pattern, replacement in _DATE_RULES:
        cell = cell.str.replace(pattern, replacement)
    return cell


def _excel_header(grid: pl.DataFrame, where: str, header_row: int) -> list[str | None]:
    if header_row > grid.height:
        raise SourceError(
            f"the header should be on row {header_row}, but {where} has only {grid.height} row(s)",
            hint="set header_row: under source: to the row with the column names",
        )
    cells = [None if c is None or not c.strip() else c for c in grid.row(header_row - 1)]
    if all(c is None for c in cells):
        filled = grid.with_row_index("_n", offset=1).filter(
            pl.any_horizontal([_clean(pl.col(c)).is_not_null() for c in grid.columns])
        )
        first = filled["_n"][0] if filled.height else None
        if first is None:
            raise SourceError(f"{where} is empty", hint=EMPTY_SHEET_HINT)
        raise SourceError(
            f"row {header_row} of {where} is empty, but the column names should be there",
            hint=f"the first row with text is row {first}: set header_row: {first} under source:"
            " if the column names are there",
        )
    return cells


def _open_workbook(path: Path, name: str
                   ) -> tuple[fastexcel.ExcelReader, scan.Extents, bytes]:
    """The workbook, how far its sheets reach, and its bytes. calamine reads the bytes that
    were checked, not the file again: in a hot folder it may have changed since."""
    content = _read_bytes(path, name)
    cut_short = _cfb_cut_short(content)
    if cut_short:
        raise SourceError(
            f"cannot open {name} as an Excel workbook: {cut_short}", hint=DAMAGED_HINT
        )
    extents = scan.inspect(content, name)
    try:
        return fastexcel.read_excel(content), extents, content
    except Exception as exc:
        raise _damaged(path, name, exc, content) from None
    except BaseException as exc:  # noqa: B036 - a calamine panic on a damaged file
        if type(exc).__name__ != "PanicException":
            raise
        raise _damaged(path, name, exc, content) from None


def _damaged(
    path: Path, name: str, exc: BaseException, content: bytes | None = None
) -> SourceError:
    head = (content if content is not None else _read_bytes(path, name))[:2048]
    hint = DAMAGED_HINT
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html", b"<table")):
        reason = "it is a web page (HTML), not a workbook"
        hint += "; or open it in Excel and save it as .xlsx"
    elif head and not _workbook_start(head) and _is_text(head):
        reason = "it is a text file, not a workbook"
        hint += "; if it is a CSV export, set format: csv under source:"
    elif type(exc).__name__ == "PanicException":
        reason = "its inner structure is damaged"
    else:
        lines = str(exc).strip().splitlines() or [type(exc).__name__]
        reason = lines[0].removeprefix("calamine error: ")
    return SourceError(f"cannot open {name} as an Excel workbook: {reason}", hint=hint)


def _workbook_start(head: bytes) -> bool:
    """Whether `head` begins like a zip (.xlsx, .ods) or an OLE file (.xls), even cut short."""
    return any(magic.startswith(head[: len(magic)]) for magic in (b"PK\x03\x04", _CFB_MAGIC))


def _is_text(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if b"\x00" in head:
        return False
    return head.decode("utf-8", errors="replace").count("\ufffd") * 50 <= len(head)


_CFB_MAGIC = scan.CFB_MAGIC
_CFB_LAST_ID = 0xFFFFFFFA  # ids above are markers (free, end of chain, FAT, DIFAT)
_CFB_FREE = 0xFFFFFFFF


def _cfb_cut_short(content: bytes) -> str | None:
    """Why an .xls (an OLE compound file) is cut short, or None.

    calamine panics when a sector lies beyond the end of the file, which is what a file
    still being copied looks like; the sector table says how long the file must be.
    """
    if len(content) < 512 or not content.startswith(_CFB_MAGIC):
        return None
    shift = int.from_bytes(content[0x1E:0x20], "little")
    if shift not in (9, 12):
        return None
    size = 1 << shift
    fat_sectors = [i for i in struct.unpack_from("<109I", content, 0x4C) if i < _CFB_LAST_ID]
    difat, count = struct.unpack_from("<II", content, 0x44)
    for _ in range(count):  # big files list further FAT sectors in a chain
        if difat >= _CFB_LAST_ID:
            break
        if (difat + 2) * size > len(content):
            return "the file is cut short"
        ids = struct.unpack_from(f"<{size // 4}I", content, (difat + 1) * size)
        fat_sectors += [i for i in ids[:-1] if i < _CFB_LAST_ID]
        difat = ids[-1]
    used = -1
    for number, sector in enumerate(fat_sectors):
        if (sector + 2) * size > len(content):
            return "the file is cut short"
        entries = struct.unpack_from(f"<{size // 4}I", content, (sector + 1) * size)
        in_use = (i for i in range(len(entries) - 1, -1, -1) if entries[i] != _CFB_FREE)
        last = next(in_use, -1)
        if last >= 0:
            used = number * (size // 4) + last
    if (used + 2) * size > len(content):
        return "the file is cut short"
    return None


def _sheet_index(sheets: list[str], wanted: str | int | None, name: str) -> int:
    if wanted is None:
        return 0
    listing = ", ".join(repr(s) for s in sheets)
    if isinstance(wanted, int):
        if 1 <= wanted <= len(sheets):
            return wanted - 1
        raise SourceError(
            f"there is no sheet {wanted} in {name}: it has {len(sheets)} sheet(s): {listing}",
            hint=f"set sheet: to a number from 1 to {len(sheets)} (or a name) under source:",
        )
    if wanted in sheets:
        return sheets.index(wanted)
    nearest = sorted(
        sheets,
        key=lambda s: -difflib.SequenceMatcher(None, wanted.lower(), s.lower()).ratio(),
    )
    raise SourceError(
        f"there is no sheet {wanted!r} in {name}; its sheets are, nearest first: "
        + ", ".join(repr(s) for s in nearest),
        hint=f'sheet: "{nearest[0]}"',
    )


