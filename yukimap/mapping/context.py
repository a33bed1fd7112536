"""What every function of the map stage knows of one conversion (the file, the mapping, the
file's locale, the row environment), and where a problem in the file is."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import polars as pl

from yukimap import nouns
from yukimap.errors import Problem, Severity, Where
from yukimap.frames import KEY, ROW, VALUE, Table
from yukimap.i18n import tr
from yukimap.mapping.rowenv import RowEnv
from yukimap.model import FieldSpec, Mapping
from yukimap.values import Locale, Parsed, decimal_mark_evidence

# A column parsed one way, by (frame, column, how): two journal entries reading one amount
# parse it once. The frame is kept with its result, so that its id stays its own.
ParseMemo = dict[tuple[object, ...], tuple[Parsed, pl.DataFrame]]
# Amounts signed by a sign column, by (frame, amounts, sign): two journal entries signing one
# amount sign it once. (Which rows' words are known, the amounts signed; and, kept so that
# their ids stay their own, the frame and the amounts.)
SignMemo = dict[tuple[object, ...], tuple[pl.Series, pl.Series, pl.DataFrame, pl.Series]]


@dataclass(frozen=True)
class Context:
    """Given to every function of one map_table call; they return what they find."""

    table: Table
    mapping: Mapping
    locale: Locale  # the source's, with the decimal mark settled from the file (file_locale)
    env: RowEnv
    parsed: ParseMemo = field(default_factory=dict)
    signed: SignMemo = field(default_factory=dict)

    def field_locale(self, spec: FieldSpec) -> Locale:
        """The field's own locale, with the file's decimal mark where it names none."""
        if spec.locale.decimal_mark is None and self.locale.decimal_mark is not None:
            return replace(spec.locale, decimal_mark=self.locale.decimal_mark,
                           thousands_separator=self.locale.thousands_separator)
        return spec.locale

    def section_name(self, spec: FieldSpec, header: bool) -> str:
        target = self.mapping.target
        return f"{target.header_key if header else target.item_key}.{spec.name}"


def file_locale(table: Table, mapping: Mapping) -> tuple[Locale, list[str]]:
    """The source locale, with the decimal mark settled from the whole file if unset; and
    the note that says so, for the summary."""
    locale = mapping.source.locale
    if locale.decimal_mark is not None:
        return locale, []
    columns = sorted({
        s.column for s in mapping.all_fields()
        if s.kind == "decimal" and s.column and s.lookup is None and s.locale.decimal_mark is None
    })
    texts = pl.concat(
        [table.frame[c].drop_nulls().unique() for c in columns]
        or [pl.Series([], dtype=pl.String)]
    ).unique().to_list()
    mark, _ambiguous = decimal_mark_evidence(texts)
    if mark is None:
        return locale, []
    note = tr("decimal mark '{mark}' (read from the values in {columns})", mark=mark,
              columns=", ".join(columns))
    return replace(locale, decimal_mark=mark,
                   thousands_separator="," if mark == "." else "."), [note]


def where(table: Table, rows: Iterable[int], column: str | None) -> Where:
    letter = table.letters.get(column) if column else None
    return Where(file=table.file, sheet=table.sheet, rows=tuple(rows), column=column,
                 letter=letter)


def field_where(ctx: Context, column: str | None, rows: pl.DataFrame, name: str,
                header: bool) -> Where:
    """Rows of a field's values: a document field of one document names the document."""
    document = None
    if header and rows.height == 1:
        document = nouns.label(ctx.mapping.target.document, rows[KEY][0])
    return replace(where(ctx.table, rows[ROW].to_list(), column), key=name, document=document)


def flagged(ctx: Context, column: str | None, frame: pl.DataFrame, mask: pl.Series, name: str,
            header: bool, cause: str, hint: str | None, values: pl.Series | None = None,
            severity: Severity = "error") -> list[Problem]:
    """One problem per distinct value among the rows of `mask`, with its rows."""
    if not mask.any():
        return []
    shown = values if values is not None else pl.repeat(None, frame.height, dtype=pl.String,
                                                        eager=True)
    rows = frame.select(ROW, KEY).with_columns(shown.alias(VALUE)).filter(mask)
    return [Problem(cause, field_where(ctx, column, group, name, header), value=value, hint=hint,
                    severity=severity)
            for (value,), group in rows.group_by(VALUE, maintain_order=True)]
