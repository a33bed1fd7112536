"""Typed results of Yuki's operations, parsed from the <OpResult> element of an answer.

Children are matched by LOCAL name: Yuki answers some results in its own namespace
(VATCode, GlAccount) and others unqualified (xmlns="", e.g. the sales import response),
and neither is promised. Money and percentages are Decimal, never float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from yukimap.i18n import tr
from yukimap.soap import BadXml, child, child_text, children, element_text, local, parse_xml


def _bool(text: str | None) -> bool | None:
    if text is None or text == "":
        return None
    return text.strip().lower() in ("true", "1")


def _int(text: str | None, default: int = 0) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        return default


def _decimal(text: str | None) -> Decimal | None:
    if text is None or text.strip() == "":
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise BadXml(tr("not a decimal number: {value}", value=repr(text))) from None


def _date(text: str | None) -> date | None:
    """xs:date or xs:dateTime ('2024-01-01T00:00:00') -> date; empty or nil -> None."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise BadXml(tr("not a date: {value}", value=repr(text))) from None


# --- sales invoices --------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceResult:
    """Yuki's verdict on one invoice of a ProcessSalesInvoices call."""

    succeeded: bool
    processed: bool
    email_sent: bool
    reference: str
    subject: str
    message: str
    contact: str = ""


@dataclass(frozen=True)
class SalesImportResult:
    """The SalesInvoicesImportResponse: totals plus one result per invoice, in order."""

    total_succeeded: int
    total_failed: int
    total_skipped: int
    invoices: tuple[InvoiceResult, ...]
    administration_id: str = ""
    timestamp: str = ""

    @property
    def succeeded(self) -> list[InvoiceResult]:
        return [i for i in self.invoices if i.succeeded]

    @property
    def failed(self) -> list[InvoiceResult]:
        return [i for i in self.invoices if not i.succeeded]


def parse_sales_result(result: Element | None) -> SalesImportResult:
    """Accept child XML, or the escaped-text variant (an XML string, maybe utf-16 declared)."""
    response = _find_descendant(result, "SalesInvoicesImportResponse")
    if response is None:
        text = element_text(result)
        if text.startswith("<"):
            inner = parse_xml(text)
            response = inner if local(inner.tag) == "SalesInvoicesImportResponse" else (
                _find_descendant(inner, "SalesInvoicesImportResponse"))
    if response is None:
        raise BadXml(tr("ProcessSalesInvoicesResult holds no SalesInvoicesImportResponse"))
    invoices = tuple(
        InvoiceResult(
            succeeded=bool(_bool(child_text(inv, "Succeeded"))),
            processed=bool(_bool(child_text(inv, "Processed"))),
            email_sent=bool(_bool(child_text(inv, "EmailSent"))),
            reference=child_text(inv, "Reference") or "",
            subject=child_text(inv, "Subject") or "",
            message=child_text(inv, "Message") or "",
            contact=child_text(inv, "Contact") or "",
        )
        for inv in children(response, "Invoice")
    )
    ok = sum(1 for i in invoices if i.succeeded)
    return SalesImportResult(
        total_succeeded=_int(child_text(response, "TotalSucceeded"), ok),
        total_failed=_int(child_text(response, "TotalFailed"), len(invoices) - ok),
        total_skipped=_int(child_text(response, "TotalSkipped"), 0),
        invoices=invoices,
        administration_id=child_text(response, "AdministrationId") or "",
        timestamp=child_text(response, "TimeStamp") or "",
    )


def _find_descendant(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    return next((e for e in element.iter() if local(e.tag) == name), None)


# --- administrations and domains -------------------------------------------------------


@dataclass(frozen=True)
class Administration:
    id: str
    name: str
    domain_id: str = ""
    city: str = ""
    country: str = ""
    coc_number: str = ""
    vat_number: str = ""
    start_date: date | None = None
    active: bool | None = None


def parse_administrations(result: Element | None) -> list[Administration]:
    return [
        Administration(
            id=(adm.get("ID") or "").strip(),
            name=child_text(adm, "Name") or "",
            domain_id=child_text(adm, "DomainID") or "",
            city=child_text(adm, "City") or "",
            country=child_text(adm, "Country") or "",
            coc_number=child_text(adm, "CoCNumber") or "",
            vat_number=child_text(adm, "VATNumber") or "",
            start_date=_date(child_text(adm, "StartDate")),
            active=_bool(child_text(adm, "Active")),
        )
        for adm in _items(result, "Administrations", "Administration")
    ]


@dataclass(frozen=True)
class Domain:
    id: str
    name: str
    url: str = ""


def parse_domains(result: Element | None) -> list[Domain]:
    return [
        Domain(id=(d.get("ID") or "").strip(), name=child_text(d, "Name") or "",
               url=child_text(d, "URL") or "")
        for d in _items(result, "Domains", "Domain")
    ]


def _items(result: Element | None, wrapper: str, item: str) -> list[Element]:
    """Items directly in the result, or inside one wrapper element (<Administrations>)."""
    holder = child(result, wrapper)
    return children(holder if holder is not None else result, item)


# --- VAT codes and GL accounts ---------------------------------------------------------


@dataclass(frozen=True)
class VATCode:
    description: str
    type: int
    type_description: str
    percentage: Decimal
    country: str | None = None
    start_date: date | None = None
    end_date: date | None = None


def parse_vat_codes(result: Element | None) -> list[VATCode]:
    return [
        VATCode(
            description=child_text(v, "description") or "",
            type=_int(child_text(v, "type"), -1),
            type_description=child_text(v, "typeDescription") or "",
            percentage=_decimal(child_text(v, "percentage")) or Decimal("0"),
            country=child_text(v, "country") or None,
            start_date=_date(child_text(v, "startDate")),
            end_date=_date(child_text(v, "endDate")),
        )
        for v in children(result, "VATCode")
    ]


@dataclass(frozen=True)
class GLAccount:
    code: str
    type: int
    subtype: int
    is_enabled: bool
    description: str  # Yuki spells this element `descripton`
    description_nl: str = ""
    description_fr: str = ""
    description_en: str = ""
    is_vat_applicable: bool | None = None
    deductable_vat_percentage: Decimal | None = None
    professional_percentage: Decimal | None = None


def parse_gl_accounts(result: Element | None) -> list[GLAccount]:
    return [
        GLAccount(
            code=child_text(g, "code") or "",
            type=_int(child_text(g, "type"), -1),
            subtype=_int(child_text(g, "subtype"), -1),
            is_enabled=_bool(child_text(g, "isEnabled")) is not False,
            description=child_text(g, "descripton") or child_text(g, "description") or "",
            description_nl=child_text(g, "descriptionNL") or "",
            description_fr=child_text(g, "descriptionFR") or "",
            description_en=child_text(g, "descriptionEN") or "",
            is_vat_applicable=_bool(child_text(g, "isVATApplicable")),
            deductable_vat_percentage=_decimal(child_text(g, "deductableVATPercentage")),
            professional_percentage=_decimal(child_text(g, "professionalPercentage")),
        )
        for g in children(result, "GlAccount") + children(result, "GLAccount")
    ]


# --- outstanding items -----------------------------------------------------------------

_Date = date  # OutstandingItem has a field named `date`

@dataclass(frozen=True)
class OutstandingItem:
    """One open item from CheckOutstandingItem (an unpaid invoice, typically)."""

    id: str
    reference: str
    date: _Date | None
    description: str
    contact: str
    open_amount: Decimal | None
    original_amount: Decimal | None
    type_id: str = ""
    type: str = ""
    due_date: _Date | None = None


def parse_outstanding_items(result: Element | None) -> list[OutstandingItem]:
    items = []
    for item in _items(result, "OutstandingItems", "Item"):
        kind = child(item, "Type")
        items.append(OutstandingItem(
            id=(item.get("ID") or "").strip(),
            reference=child_text(item, "Reference") or "",
            date=_date(child_text(item, "Date")),
            description=child_text(item, "Description") or "",
            contact=child_text(item, "Contact") or "",
            open_amount=_decimal(child_text(item, "OpenAmount")),
            original_amount=_decimal(child_text(item, "OriginalAmount")),
            type_id=(kind.get("ID") or "") if kind is not None else "",
            type=child_text(item, "Type") or "",
            due_date=_date(child_text(item, "DueDate")),
        ))
    return items
