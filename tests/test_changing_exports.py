"""Exports change: columns are found by their names, so a column added anywhere changes
nothing, columns in another order change nothing, and a renamed column is an error that
names the nearest of the file's new names first (issue 12 item 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import build_files, run_cli
from tests.test_bad_input import HEADER, MAPPING
from yukimap.output import document_texts
from yukimap.pipeline import convert_file

ROWS = ["1;31-01-2024;ideal;Acme;2;Mok;12,50;21", "1;31-01-2024;ideal;Acme;1;Bord;8,00;9",
        "2;01-02-2024;bank;Beta;3;Kom;4,25;21"]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _xml(tmp_path: Path, header: str, rows: list[str]) -> list[str]:
    files = build_files(tmp_path, {"orders.csv": header + "".join(r + "\n" for r in rows),
                                   "m.yaml": MAPPING})
    return document_texts(convert_file(files["orders.csv"], files["m.yaml"]))


def test_an_added_column_and_another_order_change_nothing(tmp_path: Path) -> None:
    before = _xml(tmp_path, HEADER, ROWS)
    added = _xml(tmp_path, "Order;Channel;Date;Payment;Customer;Qty;Item;Price;VAT;Note\n",
                 [r.replace(";", ";web;", 1) + ";x" for r in ROWS])
    fields = HEADER.strip().split(";")
    order = [7, 6, 5, 4, 3, 2, 1, 0]
    moved = _xml(tmp_path, ";".join(fields[i] for i in order) + "\n",
                 [";".join(r.split(";")[i] for i in order) for r in ROWS])
    assert added == before and moved == before


def test_a_renamed_column_names_the_nearest_new_header_first(tmp_path: Path) -> None:
    build_files(tmp_path, {"orders.csv": HEADER.replace("Qty", "Quantity") + ROWS[0] + "\n",
                           "m.yaml": MAPPING})
    result = run_cli("convert", "orders.csv", "-m", "m.yaml", "--dry-run")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        "error: orders.csv does not have the column the mapping reads: Qty",
        "",
        "error: m.yaml:12:20 lines.ProductQuantity: column 'Qty' is not in orders.csv",
        "  fix: the file's columns, nearest first: 'Quantity', 'Item', 'Date', 'Payment',"
        " 'Customer', 'VAT', 'Price', 'Order'",
    ]
