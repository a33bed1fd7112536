"""The robustness suite: hostile inputs, each run through the real command line in a real
subprocess with a wall-clock and a memory limit, as a hot folder would run them.

`bounded(*args)` runs `yukimap ARGS` and checks the bounds every case must keep: it ends
within its time with exit code 0 or 1 (or a code the test names), no traceback, and peak
memory under 1 GB (the address space is capped at 2 GB, so a runaway allocation fails fast
instead of taking the machine; the peak is the kernel's figure for that process, from wait4,
taken by a launcher so that this process's own memory is not counted in it).
`here(*args)` is its twin in this process, for cases whose point is the text; `write` puts a
file in the test's folder, `yuki(sandbox)` is the environment that points yukimap at the
sandbox, and `block` turns an indented expected message into the lines a user reads.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from tests.conftest import build_files, run_cli
from tests.sandbox_fixtures import Sandbox

# Hypothesis: a short run in `make test`, a long one in `make fuzz` (HYPOTHESIS_PROFILE=fuzz).
settings.register_profile("default", max_examples=60, deadline=None)
settings.register_profile("fuzz", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

REPO = Path(__file__).resolve().parents[2]
MEMORY_CAP = 2 * 1024 ** 3  # address space of the child: the hard stop
PEAK_LIMIT_MB = 1024  # what every case must stay under
DEFAULT_SECONDS = 20.0


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    os.setsid()  # its own process group: a timeout kills the validator child too


def run_yukimap(args: list[str], cwd: Path, *, seconds: float = DEFAULT_SECONDS,
                env: dict[str, str] | None = None, stdin: bytes | None = None) -> Outcome:
    """`yukimap ARGS` in a subprocess; killed (with its children) after `seconds`. Settings
    of the machine running the tests (YUKI_*, YUKIMAP_*) do not leak in."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("YUKI")}
    full_env |= {"PYTHONUNBUFFERED": "1", "COLUMNS": "100",
                 "YUKIMAP_STATE": str(cwd / "state"),
                 "XDG_CONFIG_HOME": str(cwd / "config"), **(env or {})}
    started = time.monotonic()
    report, reported = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-c", _LAUNCHER, str(MEMORY_CAP), str(reported), *args], cwd=cwd,
        env=full_env, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(reported,),
        start_new_session=True)
    os.close(reported)
    chunks: dict[str, bytes] = {}
    readers = [threading.Thread(target=_drain, args=(stream, name, chunks), daemon=True)
               for name, stream in (("out", process.stdout), ("err", process.stderr))]
    for reader in readers:
        reader.start()
    if stdin is not None and process.stdin is not None:
        with contextlib.suppress(BrokenPipeError):
            process.stdin.write(stdin)
        process.stdin.close()
    status, _ = _wait(process.pid, started + seconds)
    process.returncode = status  # reaped here
    with os.fdopen(report, "rb") as answer:
        told = answer.read()
    for reader in readers:
        reader.join(5)
    out, err = chunks.get("out", b""), chunks.get("err", b"")
    if status is None:
        raise AssertionError(
            f"yukimap {' '.join(args)} did not finish within {seconds} s\n"
            f"stderr: {err.decode(errors='replace')[-2000:]}")
    code, peak_kb = json.loads(told)
    return Outcome(code, out.decode(errors="replace"), err.decode(errors="replace"),
                   time.monotonic() - started, peak_kb / 1024)


# yukimap is started by a small launcher, which forks it and reports its exit code and peak
# memory: a child's peak (wait4) counts its parent's high-water mark at the fork, so a child
# of this test process would carry the test's own memory (pytest, polars, its data) in it.
_LAUNCHER = """\
import json, os, resource, sys
cap, report, args = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
pid = os.fork()
if pid == 0:
    os.close(report)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    os.execv(sys.executable, [sys.executable, "-m", "yukimap", *args])
_, status, usage = os.wait4(pid, 0)
os.write(report, json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss]).encode())
"""


def _drain(stream: Any, name: str, into: dict[str, bytes]) -> None:
    into[name] = stream.read()


def _wait(pid: int, deadline: float) -> tuple[int | None, Any]:
    """Reap `pid` with os.wait4 (its own peak memory, not the largest child's so far);
    kill its process group at the deadline. (None, usage) when it had to be killed."""
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), usage
        if time.monotonic() > deadline:
            os.killpg(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            return None, usage
        time.sleep(0.01)


Bounded = Callable[..., Outcome]
Write = Callable[[str, str | bytes], Path]


@pytest.fixture
def bounded(tmp_path: Path) -> Iterator[Bounded]:
    """Run yukimap in `tmp_path` and assert the bounds; returns the outcome for more checks."""

    def run(*args: str | Path, codes: tuple[int, ...] = (0, 1),
            seconds: float = DEFAULT_SECONDS, env: dict[str, str] | None = None,
            stdin: bytes | None = None) -> Outcome:
        outcome = run_yukimap([str(a) for a in args], tmp_path, seconds=seconds, env=env,
                              stdin=stdin)
        assert "Traceback" not in outcome.output, outcome.output[-3000:]
        assert outcome.code in codes, (outcome.code, outcome.output[-3000:])
        assert outcome.peak_mb < PEAK_LIMIT_MB, f"peak {outcome.peak_mb:.0f} MB"
        return outcome

    yield run


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Bounded:
    """`bounded`'s checks (but time and memory) for the command line run in this process, in
    `tmp_path`: for cases where only the message is at stake, to keep the suite fast."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str | Path, codes: tuple[int, ...] = (0, 1),
            env: dict[str, str] | None = None, **_: object) -> Outcome:
        assert env is None, "limits are read once per process: use `bounded`"
        result = run_cli(*args)
        assert "Traceback" not in result.stderr, result.stderr
        assert result.code in codes, (result.code, result.stderr)
        return Outcome(result.code, result.stdout, result.stderr, 0.0, 0.0)

    return run


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """Write a file into the test's folder (text as UTF-8) and return its path."""

    return lambda name, content: build_files(tmp_path, {name: content})[name]


def block(text: str) -> str:
    """An indented triple-quoted block as the lines a user reads: dedented, one final newline."""
    return textwrap.dedent(text).strip("\n") + "\n"


def yuki(sandbox: Sandbox, **more: str) -> dict[str, str]:
    """The environment that points a `bounded` yukimap at the sandbox, with its domain key."""
    return {"YUKI_BASE_URL": sandbox.url, "YUKI_ACCESS_KEY": sandbox.key("domain"), **more}
