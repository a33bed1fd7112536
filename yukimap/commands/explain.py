"""yukimap explain FILE --mapping M (--document REF | --row N) [--field PATH]"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from yukimap.explain import Explanation
    from yukimap.model import Mapping


def run(file: Path, mapping: str, document: str | None = None, row: int | None = None,
        field: str | None = None) -> int:
    from yukimap.errors import UsageError
    from yukimap.explain import explain, format_explanation
    from yukimap.i18n import tr
    from yukimap.read import read_table
    from yukimap.schema import dry_run_administration, load_mapping

    if (document is None) == (row is None):
        raise UsageError(tr("say which document to explain: --document REF or --row N"),
                         hint=tr("e.g. --document 2024-0042 (what group_by reads) or --row 5"))
    loaded = dry_run_administration(load_mapping(mapping))
    explained = None
    with contextlib.suppress(UsageError):  # said as the whole file says it, below
        explained = _in_slices(file, loaded, document, row, field)
    if explained is None:
        explained = explain(read_table(file, loaded.source), loaded, document, field, row)
    click.echo(format_explanation(explained), nl=False)
    return 0


def _in_slices(file: Path, mapping: Mapping, document: str | None, row: int | None,
               field: str | None) -> Explanation | None:
    """Of a big file, the document explained from the slice that holds it, or one journal
    of the whole file's row from its slices, as the whole file explains it; None where the
    whole file must be read."""
    from yukimap.explain import SHOWN_ROWS, explain, explain_spanning
    from yukimap.sliced import document_slice, spanning_row

    part = document_slice(file, mapping, document, row)
    if part is not None:
        return explain(*part, document, field, row)
    spanned = None if row is None else spanning_row(file, mapping, row, SHOWN_ROWS)
    if spanned is None or row is None:
        return None
    return explain_spanning(spanned.first, spanned.part, spanned.mapping, row, field,
                            spanned.before, spanned.rows, spanned.count)
