"""The starter mapping as text: its head (the target and how sure, what to do next), the
columns of the export and what init read in them, then the mapping itself; and what init
did, in a few lines for the terminal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from yukimap import nouns
from yukimap.authoring.columns import Profile, profile_table
from yukimap.authoring.draft import Draft, draft
from yukimap.authoring.layout import Layout, find_layout
from yukimap.authoring.source import source_entry, wrapped
from yukimap.authoring.synonyms import Guess, guess_target, match
from yukimap.authoring.yamltext import render, scalar
from yukimap.documents import DOCUMENT_TYPES
from yukimap.i18n import N_, plural, tr
from yukimap.values import describe_format, either

# Where editors find the JSON Schema of the mapping format (yaml-language-server): a path
# relative to the mapping, to the schema file beside it (init writes one there, as
# `yukimap schema --output` does). It works offline, in every editor that runs
# yaml-language-server, and the same way for the shipped mappings, whose schema is beside
# them in a checkout and in a wheel; an address on the web would need the internet and a
# host that always serves the version of the yukimap installed.
SCHEMA_URL = "./mapping.schema.json"

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
    ibans = [p.name for p in profiles.values() if p.ibans]
    guess = guess_target(table.columns, ibans) if target is None else None
    chosen = target or (guess.target if guess else "")
    found = match(table.columns, chosen)
    if chosen == "journal" and "bank.Counter@iban" not in found:
        # no column is named as the counter account: one whose values are several IBANs is it
        counter = next((p.name for p in profiles.values()
                        if p.ibans and p.distinct > 1 and p.name not in found.values()), None)
        if counter is not None:
            found["bank.Counter@iban"] = counter
    drafted = draft(chosen, table, profiles, found)
    lines = _head(export, mapping_name, chosen, guess, bool(drafted.todos))
    lines += _columns(layout, profiles, drafted)
    lines += ["version: 1", f"target: {chosen}",
              f"name: {scalar(tr('Starter for {file}', file=export.name))}"]
    for entry in [source_entry(layout, profiles), *drafted.sections]:
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
        read = (tr("CSV, {encoding}, columns separated by {delimiter}",
                   encoding=layout.encoding, delimiter=delimiter) if table.delimiter
                else tr("CSV, {encoding}, one column", encoding=layout.encoding))
    else:
        read = tr("workbook, sheet {sheet}", sheet=table.sheet)
    if starter.guess is None:
        how = tr("as asked")
    else:
        how = (tr("guessed from the column names: sure") if starter.guess.sure else
               tr("guessed from the column names: not sure, check it"))
    columns, rows = len(table.columns), table.frame.height
    read = (tr("{read}, column names on row {row}, {columns} columns, {rows} rows", read=read,
               row=layout.header_row, columns=columns, rows=rows) if layout.header_row else
            tr("{read}, no row of column names (columns: names them), {columns} columns,"
               " {rows} rows", read=read, columns=columns, rows=rows))
    lines = [tr("wrote {mapping}: a starter mapping for {export}", mapping=mapping,
                export=export),
             labelled(tr("target"), f"{starter.target} ({how})"),
             labelled(tr("read"), read),
             labelled(tr("used"), tr("{used} of the {columns} columns", used=len(starter.used),
                                     columns=columns))]
    return "\n".join(lines + next_steps(starter.text, len(starter.todos), export, mapping))


_LABELS = (N_("target"), N_("read"), N_("used"), N_("missing"))


def labelled(label: str, text: str) -> str:
    """`  label   text`: the texts of init's summary under each other, in either language."""
    width = max(7, *(len(tr(known)) for known in _LABELS))
    return f"  {label:<{width}} {text}"


def next_steps(text: str, todos: int, export: Path, mapping: str) -> list[str]:
    """The TODOs left in a written mapping, on which lines, and what to run next."""
    where = todo_lines(text)
    if not todos:
        return [tr("next: yukimap convert {export} -m {mapping} --dry-run", export=export,
                   mapping=mapping)]
    shown = ", ".join(map(str, where[:12])) + (", …" if len(where) > 12 else "")
    return [labelled("TODO", plural(len(where), "{todos} to fill in, on line {lines}",
                                    "{todos} to fill in, on lines {lines}", todos=todos,
                                    lines=shown)),
            tr("next: fill in the TODOs, then: yukimap check {mapping} --sample {export}",
               mapping=mapping, export=export)]


def _head(export: Path, mapping: str, target: str, guess: Guess | None, todos: bool
          ) -> list[str]:
    title = nouns.title(DOCUMENT_TYPES[target])
    if guess is None:
        said = tr("The target, {target} ({title}), as asked with --target.", target=target,
                  title=title)
    else:
        points = ", ".join(f"{t} {n}" for t, n in sorted(guess.scores.items(),
                                                          key=lambda item: -item[1]))
        how = tr("a sure one") if guess.sure else (
            tr("not a sure one: no column tells the kinds apart") if not guess.telling
            else tr("not a sure one"))
        others = either([t for t in DOCUMENT_TYPES if t != target])
        said = tr("The target, {target} ({title}), is a guess from the column names, {how}"
                  " (points: {points}); for another: --target {others}.", target=target,
                  title=title, how=how, points=points, others=others)
    return [
        f"# yaml-language-server: $schema={SCHEMA_URL}",
        "# " + tr("A starter mapping for {file}, written by yukimap init.", file=export.name),
        *wrapped(said),
        "# " + (tr("Fill in every TODO (yukimap check refuses the mapping while one is left),"
                   " then:") if todos else
                tr("Read it through (init found a column for every field it needs), then:")),
        f"#   yukimap check {mapping} --sample {export}",
        f"#   yukimap preview {export} -m {mapping}",
        f"#   yukimap convert {export} -m {mapping} --dry-run",
        "#",
    ]


# --- what init read in the columns ------------------------------------------------------


def _columns(layout: Layout, profiles: dict[str, Profile], drafted: Draft) -> list[str]:
    table = layout.table
    where = (tr("row {row} of sheet {sheet}", row=layout.header_row, sheet=table.sheet)
             if table.sheet else tr("row {row}", row=layout.header_row))
    names = (tr("their names on {where}", where=where) if layout.header_row
             else tr("named by columns: under source:"))
    lines = ["# " + tr("The columns ({names}), what init read in them, and where they go:",
                       names=names)]
    width = min(max(len(n) for n in table.columns), 24)
    for name in table.columns:
        profile = profiles[name]
        uses = drafted.uses.get(name)
        goes = "-> " + ", ".join(dict.fromkeys(uses)) if uses else tr("(not used)")
        shown = _short(name, 40)
        lines.append(f"#   {profile.letter:<2} {shown:<{width}}  {_described(profile):<38} {goes}"
                     .rstrip())
    return lines + [""]


def _described(profile: Profile) -> str:
    if profile.kind == "empty":
        return tr("empty")
    if profile.kind == "date":
        formats = profile.date_formats or ("%Y-%m-%d",)
        return tr("dates {formats}", formats=tr(" or ").join(describe_format(f) for f in formats))
    if profile.kind == "whole":
        return tr("whole numbers") + _examples(profile, 2)
    if profile.kind == "number":
        marks = {".": tr("decimal point"), ",": tr("decimal comma")}
        mark = marks[profile.decimal_marks[0]] if len(profile.decimal_marks) == 1 else \
            tr("decimal mark unclear") if profile.decimal_marks else tr("mixed decimal marks")
        return tr("amounts, {mark}", mark=mark) + _examples(profile, 1)
    return tr("text") + _examples(profile, 2)


def _examples(profile: Profile, count: int) -> str:
    shown = ", ".join(_short(v) for v in profile.values[:count])
    more = ", … " + tr("({count} values)", count=profile.distinct) if profile.distinct > count \
        else ""
    return f": {shown}{more}"


def _short(value: str, length: int = 16) -> str:
    return value if len(value) <= length else value[: length - 1] + "…"


