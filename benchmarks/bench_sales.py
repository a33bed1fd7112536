"""Sales export -> validated XML on disk, at 10k, 100k and 1M rows (about 5 lines an invoice).

Run by hand: `make benchmark`, or `.venv/bin/python benchmarks/bench_sales.py [ROWS ...]`.
Each figure is the median of 5 runs in fresh processes, with (min-max). Stages: read (CSV
into a frame of text), map (types, lookups, expressions, Yuki's rules, the summary), render
(Jinja, alone), validate (lxml streaming, alone), and what `convert` does: render and
validate overlapped (libxml2 beside the renderer as the text is rendered), to disk. Peak
memory: the converting process, and a validator process beside it where one runs (libxml2's
own validator runs in a thread of the converting process, its memory in the first figure).
Side by side in the same run: the Jinja renderer against a hand-written f-string writer
for the same invoices (render only, no validation).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks._measure import peak_mb, runs, spread  # noqa: E402


def one(rows: int) -> dict[str, float]:
    from benchmarks.fstring_writer import write as fstring_write
    from benchmarks.generate import sales_export
    from yukimap.output import Produced, write_documents
    from yukimap.pipeline import convert_table
    from yukimap.read import read_table
    from yukimap.render import contexts, load_template, render_stream
    from yukimap.schema import load_mapping

    source = sales_export(rows)
    mapping = load_mapping(HERE / "sales-mapping.yaml")
    out = Path(tempfile.mkdtemp()) / "invoices.xml"
    start = time.perf_counter()
    table = read_table(source, mapping.source)
    read = time.perf_counter()
    result = convert_table(table, mapping)
    mapped = time.perf_counter()
    produced = Produced()
    write_documents(result, out, stats=produced)
    written = time.perf_counter()
    own, _ = peak_mb()
    validator = produced.validator_peak_kb / 1024

    from yukimap.resources import schema_path
    from yukimap.validate.streaming import Streaming

    validate_start = time.perf_counter()
    check = Streaming(str(schema_path("SalesInvoices.xsd")), "SalesInvoices")
    with open(out, "rb") as handle:
        while chunk := handle.read(1 << 20):
            check.feed(chunk)
    assert check.close() is None
    validate = time.perf_counter() - validate_start

    jinja_start = time.perf_counter()
    with open(out.with_suffix(".jinja"), "w", encoding="utf-8") as handle:
        docs = (d.context for d in contexts(result.mapped, mapping))
        handle.writelines(render_stream(load_template(mapping), {"documents": docs}))
    jinja = time.perf_counter() - jinja_start
    fstring_start = time.perf_counter()
    with open(out.with_suffix(".fstring"), "w", encoding="utf-8") as handle:
        handle.writelines(fstring_write(result.mapped, mapping))
    fstring = time.perf_counter() - fstring_start
    for leftover in out.parent.iterdir():
        leftover.unlink()
    return {"invoices": result.mapped.documents.height, "read": read - start,
            "map": mapped - read, "write": written - mapped, "total": written - start,
            "peak_mb": own, "validator_mb": validator, "jinja": jinja, "fstring": fstring,
            "validate": validate}


def report(rows: int, results: list[dict[str, float]]) -> str:
    col = lambda key: [r[key] for r in results]  # noqa: E731
    invoices = int(results[0]["invoices"])
    total = sorted(col("total"))[len(results) // 2]
    lines = [f"{rows:>9,} rows, {invoices:,} invoices: total {spread(col('total'))},"
             f" {rows / total:,.0f} rows/s, {invoices / total:,.0f} invoices/s"]
    for key, label in (("read", "read"), ("map", "map"), ("jinja", "render"),
                       ("validate", "validate"),
                       ("write", "render + validate, overlapped, to disk")):
        median = sorted(col(key))[len(results) // 2]
        lines.append(f"    {label:<38} {spread(col(key))}  {rows / median:>12,.0f} rows/s"
                     f"  {invoices / median:>10,.0f} invoices/s")
    lines.append(f"    peak memory {spread(col('peak_mb'), 'MB', 0)}; validator process"
                 f" {spread(col('validator_mb'), 'MB', 0)}")
    ratios = [r["jinja"] / r["fstring"] for r in results]
    lines.append(f"    render only: Jinja {spread(col('jinja'))} vs f-string writer"
                 f" {spread(col('fstring'))}: Jinja costs {spread(ratios, 'x', 2)}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        print(json.dumps(one(int(argv[1]))))
        return 0
    sizes = [int(a) for a in argv] or [10_000, 100_000, 1_000_000]
    for rows in sizes:
        print(report(rows, runs(Path(__file__), [str(rows)])), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
