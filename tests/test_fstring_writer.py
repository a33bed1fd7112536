"""The benchmark's f-string writer writes exactly what the Jinja template writes, so the two
can be timed against each other (benchmarks/bench_sales.py)."""

from __future__ import annotations

import pytest

from benchmarks.fstring_writer import write
from tests.conftest import REPO
from yukimap.output import document_text
from yukimap.pipeline import convert_file


@pytest.mark.parametrize("name,source", [("webshop-orders", "webshop-orders.csv"),
                                         ("pos-export", "pos-export.xlsx"),
                                         ("yuki-doc-example", "yuki-doc-example.csv")])
def test_fstring_writer_matches_the_template(name: str, source: str) -> None:
    result = convert_file(REPO / "examples" / source, name)
    assert "".join(write(result.mapped, result.mapping)) == document_text(result)
