"""What the journal records of a call's documents: PENDING before the call, SENDING while
it is out, and after it what Yuki answered for each, or what became of the call."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from yukimap.i18n import tr
from yukimap.send.plan import Planned
from yukimap.sendlog import PENDING, REJECTED, SENT, UNKNOWN, Change, SendLog
from yukimap.yuki_results import InvoiceResult

log = logging.getLogger(__name__)


def register(journal: SendLog, items: Sequence[Planned], admin_id: str, target: str
             ) -> dict[str, int]:
    """Documents about to be sent (or held), as PENDING, each under its own file's run."""
    ids: dict[str, int] = {}
    for run in {i.file: None for i in items}:
        mine = [i for i in items if i.file is run]
        assert run.receipt.run_id is not None and run.file_id is not None
        ids |= journal.register(run.receipt.run_id, run.file_id, admin_id, [
            (i.key, target, i.label, i.rows, i.content) for i in mine])
    return ids


def mark(journal: SendLog, batch: Sequence[Planned], state: str, message: str | None = None,
         forced: bool = False) -> None:
    """Move a call's documents to `state`, each under its own file's run."""
    for run in {i.file: None for i in batch}:
        ids = [i.log_id for i in batch if i.file is run and i.log_id is not None]
        journal.mark(run.receipt.run_id, ids, state, message, forced=forced)


def answered(journal: SendLog, batch: list[Planned], answer: object, per_document: bool
             ) -> None:
    """Yuki's answer to a call: its one document SENT (with the ID Yuki gave it), or each
    invoice as Yuki's verdict on it says (`per_document`)."""
    if not per_document:
        [item] = batch
        journal.mark(item.run_id, [item.log_id or 0], SENT, None,
                     yuki_ref=str(answer) or None)
        return
    verdicts = list(getattr(answer, "invoices", ()))
    changes: dict[int, list[Change]] = {}
    for index, item in enumerate(batch):
        verdict = verdicts[index] if index < len(verdicts) else None
        changes.setdefault(item.run_id, []).append(_verdict(item.log_id or 0, verdict))
    for run_id, made in changes.items():
        journal.change(run_id, made)


def _verdict(document_id: int, verdict: InvoiceResult | None) -> Change:
    """What Yuki's verdict on one invoice of a call makes of it (None: not mentioned)."""
    if verdict is None:
        return Change(document_id, UNKNOWN, tr("Yuki's answer does not mention this invoice"))
    if verdict.succeeded:
        return Change(document_id, SENT, verdict.message or None, verdict.reference or None)
    return Change(document_id, REJECTED,
                  verdict.message or tr("Yuki did not accept the invoice"))


def stopped(journal: SendLog, batch: list[Planned], may_have_left: bool,
            exc: BaseException) -> None:
    """yukimap itself stopped during a call (a bug, Ctrl-C, a full disk): PENDING when
    its bytes provably never left, UNKNOWN when they may have. Best effort: if even this
    cannot be written, the next run finds them SENDING and treats them as UNKNOWN."""
    why = type(exc).__name__
    try:
        if may_have_left:
            mark(journal, batch, UNKNOWN, tr("yukimap stopped during the call ({why}); Yuki"
                                             " may have it", why=why))
        else:
            mark(journal, batch, PENDING, tr("not sent: yukimap stopped before the call went"
                                             " out ({why})", why=why))
    except Exception:  # the first failure is the one to report
        log.debug("could not record how the call ended", exc_info=True)  # i18n: debug trace


def refreshed(journal: SendLog, item: Planned) -> Planned:
    """The item with what the journal knows of it now."""
    item.entry = journal.get(item.log_id) if item.log_id is not None else item.entry
    return item
