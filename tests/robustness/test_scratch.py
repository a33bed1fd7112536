"""A run's folders in the temporary folder (`scratch`): a `yukimap send` killed in the middle
of a big file leaves its slices there, and the next send takes them away, never a folder
whose run goes on, nor one made a moment ago (its maker may not hold its lock yet)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.robustness.conftest import run_yukimap
from tests.test_sliced import _orders

WEBSHOP = REPO / "mappings" / "webshop-orders.yaml"
ADMINISTRATION = "5a4db0c5-ad01-4e00-8000-000000000001"  # a dry run calls nothing


def _left(temp: Path) -> list[str]:
    return sorted(p.name.split("-")[1] for p in temp.iterdir() if p.name.startswith("yukimap-"))


def _backdate(folder: Path, seconds: float = 120) -> None:
    lock = folder / ".yukimap-owner.lock"
    then = time.time() - seconds
    os.utime(lock, (then, then))


def _holding(temp: Path) -> subprocess.Popen[str]:
    """A process that makes a folder and holds it until it is killed."""
    process = subprocess.Popen(
        [sys.executable, "-c", "from yukimap.scratch import Scratch; import time;"
         " held = Scratch('regroup'); print(held.path, flush=True); time.sleep(120)"],
        env={**os.environ, "TMPDIR": str(temp)}, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert Path(process.stdout.readline().strip()).parent == temp
    return process


def test_a_killed_sends_slices_are_taken_away_by_the_next_send(tmp_path: Path) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    export = tmp_path / "orders.csv"
    export.write_text(_orders(20_000), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUKI")} | {
        "TMPDIR": str(temp), "YUKIMAP_SLICE_BYTES": str(64 * 1024), "YUKI_ACCESS_KEY": "k"}
    send = subprocess.Popen(
        [sys.executable, "-m", "yukimap", "send", str(export), "-m", str(WEBSHOP), "--dry-run",
         "-a", ADMINISTRATION, "--state", str(tmp_path / "state")], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not list(temp.glob("yukimap-send-*/*.arrow")):  # its slices are on disk
            assert send.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        send.send_signal(signal.SIGKILL)
        send.wait()
    [folder] = temp.glob("yukimap-send-*")
    live = _holding(temp)  # another run, going on
    try:
        small = tmp_path / "small.csv"
        small.write_text(_orders(3), encoding="utf-8")
        args = ["send", str(small), "-m", str(WEBSHOP), "--dry-run", "-a", ADMINISTRATION]
        assert run_yukimap(args, tmp_path, env={"TMPDIR": str(temp)}).code == 0
        assert _left(temp) == ["regroup", "send"]  # the killed one is a moment old: kept
        for made in temp.iterdir():
            _backdate(made)
        assert run_yukimap(args, tmp_path, env={"TMPDIR": str(temp)}).code == 0
        assert not folder.exists()
        assert _left(temp) == ["regroup"]  # its run goes on
    finally:
        live.kill()
        live.wait()
    assert run_yukimap(args, tmp_path, env={"TMPDIR": str(temp)}).code == 0
    assert _left(temp) == []


def test_a_folder_is_taken_away_at_its_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    import tempfile

    from yukimap.scratch import Scratch

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with Scratch("output") as folder:
        (folder / "document.xml").write_text("<x/>")
        assert _left(tmp_path) == ["output"]
    assert _left(tmp_path) == []
