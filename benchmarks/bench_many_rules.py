"""A rules table's cost as it grows: the 100,000-row bank export of issue 14's target 3 with
its ten contains-rules (benchmarks/bank-rules.yaml), and with 90 and 990 rules more before
them, each looking for a payee's name in the name and the description (a bookkeeper's table
grows a rule per payee), none of which holds, so that the accounts stay the same.

Run by hand: `.venv/bin/python benchmarks/bench_many_rules.py [--times N]` (default 3).
Each is `yukimap convert` as a user runs it, a fresh process timed from outside (start-up,
reading, mapping, rendering, XSD validation, writing), the sizes interleaved; every run's
accounts are checked against the ten rules' run.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks._measure import spread  # noqa: E402
from benchmarks.bench_targets import (  # noqa: E402
    ADMINISTRATION,
    BANK_ROWS,
    Run,
    run,
    yukimap,
    yukimap_account_counts,
)

FIRST_RULE = "        - when: {any: [{column: Naam / Omschrijving, contains: \"albert heijn\"}"


def mapping(folder: Path, more: int) -> Path:
    """bank-rules.yaml with `more` rules before its ten, for payees the export does not have."""
    text = (HERE / "bank-rules.yaml").read_text(encoding="utf-8")
    assert text.count(FIRST_RULE) == 1
    extra = "".join(
        f"        - when: {{any: [{{column: Naam / Omschrijving, contains: \"payee {n:04d}\"}},"
        f" {{column: Mededelingen, contains: \"payee {n:04d}\"}}]}}\n"
        f"          value: \"4{n % 1000:03d}\"\n" for n in range(more))
    path = folder / f"rules-{more + 10}.yaml"
    path.write_text(text.replace(FIRST_RULE, extra + FIRST_RULE), encoding="utf-8")
    assert len(re.findall(r"^        - when:", path.read_text(encoding="utf-8"), re.M)) == more + 10
    return path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=3)
    args = parser.parse_args(argv)
    from benchmarks.generate import bank_export

    source = bank_export(BANK_ROWS)
    folder = Path(tempfile.mkdtemp())
    mappings = {10 + more: mapping(folder, more) for more in (0, 90, 990)}
    journal = folder / "journal.xml"
    found: dict[int, list[Run]] = {size: [] for size in mappings}
    accounts: Counter[str] | None = None
    for _ in range(args.times):
        for size, path in mappings.items():
            found[size].append(run([*yukimap(), "convert", str(source), "-m", str(path),
                                    "-a", ADMINISTRATION, "-o", str(journal)]))
            counted = yukimap_account_counts(journal)
            accounts = accounts or counted
            assert counted == accounts and sum(counted.values()) == BANK_ROWS, counted
    print(f"{BANK_ROWS:,} bank rows -> journal on disk, whole process, median (min-max):")
    for size, runs in found.items():
        print(f"    {size:>5} contains-rules: wall {spread([r.wall for r in runs])},"
              f" CPU {spread([r.cpu for r in runs])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
