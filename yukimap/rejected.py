"""`send --write-rejected`: the rows Yuki rejected, in the file's own format, to fix and
send again with the same mapping.

CSV: the lines above the header as they were, the header (none for a file without one), and
the rejected rows, with the file's delimiter, quote character and encoding. Excel: a
workbook with the same sheet name and the header on the same row (cell values as text).
Cell values are as yukimap read them (surrounding spaces trimmed).
"""

from __future__ import annotations

import codecs
from pathlib import Path

import polars as pl

from yukimap.frames import ROW
from yukimap.read import read_table
from yukimap.schema import load_mapping


def write_rows(source: Path, mapping: str, rows: list[int], out: Path) -> Path:
    loaded = load_mapping(mapping)
    table = read_table(source, loaded.source)
    frame = table.frame.filter(pl.col(ROW).is_in(rows)).drop(ROW)
    frame.columns = list(table.columns)
    out.parent.mkdir(parents=True, exist_ok=True)
    header = loaded.source.header_row > 0  # 0: a file without one (columns: names them)
    if table.sheet is not None:
        target = out.with_suffix(".xlsx")
        frame.write_excel(target, worksheet=table.sheet, include_header=header,
                          position=(max(loaded.source.header_row - 1, 0), 0), autofit=True)
        return target
    raw = source.read_bytes()
    encoding = table.encoding or "utf-8"
    bom = raw.startswith(codecs.BOM_UTF8)
    text = raw.decode("utf-8-sig" if bom else encoding)
    above = "".join(text.splitlines(keepends=True)[: max(loaded.source.header_row - 1, 0)])
    body = frame.write_csv(separator=table.delimiter or ",", include_header=header,
                           quote_char=loaded.source.quote or '"')
    newline = "\r\n" if "\r\n" in text[:4096] else "\n"
    data = above + body.replace("\n", newline)
    out.write_bytes((codecs.BOM_UTF8 if bom else b"") + data.encode(encoding))
    return out
