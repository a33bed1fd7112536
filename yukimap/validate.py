"""The validate stage: rendered XML against the target's XSD, before anything leaves.

xmlschema loads the schema and explains failures with element paths; `Locator` maps such
a path back to the document and source rows that produced the element.
"""

from __future__ import annotations

import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from yukimap.documents import Target
from yukimap.errors import Problem, Where
from yukimap.mapping import DOC, KEY, ROW, ROWS, Mapped
from yukimap.resources import schema_path

_STEP = re.compile(r"/([A-Za-z_]+)(?:\[(\d+)\])?")
_NUMBERED = re.compile(r"\[\d+\]")
LAZY_FROM_BYTES = 20_000_000  # larger files are explained element by element (bounded memory)
PROCESS_FROM_ITEMS = 50_000  # bigger documents are validated by a second process, in parallel


@cache
def load_schema(path: Path) -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(path))


class Locator:
    """Finds the source rows of the n-th document (and its m-th item) of a rendering."""

    def __init__(self, mapped: Mapped, file: str, target: Target) -> None:
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
        return Where(file=self.file, rows=tuple(rows), document=f"{self.target.document} {key}",
                     key=path)

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
    resource = xmlschema.XMLResource(str(source) if isinstance(source, Path) else source,
                                     lazy=lazy)
    problems = []
    for error in schema.iter_errors(resource):
        element = _NUMBERED.sub("", (error.path or "").rsplit("/", 1)[-1])
        problems.append(Problem(
            f"breaks Yuki's schema at {element}: {error.reason}",
            locator.locate(error.path or "", document), value=_value(error),
            hint="check the mapping of this field",
        ))
    return problems


class XsdCheck:
    """Validates a document while it is rendered, with lxml (libxml2), against the XSD.

    For big documents the check runs in a second process fed through a pipe, so rendering
    and validation use both cores; small ones are checked in-process (no start-up cost).
    lxml only decides; when it finds a failure, xmlschema explains it with element paths
    (`xsd_problems`). A test holds the two to the same verdicts.
    """

    def __init__(self, xsd: Path, element: str, in_process: bool) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._local = None
        if in_process:
            from yukimap._validator import Streaming

            self._local = Streaming(str(xsd), element)
        else:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "yukimap._validator", str(xsd), element],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def feed(self, text: str) -> None:
        data = text.encode("utf-8")
        if self._local is not None:
            self._local.feed(data)
        elif self._process is not None and self._process.stdin is not None:
            try:
                self._process.stdin.write(data)
            except BrokenPipeError:  # the validator died; finish() reports it
                self._process.stdin = None

    def finish(self) -> tuple[int, str] | None:
        """None when the document is valid, else (line, lxml's message)."""
        if self._local is not None:
            return self._local.close()
        assert self._process is not None
        out, err = self._process.communicate()
        verdict = out.decode("utf-8", "replace").strip().split("\t")
        if verdict == ["ok"]:
            return None
        if verdict[0] == "invalid" and len(verdict) == 3:
            return int(verdict[1] or 0), verdict[2]
        return 0, f"the validator stopped: {err.decode('utf-8', 'replace').strip()[-300:]}"

    def abort(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()


def csv_problems(text: str, locator: Locator, document: int) -> list[Problem]:
    """The petty cash CSV's own checks, located at the rows of each line."""
    from yukimap.targets.petty_cash import csv_problems as check

    return [
        Problem(f"the cash statement CSV: {cause}",
                locator.where(document, line - 2, f"line {line}") if line > 1
                else locator.where(document, None, "header"), value=value)
        for line, cause, value in check(text)
    ]


def _value(error: Any) -> str | None:
    for holder in (getattr(error, "elem", None), getattr(error, "obj", None)):
        text = getattr(holder, "text", None)
        if isinstance(text, str):
            return text
    return None
