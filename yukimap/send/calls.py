"""The calls that carry a run's documents: each call's documents SENDING before it goes out
(on disk first), then what Yuki answered for each, or what became of the call."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from yukimap.client import Request, YukiClient
from yukimap.documents import DocumentType
from yukimap.errors import (
    AccessDenied,
    AmbiguousOutcome,
    BudgetExhausted,
    DailyLimitExceeded,
    DocumentError,
    DocumentRejected,
    NoRights,
    SettingsError,
    TransientError,
    YukiError,
)
from yukimap.i18n import plural, tr
from yukimap.send import record
from yukimap.send.plan import Plan, Planned
from yukimap.send.reconcile import reconcile
from yukimap.send.spool import Slot, Spool
from yukimap.sendlog import PENDING, REJECTED, SENDING, UNKNOWN, SendLog
from yukimap.transport import with_retries


class Calls:
    """How many calls with documents a run has started: what a failure must report."""

    def __init__(self) -> None:
        self.count = 0

    def so_far(self) -> str:
        if not self.count:
            return tr("nothing was sent")
        return plural(self.count, "1 call(s) with documents went out before this: what is"
                      " recorded as sent is not sent again, and `yukimap status` lists any"
                      " outcome unknown", "{count} call(s) with documents went out before"
                      " this: what is recorded as sent is not sent again, and `yukimap status`"
                      " lists any outcome unknown")


@dataclass
class Caller:
    """Makes a run's calls to one administration, and records what became of each."""

    journal: SendLog
    client: Callable[[], YukiClient]  # made at the first call, not before
    target: DocumentType
    admin_id: str
    force: bool
    calls: Calls

    def reconcile(self, unknown: Iterable[Planned]) -> None:
        """Look up in Yuki the invoices whose outcome is unknown (see reconcile.py)."""
        reconcile(self.journal, unknown, lambda reference: self.client().check_outstanding_item(
            reference, self.admin_id))

    def send_all(self, calls: Sequence[tuple[int, Slot]], plan: Plan, spool: Spool,
                 retry_delay: float, stage: Callable[[str], None]) -> str | None:
        """Make the calls (numbered in the plan) in order; why the run stopped before the
        end, if it did. Every document of them is PENDING in the journal first."""
        for chunk in plan.called():
            ids = record.register(self.journal, chunk, self.admin_id, self.target.name)
            plan.registered({i.id: ids[i.key] for i in chunk})
        for count, (number, slot) in enumerate(calls, start=1):
            stage(tr("sending {number} of {count}", number=count, count=len(calls)))
            stopped = self._send(plan.call(number), spool.get(slot), retry_delay)
            if stopped:
                return stopped
        return None

    def _send(self, batch: list[Planned], text: str, retry_delay: float) -> str | None:
        request = self._request(batch, text)
        record.mark(self.journal, batch, SENDING, forced=self.force)  # on disk before the call
        self.calls.count += 1
        try:
            answer = with_retries(lambda: self.client().send_document(request), attempts=3,
                                  base_delay=retry_delay)
        except (DailyLimitExceeded, BudgetExhausted, TransientError) as exc:
            record.mark(self.journal, batch, PENDING, tr("not sent: {reason}",
                                                         reason=exc.message))
            return exc.message
        except AmbiguousOutcome as exc:
            record.mark(self.journal, batch, UNKNOWN, exc.message)
            self.reconcile([record.refreshed(self.journal, i) for i in batch])
            return None
        except DocumentRejected as exc:
            record.mark(self.journal, batch, REJECTED, exc.yuki_message or exc.message)
            return None
        except (AccessDenied, NoRights, SettingsError, YukiError) as exc:
            record.mark(self.journal, batch, PENDING, tr("not sent: {reason}",
                                                         reason=exc.message))
            raise
        except BaseException as exc:
            record.stopped(self.journal, batch, request.may_have_left, exc)
            raise
        record.answered(self.journal, batch, answer, self.target.answers_per_document)
        return None

    def _request(self, batch: list[Planned], text: str) -> Request:
        """The complete request, built before its documents are SENDING: one that cannot be
        built has provably not been sent."""
        try:
            return self.client().document_request(self.target.call, text, self.admin_id,
                                                  validated_count=len(batch))
        except DocumentError as exc:
            labels = ", ".join(i.label for i in batch[:5])
            raise DocumentError(tr("{labels}: {reason}; it was not sent", labels=labels,
                                   reason=exc.message), hint=exc.hint) from None
