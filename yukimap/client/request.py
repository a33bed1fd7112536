"""A call, built completely before anything is sent: the envelope, with a mark where the
session ID goes, filled in per attempt. What cannot be built is an error here, when it
provably has not left."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from yukimap.errors import DocumentError
from yukimap.i18n import tr
from yukimap.settings import Secret
from yukimap.soap import (
    GENERAL_SERVICE,
    OPERATIONS,
    BadXml,
    Operation,
    XmlDoc,
    build_envelope,
    escape_text,
    xml_doc,
)

_GUID = re.compile(r"^\{?[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\}?$")


def is_guid(text: str) -> bool:
    return bool(_GUID.match(text.strip()))


_SESSION_MARK = "yukimap:session-id"  # where a request's session ID goes, filled per attempt


@dataclass
class Request:
    """One call, built completely before anything is sent (the envelope, with a mark where
    the session ID goes). `may_have_left` turns true once its bytes may have reached the
    network, and back to false when the transport proves they never did: until then a
    failure cannot have reached Yuki."""

    operation: Operation
    service: str
    body: bytes = field(repr=False)
    administration: str | None = None  # where its documents go (counted per administration)
    invoices: int = 0  # sales invoices it carries: their call's time limit grows with them
    may_have_left: bool = False

    def filled(self, session_id: Secret | None) -> bytes:
        if session_id is None:
            return self.body
        return self.body.replace(_SESSION_MARK.encode(),
                                 escape_text(session_id.reveal()).encode())


def prepare(operation: str, values: dict[str, Any], via: str | None = None) -> Request:
    """The whole request, built now; the session ID is filled in when it is sent."""
    op = OPERATIONS[operation]
    plain = {k: v.reveal() if isinstance(v, Secret) else v for k, v in values.items()}
    if op.session_param and op.session_param not in plain:
        plain[op.session_param] = _SESSION_MARK
    try:
        body = build_envelope(op.name, plain)
    except ValueError as exc:  # a text that XML cannot carry
        raise DocumentError(tr("the request to Yuki cannot be built: {reason}", reason=exc),
                            hint=tr("remove the control character from the file, then send"
                                    " it again")) from None
    return Request(op, op.service or via or GENERAL_SERVICE, body)


def document_content(operation: str, document: str | bytes,
                     validated_count: int | None) -> str | bytes | XmlDoc:
    """What a document call carries: a cash statement's text as it is; a document that has
    passed its XSD as it is; any other document once it proves usable XML."""
    if OPERATIONS[operation].params[2] == "statementText":
        return document
    if validated_count is not None:
        return XmlDoc.validated(document)
    return _doc(document)


def document_request(operation: str, content: str | bytes | XmlDoc, administration: str,
                     validated_count: int | None) -> Request:
    """The request that books `content` in the administration with this ID."""
    _, adm_param, doc_param = OPERATIONS[operation].params
    request = prepare(operation, {adm_param: administration, doc_param: content})
    request.administration = administration
    if isinstance(content, XmlDoc) and operation == "ProcessSalesInvoices":
        request.invoices = (validated_count if validated_count is not None
                            else _invoices(content))
    return request


_INVOICE_TAG = re.compile(r"<SalesInvoice[\s>]")


def _invoices(doc: XmlDoc) -> int:
    """How many invoices a sales document holds: their call's time limit grows with them."""
    return len(_INVOICE_TAG.findall(doc.text))


def _doc(document: str | bytes) -> XmlDoc:
    try:
        return xml_doc(document)
    except BadXml as exc:
        raise DocumentError(tr("the document to send is not usable XML: {reason}",
                               reason=exc)) from None


@dataclass(frozen=True)
class StatementLine:
    """One petty cash line for ImportSingleStatementLine. Amount: costs negative."""

    account_gl_code: str
    transaction_date: date | datetime
    description: str
    amount: Decimal
    transaction_code: str = ""
    offset_account: str = ""
    offset_name: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("amounts are Decimal, never float")  # i18n: a programming error

    def values(self) -> dict[str, Any]:
        """The parameters of ImportSingleStatementLine."""
        return {
            "accountGlCode": self.account_gl_code,
            "transactionCode": self.transaction_code,
            "offsetAccount": self.offset_account,
            "offsetName": self.offset_name,
            "transactionDate": _datetime_text(self.transaction_date),
            "transactionDescription": self.description,
            "amount": format(self.amount, "f"),
        }


def _datetime_text(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0).isoformat()
    return f"{value.isoformat()}T00:00:00"
