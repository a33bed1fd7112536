"""The harness of the hot-folder tests: `yukimap watch` as a real subprocess, the sandbox as
Yuki over real HTTP, real folders; small timings through the config; conditions polled with
a timeout instead of fixed sleeps; the invariants of hot-folder.md §4 checked after each.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.sandbox_fixtures import ADM_KORENAAR, Sandbox
from tests.test_send import HEADER, MAPPING, orders

__all__ = ["HEADER", "MAPPING", "Watch", "config_text", "orders"]

REPO = Path(__file__).resolve().parents[2]
FAST = {"stable_seconds": 0.3, "rescan_seconds": 1, "poll_seconds": 0.1,
        "retry_seconds": 0.05, "retry_max_seconds": 0.4, "recheck_seconds": 0.3,
        "key_retry_seconds": 0.5}


def config_text(mode: str, routes: list[dict[str, Any]] | None = None,
                **top: Any) -> str:
    routes = routes or [{"name": "shop", "folder": "inbox", "patterns": ["*.csv"],
                         "mapping": "m.yaml", "administration": ADM_KORENAAR}]
    data = {"version": 1, "defaults": {**FAST, "mode": mode}, "routes": routes, **top}
    return json.dumps(data, indent=2)  # JSON is YAML


class Watch:
    """One test's hot folder, config and daemon process(es)."""

    def __init__(self, tmp: Path, sandbox: Sandbox, mode: str) -> None:
        self.tmp = tmp
        self.sandbox = sandbox
        self.mode = mode
        self.inbox = tmp / "inbox"
        self.inbox.mkdir()
        (tmp / "m.yaml").write_text(MAPPING)
        (tmp / "settings.yaml").write_text("{}\n")
        self.config = tmp / "watch.yaml"
        self.config.write_text(config_text(mode))
        self.key = sandbox.key("domain")
        self.process: subprocess.Popen[bytes] | None = None
        self.logs: list[Path] = []
        self.dropped: Counter[str] = Counter()

    def env(self, **extra: str) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("YUKI")}
        return {**base, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1",
                "YUKI_BASE_URL": self.sandbox.url, "YUKI_ACCESS_KEY": self.key,
                "YUKIMAP_STATE": str(self.tmp / "state"),
                "YUKIMAP_CONFIG": str(self.tmp / "settings.yaml"), **extra}

    def start(self, *args: str, fault: str = "", key: str | None = None,
              wait: bool = True) -> subprocess.Popen[bytes]:
        log = self.tmp / f"daemon{len(self.logs)}.log"
        self.logs.append(log)
        env = self.env(YUKIMAP_WATCH_FAULT=fault)
        if key is not None:
            env["YUKI_ACCESS_KEY"] = key
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "yukimap", "watch", str(self.config), "--log-format",
                 "json", *args], cwd=self.tmp, env=env, stdout=out, stderr=subprocess.STDOUT)
        if wait:
            self.wait_for(lambda: any(e["event"] == "started" for e in self.events()),
                          "the daemon to start")
        return self.process

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)
        self.process = None
        return code

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def log_text(self) -> str:
        return "".join(p.read_text(errors="replace") for p in self.logs if p.exists())

    def events(self) -> list[dict[str, Any]]:
        found = []
        for line in self.log_text().splitlines():
            if line.startswith("{"):
                try:
                    found.append(json.loads(line))
                except ValueError:
                    continue
        return found

    def states(self, name: str) -> list[str]:
        return [e["state"] for e in self.events() if e.get("event") == "file"
                and e.get("file") == name]

    def wait_for(self, condition: Callable[[], Any], what: str, timeout: float = 20) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = condition()
            if found:
                return found
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"the daemon exited ({self.process.returncode}) while"
                                     f" waiting for {what}:\n{self.log_text()[-3000:]}")
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}:\n{self.log_text()[-3000:]}")

    # --- files ----------------------------------------------------------------------

    def drop(self, name: str, content: str | bytes) -> Path:
        """Write a file elsewhere and rename it in: complete at once, as careful producers do."""
        data = content.encode() if isinstance(content, str) else content
        staging = self.tmp / "staging"
        staging.mkdir(exist_ok=True)
        (staging / name).write_bytes(data)
        os.replace(staging / name, self.inbox / name)
        self.dropped[_sha(data)] += 1
        return self.inbox / name

    def archived(self) -> list[Path]:
        return sorted(p for p in (self.inbox / "archive").rglob("*")
                      if p.is_file() and not _is_note(p.name) and not p.name.startswith("."))

    def failed(self) -> list[Path]:
        folder = self.inbox / "failed"
        return sorted(p for p in folder.iterdir() if p.is_file() and not _is_note(p.name)
                      and ".rejected" not in p.name and not p.name.startswith(".")
                      ) if folder.is_dir() else []

    def processing(self) -> list[Path]:
        folder = self.inbox / "processing"
        return sorted(p for p in folder.iterdir() if p.is_file() and not _is_note(p.name)
                      and not p.name.startswith(".")) if folder.is_dir() else []

    def wait_archived(self, count: int, timeout: float = 20) -> list[Path]:
        return self.wait_for(lambda: len(self.archived()) >= count and self.archived(),
                             f"{count} archived file(s)", timeout)

    def wait_failed(self, count: int, timeout: float = 20) -> list[Path]:
        return self.wait_for(lambda: len(self.failed()) >= count and self.failed(),
                             f"{count} failed file(s)", timeout)

    def status_text(self) -> list[str]:
        out = subprocess.run([sys.executable, "-m", "yukimap", "status"], cwd=self.tmp,
                             env=self.env(), capture_output=True, timeout=30, check=False)
        assert out.returncode == 0, out.stderr.decode()
        return out.stdout.decode().splitlines()

    def status_json(self) -> dict[str, Any]:
        out = subprocess.run([sys.executable, "-m", "yukimap", "status", "--json"],
                             cwd=self.tmp, env=self.env(), capture_output=True, timeout=30,
                             check=False)
        assert out.returncode == 0, out.stderr.decode()
        return dict(json.loads(out.stdout))

    def http(self, path: str) -> tuple[int, str]:
        url = next(e["health"] for e in self.events() if e["event"] == "started")
        try:
            with urllib.request.urlopen(url + path.lstrip("/"), timeout=5) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    # --- the invariants ---------------------------------------------------------------

    def check_invariants(self) -> None:
        """I1 no file lost, I2 nothing accepted twice, I3 the state is sound, I4 every failed
        file has its reason; and no secret in any log."""
        places = [p for p in self.inbox.rglob("*") if p.is_file() and not _is_note(p.name)
                  and ".rejected" not in p.name and not p.name.startswith(".")]
        found = Counter(_sha(p.read_bytes()) for p in places)
        for digest, count in self.dropped.items():
            assert found[digest] >= count, f"a dropped file is lost ({digest[:12]})"
        references = [i.reference for i in self.sandbox.store.sales_invoices(ADM_KORENAAR)]
        twice = [r for r, n in Counter(references).items() if n > 1]
        assert not twice, f"accepted twice: {twice}"
        for path in self.failed():
            for suffix in (".error.txt", ".error.json"):
                assert path.with_name(path.name + suffix).is_file(), f"{path.name}: no reason"
        state = self.tmp / "state" / "watch.sqlite"
        if state.exists():
            with sqlite3.connect(state) as db:
                assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        log = self.log_text()
        assert self.key not in log and "Traceback" not in log, log[-2000:]
        for session in self.sandbox.store.session_ids():
            assert session not in log


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _is_note(name: str) -> bool:
    return name.endswith((".waiting.txt", ".error.txt", ".error.json", ".note.txt"))
