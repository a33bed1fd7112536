"""Each call's document, rendered and validated once, before the first call goes out.

What a call carries is rendered and checked here, and those exact bytes are what the SOAP
client sends later: nothing is rendered twice, and nothing is sent that was not checked. The
texts wait in a temporary file, compressed (a big file's batches do not sit in memory, nor
take six times the export's size on disk); they are read back one call at a time.
"""

from __future__ import annotations

import tempfile
import zlib
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
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
    # a second thread checks each call (libxml2, without Python's lock) and puts it in the
    # spool, while this one renders the next: the two cores, as a conversion has them
    with ThreadPoolExecutor(1, thread_name_prefix="check") as checker:
        while True:
            chosen = [run for run in files if run not in failed]
            plan.uncalled()
            count = calls_needed(plan.count_due(chosen), step)
            calls = _Calls(spool, plan, checker)
            for number, batch in enumerate(plan.batches(chosen, step), start=1):
                stage(tr("rendering and validating {number} of {count}", number=number,
                         count=count))
                if not calls.add(number, batch):
                    break
            if calls.settled() and calls.broken is None:
                return calls.done, failed
            assert calls.broken is not None
            failed |= _culprits(calls.broken)


class _Calls:
    """The calls of one pass of `render_all`: each rendered by `add`, then checked and put
    in the spool by the checker while the next is rendered, and settled in their order
    (numbered in the plan), so that the first call to fail is the one a pass one call at a
    time would find (`broken`), and no later one counts."""

    def __init__(self, spool: Spool, plan: Plan, checker: ThreadPoolExecutor) -> None:
        self.spool, self.plan, self.checker = spool, plan, checker
        self.done: list[tuple[int, Slot]] = []
        self.broken: list[Planned] | None = None
        self._pending: deque[tuple[int, list[Planned], Future[Slot]]] = deque()

    def add(self, number: int, batch: list[Planned]) -> bool:
        """Render call `number` (the documents of a call share their mapping and its
        template, in order, file by file), and hand it to the checker; False once a call
        failed."""
        documents = (page for run, items in groupby(batch, key=lambda i: i.file)
                     for page in run.source.pages([i.at for i in items]))
        text = batch[0].file.source.text(documents)
        self._pending.append((number, batch, self.checker.submit(self._checked, batch, text)))
        return all(self._settle() for _ in range(len(self._pending) - 1))

    def settled(self) -> bool:
        """Every call handed over settled, in order; False when one failed."""
        return all(self._settle() for _ in range(len(self._pending)))

    def _settle(self) -> bool:
        number, batch, checked = self._pending.popleft()
        try:
            slot = checked.result()
        except DocumentError:
            self.broken = batch
            for _, _, later in self._pending:  # ended before the culprits are looked for
                later.exception()
            self._pending.clear()
            return False
        self.done.append((number, slot))
        self.plan.put_in_call(batch, number)
        return True

    def _checked(self, batch: list[Planned], text: str) -> Slot:
        batch[0].file.source.checked(text, [i.label for i in batch], batch[0].at)
        return self.spool.put(text)


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
