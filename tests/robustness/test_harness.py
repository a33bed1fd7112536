"""The harness itself: it measures, and it stops what runs away."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.robustness.conftest import REPO, Bounded, run_yukimap


def test_a_good_file_runs_within_bounds(bounded: Bounded) -> None:
    outcome = bounded("convert", REPO / "examples/webshop-orders.csv", "-m", "webshop-orders",
                      "--dry-run", codes=(0,))
    assert 20 < outcome.peak_mb < 1024
    assert "sales invoices" in outcome.stdout


def test_a_process_that_runs_too_long_is_killed_and_reported(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="did not finish within 0.3 s"):
        run_yukimap(["sandbox", "--port", "0"], tmp_path, seconds=0.3)
