"""What `yukimap status` shows of the daemon: read from its state, without calling Yuki."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from yukimap.i18n import tr
from yukimap.watch.state import ARCHIVED, CLAIMED, FAILED, WAITING, WatchState, when

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
    problems = list(snap.get("problems", [])) if running else [tr("the daemon is not running")]
    return {"running": running, "pid": pid, "started": started,
            "heartbeat_seconds_ago": round(age, 1), "healthy": running and not problems,
            "problems": problems, "key_refused": snap.get("key_refused") if running else None,
            "paused": snap.get("paused", {}), "counters": snap.get("counters", {}),
            "health_url": snap.get("health"), "routes": routes}


def watch_lines(status: dict[str, Any] | None) -> list[str]:
    if status is None:
        return [tr("not set up here (yukimap watch CONFIG starts it)")]
    lines = []
    if status["running"]:
        lines.append(tr("running: pid {pid} since {started}", pid=status["pid"],
                        started=status["started"]))
    else:
        lines.append(tr("NOT RUNNING (last seen {seconds} s ago, pid {pid})",
                        seconds=f"{status['heartbeat_seconds_ago']:.0f}", pid=status["pid"]))
    if status["key_refused"]:
        refused = status["key_refused"]
        lines.append(tr("!! YUKI REFUSED THE ACCESS KEY: every file waits: {reason} (next try"
                        " {until})", reason=refused["reason"], until=refused["until"]))
    lines.append(tr("health: {health}", health=tr("ok") if status["healthy"]
                    else "; ".join(status["problems"])))
    for domain, pause in status["paused"].items():
        lines.append(tr("calls for {domain} paused until {until}: {reason}", domain=domain,
                        until=pause["until"], reason=pause["reason"]))
    for name, route in status["routes"].items():
        counts = route["counts"]
        lines.append(tr("route {name} ({folder}, {mode}): {queued} queued, {waiting} waiting,"
                        " {failed} failed, {archived} archived", name=name,
                        folder=route["folder"], mode=route["mode"], queued=counts[CLAIMED],
                        waiting=counts[WAITING], failed=counts[FAILED],
                        archived=counts[ARCHIVED]))
        for item in route["waiting"][:10]:
            lines.append(tr("  waiting: {file}: {reason} (next try {until})",
                            file=item["file"], reason=item["reason"], until=item["until"])
                         if item["until"] else
                         tr("  waiting: {file}: {reason}", file=item["file"],
                            reason=item["reason"]))
        for item in route["failed"][:5]:
            lines.append(tr("  failed: {file}: {reason}", file=item["file"],
                            reason=item["reason"]))
    return lines


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True
