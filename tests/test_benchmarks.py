"""A small run of each benchmark, so that they keep working (the real runs are by hand)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import bench_journal, bench_rules, bench_sales
from benchmarks.generate import bank_export
from yukimap.pipeline import convert_file
from yukimap.schema import apply_options, load_mapping


def test_sales_benchmark_runs() -> None:
    result = bench_sales.one(2_000)
    assert result["invoices"] == 400 and result["total"] > 0
    assert "Jinja costs" in bench_sales.report(2_000, [result])


def test_journal_benchmark_runs() -> None:
    result = bench_journal.one(1_000)
    assert result["entries"] == 2_000 and result["seconds"] > 0


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
