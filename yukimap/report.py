"""Turning problems and summaries into text for people.

Problems are grouped by cause, so that 212 rows with the same bad date read as one item
with its rows listed, not 212 messages. Data problems speak in spreadsheet terms (row 5,
column 'Order date' (C)); mapping problems in file:line:column with the key path.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

from yukimap import nouns
from yukimap.errors import UserError, _rows_text
from yukimap.grouping import (
    count_shown,
    display_path,
    fix_line,
    format_problems,
)
from yukimap.i18n import N_, plural, tr
from yukimap.money import money

if TYPE_CHECKING:
    from yukimap.frames import Tally
    from yukimap.send import Receipt
    from yukimap.summary import Summary


def print_user_error(exc: UserError, stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    errors = [p for p in exc.problems if p.is_error]
    print(tr("error: {message}", message=exc.message), file=stream)
    if exc.hint:
        print(fix_line(exc.hint), file=stream)
    if exc.problems:
        print(file=stream)
        print(format_problems(exc.problems), file=stream)
        warnings = count_shown(exc.problems, "warning")
        if errors and warnings:
            print("\n" + tr("{errors}, {warnings}; nothing was written.",
                             errors=plural(count_shown(exc.problems), "1 error", "{count} errors"),
                             warnings=plural(warnings, "1 warning", "{count} warnings")),
                  file=stream)


def _table(rows: list[tuple[str, ...]], limit: int = 40) -> list[str]:
    """A header row and value rows as aligned columns; long tables are cut with a count."""
    shown = rows[: limit + 1]
    widths = [max(len(r[i]) for r in shown) for i in range(len(rows[0]))]
    out = []
    for row in shown:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        out.append("    " + "  ".join(cells))
    if len(rows) > limit + 1:
        out.append("    " + tr("… and {count} more", count=len(rows) - limit - 1))
    return out


def format_summary(summary: Summary, source: str, mapping: str, outcome: str) -> str:
    """The dry-run / conversion summary: counts, skipped rows, totals per currency."""
    from yukimap.documents import DOCUMENT_TYPES

    target = DOCUMENT_TYPES[summary.target]
    title = nouns.title(target)
    lines = [tr("{source} -> {title} (mapping {mapping})", source=source, title=title,
                mapping=mapping)]
    rows = [(tr("rows read"), str(summary.rows_read))]
    skipped = sum(summary.skipped.values())
    if skipped:
        why = "; ".join(f"{cond}: {n}" for cond, n in summary.skipped.items())
        rows.append((tr("rows skipped"), f"{skipped}  ({why})"))
    skipped_docs = sum(summary.skipped_documents.values())
    if skipped_docs:
        why = "; ".join(f"{cond}: {n}" for cond, n in summary.skipped_documents.items())
        rows.append((tr("{title} skipped", title=title), f"{skipped_docs}  ({why})"))
    rows.append((title, str(summary.documents)))
    rows.append((nouns.items(target), str(summary.items)))
    for name, value in summary.figures.items():
        rows.append((name, str(value)))
    width = max(len(label) for label, _ in rows)
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    if summary.totals:
        lines.append("  " + tr("totals (yukimap's estimate; per line, rounded half-up to cents):"))
        lines.append(f"    {tr('currency'):<8} {tr('excl. VAT'):>16} {tr('VAT'):>14}"
                     f" {tr('incl. VAT'):>16}")
        for currency, t in sorted(summary.totals.items()):
            lines.append(f"    {currency:<8} {money(t.excl):>16} {money(t.vat):>14}"
                         f" {money(t.incl):>16}")
    tables = ([(summary.table_title, summary.table)] if summary.table else []) + summary.tables
    for title, table in tables:
        lines.append(f"  {title}:")
        lines += _table(table)
    names = [tally.field for tally in summary.tallies]
    for tally in summary.tallies:
        lines += _tally(tally, located=names.count(tally.field) > 1)
    if summary.unpriced:
        lines.append("  " + plural(
            summary.unpriced,
            "1 line(s) without a price: Yuki takes it from its price list (not in the totals)",
            "{count} line(s) without a price: Yuki takes it from its price list"
            " (not in the totals)"))
    notes = summary.notes + [note for tally in summary.tallies
                             if (note := _all_to_fallback(tally)) is not None]
    lines += ["  " + tr("note: {note}", note=note) for note in notes]
    lines.append(f"  {outcome}")
    return "\n".join(lines)


def _tally(tally: Tally, located: bool) -> list[str]:
    """The rows of each rule or value of a rules: or map: table, the fallback's, the
    default's; a long table is cut, never its fallback and default. The table's place in
    the mapping only when two tables are of fields of one name (two kinds of entries):
    a snapshot of the summary (yukimap test) should not change when a line is added."""
    place = [tally.place] if located else []
    rows_unit = tally.unit == "rows"  # else "documents"
    if tally.kind == "rules":
        notes = ", ".join(place)
        title = (tr("rows per rule of {field}", field=tally.field) if rows_unit
                 else tr("documents per rule of {field}", field=tally.field))
        title += f" ({notes})" if notes else ""
    else:
        notes = ", ".join([tr("map: on '{column}'", column=tally.column), *place])
        title = (tr("rows per value of {field} ({notes})", field=tally.field, notes=notes)
                 if rows_unit else
                 tr("documents per value of {field} ({notes})", field=tally.field, notes=notes))
    rows: list[tuple[str, ...]] = [(_cut(label), str(count)) for label, count in tally.counts]
    listed = len(rows)
    if tally.fallback is not None:
        rows.append((tr("fallback -> {value}", value=tally.fallback[0]), str(tally.fallback[1])))
    if tally.default is not None:
        rows.append((tr("empty: default -> {value}", value=tally.default[0]),
                     str(tally.default[1])))
    if not rows:
        return [f"  {title}:", "    " + tr("(none)")]
    lines = _table(rows, limit=len(rows))
    if listed > _TALLIED:
        cut = sum(count for _, count in tally.counts[_TALLIED:])
        more = listed - _TALLIED
        lines[_TALLIED:listed] = ["    " + (
            tr("… and {count} more ({cut} rows)", count=more, cut=cut) if rows_unit
            else tr("… and {count} more ({cut} documents)", count=more, cut=cut))]
    return [f"  {title}:"] + lines


_TALLIED = 30  # rules or values listed per table in a summary
_LABEL = 72  # a rule's text is cut to this width, its result kept: the counts stay in view


def _cut(label: str) -> str:
    """`1: Naam contains 'kpn' -> 4310`, cut in its condition when too long to read."""
    if len(label) <= _LABEL:
        return label
    condition, arrow, result = label.rpartition(" -> ")
    if not arrow:
        return label[:_LABEL - 1] + "…"
    room = _LABEL - len(arrow) - len(result) - 1
    return condition[:max(room, 10)] + "…" + arrow + result


def _all_to_fallback(tally: Tally) -> str | None:
    """A table that gave every row its fallback: most likely a mistake, said at once."""
    if tally.fallback is None or not tally.fallback[1] or tally.fallback[1] < tally.rows - (
            tally.default[1] if tally.default else 0):
        return None
    field, value, column = tally.field, tally.fallback[0], tally.column
    if tally.unit == "rows":
        if tally.kind == "rules":
            return tr("every row of {field} took the fallback ({value}): check its rules:",
                      field=field, value=value)
        return tr("every row of {field} took the fallback ({value}): check map: and the column"
                  " '{column}'", field=field, value=value, column=column)
    if tally.kind == "rules":
        return tr("every document of {field} took the fallback ({value}): check its rules:",
                  field=field, value=value)
    return tr("every document of {field} took the fallback ({value}): check map: and the"
              " column '{column}'", field=field, value=value, column=column)


_LISTED = 10  # documents listed per outcome in a receipt
_OUTCOME_LABELS = (  # the states are the send journal's (English); the labels are said
    ("SENT", N_("sent")), ("ALREADY SENT", N_("already sent (skipped)")),
    ("REJECTED", N_("rejected")), ("UNKNOWN", N_("outcome unknown")),
    ("AWAITING DECISION", N_("awaiting a decision (not resent)")),
    ("NOT SENT", N_("not sent (the run stopped)")), ("WOULD SEND", N_("would be sent")),
)


def format_receipt(receipt: Receipt) -> str:
    """A send run in a few lines: counts per outcome, Yuki's messages, the calls."""
    from yukimap.documents import DOCUMENT_TYPES

    title = nouns.title(DOCUMENT_TYPES[receipt.target])
    where = (receipt.administration_name if receipt.administration_name == receipt.administration
             else f"{receipt.administration_name} ({receipt.administration})")
    file = display_path(receipt.file)
    lines = [tr("dry run: {file} -> {title} for {where}", file=file, title=title, where=where)
             if receipt.dry_run else
             tr("{file} -> {title} for {where}", file=file, title=title, where=where)]
    if receipt.file_seen_before:
        lines.append("  " + tr("this file was seen before, on {date}",
                               date=receipt.file_seen_before[:10]))
    if receipt.journal:
        lines.append("  " + tr("send journal: {journal}", journal=receipt.journal))
    counts = receipt.counts()
    labels = [(state, tr(label)) for state, label in _OUTCOME_LABELS]
    width = max(len(label) for _, label in labels)
    for state, label in labels:
        if counts.get(state):
            lines.append(f"  {label:<{width}}  {counts[state]}")
    if not receipt.documents:
        lines.append("  " + tr("no documents in the file"))
    for state, label in labels:
        lines += _listed(receipt, state, label)
    lines += _calls(receipt)
    if receipt.stopped:
        lines.append("  " + (tr("note: {note}", note=receipt.stopped) if receipt.dry_run
                             else tr("stopped: {reason}", reason=receipt.stopped)))
    return "\n".join(lines)


def _listed(receipt: Receipt, state: str, label: str) -> list[str]:
    if state in ("SENT", "WOULD SEND"):
        return []
    chosen = receipt.documents.where((state,), _LISTED)
    if not chosen:
        return []
    out = [f"  {label}:"]
    for outcome in chosen:
        rows = f" ({_rows_text(outcome.rows)})" if outcome.rows else ""
        detail = ""
        if state == "ALREADY SENT":
            date = (outcome.sent_at or "?")[:10]
            detail = ": " + (tr("already sent on {date} (journal entry {id})", date=date,
                                id=outcome.log_id) if outcome.log_id
                             else tr("already sent on {date}", date=date))
        elif outcome.message:
            detail = f": {outcome.message}"
        if state in ("UNKNOWN", "AWAITING DECISION") and outcome.log_id:
            detail += tr("; decide with `yukimap resolve {id} --sent` or `--not-sent`",
                         id=outcome.log_id)
        out.append(f"    {outcome.label}{rows}{detail}")
    more = receipt.counts()[state] - len(chosen)
    if more:
        out.append("    " + tr("… and {count} more", count=more))
    return out


def _calls(receipt: Receipt) -> list[str]:
    if receipt.dry_run:
        planned = receipt.calls_planned
        return ["  " + tr("Yuki calls it would cost: {planned} for the documents (plus at most"
                          " Authenticate, an administration lookup and two pre-flight lookups a"
                          " day)", planned=planned)]
    if receipt.calls_left is None:
        return ["  " + tr("Yuki calls: {used} this run", used=receipt.calls_used)]
    return ["  " + tr("Yuki calls: {used} this run, {left} left today", used=receipt.calls_used,
                      left=receipt.calls_left)]
