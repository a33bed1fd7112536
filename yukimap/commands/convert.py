"""yukimap convert FILE --mapping M [--output OUT] [--dry-run] [-a ID]"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from yukimap.commands.progress import progress
from yukimap.errors import UsageError

if TYPE_CHECKING:
    from yukimap.errors import Problem
    from yukimap.model import Mapping
    from yukimap.summary import Summary


def run(file: Path, mapping: str, output: Path | None = None, dry_run: bool = False,
        strict: bool = False, opening_balance: str | None = None,
        administration: str | None = None) -> int:
    from yukimap.i18n import tr
    from yukimap.output import check_documents, single_document_text, write_documents
    from yukimap.pipeline import convert_file
    from yukimap.schema import apply_options, dry_run_administration, load_mapping
    from yukimap.sliced import convert_in_slices

    if dry_run and output is not None:
        raise UsageError(tr("--dry-run writes nothing; leave out --output, or leave out"
                            " --dry-run"))
    original = load_mapping(mapping)
    loaded = apply_options(original, administration, opening_balance)
    if dry_run:
        loaded = dry_run_administration(loaded)
    if dry_run or output is not None:
        # a big file goes in slices, in memory that does not grow with it
        going: list[bool] = []  # told its warnings: whether it was written

        def warned(warnings: list[Problem]) -> bool:
            going.append(_go_on(warnings, strict))
            return going[-1]

        with progress() as stage:
            sliced = convert_in_slices(file, loaded, output, stage, warned)
        if sliced is not None:
            if going and not going[-1]:
                return 1
            outcome = (tr("dry run: nothing written") if output is None else
                       tr("written to {file}", file=output) if output.is_file() else
                       tr("written to {folder}/ ({count} files)", folder=output,
                          count=sliced.documents))
            _summarize(sliced, file, loaded, original, administration, outcome, dry_run)
            return 0
    with progress() as stage:
        result = convert_file(file, loaded, stage)
    if result.warnings and not _go_on(result.warnings, strict):
        return 1
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
    _summarize(result.summary, file, loaded, original, administration, outcome, dry_run)
    return 0


def _go_on(warnings: list[Problem], strict: bool) -> bool:
    """Show the warnings; whether the documents are still written (not with --strict)."""
    from yukimap.grouping import count_shown, format_problems
    from yukimap.i18n import plural, tr

    click.echo(format_problems(warnings) + "\n", err=True)
    if strict:
        shown = plural(count_shown(warnings, "warning"), "1 warning", "{count} warnings")
        click.echo(tr("{warnings} and --strict: nothing was written.", warnings=shown), err=True)
    return not strict


def _summarize(summary: Summary, file: Path, loaded: Mapping, original: Mapping,
               administration: str | None, outcome: str, dry_run: bool) -> None:
    """The summary: a dry run's whole answer, on standard output; else beside the
    documents, on standard error."""
    from yukimap.grouping import display_path
    from yukimap.i18n import tr
    from yukimap.report import format_summary
    from yukimap.schema import administration_used

    used = administration_used(original, administration)
    if used is not None:
        summary.figures[tr("administration")] = used
    click.echo(format_summary(summary, str(file), display_path(loaded.path), outcome),
               err=not dry_run)
