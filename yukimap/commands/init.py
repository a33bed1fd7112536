"""yukimap init FILE [--target TARGET | --like PACK] [--output MAPPING]"""

from __future__ import annotations

from pathlib import Path

import click

from yukimap.errors import UsageError
from yukimap.i18n import tr


def run(file: Path, target: str | None = None, output: str | None = None,
        like: str | None = None) -> int:
    from yukimap.atomic import write_atomically
    from yukimap.authoring import starter_mapping, starter_summary

    if like is not None and target is not None:
        raise UsageError(tr("--like and --target do not go together: the pack has its target"),
                         hint=tr("leave out --target"))

    to_stdout = output == "-"
    path = None if to_stdout else Path(output or f"{file.stem}.yaml")
    if path is not None and path.exists():
        raise UsageError(tr("{file} exists already: init never overwrites a mapping", file=path),
                         hint=tr("give another name: --output {name}", name=f"{path.stem}-2.yaml"))
    name = "MAPPING.yaml" if path is None else str(path)
    if like is not None:
        text, summary = _like(file, like, name)
    else:
        starter = starter_mapping(file, target, name)
        text, summary = starter.text, starter_summary(starter, file, name)
    if path is None:
        click.echo(text, nl=False)
    else:
        write_atomically(path, text)
    click.echo(summary, err=to_stdout)
    if path is not None:
        _schema_beside(path)
    return 0


def _schema_beside(mapping: Path) -> None:
    """The JSON Schema the mapping's first line names, beside it, for editors; one that is
    there already is left alone (`yukimap schema --output` replaces it)."""
    from yukimap.atomic import write_atomically
    from yukimap.resources import MAPPING_SCHEMA
    from yukimap.schema.json_schema import schema_text

    schema = mapping.parent / MAPPING_SCHEMA
    if schema.exists():
        return
    write_atomically(schema, schema_text())
    click.echo(tr("wrote {file}: the mapping format for editors (VS Code with the YAML"
                  " extension completes keys and fields)", file=schema))


def _like(file: Path, pack: str, name: str) -> tuple[str, str]:
    from yukimap.authoring.like import like_mapping, like_summary, unknown_pack
    from yukimap.resources import shipped_mappings
    from yukimap.schema import load_mapping

    packs = shipped_mappings()
    if pack not in packs:
        raise unknown_pack(pack, packs)
    liked = like_mapping(file, pack, packs, load_mapping(packs[pack]), name)
    return liked.text, like_summary(liked, file, name)
