"""Which column of an export is which field of a Yuki document, by its header: the Dutch and
English names exports give them, per target, as data; a header normalised (case, accents,
punctuation, a trailing "(EUR)" or "incl. btw") before it is looked up; and the target an
export's headers suggest, with how sure that is.

A role is a field's path in a mapping ("invoice.Contact.FullName", "lines.Product.SalesPrice")
or one of the ways an amount is read ("entries.Amount@debit", "@credit", "@sign"); "@iban"
roles are the bank accounts of a bank export (the own account, the counter account).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    name: str  # "invoice.Reference", "entries.Amount@debit"
    words: tuple[str, ...]  # normalised header names, the most telling first
    core: bool = False  # tells this target apart from the others (counts twice in a guess)


@dataclass(frozen=True)
class Header:
    """A header as looked up: its normalised name, and what a trailing qualifier said about
    VAT (True "incl. btw", False "excl. btw", None nothing)."""

    key: str
    vat_included: bool | None = None


_QUALIFIERS = {  # trailing words that say something about a column, not what it is
    ("incl", "btw"): True, ("inclusief", "btw"): True, ("incl", "vat"): True,
    ("including", "vat"): True, ("excl", "btw"): False, ("exclusief", "btw"): False,
    ("excl", "vat"): False, ("excluding", "vat"): False, ("eur",): None, ("euro",): None,
    ("in", "euro"): None, ("in", "eur"): None,
}


def normalise(header: str) -> Header:
    """'Bedrag (EUR)' -> bedrag; 'Stukprijs incl. btw' -> stukprijs, VAT included;
    'E-mail' -> email; 'Btw %' -> btw%; 'Référence' -> reference."""
    folded = unicodedata.normalize("NFKD", header.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    tokens = re.findall(r"[a-z0-9%]+", plain)
    vat_included: bool | None = None
    stripped = True
    while stripped:
        stripped = False
        for words, included in _QUALIFIERS.items():
            if len(tokens) > len(words) and tuple(tokens[-len(words):]) == words:
                tokens = tokens[:-len(words)]
                vat_included = included if included is not None else vat_included
                stripped = True
    return Header("".join(tokens), vat_included)


def _role(name: str, *headers: str, core: bool = False) -> Role:
    return Role(name, tuple(normalise(h).key for h in headers), core)


# i18n: the column names exports use (data matched, in both languages)
_CONTACT = (
    _role("invoice.Contact.ContactCode", "Klantnummer", "Klantnr", "Klantcode", "Debiteurnummer",
          "Debiteurnr", "Relatienummer", "Relatiecode", "Customer no", "Customer number",
          "Customer ID", "Customer code", "Customer User ID"),
    _role("invoice.Contact.FullName", "Klant", "Klantnaam", "Naam klant", "Customer",
          "Customer name", "Billing Name", "Bedrijfsnaam", "Company", "Company name",
          "Company (Billing)", "Debiteur", "Relatie", "Naam", "Name"),
    _role("invoice.Contact.FirstName", "Voornaam", "First name", "Firstname",
          "First Name (Billing)"),
    _role("invoice.Contact.LastName", "Achternaam", "Last name", "Lastname", "Surname",
          "Last Name (Billing)"),
    _role("invoice.Contact.Gender", "Geslacht", "Gender", "Customer gender"),
    _role("invoice.Contact.CountryCode", "Land", "Landcode", "Country", "Country code",
          "Billing Country", "Country Code (Billing)"),
    _role("invoice.Contact.City", "Plaats", "Woonplaats", "Stad", "City", "Town",
          "Billing City", "City (Billing)"),
    _role("invoice.Contact.Zipcode", "Postcode", "Zip code", "Zipcode", "Zip", "Postal code",
          "Billing Zip", "Postcode (Billing)"),
    _role("invoice.Contact.AddressLine_1", "Adres", "Straat", "Straat en huisnummer", "Address",
          "Street", "Address line 1"),
    _role("invoice.Contact.EmailAddress", "E-mail", "E-mailadres", "Email address",
          "Email (Billing)"),
    _role("invoice.Contact.VATNumber", "Btw-nummer", "Btw-nr", "Btw-id", "VAT number",
          "VAT no"),
    _role("invoice.Contact.CoCNumber", "KvK-nummer", "KvK", "KvK-nr", "CoC number"),
    _role("invoice.Contact.ContactType", "Klanttype", "Soort klant", "Customer type",
          "Contact type"),
    _role("invoice.Contact.PhoneHome", "Telefoon", "Telefoonnummer", "Phone", "Phone number"),
    _role("invoice.Contact.MobileHome", "Mobiel", "Mobiel nummer", "Mobile"),
    _role("invoice.Contact.BankAccount", "IBAN", "Rekeningnummer", "Bankrekening",
          "Bank account"),
    _role("invoice.ContactPerson.FirstName", "Contact first name", "Voornaam contactpersoon"),
    _role("invoice.ContactPerson.LastName", "Contact last name", "Achternaam contactpersoon"),
    _role("invoice.ContactPerson.Gender", "Contact gender", "Geslacht contactpersoon"),
    _role("invoice.ContactPerson.EmailAddress", "Contact e-mail", "E-mail contactpersoon"),
)

# i18n: the column names exports use (data matched, in both languages)
SALES = (
    _role("invoice.Reference", "Factuurnummer", "Factuurnr", "Factuur", "Invoice number",
          "Invoice no", "Invoice nr", "Invoice", "Ordernummer", "Ordernr", "Order number",
          "Order", "Order ID", "Bestelnummer", "Bestelnr", "Bonnummer", "Bonnr", "Referentie",
          "Reference", core=True),
    _role("invoice.Date", "Factuurdatum", "Invoice date", "Datum", "Date", "Besteldatum",
          "Orderdatum", "Order date", "Verkoopdatum", "Transactiedatum", "Paid at",
          "Created at"),
    _role("invoice.DueDate", "Vervaldatum", "Due date", "Uiterste betaaldatum"),
    _role("invoice.Subject", "Onderwerp", "Subject"),
    _role("invoice.PaymentMethod", "Betaalmethode", "Betaalwijze", "Betaalmiddel",
          "Payment method", "Payment Method Title", "Betaling", "Payment"),
    _role("invoice.PaymentID", "Betalingskenmerk", "Kenmerk", "Payment ID",
          "Payment reference"),
    _role("invoice.PurchaseOrderNumber", "PO number", "Purchase order number",
          "Inkoopordernummer", "Uw referentie", "Your reference"),
    _role("invoice.Currency", "Valuta", "Munt", "Currency"),
    _role("invoice.Remarks", "Opmerkingen", "Opmerking", "Remarks"),
    *_CONTACT,
    _role("lines.Description", "Regeltekst", "Regelomschrijving", "Line text",
          "Line description"),
    _role("lines.ProductQuantity", "Aantal", "Aant", "Hoeveelheid", "Stuks", "Quantity", "Qty",
          "Lineitem quantity", core=True),
    _role("lines.Product.Description", "Omschrijving", "Artikel", "Artikelomschrijving",
          "Artikelnaam", "Product", "Productnaam", "Product name", "Description", "Item",
          "Item Name", "Lineitem name", core=True),
    _role("lines.Product.Reference", "Artikelnummer", "Artikelnr", "Artikelcode", "Productcode",
          "Product code", "Productnummer", "SKU", "EAN", "Item code", "Item number",
          "Lineitem sku"),
    _role("lines.Product.SalesPrice", "Prijs", "Stukprijs", "Eenheidsprijs", "Verkoopprijs",
          "Prijs per stuk", "Price", "Unit price", "Sales price", "Lineitem price",
          "Item Cost", core=True),
    _role("lines.Product.VATPercentage", "Btw", "Btw %", "Btw-tarief", "Btw-percentage",
          "Btw perc", "Tarief", "VAT", "VAT %", "VAT rate", "VAT percentage"),
    _role("lines.Product.VATType", "VAT type", "Btw-type", "Btw-code", "VAT code"),
    _role("lines.Product.GLAccountCode", "Omzetrekening", "Grootboekrekening", "Grootboek",
          "GL account", "Revenue account"),
    _role("lines.Product.Remarks", "Artikelopmerking", "Product remarks"),
    _role("lines.AccrualDate", "Accrual start", "Begindatum spreiding"),
    _role("lines.AccrualPeriods", "Accrual periods", "Aantal perioden"),
    _role("lines.AccrualInterval", "Accrual interval", "Maanden per periode"),
)

# i18n: the column names exports use (data matched, in every language they come in)
JOURNAL = (
    _role("entries.EntryDate", "Boekdatum", "Datum", "Date", "Transactiedatum", "Entry date",
          "Journaaldatum", "Rentedatum", "Valutadatum", "Date de comptabilisation",
          "Date comptable", "Date valeur"),
    _role("entries.GLAccount", "Grootboekrekening", "Grootboek", "Grootboekrek", "GB-rekening",
          "GL account", "Account", "Rekeningcode", core=True),
    _role("entries.Amount@debit", "Debet", "Debit", "Dr", core=True),
    _role("entries.Amount@credit", "Credit", "Cr", core=True),
    _role("entries.Amount@sign", "Af Bij", "Af/Bij", "Bij/Af", "Debet/Credit", "Credit/Debet",
          "D/C", "C/D", "Debit/Credit", "Credit/Debit", "Richting", "Direction", core=True),
    _role("entries.Amount", "Bedrag", "Amount", "Transactiebedrag", "Mutatiebedrag",
          "Boekingsbedrag", "Transaction amount", "Omzet", "Dagomzet", "Revenue", "Montant",
          "Bruto", "Brutobedrag", "Gross", "Gross amount"),
    _role("entries.Description", "Omschrijving", "Mededelingen", "Description", "Omschr",
          "Toelichting", "Memo", "Boekingsomschrijving", "Communications", "Communication",
          "Libelle"),
    _role("entries.ContactName", "Relatie", "Naam", "Naam / Omschrijving", "Tegenpartij",
          "Naam tegenpartij", "Naam tegenrekening", "Tegenrekeninghouder", "Contact",
          "Counterparty", "Counterparty name", "Name", "Nom contrepartie contient",
          "Nom de la contrepartie", "Contrepartie"),
    _role("entries.ContactCode", "Relatiecode", "Relatienummer", "Contact code"),
    _role("journal.ProjectCode", "Projectcode", "Project code", "Project"),
    _role("bank.Account@iban", "Rekening", "IBAN", "IBAN/BBAN", "Rekeningnummer",
          "Eigen rekening", "Account number", "Compte", "Numero de compte", core=True),
    _role("bank.Counter@iban", "Tegenrekening", "Tegenrekening IBAN", "IBAN tegenrekening",
          "Tegenrekening IBAN/BBAN", "Tegenrekeningnummer", "Rekeningnummer tegenpartij",
          "IBAN tegenpartij", "Rekening tegenpartij", "Counter account", "Counterparty account",
          "Counterparty IBAN", "Consumer bank account", "Compte contrepartie",
          "Compte de la contrepartie", core=True),
    # A payment provider's report (PayPal, Stripe, Mollie): its fees and what it pays out
    # are booked as a journal; no other kind of export has them.
    _role("payout.Fee", "Kosten", "Transactiekosten", "Fee", "Fees", "Transaction fee",
          "Commissie", "Commission", core=True),
    _role("payout.Net", "Netto", "Nettobedrag", "Net", "Net amount", "Settlement amount",
          "Uitbetaald bedrag", "Payout amount", core=True),
)

# i18n: the column names exports use (data matched, in every language they come in)
PETTY_CASH = (
    _role("lines.Date", "Datum", "Date", "Transactiedatum", "Datum transactie", "Boekdatum"),
    _role("lines.Amount@debit", "Ontvangst", "Ontvangsten", "Ontvangen", "Inkomsten", "In",
          "Receipts", "Received", core=True),
    _role("lines.Amount@credit", "Uitgave", "Uitgaven", "Uit", "Betaald", "Payments", "Paid",
          core=True),
    _role("lines.Amount", "Bedrag", "Amount"),
    _role("lines.Balance", "Saldo", "Saldo kas", "Kassaldo", "Balance", "Stand", core=True),
    _role("lines.Description", "Omschrijving", "Description", "Omschr", "Toelichting",
          "Memo"),
    _role("lines.TransactionCode", "Bonnummer", "Bonnr", "Transactiecode", "Transactie code",
          "Volgnummer", "Kasbon", "Receipt number", "Transaction code"),
    _role("lines.OffsetAccount", "Tegenrekening", "Grootboekrekening", "Grootboek",
          "Categorie", "Category", "Rubriek", "Offset account"),
    _role("lines.OffsetName", "Naam tegenrekening", "Offset name"),
    _role("lines.ProjectCode", "Projectcode", "Project code"),
    _role("lines.ProjectNumber", "Projectnummer", "Project number"),
)

ROLES: dict[str, tuple[Role, ...]] = {
    "sales_invoices": SALES, "journal": JOURNAL, "petty_cash": PETTY_CASH}


def match(headers: Sequence[str], target: str) -> dict[str, str]:
    """Role -> header, for the roles of `target` whose names the headers have: each role
    takes the header its most telling name matches, each header serves one role (the
    first in the table's order that wants it)."""
    keys = {h: _key(normalise(h).key) for h in headers}
    used: set[str] = set()
    found: dict[str, str] = {}
    for role in ROLES[target]:
        ranked = sorted((role.words.index(k), n) for n, (h, k) in enumerate(keys.items())
                        if k in role.words and h not in used)
        if ranked:
            header = list(keys)[ranked[0][1]]
            found[role.name] = header
            used.add(header)
    return found


def _key(key: str) -> str:
    """A numbered header ("Omschrijving-1", the first of several) as its name."""
    return key.rstrip("0123456789") or key


@dataclass(frozen=True)
class Guess:
    target: str
    scores: dict[str, int]  # by target, best first
    telling: frozenset[str]  # the targets some telling field of which the headers name

    @property
    def sure(self) -> bool:
        """The best target has a telling field, scores at least 3 and twice the runner-up."""
        best, *rest = self.scores.values()
        return self.target in self.telling and best >= 3 and best >= 2 * (rest[0] if rest else 0)


# What each target cannot do without, as roles any one of which will do: how much of it
# the headers name decides between targets none of whose telling fields is named.
NEEDED = {
    "sales_invoices": (("invoice.Reference",), ("invoice.Date",), ("lines.ProductQuantity",),
                       ("lines.Product.Description",), ("lines.Product.SalesPrice",)),
    "journal": (("entries.EntryDate",),
                ("entries.GLAccount", "bank.Counter@iban", "payout.Fee", "payout.Net"),
                ("entries.Amount", "entries.Amount@debit", "entries.Amount@credit")),
    "petty_cash": (("lines.Date",),
                   ("lines.Amount", "lines.Amount@debit", "lines.Amount@credit")),
}


def guess_target(headers: Sequence[str], iban_columns: Sequence[str] = ()) -> Guess:
    """The target whose fields the headers name most, a telling field counting twice. A
    target none of whose telling fields is named comes after those with one; among such
    targets, the one the headers give most of what it needs comes first (an export with a
    date, a VAT rate and an amount, but no invoice number, quantity, product or price, is a
    journal sooner than sales invoices). When no header tells (a file without column names,
    or names in another language), a column of account numbers (`iban_columns`: every value
    an IBAN) tells a bank statement: a journal."""
    named = {target: match(headers, target) for target in ROLES}
    if iban_columns and not any(role.core and role.name in named[target]
                                for target, roles in ROLES.items() for role in roles):
        named["journal"] = {**named["journal"], "bank.Counter@iban": iban_columns[0]}
    scores: dict[str, int] = {}
    telling: set[str] = set()
    covered: dict[str, float] = {}
    for target, roles in ROLES.items():
        found = named[target]
        scores[target] = sum(2 if role.core else 1 for role in roles if role.name in found)
        if any(role.core and role.name in found for role in roles):
            telling.add(target)
        needs = NEEDED[target]
        covered[target] = sum(any(r in found for r in need) for need in needs) / len(needs)

    def rank(target: str) -> tuple[bool, float, int]:
        return target not in telling, -covered[target], -scores[target]

    ranked = {t: scores[t] for t in sorted(scores, key=rank)}
    return Guess(next(iter(ranked)), ranked, frozenset(telling))
