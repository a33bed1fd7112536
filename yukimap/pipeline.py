"""read -> map -> rules -> render -> validate, for one file. The library's entry point.

`convert_table` is pure (a table and a mapping in, a result out); `convert_file` adds the
reading at the edge. The result renders lazily: `write`, `check` and `text` stream the
template's output to a file and validate it there, so a document of any size is produced
in bounded memory and never leaves half-written or unvalidated.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from yukimap import rules
from yukimap.errors import DataError, DocumentError, Problem
from yukimap.mapping import Mapped, map_table
from yukimap.model import Mapping
from yukimap.read import Table, read_table
from yukimap.render import Document, contexts, load_template, render_stream
from yukimap.schema import load_mapping
from yukimap.summary import Summary, summarize
from yukimap.validate import Locator, xsd_problems

Stage = Callable[[str], None]


def _quiet(stage: str) -> None:
    pass


@dataclass
class ConversionResult:
    mapping: Mapping
    table: Table
    mapped: Mapped
    summary: Summary
    stage: Stage = field(default=_quiet, repr=False)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.mapped.problems if not p.is_error]

    def documents(self) -> Iterator[Document]:
        """Each document's template context and source rows, in file order."""
        return contexts(self.mapped, self.mapping)

    def write(self, path: Path) -> None:
        """Render and validate into `path`; on any problem nothing is left at `path`."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with _temporary(path.parent, path.name) as tmp:
            self._produce(tmp)
            os.replace(tmp, path)

    def check(self) -> None:
        """Render and validate without keeping the output (the dry run)."""
        with _temporary(Path(tempfile.gettempdir()), "yukimap") as tmp:
            self._produce(tmp)

    @property
    def text(self) -> str:
        """The whole validated document as text (for small files and tests)."""
        with _temporary(Path(tempfile.gettempdir()), "yukimap") as tmp:
            self._produce(tmp)
            return tmp.read_text(encoding="utf-8")

    def _produce(self, path: Path) -> None:
        target = self.mapping.target
        self.stage(f"rendering {self.mapped.documents.height:,} {target.title}")
        template = load_template(self.mapping)
        contexts_only = (d.context for d in self.documents())
        with open(path, "w", encoding="utf-8", newline="") as out:
            for piece in render_stream(template, contexts_only):
                out.write(piece)
            out.flush()
            os.fsync(out.fileno())
        if target.xsd:
            self.stage("validating against the XSD")
            locator = Locator(self.mapped, self.table.file, target)
            invalid = xsd_problems(path, target.xsd, locator)
            if invalid:
                raise DocumentError(_count(invalid, self.table.file, "against Yuki's schema"),
                                    problems=invalid + self.warnings)


def convert_file(path: str | Path, mapping: Mapping | str | Path,
                 stage: Stage = _quiet) -> ConversionResult:
    """Read and map one file; raise DataError with every problem of its data."""
    if not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    stage(f"reading {Path(path).name}")
    table = read_table(Path(path), mapping.source)
    return convert_table(table, mapping, stage)


def convert_table(table: Table, mapping: Mapping, stage: Stage = _quiet) -> ConversionResult:
    stage(f"mapping {table.frame.height:,} rows")
    mapped = map_table(table, mapping)
    problems = mapped.problems + _beyond(mapped.errors, rules.check(mapped, mapping, table.file))
    mapped = replace(mapped, problems=problems)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise DataError(_count(errors, table.file, "in the data"), problems=problems)
    return ConversionResult(mapping, table, mapped, summarize(mapped, mapping.target.name), stage)


def _beyond(errors: list[Problem], found: list[Problem]) -> list[Problem]:
    """Rule findings, except on rows whose values already failed (they would only echo)."""
    bad_rows = {row for p in errors for row in p.where.rows}
    return [p for p in found if not bad_rows.intersection(p.where.rows)]


def _count(errors: list[Problem], file: str, what: str) -> str:
    n = len(errors)
    return f"{file}: {n} problem{'s' if n != 1 else ''} {what}"


class _temporary:
    """A temporary file path in `folder`, removed on exit unless it was renamed away."""

    def __init__(self, folder: Path, name: str) -> None:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
        os.close(fd)
        self.path = Path(tmp)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        self.path.unlink(missing_ok=True)
