"""What the scan of a workbook finds: how far each sheet reaches."""

from __future__ import annotations

from dataclasses import dataclass

from yukimap.errors import column_letter


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


def with_widest(extents: Extents) -> Extents:
    """`extents` and, under None, the widest of them all: for a sheet whose part could not
    be told, to be safe."""
    widest = [Extent(), Extent(declared=True)]
    for found in extents.values():
        for extent in found:
            widest[extent.declared] = widest[extent.declared].widest(extent)
    return {**extents, None: tuple(widest)}
