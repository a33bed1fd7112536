"""Yuki's answer to each document call, read into what the caller needs."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from yukimap import yuki_results as results
from yukimap.client.response import Secrets, parsed
from yukimap.errors import DocumentRejected, UnreadableResponse
from yukimap.i18n import tr
from yukimap.soap import element_text

# ImportStatement answers "an error message" on failure (yuki-api.md §6) instead of a
# fault, or a document ID on success. ASSUMPTION: a result with one of these words is an
# error message; anything else (an ID, empty, "OK") is success.
_ERROR_WORDS = ("error", "fout", "onbekend", "unknown", "invalid", "ongeldig", "niet ",
                "not ", "failed", "mislukt")


def answer(operation: str, result: Element | None, secrets: Secrets
           ) -> results.SalesImportResult | str:
    """The answer to a document call, read for its operation."""
    if operation == "ProcessSalesInvoices":
        return sales(result, secrets)
    if operation == "ProcessJournal":
        return journal(result)
    return statement(result, secrets)


def sales(result: Element | None, secrets: Secrets) -> results.SalesImportResult:
    return parsed("ProcessSalesInvoices", results.parse_sales_result, result, secrets)


def journal(result: Element | None) -> str:
    """The GUID of the journal Yuki created."""
    guid = element_text(result)
    if not guid:
        raise UnreadableResponse(tr("Yuki answered ProcessJournal without a document ID"),
                                 operation="ProcessJournal")
    return guid


def statement(result: Element | None, secrets: Secrets) -> str:
    text = element_text(result)
    if any(word in text.lower() for word in _ERROR_WORDS):
        shown = secrets.redact(text)
        raise DocumentRejected(tr("Yuki rejected the cash statement: {fault}", fault=shown),
                               operation="ImportStatement", faultstring=shown)
    return text
