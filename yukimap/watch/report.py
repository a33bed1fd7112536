"""What `yukimap status` shows of the daemon: read from its state, without calling Yuki."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from yukimap.watch.fate import when
from yukimap.watch.state import ARCHIVED, CLAIMED, FAILED, WAITING, WatchState

STALE_SECONDS = 10.0  # a heartbeat older than this: the daemon is not running


def watch_status(state_dir: Path) -> dict[str, Any] | None:
    """The daemon's status for `status --json`; None when it never ran here."""
    if not (state_dir / "watch.sqlite").exists():
        return None
    state = WatchState(state_dir)
    try:
        found = state.snapshot()
        counts = state.counts()
        waiting = [r for r in state.open_files() if r.state == WAITING]
        failed = state.recent(FAILED, 20)
    finally:
        state.close()
    if found is None:
        return None
    pid, started, heartbeat, snap = found
    age = time.time() - heartbeat
    running = age < STALE_SECONDS and not snap.get("stopped") and _alive(pid)
    routes: dict[str, Any] = {}
    for name, info in snap.get("routes", {}).items():
        routes[name] = {**info, "counts": {s: counts.get((name, s), 0)
                                           for s in (CLAIMED, WAITING, ARCHIVED, FAILED)},
                        "waiting": [{"file": r.name, "wait": r.wait, "reason": r.reason,
                                     "until": when(r.until) if r.until else None}
                                    for r in waiting if r.route == name],
                        "failed": [{"file": r.name, "reason": r.reason, "path": r.path}
                                   for r in failed if r.route == name]}
    problems = list(snap.get("problems", [])) if running else ["the daemon is not running"]
    return {"running": running, "pid": pid, "started": started,
            "heartbeat_seconds_ago": round(age, 1), "healthy": running and not problems,
            "problems": problems, "key_refused": snap.get("key_refused") if running else None,
            "paused": snap.get("paused", {}), "counters": snap.get("counters", {}),
            "health_url": snap.get("health"), "routes": routes}


def watch_lines(status: dict[str, Any] | None) -> list[str]:
    if status is None:
        return ["not set up here (yukimap watch CONFIG starts it)"]
    lines = []
    if status["running"]:
        lines.append(f"running: pid {status['pid']} since {status['started']}")
    else:
        lines.append(f"NOT RUNNING (last seen {status['heartbeat_seconds_ago']:.0f} s ago,"
                     f" pid {status['pid']})")
    if status["key_refused"]:
        refused = status["key_refused"]
        lines.append("!! YUKI REFUSED THE ACCESS KEY: every file waits: "
                     f"{refused['reason']} (next try {refused['until']})")
    lines.append("health: " + ("ok" if status["healthy"] else "; ".join(status["problems"])))
    for domain, pause in status["paused"].items():
        lines.append(f"calls for {domain} paused until {pause['until']}: {pause['reason']}")
    for name, route in status["routes"].items():
        counts = route["counts"]
        lines.append(f"route {name} ({route['folder']}, {route['mode']}): {counts[CLAIMED]}"
                     f" queued, {counts[WAITING]} waiting, {counts[FAILED]} failed,"
                     f" {counts[ARCHIVED]} archived")
        for item in route["waiting"][:10]:
            until = f" (next try {item['until']})" if item["until"] else ""
            lines.append(f"  waiting: {item['file']}: {item['reason']}{until}")
        for item in route["failed"][:5]:
            lines.append(f"  failed: {item['file']}: {item['reason']}")
    return lines


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True
