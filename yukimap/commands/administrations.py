"""yukimap administrations: the administrations the configured access key can see.

Costs one Administrations call, plus an Authenticate when no session is cached.
"""

from __future__ import annotations

import click

from yukimap.i18n import plural, tr


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
        click.echo(f"{'ID':<36}  {tr('Name'):<{width}}  {tr('City')}")
        for adm in admins:
            click.echo(f"{adm.id:<36}  {adm.name:<{width}}  {adm.city}")
    else:
        click.echo(tr("the access key sees no administrations"))
    click.echo("\n" + plural(used, "This cost 1 call to Yuki; {left} left today for {counter}.",
                             "This cost {count} calls to Yuki; {left} left today for {counter}.",
                             left=left, counter=counter))
    click.echo(tr("Choose one with YUKI_ADMINISTRATION=<ID or name> or --administration."))
    return 0
