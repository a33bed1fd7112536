"""The send journal under hostile conditions, through the real command line: a closed pipe,
a busy state folder, a request that cannot be built, a lost, damaged or full state folder.
Real subprocesses, real files, and the Yuki sandbox over real HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.robustness.conftest import REPO


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`yukimap status | head -1`: the reader is gone before yukimap writes."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUKI")}
    env |= {"YUKIMAP_STATE": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path)}
    for command in (["status"], ["history"], ["mappings"]):
        process = subprocess.run([sys.executable, "-m", "yukimap", *command], cwd=REPO,
                                 env=env, stdout=write_end, stderr=subprocess.PIPE,
                                 timeout=30, check=False)
        assert (process.returncode, process.stderr) == (141, b""), command
    os.close(write_end)


def test_a_real_pipe_into_head(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUKI")}
    env |= {"YUKIMAP_STATE": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path)}
    shell = subprocess.run(
        f"{sys.executable} -m yukimap status | head -1; echo \"${{PIPESTATUS[0]}}\"",
        shell=True, executable="/bin/bash", cwd=REPO, env=env, capture_output=True,
        text=True, timeout=30, check=False)
    assert shell.stdout.splitlines()[0] == "Settings"
    assert shell.stdout.splitlines()[1] in ("0", "141")
    assert "Traceback" not in shell.stderr and "Exception ignored" not in shell.stderr
