"""What the scan of a workbook finds: how far each sheet reaches."""

from __future__ import annotations

from dataclasses import dataclass

from yukimap.errors import column_letter

CellError = tuple[int, int, str]
MAX_ERRORS = 1000  # error cells of a sheet kept, to report (more are not listed)

# The error codes of .xls cells (BIFF8) as Excel shows them.
ERROR_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
               0x24: "#NUM!", 0x2A: "#N/A"}


@dataclass(frozen=True)
class Extent:
    """How far a sheet reaches: its last row and last column that hold a cell (1-based),
    or, `declared`, the size the file itself declares for it."""

    rows: int = 0
    columns: int = 0
    declared: bool = False
    texts: int = 0  # bytes of shared strings its cells repeat (calamine copies each time)
    # Its error cells (#DIV/0!, #N/A: calamine reads them as empty), the first MAX_ERRORS:
    # (row, column, 1-based; the error as the cell shows it, "" when the scan cannot tell).
    errors: tuple[CellError, ...] = ()

    def widest(self, other: Extent) -> Extent:
        return Extent(max(self.rows, other.rows), max(self.columns, other.columns),
                      self.declared or other.declared, max(self.texts, other.texts),
                      (self.errors + other.errors)[:MAX_ERRORS])

    @property
    def corner(self) -> str:
        return f"{column_letter(self.columns - 1)}{self.rows}"


Extents = dict[str | None, tuple[Extent, ...]]  # sheet name (None: any sheet) -> its extents


def with_widest(extents: Extents) -> Extents:
    """`extents` and, under None, the widest of them all: for a sheet whose part could not
    be told, to be safe."""
    widest = [Extent(), Extent(declared=True)]
    for found in extents.values():
        for extent in found:
            widest[extent.declared] = widest[extent.declared].widest(extent)
    return {**extents, None: tuple(widest)}
