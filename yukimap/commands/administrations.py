"""yukimap administrations: the administrations the configured access key can see.

Costs one Administrations call, plus an Authenticate when no session is cached.
"""

from __future__ import annotations

import click


def run() -> int:
    from yukimap.client import YukiClient
    from yukimap.settings import load_settings

    settings = load_settings()
    with YukiClient(settings) as yuki:
        before = yuki.calls_today()
        admins = yuki.administrations()
        used, left = yuki.calls_today() - before, yuki.remaining()
        counter = yuki.budget_domain
    if admins:
        width = max(len(a.name) for a in admins)
        click.echo(f"{'ID':<36}  {'Name':<{width}}  City")
        for adm in admins:
            click.echo(f"{adm.id:<36}  {adm.name:<{width}}  {adm.city}")
    else:
        click.echo("the access key sees no administrations")
    click.echo(f"\nThis cost {used} call{'s' if used != 1 else ''} to Yuki;"
               f" {left} left today for {counter}.")
    click.echo("Choose one with YUKI_ADMINISTRATION=<ID or name> or --administration.")
    return 0
