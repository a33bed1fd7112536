"""Shared pieces of the daemon's benchmark and soak test: a sandbox, a hot folder with a
config, the daemon as a subprocess, and its log."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ADMINISTRATION = "5a4db0c5-ad01-4e00-8000-000000000001"
sys.path.insert(0, str(ROOT))

from tests.test_send import MAPPING, orders  # noqa: E402 -- from the checkout (ROOT)
from yukimap.sandbox import SandboxServer, load_config  # noqa: E402

__all__ = ["ADMINISTRATION", "Bench", "orders"]


class Bench:
    def __init__(self, routes: int = 1, **timing: Any) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="yukimap-watch-bench-"))
        self.server = SandboxServer(replace(load_config(), daily_limit=1_000_000),
                                    db_path=self.tmp / "sandbox.sqlite")
        self.server.start()
        self.key = next(k.key for k in self.server.config.keys if k.name == "domain")
        (self.tmp / "m.yaml").write_text(MAPPING)
        (self.tmp / "settings.yaml").write_text("{}\n")
        self.folders = []
        lines = ["version: 1", f"defaults: {json.dumps(timing)}", "routes:"]
        for n in range(routes):
            folder = self.tmp / f"inbox{n}"
            folder.mkdir()
            self.folders.append(folder)
            lines += [f"  - name: r{n}", f"    folder: {folder.name}", "    patterns: ['*.csv']",
                      "    mapping: m.yaml", f"    administration: {ADMINISTRATION}"]
        self.config = self.tmp / "watch.yaml"
        self.config.write_text("\n".join(lines) + "\n")
        self.process: subprocess.Popen[bytes] | None = None
        self.log = self.tmp / "daemon.log"

    def env(self) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("YUKI")}
        return {**base, "PYTHONPATH": str(ROOT), "YUKI_BASE_URL": self.server.url,
                "YUKI_ACCESS_KEY": self.key, "YUKIMAP_STATE": str(self.tmp / "state"),
                "YUKIMAP_CONFIG": str(self.tmp / "settings.yaml"),
                "YUKIMAP_DAILY_BUDGET": "10000"}

    def start(self) -> subprocess.Popen[bytes]:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "yukimap", "watch", str(self.config), "--log-format",
                 "json"], cwd=self.tmp, env=self.env(), stdout=out, stderr=subprocess.STDOUT)
        return self.process

    def events(self) -> list[dict[str, Any]]:
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):  # a line the daemon was writing
                    found.append(json.loads(line))
        return found

    def wait(self, condition: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out; log: {self.log}")
            time.sleep(0.05)

    def drop(self, folder: Path, name: str, text: str) -> float:
        staging = self.tmp / "staging"
        staging.mkdir(exist_ok=True)
        (staging / name).write_text(text)
        os.replace(staging / name, folder / name)
        return time.time()

    def archived(self, folder: Path | None = None) -> list[Path]:
        found = []
        for root in [folder] if folder else self.folders:
            found += [p for p in (root / "archive").rglob("*.csv")
                      if not p.name.startswith(".")]
        return found

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=60)
            self.process = None
        self.server.shutdown()


def proc_stats(pid: int) -> tuple[float, float, float]:
    """(CPU seconds, resident MB now, peak resident MB) of a live process (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    status = dict(line.split(":", 1) for line in
                  Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return cpu, int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024
