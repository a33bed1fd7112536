"""One send run over one or more files of one mapping, to one administration.

Its steps, in order: choose the administration; convert each file and plan its documents;
under the journal's lock, check the journal against its ledger, recover calls a dead run
left, start a run per file and hold what a lost history may have sent; render and validate
every call's document once (a file whose documents fail drops out alone); pre-flight each
file against the administration; reconcile unknown invoices; send the calls, recording
each document's state before and after its call; write each file's receipt.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from yukimap.client import YukiClient
from yukimap.errors import DataError, UserError
from yukimap.i18n import tr
from yukimap.model import Mapping
from yukimap.preflight import preflight_file
from yukimap.schema import apply_options
from yukimap.send.administration import UNRESOLVED, choose
from yukimap.send.calls import Caller, Calls
from yukimap.send.defences import hold_if_history_lost, why_held
from yukimap.send.lock import exclusive
from yukimap.send.outcomes import finished, would_send
from yukimap.send.plan import FileRun, Plan, Planned, calls_needed, sends, waves
from yukimap.send.receipt import Receipt, now
from yukimap.send.source import Source, converted
from yukimap.send.spool import Spool, render_all
from yukimap.sendlog import UNKNOWN, SendLog
from yukimap.settings import Settings

Stage = Callable[[str], None]


class Sending:
    """One send run: the state shared by its steps."""

    def __init__(self, settings: Settings, log: SendLog, mapping: Mapping, calls: Calls,
                 batch_size: int, force: bool) -> None:
        self.settings = settings
        self.calls = calls
        self.log = log
        self.mapping = mapping
        self.target = mapping.target
        self.batch_size = batch_size
        self.force = force
        self._client: YukiClient | None = None
        self.admin_id = ""
        self.admin_name = ""
        self._sources: list[Source] = []  # each file's documents, closed at the end
        self.plan = Plan()
        self.calls_before = 0

    def __enter__(self) -> Sending:
        return self

    def __exit__(self, *exc: object) -> None:
        for source in self._sources:
            source.close()
        self.plan.close()
        if self._client is not None:
            self._client.close()

    @property
    def client(self) -> YukiClient:
        if self._client is None:
            self._client = YukiClient(self.settings)
            self.calls_before = self._client.sent_today()
        return self._client

    # --- before any call ---------------------------------------------------------------

    def choose_administration(self, wanted: str | None, may_call: bool) -> None:
        """By ID, or by Chamber of Commerce number or name (looked up once, then remembered
        in the journal: no call). A dry run calls nothing: one not known here yet stays
        unresolved (UNRESOLVED)."""
        resolve = (lambda name: self.client.resolve_administration(name).id) if may_call else None
        self.admin_id, self.admin_name = choose(wanted, self.log, self.settings.base_url, resolve)
        if self.target.administration_in_document:
            self.mapping = apply_options(self.mapping, self.admin_id, None)

    def add(self, path: Path, stage: Stage) -> FileRun:
        """Convert a file and plan its documents (nothing is called)."""
        source = converted(path, self.mapping, stage)
        self._sources.append(source)
        with path.open("rb") as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()
        receipt = Receipt(str(path), digest, str(self.mapping.path), self.target.name,
                          self.admin_id, self.admin_name, dry_run=False, started=now(),
                          file_seen_before=self.log.file_seen(digest), summary=source.summary)
        run = FileRun(path, source, receipt, digest, path.stat().st_size)
        self.plan.add(run)
        return run

    @property
    def files(self) -> list[FileRun]:
        return self.plan.files

    def _looked_up(self, files: Sequence[FileRun], where: str = "1"
                   ) -> Iterator[list[Planned]]:
        """The documents of `files` (that meet `where`), a thousand at a time, with what the
        journal knows of each now."""
        return self.plan.looked_up(self.log, self.admin_id, files, where)

    # --- the dry run -------------------------------------------------------------------

    def dry_run(self, stage: Stage) -> list[Receipt]:
        with exclusive(self.log.path):
            journal = self.log.check_ledger()
        held = why_held(self.log, self.settings, self.admin_id)
        self.plan.choose(self._looked_up(self.files),
                         lambda i: sends(i, self.force) and not (held and not i.entry))
        with Spool(keep=False) as spool:  # checked, never sent
            _, failed = render_all(spool, self.plan, self.files, self._step, stage)
        if failed:
            raise next(iter(failed.values()))
        unresolved = self.admin_name if self.admin_id == UNRESOLVED else None
        for run in self.files:
            calls = calls_needed(self.plan.count_due([run]), self._step)
            would_send(run, self._looked_up([run]), journal, held, calls, unresolved)
        return [run.receipt for run in self.files]

    # --- sending -----------------------------------------------------------------------

    def send(self, retry_delay: float, stage: Stage) -> dict[FileRun, Receipt | UserError]:
        """Send every file's documents, in waves (plan.waves) so a document two files hold
        goes once; a file that fails on its own (its documents break the schema, the
        administration does not know what it uses) fails alone."""
        outcomes: dict[FileRun, Receipt | UserError] = {}
        for wave in waves(self.plan, self.files):
            outcomes |= self._send_wave(wave, retry_delay, stage)
        return outcomes

    def _send_wave(self, files: list[FileRun], retry_delay: float, stage: Stage
                   ) -> dict[FileRun, Receipt | UserError]:
        outcomes: dict[FileRun, Receipt | UserError] = {}
        if self._client is not None:
            self.calls_before = self._client.sent_today()
        with exclusive(self.log.path), Spool() as spool:
            journal = self.log.check_ledger()
            for entry in self.log.recover():
                stage(tr("{label}: the last run stopped during its call; now UNKNOWN",
                         label=entry.label))
            for run in files:
                self._start(run, journal)
            self.plan.choose(self._looked_up(files), lambda i: sends(i, self.force))
            calls, broken = render_all(spool, self.plan, files, self._step, stage)
            failed: dict[FileRun, UserError] = {
                **broken, **self._preflight(set(self.plan.files_due(files)) - set(broken))}
            outcomes |= failed
            going = [run for run in files if run not in failed]
            if failed:  # the calls of the files that go on are made again, without the others
                calls, _ = render_all(spool, self.plan, going, self._step, stage)
            caller = Caller(self.log, lambda: self.client, self.target, self.admin_id,
                            self.force, self.calls)
            caller.reconcile(i for chunk in self._looked_up(going, "unknown") for i in chunk
                             if i.entry and i.entry.state == UNKNOWN)
            stopped = caller.send_all(calls, self.plan, spool, retry_delay, stage)
            for run in files:
                if run not in outcomes:
                    outcomes[run] = self._finish(run, stopped)
                else:
                    self._finish(run, tr("its documents were not sent"))
        return outcomes

    def _start(self, run: FileRun, journal: str | None) -> None:
        receipt = run.receipt
        receipt.journal = journal
        run.file_id, _ = self.log.file(run.digest, run.name, run.size)
        receipt.run_id = self.log.start_run(run.file_id, run.name, receipt.mapping,
                                            self.target.name, self.admin_id)
        hold_if_history_lost(self.log, self.settings, run, self._looked_up([run]),
                             self.admin_id, self.target.name)

    @property
    def _step(self) -> int:
        """Documents to a call."""
        return 1 if self.target.per_call else self.batch_size

    def _preflight(self, runs: set[FileRun]) -> dict[FileRun, UserError]:
        """Each file's documents against the administration: what it does not know fails
        the file that uses it, before anything is sent."""
        failed: dict[FileRun, UserError] = {}
        for run in [r for r in self.files if r in runs]:
            problems = preflight_file(self.client, run.source.usage(), run.source.file,
                                      self.admin_id)
            if problems:
                failed[run] = DataError(tr("{file}: pre-flight against the administration:"
                                           " {count} problem(s); nothing was sent",
                                           file=run.source.file, count=len(problems)),
                                        problems=problems)
        return failed

    # --- the receipts ------------------------------------------------------------------

    def _finish(self, run: FileRun, stopped: str | None) -> Receipt:
        calls = None if self._client is None else (
            self._client.sent_today() - self.calls_before, self._client.remaining())
        return finished(self.log, run, self.plan.chunks([run]), stopped, calls)
