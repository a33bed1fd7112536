"""yukimap explain FILE --mapping M (--document REF | --row N) [--field PATH]"""

from __future__ import annotations

import contextlib
from pathlib import Path

import click


def run(file: Path, mapping: str, document: str | None = None, row: int | None = None,
        field: str | None = None) -> int:
    from yukimap.errors import UsageError
    from yukimap.explain import explain, format_explanation
    from yukimap.i18n import tr
    from yukimap.read import read_table
    from yukimap.schema import dry_run_administration, load_mapping
    from yukimap.sliced import document_slice

    if (document is None) == (row is None):
        raise UsageError(tr("say which document to explain: --document REF or --row N"),
                         hint=tr("e.g. --document 2024-0042 (what group_by reads) or --row 5"))
    loaded = dry_run_administration(load_mapping(mapping))
    # of a big file, only the slice that holds the document, as the whole file reads it
    part = document_slice(file, loaded, document, row)
    explained = None
    if part is not None:
        with contextlib.suppress(UsageError):  # said as the whole file says it, below
            explained = explain(*part, document, field, row)
    if explained is None:
        explained = explain(read_table(file, loaded.source), loaded, document, field, row)
    click.echo(format_explanation(explained), nl=False)
    return 0
