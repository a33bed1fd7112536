"""The map stage: a table of text and a checked mapping in, documents and items out.

Pure: no files, no clock, no network. Every value is turned into the final text Yuki gets
(ISO dates, plain decimals, true/false) or left null (the renderer then omits, clears or
nils the element as the field says). Problems are collected for the whole file, never
raised one by one, and each names the file, the spreadsheet row, the column and the value.

`map_table` composes small functions, each of which returns what it found: the columns
(columns), the rows, documents and items (rows), each field from its source and modifiers
(fields, sources) and its final checks (checks); expressions see a row through the row
environment (rowenv).
"""

from __future__ import annotations

from yukimap.frames import POS, ROW, Mapped, Table
from yukimap.mapping import rows
from yukimap.mapping.columns import check_columns, error_cells, require_rows
from yukimap.mapping.context import Context, file_locale
from yukimap.mapping.rowenv import RowEnv
from yukimap.model import Mapping

__all__ = ["map_table"]


def map_table(table: Table, mapping: Mapping) -> Mapped:
    """Map every row; raise DataError only when the mapping cannot apply to this file."""
    check_columns(table, mapping)
    require_rows(table)
    locale, notes = file_locale(table, mapping)
    ctx = Context(table, mapping, locale, RowEnv(table, mapping, locale))
    frame = table.frame.with_row_index(POS)
    frame, skipped, problems = rows.skip_rows(ctx, frame)
    frame, found = rows.assign_documents(ctx, frame)
    problems += found
    frame, skipped_documents, found = rows.skip_documents(ctx, frame)
    problems += found + error_cells(table, mapping, frame[ROW])
    documents, found, header_tallies = rows.documents(ctx, frame)
    problems += found
    items, exact, found, item_tallies = rows.items(ctx, frame)
    problems += found
    problems += rows.documents_without_items(ctx, documents, items)
    # two kinds of item reading one column find its problems twice: said once
    problems = list(dict.fromkeys([*table.problems, *problems]))
    return Mapped(documents, items, problems, skipped, table.frame.height,
                  skipped_documents, notes, exact, tuple(header_tallies + item_tallies))
