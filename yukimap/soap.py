"""SOAP 1.1 for Yuki's ASMX webservices: envelopes out, results and faults in.

Pure functions, no I/O. The client builds requests and reads responses with them; the
sandbox reads requests and builds responses with the same code, so both sides agree on
one table of operations (`OPERATIONS`), taken from shared/reference/yuki-api.md §2.

Parameter names are case-sensitive and NOT uniform: ProcessSalesInvoices takes
`sessionId`/`administrationId`, ProcessJournal `sessionID`/`administrationID`. ASMX
ignores an element it does not know, so a wrong casing arrives as a missing value;
the table is the only place these names are spelled.

Every XML that comes from the network is parsed by `parse_xml`: no DTD, no entities, no
network, and a size cap, so a hostile answer fails cleanly with `BadXml`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from yukimap import text as text_policy
from yukimap.errors import (
    AccessDenied,
    DailyLimitExceeded,
    DocumentRejected,
    NoRights,
    SessionExpired,
    YukiError,
    YukiFault,
)
from yukimap.i18n import tr

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
YUKI_NS = "http://www.theyukicompany.com/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CONTENT_TYPE = "text/xml; charset=utf-8"
MAX_XML_BYTES = 64 * 1024 * 1024  # far above any real answer; stops a memory bomb early

# General operations exist on every service; the client sends them to the service of the
# call they prepare, else to this one.
GENERAL_SERVICE = "Accounting"


@dataclass(frozen=True)
class Operation:
    """One SOAP operation: where it lives, its parameters in order, exact casing."""

    name: str
    service: str | None  # None: a general operation that every service offers
    params: tuple[str, ...]
    sends_document: bool = False  # changes data in Yuki: never resend blindly

    @property
    def session_param(self) -> str | None:
        first = self.params[0] if self.params else ""
        return first if first.lower() == "sessionid" else None

    @property
    def soap_action(self) -> str:
        """The SOAPAction header value, quotes included, as the WSDL's soapAction."""
        return f'"{YUKI_NS}{self.name}"'


_LINE_PARAMS = (
    "sessionId", "accountGlCode", "transactionCode", "offsetAccount", "offsetName",
    "transactionDate", "transactionDescription", "amount",
)

OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation("Authenticate", None, ("accessKey",)),
        Operation("Administrations", None, ("sessionID",)),
        Operation("AdministrationID", None, ("sessionID", "administrationName")),
        Operation("Domains", None, ("sessionID",)),
        Operation("GetCurrentDomain", None, ("sessionID",)),
        Operation("SetCurrentDomain", None, ("sessionID", "domainID")),
        Operation("ProcessSalesInvoices", "Sales",
                  ("sessionId", "administrationId", "xmlDoc"), sends_document=True),
        Operation("ProcessJournal", "Accounting",
                  ("sessionID", "administrationID", "xmlDoc"), sends_document=True),
        Operation("CheckOutstandingItem", "Accounting", ("sessionID", "Reference")),
        Operation("CheckOutstandingItemAdmin", "Accounting",
                  ("sessionID", "administrationID", "Reference")),
        Operation("ImportStatement", "Pettycash",
                  ("sessionID", "administrationID", "statementText"), sends_document=True),
        Operation("ImportSingleStatementLine", "Pettycash", _LINE_PARAMS, sends_document=True),
        Operation("ActiveVATCodesList", "Vat", ("sessionID", "administrationID")),
        Operation("GetGLAccountScheme", "AccountingInfo", ("sessionID", "administrationID")),
    )
}


class BadXml(ValueError):
    """XML that is not well-formed, not allowed (DTD, entities), too large, or not SOAP."""


# --- building --------------------------------------------------------------------------

_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")


@dataclass(frozen=True)
class XmlDoc:
    """A document to embed as XML child elements (never as escaped text)."""

    text: str

    @classmethod
    def validated(cls, document: str | bytes) -> XmlDoc:
        """A document that has passed its XSD (so it is well-formed, with one root): its
        text as it is, without its declaration, not parsed again."""
        text = document.decode("utf-8") if isinstance(document, bytes) else document
        return cls(strip_declaration(text).strip())


def xml_doc(document: str | bytes) -> XmlDoc:
    """Prepare a document for an `xmlDoc` parameter: well-formed, one root, no declaration.

    The text is embedded as it is (not re-serialised), so Yuki receives exactly what the
    convert side rendered and validated.
    """
    parse_xml(document)  # well-formed, one root element, nothing hostile
    if isinstance(document, bytes):
        match = _ENCODING.match(document)
        text = document.decode(match.group(1).decode() if match else "utf-8")
    else:
        text = document
    return XmlDoc(strip_declaration(text).strip())


def strip_declaration(text: str) -> str:
    return _DECLARATION.sub("", text.lstrip("\ufeff"), count=1)


def _text(value: str) -> str:
    """A parameter's text by the one text policy (ForbiddenCharacter, a ValueError, for what
    XML cannot carry; the map stage refuses that before a document gets here). A raw CR
    would be normalised to LF by Yuki's parser: keep CSV line ends intact."""
    return text_policy.escaped(value).replace("\r", "&#13;")


def escape_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_envelope(operation: str, values: Mapping[str, str | XmlDoc | None]) -> bytes:
    """A SOAP 1.1 request for `operation`; parameters in WSDL order, None left out.

    Envelope elements carry a prefix, so no default namespace is in scope where the
    xmlDoc is embedded: the document keeps exactly the namespaces it declares itself.
    """
    op = OPERATIONS[operation]
    unknown = set(values) - set(op.params)
    if unknown:
        # i18n: a programming error (the operations table and the caller disagree)
        raise ValueError(f"{operation} has no parameter {', '.join(sorted(unknown))}")
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:y="{YUKI_NS}">',
        "<soap:Body>",
        f"<y:{op.name}>",
    ]
    for name in op.params:
        value = values.get(name)
        if value is None:
            continue
        inner = value.text if isinstance(value, XmlDoc) else _text(str(value))
        parts.append(f"<y:{name}>{inner}</y:{name}>")
    parts += [f"</y:{op.name}>", "</soap:Body>", "</soap:Envelope>"]
    return "".join(parts).encode("utf-8")


_ENVELOPE_OPEN = (
    '<?xml version="1.0" encoding="utf-8"?>'
    f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:xsi="{XSI}"'
    ' xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>'
)
_ENVELOPE_CLOSE = "</soap:Body></soap:Envelope>"


def build_response(operation: str, result_xml: str | None) -> bytes:
    """An ASMX-shaped response; `result_xml` is the inner XML of <OpResult> (None: no result)."""
    inner = "" if result_xml is None else f"<{operation}Result>{result_xml}</{operation}Result>"
    body = f'<{operation}Response xmlns="{YUKI_NS}">{inner}</{operation}Response>'
    return (_ENVELOPE_OPEN + body + _ENVELOPE_CLOSE).encode("utf-8")


def build_fault(faultstring: str, faultcode: str = "soap:Server") -> bytes:
    """An ASMX-shaped SOAP 1.1 fault (sent with HTTP 500)."""
    body = (
        f"<soap:Fault><faultcode>{escape_text(faultcode)}</faultcode>"
        f"<faultstring>{escape_text(faultstring)}</faultstring><detail /></soap:Fault>"
    )
    return (_ENVELOPE_OPEN + body + _ENVELOPE_CLOSE).encode("utf-8")


# --- reading ---------------------------------------------------------------------------


def parse_xml(data: str | bytes) -> Element:
    """Parse untrusted XML: no DTD at all (so no entity bombs), no external fetches."""
    if len(data) > MAX_XML_BYTES:
        raise BadXml(tr("XML larger than {size} MB", size=MAX_XML_BYTES // (1024 * 1024)))
    if isinstance(data, str):
        data = strip_declaration(data)  # a str with encoding="utf-16" would confuse expat
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True,
                                 forbid_external=True)
    except DefusedXmlException as exc:
        kind = type(exc).__name__
        raise BadXml(tr("XML with a DTD or entity declarations is not accepted ({kind})",
                        kind=kind)) from None
    except ParseError as exc:
        raise BadXml(tr("not well-formed XML: {reason}", reason=exc)) from None


def local(tag: object) -> str:
    """Local name of an element tag: '{ns}Name' -> 'Name'."""
    return str(tag).rpartition("}")[2]


def namespace(tag: object) -> str:
    text = str(tag)
    return text[1:].partition("}")[0] if text.startswith("{") else ""


def children(element: Element | None, name: str) -> list[Element]:
    """Child elements by local name, whatever their namespace (Yuki mixes xmlns="")."""
    return [] if element is None else [c for c in element if local(c.tag) == name]


def child(element: Element | None, name: str) -> Element | None:
    found = children(element, name)
    return found[0] if found else None


def child_text(element: Element | None, name: str) -> str | None:
    """Text of a child by local name; None when absent or xsi:nil."""
    found = child(element, name)
    if found is None or found.get(f"{{{XSI}}}nil") == "true":
        return None
    return (found.text or "").strip()


def element_text(element: Element | None) -> str:
    return "" if element is None else "".join(element.itertext()).strip()


def soap_body(root: Element) -> Element:
    if local(root.tag) != "Envelope" or namespace(root.tag) != SOAP_ENV:
        raise BadXml(tr("not a SOAP 1.1 envelope"))
    body = child(root, "Body")
    if body is None:
        raise BadXml(tr("SOAP envelope without a Body"))
    return body


@dataclass(frozen=True)
class Fault:
    code: str
    string: str


def find_fault(root: Element) -> Fault | None:
    fault = child(soap_body(root), "Fault")
    if fault is None:
        return None
    return Fault(code=child_text(fault, "faultcode") or "",
                 string=child_text(fault, "faultstring") or "")


def find_result(root: Element, operation: str) -> Element | None:
    """The <OpResult> element of a response (None when the response has no result)."""
    response = child(soap_body(root), f"{operation}Response")
    if response is None:
        raise BadXml(tr("the answer holds no {operation}Response", operation=operation))
    return child(response, f"{operation}Result")


# --- faults ----------------------------------------------------------------------------

# ASSUMPTIONS (yuki-api.md §8: several texts are unknown). Matching is case-insensitive on
# substrings, so "Server was unable to process request. ---> Invalid access key" matches
# too. Known texts: "Invalid access key" (B), "API-key has no rights to access this web
# service" (Postman docs), "Daily limit exceeded" (Postman docs). Guessed: a session fault
# mentions "session"/"sessie" plus a word like expired/invalid/unknown.
_GENERIC = "server was unable to process request."  # i18n: Yuki's fault text, from the wire
# i18n: Yuki's fault texts, matched in what comes from the wire
_NOT_ABOUT_DOCUMENT = ("has no active database", "not licensed for this functionality",
                       "did not recognize the value of http header soapaction")
# i18n: words of Yuki's fault texts, matched in what comes from the wire
_SESSION_WORDS = ("expired", "invalid", "not valid", "unknown", "verlopen", "ongeldig",
                  "does not exist", "not found", "onbekend")


def classify_fault(fault: Fault, operation: str) -> type[YukiError]:
    """The error class for a SOAP fault answered to `operation`."""
    text = fault.string.lower()
    if "daily limit" in text or "dagelijkse limiet" in text:
        return DailyLimitExceeded
    if "access key" in text and ("invalid" in text or "ongeldig" in text):
        return AccessDenied
    if "no rights" in text or "geen rechten" in text:
        return NoRights
    if ("session" in text or "sessie" in text) and any(w in text for w in _SESSION_WORDS):
        return SessionExpired
    if any(marker in text for marker in _NOT_ABOUT_DOCUMENT):
        return YukiFault
    op = OPERATIONS.get(operation)
    # Yuki reports a refused journal or cash statement by fault (yuki-api.md §5, §6); the
    # bare generic ASMX text says nothing about the document, so it stays a YukiFault.
    if op is not None and op.sends_document and text.strip() != _GENERIC:
        return DocumentRejected
    return YukiFault


# --- requests (the sandbox side) -------------------------------------------------------


@dataclass(frozen=True)
class SoapRequest:
    operation: str
    values: dict[str, str]  # only the parameters that were present, by exact name
    xml_doc: Element | None


def parse_request(body: bytes, soap_action: str | None) -> SoapRequest:
    """Read a SOAP 1.1 request like ASMX does: dispatch on SOAPAction, exact names only."""
    action = (soap_action or "").strip().strip('"')
    name = action[len(YUKI_NS):] if action.startswith(YUKI_NS) else ""
    if name not in OPERATIONS:
        # i18n: the sandbox answers this as Yuki's own (ASMX) fault text
        raise BadXml(f"Server did not recognize the value of HTTP Header SOAPAction: {action}.")
    call = child(soap_body(parse_xml(body)), name)
    if call is None or namespace(call.tag) != YUKI_NS:
        # i18n: the sandbox (Yuki's stand-in) answers this as a fault, as Yuki speaks
        raise BadXml(f"the SOAP body holds no {name} element in namespace {YUKI_NS}")
    values: dict[str, str] = {}
    document: Element | None = None
    for param in call:
        pname = local(param.tag)
        if namespace(param.tag) != YUKI_NS or pname not in OPERATIONS[name].params:
            continue  # ASMX ignores what it does not know: a wrong casing is a missing value
        if pname == "xmlDoc":
            document = next(iter(param), None)
        values[pname] = (param.text or "") if pname != "xmlDoc" else ""
    return SoapRequest(operation=name, values=values, xml_doc=document)
