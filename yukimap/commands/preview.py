"""yukimap preview FILE --mapping M [--limit N] [--lines N] [--opening-balance AMOUNT]"""

from __future__ import annotations

import shutil
from pathlib import Path

import click


def run(file: Path, mapping: str, limit: int = 5, lines: int = 20,
        opening_balance: str | None = None) -> int:
    from yukimap.grouping import display_path
    from yukimap.pipeline import convert_file
    from yukimap.preview import format_preview
    from yukimap.schema import apply_options, dry_run_administration, load_mapping

    loaded = dry_run_administration(apply_options(load_mapping(mapping), None, opening_balance))
    result = convert_file(file, loaded)
    width = shutil.get_terminal_size((100, 24)).columns
    click.echo(format_preview(result, str(file), display_path(loaded.path), limit, lines, width),
               nl=False)
    return 0
