"""The validate stage: rendered XML against the target's XSD, before anything leaves.

xmlschema loads the schema and explains failures with element paths; `Locator` maps such
a path back to the document and source rows that produced the element.
"""

from __future__ import annotations

import contextlib
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from yukimap import nouns
from yukimap.documents import DocumentType
from yukimap.errors import Problem, Where
from yukimap.frames import DOC, KEY, ROW, ROWS, Mapped
from yukimap.i18n import tr
from yukimap.resources import schema_path
from yukimap.validate.streaming import INVALID, pushed, reachable

_STEP = re.compile(r"/([A-Za-z_]+)(?:\[(\d+)\])?")
_NUMBERED = re.compile(r"\[\d+\]")
LAZY_FROM_BYTES = 20_000_000  # larger files are explained element by element (bounded memory)
BESIDE_FROM_ITEMS = 2_000  # from this size a document is checked beside its rendering
PROCESS_FROM_ITEMS = 50_000  # ... where that takes a process (its start-up); a journal by two


@cache
def load_schema(path: Path) -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(path))


class Locator:
    """Finds the source rows of the n-th document (and its m-th item) of a rendering."""

    def __init__(self, mapped: Mapped, file: str, target: DocumentType) -> None:
        self.documents = mapped.documents.select(DOC, KEY, ROWS)
        self.items = mapped.items
        self.file = file
        self.target = target

    def where(self, document: int, item: int | None, path: str) -> Where:
        if document >= self.documents.height:
            return Where(file=self.file, key=path)
        doc, key, rows = self.documents.row(document)
        if item is not None:
            item_rows = self.items.filter(pl.col(DOC) == doc)[ROW].to_list()
            if item < len(item_rows):
                rows = [item_rows[item]]
        return Where(file=self.file, rows=tuple(rows),
                     document=nouns.label(self.target.document, key), key=path)

    def locate(self, path: str, document: int | None = None) -> Where:
        """An element path -> the rows that made it. '/SalesInvoices/SalesInvoice[2]/
        InvoiceLines/InvoiceLine[1]/…' names its document; a one-document rendering
        ('/Journal/JournalEntry[3]/…') is the given `document`."""
        steps = _STEP.findall(path)
        if document is None:
            if len(steps) < 2:
                return Where(file=self.file, key=path or None)
            document, steps = int(steps[1][1] or 1) - 1, steps[2:]
        item = next((int(index or 1) - 1 for name, index in steps
                     if name.endswith(("Line", "Entry"))), None)
        return self.where(document, item, path)


def xsd_problems(source: str | Path, xsd: str, locator: Locator,
                 document: int | None = None) -> list[Problem]:
    """Every XSD violation of `source` (XML text, or a file), at the rows that produced it;
    `document` is the ordinal of the one document a per-call rendering holds."""
    import xmlschema

    schema = load_schema(schema_path(xsd))
    lazy = isinstance(source, Path) and source.stat().st_size > LAZY_FROM_BYTES
    problems: list[Problem] = []
    try:
        resource = xmlschema.XMLResource(str(source) if isinstance(source, Path) else source,
                                         lazy=lazy)
        for error in schema.iter_errors(resource):
            element = _NUMBERED.sub("", (error.path or "").rsplit("/", 1)[-1])
            problems.append(Problem(
                tr("breaks Yuki's schema at {element}: {reason}", element=element,
                   reason=error.reason),
                locator.locate(error.path or "", document), value=_value(error),
                hint=tr("check the mapping of this field"),
            ))
    except xmlschema.XMLResourceError:  # not well-formed: lxml's verdict says where
        pass
    return problems


class XsdCheck:
    """Validates a document while it is rendered, with lxml (libxml2), against the XSD.

    Small documents are checked as they come by lxml (`Streaming`). A big one (`in_process`
    False) is checked beside the rendering, so that the two use both cores: by libxml2's
    own validator in a thread of this process, which checks each piece without Python's
    lock (`Pushed`), or, where that validator cannot be reached, by a second process fed
    through a pipe. It only decides: a failure is worded from the written document
    (`verdict_of_file`), and xmlschema explains it with element paths (`xsd_problems`). A
    test holds lxml and xmlschema to the same verdicts.
    """

    def __init__(self, xsd: Path, root: str, in_process: bool) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._local = None
        self._pushed = None
        self._valid = False
        self._aborted = False
        self.peak_kb = 0  # the validator process's peak memory, when it ran in one
        if in_process:
            from yukimap.validate.streaming import Streaming

            self._local = Streaming(str(xsd), root)
            return
        self._pushed = pushed(str(xsd), root)
        if self._pushed is None:
            spare = _SPARE.get((str(xsd), root))
            self._process = spare.pop() if spare else _spawn(xsd, root)
        # A thread does the (GIL-free) checking or writing: rendering never waits for the
        # validator unless the queue is full, so the two really run side by side.
        self._queue: queue.Queue[tuple[bytes, int, int] | None] = queue.Queue(maxsize=_QUEUED)
        self._writer = threading.Thread(target=self._write, daemon=True)
        self._writer.start()

    def _write(self) -> None:
        if self._pushed is not None:
            while (piece := self._queue.get()) is not None:
                if not self._aborted:
                    self._pushed.feed(*piece)
            self._valid = self._pushed.close()
            return
        assert self._process is not None and self._process.stdin is not None
        stdin = self._process.stdin
        while (piece := self._queue.get()) is not None:
            data, start, end = piece
            try:
                stdin.write(memoryview(data)[start:end])
            except BrokenPipeError:  # the validator died; finish() reports it
                break
        with contextlib.suppress(BrokenPipeError):
            stdin.close()

    def feed(self, data: bytes, start: int = 0, end: int | None = None) -> None:
        """Check `data[start:end]` next (passed on as a place in `data`, not a copy)."""
        stop = len(data) if end is None else end
        if self._local is not None:
            self._local.feed(data if (start, stop) == (0, len(data)) else data[start:stop])
        else:
            while self._writer.is_alive():  # a dead validator must not block rendering
                try:
                    self._queue.put((data, start, stop), timeout=0.5)
                    return
                except queue.Full:
                    continue

    def finish(self) -> tuple[int, str] | None:
        """None when the document is valid, else (line, lxml's message) in-process, or
        RECHECK when a validator process did not find it valid: `verdict_of_file` then
        says whether and how it fails."""
        if self._local is not None:
            return self._local.close()
        if self._writer.is_alive():
            self._queue.put(None)
        self._writer.join()
        if self._pushed is not None:
            return None if self._valid else RECHECK
        assert self._process is not None
        out = self._process.stdout.read() if self._process.stdout else b""
        err = self._process.stderr.read() if self._process.stderr else b""
        self._process.wait()
        peak = re.search(r"peak_kb=(\d+)", err.decode("utf-8", "replace"))
        self.peak_kb = int(peak.group(1)) if peak else 0
        # Whatever else it answered (invalid, or nothing: it stopped), the written document
        # is checked again in this process, whose verdict stands.
        return None if out.decode("utf-8", "replace").strip() == "ok" else RECHECK

    def abort(self) -> None:
        if self._pushed is not None:  # the thread ends at once and frees the validator
            self._aborted = True
            with self._queue.mutex:
                self._queue.queue.clear()
            self._queue.put(None)
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()


# What finish() says when a validator process did not answer that the document is valid:
# its written text is checked again by `verdict_of_file` (validate.streaming).
RECHECK = (-1, INVALID)
_QUEUED = 256  # rendered pieces (~256 KB each) that may wait for the validator
_SPARE: dict[tuple[str, str], list[subprocess.Popen[bytes]]] = {}


def _spawn(xsd: Path, root: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "yukimap.validate.streaming", str(xsd), root],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _widen_pipe(process.stdin)
    return process


def checks_for(xsd: Path, target: DocumentType, items: int,
               whole: bool = False) -> list[XsdCheck]:
    """The validators of a document of `items` items: lxml as it is rendered when it is
    small; else beside the rendering, from BESIDE_FROM_ITEMS by libxml2's own validator in
    a thread (its start-up costs a millisecond), or from PROCESS_FROM_ITEMS by a process
    where that validator cannot be reached; a big journal, or many big documents written
    `whole`, by two (`validators`)."""
    big = items >= PROCESS_FROM_ITEMS
    beside = big or (items >= BESIDE_FROM_ITEMS and reachable(str(xsd), target.root))
    return [XsdCheck(xsd, target.root, in_process=not beside)
            for _ in range(validators(target, big, whole))]


def validators(target: DocumentType, big: bool, whole: bool = False) -> int:
    """How many validators check a document: two share a big one whose items are children
    of its root (a journal's entries), or the many documents of one call, children of its
    root, when the template writes each `whole` (render.whole: sales invoices), each taking
    alternate blocks; else one."""
    return 2 if big and (target.items_at_root or (whole and not target.per_call)) else 1


def prestart(xsd: Path, root: str, count: int = 1) -> None:
    """Have `count` validator processes ready now, while the file is still being read and
    mapped, so that their start-up costs no time later (a big journal takes two), where
    documents are checked by processes (libxml2's own validator, in this process, needs
    none). Unused, they end when this process ends (their input closes)."""
    if reachable(str(xsd), root):  # checked in this process: nothing to start
        return
    spare = _SPARE.setdefault((str(xsd), root), [])
    while len(spare) < count:
        spare.append(_spawn(xsd, root))


def _widen_pipe(stream: Any) -> None:
    """Give the pipe a 1 MB buffer where the platform allows (Linux), to smooth the flow."""
    try:
        import fcntl

        fcntl.fcntl(stream.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError, AttributeError):
        pass


def text_problems(text: str, check: Callable[[str], list[tuple[int, str, str | None]]],
                  locator: Locator, document: int) -> list[Problem]:
    """The checks of a document that is not XML (the petty cash CSV: its target's
    `check_text`), located at the rows of each line."""
    return [
        Problem(tr("the cash statement CSV: {cause}", cause=cause),
                locator.where(document, line - 2, tr("line {line}", line=line)) if line > 1
                else locator.where(document, None, tr("header")), value=value)
        for line, cause, value in check(text)
    ]


def _value(error: Any) -> str | None:
    for holder in (getattr(error, "elem", None), getattr(error, "obj", None)):
        text = getattr(holder, "text", None)
        if isinstance(text, str):
            return text
    return None
