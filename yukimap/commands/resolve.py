"""yukimap resolve ID --sent|--not-sent: decide a document whose outcome is unknown."""

from __future__ import annotations

from pathlib import Path

import click

from yukimap.errors import UsageError


def run(document: int, sent: bool = False, not_sent: bool = False, note: str | None = None,
        state: Path | None = None) -> int:
    from yukimap.send import exclusive
    from yukimap.sendlog import PENDING, SENT, UNKNOWN, SendLog, state_errors
    from yukimap.settings import load_settings

    if sent == not_sent:
        raise UsageError("say what happened: --sent (it is in Yuki) or --not-sent (it is not)")
    settings = load_settings(state_dir=state)
    with state_errors(settings.state_dir, lambda: "nothing was decided"), \
            SendLog(settings.state_dir) as log, exclusive(log.path):
        log.check_ledger()
        entry = log.get(document)
        if entry is None:
            raise UsageError(f"the send journal has no document {document}",
                             hint="`yukimap status` lists the documents awaiting a decision")
        if entry.state != UNKNOWN:
            raise UsageError(f"{entry.label} is {entry.state}, not UNKNOWN: nothing to decide")
        decided = SENT if sent else PENDING
        why = "decided by hand: " + ("it is in Yuki" if sent else "it is not in Yuki")
        log.mark(None, [entry.id], decided, why + (f" ({note})" if note else ""))
    click.echo(f"{entry.label} is now {decided}" + (
        "; it will not be sent again" if sent else "; the next `send` of its file sends it"))
    return 0
