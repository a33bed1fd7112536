"""yukimap studio [FOLDER...] [--port N] [--no-browser]"""

from __future__ import annotations

import errno
import webbrowser
from pathlib import Path

import click

from yukimap.errors import UsageError


def run(folders: tuple[Path, ...], port: int, no_browser: bool) -> int:
    from yukimap.studio import address, bind, serve
    from yukimap.studio.gate import new_token

    chosen = list(folders) or [Path.cwd()]
    for folder in chosen:
        if not folder.is_dir():
            raise UsageError(f"{folder} is not a folder",
                             hint="give the folders with your exports: yukimap studio FOLDER")
    try:
        sock = bind(port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} is in use on 127.0.0.1",
                             hint="choose another with --port, or --port 0 for a free one"
                             ) from None
        raise
    token = new_token()
    url = address(sock.getsockname()[1], token)
    shown = ", ".join(str(f) for f in chosen)
    click.echo(f"yukimap studio for {shown}\n"
               f"Open this address in your browser (it carries the access token):\n"
               f"    {url}\n"
               "Stop it with Ctrl+C.", err=False)
    if not no_browser:
        webbrowser.open(url)
    serve(chosen, sock, token)
    return 0
