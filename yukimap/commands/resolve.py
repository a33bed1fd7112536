"""yukimap resolve [ID...] [--run N] [--file NAME] [--all-unknown] --sent|--not-sent: decide
documents whose outcome is unknown, one or many at once."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from yukimap.errors import EXIT_USER, UsageError
from yukimap.i18n import plural, tr
from yukimap.sendlog import Entry

SHOWN = 20  # documents listed before "(+N more)"


def run(documents: Sequence[int] = (), sent: bool = False, not_sent: bool = False,
        run_id: int | None = None, file: str | None = None, all_unknown: bool = False,
        yes: bool = False, note: str | None = None, state: Path | None = None) -> int:
    from yukimap.send import exclusive
    from yukimap.sendlog import PENDING, SENT, SendLog, state_errors
    from yukimap.settings import load_settings

    if sent == not_sent:
        raise UsageError(tr("say what happened: --sent (it is in Yuki) or --not-sent (it is"
                            " not)"))
    if not (documents or run_id is not None or file or all_unknown):
        raise UsageError(tr("say which documents: their IDs, --run N, --file NAME or"
                            " --all-unknown"),
                         hint=tr("`yukimap status` lists the documents awaiting a decision"))
    settings = load_settings(state_dir=state)
    decided = SENT if sent else PENDING
    with state_errors(settings.state_dir, lambda: tr("nothing was decided")), \
            SendLog(settings.state_dir) as log, exclusive(log.path):
        log.check_ledger()
        chosen, problems = log.decidable(documents, run_id, Path(file).name if file else None,
                                         all_unknown)
        if problems:
            raise UsageError(tr("nothing was decided: {problems}", problems="; ".join(problems)),
                             hint=tr("`yukimap status` lists the documents awaiting a decision"))
        if not chosen:
            click.echo(tr("no document awaits a decision there"))
            return 0
        _show(chosen, decided)
        if not yes and sys.stdin.isatty() and not click.confirm(
                plural(len(chosen), "Decide these 1 document(s) as {state}?",
                       "Decide these {count} document(s) as {state}?", state=decided)):
            click.echo(tr("nothing was decided"))
            return EXIT_USER
        # the reason kept in the send journal, for people (`yukimap history --document`)
        why = (tr("decided by hand: it is in Yuki") if sent
               else tr("decided by hand: it is not in Yuki"))
        log.mark(None, [e.id for e in chosen], decided, why + (f" ({note})" if note else ""))
    click.echo(_done(chosen, decided, sent))
    return 0


def _show(chosen: list[Entry], decided: str) -> None:
    from yukimap.errors import _rows_text

    meaning = (tr("it is in Yuki: never sent again") if decided == "SENT"
               else tr("it is not in Yuki: the next send sends it"))
    click.echo(tr("to decide as {state} ({meaning}):", state=decided, meaning=meaning))
    for entry in chosen[:SHOWN]:
        click.echo("  " + tr("{id}: {label} from {file} ({rows})", id=entry.id, label=entry.label,
                             file=entry.file_name, rows=_rows_text(entry.rows)))
    if len(chosen) > SHOWN:
        click.echo("  " + tr("(+{count} more)", count=len(chosen) - SHOWN))


def _done(chosen: list[Entry], decided: str, sent: bool) -> str:
    if len(chosen) == 1:
        label = chosen[0].label
        return (tr("{label} is now {state}; it will not be sent again", label=label,
                   state=decided) if sent else
                tr("{label} is now {state}; the next `send` of its file sends it", label=label,
                   state=decided))
    if sent:
        return plural(len(chosen), "1 document(s) are now {state}; they will not be sent again",
                      "{count} document(s) are now {state}; they will not be sent again",
                      state=decided)
    return plural(len(chosen), "1 document(s) are now {state}; the next `send` of their files"
                  " sends them", "{count} document(s) are now {state}; the next `send` of their"
                  " files sends them", state=decided)
