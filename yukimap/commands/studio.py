"""yukimap studio [FOLDER...] [--port N] [--no-browser] [--watch CONFIG [--state DIR]]"""

from __future__ import annotations

import errno
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING

import click

from yukimap.errors import UsageError
from yukimap.i18n import tr

if TYPE_CHECKING:
    from yukimap.studio.hotfolders import HotFolders


def run(folders: tuple[Path, ...], port: int, no_browser: bool, watch: Path | None = None,
        state: Path | None = None) -> int:
    from yukimap.studio import address, bind, serve
    from yukimap.studio.gate import new_token

    hot = _hot_folders(watch, state) if watch is not None else None
    chosen = list(folders) or [Path.cwd()]
    for folder in chosen:
        if not folder.is_dir():
            raise UsageError(tr("{folder} is not a folder", folder=folder),
                             hint=tr("give the folders with your exports: yukimap studio FOLDER"))
    try:
        sock = bind(port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(tr("port {port} is in use on 127.0.0.1", port=port),
                             hint=tr("choose another with --port, or --port 0 for a free one")
                             ) from None
        raise
    token = new_token()
    url = address(sock.getsockname()[1], token)
    shown = ", ".join(str(f) for f in chosen)
    hot_page = (tr("The hot folders of {name}: the same address with /watch instead of /",
                   name=watch.name) + "\n" if hot is not None and watch is not None else "")
    click.echo(tr("yukimap studio for {folders}", folders=shown) + "\n"
               + tr("Open this address in your browser (it carries the access token):") + "\n"
               f"    {url}\n"
               f"{hot_page}"
               + tr("Stop it with Ctrl+C."), err=False)
    if not no_browser:
        webbrowser.open(url)
    serve(chosen, sock, token, hot)
    return 0


def _hot_folders(watch: Path, state: Path | None) -> HotFolders:
    """The watch config and the daemon's state folder, found as `yukimap watch` finds it."""
    from yukimap.settings import load_settings
    from yukimap.studio.hotfolders import HotFolders
    from yukimap.watch.config import load_config

    config = load_config(watch)
    settings = load_settings(state_dir=state or config.state)
    return HotFolders(config, settings.state_dir)
