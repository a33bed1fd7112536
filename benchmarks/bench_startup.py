"""Start-up: `yukimap --help` (the daemon and scripts call the CLI often). Median of 10."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks._measure import spread  # noqa: E402


def main() -> int:
    script = Path(sys.executable).with_name("yukimap")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "yukimap"]
    seconds = []
    for _ in range(10):
        start = time.perf_counter()
        subprocess.run([*command, "--help"], check=True, capture_output=True)
        seconds.append(time.perf_counter() - start)
    print(f"{' '.join(Path(c).name for c in command)} --help: {spread(seconds, 's', 3)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
