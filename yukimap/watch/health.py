"""The daemon's HTTP endpoint on 127.0.0.1 (never another address):

    /healthz   200 "ok", or 503 with one line per problem: a watcher is dead, a folder's
               last full scan is too old or it cannot be read, the state database takes no
               write, Yuki refused the access key
    /metrics   the Prometheus text format: files seen, claimed, archived, failed, waiting,
               calls used, watcher restarts, the oldest waiting file's age
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from yukimap.i18n import tr
from yukimap.watch.state import WAITING, WatchState


class Daemon(Protocol):
    """What the endpoint reads of the daemon (daemon.py's Daemon)."""

    @property
    def state(self) -> WatchState | None: ...

    def snapshot(self) -> dict[str, Any]: ...


def serve(port: int, daemon: Daemon) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/healthz":
                problems = health_problems(daemon)
                self._answer(503 if problems else 200, "\n".join(problems or ["ok"]) + "\n")
            elif self.path == "/metrics":
                self._answer(200, metrics(daemon), "text/plain; version=0.0.4")
            else:
                self._answer(404, tr("not found: try /healthz or /metrics") + "\n")

        def _answer(self, status: int, body: str, kind: str = "text/plain") -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the daemon logs file state changes, not health probes

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def health_problems(daemon: Daemon) -> list[str]:
    problems = list(daemon.snapshot()["problems"])
    if daemon.state is None or not daemon.state.writable():
        problems.append(tr("the state database takes no write"))
    return problems


# The HELP texts of /metrics, a machine format read by Prometheus: English, as the names.
# i18n: Prometheus' HELP texts (a machine format)
_HELP = {
    "yukimap_watch_files_seen_total": "Files noticed in the folders.",
    "yukimap_watch_files_found_by_rescan_total":
        "Files that no event announced, found by the periodic rescan.",
    "yukimap_watch_files_claimed_total": "Files taken into processing/.",
    "yukimap_watch_files_sent_total": "Files archived (all in Yuki).",
    "yukimap_watch_files_failed_total": "Files moved to failed/.",
    "yukimap_watch_files_waiting": "Files waiting now.",
    "yukimap_watch_calls_total": "Yuki calls made by this daemon.",
    "yukimap_watch_watcher_restarts_total": "Watchers restarted after dying.",
    "yukimap_watch_oldest_waiting_seconds": "Age of the oldest waiting file (0: none).",
    "yukimap_watch_watcher_alive": "1 if the route's watcher runs.",
}


def metrics(daemon: Daemon) -> str:
    snap = daemon.snapshot()
    counters = snap["counters"]
    waiting = [r for r in daemon.state.open_files() if r.state == WAITING] if daemon.state else []
    oldest = min((_epoch(r.claimed_at) for r in waiting), default=None)
    lines: list[str] = []

    def metric(name: str, kind: str, value: float, labels: str = "") -> None:
        if not any(line.startswith(f"# HELP {name} ") for line in lines):
            lines.extend([f"# HELP {name} {_HELP[name]}", f"# TYPE {name} {kind}"])
        lines.append(f"{name}{labels} {value:g}")

    metric("yukimap_watch_files_seen_total", "counter", counters["seen"])
    metric("yukimap_watch_files_found_by_rescan_total", "counter", counters["found_by_rescan"])
    metric("yukimap_watch_files_claimed_total", "counter", counters["claimed"])
    metric("yukimap_watch_files_sent_total", "counter", counters["archived"])
    metric("yukimap_watch_files_failed_total", "counter", counters["failed"])
    metric("yukimap_watch_files_waiting", "gauge", len(waiting))
    metric("yukimap_watch_calls_total", "counter", counters["calls"])
    metric("yukimap_watch_watcher_restarts_total", "counter", counters["watcher_restarts"])
    metric("yukimap_watch_oldest_waiting_seconds", "gauge",
           time.time() - oldest if oldest is not None else 0)
    for name, route in snap["routes"].items():
        metric("yukimap_watch_watcher_alive", "gauge",
               1 if route["watcher_alive"] else 0, f'{{route="{_label(name)}"}}')
    return "\n".join(lines) + "\n"


def _label(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()
