"""Helpers for the benchmarks: repeated runs in fresh processes, median (min-max), memory."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def runs(script: Path, args: Sequence[str], times: int = 5) -> list[dict[str, float]]:
    """Run `script --one ARGS` `times` times, each in a fresh process; its last line is JSON."""
    results = []
    for _ in range(times):
        done = subprocess.run([sys.executable, str(script), "--one", *args], check=True,
                              capture_output=True, text=True, cwd=ROOT)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


def spread(values: Sequence[float], unit: str = "s", digits: int = 2) -> str:
    """'median (min-max) unit'."""
    med, low, high = statistics.median(values), min(values), max(values)
    return f"{med:.{digits}f} {unit} ({low:.{digits}f}-{high:.{digits}f})"


def peak_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its finished children, in MB."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children
