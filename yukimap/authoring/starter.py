"""The starter mapping as text: its head (the target and how sure, what to do next), the
columns of the export and what init read in them, then the mapping itself; and what init
did, in a few lines for the terminal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from yukimap import nouns
from yukimap.authoring.columns import Profile, Profiler
from yukimap.authoring.draft import Draft, Gathered, draft
from yukimap.authoring.layout import Layout, find_layout
from yukimap.authoring.source import source_entry, wrapped
from yukimap.authoring.synonyms import Guess, guess_target, match
from yukimap.authoring.yamltext import render, scalar
from yukimap.documents import DOCUMENT_TYPES
from yukimap.errors import NotInSlices
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
    rows: int  # the file's rows of data
    used: tuple[str, ...] = ()  # the columns the mapping reads


def starter_mapping(export: Path, target: str | None = None,
                    mapping_name: str = "MAPPING.yaml") -> Starter:
    """The starter mapping for `export`, for `target` (guessed from the headers when None);
    `mapping_name` is how the text's own commands name the mapping file."""
    seen = looked(find_layout(export))
    layout, profiles, table = seen.layout, seen.profiles, seen.layout.table
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
    drafted = draft(chosen, table, profiles, found, seen.gathered)
    lines = _head(export, mapping_name, chosen, guess, bool(drafted.todos))
    lines += _columns(layout, profiles, drafted)
    lines += ["version: 1", f"target: {chosen}",
              f"name: {scalar(tr('Starter for {file}', file=export.name))}"]
    for entry in [source_entry(layout, profiles), *drafted.sections]:
        lines += ["", *render([entry])]
    return Starter("\n".join(lines) + "\n", chosen, guess, tuple(drafted.todos), layout,
                   seen.rows, tuple(drafted.uses))


@dataclass(frozen=True)
class Looked:
    """An export as init read it: its layout, its columns' profiles, what drafts ask of
    its rows, and how many it has."""

    layout: Layout
    profiles: dict[str, Profile]
    gathered: Gathered
    rows: int


def looked(layout: Layout) -> Looked:
    """The file's rows all read, a slice at a time for a big CSV; read whole where its
    slices cannot say what the whole says."""
    try:
        return _looked(layout)
    except NotInSlices:
        return _looked(layout.whole())


def _looked(layout: Layout) -> Looked:
    profiler, gathered = Profiler(layout.table), Gathered(layout.table.columns)
    rows = 0
    for table in layout.tables():
        profiler.add(table)
        gathered.add(table.frame)
        rows += table.frame.height
    return Looked(layout, {p.name: p for p in profiler.profiles()}, gathered, rows)


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
    columns, rows = len(table.columns), starter.rows
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
    told = tr("({count} values)", count=profile.distinct) if profile.counted else \
        tr("(at least {count} values)", count=profile.distinct)
    more = ", … " + told if profile.distinct > count else ""
    return f": {shown}{more}"


def _short(value: str, length: int = 16) -> str:
    return value if len(value) <= length else value[: length - 1] + "…"


