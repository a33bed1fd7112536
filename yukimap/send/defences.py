"""The journal's last line of defence, for when the journal and its ledger are both gone:
yukimap's call counter remembers document calls to this administration that the journal
does not know. From then on no document the journal does not know is sent: each waits for
a person (a sales invoice is looked up in Yuki first), until none waits."""

from __future__ import annotations

from collections.abc import Iterable

from yukimap.budget import CallBudget, yuki_day
from yukimap.i18n import tr
from yukimap.send.plan import FileRun, Planned
from yukimap.send.record import register
from yukimap.sendlog import UNKNOWN, SendLog
from yukimap.settings import Settings


def why_held(journal: SendLog, settings: Settings, admin_id: str) -> str | None:
    """Why documents of this administration that the journal does not know are held back
    (None: they are not)."""
    return journal.held(admin_id) or history_lost(journal, settings, admin_id)


def history_lost(journal: SendLog, settings: Settings, admin_id: str) -> str | None:
    """What the call counter knows that the journal does not, if anything."""
    counter = CallBudget(settings.state_dir, settings.daily_budget)
    try:
        calls = counter.document_calls(admin_id)
    finally:
        counter.close()
    known = journal.last_change(admin_id)
    if calls is None or (known is not None and yuki_day(known) >= calls[1]):
        return None
    return tr("yukimap's call counter shows document calls to this administration that the"
              " send journal does not know (the last on {day})", day=calls[1])


def hold_if_history_lost(journal: SendLog, settings: Settings, run: FileRun,
                         chunks: Iterable[list[Planned]], admin_id: str, target: str) -> None:
    """Hold the documents of `run` (`chunks`, with what the journal knows of each) that
    the journal does not know, if they must be: each UNKNOWN, awaiting a decision."""
    note: str | None = None
    count = 0
    for chunk in chunks:
        new = [i for i in chunk if i.entry is None]
        if not new:
            continue
        if note is None:
            note = why_held(journal, settings, admin_id)
            if note is None:
                return
            journal.hold(admin_id, note)
        ids = register(journal, new, admin_id, target)
        journal.mark(run.receipt.run_id, list(ids.values()), UNKNOWN,
                     tr("{note}: it may be in Yuki already", note=note))
        count += len(new)
    if count:
        run.receipt.journal = tr("{note} (were the journal and its ledger lost?): the {count}"
                                 " document(s) it does not know await a decision (yukimap"
                                 " status)", note=note, count=count)
