"""`yukimap studio`: a page on 127.0.0.1 to build a mapping on a file and see it work.

The app (app.py) serves the page and its API behind a token (gate.py), touches only files
inside the chosen folders (folders.py), and runs every dry run in a worker process within a
time bound (worker.py, dryrun.py). `serve` runs it with uvicorn.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING

from yukimap.studio.folders import Folders, OutsideFolders

if TYPE_CHECKING:
    from yukimap.studio.hotfolders import HotFolders

HOST = "127.0.0.1"  # never another address: the page reads and writes the user's files


def address(port: int, token: str) -> str:
    return f"http://{HOST}:{port}/?token={token}"


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (port 0: a free one), taken before the address is
    printed, so the printed port is the one served."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(64)
    return sock


def serve(folders: list[Path], sock: socket.socket, token: str,
          hot: HotFolders | None = None) -> None:
    """Serve the studio on `sock` until interrupted (with the hot folders' page for `hot`)."""
    import uvicorn

    from yukimap.studio.app import create_app

    port = sock.getsockname()[1]
    app = create_app(Folders(folders), token, cookie=f"yukimap-studio-{port}", hot=hot)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


__all__ = ["Folders", "OutsideFolders", "address", "bind", "serve"]
