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
    assert "  sales invoices  1\n" in result.stdout


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
    assert result.stderr == (  # one block for the 12 rows
        "error: orders.csv: 1 problem in the data\n"
        "\n"
        "error: not a date in the format dd-mm-yyyy\n"
        "  in orders.csv, column 'Date' (B), for invoice.Date (12 rows)\n"
        + "".join(f"    invoice {n}, row {n + 1}: '{n}-13-2024'\n" for n in range(1, 9))
        + "    … and 4 more values (4 rows)\n"
        '  fix: correct the values, or add their format under source: date_format:'
        ' ["%d-%m-%Y", "%m-%d-%Y"]\n'
        "       (it reads all 12 values: '1-13-2024' is 2024-01-13)\n")


def test_ambiguous_decimal_mark_is_an_error_not_a_guess(tmp_path: Path) -> None:
    mapping = MAPPING.replace('decimal_mark: ",", ', "")
    result = convert(tmp_path, HEADER + "1;31-01-2024;ideal;Acme;1;Mok;1.000;21\n", mapping)
    assert result.code == 1
    assert result.stderr == (
        "error: orders.csv: 1 problem in the data\n"
        "\n"
        "error: could be read two ways (is the dot or the comma the decimal mark?)\n"
        "  in orders.csv, column 'Price' (G), for lines.Product.SalesPrice\n"
        "    row 2: '1.000'\n"
        '  fix: set decimal_mark: "," (and thousands_separator: ".") or decimal_mark: "."'
        " under source:\n")


def test_decimal_mark_is_read_from_the_file_when_it_proves_itself(tmp_path: Path) -> None:
    mapping = MAPPING.replace('decimal_mark: ",", ', "")
    result = convert(tmp_path, HEADER + "1;31-01-2024;ideal;Acme;1;Mok;1.000;21\n"
                     "1;;;;1;Mok;12,50;21\n", mapping)
    assert result.code == 0, result.stderr
    assert "  note: decimal mark ',' (read from the values in Price, Qty, VAT)\n" in result.stdout
    # 1.000 is a thousand once 12,50 proves the comma
    assert "    EUR              1,012.50         212.63         1,225.13\n" in result.stdout


def test_missing_required_value(tmp_path: Path) -> None:
    result = convert(tmp_path, HEADER + "1;31-01-2024;ideal;;1;Mok;1,00;21\n")
    assert result.code == 1
    assert result.stderr == (
        "error: orders.csv: 1 problem in the data\n"
        "\n"
        "error: is empty\n"
        "  in orders.csv, column 'Customer' (D), for invoice.Contact.FullName\n"
        "    invoice 1, row 2\n"
        "  fix: fill in the cell, or add default: VALUE to the field for empty cells\n")


def test_lookup_value_not_in_the_table(tmp_path: Path) -> None:
    result = convert(tmp_path, HEADER + "1;31-01-2024;paypal;Acme;1;Mok;1,00;21\n")
    assert result.code == 1
    assert result.stderr == (
        "error: orders.csv: 1 problem in the data\n"
        "\n"
        "error: not in the lookup table (map:)\n"
        "  in orders.csv, column 'Payment' (C), for invoice.PaymentMethod\n"
        "    invoice 1, row 2: 'paypal'\n"
        "  fix: add it to map: (known: ideal, bank), or set fallback: for other values\n")


def test_lookup_fallback_is_used_for_unknown_values(tmp_path: Path) -> None:
    mapping = MAPPING.replace("bank: ElectronicTransfer}}",
                              "bank: ElectronicTransfer}, fallback: Unspecified}")
    result = convert(tmp_path, HEADER + "1;31-01-2024;paypal;Acme;1;Mok;1,00;21\n", mapping)
    assert result.code == 0, result.stderr


def test_column_not_in_the_file_lists_columns_nearest_first(tmp_path: Path) -> None:
    mapping = MAPPING.replace("{column: Qty}", "{column: Quantity}")
    result = convert(tmp_path, HEADER + "1;31-01-2024;ideal;Acme;1;Mok;1,00;21\n", mapping)
    assert result.code == 1
    assert result.stderr == (
        "error: orders.csv does not have the column the mapping reads: Quantity\n"
        "\n"
        "error: m.yaml:12:20 lines.ProductQuantity: column 'Quantity' is not in orders.csv\n"
        "  fix: the file's columns, nearest first: 'Qty', 'Payment', 'Date', 'Customer',"
        " 'Item', 'Price', 'VAT', 'Order'\n")


def test_file_not_valid_in_its_encoding(tmp_path: Path) -> None:
    data = (HEADER + "1;31-01-2024;ideal;Caf\xe9 Zo\xeb;1;Mok;1,00;21\n").encode("cp1252")
    result = convert(tmp_path, data)
    assert result.code == 1
    assert result.stderr == (
        "error: orders.csv is not valid UTF-8: the bytes E9 at byte offset 69 (line 2) cannot"
        " be read, in: 1;31-01-2024;ideal;Caf[E9] Zo\ufffd;1;Mok;1,00;21\n"
        "  fix: the file was probably saved by Excel on Windows; add encoding: cp1252 under"
        " source:\n")


def test_cp1252_file_reads_with_the_encoding_set(tmp_path: Path) -> None:
    data = (HEADER + "1;31-01-2024;ideal;Caf\xe9 Zo\xeb;1;Mok;1,00;21\n").encode("cp1252")
    result = convert(tmp_path, data, MAPPING.replace('delimiter: ";"',
                                                     'delimiter: ";", encoding: cp1252'))
    assert result.code == 0, result.stderr


def test_empty_file(tmp_path: Path) -> None:
    result = convert(tmp_path, "")
    assert result.code == 1
    assert result.stderr == ("error: orders.csv is empty\n"
                             "  fix: export the file again, with its rows\n")


def test_truncated_excel_file(tmp_path: Path) -> None:
    whole = (REPO / "examples" / "pos-export.xlsx").read_bytes()
    source = tmp_path / "kassa.xlsx"
    source.write_bytes(whole[: len(whole) // 2])
    result = run_cli("convert", source.name, "--mapping", "pos-export", "--dry-run")
    assert result.code == 1
    assert result.stderr == (
        "error: cannot open kassa.xlsx as an Excel workbook: it is not a complete zip file"
        " (File is not a zip file)\n"
        "  fix: the file may be incomplete (still being copied?) or damaged; export it again\n")


def test_mapping_with_a_yaml_syntax_error(tmp_path: Path) -> None:
    result = convert(tmp_path, HEADER, MAPPING.replace('source: {delimiter: ";",',
                                                       'source: {delimiter: ";"'))
    assert result.code == 1
    assert result.stderr == (
        "error: m.yaml is not valid YAML\n"
        "\n"
        "error: m.yaml:4:25 YAML syntax error: while parsing a flow mapping: expected ',' or"
        " '}', but got '<scalar>'\n"
        "  fix: check the indentation and the quotes around this line\n")


def test_unknown_mapping_key_suggests_the_nearest(tmp_path: Path) -> None:
    result = convert(tmp_path, HEADER, MAPPING.replace("group_by", "groupby"))
    assert result.code == 1
    assert result.stderr == (
        "error: m.yaml: 1 problem in the mapping\n"
        "\n"
        "error: m.yaml:5:10 groupby: unknown key 'groupby' in the mapping\n"
        "  fix: did you mean 'group_by'? (allowed here: version, target, name, description, kind,"
        " source, invoice, lines, skip_rows, group_by, skip_documents, let, template,"
        " empty_fields)\n")


@pytest.mark.parametrize("args", [["convert"], ["convert", "x.csv"], ["nosuchcommand"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert run_cli(*args).code == 2


def test_dry_run_with_output_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("convert", REPO / "examples/webshop-orders.csv", "--mapping",
                     "webshop-orders", "--dry-run", "--output", tmp_path / "x.xml")
    assert result.code == 2
    assert not (tmp_path / "x.xml").exists()
