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
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from yukimap.budget import CallBudget, yuki_day
from yukimap.client import Request, YukiClient, is_guid
from yukimap.errors import (
    AccessDenied,
    AmbiguousOutcome,
    BudgetExhausted,
    DailyLimitExceeded,
    DataError,
    DocumentError,
    DocumentRejected,
    NoRights,
    SettingsError,
    TransientError,
    UserError,
    YukiError,
)
from yukimap.model import Mapping
from yukimap.pipeline import convert_file
from yukimap.preflight import preflight_result
from yukimap.schema import apply_options
from yukimap.send.lock import exclusive
from yukimap.send.plan import FileRun, Planned, batches, calls_needed, due, plan, skip_state
from yukimap.send.receipt import AWAITING, NOT_SENT, PLANNED, Outcome, Receipt, now
from yukimap.send.spool import Slot, Spool, render_all
from yukimap.sendlog import PENDING, REJECTED, SENDING, SENT, UNKNOWN, SendLog
from yukimap.settings import Settings
from yukimap.transport import with_retries

log = logging.getLogger(__name__)
Stage = Callable[[str], None]
LOOKUPS_PER_DAY = 25  # unknown invoices looked up per day (one call each), all runs together
# A dry run calls nothing, so an administration named for the first time stays unresolved.
UNRESOLVED = "00000000-0000-0000-0000-000000000000"


class Calls:
    """How many calls with documents a run has started: what a failure must report."""

    def __init__(self) -> None:
        self.count = 0

    def so_far(self) -> str:
        if not self.count:
            return "nothing was sent"
        return (f"{self.count} call(s) with documents went out before this: what is recorded"
                " as sent is not sent again, and `yukimap status` lists any outcome unknown")


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
        self.files: list[FileRun] = []
        self.calls_before = 0

    def __enter__(self) -> Sending:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()

    @property
    def client(self) -> YukiClient:
        if self._client is None:
            self._client = YukiClient(self.settings)
            self.calls_before = self._client.sent_today()
        return self._client

    @property
    def items(self) -> list[Planned]:
        return [item for run in self.files for item in run.items]

    # --- before any call ---------------------------------------------------------------

    def choose_administration(self, wanted: str | None, may_call: bool) -> None:
        """By ID, or by name (looked up once, then remembered in the journal: no call).
        A dry run calls nothing: an unknown name stays unresolved (UNRESOLVED)."""
        if not wanted:
            raise SettingsError("no Yuki administration is chosen",
                                hint="give one by name or ID (--administration), or set"
                                " YUKI_ADMINISTRATION; `yukimap administrations` lists them")
        if is_guid(wanted):
            self.admin_id, self.admin_name = wanted.strip("{}"), wanted
        else:
            known = self.log.administration_id(self.settings.base_url, wanted)
            if known is None and may_call:
                known = self.client.resolve_administration(wanted).id
                self.log.remember_administration(self.settings.base_url, wanted, known)
            self.admin_id, self.admin_name = known or UNRESOLVED, wanted
        if self.target.administration_in_document:
            self.mapping = apply_options(self.mapping, self.admin_id, None)

    def add(self, path: Path, stage: Stage) -> FileRun:
        """Convert a file and plan its documents (nothing is called)."""
        result = convert_file(path, self.mapping, stage)
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        receipt = Receipt(str(path), digest, str(self.mapping.path), self.target.name,
                          self.admin_id, self.admin_name, dry_run=False, started=now(),
                          file_seen_before=self.log.file_seen(digest), summary=result.summary)
        run = FileRun(path, result, receipt, digest, len(data))
        plan(run)
        self.files.append(run)
        return run

    def plan_again(self) -> None:
        """What the journal knows of each document now (again, once a run holds the lock)."""
        known = self.log.lookup(self.admin_id, [i.key for i in self.items])
        for item in self.items:
            item.entry = known.get(item.key)

    # --- the dry run -------------------------------------------------------------------

    def dry_run(self, stage: Stage) -> list[Receipt]:
        with exclusive(self.log.path):
            journal = self.log.check_ledger()
        self.plan_again()
        held = self.log.held(self.admin_id) or self._history_lost()
        to_send = [i for i in self.items if due(i, self.force) and not (held and not i.entry)]
        with Spool() as spool:
            _, failed = render_all(spool, to_send, self._batches, stage)
        if failed:
            raise next(iter(failed.values()))
        for run in self.files:
            receipt = run.receipt
            receipt.dry_run, receipt.journal = True, journal
            if held and any(i.entry is None for i in run.items):
                receipt.journal = f"{held}: what it does not know would wait for a decision"
            mine = [i for i in run.items if i in to_send]
            receipt.documents = [self._outcome(i, PLANNED if i in mine else AWAITING
                                               if i.entry is None else skip_state(i))
                                 for i in run.items]
            receipt.calls_planned = calls_needed(len(mine), self.target.per_call,
                                                 self.batch_size)
            if self.admin_id == UNRESOLVED:
                receipt.calls_planned += 1
                receipt.stopped = (f"the administration {self.admin_name!r} is not known here"
                                   " yet: the real run looks it up (one call), and only then"
                                   " can it tell what was sent before")
            receipt.finished = now()
        return [run.receipt for run in self.files]

    # --- sending -----------------------------------------------------------------------

    def send(self, retry_delay: float, stage: Stage) -> dict[FileRun, Receipt | UserError]:
        """Send every file's documents; a file that fails on its own (its documents break
        the schema, the administration does not know what it uses) fails alone."""
        outcomes: dict[FileRun, Receipt | UserError] = {}
        with exclusive(self.log.path), Spool() as spool:
            journal = self.log.check_ledger()
            for entry in self.log.recover():
                stage(f"{entry.label}: the last run stopped during its call; now UNKNOWN")
            self.plan_again()
            for run in self.files:
                self._start(run, journal)
            due_items = [i for i in self.items if due(i, self.force)]
            calls, broken = render_all(spool, due_items, self._batches, stage)
            failed: dict[FileRun, UserError] = {
                **broken, **self._preflight({i.file for i in due_items} - set(broken))}
            outcomes |= failed
            if failed:  # the calls of the files that go on are made again, without the others
                calls, _ = render_all(spool, [i for i in due_items if i.file not in failed],
                                      self._batches, stage)
            unknown = [i for i in self.items if i.file not in failed and i.entry
                       and i.entry.state == UNKNOWN]
            self._reconcile(unknown)
            stopped = self._send_all(calls, spool, retry_delay, stage)
            for run in self.files:
                if run not in outcomes:
                    outcomes[run] = self._finish(run, stopped)
                else:
                    self._finish(run, "its documents were not sent")
        return outcomes

    def _start(self, run: FileRun, journal: str | None) -> None:
        receipt = run.receipt
        receipt.journal = journal
        run.file_id, _ = self.log.file(run.digest, run.name, run.size)
        receipt.run_id = self.log.start_run(run.file_id, run.name, receipt.mapping,
                                            self.target.name, self.admin_id)
        self._hold_if_history_lost(run)

    def _batches(self, items: Sequence[Planned]) -> list[list[Planned]]:
        return batches(items, self.target.per_call, self.batch_size)

    def _hold_if_history_lost(self, run: FileRun) -> None:
        """The last line of defence when the journal and its ledger are both gone: yukimap's
        call counter remembers document calls to this administration that the journal does
        not know. From then on no document the journal does not know is sent: each waits
        for a person (a sales invoice is looked up in Yuki first), until none waits."""
        new = [i for i in run.items if i.entry is None]
        if not new:
            return
        note = self.log.held(self.admin_id) or self._history_lost()
        if note is None:
            return
        self.log.hold(self.admin_id, note)
        ids = self._register(new)
        self.log.mark(run.receipt.run_id, list(ids.values()), UNKNOWN,
                      f"{note}: it may be in Yuki already")
        run.receipt.journal = (f"{note} (were the journal and its ledger lost?): the"
                               f" {len(new)} document(s) it does not know await a decision"
                               " (yukimap status)")
        self.plan_again()

    def _history_lost(self) -> str | None:
        """What the call counter knows that the journal does not, if anything."""
        counter = CallBudget(self.settings.state_dir, self.settings.daily_budget)
        try:
            calls = counter.document_calls(self.admin_id)
        finally:
            counter.close()
        known = self.log.last_change(self.admin_id)
        if calls is None or (known is not None and yuki_day(known) >= calls[1]):
            return None
        return (f"yukimap's call counter shows document calls to this administration that the"
                f" send journal does not know (the last on {calls[1]})")

    def _register(self, items: Sequence[Planned]) -> dict[str, int]:
        """Documents about to be sent (or held), as PENDING, each under its own file's run."""
        ids: dict[str, int] = {}
        for run in {i.file: None for i in items}:
            mine = [i for i in items if i.file is run]
            assert run.receipt.run_id is not None and run.file_id is not None
            ids |= self.log.register(run.receipt.run_id, run.file_id, self.admin_id, [
                (i.key, self.target.name, i.document.label, i.document.rows, i.content)
                for i in mine])
        return ids

    def _preflight(self, runs: set[FileRun]) -> dict[FileRun, UserError]:
        """Each file's documents against the administration: what it does not know fails
        the file that uses it, before anything is sent."""
        failed: dict[FileRun, UserError] = {}
        for run in [r for r in self.files if r in runs]:
            problems = preflight_result(self.client, run.result, self.admin_id)
            if problems:
                failed[run] = DataError(f"{run.result.table.file}: pre-flight against the"
                                        f" administration: {len(problems)} problem(s); nothing"
                                        " was sent", problems=problems)
        return failed

    def _reconcile(self, unknown: Sequence[Planned]) -> None:
        """Sales invoices of unknown outcome: look each up in Yuki by its invoice number.
        Found: it arrived (SENT). Not found proves nothing (a paid invoice is no longer
        outstanding), so it stays UNKNOWN for a person to decide, and is not looked up again
        the same day; all runs of a day share LOOKUPS_PER_DAY lookups."""
        day = yuki_day().isoformat()
        used, tried = self.log.lookups(day)
        chosen = [(i, i.entry) for i in unknown if i.reference and i.entry
                  and i.entry.id not in tried]
        for item, entry in chosen[:max(LOOKUPS_PER_DAY - used, 0)]:
            try:
                found = self.client.check_outstanding_item(item.reference or "", self.admin_id)
            except (TransientError, AmbiguousOutcome):
                continue
            hit = any(f.reference == item.reference for f in found)
            self.log.looked_up(entry.id, day)
            if hit:
                self.log.mark(item.run_id, [entry.id], SENT,
                              "its call's outcome was unknown; found in Yuki, so it arrived",
                              yuki_ref=item.reference)

    def _send_all(self, calls: Sequence[tuple[list[Planned], Slot]], spool: Spool,
                  retry_delay: float, stage: Stage) -> str | None:
        ids = self._register([i for batch, _ in calls for i in batch])
        for batch, _ in calls:
            for item in batch:
                item.log_id = ids[item.key]
        for number, (batch, slot) in enumerate(calls, start=1):
            stage(f"sending {number} of {len(calls)}")
            stopped = self._send_batch(batch, spool.get(slot), retry_delay)
            if stopped:
                return stopped
        return None

    def _send_batch(self, batch: list[Planned], text: str, retry_delay: float) -> str | None:
        request = self._request(batch, text)
        self._mark(batch, SENDING, forced=self.force)  # on disk before the call goes out
        self.calls.count += 1
        try:
            answer = with_retries(lambda: self.client.send_document(request), attempts=3,
                                  base_delay=retry_delay)
        except (DailyLimitExceeded, BudgetExhausted, TransientError) as exc:
            self._mark(batch, PENDING, f"not sent: {exc.message}")
            return exc.message
        except AmbiguousOutcome as exc:
            self._mark(batch, UNKNOWN, exc.message)
            self._reconcile([self._refreshed(i) for i in batch])
            return None
        except DocumentRejected as exc:
            self._mark(batch, REJECTED, exc.yuki_message or exc.message)
            return None
        except (AccessDenied, NoRights, SettingsError, YukiError) as exc:
            self._mark(batch, PENDING, f"not sent: {exc.message}")
            raise
        except BaseException as exc:
            self._stopped(batch, request.may_have_left, exc)
            raise
        self._record(batch, answer)
        return None

    def _mark(self, batch: Sequence[Planned], state: str, message: str | None = None,
              forced: bool = False) -> None:
        """Move a call's documents to `state`, each under its own file's run."""
        for run in {i.file: None for i in batch}:
            ids = [i.log_id for i in batch if i.file is run and i.log_id is not None]
            self.log.mark(run.receipt.run_id, ids, state, message, forced=forced)

    def _request(self, batch: list[Planned], text: str) -> Request:
        """The complete request, built before its documents are SENDING: one that cannot be
        built has provably not been sent."""
        try:
            return self.client.document_request(self.target.call, text, self.admin_id,
                                                validated_count=len(batch))
        except DocumentError as exc:
            labels = ", ".join(i.document.label for i in batch[:5])
            raise DocumentError(f"{labels}: {exc.message}; it was not sent",
                                hint=exc.hint) from None

    def _stopped(self, batch: list[Planned], may_have_left: bool, exc: BaseException) -> None:
        """yukimap itself stopped during a call (a bug, Ctrl-C, a full disk): PENDING when
        its bytes provably never left, UNKNOWN when they may have. Best effort: if even this
        cannot be written, the next run finds them SENDING and treats them as UNKNOWN."""
        why = type(exc).__name__
        try:
            if may_have_left:
                self._mark(batch, UNKNOWN, f"yukimap stopped during the call ({why}); Yuki"
                           " may have it")
            else:
                self._mark(batch, PENDING, f"not sent: yukimap stopped before the call went"
                           f" out ({why})")
        except Exception:  # the first failure is the one to report
            log.debug("could not record how the call ended", exc_info=True)

    def _refreshed(self, item: Planned) -> Planned:
        item.entry = self.log.get(item.log_id) if item.log_id is not None else item.entry
        return item

    def _record(self, batch: list[Planned], answer: object) -> None:
        if not self.target.answers_per_document:
            [item] = batch
            self.log.mark(item.run_id, [item.log_id or 0], SENT, None,
                          yuki_ref=str(answer) or None)
            return
        verdicts = list(getattr(answer, "invoices", ()))
        for index, item in enumerate(batch):
            verdict = verdicts[index] if index < len(verdicts) else None
            if verdict is None:
                self.log.mark(item.run_id, [item.log_id or 0], UNKNOWN,
                              "Yuki's answer does not mention this invoice")
            elif verdict.succeeded:
                self.log.mark(item.run_id, [item.log_id or 0], SENT,
                              verdict.message or None, yuki_ref=verdict.reference or None)
            else:
                self.log.mark(item.run_id, [item.log_id or 0], REJECTED,
                              verdict.message or "Yuki did not accept the invoice")

    # --- the receipts ------------------------------------------------------------------

    def _finish(self, run: FileRun, stopped: str | None) -> Receipt:
        receipt = run.receipt
        run_id = receipt.run_id
        touched = self.log.touched(run_id) if run_id is not None else set()
        self.plan_again()
        receipt.documents = []
        for item in run.items:
            entry = item.entry
            if entry is not None and entry.id in touched:
                state = NOT_SENT if entry.state == PENDING else entry.state
            else:
                state = skip_state(item)
            receipt.documents.append(self._outcome(item, state))
        receipt.stopped = stopped
        if self._client is not None:
            receipt.calls_used = self._client.sent_today() - self.calls_before
            receipt.calls_left = self._client.remaining()
        if run_id is not None:
            self.log.finish_run(run_id, stopped or "done", receipt.calls_used)
        receipt.finished = now()
        return receipt

    @staticmethod
    def _outcome(item: Planned, state: str) -> Outcome:
        entry = item.entry
        return Outcome(item.key, item.document.label, item.document.rows, state,
                       entry.message if entry else None, entry.yuki_ref if entry else None,
                       entry.sent_at if entry else None, entry.id if entry else None,
                       entry.forced if entry else False)
