"""yukimap watch CONFIG: the hot-folder daemon (see yukimap/watch/ and docs/watch.md)."""

from __future__ import annotations

from pathlib import Path

import click

from yukimap.i18n import plural


def run(config: Path, log_format: str | None = None, state: Path | None = None,
        stop_timeout: float = 30.0, check: bool = False) -> int:
    from yukimap.settings import load_settings
    from yukimap.watch.config import check_mappings, load_config
    from yukimap.watch.daemon import Daemon
    from yukimap.watch.log import Log

    loaded = load_config(config)
    check_mappings(loaded)
    settings = load_settings(state_dir=state or loaded.state)
    settings.require_access_key()
    if check:
        click.echo(plural(len(loaded.routes), "{config}: 1 route(s), all mappings check out",
                          "{config}: {count} route(s), all mappings check out", config=config))
        return 0
    log = Log(log_format or loaded.log_format)
    return Daemon(loaded, settings, log, stop_timeout=stop_timeout).run()
