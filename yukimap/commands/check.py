"""yukimap check MAPPING [--sample FILE] [--online] [-a ID_OR_NAME]"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import click

from yukimap.errors import DataError, Problem, UsageError
from yukimap.i18n import plural, tr

if TYPE_CHECKING:
    from yukimap.client import YukiClient
    from yukimap.usage import DocumentUsage
    from yukimap.yuki_results import Administration


def run(mapping: str, sample: Path | None = None, online: bool = False,
        administration: str | None = None, refresh: bool = False) -> int:
    from yukimap import nouns
    from yukimap.grouping import display_path
    from yukimap.report import format_summary
    from yukimap.schema import (
        administration_used,
        apply_options,
        dry_run_administration,
        load_mapping,
    )

    loaded = load_mapping(mapping)
    click.echo(tr("{file}: the mapping is valid ({title}).", file=display_path(loaded.path),
                  title=nouns.title(loaded.target)))
    if sample is None:
        if online:
            raise UsageError(tr("--online checks what an export uses: give it with --sample FILE"))
        return 0
    from yukimap.output import check_documents
    from yukimap.pipeline import convert_file
    from yukimap.sliced import convert_in_slices
    from yukimap.usage import Gathered

    with ExitStack() as stack:
        yuki, chosen = _connect(stack, administration) if online else (None, None)
        given = chosen.id if chosen else administration
        tried = loaded
        if loaded.target.administration_in_document:
            tried = dry_run_administration(apply_options(loaded, given, None))
        # a big sample that passes goes in slices (--online: gathering what its documents
        # use in the administration)
        gathered = Gathered()
        summary = convert_in_slices(sample, tried, None, warned=_show_warnings,
                                    used=gathered if online else None)
        usage = gathered.usage()
        if summary is None:
            result = convert_file(sample, tried)
            check_documents(result)
            if result.warnings:
                _show_warnings(result.warnings)
            summary, usage = result.summary, result.usage()
        used = administration_used(loaded, given,
                                   "-a" if administration else "YUKI_ADMINISTRATION")
        if used is not None:
            summary.figures[tr("administration")] = used
        click.echo(format_summary(summary, str(sample), display_path(loaded.path),
                                  tr("the sample converts and validates; nothing written")))
        if yuki is not None and chosen is not None:
            _preflight(usage, str(sample), yuki, chosen, refresh)
    return 0


def _show_warnings(warnings: list[Problem]) -> bool:
    """The sample's warnings, shown; it goes on (nothing is written anyway)."""
    from yukimap.grouping import format_problems

    click.echo(format_problems(warnings) + "\n", err=True)
    return True


def _connect(stack: ExitStack, administration: str | None,
             ) -> tuple[YukiClient, Administration]:
    from yukimap.client import YukiClient
    from yukimap.settings import load_settings

    yuki = stack.enter_context(YukiClient(load_settings(administration=administration)))
    return yuki, yuki.resolve_administration(administration)


def _preflight(usage: DocumentUsage, file: str, yuki: YukiClient, chosen: Administration,
               refresh: bool) -> None:
    from yukimap.grouping import count_shown
    from yukimap.preflight import preflight_file

    problems = preflight_file(yuki, usage, file, chosen.id, refresh)
    calls = tr("{used} Yuki calls used today, {left} left", used=yuki.calls_today(),
               left=yuki.remaining())
    if problems:
        found = plural(count_shown(problems), "1 problem", "{count} problems")
        raise DataError(tr("pre-flight against {name}: {found}; Yuki would refuse this as it is"
                           " ({calls})", name=chosen.name, found=found, calls=calls),
                        problems=problems)
    parts = [plural(len(usage.gl_accounts), "1 GL account(s)", "{count} GL account(s)")
             if usage.gl_accounts else "",
             plural(len(usage.vat_pairs), "1 VAT type/percentage pair(s)",
                    "{count} VAT type/percentage pair(s)") if usage.vat_pairs else "",
             tr("cash account {account}", account=usage.petty_cash_account)
             if usage.petty_cash_account else ""]
    found = ", ".join(p for p in parts if p) or tr("nothing to look up")
    click.echo(tr("pre-flight against {name} ({id}): all exist: {found} ({calls}).",
                  name=chosen.name, id=chosen.id, found=found, calls=calls))
