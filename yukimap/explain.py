"""Why a document's values are what they are (`yukimap explain`).

For each field of one document: the cell or cells it comes from (row, column, letter, the
text as the file has it), then each step the map stage applied (the lookup table, reading
the text as the field's type, the sign column, negate, the default, rounding, Yuki's rules)
and the value Yuki gets. The steps are the map stage's own functions run again on the
document's rows, told each step's values (mapping.fields.Trace), so an explanation cannot
tell another story than the conversion.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import polars as pl

from yukimap.errors import Problem, UsageError
from yukimap.frames import DOC, ITEM, KEY, POS, ROW, ROWS, Mapped, Table, Tally
from yukimap.mapping import map_table
from yukimap.mapping.context import Context, file_locale
from yukimap.mapping.fields import field_values
from yukimap.mapping.rowenv import RowEnv
from yukimap.model import Column, Constant, DebitCredit, Expression, FieldSpec, Mapping, Rules


@dataclass(frozen=True)
class Step:
    """One step of a value's way: what was done, and the value after it (None: empty)."""

    what: str
    value: str | None


@dataclass(frozen=True)
class FieldTrace:
    """One field of the document (or of one of its items) and the steps that made it."""

    name: str  # e.g. "invoice.Contact.FullName", "lines.SalesPrice"
    place: str  # "document" or e.g. "line 2 (row 5)"
    steps: tuple[Step, ...]
    value: str | None  # what Yuki gets; None: nothing (the element is left out or cleared)
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Explanation:
    document: str  # e.g. "invoice 1001"
    sheet: str | None  # a workbook's sheet the rows are on
    rows: tuple[int, ...]
    traces: tuple[FieldTrace, ...]


def explain(table: Table, mapping: Mapping, reference: str | None = None,
            field: str | None = None, row: int | None = None) -> Explanation:
    """The traces of one document's fields: the document `reference` names, or the one
    spreadsheet row `row` is part of (then only the items made from that row); only
    `field`'s when given (a name such as `Contact.FullName` or `lines.SalesPrice`)."""
    mapped = map_table(table, mapping)
    target = mapping.target
    if row is not None:
        doc = _document_of_row(mapped, row, target.document, table)
    else:
        assert reference is not None
        doc = _document(mapped, reference, target.document, table.file)
    locale, _ = file_locale(table, mapping)
    ctx = Context(table, mapping, locale, RowEnv(table, mapping, locale))
    frame = table.frame.with_row_index(POS)
    document = mapped.documents.filter(pl.col(DOC) == doc)
    rows, key = tuple(document[ROWS][0]), document[KEY][0]
    traces: list[FieldTrace] = []
    first = _rows(frame, [rows[0]]).with_columns(
        pl.lit(doc).alias(DOC), pl.lit(key).alias(KEY), pl.Series(ROWS, [list(rows)]))
    for spec in mapping.header:
        if _wanted(field, target.header_key, spec):
            traces.append(_trace(ctx, spec, first, True, "document",
                                 document[spec.name][0] if spec.name in document.columns
                                 else None))
    items = mapped.items.filter(pl.col(DOC) == doc) if mapped.items.height else mapped.items
    for number, item in enumerate(items.iter_rows(named=True), start=1):
        if item[ITEM] >= len(mapping.items):
            continue  # made by Yuki's rules (a balancing entry), not by a row of the file
        if row is not None and item[ROW] != row:
            continue
        cells = _rows(frame, [item[ROW]]).with_columns(pl.lit(doc).alias(DOC),
                                                       pl.lit(key).alias(KEY))
        place = f"{target.item} {number} (row {item[ROW]})"
        for spec in mapping.items[item[ITEM]].fields:
            if _wanted(field, target.item_key, spec):
                traces.append(_trace(ctx, spec, cells, False, place, item.get(spec.name)))
    if field is not None and not traces:
        raise UsageError(f"{mapping.path.name} has no field {field!r} in the"
                        f" {target.document} {key}",
                        hint=_field_hint(mapping, field))
    return Explanation(f"{target.document} {key}", table.sheet, rows, tuple(traces))


def _rows(frame: pl.DataFrame, rows: list[int]) -> pl.DataFrame:
    return frame.filter(pl.col(ROW).is_in(rows))


def _document(mapped: Mapped, reference: str, document: str, file: str) -> int:
    keys = mapped.documents[KEY].to_list()
    for doc, key in zip(mapped.documents[DOC].to_list(), keys):
        if key == reference:
            return int(doc)
    close = difflib.get_close_matches(reference, [k for k in keys if k], n=3)
    hint = (f"did you mean {' or '.join(map(repr, close))}?" if close else
            f"the first {document}s are {', '.join(map(repr, keys[:3]))}" if keys else
            f"the file makes no {document}")
    raise UsageError(f"{file}: no {document} {reference!r}", hint=hint)


def _document_of_row(mapped: Mapped, row: int, document: str, table: Table) -> int:
    for doc, rows in zip(mapped.documents[DOC].to_list(), mapped.documents[ROWS].to_list()):
        if row in rows:
            return int(doc)
    last = table.header_row + table.frame.height
    if not table.header_row < row <= last:
        hint = f"the file's data rows are {table.header_row + 1} to {last}"
    else:
        hint = "the row is left out (skip_rows, skip_documents) or has a problem: run check"
    raise UsageError(f"{table.file}: row {row} makes no {document}", hint=hint)


def _wanted(field: str | None, section: str, spec: FieldSpec) -> bool:
    return field is None or field in (spec.name, f"{section}.{spec.name}")


def _field_hint(mapping: Mapping, field: str) -> str:
    target = mapping.target
    names = [f"{target.header_key}.{s.name}" for s in mapping.header]
    names += [f"{target.item_key}.{s.name}" for item in mapping.items for s in item.fields]
    close = difflib.get_close_matches(field, list(dict.fromkeys(names)), n=3, cutoff=0.5)
    if close:
        return f"did you mean {' or '.join(map(repr, close))}?"
    return "the mapping's fields are " + ", ".join(names[:12])


# --- one field ----------------------------------------------------------------------------


def _trace(ctx: Context, spec: FieldSpec, frame: pl.DataFrame, header: bool, place: str,
           value: str | None) -> FieldTrace:
    told: dict[str, str | None] = {}

    def tell(step: str, values: pl.Series) -> None:
        told[step] = values[0] if values.len() else None

    found = field_values(ctx, spec, frame, header, tell)
    steps = [*_source_steps(ctx, spec, frame),
             *_modifier_steps(ctx, spec, frame, told, found.tally)]
    if value != told.get("checked"):
        steps.append(Step(f"Yuki's rules for {ctx.mapping.target.title}", value))
    name = ctx.section_name(spec, header)
    return FieldTrace(name, place, tuple(steps), value,
                      tuple(_problem_text(p) for p in found.problems))


def _cell(ctx: Context, frame: pl.DataFrame, column: str) -> Step:
    letter = ctx.table.letters.get(column)
    where = f"column {column!r}" + (f" ({letter})" if letter else "")
    return Step(f"{where}, row {frame[ROW][0]}", frame[column][0])


def _source_steps(ctx: Context, spec: FieldSpec, frame: pl.DataFrame) -> list[Step]:
    source = spec.source
    if isinstance(source, Column):
        return [_cell(ctx, frame, source.name)]
    if isinstance(source, Constant):
        return [Step("a fixed value (the mapping, or an option of the command)", source.text)]
    if isinstance(source, Expression):
        cells = [_cell(ctx, frame, c) for c in sorted(source.columns) if c in frame.columns]
        return [*cells, Step(f"expr: {source.expr.source}", None)]
    if isinstance(source, DebitCredit):
        return [_cell(ctx, frame, c) for c in (source.debit, source.credit) if c is not None]
    if isinstance(source, Rules):
        return [_cell(ctx, frame, c) for c in sorted(source.columns) if c in frame.columns]
    return [Step("no source of its own", None)]


def _rule_text(tally: Tally | None) -> str:
    """Which rule of a rules: table took the row (the table's tally over this one row)."""
    if tally is not None:
        for text, rows in tally.counts:
            if rows:
                number, _, rule = text.partition(": ")
                return f"rules: rule {number} holds ({rule.rpartition(' -> ')[0]})"
        if tally.fallback is not None and tally.fallback[1]:
            return "rules: no rule holds, so the fallback"
    return "rules: no rule holds"


def _modifier_steps(ctx: Context, spec: FieldSpec, frame: pl.DataFrame,
                    told: dict[str, str | None], tally: Tally | None) -> list[Step]:
    steps: list[Step] = []
    if isinstance(spec.source, Expression) and spec.lookup is not None:
        steps.append(Step("the expression gives, through its map: table", told["source"]))
    elif isinstance(spec.source, Expression):
        steps.append(Step("the expression gives", told["source"]))
    elif isinstance(spec.source, Rules):
        steps.append(Step(_rule_text(tally), told["source"]))
    elif spec.lookup is not None:
        steps.append(Step(_lookup_text(spec, frame), told["source"]))
    elif isinstance(spec.source, DebitCredit):
        steps.append(Step(f"{_read_text(ctx, spec)}, debit minus credit", told["source"]))
    elif isinstance(spec.source, Column) and spec.kind != "text":
        steps.append(Step(_read_text(ctx, spec), told["source"]))
    if spec.sign is not None:
        word = frame[spec.sign.column][0]
        steps.append(Step(f"sign: the column {spec.sign.column!r} says {word!r}", told["sign"]))
    if spec.negate:
        steps.append(Step("negate: true", told["negate"]))
    if spec.default is not None and told["negate"] is None:
        steps.append(Step("empty, so the default", told["default"]))
    if spec.round is not None and spec.kind == "decimal":
        steps.append(Step(f"round: {spec.round} (half up)", told["round"]))
    if told["checked"] != told["round"]:
        steps.append(Step("Yuki's limits for the element", told["checked"]))
    return steps


def _lookup_text(spec: FieldSpec, frame: pl.DataFrame) -> str:
    lookup = spec.lookup
    assert lookup is not None
    key = frame[spec.column][0] if spec.column is not None else None
    if isinstance(spec.source, Constant):
        key = spec.source.text
    if key is None:
        return "map: the cell is empty"
    folded = key.lower() if lookup.ignore_case else key
    if folded in lookup.table:
        return f"map: {key!r} is in the table"
    if lookup.fallback is not None:
        return f"map: {key!r} is not in the table, so the fallback"
    return f"map: {key!r} is not in the table"


def _read_text(ctx: Context, spec: FieldSpec) -> str:
    locale = ctx.field_locale(spec)
    if spec.kind == "decimal":
        mark = f" (decimal mark {locale.decimal_mark!r})" if locale.decimal_mark else ""
        return f"read as a number{mark}"
    if spec.kind == "date":
        form = f" ({' or '.join(locale.date_formats)})" if locale.date_formats else ""
        return f"read as a date{form}"
    return f"read as {'text' if spec.kind == 'text' else spec.kind}"


def _problem_text(problem: Problem) -> str:
    where = problem.where.short()
    value = f" ({problem.value!r})" if problem.value is not None else ""
    return f"{problem.severity}: {problem.cause}{value}" + (f" [{where}]" if where else "")


# --- as text ------------------------------------------------------------------------------


def format_explanation(explanation: Explanation) -> str:
    """The traces as text, one block per field: its steps, then the value Yuki gets."""
    rows = ", ".join(map(str, explanation.rows))
    sheet = f"sheet {explanation.sheet!r}, " if explanation.sheet else ""
    lines = [f"{explanation.document} ({sheet}row{'s' if len(explanation.rows) > 1 else ''}"
             f" {rows})", ""]
    place = None
    for trace in explanation.traces:
        if trace.place != place:
            place = trace.place
            lines.append(f"{place}:")
        lines.append(f"  {trace.name} = {_shown(trace.value)}")
        for step in trace.steps:
            lines.append(f"      {step.what}: {_shown(step.value)}" if step.value is not None
                         or not step.what.startswith("expr:") else f"      {step.what}")
        lines += [f"      {p}" for p in trace.problems]
    return "\n".join(lines) + "\n"


def _shown(value: str | None) -> str:
    return "(empty)" if value is None else repr(value)
