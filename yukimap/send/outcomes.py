"""Each file's receipt filled in: what became of its documents in this run, or what a dry
run would do with them."""

from __future__ import annotations

from collections.abc import Iterable

from yukimap.i18n import tr
from yukimap.send.plan import FileRun, Planned, skip_state
from yukimap.send.receipt import AWAITING, NOT_SENT, PLANNED, Outcome, Outcomes, Receipt, now
from yukimap.sendlog import PENDING, Entry, SendLog


def outcome(item: Planned, state: str, entry: Entry | None) -> Outcome:
    """What became of `item`, as the journal's `entry` has it."""
    return Outcome(item.key, item.label, item.rows, state,
                   entry.message if entry else None, entry.yuki_ref if entry else None,
                   entry.sent_at if entry else None, entry.id if entry else None,
                   entry.forced if entry else False)


def finished(journal: SendLog, run: FileRun, chunks: Iterable[list[Planned]],
             stopped: str | None, calls: tuple[int, int] | None) -> Receipt:
    """The receipt of a file whose documents (`chunks`, a thousand at a time) the journal
    knows as the run left them; `calls`: the calls this run used and those left today
    (None: it made none)."""
    receipt = run.receipt
    run_id = receipt.run_id
    receipt.documents = Outcomes()
    for items in chunks:
        known = journal.lookup(receipt.administration, [i.key for i in items])
        touched = journal.touched(run_id, [e.id for e in known.values()]) if (
            run_id is not None) else set()
        for item in items:
            entry = known.get(item.key)
            if entry is not None and entry.id in touched:
                state = NOT_SENT if entry.state == PENDING else entry.state
            else:
                state = skip_state(entry)
            receipt.documents.append(outcome(item, state, entry))
    receipt.stopped = stopped
    if calls is not None:
        receipt.calls_used, receipt.calls_left = calls
    if run_id is not None:
        journal.finish_run(run_id, stopped or "done", receipt.calls_used)
    receipt.finished = now()
    return receipt


def would_send(run: FileRun, chunks: Iterable[list[Planned]], journal: str | None,
               held: str | None, calls: int, unresolved: str | None) -> None:
    """The receipt of a dry run: what it would send in `calls` calls, what it would hold
    back and why (`chunks`: the file's documents, a thousand at a time, with what the
    journal knows of each); `unresolved`: the administration's name, when it is not known
    here yet."""
    receipt = run.receipt
    receipt.dry_run, receipt.journal = True, journal
    receipt.documents = Outcomes()
    unknown = False
    for items in chunks:
        for i in items:
            unknown = unknown or i.entry is None
            receipt.documents.append(outcome(i, PLANNED if i.due else AWAITING
                                             if i.entry is None else skip_state(i.entry),
                                             i.entry))
    if held and unknown:
        receipt.journal = tr("{held}: what it does not know would wait for a decision",
                             held=held)
    receipt.calls_planned = calls
    if unresolved is not None:
        receipt.calls_planned += 1
        receipt.stopped = tr("the administration {name} is not known here yet: the real run"
                             " looks it up (one call), and only then can it tell what was"
                             " sent before", name=repr(unresolved))
    receipt.finished = now()
