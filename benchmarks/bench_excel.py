"""Excel: 100,000 rows read with fastexcel (calamine) into a frame of text.

Run by hand: `.venv/bin/python benchmarks/bench_excel.py [ROWS]`. The workbook is written
once with openpyxl (slow; cached in benchmarks/data/). Median of 5 runs (min-max), each in
a fresh process. For comparison, the same rows as CSV.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks._measure import runs, spread  # noqa: E402


def one(rows: int, kind: str) -> dict[str, float]:
    from benchmarks.generate import excel_export, sales_export
    from yukimap.model import Source
    from yukimap.read import read_table

    path = excel_export(rows) if kind == "xlsx" else sales_export(rows)
    source = Source(sheet="Verkopen") if kind == "xlsx" else Source(delimiter=";")
    start = time.perf_counter()
    table = read_table(path, source)
    return {"seconds": time.perf_counter() - start, "rows": table.frame.height}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        print(json.dumps(one(int(argv[1]), argv[2])))
        return 0
    rows = int(argv[0]) if argv else 100_000
    from benchmarks.generate import excel_export

    excel_export(rows)  # written once, outside the timing
    for kind in ("xlsx", "csv"):
        results = runs(Path(__file__), [str(rows), kind])
        seconds = [r["seconds"] for r in results]
        print(f"{kind}: {int(results[0]['rows']):,} rows read in {spread(seconds)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
