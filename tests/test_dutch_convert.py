"""The map stage, the targets, explain and output in Dutch (--lang nl): real commands over
a few typical failures, the Dutch asserted exactly, and no text without its Dutch (the tests
run with YUKIMAP_I18N_STRICT: a missing one would raise KeyError, not exit with 1 or 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliResult, build_files, run_cli

SALES = """
version: 1
target: sales_invoices
source: {delimiter: ";", decimal_mark: ",", date_format: "%d-%m-%Y"}
group_by: Order
invoice:
  Reference: {column: Order}
  Date: {column: Date, required: true}
  Subject: {expr: "text(Price / Qty)"}
  Contact: {FullName: {column: Customer, required: true}}
lines:
  ProductQuantity: {column: Qty}
  Product:
    Description: {column: Item}
    SalesPrice: {column: Price}
    VATPercentage: {column: VAT}
    VATType: {column: VAT, map: {"21": 1, "9": 2}}
"""
ORDERS = "Order;Date;Customer;Qty;Item;Price;VAT\n"

JOURNAL = """
version: 1
target: journal
source: {delimiter: ";", decimal_mark: ",", date_format: "%d-%m-%Y"}
journal: {DocumentSubject: Test, JournalType: GeneralJournal,
          AdministrationID: 5a4db0c5-ad01-4e00-8000-000000000001}
entries:
  EntryDate: {column: Date}
  GLAccount: {column: GL, map: {kas: "1000"}, fallback: "9999"}
  Amount: {column: Amount}
  Description: {column: Text}
"""
ENTRIES = "Date;GL;Amount;Text\n"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # messages then show the short file names a user types


def dutch(tmp_path: Path, mapping: str, data: str, *args: str) -> CliResult:
    build_files(tmp_path, {"in.csv": data, "m.yaml": mapping})
    return run_cli("--lang", "nl", *(args or ("convert", "in.csv", "--mapping", "m.yaml",
                                              "--dry-run")))


def test_an_empty_required_cell_and_too_many_decimals(tmp_path: Path) -> None:
    result = dutch(tmp_path, SALES, ORDERS + "1;31-01-2024;;1;Mok;68,1525;21\n")
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert "fout: is leeg" in lines
    assert ("  oplossing: vul de cel in, of zet default: VALUE bij het veld voor lege cellen"
            in lines)
    assert "fout: heeft meer dan 2 decimalen, wat Yuki weigert in SalesPrice" in lines
    start = lines.index("fout: heeft meer dan 2 decimalen, wat Yuki weigert in SalesPrice")
    assert lines[start + 3:start + 9] == [
        "  oplossing: Yuki accepteert hoogstens 2 decimalen in SalesPrice (de documentatie"
        " toont dat -68.1525",
        "             wordt geweigerd) en boekt aantal × SalesPrice, dus een afgeronde prijs boekt"
        " een ander bedrag.",
        "             Ofwel boek het exacte bedrag als LineAmount, dat Yuki boekt in plaats van",
        "             aantal × prijs (Yuki raadt dat af: het omzeilt zijn eigen berekening):",
        '               LineAmount: {expr: "round(Qty * Price, 2)"}',
        "               SalesPrice: {column: Price, round: 2}",
    ]
    assert ("             of rond de prijs af en accepteer de wijziging in de geboekte bedragen"
            " (een waarschuwing toont die):") in lines


def test_an_expression_error_at_its_rows(tmp_path: Path) -> None:
    result = dutch(tmp_path, SALES, ORDERS + "1;31-01-2024;Acme;0;Mok;1,00;21\n"
                   "2;31-01-2024;Acme;0;Vaas;2,00;21\n")
    assert result.code == 1
    lines = result.stderr.splitlines()
    # the cause after the colon is the expression language's own (another part's text)
    assert lines[2].startswith("fout: expressie 'text(Price / Qty)': "), result.stderr
    assert lines[3:5] == ["  in m.yaml:9:12, invoice.Subject (2 rijen)", "    rijen 2-3"]


def test_an_unbalanced_journal(tmp_path: Path) -> None:
    result = dutch(tmp_path, JOURNAL, ENTRIES + "01-11-2024;kas;-10,00;a\n"
                   "01-11-2024;4100;9,00;b\n")
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert ("fout: de boekingen van 2024-11-01 tellen niet op tot 0,00 (Yuki eist dat van elke"
            " datum)") in lines
    assert ("fout: de boekingen van het memoriaal tellen niet op tot 0,00, dus Yuki weigert het"
            " hele memoriaal") in lines
    assert ("  oplossing: controleer de bedragen en hun plus- en mintekens in deze rijen; voor"
            " afrondingsverschillen kan een mapping een balancing:-rekening noemen") in lines
    assert any(line.endswith(": 'debet 9,00, credit -10,00, verschil -1,00'") for line in lines), \
        result.stderr


def test_a_summary_in_dutch(tmp_path: Path) -> None:
    result = dutch(tmp_path, JOURNAL, ENTRIES + "01-11-2024;kas;-10,00;a\n"
                   "01-11-2024;4100;10,00;b\n02-11-2024;kas;-5,00;c\n02-11-2024;4100;5,00;d\n")
    assert result.code == 0, result.stderr
    lines = [line.split() for line in result.stdout.splitlines()]
    assert ["datums", "2024-11-01", "tot", "en", "met", "2024-11-02"] in lines
    assert ["boekingen", "en", "saldo", "per", "datum:"] in lines
    assert ["datum", "boekingen", "debet", "credit", "saldo"] in lines
    assert ["totalen", "per", "grootboekrekening:"] in lines
    assert ["rekening", "boekingen", "debet", "credit", "saldo"] in lines


def test_explain_traces_one_field_in_dutch(tmp_path: Path) -> None:
    result = dutch(tmp_path, JOURNAL, ENTRIES + "01-11-2024;kas;-10,00;a\n"
                   "01-11-2024;Bank;10,00;b\n",
                   "explain", "in.csv", "-m", "m.yaml", "--row", "3", "--field", "GLAccount")
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines()[2:] == [
        "boeking 2 (rij 3):",
        "  entries.GLAccount = '9999'",
        "      kolom 'GL' (B), rij 3: 'Bank'",
        "      map: 'Bank' staat niet in de tabel, dus de terugvalwaarde: '9999'",
    ]
    wrong = dutch(tmp_path, JOURNAL, ENTRIES + "01-11-2024;kas;-10,00;a\n",
                  "explain", "in.csv", "-m", "m.yaml", "--row", "9")
    assert wrong.code == 2
    message, hint = wrong.stderr.splitlines()
    assert message.endswith(": in.csv: rij 9 maakt geen memoriaal")  # "error:" is the CLI's
    assert hint == "  oplossing: de rijen met gegevens van het bestand zijn 2 tot en met 2"


def test_a_missing_column_and_a_value_not_in_the_lookup_table(tmp_path: Path) -> None:
    mapping = SALES.replace('Subject: {expr: "text(Price / Qty)"}',
                            "PaymentMethod: {value: paypal, map: {ideal: iDeal}}")
    missing = dutch(tmp_path, mapping.replace("column: Customer", "column: Klant"),
                    ORDERS + "1;31-01-2024;Acme;1;Mok;1,00;21\n")
    assert missing.code == 1
    lines = missing.stderr.splitlines()
    assert lines[0].endswith(": in.csv heeft de kolom niet die de mapping leest: Klant")
    assert lines[2].endswith(" invoice.Contact.FullName: kolom 'Klant' staat niet in in.csv")
    assert lines[3].startswith("  oplossing: de kolommen van het bestand, meest gelijkend eerst:"
                               " ")
    unknown = dutch(tmp_path, mapping, ORDERS + "1;31-01-2024;Acme;1;Mok;1,00;21\n")
    assert unknown.code == 1
    assert unknown.stderr.splitlines()[2:] == [
        "fout: niet in de opzoektabel (map:)",
        "  in in.csv, invoice.PaymentMethod",
        "    factuur 1, rij 2: 'paypal'",
        "  oplossing: voeg het toe aan map: (bekend: ideal), of zet fallback: voor andere waarden",
    ]


def test_a_template_that_writes_no_document_or_cannot_be_rendered(tmp_path: Path) -> None:
    mapping = SALES.replace('Subject: {expr: "text(Price / Qty)"}',
                            "PaymentMethod: {value: iDeal}")
    mapping = mapping.replace("target: sales_invoices\n",
                              "target: sales_invoices\ntemplate: t.xml.j2\n")
    build_files(tmp_path, {"t.xml.j2": "hello\n", "u.xml.j2": "{{ documents.x.y }}\n"})
    result = dutch(tmp_path, mapping, ORDERS + "1;31-01-2024;Acme;1;Mok;1,00;21\n")
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert lines[2] == ("fout: is geen Yuki-document: het sjabloon schrijft geen"
                        " <SalesInvoices>-element (regel 1 van het document)")
    template = tmp_path / "t.xml.j2"
    assert lines[-1] == f"  oplossing: controleer het sjabloon van de mapping: {template}"
    result = dutch(tmp_path, mapping.replace("t.xml.j2", "u.xml.j2"),
                   ORDERS + "1;31-01-2024;Acme;1;Mok;1,00;21\n")
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert lines[0].endswith(f": sjabloon {tmp_path / 'u.xml.j2'} kan niet worden opgemaakt")
    assert lines[-1] == ("  oplossing: het sjabloon gebruikt een naam die het document niet heeft;"
                         " controleer de spelling")
