"""`make soak`: the daemon killed with SIGKILL at random moments while files arrive, then a
count: every dropped file is in archive/ or failed/ (files lost: 0), every invoice is in the
sandbox exactly once (documents booked twice: 0).

    python benchmarks/soak_watch.py [--kills 200] [--seed 1]
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import random
import signal
import threading
import time

from benchmarks._watch import Bench, orders


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    bench = Bench(stable_seconds=0.2, rescan_seconds=1, mode="native", retry_seconds=0.05,
                  retry_max_seconds=0.5)
    folder = bench.folders[0]
    dropped: collections.Counter[str] = collections.Counter()
    invoices: set[str] = set()
    stop = threading.Event()

    def producer() -> None:
        n = 0
        while not stop.is_set():
            numbers = [f"S{n}-{i}" for i in range(rng.randint(1, 5))]
            if n and rng.random() < 0.1:  # a re-export: old invoices again, and a new one
                numbers = [f"S{n - 1}-0", f"S{n}-0"]
            text = orders(numbers)
            bench.drop(folder, f"soak-{n:05}.csv", text)
            dropped[hashlib.sha256(text.encode()).hexdigest()] += 1
            invoices.update(numbers)
            n += 1
            time.sleep(rng.uniform(0.02, 0.4))

    writer = threading.Thread(target=producer, daemon=True)
    writer.start()
    started = time.monotonic()
    for kill in range(args.kills):
        process = bench.start()
        time.sleep(rng.uniform(0.3, 3.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if kill % 20 == 19:
            print(f"{kill + 1} kills, {sum(dropped.values())} files dropped", flush=True)
    stop.set()
    writer.join()
    bench.start()
    total = sum(dropped.values())
    # Settled: every file archived, failed, or waiting for a person's decision (killed during
    # a call that Yuki's lookup cannot confirm: yukimap never guesses).
    bench.wait(lambda: len(_finals(folder)) + len(_decide(folder)) == total, 900)
    decide = _decide(folder)
    found = collections.Counter(hashlib.sha256(p.read_bytes()).hexdigest()
                                for p in _finals(folder) + decide)
    lost = sum((dropped - found).values())
    references = [i.reference for i in bench.server.store.sales_invoices()]
    twice = sum(1 for n in collections.Counter(references).values() if n > 1)
    missing = len(invoices - set(references) - _invoices(decide))
    failed = len(list((folder / "failed").glob("*.error.txt")))
    bench.stop()
    print(f"soak: {args.kills} SIGKILLs in {time.monotonic() - started:.0f} s; {total} files"
          f" dropped, {total - lost} archived or failed ({failed} failed); files lost: {lost};"
          f" {len(decide)} file(s) wait for a person's decision; invoices {len(invoices)}, in"
          f" the sandbox {len(set(references))}, missing {missing}; documents booked twice:"
          f" {twice}")
    raise SystemExit(1 if lost or twice or missing else 0)


def _finals(folder):  # type: ignore[no-untyped-def]
    notes = (".waiting.txt", ".error.txt", ".error.json", ".note.txt")
    places = list((folder / "archive").rglob("*.csv")) + list((folder / "failed").glob("*.csv"))
    return [p for p in places if not p.name.endswith(notes) and not p.name.startswith(".")
            and ".rejected" not in p.name]


def _decide(folder):  # type: ignore[no-untyped-def]
    notes = (folder / "processing").glob("*.waiting.txt")
    return [n.with_name(n.name[:-len(".waiting.txt")]) for n in notes
            if "no answer came back" in n.read_text()]


def _invoices(files) -> set[str]:  # type: ignore[no-untyped-def]
    return {line.split(";")[0] for p in files for line in p.read_text().splitlines()[1:]}


if __name__ == "__main__":
    main()
