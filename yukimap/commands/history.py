"""yukimap history [--limit N] [--document ID]: recent send runs (costs no calls)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from yukimap.sendlog import SendLog


def run(limit: int = 20, document: int | None = None, state: Path | None = None) -> int:
    from yukimap.sendlog import SendLog, local_time, state_errors
    from yukimap.settings import load_settings

    settings = load_settings(state_dir=state)
    with state_errors(settings.state_dir), SendLog(settings.state_dir) as log:
        if document is not None:
            return _document(log, document)
        runs = log.recent(limit)
    if not runs:
        click.echo("nothing has been sent yet")
        return 0
    for entry in runs:
        counts = ", ".join(f"{state.lower()} {n}" for state, n in
                           sorted(entry["documents"].items())) or "no documents"
        click.echo(f"run {entry['id']}  {local_time(str(entry['started']))}"
                   f"  {entry['file']} ({entry['target']}) -> {entry['administration']}:"
                   f" {counts}; {entry['calls']} call(s); {entry['outcome'] or 'running'}")
    return 0


def _document(log: SendLog, document_id: int) -> int:
    from yukimap.errors import UsageError
    from yukimap.sendlog import local_time

    entry = log.get(document_id)
    if entry is None:
        raise UsageError(f"the send journal has no document {document_id}")
    click.echo(f"document {entry.id}: {entry.label} ({entry.key}), now {entry.state}")
    click.echo(f"  administration {entry.administration}; from {entry.file_name},"
               f" rows {', '.join(map(str, entry.rows))}")
    for at, state, message in log.history(document_id):
        click.echo(f"  {local_time(at)}  {state}" + (f": {message}" if message else ""))
    return 0
