"""The fields of a starter mapping: which column feeds each field of the target's document,
what a column's values become where Yuki takes only some (a payment method, a VAT type), and
a TODO, with what to fill in, for every field a document needs that no column gave.

Only what the file shows is stated: a column by its header's name, a lookup value only for
a word whose meaning is fixed (iDEAL is iDeal, 21% is VATType 1); everything else is left to
the person, as a TODO.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from yukimap.authoring.columns import IBAN, LISTED, Profile
from yukimap.authoring.synonyms import match, normalise
from yukimap.authoring.yamltext import Entry, Flow, flow, scalar
from yukimap.documents import DOCUMENT_TYPES, DocumentType, Element, walk
from yukimap.frames import Table
from yukimap.i18n import tr
from yukimap.placeholders import TODO
from yukimap.values import BadValue, Locale, parse_written_number

# Words whose meaning for Yuki is fixed, by normalised value.
PAYMENT_WORDS = {
    "ideal": "iDeal", "pin": "DebitCard", "pinbetaling": "DebitCard", "debitcard": "DebitCard",
    "maestro": "DebitCard", "contant": "Cash", "cash": "Cash", "creditcard": "CreditCard",
    "visa": "CreditCard", "mastercard": "CreditCard", "bankoverschrijving": "ElectronicTransfer",
    "overschrijving": "ElectronicTransfer", "banktransfer": "ElectronicTransfer",
    "incasso": "DirectCollection", "automatischeincasso": "DirectCollection",
    "directdebit": "DirectCollection", "paypal": "Online", "online": "Online",
}
CONTACT_TYPE_WORDS = {"bedrijf": "Company", "zakelijk": "Company", "company": "Company",
                      "business": "Company", "particulier": "Person", "prive": "Person",
                      "consument": "Person", "person": "Person", "private": "Person"}
GENDER_WORDS = {"man": "Male", "m": "Male", "male": "Male", "dhr": "Male", "vrouw": "Female",
                "v": "Female", "female": "Female", "f": "Female", "mevr": "Female",
                "onbekend": "Unknown", "unknown": "Unknown"}
WORDS = {"PaymentMethod": PAYMENT_WORDS, "ContactType": CONTACT_TYPE_WORDS,
         "Gender": GENDER_WORDS}
# Dutch VAT rates and Yuki's VATType for them (21% high, 9% low); 0% has several types.
VAT_TYPES = {"21": "1", "9": "2"}
POSITIVE_WORDS = ("bij", "c", "cr", "credit", "in", "ontvangen", "+")
NEGATIVE_WORDS = ("af", "d", "dr", "debet", "debit", "uit", "betaald", "-")

Field = tuple["str | Flow", str]  # (the value as mapping text, a comment beside it)


@dataclass
class Draft:
    """What init decided for the target's sections, and where a person must decide."""

    sections: list[Entry]  # group_by, skip_rows, the header and the items
    todos: list[str] = field(default_factory=list)  # key paths, in the order written
    uses: dict[str, list[str]] = field(default_factory=dict)  # header -> what it feeds


class Gathered:
    """What a draft asks of the file's rows beyond their columns' profiles, gathered a slice
    at a time as they are profiled (which columns the questions are about follows from the
    column names alone): the words of sales rows without a quantity or price (subtotals?),
    and the first name beside each IBAN of a column of few (a bank's counter accounts)."""

    def __init__(self, columns: Sequence[str]) -> None:
        sales = match(columns, "sales_invoices")
        self.description = sales.get("lines.Product.Description")
        self.needed = [h for h in (sales.get("lines.ProductQuantity"),
                                   sales.get("lines.Product.SalesPrice")) if h is not None]
        self.bare: list[str] = []  # the words of the rows without them: two say enough
        self.name = match(columns, "journal").get("entries.ContactName")
        # the first name beside each value, for each column of no more than LISTED IBANs
        self.firsts: dict[str, dict[str, str]] = {
            c: {} for c in columns if self.name is not None and c != self.name}
        self.keys: dict[str, set[str]] = {}  # the values of those columns

    def add(self, frame: pl.DataFrame) -> None:
        if self.description is not None and self.needed and len(self.bare) < 2:
            bare = frame.filter(pl.any_horizontal([pl.col(h).is_null() for h in self.needed])
                                & pl.col(self.description).is_not_null())
            for word in bare[self.description].unique(maintain_order=True).head(2):
                if word not in self.bare:
                    self.bare.append(word)
        for key, firsts in list(self.firsts.items()):
            assert self.name is not None
            keys = self.keys.setdefault(key, set())
            keys.update(frame[key].drop_nulls().unique())
            if len(keys) > LISTED or not all(IBAN.match(k.replace(" ", "")) for k in keys):
                del self.firsts[key]  # not IBANs few enough for a map to list
                continue
            named = frame.filter(pl.col(key).is_not_null() & pl.col(self.name).is_not_null())
            found = named.group_by(key, maintain_order=True).agg(pl.col(self.name).first())
            for value, name in found.iter_rows():
                firsts.setdefault(str(value), str(name))


class _Drafter:
    def __init__(self, target: DocumentType, table: Table, profiles: dict[str, Profile],
                 found: dict[str, str], gathered: Gathered) -> None:
        self.target, self.table, self.profiles, self.found = target, table, profiles, found
        self.gathered = gathered
        self.draft = Draft([])

    def header(self, role: str) -> str | None:
        return self.found.get(role)

    def use(self, header: str, what: str) -> None:
        self.draft.uses.setdefault(header, []).append(what)

    def todo(self, where: str) -> str:
        self.draft.todos.append(where)
        return TODO

    def column(self, role: str, fields: dict[str, Field], todo: str | None = None) -> None:
        """The field of `role` from its column; a TODO saying `todo` when none has it."""
        section, key = _split(role)
        header = self.header(role)
        if header is not None:
            fields[key] = (self.from_column(header, section, key), "")
        elif todo is not None:
            fields[key] = (flow({"column": self.todo(f"{section}.{key}")}), todo)

    def from_column(self, header: str, section: str, key: str) -> str | Flow:
        self.use(header, f"{section}.{key}")
        element = self.element(section, key)
        if element is not None and element.choices and key.split(".")[-1] in WORDS:
            return self.chosen(header, section, key, element)
        return flow({"column": scalar(header)})

    def element(self, section: str, key: str) -> Element | None:
        elements = self.target.header if section == self.target.header_key else self.target.items
        return dict((".".join(path), e) for path, e in walk(elements)).get(key)

    def chosen(self, header: str, section: str, key: str, element: Element) -> Flow:
        """A column whose values must be one of Yuki's words: a map of its values to them
        (a TODO for a value whose meaning is not fixed); the column alone when its values
        are Yuki's words already, or too many to list."""
        profile = self.profiles[header]
        choices = {c.lower(): c for c in element.choices}
        if all(v in element.choices for v in profile.values) or not profile.all_listed:
            return flow({"column": scalar(header)})
        words = WORDS[key.split(".")[-1]]
        pairs: dict[str, str | Flow] = {}
        for value in profile.values:
            meant = choices.get(value.lower()) or words.get(normalise(value).key)
            pairs[scalar(value)] = scalar(meant) if meant else self.todo(
                f"{section}.{key}.map.{value}")
        return flow({"column": scalar(header), "map": flow(pairs)})

    def distinct(self, header: str) -> tuple[str, ...]:
        return self.profiles[header].values


def _split(role: str) -> tuple[str, str]:
    section, _, key = role.partition(".")
    return section, key


def _section(key: str, elements: tuple[Element, ...], fields: dict[str, Field],
             above: list[str] | None = None, prefix: str = "") -> Entry:
    """The fields of one section in the document's own order, groups nested."""
    children: list[Entry] = []
    for element in elements:
        name = prefix + element.name
        if element.is_group:
            group = _section(element.name, element.children, fields, prefix=name + ".")
            if group.children:
                children.append(group)
        elif name in fields:
            value, note = fields[name]
            children.append(Entry(element.name, value, note=note))
    return Entry(key, children=children, above=above or [])


def draft(target_name: str, table: Table, profiles: dict[str, Profile],
          found: dict[str, str], gathered: Gathered) -> Draft:
    """The target's sections for a table whose columns `found` assigns to roles."""
    target = DOCUMENT_TYPES[target_name]
    drafter = _Drafter(target, table, profiles, found, gathered)
    DRAFTERS[target_name](drafter)
    return drafter.draft


# --- sales invoices ---------------------------------------------------------------------


def _sales(d: _Drafter) -> None:
    head: dict[str, Field] = {}
    lines: dict[str, Field] = {}
    for role in ("invoice.Subject", "invoice.PaymentMethod", "invoice.PaymentID",
                 "invoice.PurchaseOrderNumber", "invoice.Currency", "invoice.Remarks",
                 "invoice.DueDate"):
        d.column(role, head)
    d.column("invoice.Reference", head,
             tr("the invoice number (Yuki needs it to book an invoice)"))
    d.column("invoice.Date", head, tr("the invoice date"))
    head["Process"] = ("true", tr("book the invoices at once; false: drafts in Yuki"))
    for role in (r for r in d.found if r.startswith("invoice.Contact")):
        d.column(role, head)
    _full_name(d, head)
    for role in (r for r in d.found if r.startswith("lines.")):
        d.column(role, lines)
    d.column("lines.ProductQuantity", lines, tr("the quantity of each line"))
    d.column("lines.Product.Description", lines, tr("the product's name (Yuki finds or makes the"
                                                    " product by it)"))
    d.column("lines.Product.SalesPrice", lines, tr("the price of one"))
    d.column("lines.Product.VATPercentage", lines, tr("the VAT rate, e.g. 21"))
    _vat_included(d, lines)
    _vat_type(d, lines)
    sections = _grouping(d, "invoice.Reference") + _subtotals(d)
    d.draft.sections = sections + [
        _section("invoice", d.target.header, head),
        _section("lines", d.target.items, lines, [tr("one line per row")]),
    ]


def _full_name(d: _Drafter, head: dict[str, Field]) -> None:
    """The customer: a company name, else first and last name, when the export has both."""
    company = d.header("invoice.Contact.FullName")
    first, last = d.header("invoice.Contact.FirstName"), d.header("invoice.Contact.LastName")
    if company is not None and normalise(company).key in ("bedrijfsnaam", "company",
                                                           "companyname") and first and last:
        d.use(first, "invoice.Contact.FullName")
        d.use(last, "invoice.Contact.FullName")
        expr = f"coalesce({_name(company)}, join(' ', {_name(first)}, {_name(last)}))"
        head["Contact.FullName"] = (flow({"expr": scalar(expr)}),
                                    tr("{column}, or else the person's name", column=company))
    elif company is None:
        head["Contact.FullName"] = (
            flow({"column": d.todo("invoice.Contact.FullName")}),
            tr("the customer's name; one for every invoice: FullName: Kassaklant"))


def _name(header: str) -> str:
    """A column in an expression: by its name, or col('...') when the name has spaces."""
    import keyword

    from yukimap.expr import FUNCTIONS

    plain = header.isidentifier() and not keyword.iskeyword(header) and header not in FUNCTIONS
    return header if plain else "col('" + header.replace("'", "\\'") + "')"


def _vat_included(d: _Drafter, lines: dict[str, Field]) -> None:
    price = d.header("lines.Product.SalesPrice")
    said = normalise(price).vat_included if price else None
    if said is not None:
        lines["Product.VATIncluded"] = ("true" if said else "false",
                                        tr("the column says so: {column}", column=price))
    else:
        lines["Product.VATIncluded"] = (d.todo("lines.Product.VATIncluded"),
                                        tr("true when the prices include VAT, else false"))


def _vat_type(d: _Drafter, lines: dict[str, Field]) -> None:
    if "Product.VATType" in lines:
        return
    rate = d.header("lines.Product.VATPercentage")
    if rate is None or not d.profiles[rate].all_listed:
        lines["Product.VATType"] = (d.todo("lines.Product.VATType"),
                                    tr("Yuki's VAT type: 1 high rate, 2 low rate, 4 zero rate"))
        return
    d.use(rate, "lines.Product.VATType")
    pairs: dict[str, str | Flow] = {}
    for value in d.distinct(rate):
        known = VAT_TYPES.get(_number_text(value))
        pairs[scalar(value)] = known if known else d.todo(f"lines.Product.VATType.map.{value}")
    note = tr("21% is 1, 9% is 2; 0% is 4 (zero rate) or another type") \
        if TODO in pairs.values() else tr("21% is 1 (high rate), 9% is 2 (low rate)")
    lines["Product.VATType"] = (flow({"column": scalar(rate), "map": flow(pairs)}), note)


def _number_text(value: str) -> str:
    try:
        number = parse_written_number(value.replace("%", ""), Locale())
    except BadValue:
        return value
    return str(number.normalize()) if number == number.to_integral() else str(number)


def _grouping(d: _Drafter, role: str) -> list[Entry]:
    header = d.header(role)
    if header is None:
        return [Entry("", above=[tr("group_by: the invoice number's column, if an invoice spans"
                                    " several rows")])]
    repeats = d.profiles[header].repeats
    if repeats is None:  # too many values to keep: whether one is in two rows is not known
        said = tr("group_by: {column}, if an invoice spans several rows (it has too many"
                  " values for init to tell)", column=header)
        return [Entry("", above=textwrap.wrap(said, 86))]
    if not repeats:
        return []
    d.use(header, "group_by")
    return [Entry("group_by", scalar(header),
                  note=tr("one invoice per {column}: its rows share it", column=header))]


def _subtotals(d: _Drafter) -> list[Entry]:
    """Rows without a quantity or price that all say one word with 'totaal' in it are
    subtotals: skip_rows says so. Other rows without them are left for the person."""
    description, words = d.gathered.description, d.gathered.bare
    if description is None or not d.gathered.needed:
        return []
    if len(words) != 1 or "total" not in normalise(str(words[0])).key.replace("totaal", "total"):
        return []
    d.use(description, "skip_rows")
    return [Entry("skip_rows", flow({"column": scalar(description),
                                     "equals": scalar(str(words[0]))}),
                  note=tr("subtotal rows: no quantity or price"))]


# --- journals ---------------------------------------------------------------------------


def _journal(d: _Drafter) -> None:
    head: dict[str, Field] = {
        "DocumentSubject": (scalar(Path(d.table.file).name), tr("the journal's title in Yuki")),
        "JournalType": ("GeneralJournal", tr("or EndOfYearCorrection, FiscalCorrection"))}
    d.column("journal.ProjectCode", head)
    bank = d.header("bank.Counter@iban")
    if bank is not None and d.header("entries.GLAccount") is None and \
            d.profiles[bank].ibans:
        entries = _bank_entries(d, bank)
    else:
        entry = _entry(d)
        d.column("entries.GLAccount", entry, tr("the GL account code of each entry, e.g. 8000"))
        entries = [_section("entries", d.target.items, entry, [tr("one entry per row")])]
    d.draft.sections = [
        _section("journal", d.target.header, head,
                 [tr("the administration: give it with -a when you send (or AdministrationID"
                     " here)")]),
        *entries]


def _entry(d: _Drafter) -> dict[str, Field]:
    entry: dict[str, Field] = {}
    for role in ("entries.ContactName", "entries.ContactCode", "entries.Description"):
        d.column(role, entry)
    d.column("entries.EntryDate", entry, tr("the date of each entry"))
    entry["Amount"] = _amount(d, "entries", tr("positive: debit; negative: credit"))
    return entry


def _bank_entries(d: _Drafter, counter: str) -> list[Entry]:
    """A bank export: two entries a row, the bank account's and the counter account's."""
    own = _entry(d)
    own["GLAccount"] = (d.todo("entries[0].GLAccount"), tr("the GL account of this bank account,"
                                                           " e.g. 1100"))
    other = dict(own)
    other["GLAccount"] = ("", "")
    for key, (value, _comment) in own.items():  # the counter entry's copies are TODOs too
        if key not in ("GLAccount", "Amount") and TODO in str(value):
            d.todo(f"entries[1].{key}")
    amount = own["Amount"][0]
    if isinstance(amount, Flow):  # its TODOs are the counter entry's to fill in too
        amount = Flow({k: d.todo(f"entries[1].Amount.{k}") if v == TODO else v
                       for k, v in amount.items()} | {"negate": "true"})
    other["Amount"] = (amount, tr("the same amount, the other way"))
    entry = _section("entries", d.target.items, other)
    entry.children = [_counter_account(d, counter) if c.key == "GLAccount" else c
                      for c in entry.children]
    return [Entry("entries", items=[_section("", d.target.items, own).children,
                                    entry.children],
                  above=[tr("each row gives two entries: the bank account's and the counter"
                            " account's")])]


def _counter_account(d: _Drafter, counter: str) -> Entry:
    d.use(counter, "entries[1].GLAccount")
    profile = d.profiles[counter]
    names = d.gathered.firsts.get(counter, {})
    children = []
    if profile.all_listed:
        pairs = [Entry(scalar(v), d.todo(f"entries[1].GLAccount.map.{v}"), note=names.get(v, ""))
                 for v in profile.values]
        children.append(Entry("map", children=pairs, note=tr("which GL account each one is")))
    children.append(Entry("fallback", d.todo("entries[1].GLAccount.fallback"),
                          note=tr("any other account, e.g. 2100 (Vraagposten)")))
    if profile.filled < profile.rows:
        children.append(Entry("default", d.todo("entries[1].GLAccount.default"),
                              note=tr("rows without a {column} (bank charges?)", column=counter)))
    return Entry("GLAccount", children=[Entry("column", scalar(counter)), *children])


def _amount(d: _Drafter, section: str, meaning: str) -> Field:
    """An amount: debit and credit columns, an amount with its sign column, or a signed
    amount; a TODO when none is found, or when an indicator's words are not known."""
    debit, credit = d.header(f"{section}.Amount@debit"), d.header(f"{section}.Amount@credit")
    amount, sign = d.header(f"{section}.Amount"), d.header(f"{section}.Amount@sign")
    if debit and credit:
        d.use(debit, f"{section}.Amount (debit)")
        d.use(credit, f"{section}.Amount (credit)")
        return flow({"debit": scalar(debit), "credit": scalar(credit)}), meaning
    if amount is None:
        return flow({"column": d.todo(f"{section}.Amount")}), meaning
    d.use(amount, f"{section}.Amount")
    if sign is None:
        return flow({"column": scalar(amount)}), meaning
    d.use(sign, f"{section}.Amount (sign)")
    words = _sign_words(d.distinct(sign))
    said = flow({"column": scalar(sign), "positive": words[0], "negative": words[1]}) \
        if words else d.todo(f"{section}.Amount.sign")
    note = meaning if words else tr("{column} says + or -: {values}", column=sign,
                                    values=", ".join(d.distinct(sign)[:6]))
    return flow({"column": scalar(amount), "sign": said}), note


def _sign_words(values: tuple[str, ...]) -> tuple[str, str] | None:
    positive = [v for v in values if v.lower() in POSITIVE_WORDS]
    negative = [v for v in values if v.lower() in NEGATIVE_WORDS]
    if not positive or not negative or len(positive) + len(negative) != len(values):
        return None
    return _words(positive), _words(negative)


def _words(words: list[str]) -> str:
    return scalar(words[0]) if len(words) == 1 else "[" + ", ".join(map(scalar, words)) + "]"


# --- petty cash -------------------------------------------------------------------------


def _petty_cash(d: _Drafter) -> None:
    head: dict[str, Field] = {"CashAccount": (d.todo("statement.CashAccount"),
                                              tr("the GL account of the cash, e.g. 1000"))}
    lines: dict[str, Field] = {}
    for role in ("lines.TransactionCode", "lines.OffsetName", "lines.Description",
                 "lines.Balance", "lines.ProjectCode", "lines.ProjectNumber"):
        d.column(role, lines)
    d.column("lines.Date", lines, tr("the date of each line"))
    lines["Amount"] = _amount(d, "lines", tr("positive raises the cash, negative lowers it"))
    _offset_account(d, lines)
    if "Balance" not in lines:
        head["OpeningBalance"] = (d.todo("statement.OpeningBalance"),
                                  tr("the cash before the first line; or delete this line and"
                                     " give --opening-balance"))
    d.draft.sections = [_section("statement", d.target.header, head),
                        _section("lines", d.target.items, lines, [tr("one line per row")])]


def _offset_account(d: _Drafter, lines: dict[str, Field]) -> None:
    """Codes are used as they are; names (a category) get a map to fill in."""
    header = d.header("lines.OffsetAccount")
    if header is None:
        return
    profile = d.profiles[header]
    if profile.kind == "whole" or not profile.all_listed:
        lines["OffsetAccount"] = (d.from_column(header, "lines", "OffsetAccount"), "")
        return
    d.use(header, "lines.OffsetAccount")
    pairs: dict[str, str | Flow] = {scalar(v): d.todo(f"lines.OffsetAccount.map.{v}")
                                    for v in profile.values}
    lines["OffsetAccount"] = (flow({"column": scalar(header), "map": flow(pairs)}),
                              tr("the GL account (or contact) of each"))


DRAFTERS: dict[str, Callable[[_Drafter], None]] = {
    "sales_invoices": _sales, "journal": _journal, "petty_cash": _petty_cash}
