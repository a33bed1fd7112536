"""yukimap check MAPPING [--sample FILE]"""

from __future__ import annotations

from pathlib import Path

import click


def run(mapping: str, sample: Path | None = None) -> int:
    from yukimap.report import display_path, format_problems, format_summary
    from yukimap.schema import load_mapping

    loaded = load_mapping(mapping)
    click.echo(f"{display_path(loaded.path)}: the mapping is valid ({loaded.target.title}).")
    if sample is None:
        return 0
    from yukimap.pipeline import convert_file

    result = convert_file(sample, loaded)
    result.check()
    if result.warnings:
        click.echo(format_problems(result.warnings) + "\n", err=True)
    click.echo(format_summary(result.summary, str(sample), display_path(loaded.path),
                              "the sample converts and validates; nothing written"))
    return 0
