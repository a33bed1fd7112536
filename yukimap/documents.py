"""The Yuki documents yukimap writes, as data: elements, their order, types and limits.

This is the one place that knows the shape of a Yuki document. The mapping schema uses it
to check field names (and suggest the nearest), the map stage to parse values into the
right type, the renderer to build the template context, and the rules to check limits.
The facts come from ../shared/reference/yuki-api.md and Yuki's functional description of
the sales invoice fields; where sources disagree the docstring of an element says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from yukimap.i18n import N_, tr

Kind = Literal["text", "decimal", "integer", "date", "boolean"]  # of a value
Empty = Literal["omit", "clear", "nil"]  # what an empty value sends

PAYMENT_METHODS = (
    "Unspecified", "ElectronicTransfer", "DirectCollection", "CreditCard", "DebitCard",
    "Cash", "iDeal", "Online", "ReceivedElectronically", "ReceivedCash", "ToSettle",
)


@dataclass(frozen=True)
class Element:
    """One element of a Yuki document (a leaf value, or a group of elements)."""

    name: str
    kind: Kind | None = "text"  # None for a group
    children: tuple[Element, ...] = ()
    doc: str = ""
    max_length: int | None = None
    truncates: bool = False  # Yuki silently cuts longer text (a warning), else an error
    decimals: int | None = None  # Yuki rejects more fraction digits
    choices: tuple[str, ...] = ()
    strict_choices: bool = True  # False: other values are allowed but warned about
    clearable: bool = True  # may be sent empty, which clears Yuki's stored value
    nillable: bool = False  # may be sent as xsi:nil="true"
    required: bool = False  # every document (or item) must have it

    @property
    def is_group(self) -> bool:
        return bool(self.children)

    def child(self, name: str) -> Element | None:
        return next((c for c in self.children if c.name == name), None)


def _text(name: str, doc: str = "", **kw: object) -> Element:
    return Element(name, "text", doc=doc, **kw)  # type: ignore[arg-type]


def _typed(name: str, kind: Kind, doc: str = "", **kw: object) -> Element:
    kw.setdefault("clearable", False)
    return Element(name, kind, doc=doc, **kw)  # type: ignore[arg-type]


def _group(name: str, doc: str, *children: Element) -> Element:
    return Element(name, None, children=children, doc=doc)


@dataclass(frozen=True)
class Option:
    """A target-specific top-level key of a mapping file."""

    name: str
    doc: str
    choices: tuple[str, ...] = ()
    default: object = None
    kind: str = "choice"  # or "balancing": the journal's balancing entry


@dataclass(frozen=True)
class DocumentType:
    """A kind of Yuki document and how a mapping fills it."""

    name: str  # the mapping's `target:` value
    title: str  # "sales invoices", for messages
    document: str  # one document, for messages: "invoice"
    header_key: str  # mapping section for the document's own fields
    header: tuple[Element, ...]
    item_key: str  # mapping section for the items made from rows
    item: str  # one item, for messages: "line"
    items: tuple[Element, ...]
    template: str  # file in templates/
    xsd: str | None  # file in yukimap/schemas/ (None: not XML)
    operation: str  # the Yuki webservice call that takes it
    reference_field: str | None = None  # the header field that identifies a document
    options: tuple[Option, ...] = ()
    per_call: bool = False  # one document per Yuki call (else many documents in one)
    depths: tuple[int, int] = (2, 4)  # nesting of header and item elements in the XML
    root: str = "SalesInvoices"  # the XML document's root element
    item_tag: str | None = "InvoiceLine"  # the XML element of one item
    items_at_root: bool = False  # items are children of the root: a big document's blocks
    #                              of items can be validated apart (pipeline._Splitter)
    without_group_by: str = "row"  # no group_by: a document per "row", or one per "file"
    administration_in_document: bool = False  # the document names its administration
    answers_per_document: bool = False  # Yuki answers for each document of a call

    @property
    def a_document(self) -> str:
        """One document with its article, for messages: "an invoice", "a journal" (in the
        user's language)."""
        if self.document == "invoice":
            return tr("an invoice")
        if self.document == "journal":
            return tr("a journal")
        if self.document == "statement":
            return tr("a statement")
        return f"{'an' if self.document[0] in 'aeiou' else 'a'} {self.document}"

    @property
    def call(self) -> str:
        """The SOAP operation that takes it: "ProcessJournal"."""
        return self.operation.rsplit(".", 1)[-1]

    def header_element(self, name: str) -> Element | None:
        return next((e for e in self.header if e.name == name), None)


CONTACT = _group(
    "Contact",
    "The customer. Yuki looks it up by ContactCode, then by FullName; otherwise it creates"
    " one. With a ContactCode, the address is overwritten by what is sent: an omitted"
    " element keeps Yuki's value, an empty element clears it.",
    _text("ContactCode", N_("customer number in Yuki")),
    _text("FullName", N_("company name, or full name of a person")),
    _text("FirstName", N_("first name of a person")),
    _text("MiddleName", N_("middle name or prefix (van, de)")),
    _text("LastName", N_("last name of a person")),
    _text("Gender", N_("Male, Female or Unknown"), choices=("Male", "Female", "Unknown"),
          clearable=False),
    _text("CountryCode", N_("ISO 3166 two-letter code, e.g. NL")),
    _text("City", N_("city (Plaats)")),
    _text("Zipcode", N_("postcode")),
    _text("AddressLine_1", N_("street and house number")),
    _text("AddressLine_2", N_("second address line")),
    _text("EmailAddress", N_("stored as the customer's invoice address")),
    _text("Website", N_("the customer's website")),
    _text("CoCNumber", N_("Chamber of Commerce (KvK) number")),
    _text("VATNumber", N_("VAT identification number (btw-nummer), e.g. NL001234567B01")),
    _text("ContactType", N_("Person or Company"), choices=("Person", "Company"), clearable=False),
    _text("BankAccount", N_("IBAN; also used as the account of this invoice")),
    _text("BIC", N_("the bank's BIC code")),
    _text("PhoneHome", N_("phone number")),
    _text("MobileHome", N_("mobile phone number")),
)

CONTACT_PERSON = _group(
    "ContactPerson",
    "The person at the customer the invoice is addressed to.",
    _text("FullName", N_("only one older client sends it; its position is a guess")),
    _text("FirstName", N_("first name of the person")),
    _text("LastName", N_("last name of the person")),
    _text("Gender", N_("Male, Female or Unknown"), choices=("Male", "Female", "Unknown"),
          clearable=False),
    _text("EmailAddress", N_("the person's e-mail address")),
)

PRODUCT = _group(
    "Product",
    "The sales item. Yuki finds it by Description/Reference or creates it; price and VAT"
    " are taken from the document only when SalesPrice, VATType and VATPercentage are all"
    " given, otherwise from Yuki's price list.",
    _text("Description", N_("unique; Yuki cuts it at 60 characters"), max_length=60, truncates=True,
          clearable=False),
    _text("Reference", N_("product code; unique; Yuki cuts it at 40 characters"), max_length=40,
          truncates=True),
    _text("Category", N_("only 13 (sales items) or nil"), choices=("13",), clearable=False,
          nillable=True),
    _typed("SalesPrice", "decimal", N_("unit price; at most 2 decimals"), decimals=2,
           clearable=True),
    _typed("VATPercentage", "decimal", N_("e.g. 21.00"), decimals=2),
    _typed("VATIncluded", "boolean", N_("true: SalesPrice includes VAT")),
    _typed("VATType", "integer", N_("Yuki's VAT type, e.g. 1 high rate, 2 low rate, 4 zero rate")),
    _text("VATDescription", N_("with VATType 8 (distance sales): the VAT setting's description")),
    _text("GLAccountCode", N_("revenue account; empty: the item's own or 80000")),
    _text("Remarks", N_("stored with the item, not printed")),
)

SALES_INVOICE = DocumentType(
    name="sales_invoices",
    title="sales invoices",
    document="invoice",
    header_key="invoice",
    header=(
        _text("Reference", N_("the invoice number; needed when Process is true")),
        _text("Subject", N_("the invoice's subject line")),
        _text("PaymentMethod", N_("how the customer pays; other values are warned about"),
              choices=PAYMENT_METHODS, strict_choices=False, max_length=60),
        _text("PaymentID", N_("payment reference")),
        _text("PurchaseOrderNumber", N_("the customer's order number")),
        _typed("Process", "boolean", N_("true: book it now; false: a draft in 'To be sent'")),
        _typed("EmailToCustomer", "boolean", N_("true: Yuki e-mails the invoice to the customer")),
        _typed("SentToPeppol", "boolean", N_("newer field; two sources")),
        _text("Layout", N_("name of a Yuki invoice layout; empty: the default")),
        _text("Notes", N_("one source; at most 500 characters"), max_length=500),
        _typed("Date", "date", N_("invoice date")),
        _typed("DueDate", "date", N_("the date the invoice must be paid by")),
        _text("PriceList", N_("empty: the default price list")),
        _text("Currency", N_("ISO code; empty: EUR")),
        _text("ProjectID", N_("the project's ID in Yuki")),
        _text("ProjectCode", N_("used only without ProjectID")),
        _text("Remarks", N_("a note kept with the invoice, not printed")),
        _text("DocumentFileName", N_("your own PDF instead of Yuki's layout")),
        _text("DocumentBase64", N_("the PDF, base64-encoded")),
        CONTACT,
        CONTACT_PERSON,
    ),
    item_key="lines",
    item="line",
    items=(
        _text("Description", N_("line text; empty: the product's Description")),
        _text("Remarks", N_("extra text under the line")),
        _typed("ProductQuantity", "decimal", N_("how many; at most 4 decimals"), decimals=4),
        _typed("LineAmount", "decimal", N_("overrides quantity x price; not advised by Yuki"),
               decimals=2),
        _typed("LineVATAmount", "decimal", N_("overrides the VAT calculation; not advised by Yuki"),
               decimals=2),
        PRODUCT,
        _typed("AccrualDate", "date", N_("start of spreading the revenue")),
        _typed("AccrualPeriods", "integer", N_("number of periods")),
        _typed("AccrualInterval", "integer", N_("months per period")),
    ),
    template="sales_invoices.xml.j2",
    xsd="SalesInvoices.xsd",
    operation="Sales.ProcessSalesInvoices",
    reference_field="Reference",
    answers_per_document=True,
)

# The administration a journal names: by ID or by Chamber of Commerce number.
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
COC_NUMBER = re.compile(r"^\d+$")
ADMINISTRATION_FIELDS = ("AdministrationID", "AdministrationCoCNumber")
# What a dry run renders when no administration is given: nothing is written or sent.
NO_ADMINISTRATION = "00000000-0000-0000-0000-000000000000"


def administration_problem(field: str, text: str) -> tuple[str, str] | None:
    """(cause, hint) when `text` is not the shape `field` takes; None when it is."""
    if field == "AdministrationID" and not GUID.match(text):
        return (tr("not an administration ID (a GUID such as"
                   " 5a4db0c5-ad01-4e00-8000-000000000001)"),
                tr("`yukimap administrations` lists the IDs; a Chamber of Commerce number goes"
                   " in AdministrationCoCNumber"))
    if field == "AdministrationCoCNumber" and not COC_NUMBER.match(text):
        return (tr("not a Chamber of Commerce number (digits only)"),
                tr("write the number alone, e.g. 12345678; an administration's ID (a GUID) goes"
                   " in AdministrationID"))
    return None



JOURNAL_TYPES = ("GeneralJournal", "EndOfYearCorrection", "FiscalCorrection")

JOURNAL = DocumentType(
    name="journal",
    title="journals",
    document="journal",
    header_key="journal",
    header=(
        _text("AdministrationID", N_("the administration's GUID; or AdministrationCoCNumber")),
        _text("AdministrationCoCNumber", N_("the administration's Chamber of Commerce number")),
        _text("DocumentSubject", N_("the journal's title in Yuki")),
        _text("JournalType", N_("GeneralJournal, EndOfYearCorrection or FiscalCorrection"),
              choices=JOURNAL_TYPES, clearable=False, required=True),
        _text("ProjectID", N_("the project's ID in Yuki, for every entry")),
        _text("ProjectCode", N_("the project's code in Yuki, for every entry")),
    ),
    item_key="entries",
    item="entry",
    items=(
        _text("ContactName", N_("a contact by name; Yuki creates it if unknown")),
        _text("ContactCode", N_("a contact by its code; wins over ContactName")),
        _typed("EntryDate", "date", N_("the booking date of the entry"), required=True),
        _text("GLAccount", N_("the account code, e.g. 8000"), clearable=False, required=True),
        _typed("Amount", "decimal", N_("positive: debit; negative: credit"), decimals=2,
               required=True),
        _text("Description", N_("the entry's description")),
    ),
    template="journal.xml.j2",
    xsd="Journal.xsd",
    options=(
        Option("balancing", "an account for an explicit balancing entry when a date does not"
               " balance, up to a limit: {GLAccount: '2000', max: 0.05}; off by default",
               kind="balancing"),
    ),
    operation="Accounting.ProcessJournal",
    per_call=True,
    depths=(1, 2),
    root="Journal",
    item_tag="JournalEntry",
    items_at_root=True,
    without_group_by="file",
    administration_in_document=True,
)

PETTY_CASH_HEADER = ("Grootboekrekening kas;Kas omschrijving;Transactie code;Tegenrekening;"
                     "Naam tegenrekening;Datum transactie;Omschrijving;Bedrag;Saldo kas")
PETTY_CASH_PROJECT_HEADER = ";Projectcode;Projectnummer"

PETTY_CASH = DocumentType(
    name="petty_cash",
    title="petty cash statements",
    document="statement",
    header_key="statement",
    header=(
        _text("CashAccount", N_("GL code of the cash account (Grootboekrekening kas)"),
              clearable=False, required=True),
        _text("CashDescription", N_("optional; must equal the cash account's description in Yuki")),
        _typed("OpeningBalance", "decimal",
               N_("cash before the first line; or give a Balance column"),
               decimals=2),
    ),
    item_key="lines",
    item="line",
    items=(
        _text("TransactionCode",
              N_("for the accountant's processing rules; Yuki uses 10 characters"),
              max_length=10, truncates=True),
        _text("OffsetAccount", N_("contact code or GL account (Tegenrekening)"), max_length=34),
        _text("OffsetName", N_("name of the offset account (Naam tegenrekening)"), max_length=34),
        _typed("Date", "date", N_("Datum transactie"), required=True),
        _text("Description", N_("Omschrijving"), max_length=1024),
        _typed("Amount", "decimal", N_("positive raises the cash, negative lowers it"), decimals=2,
               required=True),
        _typed("Balance", "decimal", N_("cash after this line (Saldo kas); default: computed"),
               decimals=2),
        _text("ProjectCode", N_("optional extra column")),
        _text("ProjectNumber", N_("optional extra column")),
    ),
    template="petty_cash.csv.j2",
    xsd=None,
    item_tag=None,
    options=(
        Option("amount_decimal_mark",
               "decimal mark of Bedrag and Saldo kas in the CSV sent to Yuki. Yuki does not"
               " document it; its other CSV formats use a comma, so ',' is the default",
               choices=(",", "."), default=","),
    ),
    operation="Pettycash.ImportStatement",
    per_call=True,
    without_group_by="file",
)

DOCUMENT_TYPES: dict[str, DocumentType] = {
    t.name: t for t in (SALES_INVOICE, JOURNAL, PETTY_CASH)}


def walk(elements: tuple[Element, ...], prefix: tuple[str, ...] = (),
         ) -> Iterator[tuple[tuple[str, ...], Element]]:
    """Every leaf element with its path, in document order."""
    for element in elements:
        path = prefix + (element.name,)
        if element.is_group:
            yield from walk(element.children, path)
        else:
            yield path, element
