"""The map stage and Yuki's rules, on small inline files through the library API."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, build_files
from yukimap.errors import DataError, DocumentError, MappingError
from yukimap.output import check_documents, document_text, write_documents
from yukimap.pipeline import ConversionResult, convert_file

HEAD = """
version: 1
target: sales_invoices
source: {delimiter: ";", decimal_mark: ",", date_format: "%d-%m-%Y"}
"""
LINES = """
lines:
  ProductQuantity: {column: Qty}
  Product: {Description: {column: Item}, SalesPrice: {column: Price}}
"""
CSV = "Order;Customer;Qty;Item;Price;Status\n"


def convert(tmp_path: Path, mapping: str, rows: str, header: str = CSV) -> ConversionResult:
    files = build_files(tmp_path, {"m.yaml": mapping, "in.csv": header + rows})
    return convert_file(files["in.csv"], files["m.yaml"])


def problems(tmp_path: Path, mapping: str, rows: str, header: str = CSV) -> list[tuple]:
    with pytest.raises(DataError) as info:
        convert(tmp_path, mapping, rows, header)
    return [(p.cause, p.where.rows, p.value, p.severity) for p in info.value.problems]


def invoices(result: ConversionResult) -> list[dict]:
    return [d.context for d in result.documents()]


def test_without_group_by_each_row_is_an_invoice(tmp_path: Path) -> None:
    mapping = HEAD + "invoice: {Reference: {column: Order}}" + LINES
    result = convert(tmp_path, mapping, "1;A;1;x;1,00;\n2;B;2;y;2,00;\n")
    assert [i["Reference"] for i in invoices(result)] == ["1", "2"]
    assert [len(i["lines"]) for i in invoices(result)] == [1, 1]


def test_group_by_takes_header_fields_from_the_first_row(tmp_path: Path) -> None:
    mapping = HEAD + "group_by: Order\ninvoice: {Reference: {column: Order}, Contact:" \
                     " {FullName: {column: Customer}}}" + LINES
    result = convert(tmp_path, mapping, "7;Acme;1;x;1,00;\n8;Beta;1;z;1,00;\n7;;2;y;2,00;\n")
    docs = invoices(result)
    assert [(d["Reference"], d["Contact"]["FullName"]) for d in docs] == [("7", "Acme"),
                                                                           ("8", "Beta")]
    assert [line["Product"]["Description"] for line in docs[0]["lines"]] == ["x", "y"]
    assert [d.item_rows for d in result.documents()] == [(2, 4), (3,)]


def test_rows_of_one_group_that_disagree_are_an_error(tmp_path: Path) -> None:
    mapping = HEAD + "group_by: Order\ninvoice: {Contact: {FullName: {column: Customer}}}" + LINES
    found = problems(tmp_path, mapping, "7;Acme;1;x;1,00;\n7;Other;2;y;2,00;\n")
    assert found == [("rows of one invoice disagree on the column 'Customer'", (2, 3),
                      "Acme / Other", "error")]
    accepting = mapping.replace("group_by: Order", "group_by: {column: Order, on_conflict: first}")
    result = convert(tmp_path, accepting, "7;Acme;1;x;1,00;\n7;Other;2;y;2,00;\n")
    assert invoices(result)[0]["Contact"]["FullName"] == "Acme"


def test_fill_down_continues_a_group(tmp_path: Path) -> None:
    mapping = HEAD + "group_by: {column: Order, fill_down: true}\n" \
                     "invoice: {Reference: {column: Order}}" + LINES
    result = convert(tmp_path, mapping, "7;A;1;x;1,00;\n;;2;y;2,00;\n8;B;1;z;1,00;\n")
    assert [len(i["lines"]) for i in invoices(result)] == [2, 1]
    without = mapping.replace("{column: Order, fill_down: true}", "Order")
    assert problems(tmp_path, without, "7;A;1;x;1,00;\n;;2;y;2,00;\n")[0][:2] == (
        "no value in the column 'Order' that makes the sales invoices", (3,))


def test_skip_rows_and_skip_documents(tmp_path: Path) -> None:
    mapping = HEAD + """
group_by: Order
skip_rows:
  - {column: Item, matches: "^(SUB)?TOTA+L$", ignore_case: true}
  - {column: Qty, empty: true}
skip_documents: {column: Status, equals: cancelled}
invoice: {Reference: {column: Order}}
""" + LINES
    rows = ("1;A;1;x;1,00;\n1;;;Subtotal;1,00;\n2;B;1;y;1,00;cancelled\n2;;5;z;1,00;\n"
            "3;C;1;w;1,00;\n3;;1;TOTAL;9,00;\n")
    result = convert(tmp_path, mapping, rows)
    assert [i["Reference"] for i in invoices(result)] == ["1", "3"]
    assert result.summary.skipped == {"Item matches '^(SUB)?TOTA+L$'": 2}
    assert result.summary.skipped_documents == {"Status equals 'cancelled'": 1}


def test_several_line_kinds_keep_row_order(tmp_path: Path) -> None:
    mapping = HEAD + """
group_by: Order
invoice: {Reference: {column: Order}}
lines:
  - ProductQuantity: {column: Qty}
    Product: {Description: {column: Item}, SalesPrice: {column: Price}}
  - when: {column: Status, equals: ship}
    ProductQuantity: 1
    Product: {Description: Verzending, SalesPrice: "4.95"}
"""
    result = convert(tmp_path, mapping, "1;A;1;x;1,00;ship\n1;;2;y;2,00;\n")
    lines = invoices(result)[0]["lines"]
    assert [ln["Product"]["Description"] for ln in lines] == ["x", "Verzending", "y"]
    assert lines[1]["Product"]["SalesPrice"] == "4.95"


def test_an_invoice_whose_rows_give_no_lines_is_an_error(tmp_path: Path) -> None:
    mapping = HEAD + """
group_by: Order
invoice: {Reference: {column: Order}}
lines:
  when: {column: Status, not_equals: gift}
  ProductQuantity: {column: Qty}
  Product: {Description: {column: Item}}
"""
    found = problems(tmp_path, mapping, "1;A;1;x;1,00;gift\n2;B;1;y;1,00;\n")
    # the article follows the document's word: "an invoice", "a journal"
    assert found == [("an invoice without lines", (2,), None, "error")]


def test_let_and_expressions_compute_exactly(tmp_path: Path) -> None:
    mapping = HEAD + """
let:
  net: {expr: "Price * Qty"}
invoice:
  Reference: {expr: "'INV-' & Order"}
  Subject: {expr: "upper(left(Customer, 3)) & ' ' & text(net)"}
lines:
  ProductQuantity: {column: Qty}
  LineAmount: {expr: "round(net * 1.21, 2)"}
  Product: {Description: {column: Item}}
"""
    result = convert(tmp_path, mapping, "1;acme;3;x;0,10;\n")
    [doc] = invoices(result)
    assert doc["Reference"] == "INV-1" and doc["Subject"] == "ACM 0.30"
    assert doc["lines"][0]["LineAmount"] == "0.36"  # 0.363 exactly, never 0.36300000001


def test_a_let_with_an_expression_goes_through_its_map_as_a_field_does(
        tmp_path: Path) -> None:
    """expr: + map: on a let translates the expression's result, as it does on a field (it
    was silently ignored on a let: found by the Shopify pack's author)."""
    mapping = HEAD + """
let:
  kind: {expr: "lower(Item)", map: {mok: Servies}, fallback: Overig}
invoice:
  Reference: {column: Order}
  Subject: {expr: "kind & ' ' & Order"}
lines:
  ProductQuantity: {column: Qty}
  Product: {Description: {expr: "kind"}, SalesPrice: {column: Price}}
"""
    result = convert(tmp_path, mapping, "1;A;1;MOK;1,00;\n2;B;1;Vaas;2,00;\n")
    assert [i["Subject"] for i in invoices(result)] == ["Servies 1", "Overig 2"]
    assert [i["lines"][0]["Product"]["Description"] for i in invoices(result)] == [
        "Servies", "Overig"]


def test_expression_errors_name_the_rows(tmp_path: Path) -> None:
    mapping = HEAD + "invoice: {Subject: {expr: \"text(Price / Qty)\"}}" + LINES
    found = problems(tmp_path, mapping, "1;A;0;x;1,00;\n2;B;0;y;1,00;\n")
    assert found == [("expression 'text(Price / Qty)': division by zero", (2, 3), None, "error")]


def test_too_many_decimals_is_an_error_and_round_fixes_it(tmp_path: Path) -> None:
    mapping = HEAD + "invoice: {Reference: {column: Order}}" + LINES
    found = problems(tmp_path, mapping, "1;A;1;x;68,1525;\n")
    assert found == [("has more than 2 decimals, which Yuki refuses in SalesPrice", (2,), "68.1525",
                      "error")]
    rounded = mapping.replace("SalesPrice: {column: Price}",
                              "SalesPrice: {column: Price, round: 2}")
    result = convert(tmp_path, rounded, "1;A;1;x;68,1525;\n")
    assert invoices(result)[0]["lines"][0]["Product"]["SalesPrice"] == "68.15"
    [changed] = [w for w in result.warnings if w.cause.startswith("round:")]
    assert changed.value == "68.15 instead of 68.1525 (-0.0025)"  # and it says what it changed


def test_long_descriptions_warn_or_truncate(tmp_path: Path) -> None:
    mapping = HEAD + "invoice: {Reference: {column: Order}}" + LINES
    long = "Geurkaars " * 7  # 70 characters
    result = convert(tmp_path, mapping, f"1;A;1;{long};1,00;\n")
    assert "longer than 60 characters; Yuki will silently cut it" in [
        w.cause for w in result.warnings]
    assert invoices(result)[0]["lines"][0]["Product"]["Description"] == long.strip()
    cut = mapping.replace("Description: {column: Item}",
                          "Description: {column: Item, truncate: true}")
    result = convert(tmp_path, cut, f"1;A;1;{long};1,00;\n")
    assert len(invoices(result)[0]["lines"][0]["Product"]["Description"]) == 60


def test_empty_values_omit_clear_and_default(tmp_path: Path) -> None:
    mapping = HEAD + """
invoice:
  Reference: {column: Order}
  Contact:
    FullName: {column: Customer}
    City: {column: Status}
    CoCNumber: {column: Status, empty: clear}
    CountryCode: {column: Status, default: NL}
""" + LINES
    result = convert(tmp_path, mapping, "1;Acme;1;x;1,00;\n")
    assert "<City" not in document_text(result)
    assert "<CoCNumber />" in document_text(result)
    assert "<CountryCode>NL</CountryCode>" in document_text(result)
    everywhere = mapping.replace("version: 1", "version: 1\nempty_fields: clear")
    assert "<City />" in document_text(convert(tmp_path, everywhere, "1;Acme;1;x;1,00;\n"))


def test_a_group_with_nothing_given_is_left_out(tmp_path: Path) -> None:
    mapping = HEAD + "invoice: {Reference: {column: Order}, Contact: {City: {column: Status}}}" \
        + LINES
    assert "<Contact>" not in document_text(convert(tmp_path, mapping, "1;Acme;1;x;1,00;\n"))


def test_lookup_ignoring_case(tmp_path: Path) -> None:
    mapping = HEAD + "invoice: {PaymentMethod: {column: Status, map: {IDEAL: iDeal}," \
                     " ignore_case: true}}" + LINES
    result = convert(tmp_path, mapping, "1;A;1;x;1,00;iDeal\n")
    assert invoices(result)[0]["PaymentMethod"] == "iDeal"


def test_impossible_vat_pairs(tmp_path: Path) -> None:
    mapping = HEAD + "invoice: {Reference: {column: Order}}" + """
lines:
  Product: {Description: {column: Item}, SalesPrice: {column: Price},
            VATType: {column: Qty}, VATPercentage: {column: Status}}
"""
    found = problems(tmp_path, mapping, "1;A;4;x;1,00;21\n2;A;1;y;1,00;9\n3;A;1;z;1,00;21\n"
                                        "4;A;9;w;1,00;21\n")
    assert [(f[1], f[2]) for f in found] == [((2,), "VATType 4 with 21%"),
                                             ((3,), "VATType 1 with 9%"),
                                             ((5,), "VATType 9 with 21%")]


def test_process_needs_a_reference_and_references_are_unique(tmp_path: Path) -> None:
    mapping = HEAD + "group_by: Order\ninvoice: {Reference: {column: Customer}, Process: true}" \
        + LINES
    found = problems(tmp_path, mapping, "1;;1;x;1,00;\n2;R1;1;y;1,00;\n3;R1;1;z;1,00;\n")
    causes = {f[0]: f[1] for f in found}
    assert causes["Process is true but there is no Reference (invoice number)"] == (2,)
    assert causes["the same invoice number (Reference) on more than one invoice"] == (3, 4)


def test_strict_choices(tmp_path: Path) -> None:
    mapping = HEAD + "invoice: {Contact: {Gender: {column: Status}}}" + LINES
    found = problems(tmp_path, mapping, "1;A;1;x;1,00;male\n")
    assert found == [("not one of Male, Female, Unknown", (2,), "male", "error")]


def test_custom_payment_methods_only_warn(tmp_path: Path) -> None:
    mapping = HEAD + "invoice: {PaymentMethod: {column: Status}}" + LINES
    result = convert(tmp_path, mapping, "1;A;1;x;1,00;Tikkie\n")
    assert [w.cause for w in result.warnings if w.cause.startswith("not one")] == [
        "not one of Yuki's standard values (Unspecified, ElectronicTransfer, DirectCollection,"
        " CreditCard, DebitCard, Cash, iDeal, Online, ReceivedElectronically, ReceivedCash,"
        " ToSettle)"]


def test_own_template(tmp_path: Path) -> None:
    (tmp_path / "mine.xml.j2").write_text(
        "<SalesInvoices xmlns=\"urn:xmlns:http://www.theyukicompany.com:salesinvoices\">"
        "{% for i in documents %}<SalesInvoice>{{ el('Reference', i.Reference) }}"
        "<InvoiceLines>{% for l in i.lines %}<InvoiceLine>{{ el('ProductQuantity',"
        " l.ProductQuantity) }}</InvoiceLine>{% endfor %}</InvoiceLines></SalesInvoice>"
        "{% endfor %}</SalesInvoices>")
    mapping = HEAD + "template: mine.xml.j2\ninvoice: {Reference: {column: Order}}" + LINES
    result = convert(tmp_path, mapping, "1;A;2;x;1,00;\n")
    assert "<SalesInvoice><Reference>1</Reference><InvoiceLines><InvoiceLine><ProductQuantity>2" \
        in document_text(result)


def test_own_template_with_a_misspelt_name_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "mine.xml.j2").write_text("{% for i in documents %}{{ i.Referense }}{% endfor %}")
    mapping = HEAD + "template: mine.xml.j2\ninvoice: {Reference: {column: Order}}" + LINES
    result = convert(tmp_path, mapping, "1;A;2;x;1,00;\n")
    with pytest.raises(MappingError) as info:
        check_documents(result)
    assert info.value.message == f"template {tmp_path / 'mine.xml.j2'} cannot be rendered"
    [problem] = info.value.problems
    assert problem.cause == "'Referense' is not a field here"
    assert problem.where.line == 1


def test_values_are_escaped_in_xml(tmp_path: Path) -> None:
    mapping = HEAD + "invoice: {Subject: {column: Customer}}" + LINES
    result = convert(tmp_path, mapping, '1;"Jansen & Zn <b>";1;x;1,00;\n')
    assert "<Subject>Jansen &amp; Zn &lt;b&gt;</Subject>" in document_text(result)


def test_expression_results_must_fit_the_field(tmp_path: Path) -> None:
    mapping = (HEAD + "invoice: {Date: {expr: \"Price * 2\"}, Subject: {expr: \"Price * 2\"}}"
               + LINES)
    found = problems(tmp_path, mapping, "1;A;1;x;1,50;\n")
    assert found == [("expression 'Price * 2': its result is a number, where a date is needed",
                      (2,), "3.00", "error")]


def test_xsd_violations_name_the_source_rows(tmp_path: Path) -> None:
    mapping = HEAD + "group_by: Order\ninvoice: {Reference: {column: Order}}" + """
lines:
  ProductQuantity: {column: Qty}
  Product: {Description: {column: Item}, SalesPrice: {column: Price},
            VATType: 1, VATPercentage: {column: Status}}
"""
    result = convert(tmp_path, mapping, "1;A;1;x;1,00;21\n2;B;1;y;1,00;21\n2;B;1;z;1,00;150\n")
    with pytest.raises(DocumentError) as info:
        check_documents(result)
    [problem] = info.value.problems
    assert problem.cause.startswith("breaks Yuki's schema at VATPercentage")
    assert problem.where.rows == (4,) and problem.where.document == "invoice 2"
    assert problem.value == "150"


def test_nothing_is_left_behind_when_validation_fails(tmp_path: Path) -> None:
    mapping = HEAD + "invoice: {Reference: {column: Order}}" + """
lines:
  Product: {Description: {column: Item}, SalesPrice: {column: Price},
            VATType: 1, VATPercentage: {column: Status}}
"""
    result = convert(tmp_path, mapping, "1;A;1;x;1,00;150\n")
    with pytest.raises(DocumentError):
        write_documents(result, tmp_path / "out" / "invoices.xml")
    assert list((tmp_path / "out").iterdir()) == []


def test_expression_problems_are_located_at_the_expression(tmp_path: Path) -> None:
    mapping = HEAD + "invoice:\n  Subject: {expr: \"text(Price / Qty)\", required: true}" + LINES
    with pytest.raises(DataError) as info:
        convert(tmp_path, mapping, "1;A;0;x;1,00;\n2;B;0;y;1,00;\n")
    [problem] = info.value.problems  # a failed expression is not also "empty"
    where = problem.where
    assert (where.file, where.line, where.col, where.rows, where.key) == (
        str(tmp_path / "m.yaml"), 6, 12, (2, 3), "invoice.Subject")


def test_a_let_that_fails_is_named_and_a_long_chain_is_a_row_error(tmp_path: Path) -> None:
    lets = "".join(f"  l{i}: {{expr: \"l{i - 1}\"}}\n" for i in range(1, 400))
    mapping = HEAD + "let:\n  l0: {column: Status, type: decimal}\n" + lets + (
        "invoice: {Subject: {expr: \"text(l2 * 2)\"}, Remarks: {expr: \"text(l399)\"}}") + LINES
    first, deep = problems(tmp_path, mapping, "1;A;1;x;1,00;abc\n")
    assert first == ("expression 'text(l2 * 2)': let l0: not a number with decimal mark ','",
                     (2,), "abc", "error")
    # The chain runs out of Python's stack at some let: a row error, named after that let.
    assert deep[0].startswith("expression 'text(l399)': let l")
    assert deep[0].endswith(": the expression and the let: values it uses nest too deeply")


def test_skipping_every_row_leaves_nothing_to_test_a_when_on(tmp_path: Path) -> None:
    """All rows skipped, an item with a when: expression: an empty file of documents, said in
    the summary (polars once refused the empty mask: exit 3)."""
    from tests.conftest import run_cli

    (tmp_path / "m.yaml").write_text(
        'version: 1\ntarget: sales_invoices\nsource: {delimiter: ";", decimal_mark: ","}\n'
        "skip_rows: {column: Kind, equals: x}\ngroup_by: Order\n"
        "invoice: {Reference: {column: Order}}\nlines:\n  - ProductQuantity: {column: Qty}\n"
        '    when: {expr: "Qty > 0"}\n    Product: {Description: {column: Item}}\n')
    (tmp_path / "o.csv").write_text("Order;Qty;Item;Kind\n1;2;Mok;x\n")
    result = run_cli("convert", tmp_path / "o.csv", "-m", tmp_path / "m.yaml", "--dry-run")
    assert result.code == 0
    assert "  rows skipped    1  (Kind equals 'x': 1)\n  sales invoices  0\n" in result.stdout


def _synced(monkeypatch: pytest.MonkeyPatch, outcome: OSError | None) -> list[int]:
    """Every piece written is synced in the background (as a big file's 64 MB are)."""
    import os

    from yukimap import output

    monkeypatch.setattr(output, "SYNC_BYTES", 1)
    synced: list[int] = []

    def sync(fd: int) -> None:
        synced.append(fd)
        if outcome is not None:
            raise outcome

    monkeypatch.setattr(os, "fdatasync", sync)
    return synced


def test_a_document_goes_to_the_disk_while_it_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = convert_file(REPO / "examples/webshop-orders.csv", "webshop-orders")
    synced = _synced(monkeypatch, None)
    [written] = write_documents(result, tmp_path / "invoices.xml")
    assert synced and written.read_text(encoding="utf-8") == document_text(result)


def test_a_sync_that_fails_while_it_is_written_fails_the_document(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = convert_file(REPO / "examples/webshop-orders.csv", "webshop-orders")
    _synced(monkeypatch, OSError(5, "Input/output error"))
    with pytest.raises(OSError, match="Input/output error"):
        write_documents(result, tmp_path / "invoices.xml")
    assert list(tmp_path.iterdir()) == []  # nothing half-written left behind
