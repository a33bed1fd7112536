"""Bad input, end to end through the CLI: clear errors, every one at once, exit code 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, CliResult, build_files, run_cli

MAPPING = """
version: 1
target: sales_invoices
source: {delimiter: ";", decimal_mark: ",", date_format: "%d-%m-%Y"}
group_by: Order
invoice:
  Reference: {column: Order}
  Date: {column: Date, required: true}
  PaymentMethod: {column: Payment, map: {ideal: iDeal, bank: ElectronicTransfer}}
  Contact: {FullName: {column: Customer, required: true}}
lines:
  ProductQuantity: {column: Qty}
  Product:
    Description: {column: Item}
    SalesPrice: {column: Price}
    VATPercentage: {column: VAT}
    VATType: {column: VAT, map: {"21": 1, "9": 2}}
"""
HEADER = "Order;Date;Payment;Customer;Qty;Item;Price;VAT\n"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # messages then show the short file names a user types


def convert(tmp_path: Path, data: str | bytes, mapping: str = MAPPING,
            name: str = "orders.csv") -> CliResult:
    build_files(tmp_path, {name: data, "m.yaml": mapping})
    return run_cli("convert", name, "--mapping", "m.yaml", "--dry-run")


def test_good_file_converts(tmp_path: Path) -> None:
    result = convert(tmp_path, HEADER + "1;31-01-2024;ideal;Acme;2;Mok;12,50;21\n")
    assert result.code == 0, result.stderr
    assert "sales invoices  1" in result.stdout


def test_unparseable_date_and_amount_name_row_column_value_and_format(tmp_path: Path) -> None:
    result = convert(tmp_path, HEADER + "1;31-01-2024;ideal;Acme;2;Mok;12,50;21\n"
                     "2;gisteren;ideal;Acme;1;Mok;twaalf;21\n")
    assert result.code == 1
    assert "error: not a date in the format dd-mm-yyyy\n" \
           "  in orders.csv, column 'Date' (B), for invoice.Date\n" \
           "    invoice 2, row 3: 'gisteren'\n" in result.stderr
    assert "error: not a number with decimal mark ','\n" \
           "  in orders.csv, column 'Price' (G), for lines.Product.SalesPrice\n" \
           "    row 3: 'twaalf'\n" in result.stderr
    assert "Traceback" not in result.stderr


def test_errors_are_grouped_by_cause(tmp_path: Path) -> None:
    rows = "".join(f"{n};{n}-13-2024;ideal;Acme;1;Mok;1,00;21\n" for n in range(1, 13))
    result = convert(tmp_path, HEADER + rows)
    assert result.code == 1
    assert result.stderr.count("not a date in the format") == 1
    assert "invoice 1, row 2: '1-13-2024'" in result.stderr
    assert "… and 4 more values (4 rows)" in result.stderr
    assert "error: orders.csv: 1 problem in the data" in result.stderr  # one block, 12 rows


def test_ambiguous_decimal_mark_is_an_error_not_a_guess(tmp_path: Path) -> None:
    mapping = MAPPING.replace('decimal_mark: ",", ', "")
    result = convert(tmp_path, HEADER + "1;31-01-2024;ideal;Acme;1;Mok;1.000;21\n", mapping)
    assert result.code == 1
    assert "could be read two ways (is the dot or the comma the decimal mark?)" in result.stderr
    assert "row 2: '1.000'" in result.stderr
    assert 'set decimal_mark: ","' in result.stderr


def test_decimal_mark_is_read_from_the_file_when_it_proves_itself(tmp_path: Path) -> None:
    mapping = MAPPING.replace('decimal_mark: ",", ', "")
    result = convert(tmp_path, HEADER + "1;31-01-2024;ideal;Acme;1;Mok;1.000;21\n"
                     "1;;;;1;Mok;12,50;21\n", mapping)
    assert result.code == 0, result.stderr
    assert "decimal mark ','" in result.stdout
    assert "1,012.50" in result.stdout  # 1.000 is a thousand once 12,50 proves the comma


def test_missing_required_value(tmp_path: Path) -> None:
    result = convert(tmp_path, HEADER + "1;31-01-2024;ideal;;1;Mok;1,00;21\n")
    assert result.code == 1
    assert "error: is empty\n  in orders.csv, column 'Customer' (D), for" \
           " invoice.Contact.FullName\n    invoice 1, row 2\n" in result.stderr
    assert "fix: fill in the cell, or add default: VALUE to the field for empty cells\n" \
        in result.stderr


def test_lookup_value_not_in_the_table(tmp_path: Path) -> None:
    result = convert(tmp_path, HEADER + "1;31-01-2024;paypal;Acme;1;Mok;1,00;21\n")
    assert result.code == 1
    assert "error: not in the lookup table (map:)" in result.stderr
    assert "'paypal'" in result.stderr
    assert "add it to map: (known: ideal, bank), or set fallback: for other values" \
        in result.stderr


def test_lookup_fallback_is_used_for_unknown_values(tmp_path: Path) -> None:
    mapping = MAPPING.replace("bank: ElectronicTransfer}}",
                              "bank: ElectronicTransfer}, fallback: Unspecified}")
    result = convert(tmp_path, HEADER + "1;31-01-2024;paypal;Acme;1;Mok;1,00;21\n", mapping)
    assert result.code == 0, result.stderr


def test_column_not_in_the_file_lists_columns_nearest_first(tmp_path: Path) -> None:
    mapping = MAPPING.replace("{column: Qty}", "{column: Quantity}")
    result = convert(tmp_path, HEADER + "1;31-01-2024;ideal;Acme;1;Mok;1,00;21\n", mapping)
    assert result.code == 1
    assert "column 'Quantity' is not in orders.csv" in result.stderr
    assert "m.yaml:12:" in result.stderr  # where the mapping reads it
    assert "the file's columns, nearest first: 'Qty'," in result.stderr


def test_file_not_valid_in_its_encoding(tmp_path: Path) -> None:
    data = (HEADER + "1;31-01-2024;ideal;Caf\xe9 Zo\xeb;1;Mok;1,00;21\n").encode("cp1252")
    result = convert(tmp_path, data)
    assert result.code == 1
    assert "encoding: cp1252" in result.stderr
    assert "byte" in result.stderr and "line 2" in result.stderr


def test_cp1252_file_reads_with_the_encoding_set(tmp_path: Path) -> None:
    data = (HEADER + "1;31-01-2024;ideal;Caf\xe9 Zo\xeb;1;Mok;1,00;21\n").encode("cp1252")
    result = convert(tmp_path, data, MAPPING.replace('delimiter: ";"',
                                                     'delimiter: ";", encoding: cp1252'))
    assert result.code == 0, result.stderr


def test_empty_file(tmp_path: Path) -> None:
    result = convert(tmp_path, "")
    assert result.code == 1
    assert "empty" in result.stderr
    assert "Traceback" not in result.stderr


def test_truncated_excel_file(tmp_path: Path) -> None:
    whole = (REPO / "examples" / "pos-export.xlsx").read_bytes()
    source = tmp_path / "kassa.xlsx"
    source.write_bytes(whole[: len(whole) // 2])
    result = run_cli("convert", source, "--mapping", "pos-export", "--dry-run")
    assert result.code == 1
    assert "cannot open" in result.stderr and "export it again" in result.stderr
    assert "Traceback" not in result.stderr


def test_mapping_with_a_yaml_syntax_error(tmp_path: Path) -> None:
    result = convert(tmp_path, HEADER, MAPPING.replace('source: {delimiter: ";",',
                                                       'source: {delimiter: ";"'))
    assert result.code == 1
    assert "m.yaml is not valid YAML" in result.stderr
    assert "m.yaml:4:" in result.stderr


def test_unknown_mapping_key_suggests_the_nearest(tmp_path: Path) -> None:
    result = convert(tmp_path, HEADER, MAPPING.replace("group_by", "groupby"))
    assert result.code == 1
    assert "unknown key 'groupby' in the mapping" in result.stderr
    assert "did you mean 'group_by'?" in result.stderr


@pytest.mark.parametrize("args", [["convert"], ["convert", "x.csv"], ["nosuchcommand"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert run_cli(*args).code == 2


def test_dry_run_with_output_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("convert", REPO / "examples/webshop-orders.csv", "--mapping",
                     "webshop-orders", "--dry-run", "--output", tmp_path / "x.xml")
    assert result.code == 2
    assert not (tmp_path / "x.xml").exists()
