"""Sales export -> validated XML: time and peak memory per stage, at 10k, 100k and 1M rows.

Run by hand: `make benchmark`, or `.venv/bin/python benchmarks/bench_sales.py [ROWS ...]`.
Each size runs in its own process, so peak memory (ru_maxrss) belongs to that size alone.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def measure(rows: int) -> dict[str, object]:
    from benchmarks.generate import sales_export
    import tempfile

    from yukimap.pipeline import convert_table
    from yukimap.read import read_table
    from yukimap.render import contexts, load_template, render_stream
    from yukimap.schema import load_mapping
    from yukimap.validate import Locator, xsd_problems

    source = sales_export(rows)
    mapping = load_mapping(HERE / "sales-mapping.yaml")
    times: dict[str, float] = {}
    start = time.perf_counter()
    table = read_table(source, mapping.source)
    times["read"] = time.perf_counter() - start

    start = time.perf_counter()
    mapped = convert_table(table, mapping).mapped  # map, Yuki's rules, summary
    times["map"] = time.perf_counter() - start

    out = Path(tempfile.mkdtemp()) / "out.xml"
    start = time.perf_counter()
    with open(out, "w", encoding="utf-8") as handle:
        documents = (d.context for d in contexts(mapped, mapping))
        handle.writelines(render_stream(load_template(mapping), {"documents": documents}))
    times["render"] = time.perf_counter() - start

    from benchmarks.fstring_writer import write

    start = time.perf_counter()
    with open(out.with_suffix(".fstring"), "w", encoding="utf-8") as handle:
        handle.writelines(write(mapped, mapping))
    fstring = time.perf_counter() - start
    out.with_suffix(".fstring").unlink()

    start = time.perf_counter()
    invalid = xsd_problems(out, "SalesInvoices.xsd", Locator(mapped, table.file, mapping.target))
    times["validate"] = time.perf_counter() - start
    assert not invalid, invalid[:3]
    out.unlink()

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": rows, "invoices": mapped.documents.height, "times": times, "peak_mb": peak_mb,
            "fstring": fstring}


def report(result: dict[str, object]) -> str:
    rows, invoices = result["rows"], result["invoices"]
    times: dict[str, float] = result["times"]  # type: ignore[assignment]
    total = sum(times.values())
    lines = [f"{rows:>9,} rows, {invoices:,} invoices: total {total:.2f} s,"
             f" peak memory {result['peak_mb']:.0f} MB"]
    for stage, seconds in times.items():
        lines.append(f"    {stage:<9} {seconds:8.2f} s  {rows / seconds:>12,.0f} rows/s"
                     f"  {invoices / seconds:>10,.0f} invoices/s")
    fstring = float(result["fstring"])  # type: ignore[arg-type]
    lines.append(f"    (f-string writer for the same invoices: {fstring:.2f} s; Jinja costs"
                 f" {times['render'] / fstring:.1f}x)")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(int(argv[1]))))
        return 0
    sizes = [int(a) for a in argv] or [10_000, 100_000, 1_000_000]
    for rows in sizes:
        done = subprocess.run([sys.executable, __file__, "--one", str(rows)], check=True,
                              capture_output=True, text=True)
        print(report(json.loads(done.stdout.splitlines()[-1])), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
