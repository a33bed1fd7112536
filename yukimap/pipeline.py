"""read -> map -> rules, for one file: the library's entry point, `convert_file`.

`convert_table` is pure (a table and a mapping in, a result out); `convert_file` adds the
reading at the edge. The result is data: the mapping, the table read, the mapped documents
and items, and the summary. Rendering, validating and writing them is output.py's; the
pre-flight against an administration is preflight.py's; callers compose the steps.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from yukimap.errors import DataError, Problem
from yukimap.frames import KEY, Mapped, Table
from yukimap.grouping import headline
from yukimap.i18n import tr
from yukimap.mapping import map_table
from yukimap.model import Mapping
from yukimap.read import read_table
from yukimap.render import DocumentContext, contexts
from yukimap.resources import schema_path
from yukimap.schema import load_mapping
from yukimap.summary import Summary
from yukimap.targets import Rules, Target, target_of
from yukimap.usage import DocumentUsage
from yukimap.validate.xsd import PROCESS_FROM_ITEMS, prestart, validators

Stage = Callable[[str], None]


def quiet(stage: str) -> None:
    """The progress callback that shows nothing."""


@dataclass(frozen=True)
class Unit:
    """One document as Yuki takes it in one call; `ordinal` None: all documents at once."""

    key: str | None
    ordinal: int | None


@dataclass(frozen=True)
class ConversionResult:
    """A file converted: its documents and items, checked, with their summary; its target
    (what is particular to its kind of document) and its units (what goes to Yuki in one
    call), settled once."""

    mapping: Mapping
    table: Table
    mapped: Mapped
    summary: Summary
    target: Target
    units: tuple[Unit, ...]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.mapped.problems if not p.is_error]

    @property
    def extension(self) -> str:
        return self.target.extension

    def documents(self, marked: bool = False) -> Iterator[DocumentContext]:
        """Each document's template context and source rows, in file order."""
        return contexts(self.mapped, self.mapping, marked)

    def usage(self) -> DocumentUsage:
        """The GL accounts, VAT codes and cash account the documents use, with their rows."""
        return self.target.usage(self.mapped)


def units_of(target: Target, mapped: Mapped, file: str) -> tuple[Unit, ...]:
    """What goes to Yuki as one document: all invoices together, or each journal and
    statement alone."""
    if not target.per_call:
        return (Unit(None, None),)
    keys = mapped.documents[KEY].to_list()
    whole_file = Path(file).name  # the key of a one-per-file document
    names = unique_names(slug(Path(whole_file).stem if key == whole_file else str(key))
                         for key in keys)
    return tuple(Unit(name, ordinal) for ordinal, name in enumerate(names))


def slug(text: str) -> str:
    """A file name made of a document's key, the same on every system: letters without
    their accents (Café Noël: Cafe-Noel), no leading dot (a hidden file), and no name that
    Windows keeps for a device (CON, NUL, COM1, ...: its file is no file there), which gets
    an underscore before it."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text)
                    if not unicodedata.combining(c))
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", plain).strip("-.") or "document"
    return f"_{name}" if name.split(".")[0].upper() in _DEVICES else name


_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL",
                      *(f"{port}{n}" for port in ("COM", "LPT") for n in range(10))})


def unique_names(names: Iterable[str]) -> list[str]:
    """`names` in order, each one not yet taken: two keys that make the same file name
    ('K/1' and 'K 1' both 'K-1', or 'a' and 'A' where a file system ignores case) must not
    write one file over the other; the later one becomes 'K-1-2' (then -3, ...)."""
    taken: set[str] = set()
    tried: dict[str, int] = {}  # name -> the last number tried for it (no name tried twice)
    unique = []
    for name in names:
        chosen, count = name, tried.get(name.casefold(), 1)
        while chosen.casefold() in taken:
            count += 1
            chosen = f"{name}-{count}"
        tried[name.casefold()] = count
        taken.add(chosen.casefold())
        unique.append(chosen)
    return unique


def convert_file(path: str | Path, mapping: Mapping | str | Path,
                 stage: Stage = quiet) -> ConversionResult:
    """Read and map one file; raise DataError with every problem of its data."""
    if not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    if mapping.target.xsd and _big(Path(path)):
        prestart(schema_path(mapping.target.xsd), mapping.target.root,
                 validators(mapping.target, big=True))
    stage(tr("reading {file}", file=Path(path).name))
    table = read_table(Path(path), mapping.source)
    return convert_table(table, mapping, stage)


def convert_table(table: Table, mapping: Mapping, stage: Stage = quiet,
                  rules: Rules | None = None) -> ConversionResult:
    """Map `table` and check it by the target's rules, and finish its documents; or, with
    `rules`, by the rules of a part of a document, which no one finishes (sliced.py):
    raise DataError with every problem of its data."""
    stage(tr("mapping {count} rows", count=f"{table.frame.height:,}"))
    mapped = map_table(table, mapping)
    target = target_of(mapping)
    found = (rules or target.rules)(mapped, mapping, table.file)
    problems = mapped.problems + beyond(mapped.errors, found)
    if rules is None and not any(p.is_error for p in problems):
        mapped, finished = target.finish(mapped, mapping)
        problems += finished
    mapped = replace(mapped, problems=problems)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise DataError(headline(table.file, errors, "data"), problems=problems)
    return ConversionResult(mapping, table, mapped, target.summary(mapped), target,
                            units_of(target, mapped, table.file))


def _big(path: Path) -> bool:
    """Likely to make more than PROCESS_FROM_ITEMS items (about 100 bytes a row)."""
    try:
        return path.stat().st_size > PROCESS_FROM_ITEMS * 100
    except OSError:
        return False


def beyond(errors: list[Problem], found: list[Problem]) -> list[Problem]:
    """Rule findings, except on rows whose values already failed (they would only echo)."""
    bad_rows = {row for p in errors for row in p.where.rows}
    return [p for p in found if not bad_rows.intersection(p.where.rows)]
