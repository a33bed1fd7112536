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

from yukimap.authoring.columns import profile_table
from yukimap.authoring.layout import find_layout
from yukimap.authoring.source import source_entry
from yukimap.authoring.starter import next_steps, todo_lines
from yukimap.authoring.yamltext import render
from yukimap.errors import SourceError, UsageError
from yukimap.frames import Table
from yukimap.model import Mapping
from yukimap.read import read_table

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
    table: Table
    new_source: bool  # the file's own layout replaced the pack's source:
    missing: tuple[str, ...]  # columns the pack reads that the file does not have
    yours: tuple[str, ...]  # what each `# yours:` value was for


def like_mapping(export: Path, pack: str, packs: dict[str, Path], mapping: Mapping,
                 mapping_name: str) -> Liked:
    """The mapping for `export` started from the shipped mapping `pack` (loaded: `mapping`)."""
    text = packs[pack].read_text(encoding="utf-8")
    table, new_source = _table(export, mapping)
    if new_source is not None:
        text = _SOURCE.sub(lambda _: new_source + "\n\n", text, count=1)
    missing = tuple(sorted(c for c in mapping.columns if c not in table.columns))
    for column in missing:
        text = re.sub(r"(\bcolumn:[ \t]*)(" + re.escape(column) + r"|\"" + re.escape(column)
                      + r"\")(?=[,}\s])", r"\1TODO", text)
    yours = tuple(m.group("what") for m in _YOURS.finditer(text))
    text = _YOURS.sub(lambda m: f"{m.group('key')}TODO{m.group('gap')}# yours:"
                      f" {m.group('what')} (the pack has {m.group('value')})", text)
    head = _head(export, pack, mapping_name, new_source is not None, missing,
                 bool(todo_lines(text)))
    return Liked(head + text, pack, table, new_source is not None, missing, yours)


def _table(export: Path, mapping: Mapping) -> tuple[Table, str | None]:
    """The file read as the pack reads it; or as init finds it, with its `source:` text,
    when the pack's reading fails or misses columns that init's reading has."""
    statement = mapping.source.format in ("camt053", "mt940")
    try:
        table: Table | None = read_table(export, mapping.source)
    except SourceError:
        if statement:  # its layout is the format's: nothing else to find
            raise
        table = None
    if table is not None and (statement or mapping.columns <= set(table.columns)):
        return table, None
    layout = find_layout(export)
    found = layout.table
    if table is not None and _covered(mapping, found) <= _covered(mapping, table):
        return table, None
    profiles = {p.name: p for p in profile_table(found)}
    return found, "\n".join(render([source_entry(layout, profiles)]))


def _covered(mapping: Mapping, table: Table) -> int:
    return len(mapping.columns & set(table.columns))


def _head(export: Path, pack: str, mapping: str, new_source: bool, missing: tuple[str, ...],
          todos: bool) -> str:
    lines = [f"# A mapping for {export.name}, started from the shipped mapping {pack} by"
             f" yukimap init --like {pack}."]
    if new_source:
        lines.append(f"# {export.name} is laid out otherwise than {pack}'s export: source: is"
                     " as init found the file.")
    if missing:
        lines.append(f"# Columns {pack} reads that {export.name} does not have (now column:"
                     f" TODO): {', '.join(missing)}.")
    lines += ["# Fill in every TODO (yukimap check refuses the mapping while one is left), then:"
              if todos else "# Read it through, then:",
              f"#   yukimap check {mapping} --sample {export}",
              f"#   yukimap convert {export} -m {mapping} --dry-run", "#", ""]
    return "\n".join(lines)


def like_summary(liked: Liked, export: Path, mapping: str) -> str:
    """What init --like wrote, for people."""
    table = liked.table
    lines = [f"wrote {mapping}: a mapping for {export}, from the shipped mapping {liked.pack}",
             f"  read    {len(table.columns)} columns, {table.frame.height} rows"
             + (" (source: as init found the file)" if liked.new_source else
                " as the pack reads its export")]
    if liked.missing:
        lines.append(f"  missing {', '.join(liked.missing)} (column: TODO)")
    return "\n".join(lines + next_steps(liked.text, len(todo_lines(liked.text)), export,
                                        mapping))


def unknown_pack(pack: str, packs: dict[str, Path]) -> UsageError:
    return UsageError(f"no shipped mapping is called {pack!r}",
                      hint=f"yukimap mappings lists them: {', '.join(packs)}")
