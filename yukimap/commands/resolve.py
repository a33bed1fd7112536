"""yukimap resolve [ID...] [--run N] [--file NAME] [--all-unknown] --sent|--not-sent: decide
documents whose outcome is unknown, one or many at once."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from yukimap.errors import EXIT_USER, UsageError
from yukimap.sendlog import Entry

SHOWN = 20  # documents listed before "(+N more)"


def run(documents: Sequence[int] = (), sent: bool = False, not_sent: bool = False,
        run_id: int | None = None, file: str | None = None, all_unknown: bool = False,
        yes: bool = False, note: str | None = None, state: Path | None = None) -> int:
    from yukimap.send import exclusive
    from yukimap.sendlog import PENDING, SENT, SendLog, state_errors
    from yukimap.settings import load_settings

    if sent == not_sent:
        raise UsageError("say what happened: --sent (it is in Yuki) or --not-sent (it is not)")
    if not (documents or run_id is not None or file or all_unknown):
        raise UsageError("say which documents: their IDs, --run N, --file NAME or"
                         " --all-unknown",
                         hint="`yukimap status` lists the documents awaiting a decision")
    settings = load_settings(state_dir=state)
    decided = SENT if sent else PENDING
    with state_errors(settings.state_dir, lambda: "nothing was decided"), \
            SendLog(settings.state_dir) as log, exclusive(log.path):
        log.check_ledger()
        chosen, problems = log.decidable(documents, run_id, Path(file).name if file else None,
                                         all_unknown)
        if problems:
            raise UsageError(f"nothing was decided: {'; '.join(problems)}",
                             hint="`yukimap status` lists the documents awaiting a decision")
        if not chosen:
            click.echo("no document awaits a decision there")
            return 0
        _show(chosen, decided)
        if not yes and sys.stdin.isatty() and not click.confirm(
                f"Decide these {len(chosen)} document(s) as {decided}?"):
            click.echo("nothing was decided")
            return EXIT_USER
        why = "decided by hand: " + ("it is in Yuki" if sent else "it is not in Yuki")
        log.mark(None, [e.id for e in chosen], decided, why + (f" ({note})" if note else ""))
    click.echo(_done(chosen, decided, sent))
    return 0


def _show(chosen: list[Entry], decided: str) -> None:
    from yukimap.errors import _rows_text

    meaning = ("it is in Yuki: never sent again" if decided == "SENT"
               else "it is not in Yuki: the next send sends it")
    click.echo(f"to decide as {decided} ({meaning}):")
    for entry in chosen[:SHOWN]:
        click.echo(f"  {entry.id}: {entry.label} from {entry.file_name} ({_rows_text(entry.rows)})")
    if len(chosen) > SHOWN:
        click.echo(f"  (+{len(chosen) - SHOWN} more)")


def _done(chosen: list[Entry], decided: str, sent: bool) -> str:
    if len(chosen) == 1:
        return f"{chosen[0].label} is now {decided}" + (
            "; it will not be sent again" if sent else "; the next `send` of its file sends it")
    return f"{len(chosen)} document(s) are now {decided}" + (
        "; they will not be sent again" if sent
        else "; the next `send` of their files sends them")
