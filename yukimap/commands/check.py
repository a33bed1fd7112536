"""yukimap check MAPPING [--sample FILE] [--online] [-a ID_OR_NAME]"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import click

from yukimap.errors import DataError, UsageError

if TYPE_CHECKING:
    from yukimap.client import YukiClient
    from yukimap.pipeline import ConversionResult
    from yukimap.yuki_results import Administration


def run(mapping: str, sample: Path | None = None, online: bool = False,
        administration: str | None = None, refresh: bool = False) -> int:
    from yukimap.grouping import display_path, format_problems
    from yukimap.report import format_summary
    from yukimap.schema import (
        administration_used,
        apply_options,
        dry_run_administration,
        load_mapping,
    )

    loaded = load_mapping(mapping)
    click.echo(f"{display_path(loaded.path)}: the mapping is valid ({loaded.target.title}).")
    if sample is None:
        if online:
            raise UsageError("--online checks what an export uses: give it with --sample FILE")
        return 0
    from yukimap.output import check_documents
    from yukimap.pipeline import convert_file

    with ExitStack() as stack:
        yuki, chosen = _connect(stack, administration) if online else (None, None)
        given = chosen.id if chosen else administration
        tried = loaded
        if loaded.target.administration_in_document:
            tried = dry_run_administration(apply_options(loaded, given, None))
        result = convert_file(sample, tried)
        check_documents(result)
        if result.warnings:
            click.echo(format_problems(result.warnings) + "\n", err=True)
        used = administration_used(loaded, given,
                                   "-a" if administration else "YUKI_ADMINISTRATION")
        if used is not None:
            result.summary.figures["administration"] = used
        click.echo(format_summary(result.summary, str(sample), display_path(loaded.path),
                                  "the sample converts and validates; nothing written"))
        if yuki is not None and chosen is not None:
            _preflight(result, yuki, chosen, refresh)
    return 0


def _connect(stack: ExitStack, administration: str | None,
             ) -> tuple[YukiClient, Administration]:
    from yukimap.client import YukiClient
    from yukimap.settings import load_settings

    yuki = stack.enter_context(YukiClient(load_settings(administration=administration)))
    return yuki, yuki.resolve_administration(administration)


def _preflight(result: ConversionResult, yuki: YukiClient, chosen: Administration,
               refresh: bool) -> None:
    from yukimap.grouping import count_shown
    from yukimap.i18n import plural
    from yukimap.preflight import preflight_result

    problems = preflight_result(yuki, result, chosen.id, refresh)
    calls = f"{yuki.calls_today()} Yuki calls used today, {yuki.remaining()} left"
    if problems:
        found = plural(count_shown(problems), "1 problem", "{count} problems")
        raise DataError(f"pre-flight against {chosen.name}: {found}; Yuki would refuse this as it"
                        f" is ({calls})", problems=problems)
    usage = result.usage()
    parts = [f"{len(usage.gl_accounts)} GL account(s)" if usage.gl_accounts else "",
             f"{len(usage.vat_pairs)} VAT type/percentage pair(s)" if usage.vat_pairs else "",
             f"cash account {usage.petty_cash_account}" if usage.petty_cash_account else ""]
    found = ", ".join(p for p in parts if p) or "nothing to look up"
    click.echo(f"pre-flight against {chosen.name} ({chosen.id}): all exist: {found}"
               f" ({calls}).")
