"""`yukimap watch`: the hot-folder daemon.

Files dropped into a route's folder are claimed, sent through the same pipeline and send
journal as `yukimap send`, and moved to `archive/YYYY/MM/` or `failed/` (with a reason).

    config.py   the YAML config (routes), checked like a mapping; its JSON Schema
    scan.py     finding complete files (stability window, done files, ignored names)
    files.py    the life of a file on disk: claim, notes, archive, fail (atomic moves)
    state.py    the daemon's own SQLite state: claimed files and their states
    fate.py     what a send's receipt or error means for the file (one function)
    daemon.py   the loop: scanner, watcher supervision, the sender worker, signals
    health.py   /healthz and /metrics on 127.0.0.1

Layer: above send (effects), below commands. Nothing here is imported by send.
"""
