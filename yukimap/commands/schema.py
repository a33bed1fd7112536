"""yukimap schema [--reference] [--output FILE]"""

from __future__ import annotations

from pathlib import Path

import click

from yukimap.i18n import tr


def run(output: Path | None = None, reference: bool = False) -> int:
    from yukimap.atomic import write_atomically

    if reference:
        from yukimap.schema.reference import reference as made
    else:
        from yukimap.schema.json_schema import schema_text as made
    text = made()
    if output is None:
        click.echo(text, nl=False)
        return 0
    write_atomically(output, text)
    if reference:
        click.echo(tr("wrote {file}: the reference of the mapping format", file=output))
    else:
        click.echo(tr("wrote {file}: the JSON Schema of the mapping format; a mapping next to it"
                      " names it on its first line: # yaml-language-server: $schema=./{name}",
                      file=output, name=output.name))
    return 0
