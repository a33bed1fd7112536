"""yukimap convert FILE --mapping M [--output OUT] [--dry-run] [-a ID]"""

from __future__ import annotations

import shutil
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import click

from yukimap.commands.progress import progress
from yukimap.errors import UsageError, UserError
from yukimap.scratch import Scratch

if TYPE_CHECKING:
    from yukimap.errors import Problem
    from yukimap.model import Mapping
    from yukimap.summary import Summary


def run(file: Path, mapping: str, output: Path | None = None, dry_run: bool = False,
        strict: bool = False, opening_balance: str | None = None,
        administration: str | None = None) -> int:
    try:
        return _convert(file, mapping, output, dry_run, strict, opening_balance,
                        administration)
    except BrokenPipeError:  # the reader of standard output left: the CLI ends quietly
        raise
    except OSError as exc:  # the input's are told by the readers: this is a written file's
        raise _unwritten(exc, output) from None


def _unwritten(exc: OSError, output: Path | None) -> UserError:
    """A document, or its temporary file, that the disk did not take: where and why."""
    from yukimap.i18n import tr

    reason = exc.strerror or str(exc)
    if exc.filename:
        reason += f" ({exc.filename})"
    if output is not None:
        return UserError(tr("could not write {path}: {reason}", path=output, reason=reason),
                         hint=tr("give --output a file in a folder that can be made and"
                                 " written, on a disk with room"))
    return UserError(tr("could not write the temporary file of the document: {reason}",
                        reason=reason),
                     hint=tr("the temporary folder ({folder}) must be writable and have room"
                             " (set TMPDIR to another), or give --output",
                             folder=tempfile.gettempdir()))


def _convert(file: Path, mapping: str, output: Path | None, dry_run: bool, strict: bool,
             opening_balance: str | None, administration: str | None) -> int:
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
    # a big file goes in slices, in memory that does not grow with it
    going: list[bool] = []  # told its warnings: whether it was written

    def warned(warnings: list[Problem]) -> bool:
        going.append(_go_on(warnings, strict))
        return going[-1]

    with ExitStack() as scratch:
        # standard output gets the document once it is valid: written to a file first (no
        # temporary folder to write it in: the file is converted whole, as before)
        printed = _scratch(scratch) if not dry_run and output is None else None
        target = printed or output
        with progress() as stage:
            sliced = (convert_in_slices(file, loaded, target, stage, warned,
                                        durable=printed is None)
                      if dry_run or target is not None else None)
        if sliced is not None:
            if going and not going[-1]:
                return 1
            if printed is not None:
                _print(printed)
            outcome = (tr("written to standard output") if printed is not None else
                       tr("dry run: nothing written") if output is None else
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


def _scratch(stack: ExitStack) -> Path | None:
    """Where a document for standard output is written first, in a temporary folder the
    stack removes; None where no such folder can be made."""
    try:
        folder = stack.enter_context(Scratch("output"))
    except OSError:
        return None
    return folder / "document.xml"


def _print(document: Path) -> None:
    """The written document on standard output, as it is on disk (a piece at a time)."""
    sys.stdout.flush()
    with open(document, "rb") as written:
        shutil.copyfileobj(written, sys.stdout.buffer, 1024 * 1024)
    sys.stdout.buffer.flush()


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
