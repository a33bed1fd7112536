"""The bank statement readers: CAMT.053 (.001.02 and .001.08) and MT940, the shipped
examples and files made from them, into the one table every statement becomes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.test_read import fails, read, write
from yukimap.frames import ROW, Table
from yukimap.read.details86 import split_details
from yukimap.read.statement import COLUMNS

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CAMT = EXAMPLES / "bank-camt053.xml"
CAMT_V08 = EXAMPLES / "bank-camt053-v08.xml"
MT940 = EXAMPLES / "bank-mt940.sta"


def records(table: Table) -> list[dict[str, Any]]:
    return table.frame.rows(named=True)


def test_columns_are_the_same_for_every_format() -> None:
    expected = ("Account", "Currency", "StatementId", "StatementNumber", "BookingDate",
                "ValueDate", "Amount", "CreditDebit", "CounterpartyName", "CounterpartyIBAN",
                "CounterpartyBIC", "Remittance", "EndToEndId", "MandateId", "CreditorId",
                "ReturnReason", "BankReference", "TransactionCode", "Information",
                "OpeningBalance", "ClosingBalance")
    assert tuple(COLUMNS) == expected
    for path in (CAMT, CAMT_V08, MT940):
        assert read(path).columns == expected


# ---------------------------------------------------------------------------------------
# CAMT.053


def test_camt_rows_one_per_transaction_numbered_by_line() -> None:
    rows = records(read(CAMT))
    assert [r[ROW] for r in rows] == [71, 107, 171, 224, 287, 366, 396, 428, 497, 550, 603]
    assert rows[1] == {
        "Account": "NL18INGB0006543219", "Currency": "EUR",
        "StatementId": "20261130-NL-EXAMPLE-0001", "StatementNumber": "226",
        "BookingDate": "2026-11-03", "ValueDate": "2026-11-03", "Amount": "-187.40",
        "CreditDebit": "D", "CounterpartyName": "Energie Noord B.V.",
        "CounterpartyIBAN": "NL52INGB0007654324", "CounterpartyBIC": "INGBNL2A",
        "Remittance": "Termijnbedrag november 2026 klantnr 55501234",
        "EndToEndId": "EN-2026-11-55501234", "MandateId": "EN55501234-01",
        "CreditorId": "NL69ZZZ123456780000", "ReturnReason": None,
        "BankReference": "2611030000102", "TransactionCode": "PMNT/RDDT/ESDD",
        "Information": None, "OpeningBalance": "4215.37", "ClosingBalance": "14082.57",
        ROW: 107,
    }


def test_camt_entries_add_up_to_the_closing_balance() -> None:
    rows = records(read(CAMT))
    total = sum(Decimal(r["Amount"]) for r in rows)
    assert Decimal(rows[0]["OpeningBalance"]) + total == Decimal(rows[0]["ClosingBalance"])


def test_camt_card_payment_keeps_its_text_and_structured_reference() -> None:
    rows = records(read(CAMT))
    card, structured = rows[0], rows[3]
    assert (card["CounterpartyName"], card["Remittance"], card["Information"]) == (
        "SUPERMARKT DE HOEK", None, "SUPERMARKT DE HOEK UTRECHT 02-11-2026 08:14 PAS 002")
    assert structured["Remittance"] == "1234567890123456"  # the betalingskenmerk


def test_camt_batch_is_one_row_per_transaction() -> None:
    rows = records(read(CAMT))
    batch = [(r["Amount"], r["EndToEndId"], r[ROW]) for r in rows if r["BankReference"]
             == "2611160000106"]
    assert batch == [("1512.40", "PF-20261116-00042-1", 366),
                     ("475.25", "PF-20261116-00042-2", 396)]


def test_camt_batch_whose_amounts_do_not_add_up_is_one_row(tmp_path: Path) -> None:
    text = CAMT.read_text().replace(">475.25<", ">475.24<")
    rows = records(read(write(tmp_path, "batch.xml", text)))
    batch = [r for r in rows if r["BankReference"] == "2611160000106"]
    assert [(r["Amount"], r["CounterpartyName"], r["Remittance"]) for r in batch] == [
        ("1987.65", None, "Uitbetaling st_2026111600042 deel 1 iDEAL Uitbetaling"
         " st_2026111600042 deel 2 creditcard")]


def test_camt_returned_direct_debit_names_the_original_creditor() -> None:
    returned = records(read(CAMT))[7]
    assert (returned["Amount"], returned["CounterpartyName"], returned["CounterpartyIBAN"],
            returned["ReturnReason"]) == ("187.40", "Energie Noord B.V.",
                                          "NL52INGB0007654324", "MD06")


def test_camt_v08_reads_as_v02() -> None:
    def data(path: Path) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k != ROW} for r in records(read(path))]

    assert data(CAMT_V08) == data(CAMT)


def test_camt_several_statements(tmp_path: Path) -> None:
    text = CAMT.read_text()
    start, end = text.index("<Stmt>"), text.index("</Stmt>") + len("</Stmt>")
    second = text[start:end].replace("NL18INGB0006543219", "NL69INGB0123456789")
    path = write(tmp_path, "two.xml", text[:end] + second + text[end:])
    rows = records(read(path))
    assert len(rows) == 22
    assert {r["Account"] for r in rows[:11]} == {"NL18INGB0006543219"}
    assert {r["Account"] for r in rows[11:]} == {"NL69INGB0123456789"}


def test_camt_is_found_by_namespace_or_named(tmp_path: Path) -> None:
    path = write(tmp_path, "statement.dat", CAMT.read_text())
    assert read(path, format="camt053").frame.height == 11


def test_xml_that_is_not_camt(tmp_path: Path) -> None:
    error = fails(write(tmp_path, "other.xml", "<?xml version='1.0'?><root/>"))
    assert error.message == (
        f"{tmp_path / 'other.xml'} is XML but not a CAMT.053 bank statement (no camt.053"
        " namespace in its first lines); yukimap reads XML only as CAMT.053")
    assert error.hint == "export the statement as CAMT.053, or the data as CSV or Excel"


def test_camt_not_well_formed_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "cut.xml", CAMT.read_text().replace("</BkToCstmrStmt>", ""))
    error = fails(path)
    assert error.message == (
        f"{path} is not well-formed XML at line 635: Opening and ending tag mismatch:"
        " BkToCstmrStmt line 3 and Document, line 635, column 12")
    assert [p.where.rows for p in error.problems] == [(635,)]


def test_camt_against_its_xsd_each_error_at_its_line(tmp_path: Path) -> None:
    text = CAMT.read_text().replace('<Amt Ccy="EUR">187.40</Amt>', '<Amt Ccy="EUR">187,40</Amt>')
    path = write(tmp_path, "comma.xml", text)
    error = fails(path)
    why = ("Element 'Amt': '187,40' is not a valid value of the atomic type"
           " 'ActiveOrHistoricCurrencyAndAmount_SimpleType'.")
    assert error.message == (
        f"{path} is not a valid camt.053.001.02 statement: line 109: {why} (and 1 more)")
    assert error.hint == ("export the statement from your bank again as CAMT.053; if it"
                          " stays, tell your bank")
    assert [(p.cause, p.where.rows, p.value) for p in error.problems] == [
        ("not as the CAMT.053 XSD says", (109,), why),
        ("not as the CAMT.053 XSD says", (430,), why)]


def test_camt_entities_are_never_read(tmp_path: Path) -> None:
    text = CAMT.read_text().replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY a SYSTEM "file:///etc/passwd">]>')
    path = write(tmp_path, "entity.xml", text)
    assert fails(path).message == (
        f"{path} declares a DOCTYPE or entities, which a CAMT.053 statement never does;"
        " yukimap does not read it")


def test_camt_version_without_its_xsd(tmp_path: Path) -> None:
    path = write(tmp_path, "v04.xml", CAMT.read_text().replace("053.001.02", "053.001.04"))
    error = fails(path)
    assert error.message == (
        f"{path} is camt.053.001.04; yukimap reads camt.053.001.02 and camt.053.001.08")


# ---------------------------------------------------------------------------------------
# MT940


def test_mt940_rows_one_per_61_line() -> None:
    rows = records(read(MT940))
    assert [r[ROW] for r in rows] == [8, 12, 17, 21, 25, 30, 35, 39, 44, 49, 55, 59]
    assert rows[1] == {
        "Account": "NL18INGB0006543219", "Currency": "EUR", "StatementId": "P261130000000001",
        "StatementNumber": "00000", "BookingDate": "2026-11-03", "ValueDate": "2026-11-03",
        "Amount": "-187.40", "CreditDebit": "D", "CounterpartyName": "Energie Noord B.V.",
        "CounterpartyIBAN": "NL52INGB0007654324", "CounterpartyBIC": "INGBNL2A",
        "Remittance": "Termijnbedrag november 2026 klantnr 55501234",
        "EndToEndId": "EN-2026-11-55501234", "MandateId": "EN55501234-01",
        "CreditorId": "NL69ZZZ123456780000", "ReturnReason": None,
        "BankReference": "26307000000102", "TransactionCode": "NDDT/01016",
        "Information": "/EREF/EN-2026-11-55501234//MARF/EN55501234-01//CSID/NL69ZZZ1234567800"
                       "00//CNTP/NL52INGB0007654324/INGBNL2A/Energie Noord B.V.///REMI/USTD//"
                       "Termijnbedrag november 2026 klantnr 55501234/",
        "OpeningBalance": "4215.37", "ClosingBalance": "8159.97", ROW: 12,
    }


def test_mt940_entries_add_up_to_the_closing_balance() -> None:
    rows = records(read(MT940))
    total = sum(Decimal(r["Amount"]) for r in rows)
    assert Decimal(rows[0]["OpeningBalance"]) + total == Decimal(rows[0]["ClosingBalance"])


def test_mt940_wrapped_lines_keep_the_space_at_a_line_end() -> None:
    rows = records(read(MT940))
    assert rows[4]["Remittance"] == "0050001234567890 Bestelling 88123"
    assert rows[9]["Remittance"] == (
        "Factuur 7781 en 7790 drukwerk flyers en brochures november inclusief verzendkosten"
        " en spoedtoeslag zie specificatie per e-mail d.d. 14-11-2026")
    assert rows[3]["Remittance"] == "1234567890123456"  # REMI/STRD/CUR/


def test_mt940_several_statements_and_txt_found_by_content(tmp_path: Path) -> None:
    text = MT940.read_text().replace("\r\n", "\n")
    body = text[text.index(":20:"):text.index("-}")]
    second = body.replace("NL18INGB0006543219", "NL69INGB0123456789").replace(
        "P261130000000001", "P261130000000002")
    path = write(tmp_path, "export.txt", body + second)
    rows = records(read(path))
    assert len(rows) == 24
    assert [r["StatementId"] for r in (rows[0], rows[12])] == ["P261130000000001",
                                                               "P261130000000002"]
    assert [r[ROW] for r in (rows[0], rows[12])] == [5, 68]


def test_mt940_unreadable_61_at_its_line(tmp_path: Path) -> None:
    text = MT940.read_text().replace(":61:2611051105C12100,00", ":61:2611XXC12100,00")
    path = write(tmp_path, "bad.sta", text)
    error = fails(path)
    assert error.message == (
        f"cannot read {path} as MT940: its :61: field at line 17 is not as SWIFT describes it")
    assert error.hint == ("export the statement again as MT940 (Structured); if it stays,"
                          " tell your bank")
    assert [(p.where.rows, p.value) for p in error.problems] == [
        ((17,), "2611XXC12100,00NTRFEREF//26309000000103")]


def test_mt940_without_a_statement(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.sta", "hello\n")
    assert fails(path).message == f"{path} holds no MT940 statement: no line starts with :20:"


# ---------------------------------------------------------------------------------------
# :86: of the Dutch banks


def test_86_rabobank_structured_with_counter_account_on_61() -> None:
    found = split_details(
        "/EREF/20130403-0001//BENM//NAME/Vastgoed Molenstraat/REMI/Huur april/ISDT/2013-04-03",
        "NL44RABO0123456789")
    assert {k: found[k] for k in ("CounterpartyName", "CounterpartyIBAN", "Remittance",
                                  "EndToEndId")} == {
        "CounterpartyName": "Vastgoed Molenstraat", "CounterpartyIBAN": "NL44RABO0123456789",
        "Remittance": "Huur april", "EndToEndId": "20130403-0001"}


def test_86_abn_amro_slash_form() -> None:
    found = split_details("/TRTP/SEPA OVERBOEKING/IBAN/NL91ABNA0417164300/BIC/ABNANL2A/NAME/"
                          "J JANSEN/REMI/FACTUUR 12/EREF/NOTPROVIDED", None)
    assert {k: found[k] for k in ("CounterpartyName", "CounterpartyIBAN", "CounterpartyBIC",
                                  "Remittance", "EndToEndId")} == {
        "CounterpartyName": "J JANSEN", "CounterpartyIBAN": "NL91ABNA0417164300",
        "CounterpartyBIC": "ABNANL2A", "Remittance": "FACTUUR 12", "EndToEndId": None}


def test_86_free_text_keeps_everything_and_picks_labelled_parts() -> None:
    found = split_details("SEPA IDEAL IBAN: NL91ABNA0417164300 BIC: ABNANL2A NAAM: WEBWINKEL BV"
                          " OMSCHRIJVING: BESTELLING 88", None)
    assert (found["CounterpartyIBAN"], found["CounterpartyBIC"], found["CounterpartyName"]) == (
        "NL91ABNA0417164300", "ABNANL2A", "WEBWINKEL BV")
    assert found["Remittance"] == ("SEPA IDEAL IBAN: NL91ABNA0417164300 BIC: ABNANL2A NAAM:"
                                   " WEBWINKEL BV OMSCHRIJVING: BESTELLING 88")


# ---------------------------------------------------------------------------------------
# MT940 of the Dutch banks: the mt-940 package's public fixtures (tests/data/mt940/README.md)

FIXTURES = Path(__file__).resolve().parent / "data" / "mt940"
LAST = ("Account", "Amount", "CounterpartyName", "CounterpartyIBAN", "Remittance",
        "EndToEndId", "OpeningBalance", "ClosingBalance", ROW)


@pytest.mark.parametrize(("name", "count", "last"), [
    ("abnamro.sta", 10, ("517852257", "-15.00", None, None, "52.89.39.882 MYCOM DEN HAAG", None,
                         "2876.84", "1849.75", 38)),
    ("ing.sta", 7, ("0001234567", "1.00", None, None, "0111111111 Hr S Marechal ROSMALEN Hr S"
                    " Marechal ROSMALEN Betaling transactiedatum: 22-07-2010", None, "0.00",
                    "3.47", 22)),
    ("knab.sta", 3, ("123456789", "500.00", "MMS ONLINE NEDERLAND B.V.", "NL84INGB0234561789",
                     "12160475 0050001631430920 ORDERID: 264267 MEDIA MARKT ONLINE NEREK:"
                     " NL84INGB0234561789/NAAM: MMS ONLINE NEDERLAND B.V.", None, "3058.98",
                     "798.98", 17)),
    ("rabobank-iban.sta", 4, ("NL71RABO0123456789", "-10.00", "JOHN DOE", "P001234567",
                              "Reference 201301234", None, "965.00", "930.00", 22)),
    ("rabobank.sta", 5, ("1526.89.184", "-6.20", None, "P000029225",
                         "Betaalautomaat 08:22 pasnr. 001", None, "4196.12", "4101.82", 39)),
    ("sns.sta", 2, ("0123456789", "-5.00", None, "0987654321",
                    "0987654321 marechal s dit is test 2", None, "1234.56", "1209.56", 12)),
    ("triodos.sta", 2, ("TRIODOSBANK/0390123456", "-700.00", None, "0133967858",
                        "HUUR KANTOOR - FEB 2010", None, "4975.09", "4370.79", 9)),
])
def test_mt940_of_each_dutch_bank(name: str, count: int, last: tuple[Any, ...]) -> None:
    rows = records(read(FIXTURES / name))
    assert len(rows) == count
    assert tuple(rows[-1][column] for column in LAST) == last


def test_mt940_rabobank_structured_and_wrapped_free_text() -> None:
    first = records(read(FIXTURES / "rabobank-iban.sta"))[0]
    assert (first["CounterpartyName"], first["CounterpartyIBAN"], first["EndToEndId"]) == (
        "CONTRA ACCOUNT HOLDER", "NL70ABNA0987654321", "01-01-2013 12:00 0030000987654321")
    triodos = records(read(FIXTURES / "triodos.sta"))[0]
    assert triodos["Remittance"] == ("ALGEMENE TUSSENREKENING KOSTEN VAN 01-10-2010 TOT EN MET"
                                     " 31-12-2010")
