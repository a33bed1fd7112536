"""`YukiClient`: Yuki's SOAP webservices over `requests`, with sessions, budget and typed errors.

    from yukimap.settings import load_settings
    with YukiClient(load_settings()) as yuki:
        adm = yuki.resolve_administration("Bakkerij De Korenaar B.V.")
        result = yuki.process_sales_invoices(xml_text, adm.id)

Every call is counted against the local daily budget before it is sent (budget.py).
The session ID is reused across runs (24 h, cache file 0600); when Yuki says the session
is gone, the client authenticates once more and retries that one call once.

Errors tell whether the request reached Yuki, which is what a sender must know:
  TransientError      nothing was sent, or Yuki's front door refused it: safe to retry
  AmbiguousOutcome    it was sent but no answer came: never retry blindly
  the fault classes   Yuki answered with a SOAP fault (see soap.classify_fault)
The client never retries on its own except after a session fault; `with_retries` is the
helper for callers that want to retry TransientError.

ASSUMPTIONS: an HTTP 5xx whose body is not a SOAP envelope (an IIS/proxy error page)
comes from before Yuki's web method ran, since ASMX turns every exception inside a web
method into a SOAP fault; it is a TransientError. Session IDs work on every service
(yuki-api.md §1), and the current domain set by SetCurrentDomain sticks to the session.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import requests

from yukimap import transport
from yukimap import yuki_results as results
from yukimap.budget import (
    CachedSession,
    CallBudget,
    Reservation,
    SessionCache,
    counter_name,
)
from yukimap.errors import (
    AmbiguousOutcome,
    DailyLimitExceeded,
    DocumentError,
    DocumentRejected,
    SessionExpired,
    SettingsError,
    TransientError,
    UnreadableResponse,
    UserError,
    YukiError,
    YukiFault,
)
from yukimap.settings import Secret, Settings
from yukimap.soap import (
    CONTENT_TYPE,
    GENERAL_SERVICE,
    MAX_XML_BYTES,
    OPERATIONS,
    BadXml,
    Operation,
    XmlDoc,
    build_envelope,
    element_text,
    escape_text,
    find_fault,
    find_result,
    parse_xml,
    xml_doc,
)
from yukimap.transport import fault_error, with_retries

__all__ = ["Request", "StatementLine", "YukiClient", "is_guid", "with_retries"]

log = logging.getLogger(__name__)
T = TypeVar("T")

_GUID = re.compile(r"^\{?[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\}?$")
# ImportStatement answers "an error message" on failure (yuki-api.md §6) instead of a
# fault, or a document ID on success. ASSUMPTION: a result with one of these words is an
# error message; anything else (an ID, empty, "OK") is success.
_ERROR_WORDS = ("error", "fout", "onbekend", "unknown", "invalid", "ongeldig", "niet ",
                "not ", "failed", "mislukt")


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


class YukiClient:
    """One access key, one base URL. Not thread-safe; one per run is the intended use."""

    def __init__(
        self,
        settings: Settings,
        *,
        http: requests.Session | None = None,
        budget: CallBudget | None = None,
        sessions: SessionCache | None = None,
    ) -> None:
        self._settings = settings
        self._key = settings.require_access_key()
        self._http = http or transport.http_session()
        self._budget = budget or CallBudget(settings.state_dir, settings.daily_budget)
        self._sessions = sessions or SessionCache(settings.state_dir)
        self._cache_key = SessionCache.cache_key(settings.base_url, self._key, settings.domain)
        self._session: CachedSession | None = None
        self._secrets: set[str] = {self._key.reveal()}
        self._administrations: list[results.Administration] | None = None
        self.budget_domain = counter_name(settings.domain, self._key) or ""

    @property
    def settings(self) -> Settings:
        return self._settings

    def __repr__(self) -> str:
        return (f"YukiClient(base_url={self._settings.base_url!r}, "
                f"domain={self._settings.domain!r}, access_key=***)")

    def __enter__(self) -> YukiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()
        self._budget.close()

    # --- the budget -------------------------------------------------------------------

    def calls_today(self) -> int:
        return self._budget.calls_today(self.budget_domain)

    def remaining(self) -> int:
        return self._budget.remaining(self.budget_domain)

    def sent_today(self) -> int:
        """Calls really sent today (calls_today also counts a day that Yuki closed early)."""
        return self._budget.sent_today(self.budget_domain)

    # --- general operations -----------------------------------------------------------

    def authenticate(self) -> None:
        """Start a fresh session now (normally done lazily, and reused for 24 h)."""
        self._session = None
        self._sessions.forget(self._cache_key)
        self._ensure_session(GENERAL_SERVICE, "Authenticate")

    def administrations(self) -> list[results.Administration]:
        result = self._call("Administrations", {})
        self._administrations = self._parse("Administrations", results.parse_administrations,
                                            result)
        return list(self._administrations)

    def administration_id(self, name: str) -> str:
        """Yuki's AdministrationID(name): the GUID of an administration by its exact name."""
        found = element_text(self._call("AdministrationID", {"administrationName": name}))
        if not found:
            raise YukiFault(f"Yuki knows no administration named {name!r}",
                            operation="AdministrationID")
        return found

    def resolve_administration(self, name_or_id: str | None = None) -> results.Administration:
        """The administration by ID or by name (case-insensitive); one call, then cached."""
        wanted = (name_or_id or self._settings.administration or "").strip()
        if not wanted:
            raise _no_administration()
        listed = self._administrations if self._administrations is not None else (
            self.administrations())
        for adm in listed:
            if adm.id.lower() == wanted.strip("{}").lower() or adm.name.lower() == wanted.lower():
                return adm
        names = ", ".join(f"{a.name} ({a.id})" for a in listed) or "none"
        raise SettingsError(f"the access key sees no administration {wanted!r}",
                            hint=f"administrations this key can see: {names}")

    def domains(self) -> list[results.Domain]:
        return self._parse("Domains", results.parse_domains, self._call("Domains", {}))

    def set_current_domain(self, domain_id: str) -> None:
        self._call("SetCurrentDomain", {"domainID": domain_id})

    # --- documents ----------------------------------------------------------------------

    def process_sales_invoices(self, document: str | bytes,
                               administration: str | None = None) -> results.SalesImportResult:
        request = self.document_request("ProcessSalesInvoices", document, administration)
        return self._sales_answer(self.send(request))

    def process_journal(self, document: str | bytes, administration: str | None = None) -> str:
        """Book a general journal; returns the GUID of the document Yuki created."""
        request = self.document_request("ProcessJournal", document, administration)
        return self._journal_answer(self.send(request))

    def import_statement(self, statement_text: str, administration: str | None = None) -> str:
        """Import a petty cash statement (Yuki CSV); returns Yuki's result text."""
        request = self.document_request("ImportStatement", statement_text, administration)
        return self._statement_answer(self.send(request))

    def document_request(self, operation: str, document: str | bytes,
                         administration: str | None = None, *,
                         validated_count: int | None = None) -> Request:
        """The complete request that books `document` (ProcessSalesInvoices, ProcessJournal
        or ImportStatement), built before anything is sent: what cannot be built is an error
        here, when it provably has not left. `validated_count`: the document has passed its
        XSD already (send renders and validates each call's document once) and holds that
        many documents; it is embedded as it is, without being parsed again."""
        _, adm_param, doc_param = OPERATIONS[operation].params
        content: str | bytes | XmlDoc
        if doc_param == "statementText":
            content = document
        elif validated_count is not None:
            content = XmlDoc.validated(document)
        else:
            content = _doc(document)
        adm = self.administration_guid(administration)
        request = self.prepare(operation, {adm_param: adm, doc_param: content})
        request.administration = adm
        if isinstance(content, XmlDoc) and operation == "ProcessSalesInvoices":
            request.invoices = (validated_count if validated_count is not None
                                else _invoices(content))
        return request

    def send_document(self, request: Request) -> results.SalesImportResult | str:
        """Send a request of `document_request`; Yuki's answer, read for its operation."""
        result = self.send(request)
        if request.operation.name == "ProcessSalesInvoices":
            return self._sales_answer(result)
        if request.operation.name == "ProcessJournal":
            return self._journal_answer(result)
        return self._statement_answer(result)

    def _sales_answer(self, result: Element | None) -> results.SalesImportResult:
        return self._parse("ProcessSalesInvoices", results.parse_sales_result, result)

    @staticmethod
    def _journal_answer(result: Element | None) -> str:
        guid = element_text(result)
        if not guid:
            raise UnreadableResponse("Yuki answered ProcessJournal without a document ID",
                                     operation="ProcessJournal")
        return guid

    def _statement_answer(self, result: Element | None) -> str:
        text = element_text(result)
        if any(word in text.lower() for word in _ERROR_WORDS):
            raise DocumentRejected(f"Yuki rejected the cash statement: {self._redact(text)}",
                                   operation="ImportStatement", faultstring=self._redact(text))
        return text

    def import_single_statement_line(self, line: StatementLine) -> str:
        """One petty cash line (no administration parameter: Yuki picks it from the key)."""
        values = {
            "accountGlCode": line.account_gl_code,
            "transactionCode": line.transaction_code,
            "offsetAccount": line.offset_account,
            "offsetName": line.offset_name,
            "transactionDate": _datetime_text(line.transaction_date),
            "transactionDescription": line.description,
            "amount": format(line.amount, "f"),
        }
        return element_text(self._call("ImportSingleStatementLine", values))

    # --- reference data ----------------------------------------------------------------

    def active_vat_codes(self, administration: str | None = None) -> list[results.VATCode]:
        result = self._call("ActiveVATCodesList",
                            {"administrationID": self.administration_guid(administration)})
        return self._parse("ActiveVATCodesList", results.parse_vat_codes, result)

    def gl_account_scheme(self, administration: str | None = None) -> list[results.GLAccount]:
        result = self._call("GetGLAccountScheme",
                            {"administrationID": self.administration_guid(administration)})
        return self._parse("GetGLAccountScheme", results.parse_gl_accounts, result)

    def check_outstanding_item(self, reference: str, administration: str | None = None
                               ) -> list[results.OutstandingItem]:
        """Open items with this reference (an unpaid invoice). Domain-wide unless an
        administration is given (then CheckOutstandingItemAdmin)."""
        if administration:
            adm = self.administration_guid(administration)
            op, values = "CheckOutstandingItemAdmin", {"administrationID": adm,
                                                       "Reference": reference}
        else:
            op, values = "CheckOutstandingItem", {"Reference": reference}
        return self._parse(op, results.parse_outstanding_items, self._call(op, values))

    # --- plumbing -----------------------------------------------------------------------

    def administration_guid(self, administration: str | None = None) -> str:
        """The ID of an administration given by name or ID (default: the configured one).
        An ID costs no call; a name costs one Administrations call per client."""
        wanted = (administration or self._settings.administration or "").strip()
        if not wanted:
            raise _no_administration()
        return wanted.strip("{}") if is_guid(wanted) else self.resolve_administration(wanted).id

    def _call(self, operation: str, values: dict[str, Any], via: str | None = None
              ) -> Element | None:
        return self.send(self.prepare(operation, values, via))

    def prepare(self, operation: str, values: dict[str, Any], via: str | None = None
                ) -> Request:
        """The whole request, built now; the session ID is filled in when it is sent."""
        op = OPERATIONS[operation]
        plain = {k: v.reveal() if isinstance(v, Secret) else v for k, v in values.items()}
        if op.session_param and op.session_param not in plain:
            plain[op.session_param] = _SESSION_MARK
        try:
            body = build_envelope(op.name, plain)
        except ValueError as exc:  # a text that XML cannot carry
            raise DocumentError(f"the request to Yuki cannot be built: {exc}",
                                hint="remove the control character from the file, then send"
                                " it again") from None
        return Request(op, op.service or via or GENERAL_SERVICE, body)

    def send(self, request: Request) -> Element | None:
        """Send a prepared request on this client's session."""
        operation = request.operation.name
        session = self._ensure_session(request.service, operation)
        try:
            return self._post(request, session.session_id)
        except SessionExpired:
            # The one retry the client does by itself: Yuki refused the session, not the
            # request, so nothing was processed.
            log.info("Yuki refused the session; authenticating again and retrying %s once",
                     operation)
            self._sessions.forget(self._cache_key)
            self._session = None
            session = self._ensure_session(request.service, operation)
            return self._post(request, session.session_id)

    def _ensure_session(self, service: str, operation: str) -> CachedSession:
        try:
            return self._session_for(service)
        except UnreadableResponse as exc:
            # An answer came, but not one that opens a session: say what it was. Nothing of
            # `operation` went out, so this is no more ambiguous than the case below.
            raise YukiError(f"could not open a Yuki session, so {operation} was not sent:"
                            f" {exc.message}", operation=operation, hint=exc.hint) from None
        except AmbiguousOutcome as exc:
            # Setting up a session changes nothing in Yuki, and `operation` itself has not
            # been sent: from the caller's view this is safe to retry, never ambiguous.
            raise TransientError(
                f"no answer while opening a Yuki session ({exc.operation}); {operation} was"
                " not sent, so trying again is safe", operation=operation) from None

    def _session_for(self, service: str) -> CachedSession:
        if self._session is None:
            cached = self._sessions.get(self._cache_key)
            if cached is not None and (not self._settings.domain or cached.domain_id):
                log.debug("reusing the cached Yuki session")
                self._secrets.add(cached.session_id.reveal())
                self._session = cached
            else:
                self._session = self._new_session(service)
        return self._session

    def _new_session(self, service: str) -> CachedSession:
        result = self._post(self.prepare("Authenticate", {"accessKey": self._key}, service))
        text = element_text(result)
        if not text:
            raise YukiFault("Yuki answered Authenticate without a session ID",
                            operation="Authenticate")
        self._secrets.add(text)
        session_id = Secret(text)
        domain_id = None
        if self._settings.domain:
            domain_id = self._domain_id(session_id, service)
            self._post(self.prepare("SetCurrentDomain", {"sessionID": session_id,
                                                         "domainID": domain_id}, service))
        self._sessions.put(self._cache_key, session_id, domain_id)
        return CachedSession(session_id, time.time(), domain_id)

    def _domain_id(self, session_id: Secret, service: str) -> str:
        wanted = self._settings.domain or ""
        if is_guid(wanted):
            return wanted.strip("{}")
        listed = self._parse("Domains", results.parse_domains,
                             self._post(self.prepare("Domains", {"sessionID": session_id},
                                                     service)))
        for domain in listed:
            if domain.name.lower() == wanted.lower() or domain.id.lower() == wanted.lower():
                return domain.id
        names = ", ".join(f"{d.name} ({d.id})" for d in listed) or "none"
        raise SettingsError(f"the access key sees no domain {wanted!r}",
                            hint=f"domains this key can see: {names}")

    def _post(self, request: Request, session_id: Secret | None = None) -> Element | None:
        op, service, body = request.operation, request.service, request.filled(session_id)
        url = f"{self._settings.base_url}{service}.asmx"
        limit = transport.time_limit(op.name)
        reservation = self._budget.reserve(self.budget_domain, op.name, request.administration)
        log.debug("Yuki call %s on %s.asmx (call %d of %d today for %s)", op.name, service,
                  self._budget.calls_today(self.budget_domain), self._budget.budget,
                  self.budget_domain)
        error: UserError | None = None
        request.may_have_left = True
        seconds = limit.seconds(request.invoices, self._settings.deadline_scale)
        with transport.Deadline(seconds) as ends:
            try:
                response = self._http.post(
                    url, data=body, stream=True, allow_redirects=False,
                    headers={"Content-Type": CONTENT_TYPE, "SOAPAction": op.soap_action},
                    timeout=(min(self._settings.connect_timeout, ends.left()), ends.left()),
                )
                with response:
                    status, content_type = response.status_code, response.headers.get(
                        "Content-Type", "")
                    content = transport.read_capped(response, ends)
            except OSError as exc:  # requests' errors, and those of a socket cut in between
                error = self._transport_error(exc, op, url, reservation, ends,
                                              limit.describe(request.invoices))
            except transport.TooLarge:
                error = UnreadableResponse(f"Yuki's answer to {op.name} is larger than"
                                           f" {MAX_XML_BYTES // 2**20} MB", operation=op.name)
        if error is not None:
            request.may_have_left = isinstance(error, AmbiguousOutcome)
            raise error  # raised outside `except`: the requests error (it holds the
            # request body, with the session ID) is not chained onto ours
        return self._answer(op, status, content_type, content)

    def _transport_error(self, exc: OSError, op: Operation, url: str, reservation: Reservation,
                         deadline: transport.Deadline, what: str) -> UserError:
        host = urlsplit(url).netloc
        never_sent = (transport.never_sent(exc) if isinstance(exc, requests.RequestException)
                      else None)
        if never_sent is not None:
            self._budget.release(reservation)
            return TransientError(
                f"could not reach Yuki at {host} for {op.name} ({never_sent}); nothing was"
                " sent, so trying again is safe", operation=op.name,
                hint="check the network and YUKI_BASE_URL")
        if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema
                      | requests.exceptions.InvalidSchema):
            self._budget.release(reservation)
            return SettingsError(f"the Yuki base URL is not usable: {self._settings.base_url}")
        if deadline.expired or isinstance(exc, requests.exceptions.ReadTimeout):
            return transport.too_slow(op, host, deadline.seconds, what)
        return AmbiguousOutcome(
            f"{op.name} went out to Yuki at {host} but the connection closed without a complete"
            " answer: Yuki may or may not have processed it", operation=op.name,
            hint="do not simply send it again; check in Yuki first")

    def _answer(self, op: Operation, status: int, content_type: str, content: bytes
                ) -> Element | None:
        looks_soap = content.lstrip()[:1] == b"<" and b"Envelope" in content[:4096]
        if not looks_soap:
            if status >= 500:
                return _raise(TransientError(
                    f"Yuki answered {op.name} with HTTP {status} and no SOAP fault; it was"
                    " refused before processing, so trying again is safe; what came back:"
                    f" {self._came_back(content_type, content)}", operation=op.name))
            if status in (301, 302, 303, 307, 308, 404):
                return _raise(SettingsError(
                    f"Yuki answered HTTP {status} for {op.name}: is the base URL right?",
                    hint=f"it is now {self._settings.base_url}"))
            return _raise(UnreadableResponse(
                f"Yuki's answer to {op.name} (HTTP {status}) is not a SOAP message; what came"
                f" back: {self._came_back(content_type, content)}", operation=op.name,
                hint=self._url_hint()))
        try:
            root = parse_xml(content)
            fault = find_fault(root)
            result = None if fault else find_result(root, op.name)
        except BadXml as exc:
            return _raise(UnreadableResponse(
                f"Yuki's answer to {op.name} (HTTP {status}) could not be read safely:"
                f" {self._redact(str(exc))}; what came back:"
                f" {self._came_back(content_type, content)}", operation=op.name,
                hint=self._url_hint()))
        if fault is not None:
            error = fault_error(fault.string, self._redact(fault.string), op)
            if isinstance(error, DailyLimitExceeded):
                # Yuki said no for today: spend the local budget too, so that later runs
                # stop here instead of spending calls on refusals.
                self._budget.mark_exhausted(self.budget_domain)
            return _raise(error)
        if status != 200:
            return _raise(UnreadableResponse(
                f"Yuki answered {op.name} with HTTP {status} but no fault; what came back:"
                f" {self._came_back(content_type, content)}", operation=op.name,
                hint=self._url_hint()))
        return result

    def _came_back(self, content_type: str, content: bytes) -> str:
        return transport.came_back(content_type, content, self._redact)

    def _url_hint(self) -> str:
        return (f"check YUKI_BASE_URL (now {self._settings.base_url}): it must be the folder of"
                " Yuki's webservices; if it is, Yuki has trouble: try again later")

    def _parse(self, operation: str, parser: Callable[[Element | None], T],
               result: Element | None) -> T:
        try:
            return parser(result)
        except BadXml as exc:
            raise UnreadableResponse(f"Yuki's answer to {operation} could not be read:"
                                     f" {self._redact(str(exc))}", operation=operation) from None

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


# --- helpers ---------------------------------------------------------------------------


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
            raise TypeError("amounts are Decimal, never float")


def _raise(error: UserError) -> Element | None:
    raise error


_INVOICE_TAG = re.compile(r"<SalesInvoice[\s>]")


def _invoices(doc: XmlDoc) -> int:
    """How many invoices a sales document holds: their call's time limit grows with them."""
    return len(_INVOICE_TAG.findall(doc.text))


def _doc(document: str | bytes) -> XmlDoc:
    try:
        return xml_doc(document)
    except BadXml as exc:
        raise DocumentError(f"the document to send is not usable XML: {exc}") from None


def _datetime_text(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0).isoformat()
    return f"{value.isoformat()}T00:00:00"


def _no_administration() -> SettingsError:
    return SettingsError("no Yuki administration is chosen",
                         hint="give one by name or ID (--administration), or set"
                         " YUKI_ADMINISTRATION")
