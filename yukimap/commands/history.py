"""yukimap history [--limit N] [--document ID]: recent send runs (costs no calls)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from yukimap.i18n import N_, plural, tr

if TYPE_CHECKING:
    from yukimap.sendlog import SendLog

# The send journal's states (its own, English codes) as counted for people.
_STATES = {"PENDING": N_("pending"), "SENDING": N_("sending"), "SENT": N_("sent"),
           "REJECTED": N_("rejected"), "UNKNOWN": N_("unknown")}


def state_counts(documents: dict[str, int]) -> str:
    """`sent 3, rejected 1`: a run's documents per state."""
    return ", ".join(f"{tr(_STATES[state]) if state in _STATES else state.lower()} {n}"
                     for state, n in sorted(documents.items()))


def run(limit: int = 20, document: int | None = None, state: Path | None = None) -> int:
    from yukimap.sendlog import SendLog, local_time, state_errors
    from yukimap.settings import load_settings

    settings = load_settings(state_dir=state)
    with state_errors(settings.state_dir), SendLog(settings.state_dir) as log:
        if document is not None:
            return _document(log, document)
        runs = log.recent(limit)
    if not runs:
        click.echo(tr("nothing has been sent yet"))
        return 0
    for entry in runs:
        counts = state_counts(entry["documents"]) or tr("no documents")
        outcome = entry["outcome"]
        said = (tr("running") if not outcome else tr("done") if outcome == "done"
                else outcome)  # "done", or why the run stopped (said when it stopped)
        click.echo(plural(int(entry["calls"]),
                          "run {id}  {started}  {file} ({target}) -> {administration}: {counts};"
                          " 1 call(s); {outcome}",
                          "run {id}  {started}  {file} ({target}) -> {administration}: {counts};"
                          " {count} call(s); {outcome}",
                          id=entry["id"], started=local_time(str(entry["started"])),
                          file=entry["file"], target=entry["target"],
                          administration=entry["administration"], counts=counts, outcome=said))
    return 0


def _document(log: SendLog, document_id: int) -> int:
    from yukimap.errors import UsageError
    from yukimap.sendlog import local_time

    entry = log.get(document_id)
    if entry is None:
        raise UsageError(tr("the send journal has no document {id}", id=document_id))
    click.echo(tr("document {id}: {label} ({key}), now {state}", id=entry.id, label=entry.label,
                  key=entry.key, state=entry.state))
    click.echo("  " + tr("administration {administration}; from {file}, rows {rows}",
                         administration=entry.administration, file=entry.file_name,
                         rows=", ".join(map(str, entry.rows))))
    for at, state, message in log.history(document_id):
        click.echo(f"  {local_time(at)}  {state}" + (f": {message}" if message else ""))
    return 0
