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
# The administration of the sandbox's default configuration (Bakkerij De Korenaar B.V.);
# journals carry it in the document.
ADMINISTRATION = "5a4db0c5-ad01-4e00-8000-000000000001"


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
        target = mapping.read_text(encoding="utf-8").split("target:", 1)[1].split()[0]
        extra = ["--administration", ADMINISTRATION] if target == "journal" else []
        out = OUT / example.stem
        out = out if target == "journal" else out.with_suffix(
            ".csv" if target == "petty_cash" else ".xml")
        yukimap("convert", rel, "--mapping", example.stem, *extra,
                "--output", str(out.relative_to(ROOT)))
    print(f"The documents are in {OUT.relative_to(ROOT)}/.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
