"""The send stage: read -> map -> render -> validate -> pre-flight -> send -> record -> report.

Exactly once, with the send journal (sendlog.py) as the memory: a document already SENT
is never sent again (a file sent twice, a re-export under another name, a rerun), unless
`force`; a document whose outcome is unknown is reconciled where Yuki offers a way (a sales
invoice is looked up by its invoice number) and otherwise left for a person to decide.

Calls are precious (1000 a day per domain): nothing is called before every document has
passed the local checks; sales invoices go many to a call; the session is reused; pre-flight
data is cached per day; a run with nothing new to send makes no call at all.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from yukimap.budget import CallBudget, yuki_day
from yukimap.client import Request, YukiClient, is_guid
from yukimap.errors import (
    AccessDenied,
    AmbiguousOutcome,
    BudgetExhausted,
    Busy,
    DailyLimitExceeded,
    DataError,
    DocumentError,
    DocumentRejected,
    NoRights,
    SettingsError,
    TransientError,
    UsageError,
    YukiError,
)
from yukimap.model import Mapping
from yukimap.pipeline import ConversionResult, convert_file
from yukimap.render import DocumentContext
from yukimap.schema import apply_options, load_mapping
from yukimap.sendlog import (
    PENDING,
    REJECTED,
    SENDING,
    SENT,
    UNKNOWN,
    Entry,
    SendLog,
    state_errors,
)
from yukimap.settings import Settings
from yukimap.targets import target_of
from yukimap.transport import with_retries

log = logging.getLogger(__name__)
DEFAULT_BATCH = 100  # invoices per ProcessSalesInvoices call
LOOKUPS_PER_DAY = 25  # unknown invoices looked up per day (one call each), all runs together
# Outcomes in a receipt, besides the journal's states:
ALREADY_SENT = "ALREADY SENT"  # sent before, skipped
AWAITING = "AWAITING DECISION"  # unknown from before, not resent
NOT_SENT = "NOT SENT"  # the run stopped first (daily limit, no connection)
PLANNED = "WOULD SEND"  # dry run
# A dry run calls nothing, so an administration named for the first time stays unresolved.
UNRESOLVED = "00000000-0000-0000-0000-000000000000"


@dataclass
class Outcome:
    """What happened to one document in this run."""

    key: str
    label: str
    rows: tuple[int, ...]
    state: str
    message: str | None = None
    yuki_ref: str | None = None
    sent_at: str | None = None
    log_id: int | None = None
    forced: bool = False


@dataclass
class Receipt:
    """The record of one run, for people (report.py) and machines (`--receipt`)."""

    file: str
    sha256: str
    mapping: str
    target: str
    administration: str
    administration_name: str
    dry_run: bool
    started: str
    finished: str = ""
    run_id: int | None = None
    file_seen_before: str | None = None
    documents: list[Outcome] = field(default_factory=list)
    calls_used: int = 0
    calls_left: int | None = None
    calls_planned: int = 0
    stopped: str | None = None  # why the run stopped before the end
    journal: str | None = None  # what was found wrong with the send journal, and done
    summary: Any = field(default=None, repr=False)  # the conversion's Summary

    def to_json(self) -> str:
        data = {k: v for k, v in self.__dict__.items() if k != "summary"}
        return json.dumps(data, default=lambda o: o.__dict__, indent=2, ensure_ascii=False)

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for outcome in self.documents:
            found[outcome.state] = found.get(outcome.state, 0) + 1
        return found


@dataclass
class _Item:
    """A document of this file, with its business key."""

    document: DocumentContext
    key: str
    content: str
    reference: str | None
    entry: Entry | None = None
    log_id: int | None = None


def send_file(path: Path, mapping: Mapping | str, settings: Settings, *,
              administration: str | None = None, batch_size: int = DEFAULT_BATCH,
              force: bool = False, dry_run: bool = False, retry_delay: float = 2.0,
              stage: Callable[[str], None] = lambda s: None) -> Receipt:
    """Send one file's documents to Yuki; see the module docstring."""
    if batch_size < 1:
        raise UsageError("--batch-size must be at least 1")
    loaded = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    sent = _Sent()
    with state_errors(settings.state_dir, sent.so_far), SendLog(settings.state_dir) as log, \
            _Run(settings, log, loaded, sent) as run:
        run.choose_administration(administration or settings.administration,
                                  may_call=not dry_run)
        result = run.convert(path, stage)
        run.plan(result, force)
        if dry_run:
            return run.dry_run(batch_size, force)
        return run.send(result, batch_size, force, retry_delay, stage)


@dataclass
class _Sent:
    """How many calls with documents a run has started: what a failure must report."""

    calls: int = 0

    def so_far(self) -> str:
        if not self.calls:
            return "nothing was sent"
        return (f"{self.calls} call(s) with documents went out before this: what is recorded"
                " as sent is not sent again, and `yukimap status` lists any outcome unknown")


class _Run:
    """One send run: the state shared by its steps."""

    def __init__(self, settings: Settings, log: SendLog, mapping: Mapping,
                 sent: _Sent) -> None:
        self.settings = settings
        self.sent = sent
        self.log = log
        self.mapping = mapping
        self.target = mapping.target
        self._client: YukiClient | None = None
        self.admin_id = ""
        self.admin_name = ""
        self.items: list[_Item] = []
        self.receipt: Receipt | None = None
        self.calls_before = 0

    def __enter__(self) -> _Run:
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

    # --- before any call ---------------------------------------------------------------

    def choose_administration(self, wanted: str | None, may_call: bool) -> None:
        """By ID, or by name (looked up once, then remembered in the journal: no call).
        A dry run calls nothing: an unknown name stays unresolved (`unresolved`)."""
        if not wanted:
            raise SettingsError("no Yuki administration is chosen",
                                hint="give one by name or ID (--administration), or set"
                                " YUKI_ADMINISTRATION; `yukimap administrations` lists them")
        if is_guid(wanted):
            self.admin_id, self.admin_name = wanted.strip("{}"), wanted
            return
        known = self.log.administration_id(self.settings.base_url, wanted)
        if known is None and may_call:
            known = self.client.resolve_administration(wanted).id
            self.log.remember_administration(self.settings.base_url, wanted, known)
        self.admin_id, self.admin_name = known or UNRESOLVED, wanted

    def convert(self, path: Path, stage: Callable[[str], None]) -> ConversionResult:
        if self.target.administration_in_document:
            self.mapping = apply_options(self.mapping, self.admin_id, None)
        result = convert_file(path, self.mapping, stage)
        result.check()  # every document validated before the first call
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        self.file = (digest, path.name, len(data))
        seen = self.log.file_seen(digest)
        self.receipt = Receipt(str(path), digest, str(self.mapping.path), self.target.name,
                               self.admin_id, self.admin_name, dry_run=False, started=_now(),
                               file_seen_before=seen, summary=result.summary)
        return result

    def plan(self, result: ConversionResult, force: bool) -> None:
        """Each document's business key, and what the journal knows of it."""
        contents = _contents(result)
        for document in result.documents():
            reference = self._reference(document)
            content = contents[document.ordinal]
            key = target_of(self.mapping).business_key(reference, content)
            self.items.append(_Item(document, key, content, reference))
        self.plan_again()

    def _reference(self, document: DocumentContext) -> str | None:
        field_name = self.target.reference_field
        if field_name is None:
            return None
        value = getattr(document.context, field_name)
        return str(value) if value else None

    def dry_run(self, batch_size: int, force: bool) -> Receipt:
        receipt = self._receipt()
        receipt.dry_run = True
        with exclusive(self.log.path):
            receipt.journal = self.log.check_ledger()
        self.plan_again()
        held = self.log.held(self.admin_id) or self._history_lost()
        if held and any(i.entry is None for i in self.items):
            receipt.journal = f"{held}: what it does not know would wait for a decision"
        to_send = [i for i in self.items if _due(i, force) and not (held and i.entry is None)]
        for item in self.items:
            receipt.documents.append(self._outcome(item, PLANNED if item in to_send else
                                                   AWAITING if item.entry is None else
                                                   _skip_state(item)))
        receipt.calls_planned = self._calls_needed(len(to_send), batch_size)
        if self.admin_id == UNRESOLVED:
            receipt.calls_planned += 1
            receipt.stopped = (f"the administration {self.admin_name!r} is not known here yet:"
                               " the real run looks it up (one call), and only then can it"
                               " tell what was sent before")
        receipt.finished = _now()
        return receipt

    def _calls_needed(self, documents: int, batch_size: int) -> int:
        if not documents:
            return 0
        per_call = batch_size if not self.target.per_call else 1
        return -(-documents // per_call)

    # --- sending -----------------------------------------------------------------------

    def send(self, result: ConversionResult, batch_size: int, force: bool, retry_delay: float,
             stage: Callable[[str], None]) -> Receipt:
        receipt = self._receipt()
        with exclusive(self.log.path):
            receipt.journal = self.log.check_ledger()
            self.file_id, _ = self.log.file(*self.file)
            for entry in self.log.recover():
                stage(f"{entry.label}: the last run stopped during its call; now UNKNOWN")
            self.plan_again()
            receipt.run_id = self.log.start_run(self.file_id, Path(receipt.file).name,
                                                receipt.mapping, self.target.name,
                                                self.admin_id)
            self._hold_if_history_lost(receipt)
            due = [i for i in self.items if _due(i, force)]
            unknown = [i for i in self.items if i.entry and i.entry.state == UNKNOWN]
            stopped = None
            if due or unknown:
                self._preflight(result, due)
                self._reconcile(receipt.run_id, unknown)
                stopped = self._send_all(result, receipt.run_id, due, batch_size, force,
                                         retry_delay, stage)
            return self._finish(receipt, stopped)

    def _hold_if_history_lost(self, receipt: Receipt) -> None:
        """The last line of defence when the journal and its ledger are both gone: yukimap's
        call counter remembers document calls to this administration that the journal does
        not know. From then on no document the journal does not know is sent: each waits
        for a person (a sales invoice is looked up in Yuki first), until none waits."""
        new = [i for i in self.items if i.entry is None]
        if not new or receipt.run_id is None:
            return
        note = self.log.held(self.admin_id) or self._history_lost()
        if note is None:
            return
        self.log.hold(self.admin_id, note)
        ids = self.log.register(receipt.run_id, self.file_id, self.admin_id, [
            (i.key, self.target.name, i.document.label, i.document.rows, i.content)
            for i in new])
        self.log.mark(receipt.run_id, list(ids.values()), UNKNOWN,
                      f"{note}: it may be in Yuki already")
        receipt.journal = (f"{note} (were the journal and its ledger lost?): the {len(new)}"
                           " document(s) it does not know await a decision (yukimap status)")
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

    def plan_again(self) -> None:
        """What the journal knows of each document now (again, once a run holds the lock)."""
        known = self.log.lookup(self.admin_id, [i.key for i in self.items])
        for item in self.items:
            item.entry = known.get(item.key)

    def _preflight(self, result: ConversionResult, due: list[_Item]) -> None:
        if not due:
            return
        problems = result.preflight(self.client, self.admin_id)
        if problems:
            raise DataError(f"{result.table.file}: pre-flight against the administration:"
                            f" {len(problems)} problem(s); nothing was sent",
                            problems=problems)

    def _reconcile(self, run_id: int, unknown: list[_Item]) -> None:
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
                self.log.mark(run_id, [entry.id], SENT,
                              "its call's outcome was unknown; found in Yuki, so it arrived",
                              yuki_ref=item.reference)

    def _send_all(self, result: ConversionResult, run_id: int, due: list[_Item],
                  batch_size: int, force: bool, retry_delay: float,
                  stage: Callable[[str], None]) -> str | None:
        ids = self.log.register(run_id, self.file_id, self.admin_id, [
            (i.key, self.target.name, i.document.label, i.document.rows, i.content)
            for i in due])
        for item in due:
            item.log_id = ids[item.key]
        size = 1 if self.target.per_call else batch_size
        batches = [due[first:first + size] for first in range(0, len(due), size)]
        for number, batch in enumerate(batches, start=1):
            stage(f"sending {number} of {len(batches)}")
            stopped = self._send_batch(result, run_id, batch, force, retry_delay)
            if stopped:
                return stopped
        return None

    def _send_batch(self, result: ConversionResult, run_id: int, batch: list[_Item],
                    force: bool, retry_delay: float) -> str | None:
        request = self._request(batch, result.render_batch([i.document for i in batch]))
        ids = [i.log_id for i in batch if i.log_id is not None]
        self.log.mark(run_id, ids, SENDING, forced=force)  # on disk before the call goes out
        self.sent.calls += 1
        try:
            answer = with_retries(lambda: self.client.send_document(request), attempts=3,
                                  base_delay=retry_delay)
        except (DailyLimitExceeded, BudgetExhausted) as exc:
            self.log.mark(run_id, ids, PENDING, f"not sent: {exc.message}")
            return exc.message
        except TransientError as exc:
            self.log.mark(run_id, ids, PENDING, f"not sent: {exc.message}")
            return exc.message
        except AmbiguousOutcome as exc:
            self.log.mark(run_id, ids, UNKNOWN, exc.message)
            self._reconcile(run_id, [self._refreshed(i) for i in batch])
            return None
        except DocumentRejected as exc:
            self.log.mark(run_id, ids, REJECTED, exc.yuki_message or exc.message)
            return None
        except (AccessDenied, NoRights, SettingsError, YukiError) as exc:
            self.log.mark(run_id, ids, PENDING, f"not sent: {exc.message}")
            raise
        except BaseException as exc:
            self._stopped(run_id, ids, request.may_have_left, exc)
            raise
        self._record(run_id, batch, answer)
        return None

    def _request(self, batch: list[_Item], text: str) -> Request:
        """The complete request, built before its documents are SENDING: one that cannot be
        built has provably not been sent."""
        try:
            return self.client.document_request(self.target.call, text, self.admin_id)
        except DocumentError as exc:
            labels = ", ".join(i.document.label for i in batch[:5])
            raise DocumentError(f"{labels}: {exc.message}; it was not sent",
                                hint=exc.hint) from None

    def _stopped(self, run_id: int, ids: list[int], may_have_left: bool,
                 exc: BaseException) -> None:
        """yukimap itself stopped during a call (a bug, Ctrl-C, a full disk): PENDING when
        its bytes provably never left, UNKNOWN when they may have. Best effort: if even this
        cannot be written, the next run finds them SENDING and treats them as UNKNOWN."""
        why = type(exc).__name__
        try:
            if may_have_left:
                self.log.mark(run_id, ids, UNKNOWN, f"yukimap stopped during the call ({why});"
                              " Yuki may have it")
            else:
                self.log.mark(run_id, ids, PENDING, f"not sent: yukimap stopped before the"
                              f" call went out ({why})")
        except Exception:  # the first failure is the one to report
            log.debug("could not record how the call ended", exc_info=True)

    def _refreshed(self, item: _Item) -> _Item:
        item.entry = self.log.get(item.log_id) if item.log_id is not None else item.entry
        return item

    def _record(self, run_id: int, batch: list[_Item], answer: Any) -> None:
        if not self.target.answers_per_document:
            [item] = batch
            self.log.mark(run_id, [item.log_id or 0], SENT, None, yuki_ref=str(answer) or None)
            return
        verdicts = list(answer.invoices)
        for index, item in enumerate(batch):
            verdict = verdicts[index] if index < len(verdicts) else None
            if verdict is None:
                self.log.mark(run_id, [item.log_id or 0], UNKNOWN,
                              "Yuki's answer does not mention this invoice")
            elif verdict.succeeded:
                self.log.mark(run_id, [item.log_id or 0], SENT,
                              verdict.message or None, yuki_ref=verdict.reference or None)
            else:
                self.log.mark(run_id, [item.log_id or 0], REJECTED,
                              verdict.message or "Yuki did not accept the invoice")

    # --- the receipt -------------------------------------------------------------------

    def _receipt(self) -> Receipt:
        assert self.receipt is not None
        return self.receipt

    def _finish(self, receipt: Receipt, stopped: str | None) -> Receipt:
        run_id = receipt.run_id
        touched = self.log.touched(run_id) if run_id is not None else set()
        self.plan_again()
        for item in self.items:
            entry = item.entry
            if entry is not None and entry.id in touched:
                state = NOT_SENT if entry.state == PENDING else entry.state
            else:
                state = _skip_state(item)
            receipt.documents.append(self._outcome(item, state))
        receipt.stopped = stopped
        if self._client is not None:
            receipt.calls_used = self._client.sent_today() - self.calls_before
            receipt.calls_left = self._client.remaining()
        if run_id is not None:
            self.log.finish_run(run_id, stopped or "done", receipt.calls_used)
        receipt.finished = _now()
        return receipt

    def _outcome(self, item: _Item, state: str) -> Outcome:
        entry = item.entry
        return Outcome(item.key, item.document.label, item.document.rows, state,
                       entry.message if entry else None, entry.yuki_ref if entry else None,
                       entry.sent_at if entry else None, entry.id if entry else None,
                       entry.forced if entry else False)


def _due(item: _Item, force: bool) -> bool:
    """Whether this run sends the document."""
    state = item.entry.state if item.entry else None
    if state in (None, PENDING, REJECTED):
        return True
    return force and state == SENT


def _skip_state(item: _Item) -> str:
    state = item.entry.state if item.entry else None
    if state == SENT:
        return ALREADY_SENT
    if state in (UNKNOWN, SENDING):
        return AWAITING
    return state or NOT_SENT


def _contents(result: ConversionResult) -> dict[int, str]:
    """A hash of each document's content (its values and its items' values, canonical)."""
    from yukimap.frames import DOC, ITEM, KEY, ROW, ROWS

    docs = result.mapped.documents
    items = result.mapped.items
    skip = {DOC, KEY, ROWS, ROW, ITEM}
    header_cols = [c for c in docs.columns if c not in skip]
    item_cols = [c for c in items.columns if c not in skip]
    by_doc: dict[int, list[tuple[Any, ...]]] = {}
    for row in items.select(DOC, *item_cols).iter_rows():
        by_doc.setdefault(row[0], []).append(row[1:])
    hashes = {}
    for ordinal, row in enumerate(docs.select(DOC, *header_cols).iter_rows()):
        canonical = json.dumps([list(zip(header_cols, row[1:])),
                                [list(zip(item_cols, r)) for r in by_doc.get(row[0], [])]],
                               default=str, separators=(",", ":"))
        hashes[ordinal] = hashlib.sha256(canonical.encode()).hexdigest()[:32]
    return hashes


@contextmanager
def exclusive(log_path: Path) -> Iterator[None]:
    """One process at a time changes a state folder's send journal (a daemon and a manual
    send, say): the SENDING documents of a run must not look abandoned to another. The lock
    is filelock's (fcntl or msvcrt); who holds it is written next to it, for the message."""
    from filelock import FileLock, Timeout

    owner = log_path.with_suffix(".lock.owner")
    lock = FileLock(log_path.with_suffix(".lock"), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise Busy(f"another yukimap is working on the send journal in {log_path.parent}:"
                   f" {_holder(owner)}",
                   hint="wait until it has finished, then run this again") from None
    try:
        owner.write_text(json.dumps({"pid": os.getpid(), "command": _command(),
                                     "since": _now()}), encoding="utf-8")
        yield
    finally:
        owner.unlink(missing_ok=True)
        lock.release()


def _command() -> str:
    words = ["yukimap", *sys.argv[1:]]
    text = " ".join(words)
    return text if len(text) <= 200 else text[:199] + "…"


def _holder(owner: Path) -> str:
    """Who holds the lock, from its sidecar; the sidecar is written just after the lock is
    taken, so it may be missing for a moment."""
    try:
        known = json.loads(owner.read_text(encoding="utf-8"))
        since = datetime.fromisoformat(str(known["since"])).strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"process {int(known['pid'])} ({known['command']}), since {since}"
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that did not say which"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def rejected_rows(receipt: Receipt) -> list[int]:
    return sorted({r for o in receipt.documents if o.state == REJECTED for r in o.rows})
