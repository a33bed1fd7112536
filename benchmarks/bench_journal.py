"""Bank CSV -> a validated general journal on disk, against hledger on the same CSV.

Run by hand: `.venv/bin/python benchmarks/bench_journal.py [ROWS]` (default 100,000).
yukimap uses the shipped mapping bank-ing (two entries per row, the counter account from a
lookup table, balance checks per date); hledger reads the same file with equivalent CSV
rules (benchmarks/hledger-bank.rules) and prints its journal. Median of 5 runs (min-max).
When hledger is not installed (Debian: apt install hledger), its figure is taken from the
issue that set the target: hledger 1.25, 100,000 bank CSV rows in about 22 s and 865 MB.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks._measure import peak_mb, runs, spread  # noqa: E402

HLEDGER_REFERENCE = {"rows": 100_000, "seconds": 22.0, "peak_mb": 865.0,
                     "source": "the yukimap performance issue (hledger 1.25, 100k bank rows)"}
ADMINISTRATION = "5a4db0c5-ad01-4e00-8000-000000000001"


def one(rows: int) -> dict[str, float]:
    from benchmarks.generate import bank_export
    from yukimap.output import write_documents
    from yukimap.pipeline import convert_file
    from yukimap.schema import apply_options, load_mapping

    source = bank_export(rows)
    mapping = apply_options(load_mapping("bank-ing"), ADMINISTRATION, None)
    out = Path(tempfile.mkdtemp()) / "journal.xml"
    start = time.perf_counter()
    result = convert_file(source, mapping)
    write_documents(result, out)
    seconds = time.perf_counter() - start
    entries = result.mapped.items.height
    out.unlink()
    return {"seconds": seconds, "entries": entries, "peak_mb": peak_mb()[0]}


def hledger(rows: int) -> dict[str, float] | None:
    binary = shutil.which("hledger")
    if binary is None:
        return None
    from benchmarks.generate import bank_export

    source = bank_export(rows)
    start = time.perf_counter()
    process = subprocess.Popen([binary, "-f", str(source), "--rules-file",
                                str(HERE / "hledger-bank.rules"), "print"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"hledger failed: {process.stderr.read().decode()[:500]}")
    return {"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        print(json.dumps(one(int(argv[1]))))
        return 0
    rows = int(argv[0]) if argv else 100_000
    ours = runs(Path(__file__), [str(rows)])
    seconds = [r["seconds"] for r in ours]
    median = sorted(seconds)[len(seconds) // 2]
    print(f"yukimap: {rows:,} bank rows -> {int(ours[0]['entries']):,} journal entries,"
          f" validated on disk: {spread(seconds)}, {rows / median:,.0f} rows/s,"
          f" peak {spread([r['peak_mb'] for r in ours], 'MB', 0)}")
    theirs = [h for h in (hledger(rows) for _ in range(5)) if h is not None]
    if theirs:
        h_seconds = [h["seconds"] for h in theirs]
        h_rate = rows / sorted(h_seconds)[len(h_seconds) // 2]
        print(f"hledger (installed, same file): {spread(h_seconds)}, {h_rate:,.0f} rows/s,"
              f" peak {spread([h['peak_mb'] for h in theirs], 'MB', 0)}")
    else:
        ref = HLEDGER_REFERENCE
        h_rate = ref["rows"] / ref["seconds"]  # type: ignore[operator]
        print(f"hledger not installed; its figure from {ref['source']}: {h_rate:,.0f} rows/s")
    print(f"yukimap is {rows / median / h_rate:.1f}x hledger's rows per second")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
