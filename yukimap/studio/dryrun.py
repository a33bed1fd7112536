"""What the page asks of a mapping and a file: a dry run, and the rendered documents.

`check` does what `yukimap check MAPPING --sample FILE` does, with the mapping as the
editor's text: load it, read the file once (the grid is made of the same read), map it,
apply Yuki's rules, render and validate without keeping anything. Its answer is plain
JSON-ready data: every problem located in the mapping (line:col, also for a data problem,
by the key of its field) and in the file (rows and column letter), the summary with its
totals, the documents and their items as tables, and the grid. `render` gives the
validated documents themselves, for the page to download.

Both run in the studio's worker process (worker.py), which bounds their time; they touch
no file but the export and the mapping's template, which the caller has checked.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl

from yukimap import nouns
from yukimap.errors import MappingError, Problem, UserError, Where
from yukimap.frames import DOC, ITEM, KEY, ROW, ROWS, Table, is_internal
from yukimap.grouping import count_shown, format_problems, group_problems
from yukimap.i18n import plural, tr
from yukimap.money import money
from yukimap.output import check_documents, document_texts
from yukimap.pipeline import ConversionResult, convert_table
from yukimap.read import read_table
from yukimap.report import format_summary
from yukimap.schema import (
    administration_used,
    dry_run_administration,
    load_mapping_text,
    source_of,
)
from yukimap.studio.describe import cause, describe
from yukimap.studio.why import reads
from yukimap.summary import Summary
from yukimap.yamlsrc import KeyPath, Located, load_yaml

GRID_ROWS = 1000  # rows of the file sent with every check; problem rows come on top
GRID_CELLS = 100_000  # and no more cells than this: a wide file shows fewer rows
GRID_EXTRA = 200  # rows named by problems beyond GRID_ROWS
CELL_CHARS = 200  # of a cell shown in the grid
TABLE_ROWS = 500  # documents, and items, listed
DOWNLOAD_MB = 64  # rendered documents the page may download at once
Json = dict[str, Any]


def check(file: str, mapping: str, text: str, template_ok: bool = True) -> Json:
    """The dry run of the mapping `text` (as if saved at `mapping`) on the export `file`.

    Paths are relative to the working folder (the worker's is the file's folder), so that
    messages name them as the page shows them."""
    located = _located(text, mapping)
    answer: Json = {"stage": "mapping", "problems": [], "groups": [], "grid": None}
    try:
        if not template_ok:
            raise _template_outside(located, mapping)
        loaded = load_mapping_text(text, Path(mapping))
    except UserError as exc:
        table = _table(file, text, mapping, answer)
        return _failed(answer, exc, located, mapping, table)
    tried = dry_run_administration(loaded)
    answer["stage"] = "file"
    try:
        table = read_table(Path(file), tried.source)
    except UserError as exc:
        return _failed(answer, exc, located, mapping, None)
    answer["stage"] = "data"
    answer["grid"] = grid(table, ())
    try:
        result = convert_table(table, tried)
        answer["stage"] = "documents"
        check_documents(result)
    except UserError as exc:
        return _failed(answer, exc, located, mapping, table)
    return _passed(answer, result, located, mapping, loaded)


def render(file: str, mapping: str, text: str, template_ok: bool = True) -> Json:
    """The validated documents, named as `yukimap convert --output FOLDER/` names them; or
    the problems that stop them (as `check` gives them)."""
    located = _located(text, mapping)
    try:
        if not template_ok:
            raise _template_outside(located, mapping)
        loaded = load_mapping_text(text, Path(mapping))
        table = read_table(Path(file), loaded.source)
        result = convert_table(table, loaded)
        texts = document_texts(result)
    except UserError as exc:
        return _failed({"stage": "render", "problems": [], "grid": None}, exc, located,
                       mapping, None)
    if sum(len(t) for t in texts) > DOWNLOAD_MB * 1024 * 1024:
        return {"stage": "render", "message": tr("the documents are over {mb} MB: too big for"
                                                 " the page; write them with yukimap convert"
                                                 " --output", mb=DOWNLOAD_MB),
                "problems": [], "grid": None}
    stem = Path(file).stem
    names = ([f"{stem}{result.extension}"] if len(texts) == 1
             else [f"{unit.key}{result.extension}" for unit in result.units])
    return {"stage": "ok", "files": [{"name": n, "text": t} for n, t in zip(names, texts)]}


# --- the answer ---------------------------------------------------------------------------


def _failed(answer: Json, exc: UserError, located: Located | None, mapping: str,
            table: Table | None) -> Json:
    problems = exc.problems or [Problem(exc.message, Where(), hint=exc.hint)]
    answer["message"] = exc.message
    answer["hint"] = exc.hint
    _located_problems(answer, problems, located, mapping, table)
    answer["report"] = format_problems(exc.problems) if exc.problems else ""
    if table is not None:
        rows = sorted({r for p in problems for r in p.where.rows})
        answer["grid"] = grid(table, rows, answer["grid"])
    return answer


def _passed(answer: Json, result: ConversionResult, located: Located | None, mapping: str,
            loaded: Any) -> Json:
    answer["stage"] = "ok"
    warnings = result.warnings
    _located_problems(answer, warnings, located, mapping, result.table)
    answer["report"] = format_problems(warnings) if warnings else ""
    name = Path(result.table.file).name
    if warnings:
        counted = plural(count_shown(warnings, "warning"), "1 warning", "{count} warnings")
        answer["message"] = tr("{file}: the mapping converts and validates; nothing written"
                               " ({warnings})", file=name, warnings=counted)
    else:
        answer["message"] = tr("{file}: the mapping converts and validates; nothing written",
                               file=name)
    summary = result.summary
    used = administration_used(loaded, None)
    if used is not None:
        summary.figures[tr("administration")] = used
    answer["summary"] = _summary(summary, result, mapping)
    answer["documents"] = _documents(result)
    answer["items"] = _items(result)
    answer["reads"] = reads(result.mapping)
    rows = sorted({r for p in warnings for r in p.where.rows})
    answer["grid"] = grid(result.table, rows, answer["grid"])
    return answer


def _located_problems(answer: Json, problems: list[Problem], located: Located | None,
                      mapping: str, table: Table | None) -> None:
    """The problems, each located, and their groups by cause as the command line shows
    them (a cause with its hint once, and the places it occurs), with the counts."""
    answer["problems"] = [_problem(p, located, mapping, table) for p in problems]
    index = {id(p): i for i, p in enumerate(problems)}
    answer["groups"] = [{"severity": g.severity, "text": cause(g.cause), "hint": g.hint,
                         "problems": [index[id(p)] for p in g.entries]}
                        for g in group_problems(problems)]
    answer["errors"] = count_shown(problems)
    answer["warnings"] = count_shown(problems, "warning")


def _problem(p: Problem, located: Located | None, mapping: str, table: Table | None) -> Json:
    w = p.where
    line, col = (w.line, w.col) if w.file == mapping and w.line is not None else (None, None)
    if line is None and located is not None and w.key and (w.file in (None, mapping) or w.rows):
        where = located.where(key_path(w.key))
        line, col = where.line, where.col
    letter = w.letter
    if table is not None and letter is None and w.column:
        letter = table.letters.get(w.column)
    # Rows are the export's, also for an expression's problem located in the mapping.
    in_file = table is not None and (w.file == table.file or bool(w.rows))
    return {
        "severity": p.severity, "cause": p.cause, "value": p.value, "hint": p.hint,
        "text": describe(p),
        "mapping": {"line": line, "col": col or 1, "key": w.key} if line is not None else None,
        "cell": ({"rows": list(w.rows), "column": w.column, "letter": letter, "sheet": w.sheet}
                 if in_file and (w.rows or letter) else None),
        "document": w.document,
        "file": w.file,
    }


_KEY_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def key_path(key: str) -> KeyPath:
    """'lines[0].Product.SalesPrice' -> ('lines', 0, 'Product', 'SalesPrice')."""
    return tuple(int(index) if index else name for name, index in _KEY_PART.findall(key))


def _summary(summary: Summary, result: ConversionResult, mapping: str) -> Json:
    target = result.mapping.target
    return {
        "title": nouns.title(target), "header": target.header_key, "item": target.item_key,
        "item_title": nouns.items(target),
        "documents": summary.documents, "items": summary.items, "rows_read": summary.rows_read,
        "skipped_rows": sum(summary.skipped.values()),
        "skipped_documents": sum(summary.skipped_documents.values()),
        "totals": [{"currency": c, "excl": money(t.excl), "vat": money(t.vat),
                    "incl": money(t.incl)} for c, t in sorted(summary.totals.items())],
        "figures": {k: str(v) for k, v in summary.figures.items()},
        "table": {"title": summary.table_title, "rows": [list(r) for r in summary.table]},
        "notes": list(summary.notes),
        "text": format_summary(summary, result.table.file, mapping,
                               tr("the file converts and validates; nothing written")),
    }


def _documents(result: ConversionResult) -> Json:
    frame = result.mapped.documents
    fields = [c for c in frame.columns if not is_internal(c)]
    lines = result.mapped.items.group_by(DOC).len()
    shown = frame.head(TABLE_ROWS).join(lines, on=DOC, how="left")
    rows = [{"doc": r[DOC], "key": r[KEY], "rows": list(r[ROWS] or ()), "lines": r["len"] or 0,
             "values": [_cell(r[f]) for f in fields]} for r in shown.iter_rows(named=True)]
    return {"columns": fields, "rows": rows, "total": frame.height}


def _items(result: ConversionResult) -> Json:
    frame = result.mapped.items
    fields = [c for c in frame.columns if not is_internal(c)]
    rows = [{"doc": r[DOC], "row": r[ROW], "kind": r.get(ITEM),
             "values": [_cell(r[f]) for f in fields]}
            for r in frame.head(TABLE_ROWS).iter_rows(named=True)]
    return {"columns": fields, "rows": rows, "total": frame.height}


def _cell(value: Any) -> str | None:
    return None if value is None else str(value)[:CELL_CHARS]


# --- the grid ------------------------------------------------------------------------------


def grid(table: Table, extra: Any, before: Json | None = None) -> Json:
    """The file as the page shows it: column letters and names, the rows above the header
    (from the reader's preview), the header row, and data rows by their spreadsheet numbers:
    the first GRID_ROWS (fewer for a wide file), and those of `extra` beyond them."""
    if before is not None and not extra:
        return before
    names = list(table.columns)
    letters = [table.letters[n] for n in names]
    frame = table.frame.select(ROW, *names)
    head = frame.head(max(1, min(GRID_ROWS, GRID_CELLS // max(1, len(names)))))
    more = sorted(set(extra) - set(head[ROW].to_list()))[:GRID_EXTRA]
    if more:
        head = pl.concat([head, frame.filter(pl.col(ROW).is_in(more))])
    positions = [_index(letter) for letter in letters]
    above = [{"row": number, "cells": [_cut(cells[i] if i < len(cells) else None)
                                       for i in positions]}
             for number, cells in enumerate(table.preview[: table.header_row - 1], start=1)]
    return {
        "file": table.file, "sheet": table.sheet, "sheets": list(table.sheets),
        "header_row": table.header_row, "delimiter": table.delimiter,
        "encoding": table.encoding, "columns": [{"name": n, "letter": ltr}
                                                for n, ltr in zip(names, letters)],
        "above": above,
        "rows": [{"row": r[0], "cells": [_cut(c) for c in r[1:]]} for r in head.iter_rows()],
        "total": table.frame.height,
    }


def _cut(cell: Any) -> str | None:
    return None if cell is None else str(cell)[:CELL_CHARS]


def _index(letter: str) -> int:
    """'A' -> 0, 'AA' -> 26: the inverse of errors.column_letter."""
    number = 0
    for char in letter:
        number = number * 26 + ord(char) - ord("A") + 1
    return number - 1


# --- reading the mapping's text ------------------------------------------------------------


def _located(text: str, mapping: str) -> Located | None:
    """The mapping's keys with their line:col, to place a data problem at its field."""
    try:
        return load_yaml(text, mapping)
    except UserError:
        return None


def _table(file: str, text: str, mapping: str, answer: Json) -> Table | None:
    """The file read as the mapping's `source:` says, however wrong the rest of it is."""
    try:
        table = read_table(Path(file), source_of(text, Path(mapping)))
    except UserError as exc:
        answer["file_problem"] = {"message": exc.message, "hint": exc.hint}
        return None
    answer["grid"] = grid(table, ())
    return table


def _template_outside(located: Located | None, mapping: str) -> MappingError:
    where = (located.where(("template",)) if located is not None
             else Where(file=mapping, key="template"))
    problem = Problem(tr("the studio reads no template outside its folders"), where,
                      hint=tr("put the template in the mapping's folder and name it there"))
    return MappingError(tr("{where}: 1 problem in the mapping", where=mapping),
                        problems=[problem])


def template_of(text: str, mapping: Path) -> Path | None:
    """The template a mapping's text names, as a path beside the mapping, or None."""
    try:
        data = load_yaml(text, str(mapping)).data
    except UserError:
        return None
    value = data.get("template") if isinstance(data, dict) else None
    return mapping.parent / str(value) if value is not None else None
