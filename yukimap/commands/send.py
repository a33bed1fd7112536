"""yukimap send FILE --mapping M [--administration A] [--dry-run] [--force] ..."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from yukimap.send import Receipt
    from yukimap.send.receipt import Writes


def run(file: Path, mapping: str, administration: str | None = None, dry_run: bool = False,
        batch_size: int = 100, force: bool = False, write_rejected: Path | None = None,
        receipt: Path | None = None, state: Path | None = None) -> int:
    from yukimap.atomic import write_through
    from yukimap.commands.progress import progress
    from yukimap.grouping import display_path
    from yukimap.i18n import plural, tr
    from yukimap.report import format_receipt, format_summary
    from yukimap.send import rejected_rows, send_file
    from yukimap.settings import load_settings

    settings = load_settings(administration=administration, state_dir=state)
    with progress() as stage:
        outcome = send_file(file, mapping, settings, administration=administration,
                            batch_size=batch_size, force=force, dry_run=dry_run, stage=stage)
    json_out = receipt == Path("-")  # the JSON on standard output, the rest beside it
    say = partial(click.echo, err=json_out)
    if dry_run and outcome.summary is not None:
        say(format_summary(outcome.summary, str(file), display_path(outcome.mapping),
                           tr("checked, and not sent (dry run):")) + "\n")
    say(format_receipt(outcome))
    if json_out:
        echoed = _Echoed()
        _receipt_json(outcome, echoed)
        echoed.flush()
    elif receipt is not None:
        write_through(receipt, partial(_receipt_json, outcome))
        say("  " + tr("receipt written to {file}", file=receipt))
    rows = rejected_rows(outcome)
    if write_rejected is not None and rows:
        from yukimap.rejected import write_rows

        written = write_rows(file, outcome.mapping, rows, write_rejected)
        say("  " + plural(len(rows),
                          "the 1 rejected row(s) are in {file}: fix them there and send that file",
                          "the {count} rejected row(s) are in {file}: fix them there and send"
                          " that file", file=written))
    return exit_code(outcome)


def _receipt_json(receipt: Receipt, out: Writes) -> None:
    receipt.write_json(out)
    out.write("\n")


class _Echoed:
    """Standard output as click writes it, in pieces of 64 KB: a big receipt's JSON goes
    out as it is made."""

    def __init__(self) -> None:
        self._pieces: list[str] = []
        self._size = 0

    def write(self, text: str) -> None:
        self._pieces.append(text)
        self._size += len(text)
        if self._size > 65536:
            self.flush()

    def flush(self) -> None:
        click.echo("".join(self._pieces), nl=False)
        self._pieces, self._size = [], 0


def exit_code(receipt: Receipt) -> int:
    """1 something was rejected (a person must fix it) > 5 an outcome is unknown (a person
    must decide) > 4 the run stopped early (it only needs time) > 0 all is in Yuki."""
    from yukimap.errors import EXIT_DECIDE, EXIT_LATER, EXIT_OK, EXIT_USER
    from yukimap.send import AWAITING, NOT_SENT
    from yukimap.sendlog import REJECTED, UNKNOWN

    found = receipt.counts()
    for states, code in (((REJECTED,), EXIT_USER), ((UNKNOWN, AWAITING), EXIT_DECIDE),
                         ((NOT_SENT,), EXIT_LATER)):
        if any(found.get(state) for state in states):
            return code
    return EXIT_OK
