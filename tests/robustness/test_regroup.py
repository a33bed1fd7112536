"""A big file's rows put together by document on disk (yukimap/regroup.py): the rows the
whole file's grouping gives, in its order, each document in one slice, in slices near the
size asked for however the documents' sizes change through the file."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import REPO
from yukimap.frames import ROW
from yukimap.read import read_slices
from yukimap.regroup import regrouped
from yukimap.schema import load_mapping

WEBSHOP = REPO / "mappings" / "webshop-orders.yaml"


def _export(folder: Path, keys: list[str | None]) -> Path:
    path = folder / "export.csv"
    text = io.StringIO()
    text.write("Order;Text\n")
    for number, key in enumerate(keys):
        text.write(f"{key or ''};line {number}\n")
    path.write_text(text.getvalue(), encoding="utf-8")
    return path


def _regrouped(path: Path, size: int, folder: Path) -> list[pl.DataFrame]:
    source = load_mapping(WEBSHOP).source
    return [table.frame for table in regrouped(read_slices(path, source, size), "Order",
                                               folder)]


def _expected(keys: list[str | None]) -> list[int]:
    """The rows (spreadsheet numbers) as the whole file groups them: by the order a key is
    first seen, each in the file's order; a row without a key with the row before it."""
    first: dict[str, int] = {}
    order, last = [], 0
    for key in keys:
        if key is not None:
            last = first.setdefault(key, len(first))
        order.append(last)
    return sorted(range(2, len(keys) + 2), key=lambda row: (order[row - 2], row))


@settings(max_examples=60, deadline=None)
@given(keys=st.lists(st.sampled_from(["A", "B", "C", "D", "E", "F", "G", "H", None]) | st.text(
    alphabet="0123456789", min_size=1, max_size=3), min_size=1, max_size=300),
       size=st.integers(30, 400))
def test_the_rows_are_the_whole_files_each_document_in_one_slice(
        keys: list[str | None], size: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("regroup")
    (folder / "spill").mkdir()
    slices = _regrouped(_export(folder, keys), size, folder / "spill")
    assert pl.concat(slices)[ROW].to_list() == _expected(keys)
    seen = [set(frame["Order"].drop_nulls().to_list()) for frame in slices]
    assert all(not (a & b) for n, a in enumerate(seen) for b in seen[n + 1:])
    assert list((folder / "spill").iterdir()) == []  # each file read is gone


def test_one_big_document_first_does_not_make_a_file_of_each_small_one(
        tmp_path: Path) -> None:
    # the first slices are one order of 20,000 lines; then 6,000 orders of one line each,
    # and the big order's last line at the end
    keys: list[str | None] = ["big"] * 20_000 + [f"o{n}" for n in range(6000)] + ["big"]
    spill = tmp_path / "spill"
    spill.mkdir()
    source = load_mapping(WEBSHOP).source
    slices, files = [], []
    for table in regrouped(read_slices(_export(tmp_path, keys), source, 80_000), "Order",
                           spill):
        files.append(len(list(spill.iterdir())))
        slices.append(table.frame)
    assert pl.concat(slices)[ROW].to_list() == _expected(keys)
    assert slices[0]["Order"].unique().to_list() == ["big"]
    # the small orders' ranges hold many each: about eight files a slice of them (not one
    # an order), and slices near the first's size
    assert files[0] <= 20 and len(slices) <= 4
