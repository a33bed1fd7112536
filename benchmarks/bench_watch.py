"""The hot-folder daemon, measured (`make benchmark`; figures in the issue note):

- pickup: how long after its stability window a dropped file is claimed, native and polling;
- a burst of 500 files of 20 invoices each: all archived, calls used, time, peak memory;
- an idle daemon watching 20 routes: CPU time per hour and resident memory.

    python benchmarks/bench_watch.py [--burst N] [--idle SECONDS]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime

from benchmarks._watch import Bench, orders, proc_stats


def pickup(mode: str, samples: int = 8) -> list[float]:
    """Seconds from the end of the stability window to the claim."""
    window, poll = 1.0, 1.0
    bench = Bench(stable_seconds=window, poll_seconds=poll, rescan_seconds=60, mode=mode)
    try:
        bench.start()
        bench.wait(lambda: any(e["event"] == "started" for e in bench.events()), 30)
        late = []
        for n in range(samples):
            name = f"p{n}.csv"
            dropped = bench.drop(bench.folders[0], name, orders([f"P{mode[0]}{n}"]))
            bench.wait(lambda n=n: len(bench.archived()) > n, 30)
            claimed = next(e for e in bench.events() if e.get("file") == name
                           and e.get("state") == "CLAIMED")
            at = datetime.fromisoformat(claimed["time"]).timestamp()
            late.append(at - dropped - window)
        return late
    finally:
        bench.stop()


def burst(files: int, invoices: int = 20) -> dict[str, float]:
    bench = Bench(stable_seconds=1.0, rescan_seconds=60, mode="native")
    try:
        process = bench.start()
        bench.wait(lambda: any(e["event"] == "started" for e in bench.events()), 30)
        calls_before = len(bench.server.store.calls())
        started = time.monotonic()
        for n in range(files):
            numbers = [f"F{n}-{i}" for i in range(invoices)]
            bench.drop(bench.folders[0], f"burst-{n:04}.csv", orders(numbers))
        bench.wait(lambda: len(bench.archived()) >= files, 3600)
        seconds = time.monotonic() - started
        _, _, peak = proc_stats(process.pid)
        calls = bench.server.store.calls()[calls_before:]
        documents = len(bench.server.store.sales_invoices())
        return {"files": files, "invoices": files * invoices, "documents": documents,
                "seconds": seconds, "calls": len(calls),
                "document_calls": sum(c.operation == "ProcessSalesInvoices" for c in calls),
                "peak_mb": peak}
    finally:
        bench.stop()


def idle(routes: int, seconds: float) -> dict[str, float]:
    bench = Bench(routes=routes, rescan_seconds=60, mode="native")
    try:
        process = bench.start()
        bench.wait(lambda: any(e["event"] == "started" for e in bench.events()), 30)
        time.sleep(2)
        cpu0, _, _ = proc_stats(process.pid)
        time.sleep(seconds)
        cpu1, rss, _ = proc_stats(process.pid)
        per_hour = (cpu1 - cpu0) * 3600 / seconds
        return {"routes": routes, "cpu_seconds_per_hour": per_hour,
                "core_percent": per_hour / 36, "rss_mb": rss}
    finally:
        bench.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--idle", type=float, default=120.0)
    args = parser.parse_args()
    for mode in ("native", "polling"):
        late = pickup(mode)
        print(f"pickup ({mode}, window 1 s, poll 1 s): after the window median"
              f" {statistics.median(late):.2f} s, max {max(late):.2f} s", flush=True)
    found = burst(args.burst)
    print(f"burst: {found['files']} files x 20 invoices: {found['documents']} invoices in the"
          f" sandbox, all archived in {found['seconds']:.1f} s; calls {found['calls']}"
          f" ({found['document_calls']} ProcessSalesInvoices,"
          f" {found['invoices'] / max(found['document_calls'], 1):.0f} invoices a call), peak"
          f" {found['peak_mb']:.0f} MB", flush=True)
    quiet = idle(20, args.idle)
    print(f"idle: 20 routes over {args.idle:.0f} s: {quiet['cpu_seconds_per_hour']:.1f} CPU s"
          f" per hour ({quiet['core_percent']:.3f} % of a core), RSS {quiet['rss_mb']:.0f} MB",
          flush=True)


if __name__ == "__main__":
    main()
