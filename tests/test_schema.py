"""The mapping file's schema: every mistake found at once, with line:column and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import build_files
from yukimap.errors import MappingError
from yukimap.model import Constant
from yukimap.schema import load_mapping

GOOD = """
version: 1
target: sales_invoices
source: {delimiter: ";", decimal_mark: ",", date_format: "%d-%m-%Y"}
group_by: Order
invoice:
  Reference: {column: Order}
  Date: {column: Order date}
lines:
  ProductQuantity: {column: Qty}
  Product: {Description: {column: Item}, SalesPrice: {column: Price}}
"""


def _problems(tmp_path: Path, text: str) -> list[tuple[int | None, str, str | None]]:
    with pytest.raises(MappingError) as info:
        load_mapping(build_files(tmp_path, {"m.yaml": text})["m.yaml"])
    return [(p.where.line, p.cause, p.hint) for p in info.value.problems]


def test_good_mapping_loads(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(GOOD)
    mapping = load_mapping(path)
    assert mapping.target.name == "sales_invoices"
    assert [s.name for s in mapping.header] == ["Reference", "Date"]
    assert [s.name for s in mapping.items[0].fields] == ["ProductQuantity", "Product.Description",
                                                         "Product.SalesPrice"]
    assert mapping.source.locale.decimal_mark == ","
    assert mapping.columns == {"Order", "Order date", "Qty", "Item", "Price"}


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    [(line, cause, hint)] = _problems(tmp_path, 'version: 1\nsource: {delimiter: ";"\n')
    assert line == 3
    assert cause.startswith("YAML syntax error")
    assert hint


def test_tab_indentation_gets_its_own_hint(tmp_path: Path) -> None:
    [(_, _, hint)] = _problems(tmp_path, "version: 1\ninvoice:\n\tReference: x\n")
    assert "tabs" in hint


def test_unknown_keys_suggest_the_nearest_and_list_the_allowed(tmp_path: Path) -> None:
    text = GOOD.replace("Reference: {column: Order}", "Referense: {colum: Order}")
    text = text.replace("group_by", "grop_by")
    problems = {cause: (line, hint) for line, cause, hint in _problems(tmp_path, text)}
    line, hint = problems["unknown key 'grop_by' in the mapping"]
    assert line == 5 and "did you mean 'group_by'?" in hint
    line, hint = problems["unknown key 'Referense' in invoice (not a field of an invoice)"]
    assert line == 7
    assert "did you mean 'Reference'?" in hint and "allowed here: Reference, Subject" in hint


def test_field_in_the_wrong_section(tmp_path: Path) -> None:
    text = GOOD.replace("  ProductQuantity: {column: Qty}", "  ProductQuantity: {column: Qty}\n"
                        "  Subject: {column: Item}")
    [(line, cause, hint)] = _problems(tmp_path, text)
    assert cause == "'Subject' does not belong in lines"
    assert hint == "Subject belongs under invoice:"


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    text = (GOOD.replace("Reference: {column: Order}", "Reference: {column: Order, required: yes}")
            .replace("Date: {column: Order date}", "Date: {column: Order date, type: decimal}")
            .replace("SalesPrice: {column: Price}", "SalesPrice: {column: Price, round: 9}")
            .replace('decimal_mark: ","', 'decimal_mark: ",", thousands_separator: ","'))
    causes = [cause for _, cause, _ in _problems(tmp_path, text)]
    assert "expected true or false" in causes
    assert "Yuki's Date is a date, not a number" in causes
    assert "expected a number from 0 to 6" in causes
    assert "the thousands separator cannot be the decimal mark too" in causes


def test_constants_are_checked_at_load_time(tmp_path: Path) -> None:
    text = GOOD.replace("Date: {column: Order date}", "Date: 31-02-2024\n  Process: misschien")
    problems = _problems(tmp_path, text)
    assert {cause for _, cause, _ in problems} == {
        "'31-02-2024' is not a date in the format dd-mm-yyyy", "'misschien' is not a yes/no value"}


def test_lookup_values_must_fit_the_field(tmp_path: Path) -> None:
    text = GOOD.replace("SalesPrice: {column: Price}",
                        'SalesPrice: {column: Price}, VATType: {column: VAT, map: {"21": hoog}}')
    [(_, cause, _)] = _problems(tmp_path, text)
    assert cause == "'hoog' is not a whole number"


def test_yaml_one_point_one_surprises_are_avoided(tmp_path: Path) -> None:
    # NO is Norway, not false; 21.00 keeps its decimals; 010 is ten, not octal eight.
    text = GOOD.replace("Date: {column: Order date}",
                        "Date: {column: Order date}\n  Contact: {CountryCode: NO}")
    text = text.replace("SalesPrice: {column: Price}", "SalesPrice: {column: Price},"
                        " VATPercentage: 21.00, GLAccountCode: 010")
    path = tmp_path / "m.yaml"
    path.write_text(text)
    mapping = load_mapping(path)
    values = {s.name: s.source.text for s in mapping.all_fields()
              if isinstance(s.source, Constant)}
    assert values["Contact.CountryCode"] == "NO"
    assert values["Product.VATPercentage"] == "21.00"
    assert values["Product.GLAccountCode"] == "010"


def test_duplicate_keys_are_errors(tmp_path: Path) -> None:
    text = GOOD.replace("Date: {column: Order date}", "Date: {column: Order date}\n"
                        "  Date: {column: Other}")
    [(line, cause, _)] = _problems(tmp_path, text)
    assert line == 9 and cause == "key 'Date' appears twice (first on line 8)"


def test_a_newer_mapping_version_is_refused(tmp_path: Path) -> None:
    [(_, cause, hint)] = _problems(tmp_path, GOOD.replace("version: 1", "version: 2"))
    assert "version 1, not 2" in cause and "upgrade" in hint


def test_unknown_target_lists_the_targets(tmp_path: Path) -> None:
    [(_, cause, hint)] = _problems(tmp_path, GOOD.replace("sales_invoices", "sales_invoice"))
    assert cause.startswith("expected one of sales_invoices")
    assert hint == "did you mean 'sales_invoices'?"


def test_expression_errors_are_found_at_load_time(tmp_path: Path) -> None:
    text = GOOD.replace("Reference: {column: Order}", "Reference: {expr: \"upper(Order\"}\n"
                        "  Subject: {expr: \"Order.x\"}\n  Remarks: {expr: \"lowr(Order)\"}")
    causes = [cause for _, cause, _ in _problems(tmp_path, text)]
    assert any(c.startswith("cannot read the expression") for c in causes)
    assert "'Order.x' is not allowed in an expression" in causes
    assert "unknown function lowr()" in causes


def test_a_field_needs_a_source(tmp_path: Path) -> None:
    text = GOOD.replace("Reference: {column: Order}", "Reference: {required: true}")
    [(_, cause, hint)] = _problems(tmp_path, text)
    assert cause == "say where the value comes from: column:, value: or expr:"


def test_empty_clear_and_nil_are_limited_to_fields_that_allow_them(tmp_path: Path) -> None:
    text = GOOD.replace("Reference: {column: Order}", "Reference: {column: Order, empty: nil}")
    text = text.replace("Description: {column: Item}", "Description: {column: Item, empty: clear}")
    problems = {cause: hint for _, cause, hint in _problems(tmp_path, text)}
    assert problems == {"only Category can be nil": "use omit or clear",
                        "Description cannot be sent empty": "use empty: omit"}


def test_shipped_mapping_by_name() -> None:
    assert load_mapping("webshop-orders").path.name == "webshop-orders.yaml"
    with pytest.raises(MappingError) as info:
        load_mapping("webshop-order")
    assert "did you mean 'webshop-orders'?" in (info.value.hint or "")


# --- found while the schema was split (issue 10): exit 1, once, never a crash ----------------


def test_a_target_that_is_not_a_name_is_a_located_error(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    (tmp_path / "m.yaml").write_text("version: 1\ntarget: {}\nlines: {}\n")
    result = run_cli("check", tmp_path / "m.yaml")
    assert result.code == 1
    assert "target: expected one of sales_invoices, journal, petty_cash" in result.stderr


def test_a_wrong_version_is_reported_once(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    (tmp_path / "m.yaml").write_text("version: x\ntarget: journal\nentries: {}\n")
    result = run_cli("check", tmp_path / "m.yaml")
    assert result.code == 1
    assert result.stderr.count("expected a whole number") == 1


def test_keys_a_let_would_ignore_are_refused(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    (tmp_path / "m.yaml").write_text(
        "version: 1\ntarget: journal\njournal: {JournalType: GeneralJournal}\nlet:\n"
        "  net: {debit: Debet, credit: Credit, type: decimal}\n"
        "entries:\n  - {GLAccount: '1000', EntryDate: {column: D}, Amount: {expr: net}}\n")
    result = run_cli("check", tmp_path / "m.yaml")
    assert result.code == 1
    assert result.stderr.splitlines()[2:] == [
        f"error: {tmp_path / 'm.yaml'}:5:16 let.net.debit: debit: does not work on a let value",
        '  fix: compute the amount with expr:, e.g. expr: "coalesce(Debet, 0) - coalesce(Credit,'
        ' 0)"',
        f"error: {tmp_path / 'm.yaml'}:5:31 let.net.credit: credit: does not work on a let"
        " value",
        '  fix: compute the amount with expr:, e.g. expr: "coalesce(Debet, 0) - coalesce(Credit,'
        ' 0)"']


def test_kind_lists_a_mapping_in_yukimap_mappings(tmp_path: Path) -> None:
    path = build_files(tmp_path, {"m.yaml": GOOD + "kind: webshop\n"})["m.yaml"]
    assert (load_mapping(path).kind, load_mapping(build_files(
        tmp_path, {"n.yaml": GOOD})["n.yaml"]).kind) == ("webshop", "other")
    [(line, cause, hint)] = _problems(tmp_path, GOOD + "kind: shop\n")
    assert (line, cause, hint) == (
        12, "expected one of bank, webshop, payment-provider, till, cash-book, other",
        "did you mean 'webshop'?")
