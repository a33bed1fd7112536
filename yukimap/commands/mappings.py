"""yukimap mappings: the mappings that ship with yukimap."""

from __future__ import annotations

import click


def run() -> int:
    from yukimap.resources import shipped_mappings
    from yukimap.schema import load_mapping

    shipped = shipped_mappings()
    if not shipped:
        click.echo("no shipped mappings found")
        return 1
    width = max(len(name) for name in shipped)
    for name, path in shipped.items():
        mapping = load_mapping(path)
        title = mapping.name or mapping.description.splitlines()[0] if mapping.description else ""
        click.echo(f"{name:<{width}}  {mapping.target.name:<15} {mapping.name or title}")
    click.echo("\nUse one by name: yukimap convert FILE --mapping NAME; copy it to change it:"
               f" {next(iter(shipped.values())).parent}")
    return 0
