"""read -> map -> rules -> render -> validate, for one file. The library's entry point.

`convert_table` is pure (a table and a mapping in, a result out); `convert_file` adds the
reading at the edge. The result renders lazily: `write`, `check` and `text` stream the
template's output to a file and validate it there, so a document of any size is produced
in bounded memory and never leaves half-written or unvalidated.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yukimap._validator import NO_ROOT
from yukimap.errors import DataError, DocumentError, Problem, UsageError, Where
from yukimap.frames import KEY, Mapped, Table
from yukimap.grouping import headline
from yukimap.mapping import map_table
from yukimap.model import Mapping
from yukimap.preflight import preflight
from yukimap.read import read_table
from yukimap.render import (
    BLOCK_MARK,
    Deadline,
    DocumentContext,
    contexts,
    load_template,
    render,
    render_stream,
)
from yukimap.resources import schema_path
from yukimap.schema import load_mapping
from yukimap.summary import Summary
from yukimap.targets import target_of
from yukimap.usage import DocumentUsage
from yukimap.validate import (
    PROCESS_FROM_ITEMS,
    Locator,
    XsdCheck,
    prestart,
    text_problems,
    xsd_problems,
)

if TYPE_CHECKING:
    from yukimap.client import YukiClient

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
    validator_peak_kb: int = 0  # peak memory of the validator process, when one ran

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.mapped.problems if not p.is_error]

    def documents(self, marked: bool = False) -> Iterator[DocumentContext]:
        """Each document's template context and source rows, in file order."""
        return contexts(self.mapped, self.mapping, marked)

    def usage(self) -> DocumentUsage:
        """The GL accounts, VAT codes and cash account the documents use, with their rows."""
        return target_of(self.mapping).usage(self.mapped)

    def preflight(self, client: YukiClient, administration: str | None = None,
                  refresh: bool = False) -> list[Problem]:
        """Check against the administration, before sending, that it knows everything the
        documents use (at most two calls a day per administration; see preflight.py)."""
        found = preflight(client, self.usage(), administration, refresh=refresh)
        return [p.at(file=self.table.file) for p in found]

    def units(self) -> list[Unit]:
        """What goes to Yuki as one document: all invoices together, or each journal and
        statement alone."""
        if not self.mapping.target.per_call:
            return [Unit(None, None)]
        keys = self.mapped.documents[KEY].to_list()
        whole_file = Path(self.table.file).name  # the key of a one-per-file document
        return [Unit(_slug(Path(whole_file).stem if key == whole_file else str(key)), ordinal)
                for ordinal, key in enumerate(keys)]

    def write(self, path: Path) -> list[Path]:
        """Render and validate into `path`: a file, or a folder (a path without a suffix)
        with a file per document for journals and statements, which go one per call.

        All or nothing: every document is rendered and checked first; on any problem
        nothing is left at `path`.
        """
        units = self.units()
        folder = path.is_dir() or not path.suffix
        if len(units) == 1 and not (folder and self.mapping.target.per_call):
            targets = [path]
        elif path.suffix and not path.is_dir():
            raise UsageError(
                f"this file makes {len(units)} {self.mapping.target.title}, one per call to"
                f" Yuki; give a folder: --output {path.with_suffix('')}/")
        else:
            targets = [path / f"{unit.key}{self.extension}" for unit in units]
        targets[0].parent.mkdir(parents=True, exist_ok=True)
        with ExitStack() as stack:
            temps = [stack.enter_context(_temporary(t.parent, t.name)) for t in targets]
            self._produce_all(zip(units, temps))
            for temp, target in zip(temps, targets):
                _publish(temp, target)
        return targets

    def single_text(self) -> str:
        """The validated document, for standard output, which carries only one: journals and
        statements go one per call to Yuki, and written back to back they are no document."""
        units = self.units()
        if len(units) > 1:
            raise UsageError(
                f"this file makes {len(units)} {self.mapping.target.title}, one per call to"
                " Yuki; standard output takes only one",
                hint=f"give a folder: --output {_slug(Path(self.table.file).stem)}/")
        return self.rendered()[0]

    def check(self) -> None:
        """Render and validate without keeping the output (the dry run)."""
        self.rendered()

    def rendered(self) -> list[str]:
        """Each unit's validated text (for small files, tests and standard output)."""
        with ExitStack() as stack:
            units = self.units()
            temps = [stack.enter_context(_temporary(Path(tempfile.gettempdir()), "yukimap"))
                     for _ in units]
            self._produce_all(zip(units, temps))
            return [t.read_text(encoding="utf-8") for t in temps]

    @property
    def text(self) -> str:
        return "\n".join(self.rendered())

    @property
    def extension(self) -> str:
        return ".xml" if self.mapping.target.xsd else ".csv"

    def _produce_all(self, jobs: Iterable[tuple[Unit, Path]]) -> None:
        problems: list[Problem] = []
        deadline = Deadline()  # one for the file, however many documents it makes
        for unit, path in jobs:
            problems += self._produce(unit, path, deadline)
        if problems:
            raise DocumentError(_count(problems, self.table.file, "in the rendered documents"),
                                problems=problems + self.warnings)

    def _produce(self, unit: Unit, path: Path, deadline: Deadline) -> list[Problem]:
        target = self.mapping.target
        self.stage(f"rendering {self.mapped.documents.height:,} {target.title}")
        template = load_template(self.mapping)
        big = self.mapped.items.height >= PROCESS_FROM_ITEMS
        split = bool(target.xsd) and target.items_at_root and big
        documents = self.documents(marked=split)
        if unit.ordinal is None:
            context: dict[str, Any] = {"documents": (d.context for d in documents)}
        else:
            context = {"document": next(islice(documents, unit.ordinal, None)).context}
        context |= {"options": self.mapping.options, "mapped_fields": self._mapped_fields()}
        checks = [XsdCheck(schema_path(target.xsd), target.root, in_process=not big)
                  for _ in range(2 if split else 1)] if target.xsd else []
        try:
            with open(path, "wb") as out:
                writer = _Splitter(out, checks)
                for piece in render_stream(template, context, deadline):
                    writer.write(piece)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            for check in checks:
                check.abort()
            raise
        locator = Locator(self.mapped, self.table.file, target)
        check_text = target_of(self.mapping).check_text
        if target.xsd is None and check_text is not None:
            return text_problems(path.read_text(encoding="utf-8"), check_text, locator,
                                 unit.ordinal or 0)
        self.stage("validating")
        failures = [check.finish() for check in checks]
        self.validator_peak_kb = max([self.validator_peak_kb, *(c.peak_kb for c in checks)])
        failure = next((f for f in failures if f is not None), None)
        if failure is None:
            return []
        hint = f"check the mapping's template: {self.mapping.template}" \
            if self.mapping.template else None
        if failure[1].startswith(NO_ROOT):
            return [Problem(f"is not a Yuki document: {failure[1]} (line {failure[0]} of the"
                            " document)", Where(file=self.table.file), hint=hint)]
        return xsd_problems(path, target.xsd, locator, unit.ordinal) or [
            Problem(f"breaks Yuki's schema (line {failure[0]} of the document): {failure[1]}",
                    Where(file=self.table.file), hint=hint)]

    def render_batch(self, documents: Sequence[DocumentContext]) -> str:
        """What one call to Yuki carries: a batch of invoices, or one journal or statement;
        validated again here, so that exactly what is sent has been checked."""
        target = self.mapping.target
        context: dict[str, Any] = (
            {"document": documents[0].context} if target.per_call
            else {"documents": [d.context for d in documents]})
        context |= {"options": self.mapping.options, "mapped_fields": self._mapped_fields()}
        text = render(load_template(self.mapping), context)
        failure = None
        if target.xsd:
            check = XsdCheck(schema_path(target.xsd), target.root, in_process=True)
            check.feed(text.encode("utf-8"))
            failure = check.finish()
        elif (check_text := target_of(self.mapping).check_text) and text_problems(
                text, check_text, Locator(self.mapped, self.table.file, target),
                documents[0].ordinal):
            failure = (0, "the cash statement CSV does not pass its checks")
        if failure is not None:
            labels = ", ".join(d.label for d in documents[:5])
            raise DocumentError(f"{labels}: the document to send breaks Yuki's schema (line"
                                f" {failure[0]}): {failure[1]}")
        return text

    def _mapped_fields(self) -> frozenset[str]:
        return frozenset(s.name for s in self.mapping.all_fields())


class _Splitter:
    """Writes the rendered text to the file, and feeds the validators.

    With one validator it gets everything. With two, the blocks of items (between
    BLOCK_MARKs; only for documents whose items are children of the root) go to each in
    turn, and all other text (the document's head and tail) to both: each then checks a
    complete document with about half the items, and, as the XSDs have no constraints
    across items (no keys, no limit on their number), the two are valid exactly when the
    whole is. The marks never reach the file.
    """

    def __init__(self, out: Any, checks: list[XsdCheck]) -> None:
        self.out = out
        self.checks = checks
        self.inside = False
        self.turn = 0

    def write(self, piece: str) -> None:
        if len(self.checks) < 2:
            data = piece.encode("utf-8")
            self.out.write(data)
            for check in self.checks:
                check.feed(data)
            return
        for index, part in enumerate(piece.split(BLOCK_MARK)):
            if index:
                self.inside = not self.inside
                if self.inside:
                    self.turn = 1 - self.turn
            if part:
                data = part.encode("utf-8")
                self.out.write(data)
                for check in ([self.checks[self.turn]] if self.inside else self.checks):
                    check.feed(data)


@dataclass(frozen=True)
class Unit:
    """One document as Yuki takes it in one call; `ordinal` None: all documents at once."""

    key: str | None
    ordinal: int | None


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "document"


def convert_file(path: str | Path, mapping: Mapping | str | Path,
                 stage: Stage = _quiet) -> ConversionResult:
    """Read and map one file; raise DataError with every problem of its data."""
    if not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    if mapping.target.xsd and _big(Path(path)):
        prestart(schema_path(mapping.target.xsd), mapping.target.root)
    stage(f"reading {Path(path).name}")
    table = read_table(Path(path), mapping.source)
    return convert_table(table, mapping, stage)


def convert_table(table: Table, mapping: Mapping, stage: Stage = _quiet) -> ConversionResult:
    stage(f"mapping {table.frame.height:,} rows")
    mapped = map_table(table, mapping)
    specific = target_of(mapping)
    problems = mapped.problems + _beyond(mapped.errors, specific.rules(mapped, mapping, table.file))
    if not any(p.is_error for p in problems):
        mapped, finished = specific.finish(mapped, mapping)
        problems += finished
    mapped = replace(mapped, problems=problems)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise DataError(_count(errors, table.file, "in the data"), problems=problems)
    return ConversionResult(mapping, table, mapped, specific.summary(mapped), stage)


def _big(path: Path) -> bool:
    """Likely to make more than PROCESS_FROM_ITEMS items (about 100 bytes a row)."""
    try:
        return path.stat().st_size > PROCESS_FROM_ITEMS * 100
    except OSError:
        return False


def _beyond(errors: list[Problem], found: list[Problem]) -> list[Problem]:
    """Rule findings, except on rows whose values already failed (they would only echo)."""
    bad_rows = {row for p in errors for row in p.where.rows}
    return [p for p in found if not bad_rows.intersection(p.where.rows)]


def _count(errors: list[Problem], file: str, what: str) -> str:
    return headline(file, errors, what)


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


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _temporary(path.parent, path.name) as tmp:
        tmp.write_text(text, encoding="utf-8")
        _publish(tmp, path)


def _publish(temp: Path, path: Path) -> None:
    """Rename a finished temporary file into place with the mode any new file gets here:
    the temporary file is private (mkstemp), a document is not; only secrets (the session
    cache, see budget.py) stay private."""
    os.chmod(temp, 0o666 & ~_umask())
    os.replace(temp, path)


def _umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        status = ""
    found = re.search(r"^Umask:\s*([0-7]+)$", status, re.MULTILINE)
    if found:
        return int(found.group(1), 8)
    mask = os.umask(0o077)  # elsewhere: set and put back, briefly strict, never briefly open
    os.umask(mask)
    return mask
