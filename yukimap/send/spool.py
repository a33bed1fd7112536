"""Each call's document, rendered and validated once, before the first call goes out.

What a call carries is rendered and checked here, and those exact bytes are what the SOAP
client sends later: nothing is rendered twice, and nothing is sent that was not checked. The
texts wait in a temporary file, compressed (a big file's batches do not sit in memory, nor
take six times the export's size on disk); they are read back one call at a time.
"""

from __future__ import annotations

import tempfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import IO

from yukimap.errors import DocumentError
from yukimap.i18n import tr
from yukimap.send.plan import FileRun, Plan, Planned, calls_needed


@dataclass(frozen=True)
class Slot:
    """Where one call's text waits in the spool."""

    start: int
    length: int


class Spool:
    """The validated texts of the calls of a run, in a temporary file (`keep`; a dry run's
    are checked and let go)."""

    def __init__(self, keep: bool = True) -> None:
        self._file: IO[bytes] | None = None
        if keep:
            self._file = tempfile.TemporaryFile(prefix="yukimap-send-")  # noqa: SIM115 - closed by close()
        self._end = 0

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def put(self, text: str) -> Slot:
        if self._file is None:
            return Slot(self._end, 0)
        data = zlib.compress(text.encode("utf-8"), 1)  # XML: a tenth of the disk, for a little CPU
        self._file.seek(self._end)
        self._file.write(data)
        slot = Slot(self._end, len(data))
        self._end += len(data)
        return slot

    def get(self, slot: Slot) -> str:
        assert self._file is not None, "a spool that keeps nothing is never read"  # i18n: a bug
        self._file.seek(slot.start)
        return zlib.decompress(self._file.read(slot.length)).decode("utf-8")


def render_all(spool: Spool, plan: Plan, files: Sequence[FileRun], step: int,
               stage: Callable[[str], None]) -> tuple[list[tuple[int, Slot]],
                                                      dict[FileRun, DocumentError]]:
    """Every call of the documents due of `files` (`step` to a call), rendered and validated
    into the spool, each call numbered in the plan. A call that fails is taken apart: the
    files of its failing documents fail (their error by file), and the calls are made
    again without them, so one bad file never holds up the others."""
    failed: dict[FileRun, DocumentError] = {}
    while True:
        chosen = [run for run in files if run not in failed]
        plan.uncalled()
        count = calls_needed(plan.count_due(chosen), step)
        done: list[tuple[int, Slot]] = []
        for number, batch in enumerate(plan.batches(chosen, step), start=1):
            stage(tr("rendering and validating {number} of {count}", number=number,
                     count=count))
            try:
                done.append((number, spool.put(_text(batch))))
            except DocumentError:
                failed |= _culprits(batch)
                break
            plan.put_in_call(batch, number)
        else:
            return done, failed


def _text(batch: Sequence[Planned]) -> str:
    """One call's text; the documents of a call share their mapping (and its template), in
    order, file by file."""
    documents = [document for run, items in groupby(batch, key=lambda i: i.file)
                 for document in run.source.documents([i.at for i in items])]
    return batch[0].file.source.text(documents)


def _culprits(batch: Sequence[Planned]) -> dict[FileRun, DocumentError]:
    """The files of a call that fail on their own, each with its error, located at its rows
    as `convert` would show it (the whole file is rendered again: only when a call fails)."""
    found: dict[FileRun, DocumentError] = {}
    for run in {item.file: None for item in batch}:
        try:
            run.source.check()
        except DocumentError as exc:
            found[run] = exc
    if not found:  # together they fail, alone they pass: fail them all, never guess
        error = DocumentError(tr("{labels}: together they break Yuki's schema",
                                 labels=", ".join(i.label for i in batch[:5])))
        found = {item.file: error for item in batch}
    return found
