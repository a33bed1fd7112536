"""yukimap preview FILE --mapping M [--limit N] [--lines N] [--opening-balance AMOUNT]"""

from __future__ import annotations

import shutil
from pathlib import Path

import click


def run(file: Path, mapping: str, limit: int = 5, lines: int = 20,
        opening_balance: str | None = None) -> int:
    from yukimap.errors import Problem
    from yukimap.grouping import display_path
    from yukimap.pipeline import convert_file
    from yukimap.preview import Shown, format_preview, sums
    from yukimap.schema import apply_options, dry_run_administration, load_mapping
    from yukimap.sliced import preview_in_slices

    loaded = dry_run_administration(apply_options(load_mapping(mapping), None, opening_balance))
    told: list[Problem] = []

    def warned(warnings: list[Problem]) -> bool:
        told.extend(warnings)
        return True

    # a big file is read a slice at a time, in memory that does not grow with it
    sliced = preview_in_slices(file, loaded, limit, lines, sums(loaded.target.name),
                               warned=warned)
    shown = (Shown.of(convert_file(file, loaded)) if sliced is None else
             Shown(loaded.target.name, sliced.documents, sliced.items, sliced.summary, told,
                   sliced.spanning))
    width = shutil.get_terminal_size((100, 24)).columns
    click.echo(format_preview(shown, str(file), display_path(loaded.path), limit, lines, width),
               nl=False)
    return 0
