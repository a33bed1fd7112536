"""From rows to documents and items: rows left out (skip_rows), rows grouped into documents
(group_by, or one document per row or per file), documents left out (skip_documents), each
document's fields from its first row, and each kind of item from the rows its when: picks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import polars as pl

from yukimap import nouns
from yukimap.errors import Problem
from yukimap.frames import DOC, ITEM, KEY, PLACE, POS, ROW, ROWS, Tally
from yukimap.i18n import plural, tr
from yukimap.mapping.conditions import all_hold, condition
from yukimap.mapping.context import Context, where
from yukimap.mapping.fields import field_values
from yukimap.mapping.fixes import yaml_text
from yukimap.mapping.rowenv import evaluate
from yukimap.model import ItemSpec
from yukimap.values import to_xml_text

Skipped = dict[str, int]  # a condition, described -> the rows (or documents) it left out


def skip_rows(ctx: Context, frame: pl.DataFrame) -> tuple[pl.DataFrame, Skipped, list[Problem]]:
    """The rows no skip_rows condition holds for (a row is counted for the first that does)."""
    skipped: Skipped = {}
    problems: list[Problem] = []
    if not ctx.mapping.skip:
        return frame, skipped, problems
    drop = pl.Series([False] * frame.height, dtype=pl.Boolean)
    for cond in ctx.mapping.skip:
        holds, found = condition(ctx, cond, frame)
        problems += found
        hit = holds & ~drop
        count = int(hit.sum())
        if count:
            skipped[cond.describe()] = count
        drop = drop | hit
    return frame.filter(~drop), skipped, problems


def skip_documents(ctx: Context,
                   frame: pl.DataFrame) -> tuple[pl.DataFrame, Skipped, list[Problem]]:
    """The rows of the documents whose first row no skip_documents condition holds for."""
    skipped: Skipped = {}
    problems: list[Problem] = []
    if not ctx.mapping.skip_documents:
        return frame, skipped, problems
    firsts = frame.group_by(DOC, maintain_order=True).first()
    drop = pl.Series([False] * firsts.height, dtype=pl.Boolean)
    for cond in ctx.mapping.skip_documents:
        holds, found = condition(ctx, cond, firsts)
        problems += found
        hit = holds & ~drop
        if hit.any():
            skipped[cond.describe()] = int(hit.sum())
        drop = drop | hit
    return frame.filter(~pl.col(DOC).is_in(firsts.filter(drop)[DOC].to_list())), skipped, problems


# --- documents ----------------------------------------------------------------------------


def assign_documents(ctx: Context, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[Problem]]:
    """Each row with its document (DOC, numbered in order) and the document's key (KEY);
    rows without a key are left out, as a problem."""
    group, target, table = ctx.mapping.group, ctx.mapping.target, ctx.table
    if group is None and target.without_group_by == "file":
        return frame.with_columns(pl.lit(0, dtype=pl.Int64).alias(DOC),
                                  pl.lit(Path(table.file).name).alias(KEY)), []
    if group is None:
        return frame.with_columns(pl.int_range(pl.len()).alias(DOC),
                                  pl.col(ROW).cast(pl.String).alias(KEY)), []
    problems: list[Problem] = []
    if group.expr is not None:
        evaluated = evaluate(ctx.env, group.expr, frame, group.where)
        problems += evaluated.problems
        key = pl.Series([None if v in (None, "") else to_xml_text(v) for v in evaluated.values],
                        dtype=pl.String).to_frame(KEY).to_series()
        frame = frame.with_columns(key.alias(KEY))
    else:
        assert group.column is not None
        frame = frame.with_columns(pl.col(group.column).alias(KEY))
    if group.fill_down:
        frame = frame.with_columns(pl.col(KEY).forward_fill())
    empty = frame.filter(pl.col(KEY).is_null())
    if empty.height:
        what = (tr("the column '{column}'", column=group.column) if group.column
                else tr("the group_by expression"))
        problems.append(Problem(
            tr("no value in {what} that makes the {documents}", what=what,
               documents=nouns.title(target)),
            where(table, empty[ROW].to_list(), group.column), hint=_empty_key_hint(ctx, empty),
        ))
        frame = frame.filter(pl.col(KEY).is_not_null())
    keys = frame[KEY].unique(maintain_order=True)
    index = dict(zip(keys.to_list(), range(len(keys))))
    return frame.with_columns(
        pl.col(KEY).replace_strict(index, return_dtype=pl.Int64).alias(DOC)
    ), problems


def _empty_key_hint(ctx: Context, empty: pl.DataFrame) -> str:
    """Rows without a key are most often totals or a footer: leaving them out comes
    first, since fill_down would add them to the document above (a total booked twice)."""
    fill = tr("only if such rows continue the document above, add fill_down: true to group_by")
    total = _totals_cell(empty, ctx.table.columns)
    if total is not None:
        skip = f"skip_rows: {{column: {yaml_text(total[0])}, starts_with: {yaml_text(total[1])}}}"
        return plural(empty.height, "it looks like a totals row: leave it out with {skip}; {fill}",
                      "it looks like totals rows: leave them out with {skip}; {fill}",
                      skip=skip, fill=fill)
    last = ctx.table.frame.height
    if sorted(empty[POS].to_list()) == list(range(last - empty.height, last)):
        return plural(empty.height,
                      "this is the file's last row: if it is totals or a footer, leave it out"
                      " with skip_last: {count} under source:; {fill}",
                      "these are the file's last {count} rows: if they are totals or a footer,"
                      " leave them out with skip_last: {count} under source:; {fill}", fill=fill)
    return tr("fill in the key on every row; leave rows that are not data (totals, notes) out"
              " with skip_rows:; {fill}", fill=fill)


_TOTAL = re.compile(r"^\s*((?:sub)?tota(?:a)?l)", re.IGNORECASE)


def _totals_cell(rows: pl.DataFrame, columns: Sequence[str]) -> tuple[str, str] | None:
    """(column, word) of the first cell of these rows that starts with a totals word."""
    for column in columns:
        for value in rows[column].drop_nulls().to_list()[:50]:
            found = _TOTAL.match(value)
            if found:
                return column, found.group(1)
    return None


def documents(ctx: Context, frame: pl.DataFrame
              ) -> tuple[pl.DataFrame, list[Problem], list[Tally]]:
    """One row per document: its key, its rows, and its fields from its first row; and
    the rows each rules: and map: table of its fields gave a value."""
    firsts = frame.group_by(DOC, maintain_order=True).agg(
        pl.all().exclude(ROW).first(), pl.col(ROW).alias(ROWS)
    )
    firsts = firsts.with_columns(pl.col(ROWS).list.first().alias(ROW))
    problems = _conflicts(ctx, frame)
    values, tallies = [], []
    for spec in ctx.mapping.header:
        field = field_values(ctx, spec, firsts, header=True)
        values.append(field.series)
        problems += field.problems
        tallies += [field.tally] if field.tally is not None else []
    return firsts.select(DOC, KEY, ROWS, *values), problems, tallies


def _conflicts(ctx: Context, frame: pl.DataFrame) -> list[Problem]:
    """Rows of one document that disagree on a column its fields read (unless the mapping
    says the first row counts)."""
    group = ctx.mapping.group
    if group is None or group.on_conflict == "first":
        return []
    columns = sorted({c for s in ctx.mapping.header for c in s.columns} - {group.column}
                     - (group.expr.columns if group.expr is not None else frozenset()))
    if not columns:
        return []
    counts = frame.group_by(DOC, maintain_order=True).agg(
        pl.col(c).drop_nulls().n_unique() for c in columns)
    counts = counts.filter(pl.any_horizontal(pl.col(c) > 1 for c in columns))
    if not counts.height:  # the usual case: no query per column
        return []
    return [_conflict(ctx, frame.filter(pl.col(DOC) == doc), column)
            for column in columns
            for doc in counts.filter(pl.col(column) > 1)[DOC].to_list()[:50]]


def _conflict(ctx: Context, rows: pl.DataFrame, column: str) -> Problem:
    target = ctx.mapping.target
    document = target.document
    values = rows[column].drop_nulls().unique(maintain_order=True).to_list()
    return Problem(
        tr("rows of one {document} disagree on the column '{column}'",
           document=nouns.document(target), column=column),
        replace(where(ctx.table, rows[ROW].to_list(), column),
                document=nouns.label(document, rows[KEY][0])),
        value=" / ".join(values[:4]),
        hint=tr("the first row's value would be used; fix the export, or add"
                " on_conflict: first to group_by"),
    )


# --- items --------------------------------------------------------------------------------


Items = tuple[pl.DataFrame, pl.DataFrame, list[Problem], list[Tally]]


def items(ctx: Context, frame: pl.DataFrame) -> Items:
    """Every item, in the order of the file (and of the item kinds within a row); the
    exact values of the fields with round:, before it; and the rows each rules: and map:
    table of their fields gave a value."""
    parts, exact_parts, problems, tallies = [], [], [], []
    for index, item in enumerate(ctx.mapping.items):
        rows, found = _item_rows(ctx, item, frame)
        problems += found
        values, exact = [], []
        for spec in item.fields:
            field = field_values(ctx, spec, rows, header=False)
            values.append(field.series)
            problems += field.problems
            tallies += [field.tally] if field.tally is not None else []
            if field.exact is not None:
                exact.append(field.exact.alias(spec.name))
        place = pl.lit(int(item.place == "last")).alias(PLACE)
        parts.append(rows.select(DOC, ROW, pl.lit(index).alias(ITEM), *values, place))
        if exact:
            exact_parts.append(rows.select(DOC, ROW, pl.lit(index).alias(ITEM), *exact, place))
    return _in_order(parts), _in_order(exact_parts), problems, tallies


def _in_order(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """By document; within one, by row and kind of item, the items placed last after."""
    joined = pl.concat(parts, how="diagonal") if parts else pl.DataFrame()
    if not joined.height:
        return joined.drop(PLACE, strict=False)
    return joined.sort(DOC, PLACE, ROW, ITEM, maintain_order=True).drop(PLACE)


def _item_rows(ctx: Context, item: ItemSpec,
               frame: pl.DataFrame) -> tuple[pl.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    if item.when:
        keep, problems = all_hold(ctx, item.when, frame)
        frame = frame.filter(keep)
    if item.once:  # the first of the document's rows left
        frame = frame.filter(pl.col(ROW) == pl.col(ROW).min().over(DOC))
    return frame, problems


def documents_without_items(ctx: Context, documents: pl.DataFrame,
                            items: pl.DataFrame) -> list[Problem]:
    target = ctx.mapping.target
    with_items = set(items[DOC].unique().to_list()) if items.height else set()
    empty = documents.filter(~pl.col(DOC).is_in(list(with_items)))
    return [Problem(tr("{document} without {items}", document=nouns.a_document(target),
                       items=target.item_key),
                    replace(where(ctx.table, rows, None),
                            document=nouns.label(target.document, key)),
                    hint=tr("check the when: conditions under {items}:", items=target.item_key))
            for key, rows in zip(empty[KEY].to_list(), empty[ROWS].to_list())]
