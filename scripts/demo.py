"""`make demo`: convert every shipped example with its mapping and show what it amounts to.

Each example in examples/ has a mapping of the same name in mappings/. The documents are
written to out/; a dry run of each is printed first so the summary shows on screen.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out"


def yukimap(*args: str) -> None:
    command = [sys.executable, "-m", "yukimap", *args]
    print("$ yukimap " + " ".join(args), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)
    print(flush=True)


def main() -> int:
    OUT.mkdir(exist_ok=True)
    yukimap("mappings")
    for example in sorted((ROOT / "examples").iterdir()):
        mapping = ROOT / "mappings" / f"{example.stem}.yaml"
        if example.suffix not in (".csv", ".xlsx", ".xls", ".ods") or not mapping.exists():
            continue
        rel = str(example.relative_to(ROOT))
        out = OUT / (example.stem + (".csv" if "petty" in example.stem else ".xml"))
        yukimap("convert", rel, "--mapping", example.stem, "--output", str(out.relative_to(ROOT)))
    print(f"The documents are in {OUT.relative_to(ROOT)}/.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
