"""What a workbook holds, found before calamine reads it: its true sizes, and how far each
sheet reaches.

calamine (through fastexcel) reads a sheet as one rectangle from its first to its last
cell, and trusts what a file declares: a 2 KB .xlsx with one cell at XFD1048576 asks for
512 GB and aborts the process, a zip part can inflate a thousandfold, an .ods repeats one
cell 17 billion times, an .xls declares 4 billion rows. So a workbook is first read as
a stream, in bounded memory: the zip's directory (sizes and ratios, before anything is
unpacked), then every part unpacked once (its true size and CRC), and each sheet's cell
references (.xlsx), repeated cells (.ods) or cell records (.xls), to find how many rows and
columns it really spans. The reader holds the sheet it reads against the limits.
"""

from __future__ import annotations

from yukimap.errors import column_letter
from yukimap.i18n import tr
from yukimap.limits import MB, limits
from yukimap.read.biff import xls_extents
from yukimap.read.cfb import CFB_MAGIC
from yukimap.read.extent import Extents
from yukimap.read.files import refuse
from yukimap.read.zipscan import zip_extents


def inspect(content: bytes, name: str) -> Extents:
    """Each sheet's extents; raise SourceError for a workbook over the limits or damaged.

    calamine reads every sheet of an .xls or .ods as it opens the file (an .xlsx sheet only
    when it is asked for), so every sheet of those is held to the limits here.
    """
    if content.startswith(CFB_MAGIC):
        extents, eager = xls_extents(content, name), True
    elif content.startswith(b"PK") or b"PK\x05\x06" in content[-65_557:]:
        # a zip is found from its end, as calamine finds it: the start may be damaged
        extents, eager = zip_extents(content, name)
    else:
        return {}  # neither: calamine cannot open it either
    if eager:
        for sheet in extents:
            if sheet:
                check_sheet(extents, sheet, tr("sheet {sheet} of {name}", sheet=repr(sheet),
                                               name=name), 1)
    return extents


def check_sheet(extents: Extents, sheet: str, where: str, header_row: int) -> None:
    """Refuse a sheet that reaches beyond max_columns, max_rows or max_cells."""
    bounds = limits()
    for extent in extents.get(sheet) or extents.get(None, ()):
        if extent.declared:
            size = tr("it declares {rows} rows by {columns} columns", rows=f"{extent.rows:,}",
                      columns=f"{extent.columns:,}")
            far, deep, many = size, size, size
        else:
            far = tr("it has cells up to column {letter}: {columns} columns",
                     letter=column_letter(extent.columns - 1), columns=f"{extent.columns:,}")
            deep = tr("it has cells down to row {row}", row=f"{extent.rows:,}")
            many = tr("its cells reach {corner}: {rows} rows by {columns} columns",
                      corner=extent.corner, rows=f"{extent.rows:,}",
                      columns=f"{extent.columns:,}")
        if extent.columns > bounds.max_columns:
            refuse("max_columns", where, far)
        if extent.rows - header_row > bounds.max_rows:
            refuse("max_rows", where, deep)
        if extent.rows * extent.columns > bounds.max_cells:
            refuse("max_cells", where, many)
        if extent.texts > bounds.max_sheet_text_mb * MB:
            refuse("max_sheet_text_mb", tr("the text of {where}", where=where),
                   tr("its cells repeat text to {size} MB", size=f"{extent.texts / MB:,.0f}"))
