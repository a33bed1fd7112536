"""The contract between the stages: the tables they hand on, and every internal column.

Read makes a `Table` (the file as text columns); map makes `Mapped` (documents and items);
the target rules, the renderer, the validator and send read those. The frames carry the
user's columns by their own names and yukimap's own columns by the names below; no other
module spells them. An internal name starts with "__", which no header of a real export
does (`is_internal`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from yukimap.errors import Problem
from yukimap.i18n import tr

if TYPE_CHECKING:  # polars is imported where frames are made: what only names their columns
    import polars as pl  # (the send journal, `yukimap status`) starts without it

ROW = "__row__"  # the spreadsheet row number of a record (the header is row 1 in a CSV)
POS = "__pos__"  # a record's position in the table as read, 0-based
DOC = "__doc__"  # a document's index, 0-based, in order of first appearance
KEY = "__key__"  # a document's group key (its row number, or the file name, without one)
ROWS = "__rows__"  # the spreadsheet rows of a document (a list)
ITEM = "__item__"  # which kind of item (the index of its entry under lines:/entries:)
HELD = "__held__"  # + a number: a condition's values computed before its polars expression
PLACE = "__place__"  # where an item stands in its document: 0 by its row, 1 last
XML = "__xml"  # an element's content, rendered (render stage)
RAW = "__raw__"  # a column's raw text, beside the rows, when problems are grouped by value
VALUE = "__value__"  # a computed value beside the rows, when problems are grouped by it


def is_internal(name: str) -> bool:
    return name.startswith("__")


def compact_rows(rows: Sequence[int]) -> Sequence[int]:
    """A document's rows, as a range where they follow each other (most exports): a big
    file's send holds them for every document, and a range is a fifth of their tuple."""
    if len(rows) > 1 and rows[-1] - rows[0] == len(rows) - 1 and list(rows) == list(
            range(rows[0], rows[-1] + 1)):
        return range(rows[0], rows[-1] + 1)
    return tuple(rows)


# Where names a mapping misses are in a file: (sheet or None, spreadsheet row) by name.
ColumnFinder = Callable[[Sequence[str]], dict[str, tuple[str | None, int]]]


@dataclass(frozen=True)
class Table:
    """An input file as text columns plus ROW, and how it was read."""

    frame: pl.DataFrame  # one pl.String column per header, plus ROW (pl.Int64)
    file: str  # the path as the user gave it, for messages
    columns: tuple[str, ...]  # header names in file order (without ROW)
    letters: dict[str, str]  # header name -> spreadsheet column letter
    sheet: str | None = None  # Excel: the sheet read
    delimiter: str | None = None  # CSV: the delimiter used (None: a one-column file)
    encoding: str | None = None  # CSV: the encoding used
    header_row: int = 1
    # A name the header has more than once -> the letters of its columns (the first keeps
    # the name, the others are "Name (C)"): a mapping that reads it is ambiguous.
    repeated: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The first rows of the file or sheet (cells cut short), where names the mapping misses
    # may be; and the other sheets of a workbook, to look there too.
    preview: tuple[tuple[str | None, ...], ...] = ()
    sheets: tuple[str, ...] = ()
    other_delimiter: str | None = None  # CSV: the one the file seems to use, when not this
    problems: tuple[Problem, ...] = ()  # warnings about how the file was read
    # A workbook's error cells (#DIV/0!, #N/A) below the header, which read as empty:
    # (column name, row, the error as shown, "" when unknown). Errors where read.
    cell_errors: tuple[tuple[str, int, str], ...] = ()
    # Every cell is text a Yuki document can carry, as the bytes it was read from surely
    # tell (text.surely_carried); False where that was not looked at or is not sure. A
    # table made of rows of other tables says so only when all of them do.
    carried: bool = False
    # Looks further for names the mapping misses (a workbook's other sheets), on demand:
    # the reader provides it, so the map stage never touches the file itself.
    find_columns: ColumnFinder | None = field(default=None, compare=False, repr=False)


# i18n: a marker compared in code (mapping/columns.py), never shown
NO_RESULT = "(no saved result)"  # Table.cell_errors: a formula saved without its result


def delimiter_hint(other: str | None) -> str | None:
    """The fix when a file was read with the wrong delimiter: the one it seems to use."""
    if other is None:
        return None
    shown = "TAB" if other == "\t" else f'"{other}"'
    written = '"\\t"' if other == "\t" else f'"{other}"'
    return tr("this file uses {shown} between its columns: set delimiter: {written} under"
              " source:", shown=shown, written=written)


@dataclass(frozen=True)
class Tally:
    """How the rows of one field found their value in its rules: or map: table, for the
    summary: the rows of each rule (or of each value of the table found in the file), of
    the fallback and, for map:, of the default for empty cells. A table whose rows all go
    to the fallback shows at once."""

    field: str  # "entries.GLAccount"
    place: str  # where the field is in the mapping: "bank.yaml line 31"
    kind: str  # "rules" or "map"
    column: str | None  # map: the column looked up
    counts: tuple[tuple[str, int], ...]  # (rule or value -> its result, rows)
    fallback: tuple[str, int] | None = None  # (the fallback, rows); None: there is none
    default: tuple[str, int] | None = None  # map: (the default, empty rows)
    rows: int = 0  # the rows (or documents) whose value the table gave
    unit: str = "rows"  # or "documents", for a document's field


def _empty() -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame()


@dataclass(frozen=True)
class Mapped:
    """The outcome of the map stage."""

    documents: pl.DataFrame  # DOC, KEY, ROWS, and one column per header field (by name)
    items: pl.DataFrame  # DOC, ROW, ITEM, and one column per item field
    problems: list[Problem]
    skipped: dict[str, int]  # condition -> rows it skipped
    rows_read: int
    skipped_documents: dict[str, int] = field(default_factory=dict)  # condition -> documents
    notes: list[str] = field(default_factory=list)  # what was inferred, for the summary
    # DOC, ROW, ITEM and the exact values of the item fields that have round:, before it
    exact: pl.DataFrame = field(default_factory=_empty)
    tallies: tuple[Tally, ...] = ()  # the rows each rules: and map: table gave a value

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]
