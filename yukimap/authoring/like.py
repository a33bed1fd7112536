"""`yukimap init FILE --like PACK`: a mapping started from a shipped one (a pack) rather
than from nothing.

The pack's text is kept, comments and all, with three changes: its `source:` becomes the
file's own layout when the pack's does not read the file or misses columns there (as init
finds it: encoding, delimiter, sheet, header row, decimal mark, date format); a column the
pack reads that the file does not have becomes `column: TODO`; and each value the pack
marks `# yours:` (the bank's GL account, ...) becomes TODO, so `yukimap check` refuses the
mapping until the person has set it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from yukimap.authoring.layout import counted, find_layout, opened
from yukimap.authoring.source import source_entry
from yukimap.authoring.starter import labelled, looked, next_steps, todo_lines
from yukimap.authoring.yamltext import render
from yukimap.errors import SourceError, UsageError
from yukimap.frames import Table
from yukimap.i18n import tr
from yukimap.model import Mapping

# A value the person must set: `GLAccount: "1100"   # yours: your bank account's GL account`
# The key may hold spaces and signs, or be quoted (a map's `Omzet hoog:`, `"21.0%":`).
_YOURS = re.compile(r"^(?P<key>\s*(?:- )?"
                    r"(?:[\w.](?:[\w. &()/-]*[\w.)])?|\"[^\"]+\"|'[^']+'):[ \t]*)"
                    r"(?P<value>\"[^\"]*\"|'[^']*'|[^\s#]+)"
                    r"(?P<gap>[ \t]*)# yours:[ \t]*(?P<what>.*)$", re.MULTILINE)
_SOURCE = re.compile(r"^source:.*\n(?:(?:[ \t]+.*|[ \t]*)\n)*", re.MULTILINE)


@dataclass(frozen=True)
class Liked:
    """A mapping started from a pack: its text, and what was changed for the file."""

    text: str
    pack: str
    table: Table  # of a big CSV, its first slice
    rows: int  # the file's rows of data
    new_source: bool  # the file's own layout replaced the pack's source:
    missing: tuple[str, ...]  # columns the pack reads that the file does not have
    yours: tuple[str, ...]  # what each `# yours:` value was for


def like_mapping(export: Path, pack: str, packs: dict[str, Path], mapping: Mapping,
                 mapping_name: str) -> Liked:
    """The mapping for `export` started from the shipped mapping `pack` (loaded: `mapping`)."""
    text = packs[pack].read_text(encoding="utf-8")
    table, rows, new_source = _table(export, mapping)
    if new_source is not None:
        text = _SOURCE.sub(lambda _: new_source + "\n\n", text, count=1)
    missing = tuple(sorted(c for c in mapping.columns if c not in table.columns))
    for column in missing:
        text = re.sub(r"(\bcolumn:[ \t]*)(" + re.escape(column) + r"|\"" + re.escape(column)
                      + r"\")(?=[,}\s])", r"\1TODO", text)
    yours = tuple(m.group("what") for m in _YOURS.finditer(text))
    # "# yours:" is the shipped mappings' own marker (English, as their comments are)
    text = _YOURS.sub(lambda m: f"{m.group('key')}TODO{m.group('gap')}# yours:"
                      f" {m.group('what')} "
                      + tr("(the pack has {value})", value=m.group("value")), text)
    head = _head(export, pack, mapping_name, new_source is not None, missing,
                 bool(todo_lines(text)))
    return Liked(head + text, pack, table, rows, new_source is not None, missing, yours)


def _table(export: Path, mapping: Mapping) -> tuple[Table, int, str | None]:
    """The file read as the pack reads it, and its rows; or as init finds it, with its
    `source:` text, when the pack's reading fails or misses columns that init's reading
    has. A big CSV is read a slice at a time, its first slice given."""
    statement = mapping.source.format in ("camt053", "mt940")
    try:
        table: Table | None
        table, slices = opened(export, mapping.source)
    except SourceError:
        if statement:  # its layout is the format's: nothing else to find
            raise
        table = slices = None
    if table is not None and (statement or mapping.columns <= set(table.columns)):
        return table, counted(table, slices), None
    layout = find_layout(export)
    if table is not None and _covered(mapping, layout.table) <= _covered(mapping, table):
        return table, counted(table, slices), None
    seen = looked(layout)
    return seen.layout.table, seen.rows, "\n".join(render([source_entry(seen.layout,
                                                                         seen.profiles)]))


def _covered(mapping: Mapping, table: Table) -> int:
    return len(mapping.columns & set(table.columns))


def _head(export: Path, pack: str, mapping: str, new_source: bool, missing: tuple[str, ...],
          todos: bool) -> str:
    lines = ["# " + tr("A mapping for {file}, started from the shipped mapping {pack} by yukimap"
                       " init --like {pack}.", file=export.name, pack=pack)]
    if new_source:
        lines.append("# " + tr("{file} is laid out otherwise than {pack}'s export: source: is as"
                               " init found the file.", file=export.name, pack=pack))
    if missing:
        lines.append("# " + tr("Columns {pack} reads that {file} does not have (now column:"
                               " TODO): {columns}.", pack=pack, file=export.name,
                               columns=", ".join(missing)))
    lines += ["# " + (tr("Fill in every TODO (yukimap check refuses the mapping while one is"
                         " left), then:") if todos else tr("Read it through, then:")),
              f"#   yukimap check {mapping} --sample {export}",
              f"#   yukimap convert {export} -m {mapping} --dry-run", "#", ""]
    return "\n".join(lines)


def like_summary(liked: Liked, export: Path, mapping: str) -> str:
    """What init --like wrote, for people."""
    table = liked.table
    columns, rows = len(table.columns), liked.rows
    lines = [tr("wrote {mapping}: a mapping for {export}, from the shipped mapping {pack}",
                mapping=mapping, export=export, pack=liked.pack),
             labelled(tr("read"), tr("{columns} columns, {rows} rows (source: as init found the"
                                     " file)", columns=columns, rows=rows) if liked.new_source
                      else tr("{columns} columns, {rows} rows as the pack reads its export",
                              columns=columns, rows=rows))]
    if liked.missing:
        lines.append(labelled(tr("missing"), tr("{columns} (column: TODO)",
                                                columns=", ".join(liked.missing))))
    return "\n".join(lines + next_steps(liked.text, len(todo_lines(liked.text)), export,
                                        mapping))


def unknown_pack(pack: str, packs: dict[str, Path]) -> UsageError:
    return UsageError(tr("no shipped mapping is called {pack}", pack=repr(pack)),
                      hint=tr("yukimap mappings lists them: {packs}", packs=", ".join(packs)))
