"""`yukimap send` of a big sales export into the sandbox, as a user runs it: whole processes
timed from outside (the launcher of bench_targets: wall, CPU, peak memory from wait4).

Run: `.venv/bin/python benchmarks/bench_send.py [--rows N ...] [--times N] [--batch-size N]`
(part of `make benchmark`).

For each size (default 10,000 and 100,000 rows of the sales benchmark's export, 2,000 and
20,000 invoices) and each of --times rounds, with a sandbox and a state folder of its own:
`send --dry-run` (what would be sent, and the calls), `send` (everything, --batch-size
invoices a call, default 1,000), and `send` again (everything sent before: no call). Every
run is checked: its JSON receipt names every invoice, in the state the run should leave it
(to be sent, sent, sent before), with the calls it made; and the sandbox holds every invoice
once, with the export's total.

The sandbox runs in this process (a thread per call) and checks each call's document with
xmlschema, which takes most of a send's wall time; yukimap's own work is its CPU time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks._measure import spread  # noqa: E402
from benchmarks.bench_targets import ADMINISTRATION, Run, input_cents, run, yukimap  # noqa: E402
from benchmarks.generate import sales_export  # noqa: E402
from yukimap.sandbox import SandboxServer, load_config  # noqa: E402
from yukimap.send.receipt import ALREADY_SENT, PLANNED  # noqa: E402
from yukimap.sendlog import SENT  # noqa: E402

# each step: its name, its options, the state it leaves every invoice in
STEPS: tuple[tuple[str, list[str], str], ...] = (
    ("send --dry-run", ["--dry-run"], PLANNED), ("send", [], SENT),
    ("send again", [], ALREADY_SENT))


def one_round(source: Path, rows: int, batch: int, folder: Path) -> dict[str, Run]:
    """The three steps on a fresh sandbox and state folder, each checked."""
    invoices = (rows + 4) // 5
    server = SandboxServer(replace(load_config(), daily_limit=1_000_000),
                           db_path=folder / "sandbox.sqlite")
    server.start()
    key = next(k.key for k in server.config.keys if k.name == "domain")
    env = {"YUKI_BASE_URL": server.url, "YUKI_ACCESS_KEY": key,
           "YUKIMAP_STATE": str(folder / "state"), "YUKIMAP_DAILY_BUDGET": "10000"}
    found = {}
    try:
        for name, options, state in STEPS:
            receipt = folder / "receipt.json"
            found[name] = run([*yukimap(), "send", str(source), "-m",
                               str(HERE / "sales-mapping.yaml"), "-a", ADMINISTRATION,
                               "--batch-size", str(batch), "--receipt", str(receipt),
                               *options], env=env)
            told = json.loads(receipt.read_text())
            states = Counter(d["state"] for d in told["documents"])
            assert states == {state: invoices}, f"{name}: {states}, wanted {invoices} {state}"
        stored = server.store.sales_invoices(ADMINISTRATION)
        assert len({i.reference for i in stored}) == len(stored) == invoices, len(stored)
        cents = sum(int(i.total * 100) for i in stored)
        assert cents == input_cents(source), f"the sandbox holds {cents} cents"
    finally:
        server.shutdown()
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append")
    parser.add_argument("--times", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args(argv)
    print(f"yukimap send of the sales export into the sandbox, --batch-size {args.batch_size};"
          f" median (min-max) of {args.times} rounds, each on a fresh sandbox and state folder")
    for rows in args.rows or [10_000, 100_000]:
        source = sales_export(rows)
        rounds = []
        for _ in range(args.times):
            folder = Path(tempfile.mkdtemp(prefix="yukimap-bench-send-"))
            try:
                rounds.append(one_round(source, rows, args.batch_size, folder))
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        print(f"  {rows:,} rows, {(rows + 4) // 5:,} invoices:")
        for name, _, _ in STEPS:
            runs = [r[name] for r in rounds]
            print(f"    {name:15} wall {spread([r.wall for r in runs])}, CPU"
                  f" {spread([r.cpu for r in runs])}, peak"
                  f" {spread([r.peak_mb for r in runs], 'MB', 0)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
