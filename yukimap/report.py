"""Turning problems and summaries into text for people.

Problems are grouped by cause, so that 212 rows with the same bad date read as one item
with its rows listed, not 212 messages. Data problems speak in spreadsheet terms (row 5,
column 'Order date' (C)); mapping problems in file:line:column with the key path.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

from yukimap.errors import UserError, _rows_text
from yukimap.grouping import (
    count_shown,
    display_path,
    fix_line,
    format_problems,
)
from yukimap.i18n import plural, tr
from yukimap.money import money

if TYPE_CHECKING:
    from yukimap.frames import Tally
    from yukimap.send import Receipt
    from yukimap.summary import Summary


def print_user_error(exc: UserError, stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    errors = [p for p in exc.problems if p.is_error]
    print(f"error: {exc.message}", file=stream)
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
        out.append(f"    … and {len(rows) - limit - 1} more")
    return out


def format_summary(summary: Summary, source: str, mapping: str, outcome: str) -> str:
    """The dry-run / conversion summary: counts, skipped rows, totals per currency."""
    from yukimap.documents import DOCUMENT_TYPES

    target = DOCUMENT_TYPES[summary.target]
    lines = [f"{source} -> {target.title} (mapping {mapping})"]
    rows = [("rows read", str(summary.rows_read))]
    skipped = sum(summary.skipped.values())
    if skipped:
        why = "; ".join(f"{cond}: {n}" for cond, n in summary.skipped.items())
        rows.append(("rows skipped", f"{skipped}  ({why})"))
    skipped_docs = sum(summary.skipped_documents.values())
    if skipped_docs:
        why = "; ".join(f"{cond}: {n}" for cond, n in summary.skipped_documents.items())
        rows.append((f"{target.title} skipped", f"{skipped_docs}  ({why})"))
    rows.append((target.title, str(summary.documents)))
    rows.append((f"{target.item_key}", str(summary.items)))
    for name, value in summary.figures.items():
        rows.append((name, str(value)))
    width = max(len(label) for label, _ in rows)
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    if summary.totals:
        lines.append("  totals (yukimap's estimate; per line, rounded half-up to cents):")
        lines.append(f"    {'currency':<8} {'excl. VAT':>16} {'VAT':>14} {'incl. VAT':>16}")
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
        lines.append(f"  {summary.unpriced} line(s) without a price: Yuki takes it from its"
                     " price list (not in the totals)")
    notes = summary.notes + [note for tally in summary.tallies
                             if (note := _all_to_fallback(tally)) is not None]
    lines += [f"  note: {note}" for note in notes]
    lines.append(f"  {outcome}")
    return "\n".join(lines)


def _tally(tally: Tally, located: bool) -> list[str]:
    """The rows of each rule or value of a rules: or map: table, the fallback's, the
    default's; a long table is cut, never its fallback and default. The table's place in
    the mapping only when two tables are of fields of one name (two kinds of entries):
    a snapshot of the summary (yukimap test) should not change when a line is added."""
    place = [tally.place] if located else []
    if tally.kind == "rules":
        notes = ", ".join(place)
        title = f"{tally.unit} per rule of {tally.field}" + (f" ({notes})" if notes else "")
    else:
        notes = ", ".join([f"map: on '{tally.column}'", *place])
        title = f"{tally.unit} per value of {tally.field} ({notes})"
    rows: list[tuple[str, ...]] = [(_cut(label), str(count)) for label, count in tally.counts]
    listed = len(rows)
    if tally.fallback is not None:
        rows.append((f"fallback -> {tally.fallback[0]}", str(tally.fallback[1])))
    if tally.default is not None:
        rows.append((f"empty: default -> {tally.default[0]}", str(tally.default[1])))
    if not rows:
        return [f"  {title}:", "    (none)"]
    lines = _table(rows, limit=len(rows))
    if listed > _TALLIED:
        cut = sum(count for _, count in tally.counts[_TALLIED:])
        lines[_TALLIED:listed] = [f"    … and {listed - _TALLIED} more ({cut} {tally.unit})"]
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
    every = "every row" if tally.unit == "rows" else "every document"
    what = "its rules:" if tally.kind == "rules" else f"map: and the column '{tally.column}'"
    return f"{every} of {tally.field} took the fallback ({tally.fallback[0]}): check {what}"


_LISTED = 10  # documents listed per outcome in a receipt
_OUTCOME_LABELS = (
    ("SENT", "sent"), ("ALREADY SENT", "already sent (skipped)"), ("REJECTED", "rejected"),
    ("UNKNOWN", "outcome unknown"), ("AWAITING DECISION", "awaiting a decision (not resent)"),
    ("NOT SENT", "not sent (the run stopped)"), ("WOULD SEND", "would be sent"),
)


def format_receipt(receipt: Receipt) -> str:
    """A send run in a few lines: counts per outcome, Yuki's messages, the calls."""
    from yukimap.documents import DOCUMENT_TYPES

    title = DOCUMENT_TYPES[receipt.target].title
    where = (receipt.administration_name if receipt.administration_name == receipt.administration
             else f"{receipt.administration_name} ({receipt.administration})")
    head = "dry run: " if receipt.dry_run else ""
    lines = [f"{head}{display_path(receipt.file)} -> {title} for {where}"]
    if receipt.file_seen_before:
        lines.append(f"  this file was seen before, on {receipt.file_seen_before[:10]}")
    if receipt.journal:
        lines.append(f"  send journal: {receipt.journal}")
    counts = receipt.counts()
    width = max(len(label) for _, label in _OUTCOME_LABELS)
    for state, label in _OUTCOME_LABELS:
        if counts.get(state):
            lines.append(f"  {label:<{width}}  {counts[state]}")
    if not receipt.documents:
        lines.append("  no documents in the file")
    for state, label in _OUTCOME_LABELS:
        lines += _listed(receipt, state, label)
    lines += _calls(receipt)
    if receipt.stopped:
        lines.append(f"  {'note' if receipt.dry_run else 'stopped'}: {receipt.stopped}")
    return "\n".join(lines)


def _listed(receipt: Receipt, state: str, label: str) -> list[str]:
    chosen = [o for o in receipt.documents if o.state == state]
    if not chosen or state in ("SENT", "WOULD SEND"):
        return []
    out = [f"  {label}:"]
    for outcome in chosen[:_LISTED]:
        rows = f" ({_rows_text(outcome.rows)})" if outcome.rows else ""
        detail = ""
        if state == "ALREADY SENT":
            detail = f": already sent on {(outcome.sent_at or '?')[:10]}" + (
                f" (journal entry {outcome.log_id})" if outcome.log_id else "")
        elif outcome.message:
            detail = f": {outcome.message}"
        if state in ("UNKNOWN", "AWAITING DECISION") and outcome.log_id:
            detail += (f"; decide with `yukimap resolve {outcome.log_id} --sent` or"
                       " `--not-sent`")
        out.append(f"    {outcome.label}{rows}{detail}")
    if len(chosen) > _LISTED:
        out.append(f"    … and {len(chosen) - _LISTED} more")
    return out


def _calls(receipt: Receipt) -> list[str]:
    if receipt.dry_run:
        planned = receipt.calls_planned
        return [f"  Yuki calls it would cost: {planned} for the documents (plus at most"
                " Authenticate, an administration lookup and two pre-flight lookups a day)"]
    left = "" if receipt.calls_left is None else f", {receipt.calls_left} left today"
    return [f"  Yuki calls: {receipt.calls_used} this run{left}"]
