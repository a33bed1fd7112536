"""Item 9 of issue 12: lines in the right place, and one meaning for an empty cell.

An empty cell is no value: it equals only an empty value (`x == ''`, empty(x)), so `==`
is false and `!=` true against anything else, and in a column test not_equals and not_in
hold for it while equals, in, contains, starts_with and matches do not. What needs a value,
arithmetic and the order comparisons (< <= > >=), is an error at the row, numbers, dates
and text alike. Lines a kind of item makes once per document (`once: true`, from the first
of its rows) can stand after the document's own lines (`place: last`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, build_files
from tests.test_expr import ROW, Row
from yukimap.expr import OPERATORS, ExprError, compile_expr
from yukimap.mapping import map_table
from yukimap.pipeline import convert_file
from yukimap.read import read_table
from yukimap.schema import load_mapping
from yukimap.schema.keys import CONDITION_KEYS


@pytest.mark.parametrize("source,expected", [
    ("Empty == ''", True), ("Empty != ''", False), ("Empty == 0", False),
    ("Empty != 0", True), ("Empty == 'x'", False), ("Empty != 'x'", True),
    ("Empty == Empty", True), ("0 != Empty", True), ("'' == Empty", True),
    ("Empty == date('01-02-2024')", False),
])
def test_an_empty_cell_equals_only_an_empty_value(source: str, expected: bool) -> None:
    assert compile_expr(source).evaluate(ROW) is expected


@pytest.mark.parametrize("source", [
    "Empty < 1", "Empty >= 0", "1 > Empty", "Empty < 'b'", "date('01-02-2024') > Empty",
    "Empty <= Empty"])
def test_an_empty_cell_in_an_order_comparison_is_an_error(source: str) -> None:
    with pytest.raises(ExprError) as info:
        compile_expr(source).evaluate(ROW)
    assert (info.value.cause, info.value.hint) == (
        "an empty value in a comparison",
        "test it with empty(x) first, or give it a value: coalesce(x, 0)")


def test_the_rule_is_written_where_the_reference_is_made_from() -> None:
    said = dict(OPERATORS)
    assert said["empty cells"] == (
        "an empty cell is no value: it equals only an empty value (x == '' and empty(x) are"
        " true for it; x == 0 is false, x != 0 true); arithmetic and < <= > >= with an empty"
        " cell are an error at its row (write coalesce(x, 0) or test empty(x) first); & and"
        " join() take it as ''")
    tests = {key.name: key.doc for key in CONDITION_KEYS}
    assert tests["not_in"] == "the value is none of these texts (an empty cell matches too)"
    assert tests["in"] == "the value is one of these texts (never an empty cell)"


MAPPING = """version: 1
target: journal
source: {delimiter: ";", decimal_mark: ","}
journal: {AdministrationID: 5a4db0c5-ad01-4e00-8000-000000000001, JournalType: GeneralJournal}
entries:
  - when: {column: Code, TEST}
    GLAccount: "1000"
    EntryDate: {column: Datum}
    Amount: {column: Bedrag}
    Description: {column: Code, default: "-"}
  - GLAccount: "4000"
    EntryDate: {column: Datum}
    Amount: {column: Bedrag, negate: true}
    Description: "x"
"""


@pytest.mark.parametrize("test,rows", [
    ("not_in: [A]", [3, 4]), ("not_equals: A", [3, 4]), ("in: [A]", [2]), ("equals: A", [2]),
    ("contains: A", [2]), ("starts_with: A", [2]), ("matches: '.*'", [2, 3]),
    ("empty: true", [4]), ("not_empty: true", [2, 3]),
])
def test_column_tests_on_an_empty_cell(tmp_path: Path, test: str, rows: list[int]) -> None:
    files = build_files(tmp_path, {"m.yaml": MAPPING.replace("TEST", test),
                                   "in.csv": "Datum;Code;Bedrag\n2024-11-01;A;1,00\n"
                                             "2024-11-01;B;2,00\n2024-11-01;;3,00\n"})
    mapping = load_mapping(files["m.yaml"])  # the rows each test picks, before balancing
    items = map_table(read_table(files["in.csv"], mapping.source), mapping).items
    assert items.filter(items["GLAccount"] == "1000")["__row__"].to_list() == rows


def test_a_line_made_once_per_invoice_can_stand_after_its_own_lines(tmp_path: Path) -> None:
    shipped = (REPO / "mappings" / "webshop-orders.yaml").read_text(encoding="utf-8")
    assert "    once: true\n    place: last\n" in shipped
    items = convert_file(REPO / "examples" / "webshop-orders.csv",
                         REPO / "mappings" / "webshop-orders.yaml").mapped.items
    first = items.filter(items["__doc__"] == 0)
    assert first["Description"].to_list() == [
        'Geurkaars "Tuin" groot', "Theezakjes biologisch, 20 st.", "Mok keramiek",
        "Verzendkosten"]
    # before: by row, then kind of item: the shipping line came right after the first line
    files = build_files(tmp_path, {"m.yaml": shipped.replace("    once: true\n    place: last\n",
                                                             "")})
    items = convert_file(REPO / "examples" / "webshop-orders.csv", files["m.yaml"]).mapped.items
    assert items.filter(items["__doc__"] == 0)["Description"].to_list()[:2] == [
        'Geurkaars "Tuin" groot', "Verzendkosten"]


def test_once_makes_one_line_per_document_from_the_first_row_its_when_picks(
        tmp_path: Path) -> None:
    mapping = """version: 1
target: sales_invoices
source: {delimiter: ";", decimal_mark: ","}
group_by: Order
invoice: {Reference: {column: Order}, Date: "2024-11-01", Contact: {FullName: Klant}}
lines:
  - ProductQuantity: "1"
    Product: {Description: {column: Item}, SalesPrice: {column: Price}, VATPercentage: "21",
              VATType: "1", VATIncluded: true}
  - when: {column: Shipping, not_empty: true}
    once: true
    place: last
    ProductQuantity: "1"
    Product: {Description: Verzending, SalesPrice: {column: Shipping}, VATPercentage: "21",
              VATType: "1", VATIncluded: true}
"""
    rows = ("Order;Item;Price;Shipping\n1;Mok;5,00;\n1;Bord;6,00;4,95\n1;Kom;7,00;4,95\n"
            "2;Vaas;9,00;\n")
    files = build_files(tmp_path, {"m.yaml": mapping, "in.csv": rows})
    items = convert_file(files["in.csv"], files["m.yaml"]).mapped.items
    assert items.select("__doc__", "__row__", "Product.Description").rows() == [
        (0, 2, "Mok"), (0, 3, "Bord"), (0, 4, "Kom"), (0, 3, "Verzending"), (1, 5, "Vaas")]


def test_once_and_place_are_checked(tmp_path: Path) -> None:
    from yukimap.errors import MappingError

    mapping = MAPPING.replace("TEST", "empty: true").replace(
        '  - GLAccount: "4000"', '  - place: first\n    once: yes please\n    GLAccount: "4000"')
    with pytest.raises(MappingError) as info:
        load_mapping(build_files(tmp_path, {"m.yaml": mapping})["m.yaml"])
    assert [(p.where.line, p.cause) for p in info.value.problems] == [
        (12, "expected true or false"), (11, "expected one of row, last")]


def test_row_tests_use_the_expression_rule_too() -> None:
    assert compile_expr("Empty != 0").evaluate(Row({"Empty": None})) is True
