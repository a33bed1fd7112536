"""read -> map -> rules -> render -> validate, for one file. The library's entry point.

`convert_table` is pure (a table and a mapping in, a result out); `convert_file` adds the
reading at the edge; `ConversionResult.write` the writing.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from yukimap import rules
from yukimap.errors import DataError, DocumentError, Problem
from yukimap.mapping import Mapped, map_table
from yukimap.model import Mapping
from yukimap.read import Table, read_table
from yukimap.render import Document, contexts, load_template, render
from yukimap.schema import load_mapping
from yukimap.summary import Summary, summarize
from yukimap.validate import xsd_problems


@dataclass
class ConversionResult:
    mapping: Mapping
    table: Table
    mapped: Mapped
    documents: list[Document]
    text: str
    summary: Summary

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.mapped.problems if not p.is_error]

    def write(self, path: Path) -> None:
        write_atomically(path, self.text)


def convert_file(path: str | Path, mapping: Mapping | str | Path) -> ConversionResult:
    if not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    table = read_table(Path(path), mapping.source)
    return convert_table(table, mapping)


def convert_table(table: Table, mapping: Mapping) -> ConversionResult:
    mapped = map_table(table, mapping)
    problems = mapped.problems + _beyond(mapped.errors, rules.check(mapped, mapping, table.file))
    mapped = replace(mapped, problems=problems)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise DataError(_count(errors, table.file, "in the data"), problems=problems)
    documents = list(contexts(mapped, mapping))
    template = load_template(mapping)
    text = render(template, mapping.target, documents)
    if mapping.target.xsd:
        invalid = xsd_problems(text, mapping.target.xsd, documents, table.file,
                               mapping.target.document, mapping.target.item)
        if invalid:
            raise DocumentError(_count(invalid, table.file, "against Yuki's schema"),
                                problems=invalid + mapped.problems)
    return ConversionResult(mapping, table, mapped, documents, text,
                            summarize(mapped, mapping.target.name))


def _beyond(errors: list[Problem], found: list[Problem]) -> list[Problem]:
    """Rule findings, except on rows whose values already failed (they would only echo)."""
    bad_rows = {row for p in errors for row in p.where.rows}
    return [p for p in found if not bad_rows.intersection(p.where.rows)]


def _count(errors: list[Problem], file: str, what: str) -> str:
    n = len(errors)
    return f"{file}: {n} problem{'s' if n != 1 else ''} {what}"


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file next to `path`, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
