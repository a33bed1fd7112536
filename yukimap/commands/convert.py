"""yukimap convert FILE --mapping M [--output OUT] [--dry-run] [-a ID]"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from yukimap.commands.progress import progress
from yukimap.errors import UsageError


def run(file: Path, mapping: str, output: Path | None = None, dry_run: bool = False,
        strict: bool = False, opening_balance: str | None = None,
        administration: str | None = None) -> int:
    from yukimap.grouping import count_shown, display_path, format_problems
    from yukimap.i18n import plural, tr
    from yukimap.output import check_documents, single_document_text, write_documents
    from yukimap.pipeline import convert_file
    from yukimap.report import format_summary
    from yukimap.schema import (
        administration_used,
        apply_options,
        dry_run_administration,
        load_mapping,
    )

    if dry_run and output is not None:
        raise UsageError(tr("--dry-run writes nothing; leave out --output, or leave out"
                            " --dry-run"))
    original = load_mapping(mapping)
    loaded = apply_options(original, administration, opening_balance)
    if dry_run:
        loaded = dry_run_administration(loaded)
    with progress() as stage:
        result = convert_file(file, loaded, stage)
    if result.warnings:
        click.echo(format_problems(result.warnings) + "\n", err=True)
        if strict:
            shown = plural(count_shown(result.warnings, "warning"), "1 warning", "{count} warnings")
            click.echo(tr("{warnings} and --strict: nothing was written.", warnings=shown),
                       err=True)
            return 1
    used = administration_used(original, administration)
    if used is not None:
        result.summary.figures[tr("administration")] = used
    with progress() as stage:
        if dry_run:
            check_documents(result, stage)
            outcome = tr("dry run: nothing written")
        elif output is not None:
            written = write_documents(result, output, stage)
            outcome = (tr("written to {file}", file=written[0]) if len(written) == 1 else
                       tr("written to {folder}/ ({count} files)", folder=output,
                          count=len(written)))
        else:
            text = single_document_text(result, stage)
            outcome = tr("written to standard output")
    if not dry_run and output is None:
        sys.stdout.write(text)
    summary = format_summary(result.summary, str(file), display_path(loaded.path), outcome)
    click.echo(summary, err=not dry_run)
    return 0

