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
from functools import cached_property

import polars as pl

from yukimap import nouns
from yukimap.documents import DocumentType
from yukimap.errors import Problem, UsageError
from yukimap.frames import DOC, ITEM, KEY, POS, ROW, ROWS, Mapped, Table, Tally
from yukimap.i18n import N_, plural, tr
from yukimap.mapping import map_table
from yukimap.mapping.context import Context, file_locale
from yukimap.mapping.fields import field_values
from yukimap.mapping.rowenv import RowEnv
from yukimap.model import Column, Constant, DebitCredit, Expression, FieldSpec, Mapping, Rules
from yukimap.values import either

Cell = tuple[int, str, "str | None"]  # (row, column, letter) of a cell a step reads


@dataclass(frozen=True)
class Step:
    """One step of a value's way: what was done, and the value after it (None: empty); a
    step that reads a cell names it (`what` is for people, in their language)."""

    what: str
    value: str | None
    cell: Cell | None = None


@dataclass(frozen=True)
class FieldTrace:
    """One field of the document (or of one of its items) and the steps that made it."""

    name: str  # e.g. "invoice.Contact.FullName", "lines.SalesPrice"
    place: str  # "document" or e.g. "line 2 (row 5)" (in the language of the run)
    steps: tuple[Step, ...]
    value: str | None  # what Yuki gets; None: nothing (the element is left out or cleared)
    problems: tuple[str, ...]
    item: int | None = None  # the number of the document's item (1: its first); None: the
    #                          document's own field


@dataclass(frozen=True)
class Explanation:
    document: str  # e.g. "invoice 1001"
    sheet: str | None  # a workbook's sheet the rows are on
    rows: tuple[int, ...]  # the document's rows (of one journal of a whole file explained
    #                        from its slices, the first SHOWN_ROWS)
    traces: tuple[FieldTrace, ...]
    more: int = 0  # the document's rows beyond `rows`


@dataclass(frozen=True)
class _Part:
    """A table mapped, one of its documents, and the items of it before the table's."""

    table: Table
    mapped: Mapped
    doc: int
    before: int = 0

    @property
    def document(self) -> pl.DataFrame:
        return self.mapped.documents.filter(pl.col(DOC) == self.doc)

    @cached_property
    def frame(self) -> pl.DataFrame:
        """The table's rows, numbered in it (POS)."""
        return self.table.frame.with_row_index(POS)

    def rows(self, rows: list[int]) -> pl.DataFrame:
        return self.frame.filter(pl.col(ROW).is_in(rows))


def explain(table: Table, mapping: Mapping, reference: str | None = None,
            field: str | None = None, row: int | None = None) -> Explanation:
    """The traces of one document's fields: the document `reference` names, or the one
    spreadsheet row `row` is part of (then only the items made from that row); only
    `field`'s when given (a name such as `Contact.FullName` or `lines.SalesPrice`)."""
    mapped = map_table(table, mapping)
    if row is not None:
        doc = _document_of_row(mapped, row, mapping.target, table)
    else:
        assert reference is not None
        doc = _document(mapped, reference, mapping.target, table.file)
    whole = _Part(table, mapped, doc)
    return _explanation(mapping, whole, whole, field, row, tuple(whole.document[ROWS][0]))


def explain_spanning(first: Table, part: Table, mapping: Mapping, row: int,
                     field: str | None, before: int, rows: tuple[int, ...],
                     count: int) -> Explanation:
    """`explain` of the items of `row` in one journal of the whole file, from two of its
    slices: the `first`, whose first row the journal's fields come from, and the `part`
    that holds the row (`before`: the journal's items in the slices before it; `rows`: its
    first rows, of `count`)."""
    mapped = map_table(part, mapping)
    body = _Part(part, mapped, _document_of_row(mapped, row, mapping.target, part), before)
    return _explanation(mapping, _Part(first, map_table(first, mapping), 0), body, field,
                        row, rows, count - len(rows))


def _explanation(mapping: Mapping, head: _Part, body: _Part, field: str | None,
                 row: int | None, rows: tuple[int, ...], more: int = 0) -> Explanation:
    """The document's own fields from `head`, its items from `body` (of `row` alone when
    given)."""
    target = mapping.target
    document = head.document
    key = document[KEY][0]
    traces: list[FieldTrace] = []
    ctx = _context(head.table, mapping)
    first = head.rows([rows[0]]).with_columns(
        pl.lit(head.doc).alias(DOC), pl.lit(key).alias(KEY), pl.Series(ROWS, [list(rows)]))
    for spec in mapping.header:
        if _wanted(field, target.header_key, spec):
            traces.append(_trace(ctx, spec, first, True, DOCUMENT,
                                 document[spec.name][0] if spec.name in document.columns
                                 else None))
    ctx = ctx if body is head else _context(body.table, mapping)
    items = body.mapped.items
    items = items.filter(pl.col(DOC) == body.doc) if items.height else items
    for number, item in enumerate(items.iter_rows(named=True), start=body.before + 1):
        if item[ITEM] >= len(mapping.items):
            continue  # made by Yuki's rules (a balancing entry), not by a row of the file
        if row is not None and item[ROW] != row:
            continue
        cells = body.rows([item[ROW]]).with_columns(pl.lit(body.doc).alias(DOC),
                                                    pl.lit(key).alias(KEY))
        place = tr("{item} {number} (row {row})", item=nouns.item(target), number=number,
                   row=item[ROW])
        for spec in mapping.items[item[ITEM]].fields:
            if _wanted(field, target.item_key, spec):
                traces.append(_trace(ctx, spec, cells, False, place, item.get(spec.name),
                                     number))
    if field is not None and not traces:
        raise UsageError(tr("{mapping} has no field {field} in the {document} {key}",
                            mapping=mapping.path.name, field=repr(field),
                            document=nouns.document(target), key=key),
                         hint=_field_hint(mapping, field))
    return Explanation(nouns.label(target.document, key), head.table.sheet, rows,
                       tuple(traces), more)


def _context(table: Table, mapping: Mapping) -> Context:
    locale, _ = file_locale(table, mapping)
    return Context(table, mapping, locale, RowEnv(table, mapping, locale))


DOCUMENT = "document"  # i18n: the place of a document's own fields, a key (shown translated)


def _document(mapped: Mapped, reference: str, target: DocumentType, file: str) -> int:
    keys = mapped.documents[KEY].to_list()
    for doc, key in zip(mapped.documents[DOC].to_list(), keys):
        if key == reference:
            return int(doc)
    close = difflib.get_close_matches(reference, [k for k in keys if k], n=3)
    document = nouns.document(target)
    hint = (tr("did you mean {names}?", names=either(list(map(repr, close)))) if close else
            tr("the first {documents} are {keys}", documents=nouns.documents(target),
               keys=", ".join(map(repr, keys[:3]))) if keys else
            tr("the file makes no {document}", document=document))
    raise UsageError(tr("{file}: no {document} {reference}", file=file, document=document,
                        reference=repr(reference)), hint=hint)


def _document_of_row(mapped: Mapped, row: int, target: DocumentType, table: Table) -> int:
    for doc, rows in zip(mapped.documents[DOC].to_list(), mapped.documents[ROWS].to_list()):
        if row in rows:
            return int(doc)
    last = table.header_row + table.frame.height
    if not table.header_row < row <= last:
        hint = tr("the file's data rows are {first} to {last}", first=table.header_row + 1,
                  last=last)
    else:
        hint = tr("the row is left out (skip_rows, skip_documents) or has a problem: run check")
    raise UsageError(tr("{file}: row {row} makes no {document}", file=table.file, row=row,
                        document=nouns.document(target)), hint=hint)


def _wanted(field: str | None, section: str, spec: FieldSpec) -> bool:
    return field is None or field in (spec.name, f"{section}.{spec.name}")


def _field_hint(mapping: Mapping, field: str) -> str:
    target = mapping.target
    names = [f"{target.header_key}.{s.name}" for s in mapping.header]
    names += [f"{target.item_key}.{s.name}" for item in mapping.items for s in item.fields]
    close = difflib.get_close_matches(field, list(dict.fromkeys(names)), n=3, cutoff=0.5)
    if close:
        return tr("did you mean {names}?", names=either(list(map(repr, close))))
    return tr("the mapping's fields are {names}", names=", ".join(names[:12]))


# --- one field ----------------------------------------------------------------------------


def _trace(ctx: Context, spec: FieldSpec, frame: pl.DataFrame, header: bool, place: str,
           value: str | None, item: int | None = None) -> FieldTrace:
    told: dict[str, str | None] = {}

    def tell(step: str, values: pl.Series) -> None:
        told[step] = values[0] if values.len() else None

    found = field_values(ctx, spec, frame, header, tell)
    steps = [*_source_steps(ctx, spec, frame),
             *_modifier_steps(ctx, spec, frame, told, found.tally)]
    if value != told.get("checked"):
        steps.append(Step(tr("Yuki's rules for {documents}",
                             documents=nouns.title(ctx.mapping.target)), value))
    name = ctx.section_name(spec, header)
    return FieldTrace(name, place, tuple(steps), value,
                      tuple(_problem_text(p) for p in found.problems), item)


def _cell(ctx: Context, frame: pl.DataFrame, column: str) -> Step:
    letter = ctx.table.letters.get(column)
    row = frame[ROW][0]
    what = (tr("column {column} ({letter}), row {row}", column=repr(column), letter=letter,
               row=row) if letter else
            tr("column {column}, row {row}", column=repr(column), row=row))
    return Step(what, frame[column][0], (row, column, letter))


def _source_steps(ctx: Context, spec: FieldSpec, frame: pl.DataFrame) -> list[Step]:
    source = spec.source
    if isinstance(source, Column):
        return [_cell(ctx, frame, source.name)]
    if isinstance(source, Constant):
        return [Step(tr("a fixed value (the mapping, or an option of the command)"),
                     source.text)]
    if isinstance(source, Expression):
        cells = [_cell(ctx, frame, c) for c in sorted(source.columns) if c in frame.columns]
        return [*cells, Step(f"expr: {source.expr.source}", None)]
    if isinstance(source, DebitCredit):
        return [_cell(ctx, frame, c) for c in (source.debit, source.credit) if c is not None]
    if isinstance(source, Rules):
        return [_cell(ctx, frame, c) for c in sorted(source.columns) if c in frame.columns]
    return [Step(tr("no source of its own"), None)]


def _rule_text(tally: Tally | None) -> str:
    """Which rule of a rules: table took the row (the table's tally over this one row)."""
    if tally is not None:
        for text, rows in tally.counts:
            if rows:
                number, _, rule = text.partition(": ")
                return tr("rules: rule {number} holds ({rule})", number=number,
                          rule=rule.rpartition(" -> ")[0])
        if tally.fallback is not None and tally.fallback[1]:
            return tr("rules: no rule holds, so the fallback")
    return tr("rules: no rule holds")


def _modifier_steps(ctx: Context, spec: FieldSpec, frame: pl.DataFrame,
                    told: dict[str, str | None], tally: Tally | None) -> list[Step]:
    steps: list[Step] = []
    if isinstance(spec.source, Expression) and spec.lookup is not None:
        steps.append(Step(tr("the expression gives, through its map: table"), told["source"]))
    elif isinstance(spec.source, Expression):
        steps.append(Step(tr("the expression gives"), told["source"]))
    elif isinstance(spec.source, Rules):
        steps.append(Step(_rule_text(tally), told["source"]))
    elif spec.lookup is not None:
        steps.append(Step(_lookup_text(spec, frame), told["source"]))
    elif isinstance(spec.source, DebitCredit):
        steps.append(Step(tr("{reading}, debit minus credit", reading=_read_text(ctx, spec)),
                          told["source"]))
    elif isinstance(spec.source, Column) and spec.kind != "text":
        steps.append(Step(_read_text(ctx, spec), told["source"]))
    if spec.sign is not None:
        word = frame[spec.sign.column][0]
        steps.append(Step(tr("sign: the column {column} says {word}",
                             column=repr(spec.sign.column), word=repr(word)), told["sign"]))
    if spec.negate:
        steps.append(Step("negate: true", told["negate"]))
    if spec.default is not None and told["negate"] is None:
        steps.append(Step(tr("empty, so the default"), told["default"]))
    if spec.round is not None and spec.kind == "decimal":
        steps.append(Step(tr("round: {places} (half up)", places=spec.round), told["round"]))
    if told["checked"] != told["round"]:
        steps.append(Step(tr("Yuki's limits for the element"), told["checked"]))
    return steps


def _lookup_text(spec: FieldSpec, frame: pl.DataFrame) -> str:
    lookup = spec.lookup
    assert lookup is not None
    key = frame[spec.column][0] if spec.column is not None else None
    if isinstance(spec.source, Constant):
        key = spec.source.text
    if key is None:
        return tr("map: the cell is empty")
    folded = key.lower() if lookup.ignore_case else key
    if folded in lookup.table:
        return tr("map: {key} is in the table", key=repr(key))
    if lookup.fallback is not None:
        return tr("map: {key} is not in the table, so the fallback", key=repr(key))
    return tr("map: {key} is not in the table", key=repr(key))


def _read_text(ctx: Context, spec: FieldSpec) -> str:
    locale = ctx.field_locale(spec)
    if spec.kind == "decimal":
        if locale.decimal_mark:
            return tr("read as a number (decimal mark {mark})", mark=repr(locale.decimal_mark))
        return tr("read as a number")
    if spec.kind == "date":
        if locale.date_formats:
            return tr("read as a date ({formats})", formats=either(list(locale.date_formats)))
        return tr("read as a date")
    reading = _READ_AS.get(spec.kind)
    return tr(reading) if reading else tr("read as {kind}", kind=spec.kind)


_READ_AS = {"text": N_("read as text"), "integer": N_("read as integer"),
            "boolean": N_("read as boolean")}


def _problem_text(problem: Problem) -> str:
    where = problem.where.short()
    value = f" ({problem.value!r})" if problem.value is not None else ""
    severity = tr("error") if problem.severity == "error" else tr("warning")
    return f"{severity}: {problem.cause}{value}" + (f" [{where}]" if where else "")


# --- as text ------------------------------------------------------------------------------


# A document's rows named in the head, at most: one journal of a whole file has them all
SHOWN_ROWS = 50


def format_explanation(explanation: Explanation) -> str:
    """The traces as text, one block per field: its steps, then the value Yuki gets."""
    n = len(explanation.rows) + explanation.more
    rows = ", ".join(map(str, explanation.rows[:SHOWN_ROWS]))
    if n > SHOWN_ROWS:
        rows += " " + tr("(+{more} more)", more=n - SHOWN_ROWS)
    if explanation.sheet:
        head = plural(n, "{document} (sheet {sheet}, row {rows})",
                      "{document} (sheet {sheet}, rows {rows})", document=explanation.document,
                      sheet=repr(explanation.sheet), rows=rows)
    else:
        head = plural(n, "{document} (row {rows})", "{document} (rows {rows})",
                      document=explanation.document, rows=rows)
    lines = [head, ""]
    place = None
    for trace in explanation.traces:
        if trace.place != place:
            place = trace.place
            lines.append(f"{tr('document') if place == DOCUMENT else place}:")
        lines.append(f"  {trace.name} = {_shown(trace.value)}")
        for step in trace.steps:
            lines.append(f"      {step.what}: {_shown(step.value)}" if step.value is not None
                         or not step.what.startswith("expr:") else f"      {step.what}")
        lines += [f"      {p}" for p in trace.problems]
    return "\n".join(lines) + "\n"


def _shown(value: str | None) -> str:
    return tr("(empty)") if value is None else repr(value)
