"""The numbers in a contact that can be checked before Yuki sees them, with python-stdnum:
its IBAN (BankAccount), its VAT number (VATNumber: Dutch, Belgian and other EU numbers by
their country prefix) and its Chamber of Commerce number (CoCNumber: a Dutch KvK number,
8 digits; a Belgian enterprise number, KBO/BCE, 10 digits with its check).

A number that cannot be valid is an error, located at the rows of the invoices that carry
it: Yuki would store it on the contact, or refuse the invoice, and a VAT number that is
wrong on an invoice is wrong in the VAT return. Each distinct number is checked once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from yukimap.errors import Problem, Severity, Where
from yukimap.frames import ROWS
from yukimap.i18n import N_, tr
from yukimap.targets._common import column

if TYPE_CHECKING:
    from stdnum.exceptions import ValidationError

# python-stdnum is imported when a number is there to check: its package imports ssl and
# pydoc (for its online checks, unused here), a good part of a small conversion's start-up,
# and most files (every journal) have no such numbers.

_IBAN_FORM = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{8,30}$")
# Templates (N_), translated where they are used.
IBAN_EXAMPLE = N_("a Dutch IBAN looks like NL91ABNA0417164300")
VAT_SHAPES = {
    "NL": N_("a Dutch VAT number looks like NL123456789B01"),
    "BE": N_("a Belgian VAT number looks like BE0123456789"),
}
VAT_SHAPE = N_("a VAT number starts with its country code, e.g. NL123456789B01 or BE0123456789")
KVK_SHAPE = N_("a Dutch KvK number has 8 digits, e.g. 12345678")
KBO_SHAPE = N_("a Belgian enterprise number (KBO/BCE) has 10 digits, e.g. 0403.019.261")


@dataclass(frozen=True)
class Finding:
    hint: str
    severity: Severity = "error"


def _why(error: ValidationError, what: str) -> str:
    from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

    if isinstance(error, InvalidChecksum):
        return tr("its check digits do not match (a mistyped or missing digit?)")
    if isinstance(error, InvalidLength):
        return tr("it has the wrong number of characters for {what}", what=what)
    if isinstance(error, InvalidComponent):
        return tr("a part of it cannot be in {what}", what=what)
    if isinstance(error, InvalidFormat):
        return tr("it is not in the form of {what}", what=what)
    return tr("it is not {what}", what=what)


def _validated(validate: Callable[[str], object], number: str, what: str, fix: str
               ) -> Finding | None:
    """None when stdnum's `validate` takes the number, else why not and `fix`."""
    from stdnum.exceptions import ValidationError

    try:
        validate(number)
    except ValidationError as error:
        return Finding(tr("{why}; {fix}", why=_why(error, what), fix=fix))
    return None


def _iban(number: str) -> object:
    from stdnum import iban
    from stdnum.exceptions import InvalidFormat

    if not _IBAN_FORM.match(iban.compact(number)):
        raise InvalidFormat()
    return iban.validate(number)


def check_iban(value: str, country: str | None) -> Finding | None:
    return _validated(_iban, value, tr("an IBAN"),
                      tr("check the IBAN in the export ({example})", example=tr(IBAN_EXAMPLE)))


def check_vat(value: str, country: str | None) -> Finding | None:
    import stdnum
    from stdnum.eu import vat as eu_vat

    number = "".join(c for c in value if c not in " .-/").upper()
    prefix = number[:2].upper()
    shape = VAT_SHAPES.get(prefix, VAT_SHAPE)
    if not prefix.isalpha():
        return Finding(tr("it does not start with its country code; check the number in the"
                          " export; {shape}", shape=tr(VAT_SHAPE)))
    module = eu_vat if prefix in eu_vat.MEMBER_STATES or prefix in ("EL", "XI") \
        else stdnum.get_cc_module(prefix.lower(), "vat")
    if module is None:
        return Finding(tr("yukimap cannot check VAT numbers of {country}; check it is right",
                          country=prefix), severity="warning")
    return _validated(module.validate, number, tr("a VAT number of {country}", country=prefix),
                      tr("check the number in the export; {shape}", shape=tr(shape)))


def check_coc(value: str, country: str | None) -> Finding | None:
    digits = "".join(c for c in value if c not in " .-")
    country = (country or "").strip().upper()
    if country == "NL" or (not country and len(digits) == 8):
        if digits.isdigit() and len(digits) == 8:
            return None
        return Finding(tr("{shape} (a 12-digit branch number is not it); check the number"
                          " in the export", shape=tr(KVK_SHAPE)))
    if country == "BE" or not country:
        from stdnum.be import vat as be_vat
        from stdnum.exceptions import ValidationError

        try:
            be_vat.validate(digits)
        except ValidationError as error:
            if not country:
                return Finding(tr("{kvk}; {kbo}; check the number in the export, or map"
                                  " Contact.CountryCode", kvk=tr(KVK_SHAPE), kbo=tr(KBO_SHAPE)))
            return Finding(tr("{why}; check the number in the export; {shape}",
                              why=_why(error, tr("a Belgian enterprise number")),
                              shape=tr(KBO_SHAPE)))
    return None


Check = Callable[[str, "str | None"], "Finding | None"]
CHECKS: tuple[tuple[str, str, Check], ...] = (
    ("Contact.BankAccount", N_("not a valid IBAN"), check_iban),
    ("Contact.VATNumber", N_("not a valid VAT number"), check_vat),
    ("Contact.CoCNumber", N_("not a valid Chamber of Commerce number (KvK/KBO)"), check_coc),
)


def identifier_problems(docs: pl.DataFrame, file: str) -> list[Problem]:
    """Each contact number that cannot be valid, at the rows of the invoices with it."""
    problems = []
    for field, cause, check in CHECKS:
        if field not in docs.columns:  # not mapped: nothing to check, and no query
            continue
        values = column(docs, field)
        given = docs.filter(values.is_not_null() & (values != ""))  # only these are checked
        rows_of: dict[tuple[str, str | None], list[int]] = {}
        for value, country, rows in zip(column(given, field).to_list(),
                                        column(given, "Contact.CountryCode").to_list(),
                                        given[ROWS].to_list()):
            rows_of.setdefault((value, country), []).extend(rows)
        for (value, country), rows in rows_of.items():
            found = check(value, country)
            if found:
                problems.append(Problem(
                    tr(cause), Where(file=file, rows=tuple(sorted(rows)),
                                     key=f"invoice.{field}"),
                    value=value, hint=found.hint, severity=found.severity))
    return problems
