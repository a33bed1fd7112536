"""Why a value is what it is, for the page: the `explain` trace of one document's field, and
which fields read which columns (so a clicked cell can name the values it feeds).

`why` runs in the studio's worker like a dry run (worker.py): it loads the editor's text,
reads the export and replays the map stage through yukimap.explain, the library behind
`yukimap explain`. Its answer is plain JSON-ready data; each step that reads a cell carries
that cell (row, column, letter) so the page can highlight it in the grid.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from yukimap.errors import UserError
from yukimap.explain import Explanation, Step, explain
from yukimap.i18n import tr
from yukimap.model import Mapping
from yukimap.read import read_table
from yukimap.schema import dry_run_administration, load_mapping_text

Json = dict[str, Any]


def why(file: str, mapping: str, text: str, template_ok: bool = True, document: str = "",
        field: str | None = None, row: int | None = None, item: int | None = None) -> Json:
    """The trace of `field` (all fields when None) of the document whose reference is
    `document`; with `row`, only the items made from that spreadsheet row, and with `item`
    only the document's item of that number (1: its first, as the items table lists them)."""
    try:
        if not template_ok:
            return _refused(tr("the studio reads no template outside its folders"), None)
        loaded = dry_run_administration(load_mapping_text(text, Path(mapping)))
        table = read_table(Path(file), loaded.source)
        found = explain(table, loaded, reference=document if row is None else None,
                        field=field, row=row)
    except UserError as exc:
        return _refused(exc.message, exc.hint)
    answer = explanation_json(found)
    if item is not None:
        answer["traces"] = [t for t, trace in zip(answer["traces"], found.traces)
                            if trace.item == item]
        if not answer["traces"]:
            return _refused(tr("{document}: its item {item} is not made from a row of the file"
                               " with that field", document=found.document, item=item),
                            tr("Yuki's rules add some (e.g. a balancing entry); their values have"
                               " no source cell"))
    return {"stage": "ok", **answer}


def explanation_json(found: Explanation) -> Json:
    return {
        "document": found.document, "sheet": found.sheet, "rows": list(found.rows),
        "traces": [{"name": t.name, "place": t.place, "value": t.value,
                    "problems": list(t.problems),
                    "steps": [{"what": s.what, "value": s.value, "cell": step_cell(s)}
                              for s in t.steps]}
                   for t in found.traces],
    }


def step_cell(step: Step) -> Json | None:
    """The cell a step reads ({row, column, letter}), or None for a step that reads none
    (told by the step itself: its text is in the language of the run)."""
    if step.cell is None:
        return None
    row, column, letter = step.cell
    return {"row": row, "column": column, "letter": letter}


def reads(mapping: Mapping) -> Json:
    """The columns each output field reads: the document's fields (read on a document's first
    row) and each kind of item's (read on the item's own row), by the names the dry run's
    documents and items tables use."""
    return {
        "documents": {spec.name: sorted(spec.columns) for spec in mapping.header},
        "items": [{spec.name: sorted(spec.columns) for spec in item.fields}
                  for item in mapping.items],
    }


def _refused(message: str, hint: str | None) -> Json:
    return {"stage": "refused", "message": message, "hint": hint}
