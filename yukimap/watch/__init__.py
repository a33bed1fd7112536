"""`yukimap watch`: the hot-folder daemon.

Files dropped into a route's folder are claimed, sent through the same pipeline and send
journal as `yukimap send`, and moved to `archive/YYYY/MM/` or `failed/` (with a reason).

    config.py     the YAML config (routes), checked like a mapping; its JSON Schema
    scan.py       finding complete files (stability window, done files, ignored names)
    files.py      the life of a file on disk: claim, notes, archive, fail (atomic moves)
    state.py      the daemon's own SQLite state: claimed files and their states
    fate.py       what a send's receipt or error means for the file (one function)
    intake.py     the scanner thread: claims stable files; the watchers and their supervision
    turns.py      which files the sender takes next (routes in turn, files in claim order)
    sender.py     the sender worker: sends the next files through send, hands each its fate
    landing.py    a file's fate on disk: waiting with a note, archived or failed with notes
    reconcile.py  at start, the state and the folders agree (what a killed run left)
    shared.py     what those parts share: routes, counters, the lock, events, holds on sending
    log.py        the daemon's log: one line per event, text or JSON
    daemon.py     wires the parts: start and stop, signals, a thread that dies, the snapshot
    health.py     /healthz and /metrics on 127.0.0.1

Layer: above send (effects), below commands. Nothing here is imported by send.
"""
