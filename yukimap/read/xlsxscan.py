"""How far an .xlsx worksheet part reaches (its cells' references, wherever they are), and
the size of each shared string its cells may show, read from the parts as streams."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import polars as pl

from yukimap.frames import NO_RESULT
from yukimap.limits import MB
from yukimap.read.extent import MAX_ERRORS, CellError, Extent
from yukimap.read.xmltags import PREFIX, TAG_BODY, Tokens, attribute_text, tag_attributes

_CELLS = re.compile(rb"<c[\s/>](?:\s*r=\"([A-Z]{1,7})([0-9]{1,10})\")?")
# A cell with a second r attribute, or a t attribute written other than t="...": one
# pass, possessive (each run of the tag is consumed once).
_ODD_ATTRIBUTE = rb"(?:r\s*=|t(?:\s+=|=\s+|='))"
_ODD = re.compile(rb"<c\s+r=\"[^\"]*+\"(?:[^>\"'\s]++|\"[^\"]*+\"|'[^']*+'|\s++(?!"
                  + _ODD_ATTRIBUTE + rb"))*+\s++" + _ODD_ATTRIBUTE)
_SHARED = re.compile(rb't="s"[^>]*>\s*<v>([0-9]{1,10})</v>')  # shared string, its index
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_TAG = re.compile(rb"<(/?)" + PREFIX + rb"(row|c)(?=[\s/>])" + TAG_BODY)
_ERROR_MARK = b't="e"'  # in a chunk with an error cell (the usual spelling: see _errors)
_CELL_TAG = re.compile(rb"<c(\s" + TAG_BODY[1:])
_SAVED = re.compile(rb"\s*(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?\s*<v>([^<]*)</v>")
# A formula cell without its result (<f> and no <v>, or an empty one where the result is
# not text: a program wrote the workbook without calculating it, as openpyxl does; calamine
# reads it as empty), written the usual way.
_UNSAVED = re.compile(rb"<c(\s[^>]*)>\s*(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)\s*(<v\s*/>|<v>\s*</v>)?"
                      rb"\s*</c>")

# Cells written as Excel and every library write them: `<c r="B7"`, then attributes in
# double quotes, none of them a second r. A cell written any other way matches as its
# first three characters. polars (Rust's regex) finds them with no Python object per
# cell; `\s` of a bytes pattern is spelt out.
_WS = r"[\t\n\x0B\x0C\r ]"
_NAME = r"(?:[A-Za-z_:][A-Za-z0-9_.:-]+|[A-Za-qs-z_:])"  # any attribute name but r
_PLAIN_CELL = (r'<c(?: r="[A-Z]{1,7}[0-9]{1,10}"(?: ' + _NAME + r'="[^"<>]*")*/?>'
               r"|[\t\n\x0B\x0C\r />])")
_SHARED_CELL = r't="s"[^>]*>' + _WS + r"*<v>[0-9]{1,10}</v>"  # _SHARED, for polars
# Chunks (4 MB) are read by polars: smaller ones cost less in Python's regex, and larger
# ones are a tag that never ends, not worth copying as text.
_POLARS = range(64 * 1024, 16 * MB)
_INDEX = "index"  # of a shared string


@dataclass(frozen=True)
class _Chunk:
    """What the cells of a chunk say."""

    odd: bool  # a cell without a reference or with an odd attribute, or a prefixed tag
    cells: int
    rows: int = 0  # the largest row and column the references name
    columns: int = 0
    last: tuple[int, int] | None = None  # the last cell's row and column
    shown: pl.DataFrame | None = None  # the shared-string indexes cells show, counted
    sure: bool = True  # every t="s" found with the index it shows


class XlsxScan(Tokens):
    """The last row and column of a worksheet part's cells, wherever they are.

    Fast path: every cell starts `<c r="B7"` (as Excel and every library write them) with
    no second r attribute (calamine takes the last), and no tag has a namespace prefix;
    then the largest reference says it all. polars reads a chunk whose cells are all
    written the usual way (`_plain`), Python's regex any other (`_any`), to the same end.
    Otherwise each cell is followed in Python: a cell without a reference is the next
    column of its row (as calamine places it).
    """

    def __init__(self, counted: bool = True) -> None:
        super().__init__()
        self.counted = counted
        self.rows = 0
        self.columns = 0
        self.row = 0  # the row being read, for cells without a reference
        self.column = 0
        self.shown: list[pl.DataFrame] = []  # each chunk's shared-string indexes, counted
        self.unsure = 0  # cells that may show any shared string
        self.errors: list[CellError] = []

    def handle(self, data: bytes) -> None:
        if _ERROR_MARK in data and len(self.errors) < MAX_ERRORS:
            self._errors(data)
        if b"<f" in data and len(self.errors) < MAX_ERRORS:
            self._unsaved(data)
        chunk = _plain(data, self.counted) if len(data) in _POLARS else None
        if chunk is None:
            chunk = _any(data, self.counted)
        if chunk.shown is not None:
            self.shown.append(chunk.shown)
        if self.counted and (chunk.odd or not chunk.sure):
            # any cell may show any shared string
            self.unsure += chunk.cells or data.count(b"<")
        if chunk.odd:
            self._follow(data)
            return
        self.rows = max(self.rows, chunk.rows)
        self.columns = max(self.columns, chunk.columns)
        if chunk.last:  # a later cell without a reference follows the last one here
            self.row, self.column = chunk.last

    def _follow(self, data: bytes) -> None:
        for closing, tag, body in _TAG.findall(data):
            if closing:
                continue
            r = tag_attributes(body).get(b"r", b"")
            if tag == b"row":
                self.row = int(r) if r.isdigit() else self.row + 1
                self.column = 0
                continue
            match = re.fullmatch(rb"([A-Za-z]{1,7})([0-9]{1,10})", r)
            self.row, self.column = (_reference(*match.groups()) if match
                                     else (self.row, self.column + 1))
            self.rows = max(self.rows, self.row)
            self.columns = max(self.columns, self.column)

    def _errors(self, data: bytes) -> None:
        """The error cells (t="e", with a reference) of a chunk, and the error each shows:
        its saved value, when the chunk holds it."""
        for match in _CELL_TAG.finditer(data):
            attributes = tag_attributes(match.group(1))
            reference = re.fullmatch(rb"([A-Z]{1,7})([0-9]{1,10})", attributes.get(b"r", b""))
            if attributes.get(b"t") != b"e" or reference is None:
                continue
            saved = _SAVED.match(data, match.end())
            shown = attribute_text(saved.group(1)) if saved else ""
            row, column = _reference(*reference.groups())
            self.errors.append((row, column, shown))
            if len(self.errors) >= MAX_ERRORS:
                return

    def _unsaved(self, data: bytes) -> None:
        for match in _UNSAVED.finditer(data):
            attributes = tag_attributes(match.group(1))
            reference = re.fullmatch(rb"([A-Z]{1,7})([0-9]{1,10})", attributes.get(b"r", b""))
            if reference is None or (match.group(2) and attributes.get(b"t") == b"str"):
                continue  # an empty <v> of a text result: the formula gave ""
            if len(self.errors) >= MAX_ERRORS:
                return
            row, column = _reference(*reference.groups())
            self.errors.append((row, column, NO_RESULT))

    def extent(self, shared: SharedStrings) -> Extent:
        texts = shared.shown(self.shown) + self.unsure * shared.longest()
        return Extent(self.rows, self.columns, texts=texts, errors=tuple(self.errors))


def _any(data: bytes, counted: bool) -> _Chunk:
    """The chunk's cells, found with Python's regex."""
    cells = _CELLS.findall(data)
    letters, digits = (set(found) for found in zip(*cells)) if cells else (set(), set())
    odd = b"" in letters or _ODD.search(data) or _PREFIXED.search(data)
    found = _SHARED.findall(data) if counted else []
    shown = pl.Series(_INDEX, list(map(int, found)), pl.Int64).value_counts() if found else None
    sure = not counted or len(found) == data.count(b't="s"')
    if odd:
        return _Chunk(True, len(cells), shown=shown, sure=sure)
    return _Chunk(False, len(cells), max(map(int, digits), default=0),
                  max(map(_column, letters), default=0),
                  _reference(*cells[-1]) if cells else None, shown, sure)


def _plain(data: bytes, counted: bool) -> _Chunk | None:
    """The chunk's cells, found with polars; None unless each is written the usual way."""
    # Bytes that do not decode become U+FFFD; the markup is ASCII and stays as it is.
    text = pl.Series([data.decode("utf-8", "replace")])
    cells = text.str.extract_all(_PLAIN_CELL).explode().drop_nulls()
    if cells.len() and cells.str.len_bytes().min() == 3 or _PREFIXED.search(data):
        return None
    chunk = _largest(cells) if cells.len() else _Chunk(False, 0)
    if counted:
        found = text.str.extract_all(_SHARED_CELL).explode().drop_nulls()
        index = found.str.extract(r"<v>([0-9]+)", 1).cast(pl.Int64).alias(_INDEX)
        chunk = replace(chunk, shown=index.value_counts() if found.len() else None,
                        sure=found.len() == data.count(b't="s"'))
    return chunk


def _largest(cells: pl.Series) -> _Chunk:
    """The largest row and column that cells written the usual way name, and the last."""
    reference = cells.str.extract_groups(r'^<c r="([A-Z]+)([0-9]+)')
    letters, rows = pl.col("letters"), pl.col("rows")
    size = letters.str.len_bytes()
    top, widest, last, row = pl.DataFrame({
        "letters": reference.struct.field("1"),
        "rows": reference.struct.field("2").cast(pl.Int64),
    }).select(rows.max(), letters.filter(size == size.max()).max().alias("widest"),
              letters.last().alias("last"), rows.last().alias("row")).row(0)
    return _Chunk(False, cells.len(), top, _column(widest.encode()),
                  (row, _column(last.encode())))


class SharedStrings:
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

    def shown(self, counts: list[pl.DataFrame]) -> int:
        """The bytes cells show, from the cells that show each index. An index beyond the
        entries found (another spelling of </si>?) counts as the longest: never less than
        calamine will copy."""
        if not counts:
            return 0
        shown = pl.concat(counts)
        known = pl.col(_INDEX) < len(self.lengths)
        found = shown.filter(known)
        lengths = pl.Series(self.lengths, dtype=pl.Int64).gather(found[_INDEX])
        beyond = shown.filter(~known)["count"].sum()
        return int((lengths * found["count"]).sum()) + int(beyond) * self.longest()


def _reference(letters: bytes, digits: bytes) -> tuple[int, int]:
    return int(digits), _column(letters)


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number
