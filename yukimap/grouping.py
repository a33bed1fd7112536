"""Problems grouped by cause, as every message shows them, the counts over them, and the
text they make (`format_problems`: the CLI prints it, the daemon writes it in reason files).

212 rows with the same bad date are one group with its rows, not 212 problems; a headline
("orders.csv: 2 problems in the data") counts the groups a person will see. The library
builds its error messages with these; report.py turns the groups into text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from yukimap import i18n
from yukimap.errors import Problem
from yukimap.i18n import tr

SHOWN_PER_GROUP = 8


@dataclass
class Group:
    severity: str
    cause: str
    subject: str
    hint: str | None
    entries: list[Problem] = field(default_factory=list)


def subject(p: Problem) -> str:
    w = p.where
    parts = []
    if w.line is not None and w.file:
        parts.append(f"{display_path(w.file)}:{w.line}:{w.col or 1}")
    elif w.file:
        parts.append(tr("{file} (sheet {sheet})", file=w.file, sheet=w.sheet) if w.sheet
                     else w.file)
    if w.column:
        parts.append(tr("column '{column}' ({letter})", column=w.column, letter=w.letter)
                     if w.letter else tr("column '{column}'", column=w.column))
    if w.key:
        parts.append(tr("for {key}", key=w.key) if w.column else w.key)
    return ", ".join(parts)


def group_problems(problems: Sequence[Problem]) -> list[Group]:
    groups: dict[tuple[str, str, str, str | None], Group] = {}
    ordered = sorted(problems, key=lambda p: p.severity != "error")
    for p in ordered:
        # A mapping problem is one line with its file:line:col; an expression that fails
        # on rows is grouped like a data problem, under its file:line:col.
        shared = subject(p) if p.where.line is None or p.where.rows else ""
        key = (p.severity, p.cause, shared, p.hint)
        if key not in groups:
            groups[key] = Group(p.severity, p.cause, shared, p.hint)
        groups[key].entries.append(p)
    return list(groups.values())


def count_shown(problems: Sequence[Problem], severity: str = "error") -> int:
    """How many errors (or warnings) format_problems shows: a block per cause and place, a
    line per mapping problem. Every count printed is taken this way, so that it counts what
    it sits over."""
    return sum(len(g.entries) if not g.subject else 1
               for g in group_problems(problems) if g.severity == severity)


Part = Literal["mapping", "data", "documents"]


def headline(where: str, problems: Sequence[Problem], part: Part) -> str:
    """'orders.csv: 2 problems in the data', counting what format_problems shows."""
    n = count_shown(problems)
    if part == "mapping":
        return i18n.plural(n, "{where}: 1 problem in the mapping",
                           "{where}: {count} problems in the mapping", where=where)
    if part == "data":
        return i18n.plural(n, "{where}: 1 problem in the data",
                           "{where}: {count} problems in the data", where=where)
    return i18n.plural(n, "{where}: 1 problem in the rendered documents",
                       "{where}: {count} problems in the rendered documents", where=where)


def display_path(path: object) -> str:
    """A path as short as it can be shown: relative to the working folder when inside it."""
    full = Path(str(path))
    try:
        return str(full.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(full)


def format_problems(problems: Sequence[Problem]) -> str:
    lines: list[str] = []
    for group in group_problems(problems):
        lines.extend(_format_group(group))
    return "\n".join(lines)


def fix_line(hint: str) -> str:
    """A hint under its problem; a hint of several lines (mapping text to copy) keeps its
    own indentation, aligned under the first line."""
    label = tr("fix:")
    return f"  {label} " + hint.replace("\n", "\n" + " " * (len(label) + 3))


def _format_group(group: Group) -> list[str]:
    mark = tr("error") if group.severity == "error" else tr("warning")
    if not group.subject:  # mapping problems: one line each, with file:line:col
        return [_format_located(p, mark) for p in group.entries]
    lines = [f"{mark}: {group.cause}", "  " + _in(group.subject, group.entries)]
    for p in group.entries[:SHOWN_PER_GROUP]:
        lines.append("    " + _entry(p))
    if len(group.entries) > SHOWN_PER_GROUP:
        rest = group.entries[SHOWN_PER_GROUP:]
        more_rows = sum(len(p.where.rows) or 1 for p in rest)
        values = i18n.plural(len(rest), "… and 1 more value", "… and {count} more values")
        rows = i18n.plural(more_rows, "1 row", "{count} rows")
        lines.append(f"    {values} ({rows})")
    if group.hint:
        lines.append(fix_line(group.hint))
    return lines


def _format_located(p: Problem, mark: str) -> str:
    w = p.where
    place = f"{display_path(w.file)}:{w.line}:{w.col or 1}" if w.file else ""
    key = f" {w.key}:" if w.key else ""
    value = " " + tr("(got {value})", value=repr(p.value)) if p.value is not None else ""
    text = f"{mark}: {place}{key} {p.cause}{value}"
    if p.hint:
        text += "\n" + fix_line(p.hint)
    return text


def _in(subject: str, entries: Sequence[Problem]) -> str:
    """'in orders.csv, column 'Datum' (C) (3 rows)': where a group is, with its row count."""
    rows = sum(len(p.where.rows) for p in entries)
    if rows > 1:
        return tr("in {place} ({count} rows)", place=subject, count=rows)
    return tr("in {place}", place=subject)


def _entry(p: Problem) -> str:
    where = p.where.short() or tr("(whole file)")
    if p.value is None:
        return where
    return f"{where}: {_quote(p.value)}"


def _quote(value: str) -> str:
    shown = value if len(value) <= 80 else value[:77] + "…"
    return repr(shown)
