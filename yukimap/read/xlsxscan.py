"""How far an .xlsx worksheet part reaches (its cells' references, wherever they are), and
the size of each shared string its cells may show, read from the parts as streams."""

from __future__ import annotations

import re
from collections import Counter

from yukimap.read.extent import Extent
from yukimap.read.xmltags import PREFIX, TAG_BODY, Tokens, tag_attributes


class XlsxScan(Tokens):
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
    _TAG = re.compile(rb"<(/?)" + PREFIX + rb"(row|c)(?=[\s/>])" + TAG_BODY)

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

    def extent(self, shared: SharedStrings) -> Extent:
        rows = max((int(d) for d in self.digits), default=0)
        columns = max((_column(letters) for letters in self.letters), default=0)
        texts = sum(shared.length(int(i)) * n for i, n in self.shared.items())
        texts += self.unsure * shared.longest()
        return Extent(max(rows, self.rows), max(columns, self.columns), texts=texts)


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
