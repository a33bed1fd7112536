"""A small run of each benchmark, so that they keep working (the real runs are by hand)."""

from __future__ import annotations

from benchmarks import bench_journal, bench_sales


def test_sales_benchmark_runs() -> None:
    result = bench_sales.one(2_000)
    assert result["invoices"] == 400 and result["total"] > 0
    assert "Jinja costs" in bench_sales.report(2_000, [result])


def test_journal_benchmark_runs() -> None:
    result = bench_journal.one(1_000)
    assert result["entries"] == 2_000 and result["seconds"] > 0
