"""Converted documents into validated text: on disk, for standard output, or per call.

The render stage streams a template's output and the validate stage checks it as it comes;
this module composes the two and owns the files: a document is written to a temporary file
while it is rendered and validated, and renamed into place only once it passes, so nothing
is ever left half-written or unvalidated, and a document of any size is produced in bounded
memory. `batch_rendered` renders what one call to Yuki carries, and `batch_checked` checks
it, for send.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from yukimap import nouns
from yukimap.atomic import publish, temporary
from yukimap.documents import DocumentType
from yukimap.errors import DocumentError, Problem, UsageError, Where
from yukimap.grouping import headline
from yukimap.i18n import tr
from yukimap.limits import MB
from yukimap.model import Mapping
from yukimap.pipeline import ConversionResult, Stage, Unit, quiet, slug
from yukimap.render import (
    BLOCK_MARK_BYTES,
    Deadline,
    DocumentContext,
    Lone,
    Page,
    contexts,
    document_nodes,
    each_context,
    load_template,
    pages,
    render,
    render_stream,
    writes_documents_whole,
)
from yukimap.resources import schema_path
from yukimap.targets import target_of
from yukimap.validate.streaming import NO_ROOT, decided, verdict_of_file
from yukimap.validate.xsd import (
    PROCESS_FROM_ITEMS,
    Locator,
    XsdCheck,
    checks_for,
    text_problems,
    validators,
    xsd_problems,
)


@dataclass
class Produced:
    """What producing a file's documents took that a benchmark wants to know."""

    validator_peak_kb: int = 0  # peak memory of a validator process, where one ran


def write_documents(result: ConversionResult, path: Path, stage: Stage = quiet,
                    stats: Produced | None = None) -> list[Path]:
    """Render and validate into `path`: a file, or a folder (a path without a suffix) with
    a file per document for journals and statements, which go one per call.

    All or nothing: every document is rendered and checked first; on any problem nothing
    is left at `path`. `stats` receives what producing them took.
    """
    units = result.units
    folder = path.is_dir() or not path.suffix
    if len(units) == 1 and not (folder and result.target.per_call):
        targets = [path]
    elif path.suffix and not path.is_dir():
        raise UsageError(
            tr("this file makes {count} {documents}, one per call to Yuki; give a folder:"
               " --output {folder}/", count=len(units),
               documents=nouns.title(result.mapping.target), folder=path.with_suffix("")))
    else:
        targets = [path / f"{unit.key}{result.extension}" for unit in units]
    targets[0].parent.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        temps = [stack.enter_context(temporary(t.parent, t.name)) for t in targets]
        produced = _produce_all(result, zip(units, temps), stage)
        if stats is not None:
            stats.validator_peak_kb = produced.validator_peak_kb
        for temp, target in zip(temps, targets):
            publish(temp, target)
    return targets


def check_documents(result: ConversionResult, stage: Stage = quiet) -> Produced:
    """Render and validate without keeping the output (the dry run): each document in turn
    into one scratch file, which nothing needs on the disk (no fsync)."""
    with temporary(Path(tempfile.gettempdir()), "yukimap") as scratch:
        return _produce_all(result, ((unit, scratch) for unit in result.units), stage,
                            durable=False)


def document_texts(result: ConversionResult, stage: Stage = quiet) -> list[str]:
    """Each unit's validated text (for small files, tests and standard output)."""
    with ExitStack() as stack:
        units = result.units
        temps = [stack.enter_context(temporary(Path(tempfile.gettempdir()), "yukimap"))
                 for _ in units]
        _produce_all(result, zip(units, temps), stage)
        return [t.read_text(encoding="utf-8") for t in temps]


def document_text(result: ConversionResult) -> str:
    """All units' validated texts, one after the other (for tests and small files)."""
    return "\n".join(document_texts(result))


def single_document_text(result: ConversionResult, stage: Stage = quiet) -> str:
    """The validated document, for standard output, which carries only one: journals and
    statements go one per call to Yuki, and written back to back they are no document."""
    units = result.units
    if len(units) > 1:
        raise UsageError(
            tr("this file makes {count} {documents}, one per call to Yuki; standard output takes"
               " only one", count=len(units), documents=nouns.title(result.mapping.target)),
            hint=tr("give a folder: --output {folder}/",
                    folder=slug(Path(result.table.file).stem)))
    return document_texts(result, stage)[0]


def batch_rendered(mapping: Mapping, documents: Iterator[Page]) -> str:
    """What one call to Yuki carries (a batch of invoices, or one journal or statement),
    rendered from the pages of its documents as a conversion renders them (polars makes
    the documents' texts where the template lets it); nothing may be sent that
    `batch_checked` has not passed."""
    context: dict[str, Any] = (
        {"document": next(each_context(documents)).context} if mapping.target.per_call
        else {"documents": document_nodes(documents)})
    return render(load_template(mapping), context | shared_context(mapping))


def batch_checked(mapping: Mapping, text: str, labels: Sequence[str], ordinal: int,
                  result: ConversionResult | None = None) -> None:
    """Raise DocumentError when the text of a call (`batch_rendered`'s, of the documents
    `labels` names, the first at `ordinal` in its file) breaks Yuki's schema: exactly what
    is sent has been checked. `result`: the file's conversion, which a document checked by
    its text (a cash statement) is located in. libxml2 decides a document without Python's
    lock, so a thread of its own checks one call while the next is rendered."""
    target = mapping.target
    failure = None
    if target.xsd:
        failure = decided(text.encode("utf-8"), str(schema_path(target.xsd)), target.root)
    elif (check_text := target_of(mapping).check_text) and text_problems(
            text, check_text, _locator(result), ordinal):
        failure = (0, tr("the cash statement CSV does not pass its checks"))
    if failure is not None:
        raise DocumentError(tr("{labels}: the document to send breaks Yuki's schema (line"
                               " {line}): {failure}", labels=", ".join(labels[:5]),
                               line=failure[0],
                               failure=_failure_text(failure[1], target.root)))


def _locator(result: ConversionResult | None) -> Locator:
    assert result is not None, "a document checked by its text is converted whole"  # i18n: a bug
    return Locator(result.mapped, result.table.file, result.mapping.target)


def shared_context(mapping: Mapping) -> dict[str, Any]:
    """What every rendering of a mapping's documents sees besides the documents."""
    fields = frozenset(s.name for s in mapping.all_fields())
    return {"options": mapping.options, "mapped_fields": fields}


def _produce_all(result: ConversionResult, jobs: Iterable[tuple[Unit, Path]],
                 stage: Stage, durable: bool = True) -> Produced:
    problems: list[Problem] = []
    produced = Produced()
    deadline = Deadline()  # one for the file, however many documents it makes
    each = _Each(result)
    for unit, path in jobs:
        problems += _produce(result, unit, path, deadline, stage, produced, each, durable)
    if problems:
        raise DocumentError(headline(result.table.file, problems, "documents"),
                            problems=problems + result.warnings)
    return produced


class _Each:
    """The documents of a file that goes one per call, taken in file order from one pass
    over them (each unit looking its document up anew would go through all before it: the
    time would grow with the square of the documents)."""

    def __init__(self, result: ConversionResult) -> None:
        self.documents = contexts(result.mapped, result.mapping)

    def at(self, ordinal: int) -> DocumentContext:
        """The document at `ordinal`, which comes after those asked for before."""
        for document in self.documents:
            if document.ordinal == ordinal:
                return document
        raise LookupError(ordinal)  # i18n: a bug (units come in file order)


def alone(target: DocumentType, document: DocumentContext) -> bool:
    """Whether the document can be rendered by itself as it was made, its blocks unmarked:
    one validator checks it (two share a big journal, and need its blocks marked)."""
    return validators(target, document.items >= PROCESS_FROM_ITEMS) == 1


def by_itself(document: DocumentContext) -> Documents:
    """The one document, as render_validated takes documents (unmarked: see `alone`)."""
    return lambda marked: iter([Lone(document)])


def _produce(result: ConversionResult, unit: Unit, path: Path, deadline: Deadline,
             stage: Stage, produced: Produced, each: _Each, durable: bool) -> list[Problem]:
    """Render one unit into `path`, validating it as it is written; its problems."""
    target = result.mapping.target
    stage(tr("rendering {count} {documents}", count=f"{result.mapped.documents.height:,}",
             documents=nouns.title(target)))
    documents: Documents = partial(pages, result.mapped, result.mapping)
    ordinal, items = unit.ordinal, result.mapped.items.height
    if ordinal is not None:
        document = each.at(ordinal)
        items = document.items
        if alone(target, document):
            documents, ordinal = by_itself(document), 0
    failure, peak_kb = render_validated(result.mapping, documents, ordinal, path, items,
                                        deadline, stage, durable)
    produced.validator_peak_kb = max(produced.validator_peak_kb, peak_kb)
    locator = Locator(result.mapped, result.table.file, target)
    check_text = result.target.check_text
    if target.xsd is None:
        return [] if check_text is None else text_problems(
            path.read_text(encoding="utf-8"), check_text, locator, unit.ordinal or 0)
    # a validator only decides; the verdict people read is said of the whole written
    # document, and a validator stricter than lxml is overruled by it
    if failure is None or (failure := verdict_of_file(
            str(path), str(schema_path(target.xsd)), target.root)) is None:
        return []
    return _failure_problems(result, path, unit, failure, locator)


Documents = Callable[[bool], Iterator[Page]]  # marked -> the documents in order


def render_validated(mapping: Mapping, documents: Documents, ordinal: int | None, path: Path,
                     items: int, deadline: Deadline, stage: Stage = quiet,
                     durable: bool = True) -> tuple[tuple[int, str] | None, int]:
    """Render the documents (all, or the one at `ordinal`) into `path`, validating them as
    they are written (beside the rendering when they have many `items`: `checks_for`): a
    validator's failure (to be worded by `verdict_of_file`), None when valid or when the
    target has no XSD, and the peak memory in KB of the validator processes, where they
    ran in processes. `durable`: synced to the disk (a file to be published is; a scratch
    file for a dry run need not be)."""
    target = mapping.target
    xsd = schema_path(target.xsd) if target.xsd else None
    whole = ordinal is None and writes_documents_whole(mapping)
    checks = checks_for(xsd, target, items, whole) if xsd else []
    split = len(checks) == 2
    try:
        with open(path, "wb") as out:
            synced = _Synced(out, durable)
            try:
                _render_into(mapping, documents(split), ordinal, out,
                             _Splitter(synced, checks), deadline)
            finally:
                synced.wait()
            if durable:  # on the disk before it is renamed into place
                synced.check()
                os.fsync(out.fileno())
    except BaseException:
        for check in checks:
            check.abort()
        raise
    if not checks:
        return None, 0
    stage(tr("validating"))
    failures = [check.finish() for check in checks]
    return (next((f for f in failures if f is not None), None),
            max(check.peak_kb for check in checks))


def _render_into(mapping: Mapping, documents: Iterator[Page], ordinal: int | None,
                 out: BinaryIO, writer: _Splitter, deadline: Deadline) -> None:
    if ordinal is None:
        context: dict[str, Any] = {"documents": document_nodes(documents)}
    else:
        context = {"document": next(islice(each_context(documents), ordinal, None)).context}
    template = load_template(mapping)
    for piece in render_stream(template, context | shared_context(mapping), deadline):
        writer.write(piece)
    out.flush()


def _failure_problems(result: ConversionResult, path: Path, unit: Unit,
                      failure: tuple[int, str], locator: Locator) -> list[Problem]:
    """What lxml's verdict means, explained at the rows by xmlschema where it can."""
    mapping = result.mapping
    hint = (tr("check the mapping's template: {template}", template=mapping.template)
            if mapping.template else None)
    where = Where(file=result.table.file)
    if failure[1].startswith(NO_ROOT):
        return [Problem(tr("is not a Yuki document: {failure} (line {line} of the document)",
                           failure=_failure_text(failure[1], mapping.target.root),
                           line=failure[0]), where, hint=hint)]
    xsd = mapping.target.xsd or ""
    return xsd_problems(path, xsd, locator, unit.ordinal) or [
        Problem(tr("breaks Yuki's schema (line {line} of the document): {failure}",
                   line=failure[0], failure=failure[1]), where, hint=hint)]


def _failure_text(failure: str, root: str) -> str:
    """A validator's verdict for people: lxml's own message as it is, the validators' word
    for a document without its root (validate.streaming.NO_ROOT) in the current language."""
    if failure.startswith(NO_ROOT):
        return tr("the template writes no <{root}> element", root=root)
    return failure


class _Synced:
    """The output file, whose text goes to the disk while more is written (`durable`): from
    every SYNC_BYTES on, the written part is synced by a thread of its own, so that the
    sync before the rename (a big file's 450 MB: 0.6 s) finds little left to write."""

    def __init__(self, out: BinaryIO, durable: bool) -> None:
        self.out = out
        self.durable = durable
        self.unsynced = 0
        self.syncing: threading.Thread | None = None
        self.failed: OSError | None = None

    def write(self, data: bytes | memoryview) -> None:
        self.out.write(data)
        self.unsynced += len(data)
        if self.durable and self.unsynced >= SYNC_BYTES and not (
                self.syncing and self.syncing.is_alive()):
            self.unsynced = 0
            self.syncing = threading.Thread(target=self._sync, args=(self.out.fileno(),),
                                            name="sync", daemon=True)
            self.syncing.start()

    def _sync(self, fd: int) -> None:
        try:
            getattr(os, "fdatasync", os.fsync)(fd)
        except OSError as failed:
            self.failed = failed

    def wait(self) -> None:
        if self.syncing is not None:
            self.syncing.join()

    def check(self) -> None:
        """A failed sync fails the file: the system tells a write that did not reach the
        disk to one sync only, so the one before the rename may not hear of it."""
        if self.failed is not None:
            raise self.failed


SYNC_BYTES = 64 * MB


class _Splitter:
    """Writes the rendered text to the file, and feeds the validators.

    With one validator it gets everything. With two, the blocks of items (between
    BLOCK_MARKs; only for documents whose items are children of the root) go to each in
    turn, but for the first, and all other text (the document's head and tail), which go
    to both: each then checks a complete document with about half the items, at least one
    (a document of a big file's slices may have few blocks, and the XSD asks for an item),
    and, as the XSDs have no constraints across items (no keys, no limit on their number),
    the two are valid exactly when the whole is. The marks never reach the file.
    """

    def __init__(self, out: _Synced, checks: list[XsdCheck]) -> None:
        self.out = out
        self.checks = checks
        self.inside = False
        self.turn = 0
        self.blocks = 0

    def write(self, piece: str | bytes) -> None:
        data = piece if isinstance(piece, bytes) else piece.encode("utf-8")
        if len(self.checks) < 2:
            self.out.write(data)
            for check in self.checks:
                check.feed(data)
            return
        # The parts are passed on as places in the one encoded text, not copied out of it
        # (a big file's 450 MB): the file takes a view, the validators the place.
        view = memoryview(data)
        for index, (start, end) in enumerate(_between_marks(data)):
            if index:
                self.inside = not self.inside
                if self.inside:
                    self.turn = 1 - self.turn
                    self.blocks += 1
            if end > start:
                self.out.write(view[start:end])
                alone = self.inside and self.blocks > 1
                for check in ([self.checks[self.turn]] if alone else self.checks):
                    check.feed(data, start, end)


def _between_marks(data: bytes) -> Iterator[tuple[int, int]]:
    """Where the parts of `data.split(BLOCK_MARK_BYTES)` are, one at a time, found by `bytes.find`,
    which looks for one byte with memchr (a split compares every byte, and copies)."""
    start = 0
    while (end := data.find(BLOCK_MARK_BYTES, start)) >= 0:
        yield start, end
        start = end + 1
    yield start, len(data)
