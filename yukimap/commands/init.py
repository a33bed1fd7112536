"""yukimap init FILE [--target TARGET] [--output MAPPING]"""

from __future__ import annotations

from pathlib import Path

import click

from yukimap.errors import UsageError


def run(file: Path, target: str | None = None, output: str | None = None) -> int:
    from yukimap.authoring import starter_mapping, starter_summary
    from yukimap.output import write_atomically

    to_stdout = output == "-"
    path = None if to_stdout else Path(output or f"{file.stem}.yaml")
    if path is not None and path.exists():
        raise UsageError(f"{path} exists already: init never overwrites a mapping",
                         hint=f"give another name: --output {path.stem}-2.yaml")
    name = "MAPPING.yaml" if path is None else str(path)
    starter = starter_mapping(file, target, name)
    if path is None:
        click.echo(starter.text, nl=False)
    else:
        write_atomically(path, starter.text)
    click.echo(starter_summary(starter, file, name), err=to_stdout)
    if path is not None:
        _schema_beside(path)
    return 0


def _schema_beside(mapping: Path) -> None:
    """The JSON Schema the mapping's first line names, beside it, for editors; one that is
    there already is left alone (`yukimap schema --output` replaces it)."""
    from yukimap.output import write_atomically
    from yukimap.resources import MAPPING_SCHEMA
    from yukimap.schema.json_schema import schema_text

    schema = mapping.parent / MAPPING_SCHEMA
    if schema.exists():
        return
    write_atomically(schema, schema_text())
    click.echo(f"wrote {schema}: the mapping format for editors (VS Code with the YAML"
               " extension completes keys and fields)")
