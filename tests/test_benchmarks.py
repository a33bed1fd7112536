"""A small run of each benchmark, so that they keep working (the real runs are by hand)."""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks import bench_journal, bench_many_journals, bench_rules, bench_sales, bench_send
from benchmarks.generate import bank_export, sales_export
from tests.conftest import REPO
from yukimap.pipeline import convert_file
from yukimap.schema import apply_options, load_mapping


def test_sales_benchmark_runs() -> None:
    result = bench_sales.one(2_000)
    assert result["invoices"] == 400 and result["total"] > 0
    assert "Jinja costs" in bench_sales.report(2_000, [result])


def test_send_benchmark_runs(tmp_path: Path) -> None:
    """Each step's receipt and the sandbox are checked inside (an assertion fails)."""
    source = tmp_path / "sales.csv"
    lines = sales_export(2_000).read_text().splitlines(keepends=True)
    source.write_text("".join(lines[:101]))
    found = bench_send.one_round(source, 100, 7, tmp_path)
    assert list(found) == ["send --dry-run", "send", "send again"]
    assert all(r.wall > 0 and r.peak_mb > 0 for r in found.values())


def test_journal_benchmark_runs() -> None:
    result = bench_journal.one(1_000)
    assert result["entries"] == 2_000 and result["seconds"] > 0


def test_many_journals_benchmark_runs(tmp_path: Path) -> None:
    source = bench_many_journals.export(30, tmp_path)
    staged = bench_many_journals.stages(source, 30, tmp_path)  # checks a file a day
    assert staged["write"] > 0 and staged["peak_mb"] > 0


def test_rules_benchmark_mappings_convert_alike(tmp_path: Path) -> None:
    from yukimap.model import Rules

    files = bench_rules.mappings(tmp_path)
    source = bank_export(1_000)
    results = {kind: convert_file(source, apply_options(load_mapping(path),
                                                        bench_rules.ADMINISTRATION, None))
               for kind, path in files.items()}
    [ruled] = [s for s in results["rules"].mapping.all_fields() if isinstance(s.source, Rules)]
    assert isinstance(ruled.source, Rules) and len(ruled.source.rules) == 20
    # the rules give the shipped map's accounts (and 1200 for the pin deposits)
    assert (results["rules"].mapped.items["GLAccount"].to_list()
            == results["map"].mapped.items["GLAccount"].to_list())


def test_the_targets_benchmark_books_the_bank_rows_as_hledger_does(tmp_path: Path) -> None:
    """bench_targets' yukimap mapping and hledger rules give each row the same counter
    account (with hledger installed, also checked against hledger's own print)."""
    import shutil
    import subprocess

    from benchmarks import bench_targets
    from yukimap.output import write_documents

    source = bank_export(1_200)
    mapping = apply_options(load_mapping(bench_targets.HERE / "bank-rules.yaml"),
                            bench_targets.ADMINISTRATION, None)
    write_documents(convert_file(source, mapping), tmp_path / "journal.xml")
    ours = bench_targets.yukimap_account_counts(tmp_path / "journal.xml")
    # six counterparties in turn; the first four rules hold for none of them
    assert ours == {"4004": 200, "4005": 200, "4006": 200, "4007": 200, "4008": 200, "4009": 200}
    if shutil.which("hledger"):
        printed = subprocess.run(
            ["hledger", "-f", str(source), "--rules-file",
             str(bench_targets.HERE / "hledger-bank-rules.rules"), "print"],
            capture_output=True, text=True, check=True).stdout
        assert bench_targets.hledger_account_counts(printed) == ours


def test_the_targets_benchmark_tells_the_pace_of_the_machine() -> None:
    from benchmarks import bench_targets

    assert re.fullmatch(r"Python work \d+\.\d{3} s, memory copy \d+\.\d GB/s, validator \d+ MB/s"
                        r" on one core, \d\.\d\dx that on two", bench_targets.pace(1))


def test_the_targets_benchmark_checks_what_a_sales_run_made(tmp_path: Path) -> None:
    """Each timed run is checked against the export: invoices, lines and their total."""
    from benchmarks import bench_targets

    [run] = bench_targets.sales(2_000, 1, tmp_path)
    assert run.wall > 0 and run.peak_mb > 0
    broken = tmp_path / "broken.xml"
    broken.write_text("<SalesInvoice><InvoiceLine><ProductQuantity>2</ProductQuantity>"
                      "<SalesPrice>1.05</SalesPrice></InvoiceLine></SalesInvoice>")
    assert bench_targets.output_cents(broken) == 210


def test_the_targets_benchmark_sorts_the_sales_lines_far_apart(tmp_path: Path) -> None:
    """The export by product has every row, no invoice's lines together, and converts to
    the same invoices and total (which `sales` checks)."""
    from benchmarks import bench_targets
    from benchmarks.generate import sales_export

    source = sales_export(2_000)
    apart = bench_targets.by_product(source, tmp_path).read_text(encoding="utf-8")
    rows = apart.splitlines()
    assert sorted(rows) == sorted(source.read_text(encoding="utf-8").splitlines())
    orders = [row.split(";")[0] for row in rows[1:]]
    assert all(a != b for a, b in zip(orders, orders[1:]))
    [run] = bench_targets.sales(2_000, 1, tmp_path, apart=True)
    assert run.wall > 0 and not (tmp_path / "sales-by-product.csv").exists()


def test_the_targets_benchmark_counts_a_tag_that_spans_two_pieces(tmp_path: Path) -> None:
    from benchmarks import bench_targets

    path = tmp_path / "big.xml"
    piece = 1 << 24
    path.write_bytes(b"x" * (piece - 3) + b"<InvoiceLine>" + b"y" * 10 + b"<InvoiceLine>")
    assert bench_targets.count(path, b"<InvoiceLine>") == 2


def test_the_stages_of_a_file_in_slices_are_measured() -> None:
    """stages_sliced.py converts in slices (it fails when the file was converted whole) and
    says what the time went to."""
    import json
    import os
    import subprocess
    import sys

    from benchmarks.generate import sales_export

    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "stages_sliced.py"),
         str(sales_export(2_000)), str(REPO / "benchmarks" / "sales-mapping.yaml")],
        check=True, capture_output=True, text=True, cwd=REPO,
        env=os.environ | {"YUKIMAP_SLICE_BYTES": "16384"})
    found = json.loads(done.stdout)
    assert found["slices"] >= 9  # 160 KB in slices of 16 KB
    # read a slice ahead by one thread, mapped by another: each stage within the wall time
    assert 0 < found["read"] < found["wall"] and 0 < found["map"] < found["wall"]
    assert found["validators_cpu"] > 0
    assert 0 < found["waited"] < found["wall"] and 0 < found["render"] < found["wall"]


def test_the_ledger_export_is_one_journal_that_balances(tmp_path: Path) -> None:
    """The ledger export of target 1's journal with a date off balances as generated, so
    that the one amount the benchmark changes is what makes it fail."""
    from benchmarks import bench_targets
    from benchmarks.generate import ledger_export

    out = tmp_path / "ledger.xml"
    bench_targets.run([*bench_targets.yukimap(), "convert", str(ledger_export(2_000)), "-m",
                       str(bench_targets.HERE / "ledger-mapping.yaml"), "-a",
                       bench_targets.ADMINISTRATION, "-o", str(out)])
    assert bench_targets.count(out, b"<JournalEntry>") == 2_000

