"""What a workbook holds, found before calamine reads it: its true sizes, and how far each
sheet reaches.

calamine (through fastexcel) reads a sheet as one rectangle from its first to its last
cell, and trusts what a file declares: a 2 KB .xlsx with one cell at XFD1048576 asks for
512 GB and aborts the process, a zip part can inflate a thousandfold, an .ods repeats one
cell 17 billion times, an .xls declares 4 billion rows. So a workbook is first read here as
a stream, in bounded memory: the zip's directory (sizes and ratios, before anything is
unpacked), then every part unpacked once (its true size and CRC), and each sheet's cell
references (.xlsx), repeated cells (.ods) or cell records (.xls), to find how many rows and
columns it really spans. The reader holds the sheet it reads against the limits.
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import IO

from yukimap.errors import SourceError, column_letter
from yukimap.limits import MB, limits
from yukimap.read.cfb import CFB_MAGIC, workbook_stream
from yukimap.read.files import damaged, refuse

_CHUNK = 4 * MB
_RATIO_FROM = MB  # small parts (styles, themes) compress well and inflate to little


@dataclass(frozen=True)
class Extent:
    """How far a sheet reaches: its last row and last column that hold a cell (1-based),
    or, `declared`, the size the file itself declares for it."""

    rows: int = 0
    columns: int = 0
    declared: bool = False
    texts: int = 0  # bytes of shared strings its cells repeat (calamine copies each time)

    def widest(self, other: Extent) -> Extent:
        return Extent(max(self.rows, other.rows), max(self.columns, other.columns),
                      self.declared or other.declared, max(self.texts, other.texts))

    @property
    def corner(self) -> str:
        return f"{column_letter(self.columns - 1)}{self.rows}"


Extents = dict[str | None, tuple[Extent, ...]]  # sheet name (None: any sheet) -> its extents


def inspect(content: bytes, name: str) -> Extents:
    """Each sheet's extents; raise SourceError for a workbook over the limits or damaged.

    calamine reads every sheet of an .xls or .ods as it opens the file (an .xlsx sheet only
    when it is asked for), so every sheet of those is held to the limits here.
    """
    if content.startswith(CFB_MAGIC):
        extents, eager = _xls(content, name), True
    elif content.startswith(b"PK") or b"PK\x05\x06" in content[-65_557:]:
        # a zip is found from its end, as calamine finds it: the start may be damaged
        extents, eager = _zip(content, name)
    else:
        return {}  # neither: calamine cannot open it either
    if eager:
        for sheet in extents:
            if sheet:
                check_sheet(extents, sheet, f"sheet {sheet!r} of {name}", 1)
    return extents


def check_sheet(extents: Extents, sheet: str, where: str, header_row: int) -> None:
    """Refuse a sheet that reaches beyond max_columns, max_rows or max_cells."""
    bounds = limits()
    for extent in extents.get(sheet) or extents.get(None, ()):
        if extent.declared:
            size = f"it declares {extent.rows:,} rows by {extent.columns:,} columns"
            far, deep, many = size, size, size
        else:
            far = f"it has cells up to column {column_letter(extent.columns - 1)}:" \
                  f" {extent.columns:,} columns"
            deep = f"it has cells down to row {extent.rows:,}"
            many = f"its cells reach {extent.corner}: {extent.rows:,} rows by" \
                   f" {extent.columns:,} columns"
        if extent.columns > bounds.max_columns:
            refuse("max_columns", where, far)
        if extent.rows - header_row > bounds.max_rows:
            refuse("max_rows", where, deep)
        if extent.rows * extent.columns > bounds.max_cells:
            refuse("max_cells", where, many)
        if extent.texts > bounds.max_sheet_text_mb * MB:
            refuse("max_sheet_text_mb", f"the text of {where}",
                  f"its cells repeat text to {extent.texts / MB:,.0f} MB")


def _with_widest(extents: Extents) -> Extents:
    """`extents` and, under None, the widest of them all: for a sheet whose part could not
    be told, to be safe."""
    widest = [Extent(), Extent(declared=True)]
    for found in extents.values():
        for extent in found:
            widest[extent.declared] = widest[extent.declared].widest(extent)
    return {**extents, None: tuple(widest)}


# ---------------------------------------------------------------------------------------
# .xlsx, .xlsm, .ods: zip files


# What zipfile raises on a damaged archive: its own error, zlib's, a cut-short stream, a
# version or method it does not know, an encrypted part, a bad structure or name.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
               RuntimeError, ValueError, struct.error)


def _zip(content: bytes, name: str) -> tuple[Extents, bool]:
    _check_directory(content, name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except _ZIP_ERRORS as exc:
        raise damaged(name, f"it is not a complete zip file ({exc})") from None
    with archive:
        members = archive.infolist()
        _check_sizes(members, name, len(content))
        if any(m.filename.lower().endswith("workbook.bin") for m in members):
            raise SourceError(f"{name} is an Excel binary workbook (.xlsb), which yukimap does"
                              " not read", hint="open it in Excel and save it as .xlsx")
        extents: Extents = {}
        sheets: dict[str, _XlsxScan] = {}
        shared = _SharedStrings()
        counted = any(m.filename.lower().endswith("sharedstrings.xml") for m in members)
        for member in members:
            scan = _scanner(member.filename, shared, counted)
            _stream(archive, member, name, scan.feed if scan else None)
            if isinstance(scan, _OdsScan):
                extents |= {table: (extent,) for table, extent in scan.tables.items()}
            elif isinstance(scan, _XlsxScan):
                sheets[member.filename] = scan
        parts = {part: scan.extent(shared) for part, scan in sheets.items()}
        ods = bool(extents)
        extents |= _xlsx_sheets(archive, parts)
        return _with_widest({**extents, "": tuple(parts.values())}), ods


def _check_directory(content: bytes, name: str) -> None:
    """Python's zipfile keeps an object per member: a huge directory is refused before."""
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 65_557))
    if end < 0 or end + 22 > len(content):
        return  # zipfile says what is wrong
    size = struct.unpack_from("<I", content, end + 12)[0]
    if size == 0xFFFFFFFF and content[end - 20: end - 16] == b"PK\x06\x07":
        at = struct.unpack_from("<Q", content, end - 12)[0]
        if content[at: at + 4] == b"PK\x06\x06" and at + 48 <= len(content):
            size = struct.unpack_from("<Q", content, at + 40)[0]
    bound = limits().zip_members
    if size > bound * 512:
        raise damaged(name, f"its list of parts takes {size:,} bytes, more than a workbook of"
                            f" {bound:,} parts needs")


def _check_sizes(members: list[zipfile.ZipInfo], name: str, on_disk: int) -> None:
    bounds = limits()
    if len(members) > bounds.zip_members:
        raise damaged(name, f"it holds {len(members):,} parts, more than {bounds.zip_members:,}")
    total = sum(m.file_size for m in members)
    if total > bounds.max_unpacked_mb * MB:
        refuse("max_unpacked_mb", f"{name} unzipped",
              f"{total / MB:,.0f} MB, from {on_disk / MB:,.1f} MB")
    for member in members:
        ratio = member.file_size // max(member.compress_size, 1)
        if member.file_size > _RATIO_FROM and ratio > bounds.max_zip_ratio:
            refuse("max_zip_ratio", f"{member.filename} in {name}", f"it unzips {ratio:,} to 1")


def _stream(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str,
            feed: Callable[[bytes], None] | None) -> None:
    """Unpack one part as a stream: zipfile stops at the declared size and checks the CRC,
    so a part that lies about its size is found here, not by calamine."""
    try:
        with archive.open(member) as stream:
            for chunk in _chunks(stream):
                if feed is not None:
                    feed(chunk)
    except _ZIP_ERRORS:
        raise damaged(name, f"its part {member.filename} is damaged") from None


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


def _scanner(part: str, shared: _SharedStrings, counted: bool
             ) -> _XlsxScan | _OdsScan | _SharedStrings | None:
    """How to read a part: `counted`, whether cells' shared strings are counted (a
    workbook without any has nothing for calamine to copy)."""
    if part == "content.xml":
        return _OdsScan()
    if part.lower().endswith("sharedstrings.xml"):
        return shared
    if part.lower().endswith(".xml"):
        return _XlsxScan(counted)
    return None


class _Tokens:
    """Feeds whole tags to `handle`: a chunk is cut before its last `<`, and the rest is
    carried to the next one."""

    def __init__(self) -> None:
        self.carry = b""

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk
        cut = data.rfind(b"<")
        self.carry, data = (data[cut:], data[:cut]) if cut >= 0 else (b"", data)
        self.handle(data)

    def handle(self, data: bytes) -> None:
        raise NotImplementedError


# A start tag whose attribute values may hold ">": quick-xml reads them so, and so must we.
_TAG_BODY = rb"((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
_PREFIX = rb"(?:[\w.-]+:)?"
_ATTRIBUTE = re.compile(rb"\s(" + _PREFIX + rb"[\w.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _attributes(body: bytes) -> dict[bytes, bytes]:
    """Attributes by local name; with a repeated name the largest value counts (calamine
    might take either)."""
    found: dict[bytes, bytes] = {}
    for key, double, single in _ATTRIBUTE.findall(body):
        local = key.rsplit(b":", 1)[-1]
        value = double or single
        old = found.get(local)
        found[local] = value if old is None else max(old, value, key=lambda v: (len(v), v))
    return found


class _XlsxScan(_Tokens):
    """The last row and column of a worksheet part's cells, wherever they are.

    Fast path: every cell starts `<c r="B7"` (as Excel and every library write them) with
    no second r attribute (calamine takes the last), and no tag has a namespace prefix;
    then the distinct references say it all. Otherwise each cell is followed in Python: a
    cell without a reference is the next column of its row (as calamine places it).
    """

    _CELLS = re.compile(rb"<c[\s/>](?:\s*r=\"([A-Z]{1,7})([0-9]{1,10})\")?")
    # A cell with a second r attribute, or a t attribute written other than t="...": one
    # pass, possessive (each run of the tag is consumed once).
    _ODD_ATTRIBUTE = rb"(?:r\s*=|t(?:\s+=|=\s+|='))"
    _ODD = re.compile(rb"<c\s+r=\"[^\"]*+\"(?:[^>\"'\s]++|\"[^\"]*+\"|'[^']*+'|\s++(?!"
                      + _ODD_ATTRIBUTE + rb"))*+\s++" + _ODD_ATTRIBUTE)
    _SHARED = re.compile(rb't="s"[^>]*>\s*<v>([0-9]{1,10})</v>')  # shared string, its index
    _PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
    _TAG = re.compile(rb"<(/?)" + _PREFIX + rb"(row|c)(?=[\s/>])" + _TAG_BODY)

    def __init__(self, counted: bool = True) -> None:
        super().__init__()
        self.counted = counted
        self.letters: set[bytes] = set()
        self.digits: set[bytes] = set()
        self.rows = 0
        self.columns = 0
        self.row = 0  # the row being read, for cells without a reference
        self.column = 0
        self.shared: Counter[bytes] = Counter()  # shared-string index -> cells that show it
        self.unsure = 0  # cells that may show any shared string

    def handle(self, data: bytes) -> None:
        cells = self._CELLS.findall(data)
        letters, digits = (set(found) for found in zip(*cells)) if cells else (set(), set())
        odd = b"" in letters or self._ODD.search(data) or self._PREFIXED.search(data)
        found = self._SHARED.findall(data) if self.counted else []
        self.shared.update(found)
        if self.counted and (odd or len(found) != data.count(b't="s"')):
            # any cell may show any shared string
            self.unsure += len(cells) or data.count(b"<")
        if odd:
            self._follow(data)
            return
        self.letters |= letters
        self.digits |= digits
        if cells:  # a later cell without a reference follows the last one here
            self.row, self.column = _reference(*cells[-1])

    def _follow(self, data: bytes) -> None:
        for closing, tag, body in self._TAG.findall(data):
            if closing:
                continue
            r = _attributes(body).get(b"r", b"")
            if tag == b"row":
                self.row = int(r) if r.isdigit() else self.row + 1
                self.column = 0
                continue
            match = re.fullmatch(rb"([A-Za-z]{1,7})([0-9]{1,10})", r)
            self.row, self.column = (_reference(*match.groups()) if match
                                     else (self.row, self.column + 1))
            self.rows = max(self.rows, self.row)
            self.columns = max(self.columns, self.column)

    def extent(self, shared: _SharedStrings) -> Extent:
        rows = max((int(d) for d in self.digits), default=0)
        columns = max((_column(letters) for letters in self.letters), default=0)
        texts = sum(shared.length(int(i)) * n for i, n in self.shared.items())
        texts += self.unsure * shared.longest()
        return Extent(max(rows, self.rows), max(columns, self.columns), texts=texts)


class _SharedStrings:
    """The size in bytes of each shared string (its <si> element, markup and all: never
    less than its text), from xl/sharedStrings.xml as a stream."""

    def __init__(self) -> None:
        self.lengths: list[int] = []
        self.open = 0  # bytes of the entry not yet closed
        self.tail = b""  # the chunk's last bytes: "</si>" may straddle two chunks

    def feed(self, chunk: bytes) -> None:
        *done, rest = (self.tail + chunk).split(b"</si>")
        for piece in done:
            self.lengths.append(self.open + len(piece))
            self.open = 0
        self.tail = rest[-4:]
        self.open += len(rest) - len(self.tail)

    def longest(self) -> int:
        return max([*self.lengths, self.open + len(self.tail)])

    def length(self, index: int) -> int:
        """An index beyond the entries found (another spelling of </si>?) counts as the
        longest: never less than calamine will copy."""
        return self.lengths[index] if index < len(self.lengths) else self.longest()


def _reference(letters: bytes, digits: bytes) -> tuple[int, int]:
    return int(digits), _column(letters)


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


class _OdsScan(_Tokens):
    """The last row and column of each table's non-empty cells in an .ods content.xml,
    counting repeated rows and cells as what they stand for; and the text they repeat
    (calamine copies a repeated cell's text into every cell it stands for)."""

    _TAG = re.compile(rb"<(/?)" + _PREFIX + rb"(table|table-row|table-cell|covered-table-cell)"
                      rb"(?=[\s/>])" + _TAG_BODY)

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str | None, Extent] = {}
        self.depth = 0  # tables inside cells belong to the outer table
        self.name: str | None = None
        self.row = self.column = self.repeat = 0
        self.filled = False
        self.rows = self.columns = 0
        self.texts = self.row_texts = 0
        self.cell: tuple[int, int] | None = None  # an open cell: bytes so far, its repeat
        self.content = 0  # where the open cell's content starts in this chunk
        self._repeats = 1  # columns the last cell stands for

    def handle(self, data: bytes) -> None:
        self.content = 0
        for match in self._TAG.finditer(data):
            closing, tag, body = match.groups()
            self._close_cell(match.start())
            empty = body.endswith(b"/")
            if tag == b"table":
                self._table(bool(closing), empty, body)
            elif closing:
                if tag == b"table-row":
                    self._end_row()
            elif tag == b"table-row":
                self._start_row(body)
                if empty:
                    self._end_row()
            else:
                self._cell(body, empty)
                if not empty:
                    self.cell, self.content = (0, self._repeats), match.end()
        if self.cell is not None:  # its content goes on in the next chunk
            self.cell = (self.cell[0] + len(data) - self.content, self.cell[1])

    def _close_cell(self, at: int) -> None:
        """The cell whose content ends at `at` (markup and all: no less than its text)."""
        if self.cell is not None:
            size, repeats = self.cell
            self.row_texts += (size + at - self.content) * repeats
            self.cell = None

    def _table(self, closing: bool, empty: bool, body: bytes) -> None:
        if closing:
            self.depth -= 1
            if self.depth == 0:
                self.tables[self.name] = Extent(self.rows, self.columns, texts=self.texts)
            return
        if empty:
            return
        self.depth += 1
        if self.depth == 1:
            name = _attributes(body).get(b"name")
            self.name = _text(name) if name is not None else None
            self.row = self.rows = self.columns = self.texts = 0

    def _start_row(self, body: bytes) -> None:
        self.repeat = _count(_attributes(body).get(b"number-rows-repeated"))
        self.column = 0
        self.filled = False
        self.row_texts = 0

    def _end_row(self) -> None:
        self.texts += self.row_texts * self.repeat
        self.row_texts = 0
        self.row += self.repeat
        if self.filled:
            self.rows = max(self.rows, self.row)

    def _cell(self, body: bytes, empty: bool) -> None:
        attributes = _attributes(body)
        self._repeats = _count(attributes.get(b"number-columns-repeated"))
        self.column += self._repeats
        if not empty or b"value-type" in attributes:
            self.filled = True
            self.columns = max(self.columns, self.column)


def _text(value: bytes) -> str:
    """An attribute's text as calamine gives it: "R&amp;D" is the sheet R&D."""
    return html.unescape(value.decode("utf-8", "replace"))


def _count(value: bytes | None) -> int:
    return int(value) if value is not None and value.isdigit() and int(value) > 0 else 1


_SHEET = re.compile(rb"<" + _PREFIX + rb"sheet(?=[\s/>])" + _TAG_BODY)
_RELATIONSHIP = re.compile(rb"<" + _PREFIX + rb"Relationship(?=[\s/>])" + _TAG_BODY)


def _xlsx_sheets(archive: zipfile.ZipFile, parts: dict[str, Extent]) -> Extents:
    """Each sheet's extent by name, through xl/workbook.xml and its relationships."""
    found: Extents = {}
    try:
        book = archive.read("xl/workbook.xml")
        links = archive.read("xl/_rels/workbook.xml.rels")
    except (KeyError, *_ZIP_ERRORS):
        book = links = b""
    targets = {}
    for body in _RELATIONSHIP.findall(links):
        attributes = _attributes(body)
        target = _text(attributes.get(b"Target", b""))
        targets[attributes.get(b"Id", b"")] = (target.lstrip("/") if target.startswith("/")
                                                else f"xl/{target}")
    for body in _SHEET.findall(book):
        attributes = _attributes(body)
        part = targets.get(attributes.get(b"id", b""))
        if part in parts:
            found[_text(attributes.get(b"name", b""))] = (parts[part],)
    return found


# ---------------------------------------------------------------------------------------
# .xls: BIFF records in an OLE compound file

_BOF, _EOF, _BOUNDSHEET, _DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x0200
_SST, _CONTINUE, _LABELSST = 0x00FC, 0x003C, 0x00FD
_CELLS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0204, 0x0205, 0x0201, 0x00D6}
_RUNS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: one row, a run of columns


def _xls(content: bytes, name: str) -> Extents:
    data = workbook_stream(content, name)
    if data is None:
        return {}
    names = _sheet_names(data)
    strings = _shared_string_sizes(data)
    extents: Extents = {}
    pos, sheet, cells, declared = 0, "", Extent(), Extent(declared=True)
    shown: Counter[int] = Counter()  # shared-string index -> cells of this sheet showing it
    while pos + 4 <= len(data):
        kind, size = struct.unpack_from("<HH", data, pos)
        record = data[pos + 4: pos + 4 + size]
        if kind == _BOF:
            sheet, cells, declared = names.get(pos, ""), Extent(), Extent(declared=True)
            shown = Counter()
        elif kind == _EOF:
            texts = sum(_size(strings, index) * n for index, n in shown.items())
            extents[sheet] = (replace(cells, texts=texts), declared)
        elif kind == _DIMENSIONS:
            declared = declared.widest(_dimensions(record))
        elif kind in _CELLS and size >= 4:
            row, column = struct.unpack_from("<HH", record)
            cells = cells.widest(Extent(row + 1, column + 1))
            if kind == _LABELSST and size >= 10:
                shown[struct.unpack_from("<I", record, 6)[0]] += 1
        elif kind in _RUNS and size >= 6:
            row, = struct.unpack_from("<H", record)
            last, = struct.unpack_from("<H", record, size - 2)
            cells = cells.widest(Extent(row + 1, last + 1))
        pos += 4 + size
    return _with_widest(extents)


def _shared_string_sizes(data: bytes) -> list[int]:
    """The UTF-8 size, at most, of each string of the SST record (and the CONTINUE records
    after it, where characters run on behind a fresh flags byte)."""
    parts = _sst_parts(data)
    sizes: list[int] = []
    if not parts or len(parts[0]) < 8:
        return sizes
    cursor = _Cursor(parts, 8)
    try:
        for _ in range(struct.unpack_from("<I", parts[0], 4)[0]):
            count, flags = cursor.take("<HB")
            extra = (cursor.take("<H")[0] * 4 if flags & 0x08 else 0) \
                + (cursor.take("<I")[0] if flags & 0x04 else 0)
            cursor.characters(count, flags & 0x01)
            cursor.skip(extra)
            sizes.append(count * 3)  # a UTF-16 unit is at most 3 bytes of UTF-8
    except (struct.error, IndexError):
        pass  # cut short: the strings not sized count as the longest
    return sizes


def _sst_parts(data: bytes) -> list[bytes]:
    at = 0
    while at + 4 <= len(data):
        kind, size = struct.unpack_from("<HH", data, at)
        if kind == _SST:
            parts = [data[at + 4: at + 4 + size]]
            at += 4 + size
            while at + 4 <= len(data) and struct.unpack_from("<H", data, at)[0] == _CONTINUE:
                size = struct.unpack_from("<H", data, at + 2)[0]
                parts.append(data[at + 4: at + 4 + size])
                at += 4 + size
            return parts
        if kind == _EOF:
            break
        at += 4 + size
    return []


class _Cursor:
    """Reads on through a record and its CONTINUE records."""

    def __init__(self, parts: list[bytes], pos: int) -> None:
        self.parts, self.part, self.pos = parts, 0, pos

    def _next(self) -> None:
        self.part += 1
        self.pos = 0
        if self.part >= len(self.parts):
            raise IndexError("cut short")

    def take(self, layout: str) -> tuple[int, ...]:
        if self.pos >= len(self.parts[self.part]):
            self._next()
        values = struct.unpack_from(layout, self.parts[self.part], self.pos)
        self.pos += struct.calcsize(layout)
        return values

    def characters(self, count: int, wide: int) -> None:
        while count > 0:
            room = (len(self.parts[self.part]) - self.pos) // (2 if wide else 1)
            taken = min(count, room)
            self.pos += taken * (2 if wide else 1)
            count -= taken
            if count:
                self._next()
                wide = self.parts[self.part][0] & 0x01
                self.pos = 1

    def skip(self, size: int) -> None:
        while self.pos + size > len(self.parts[self.part]):
            size -= len(self.parts[self.part]) - self.pos
            self._next()
        self.pos += size


def _size(sizes: list[int], index: int) -> int:
    return sizes[index] if index < len(sizes) else 32_767 * 3


def _sheet_names(data: bytes) -> dict[int, str]:
    """The stream offset of each sheet's BOF record -> its name, from BOUNDSHEET records."""
    names: dict[int, str] = {}
    pos = 0
    while pos + 4 <= len(data):
        kind, size = struct.unpack_from("<HH", data, pos)
        record = data[pos + 4: pos + 4 + size]
        if kind == _BOUNDSHEET and size >= 8:
            names[struct.unpack_from("<I", record)[0]] = _short_string(record[6:])
        elif kind == _EOF:
            break  # the end of the workbook globals, where the sheets are listed
        pos += 4 + size
    return names


def _short_string(raw: bytes) -> str:
    """A sheet name: a character count, then (BIFF8) a flags byte and the characters."""
    count = raw[0]
    if len(raw) >= 2 and raw[1] in (0, 1) and len(raw) >= 2 + count * (raw[1] + 1):
        wide = raw[1] == 1
        text = raw[2: 2 + count * (2 if wide else 1)]
        return text.decode("utf-16-le" if wide else "latin-1", "replace")
    return raw[1: 1 + count].decode("latin-1")


def _dimensions(record: bytes) -> Extent:
    if len(record) >= 14:  # BIFF8: 32-bit rows
        _, rows, _, columns = struct.unpack_from("<IIHH", record)
    elif len(record) >= 10:
        _, rows, _, columns = struct.unpack_from("<HHHH", record)
    else:
        return Extent(declared=True)
    return Extent(rows, columns, declared=True)
