"""How far each table of an .ods content.xml reaches, counting repeated rows and cells as
what they stand for, read from the part as a stream."""

from __future__ import annotations

import re

from yukimap.read.extent import MAX_ERRORS, CellError, Extent
from yukimap.read.xmltags import PREFIX, TAG_BODY, Tokens, attribute_text, tag_attributes

_ERROR = b'value-type="error"'  # LibreOffice's calcext:value-type of a cell
_SHOWN = re.compile(rb"\s*<(?:[\w.-]+:)?p(?:\s[^>]*)?>([^<]*)<")  # its text:p, if here


class OdsScan(Tokens):
    """The last row and column of each table's non-empty cells in an .ods content.xml,
    counting repeated rows and cells as what they stand for; and the text they repeat
    (calamine copies a repeated cell's text into every cell it stands for)."""

    _TAG = re.compile(rb"<(/?)" + PREFIX + rb"(table|table-row|table-cell|covered-table-cell)"
                      rb"(?=[\s/>])" + TAG_BODY)

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
        self.errors: list[CellError] = []  # of the table being read

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
                if _ERROR in body and self.depth == 1:
                    shown = _SHOWN.match(data, match.end())
                    self._error(attribute_text(shown.group(1)) if shown else "")
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
                self.tables[self.name] = Extent(self.rows, self.columns, texts=self.texts,
                                                errors=tuple(self.errors))
            return
        if empty:
            return
        self.depth += 1
        if self.depth == 1:
            name = tag_attributes(body).get(b"name")
            self.name = attribute_text(name) if name is not None else None
            self.row = self.rows = self.columns = self.texts = 0
            self.errors = []

    def _error(self, shown: str) -> None:
        """An error cell (calcext:value-type="error"; calamine reads it as empty), in each
        row and column it stands for."""
        first = self.column - self._repeats + 1
        for row in range(self.row + 1, self.row + self.repeat + 1):
            for column in range(first, self.column + 1):
                if len(self.errors) >= MAX_ERRORS:
                    return
                self.errors.append((row, column, shown))

    def _start_row(self, body: bytes) -> None:
        self.repeat = _count(tag_attributes(body).get(b"number-rows-repeated"))
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
        attributes = tag_attributes(body)
        self._repeats = _count(attributes.get(b"number-columns-repeated"))
        self.column += self._repeats
        if not empty or b"value-type" in attributes:
            self.filled = True
            self.columns = max(self.columns, self.column)


def _count(value: bytes | None) -> int:
    return int(value) if value is not None and value.isdigit() and int(value) > 0 else 1
