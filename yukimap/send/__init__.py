"""Sending to Yuki, each document exactly once: read -> map -> render -> validate ->
pre-flight -> send -> record -> report.

The send journal (sendlog) is the memory: a document already SENT is never sent again (a
file sent twice, a re-export under another name, a rerun), unless `force`; a document whose
outcome is unknown is reconciled where Yuki offers a way (a sales invoice is looked up by its
invoice number) and otherwise left for a person to decide.

Calls are precious (1000 a day per domain): nothing is called before every document has
passed the local checks; sales invoices go many to a call, also across files (`send_files`,
which the hot-folder daemon uses); the session is reused; pre-flight data is cached per day;
a run with nothing new to send makes no call at all.

Each module has one reason to change:
- run: one send run (`Sending`), its steps in order, and the state they share;
- administration: the administration a run goes to (by ID or by a name it remembers);
- source: a file's documents, converted whole, or a big file's from its slices on disk;
- plan: each document with its business key and what the journal knows of it, on disk
  (ondisk: rows SQLite keeps in a temporary file, a thousand read at a time);
- spool: each call's document rendered and validated once, before the first call;
- defences: documents held back when the journal's history was lost;
- reconcile: invoices of unknown outcome looked up in Yuki, within a day's lookups;
- calls: the calls that carry the documents, and what became of each;
- record: the journal's record of a call's documents, before, during and after it;
- outcomes, receipt: what a run did (or a dry run would do), file by file;
- lock: one process at a time changes a state folder's journal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from yukimap.errors import UsageError, UserError
from yukimap.i18n import tr
from yukimap.model import Mapping
from yukimap.schema import load_mapping
from yukimap.send.administration import UNRESOLVED
from yukimap.send.calls import Calls
from yukimap.send.lock import exclusive
from yukimap.send.receipt import (
    ALREADY_SENT,
    AWAITING,
    NOT_SENT,
    PLANNED,
    Outcome,
    Receipt,
    rejected_rows,
)
from yukimap.send.reconcile import LOOKUPS_PER_DAY
from yukimap.send.run import Sending
from yukimap.sendlog import SendLog, state_errors
from yukimap.settings import Settings

__all__ = ["ALREADY_SENT", "AWAITING", "DEFAULT_BATCH", "LOOKUPS_PER_DAY", "NOT_SENT",
           "PLANNED", "UNRESOLVED", "Outcome", "Receipt", "exclusive", "rejected_rows",
           "send_file", "send_files"]

DEFAULT_BATCH = 100  # invoices per ProcessSalesInvoices call


def send_file(path: Path, mapping: Mapping | str, settings: Settings, *,
              administration: str | None = None, batch_size: int = DEFAULT_BATCH,
              force: bool = False, dry_run: bool = False, retry_delay: float = 2.0,
              stage: Callable[[str], None] = lambda s: None) -> Receipt:
    """Send one file's documents to Yuki; see the module docstring."""
    [outcome] = send_files([path], mapping, settings, administration=administration,
                           batch_size=batch_size, force=force, dry_run=dry_run,
                           retry_delay=retry_delay, stage=stage, alone=True)
    if isinstance(outcome, UserError):
        raise outcome
    return outcome


def send_files(paths: Sequence[Path], mapping: Mapping | str, settings: Settings, *,
               administration: str | None = None, batch_size: int = DEFAULT_BATCH,
               force: bool = False, dry_run: bool = False, retry_delay: float = 2.0,
               stage: Callable[[str], None] = lambda s: None,
               alone: bool = False) -> list[Receipt | UserError]:
    """Send several files of one mapping to one administration in one run, sales invoices
    many to a call across the files. Each file gets its receipt, or the error that stopped
    it (its data, its documents, pre-flight): one bad file does not hold up the others.
    Errors that concern them all (settings, the journal, Yuki refusing the key) are raised.
    `alone`: a file's own error is raised at once (send_file)."""
    if batch_size < 1:
        raise UsageError(tr("--batch-size must be at least 1"))
    loaded = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    calls = Calls()
    outcomes: dict[Path, Receipt | UserError] = {}
    with state_errors(settings.state_dir, calls.so_far), SendLog(settings.state_dir) as log, \
            Sending(settings, log, loaded, calls, batch_size, force) as run:
        run.choose_administration(administration or settings.administration,
                                  may_call=not dry_run)
        for path in paths:
            try:
                run.add(path, stage)
            except UserError as exc:
                if alone:
                    raise
                outcomes[path] = exc
        if dry_run:
            outcomes |= {r.path: r.receipt for r in run.files} if run.files else {}
            run.dry_run(stage)
        elif run.files:
            sent = run.send(retry_delay, stage)
            if alone:
                for error in (o for o in sent.values() if isinstance(o, UserError)):
                    raise error
            outcomes |= {r.path: o for r, o in sent.items()}
    return [outcomes[path] for path in paths]
