"""What helps a person write a mapping: `starter_mapping`, the commented starter that
`yukimap init` writes for an export.

It finds how the file is laid out (`layout`: encoding, delimiter, sheet, header row), what
each column holds (`columns`: dates in which format, numbers with which decimal mark,
stated only when the whole column admits one reading), which column is which field of the
target by the Dutch and English names exports give them (`synonyms`), decides the fields
(`draft`) and writes them as commented YAML (`yamltext`), with a TODO that `check` refuses
wherever a person must decide.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from yukimap.authoring.columns import Profile, profile_table
from yukimap.authoring.draft import Draft, draft
from yukimap.authoring.layout import MAX_SHEETS, Layout, find_layout
from yukimap.authoring.synonyms import Guess, guess_target, match
from yukimap.authoring.yamltext import Entry, render, scalar
from yukimap.documents import DOCUMENT_TYPES
from yukimap.values import describe_format

__all__ = ["SCHEMA_URL", "Starter", "starter_mapping", "starter_summary", "todo_lines"]

# Where editors find the JSON Schema of the mapping format (yaml-language-server). One
# place: the docs and JSON Schema work chooses the address; it is reconciled here.
SCHEMA_URL = "https://yukimap.example/schemas/mapping.schema.json"

_TODO = re.compile(r"(?<![\w'\"])TODO(?![\w'\"])")


@dataclass(frozen=True)
class Starter:
    """A starter mapping: its text, and what init found and left to fill in."""

    text: str
    target: str
    guess: Guess | None  # None: the target was given
    todos: tuple[str, ...]  # the key paths of the TODOs, in the order written
    layout: Layout
    used: tuple[str, ...] = ()  # the columns the mapping reads


def starter_mapping(export: Path, target: str | None = None,
                    mapping_name: str = "MAPPING.yaml") -> Starter:
    """The starter mapping for `export`, for `target` (guessed from the headers when None);
    `mapping_name` is how the text's own commands name the mapping file."""
    layout = find_layout(export)
    table = layout.table
    profiles = {p.name: p for p in profile_table(table)}
    guess = guess_target(table.columns) if target is None else None
    chosen = target or (guess.target if guess else "")
    found = match(table.columns, chosen)
    drafted = draft(chosen, table, profiles, found)
    lines = _head(export, mapping_name, chosen, guess, bool(drafted.todos))
    lines += _columns(layout, profiles, drafted)
    lines += ["version: 1", f"target: {chosen}", f"name: {scalar('Starter for ' + export.name)}"]
    for entry in [_source(layout, profiles), *drafted.sections]:
        lines += ["", *render([entry])]
    return Starter("\n".join(lines) + "\n", chosen, guess, tuple(drafted.todos), layout,
                   tuple(drafted.uses))


def todo_lines(text: str) -> list[int]:
    """The lines of mapping text with a TODO to fill in (comments left out), once each."""
    return [n for n, line in enumerate(text.splitlines(), start=1)
            if _TODO.search(line.split(" # ", 1)[0]) and not line.lstrip().startswith("#")]


def starter_summary(starter: Starter, export: Path, mapping: str) -> str:
    """What init wrote, for people: how it read the file, the target, the TODOs left."""
    layout, table = starter.layout, starter.layout.table
    if layout.format == "csv":
        delimiter = "TAB" if table.delimiter == "\t" else f'"{table.delimiter}"'
        read = f"CSV, {layout.encoding}, " + (f"columns separated by {delimiter}"
                                               if table.delimiter else "one column")
    else:
        read = f"workbook, sheet {table.sheet}"
    if starter.guess is None:
        how = "as asked"
    else:
        how = "guessed from the column names: " + ("sure" if starter.guess.sure else
                                                    "not sure, check it")
    lines = [f"wrote {mapping}: a starter mapping for {export}",
             f"  target  {starter.target} ({how})",
             f"  read    {read}, column names on row {layout.header_row},"
             f" {len(table.columns)} columns, {table.frame.height} rows",
             f"  used    {len(starter.used)} of the {len(table.columns)} columns"]
    where = todo_lines(starter.text)
    if starter.todos:
        shown = ", ".join(map(str, where[:12])) + (", …" if len(where) > 12 else "")
        lines.append(f"  TODO    {len(starter.todos)} to fill in, on line"
                     f"{'s' if len(where) > 1 else ''} {shown}")
        lines.append(f"next: fill in the TODOs, then: yukimap check {mapping} --sample {export}")
    else:
        lines.append(f"next: yukimap convert {export} -m {mapping} --dry-run")
    return "\n".join(lines)


def _head(export: Path, mapping: str, target: str, guess: Guess | None, todos: bool
          ) -> list[str]:
    title = DOCUMENT_TYPES[target].title
    if guess is None:
        said = f"The target, {target} ({title}), as asked with --target."
    else:
        points = ", ".join(f"{t} {n}" for t, n in sorted(guess.scores.items(),
                                                          key=lambda item: -item[1]))
        how = "a sure one" if guess.sure else (
            "not a sure one: no column tells the kinds apart" if not guess.telling
            else "not a sure one")
        others = " or ".join(t for t in DOCUMENT_TYPES if t != target)
        said = (f"The target, {target} ({title}), is a guess from the column names, {how}"
                f" (points: {points}); for another: --target {others}.")
    return [
        f"# yaml-language-server: $schema={SCHEMA_URL}",
        f"# A starter mapping for {export.name}, written by yukimap init.",
        *_wrapped(said),
        "# Fill in every TODO (yukimap check refuses the mapping while one is left), then:"
        if todos else "# Read it through (init found a column for every field it needs), then:",
        f"#   yukimap check {mapping} --sample {export}",
        f"#   yukimap preview {export} -m {mapping}",
        f"#   yukimap convert {export} -m {mapping} --dry-run",
        "#",
    ]


def _wrapped(text: str, width: int = 92) -> list[str]:
    return ["# " + line for line in textwrap.wrap(text, width - 2)]


# --- what init read in the columns ------------------------------------------------------


def _columns(layout: Layout, profiles: dict[str, Profile], drafted: Draft) -> list[str]:
    table = layout.table
    where = f"row {layout.header_row}" + (f" of sheet {table.sheet}" if table.sheet else "")
    lines = [f"# The columns (their names on {where}), what init read in them, and where they"
             " go:"]
    width = min(max(len(n) for n in table.columns), 24)
    for name in table.columns:
        profile = profiles[name]
        uses = drafted.uses.get(name)
        goes = "-> " + ", ".join(dict.fromkeys(uses)) if uses else "(not used)"
        shown = _short(name, 40)
        lines.append(f"#   {profile.letter:<2} {shown:<{width}}  {_described(profile):<38} {goes}"
                     .rstrip())
    return lines + [""]


def _described(profile: Profile) -> str:
    if profile.kind == "empty":
        return "empty"
    if profile.kind == "date":
        formats = profile.date_formats or ("%Y-%m-%d",)
        return "dates " + " or ".join(describe_format(f) for f in formats)
    if profile.kind == "whole":
        return "whole numbers" + _examples(profile, 2)
    if profile.kind == "number":
        marks = {".": "decimal point", ",": "decimal comma"}
        mark = marks[profile.decimal_marks[0]] if len(profile.decimal_marks) == 1 else \
            "decimal mark unclear" if profile.decimal_marks else "mixed decimal marks"
        return f"amounts, {mark}" + _examples(profile, 1)
    return "text" + _examples(profile, 2)


def _examples(profile: Profile, count: int) -> str:
    shown = ", ".join(_short(v) for v in profile.values[:count])
    more = f", … ({profile.distinct} values)" if profile.distinct > count else ""
    return f": {shown}{more}"


def _short(value: str, length: int = 16) -> str:
    return value if len(value) <= length else value[: length - 1] + "…"


# --- source: ----------------------------------------------------------------------------


def _source(layout: Layout, profiles: dict[str, Profile]) -> Entry:
    table = layout.table
    keys: list[Entry] = []
    if layout.format == "csv":
        keys.append(Entry("encoding", scalar(layout.encoding or "utf-8"),
                          note=layout.encoding_note))
        if table.delimiter is not None:
            keys.append(Entry("delimiter", scalar(table.delimiter),
                              note="between the columns"))
    else:
        others = f" (of {', '.join(layout.sheets)})" if len(layout.sheets) > 1 else ""
        if len(layout.sheets) > MAX_SHEETS:
            others = f" (of {len(layout.sheets)} sheets; init looked at the first {MAX_SHEETS})"
        keys.append(Entry("sheet", scalar(table.sheet or ""), note=f"the data{others}"))
    if layout.header_row != 1:
        keys.append(Entry("header_row", str(layout.header_row),
                          note=f"the column names; rows 1-{layout.header_row - 1} above them"
                          if layout.header_row > 2 else "the column names; row 1 above them"))
    keys += _decimal_keys(list(profiles.values()))
    keys += _date_keys(list(profiles.values()))
    return Entry("source", children=keys)


def _decimal_keys(profiles: list[Profile]) -> list[Entry]:
    numbers = [p for p in profiles if p.kind == "number"]
    settled: dict[str, Profile] = {}
    for p in numbers:
        if len(p.decimal_marks) == 1:
            settled.setdefault(p.decimal_marks[0], p)
    out: list[Entry] = []
    if len(settled) == 1:
        mark, proof = next(iter(settled.items()))
        example = next(v for v in proof.values if mark in v)
        out.append(Entry("decimal_mark", scalar(mark), note=f"{example} in {proof.name}"))
        shown = next((p for p in numbers if p.decimal_marks == (mark,) and p.thousands), None)
        if shown is not None:
            example = next(v for v in shown.values if shown.thousands and shown.thousands in v)
            out.append(Entry("thousands_separator", scalar(shown.thousands or ""),
                             note=f"{example} in {shown.name}"))
    elif len(settled) > 1:
        said = "; ".join(f"{p.name} uses '{m}'" for m, p in settled.items())
        out.append(_comments(f"decimal_mark: not stated: the columns disagree ({said}); give"
                             " each field its own decimal_mark:"))
    for p in numbers:
        if not p.decimal_marks:
            out.append(_comments(f"{p.name} mixes decimal marks ({', '.join(p.values[:3])}):"
                                 " correct the export, or read it as text"))
        elif len(p.decimal_marks) == 2 and not settled:
            out.append(_comments(
                f"decimal_mark: not stated: the numbers of {p.name} read both ways"
                f" ({', '.join(p.ambiguous)}: with '.' or ',' as the decimal mark); set the"
                " export's: decimal_mark: \",\" or \".\""))
    return out


def _date_keys(profiles: list[Profile]) -> list[Entry]:
    dates = [p for p in profiles if p.kind == "date" and p.date_formats]
    settled: dict[str, Profile] = {}
    for p in dates:
        if len(p.date_formats) == 1:
            settled.setdefault(p.date_formats[0], p)
    out: list[Entry] = []
    if settled:
        value = scalar(next(iter(settled))) if len(settled) == 1 else \
            "[" + ", ".join(scalar(f) for f in settled) + "]"
        proof = next(iter(settled.values()))
        out.append(Entry("date_format", value, note=_date_example(proof)))
    for p in (p for p in dates if len(p.date_formats) > 1):
        readings = " or ".join(describe_format(f) for f in p.date_formats)
        shown = [f for f in p.date_formats if f in settled]
        if shown:  # the file's format, which another column shows, reads this one too
            out.append(_comments(f"{p.name} alone reads as {readings}; it is read as"
                                 f" {describe_format(shown[0])}, as {settled[shown[0]].name}"
                                 " shows"))
        else:
            out.append(_comments(f"date_format: not stated: {p.name} reads as {readings}, and"
                                 " no value tells them apart; add the one the export uses,"
                                 f' e.g. date_format: "{p.date_formats[0]}"'))
    return out


def _date_example(profile: Profile) -> str:
    fmt = profile.date_formats[0]
    read = [(v, datetime.strptime(v, fmt).date()) for v in profile.values]
    value, day = next(((v, d) for v, d in read if d.day > 12), read[0])
    return f"{profile.name}: {value} is {day.isoformat()}"


def _comments(text: str) -> Entry:
    return Entry("", above=[line.removeprefix("# ") for line in _wrapped(text, 88)])
