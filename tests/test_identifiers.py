"""Contact numbers checked before sending (python-stdnum): IBAN, VAT and Chamber of
Commerce numbers in sales invoices, each error at its rows with the value and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_map import HEAD, LINES, convert, problems
from yukimap.targets.identifiers import check_coc, check_iban, check_vat

MAPPING = HEAD + """
invoice:
  Reference: {column: Order}
  Contact:
    FullName: {column: Customer}
    CountryCode: {column: Country}
    VATNumber: {column: VAT}
    CoCNumber: {column: CoC}
    BankAccount: {column: IBAN}
""" + LINES
HEADER = "Order;Customer;Country;VAT;CoC;IBAN;Qty;Item;Price\n"
IBAN_HINT = "; check the IBAN in the export (a Dutch IBAN looks like NL91ABNA0417164300)"
NL_VAT = "; check the number in the export; a Dutch VAT number looks like NL123456789B01"


def test_valid_numbers_pass(tmp_path: Path) -> None:
    rows = ("1;Acme;NL;NL004495445B01;12345678;NL91 ABNA 0417 1643 00;1;x;1,00\n"
            "2;Brico;BE;BE0403019261;0403.019.261;BE71096123456769;1;y;1,00\n"
            "3;Müller;DE;DE136695976;HRB 1234;DE89370400440532013000;1;z;1,00\n")
    result = convert(tmp_path, MAPPING, rows, HEADER)
    assert [d.context["Contact"]["VATNumber"] for d in result.documents()] == [
        "NL004495445B01", "BE0403019261", "DE136695976"]


def test_numbers_that_cannot_be_valid_are_errors_at_their_rows(tmp_path: Path) -> None:
    rows = ("1;Acme;NL;NL123456789B01;1234567;NL91ABNA0417164301;1;x;1,00\n"
            "2;Brico;BE;BE0123456789;0123456789;;1;y;1,00\n"
            "3;Acme;NL;NL123456789B01;;;1;z;1,00\n")
    found = [p for p in problems(tmp_path, MAPPING, rows, HEADER) if "valid" in p[0]]
    assert found == [
        ("not a valid IBAN", (2,), "NL91ABNA0417164301", "error"),
        ("not a valid VAT number", (2, 4), "NL123456789B01", "error"),
        ("not a valid VAT number", (3,), "BE0123456789", "error"),
        ("not a valid Chamber of Commerce number (KvK/KBO)", (2,), "1234567", "error"),
        ("not a valid Chamber of Commerce number (KvK/KBO)", (3,), "0123456789", "error"),
    ]


@pytest.mark.parametrize(("value", "hint"), [
    ("NL91ABNA0417164301", "its check digits do not match (a mistyped or missing digit?)"),
    ("NL91ABNA041716430", "its check digits do not match (a mistyped or missing digit?)"),
    ("91ABNA0417164300", "it is not in the form of an IBAN"),
])
def test_iban_messages(value: str, hint: str) -> None:
    found = check_iban(value, None)
    assert found is not None and found.hint == hint + IBAN_HINT


@pytest.mark.parametrize(("value", "hint"), [
    ("NL123456789B01", "its check digits do not match (a mistyped or missing digit?)" + NL_VAT),
    ("NL1234567890B01", "it is not in the form of a VAT number of NL" + NL_VAT),
    ("BE0123456789", "its check digits do not match (a mistyped or missing digit?); check the"
                     " number in the export; a Belgian VAT number looks like BE0123456789"),
    ("812345678B01", "it does not start with its country code; check the number in the"
                     " export; a VAT number starts with its country code, e.g. NL123456789B01"
                     " or BE0123456789"),
    ("DE123456789", "its check digits do not match (a mistyped or missing digit?); check the"
                    " number in the export; a VAT number starts with its country code, e.g."
                    " NL123456789B01 or BE0123456789"),
])
def test_vat_messages(value: str, hint: str) -> None:
    found = check_vat(value, None)
    assert found is not None and (found.hint, found.severity) == (hint, "error")


def test_vat_of_a_country_without_a_check_is_a_warning() -> None:
    found = check_vat("US123456789", None)
    assert found is not None and (found.hint, found.severity) == (
        "yukimap cannot check VAT numbers of US; check it is right", "warning")


@pytest.mark.parametrize(("value", "country", "hint"), [
    ("1234567", "NL", "a Dutch KvK number has 8 digits, e.g. 12345678 (a 12-digit branch number"
                      " is not it); check the number in the export"),
    ("123456780001", "NL", "a Dutch KvK number has 8 digits, e.g. 12345678 (a 12-digit branch"
                           " number is not it); check the number in the export"),
    ("0123.456.789", "BE", "its check digits do not match (a mistyped or missing digit?); check"
                           " the number in the export; a Belgian enterprise number (KBO/BCE)"
                           " has 10 digits, e.g. 0403.019.261"),
    ("12345", None, "a Dutch KvK number has 8 digits, e.g. 12345678; a Belgian enterprise"
                    " number (KBO/BCE) has 10 digits, e.g. 0403.019.261; check the number in the"
                    " export, or map Contact.CountryCode"),
])
def test_coc_messages(value: str, country: str | None, hint: str) -> None:
    found = check_coc(value, country)
    assert found is not None and found.hint == hint


@pytest.mark.parametrize(("value", "country"), [
    ("12345678", "NL"), ("12345678", None), ("0403.019.261", "BE"), ("0403019261", None),
    ("HRB 1234", "DE"),
])
def test_coc_valid(value: str, country: str | None) -> None:
    assert check_coc(value, country) is None
