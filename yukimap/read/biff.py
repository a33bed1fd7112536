"""How far each sheet of an .xls reaches: the BIFF records of its workbook stream, cell by
cell, and what its DIMENSIONS records declare; and the size of the shared strings its cells
show."""

from __future__ import annotations

import struct
from collections import Counter
from dataclasses import replace

from yukimap.read.cfb import workbook_stream
from yukimap.read.extent import (
    ERROR_CODES,
    MAX_ERRORS,
    CellError,
    Extent,
    Extents,
    with_widest,
)

_BOF, _EOF, _BOUNDSHEET, _DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x0200
_SST, _CONTINUE, _LABELSST = 0x00FC, 0x003C, 0x00FD
_CELLS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0204, 0x0205, 0x0201, 0x00D6}
_RUNS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: one row, a run of columns
_FORMULA, _BOOLERR = 0x0006, 0x0205


def xls_extents(content: bytes, name: str) -> Extents:
    data = workbook_stream(content, name)
    if data is None:
        return {}
    names = _sheet_names(data)
    strings = _shared_string_sizes(data)
    extents: Extents = {}
    pos, sheet, cells, declared = 0, "", Extent(), Extent(declared=True)
    shown: Counter[int] = Counter()  # shared-string index -> cells of this sheet showing it
    errors: list[CellError] = []
    while pos + 4 <= len(data):
        kind, size = struct.unpack_from("<HH", data, pos)
        record = data[pos + 4: pos + 4 + size]
        if kind == _BOF:
            sheet, cells, declared = names.get(pos, ""), Extent(), Extent(declared=True)
            shown, errors = Counter(), []
        elif kind == _EOF:
            texts = sum(_size(strings, index) * n for index, n in shown.items())
            extents[sheet] = (replace(cells, texts=texts, errors=tuple(errors)), declared)
        elif kind == _DIMENSIONS:
            declared = declared.widest(_dimensions(record))
        elif kind in _CELLS and size >= 4:
            row, column = struct.unpack_from("<HH", record)
            cells = cells.widest(Extent(row + 1, column + 1))
            if kind == _LABELSST and size >= 10:
                shown[struct.unpack_from("<I", record, 6)[0]] += 1
            error = _error(kind, record)
            if error is not None and len(errors) < MAX_ERRORS:
                errors.append((row + 1, column + 1, error))
        elif kind in _RUNS and size >= 6:
            row, = struct.unpack_from("<H", record)
            last, = struct.unpack_from("<H", record, size - 2)
            cells = cells.widest(Extent(row + 1, last + 1))
        pos += 4 + size
    return with_widest(extents)


def _error(kind: int, record: bytes) -> str | None:
    """The error an error cell shows: a formula whose saved result is an error (its result
    bytes: 2, then the code, and 0xFFFF at their end), or an error value (BOOLERR, its
    flag byte 1)."""
    if kind == _FORMULA and len(record) >= 14 and record[6] == 2 and record[12:14] == b"\xff\xff":
        return ERROR_CODES.get(record[8], "#ERROR")
    if kind == _BOOLERR and len(record) >= 8 and record[7] == 1:
        return ERROR_CODES.get(record[6], "#ERROR")
    return None


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
            raise IndexError("cut short")  # i18n: caught below, never shown

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
