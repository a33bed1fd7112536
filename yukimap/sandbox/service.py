"""The sandbox's Yuki: sessions, rights, the daily limit, and one handler per operation.

`SandboxService.handle` turns one HTTP request body into one reply; the HTTP server
(server.py) only moves bytes. Faults are shaped like ASMX's: HTTP 500 with a SOAP 1.1
Fault, faultcode soap:Server (soap:Client for a request it cannot read).

ASSUMPTIONS (undocumented in Yuki; see also documents.py):
- Fault texts: "Invalid access key", "API-key has no rights to access this web service"
  and "Daily limit exceeded" are documented; "Invalid session ID." (unknown session) and
  "Session expired." (older than the session lifetime) are our guesses. Faults are sent
  as the bare message, not wrapped in "Server was unable to process request. --->".
- Every call counts against the domain's daily limit once the caller is known (a valid
  key or session), Authenticate included, faults included. A call with an unknown key or
  session, or refused by the limit, does not count; neither does an injected HTTP error or
  raw answer (they stand for failures in front of Yuki). Days are Amsterdam calendar days.
- Portal keys: calls before SetCurrentDomain count under "portal:<key name>", see all
  administrations in Administrations, and cannot use an administration until a domain
  is chosen with SetCurrentDomain ("No current domain ...", our text).
- Rights are per webservice; the general operations (Authenticate, Administrations,
  Domains, SetCurrentDomain, ...) work on every service path whatever the rights.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from xml.etree.ElementTree import Element

from yukimap.budget import yuki_day
from yukimap.sandbox import documents as docs
from yukimap.sandbox.config import (
    SERVICES,
    AccessKeyConf,
    AdministrationConf,
    DomainConf,
    SandboxConfig,
)
from yukimap.sandbox.control import Injections, SandboxClock
from yukimap.sandbox.documents import SandboxFault, Schemas
from yukimap.sandbox.store import SandboxStore
from yukimap.soap import (
    CONTENT_TYPE,
    OPERATIONS,
    YUKI_NS,
    BadXml,
    SoapRequest,
    build_fault,
    build_response,
    escape_text,
    parse_request,
)

log = logging.getLogger(__name__)

_SERVICES = {name.lower(): name for name in SERVICES}
IIS_ERROR = ("<!DOCTYPE html><html><head><title>500 - Internal server error.</title></head>"
             "<body><h1>Server Error</h1><p>500 - Internal server error.</p></body></html>")


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = CONTENT_TYPE
    drop: bool = False  # close the connection without sending anything
    delay: float = 0.0  # seconds to wait before answering


@dataclass
class Caller:
    key: AccessKeyConf
    session_id: str | None
    domain_id: str | None  # the current domain, if any

    @property
    def counter(self) -> str:
        return self.domain_id or f"portal:{self.key.name}"


class SandboxService:
    def __init__(self, config: SandboxConfig, store: SandboxStore, *,
                 clock: SandboxClock | None = None, injections: Injections | None = None,
                 schemas: Schemas | None = None) -> None:
        self.config = config
        self.store = store
        self.clock = clock or SandboxClock()
        self.injections = injections or Injections()
        self.schemas = schemas or Schemas()

    @staticmethod
    def service_name(path_part: str) -> str | None:
        """'PettyCash' -> 'Pettycash': service paths are case-insensitive, like IIS."""
        return _SERVICES.get(path_part.lower())

    def handle(self, service: str, soap_action: str | None, body: bytes) -> Reply:
        action = (soap_action or "").strip().strip('"')
        operation = action[len(YUKI_NS):] if action.startswith(YUKI_NS) else action
        decision = self.injections.take(operation)
        now = self.clock.now()
        at, day = now.isoformat(timespec="seconds"), yuki_day(now).isoformat()
        if decision.raw is not None:
            self.store.log_call(at, day, None, service, operation, "injected raw answer")
            return Reply(decision.raw[0], decision.raw[1].encode("utf-8"))
        if decision.http_error is not None:
            self.store.log_call(at, day, None, service, operation,
                                f"injected HTTP {decision.http_error}")
            return Reply(decision.http_error, IIS_ERROR.encode(), "text/html; charset=utf-8")
        call_id, domain = None, None
        try:
            request = self._request(service, soap_action, body)
            caller = self._caller(request, now)
            domain = caller.counter
            if decision.daily_limit:
                raise SandboxFault("Daily limit exceeded")
            call_id = self.store.count_and_log(at, day, domain, service, operation,
                                               self.config.daily_limit)
            if call_id is None:
                raise SandboxFault("Daily limit exceeded")
            if decision.fault is not None:
                raise SandboxFault(*decision.fault)
            op = OPERATIONS[request.operation]
            if op.service is not None and not caller.key.may_use(op.service):
                raise SandboxFault("API-key has no rights to access this web service")
            result, outcome = self._dispatch(request, caller, now)
            reply = Reply(200, build_response(request.operation, result))
        except SandboxFault as fault:
            reply = Reply(500, build_fault(fault.text, fault.code))
            outcome = f"fault: {fault.text}"
        except Exception as exc:  # a sandbox bug: answer like ASMX does for any exception
            log.exception("sandbox error in %s", operation)
            text = f"Server was unable to process request. ---> {type(exc).__name__}: {exc}"
            reply, outcome = Reply(500, build_fault(text)), f"fault: {text}"
        if decision.drop_after:
            outcome += "; connection dropped without an answer"
        if call_id is not None:
            self.store.finish_call(call_id, outcome)
        else:
            self.store.log_call(at, day, domain, service, operation, outcome)
        log.info("%s.asmx %s -> %s", service, operation or "?", outcome)
        reply.drop, reply.delay = decision.drop_after, decision.latency
        return reply

    # --- who is calling ---------------------------------------------------------------

    def _request(self, service: str, soap_action: str | None, body: bytes) -> SoapRequest:
        try:
            request = parse_request(body, soap_action)
        except BadXml as exc:
            raise SandboxFault(str(exc), "soap:Client") from None
        op = OPERATIONS[request.operation]
        if op.service is not None and op.service != service:
            raise SandboxFault("Server did not recognize the value of HTTP Header SOAPAction:"
                               f" {YUKI_NS}{op.name}.", "soap:Client")
        return request

    def _caller(self, request: SoapRequest, now: datetime) -> Caller:
        op = OPERATIONS[request.operation]
        if op.session_param is None:  # Authenticate: the key itself
            key = self.config.key(request.values.get("accessKey", ""))
            if key is None:
                raise SandboxFault("Invalid access key")
            return Caller(key, None, key.domain_id)
        found = self.store.session(request.values.get(op.session_param, ""))
        key = next((k for k in self.config.keys if found and k.name == found[0]), None)
        if found is None or key is None:
            raise SandboxFault("Invalid session ID.")
        if now.timestamp() - found[1] > self.config.session_lifetime:
            raise SandboxFault("Session expired.")
        return Caller(key, request.values.get(op.session_param), found[2])

    def _visible_domains(self, caller: Caller) -> list[str]:
        if caller.key.level == "portal":
            return [d.id for d in self.config.domains]
        return [caller.key.domain_id or ""]

    def _visible_administrations(self, caller: Caller) -> list[AdministrationConf]:
        key = caller.key
        if key.level == "administration":
            return [a for a in self.config.administrations if a.id == key.administration_id]
        domain = caller.domain_id
        if key.level == "portal" and domain is None:
            return list(self.config.administrations)
        return [a for a in self.config.administrations if a.domain_id == domain]

    def _administration(self, caller: Caller, wanted: str | None) -> AdministrationConf:
        if caller.key.level == "portal" and caller.domain_id is None:
            raise SandboxFault("No current domain: call SetCurrentDomain first.")
        adm = self.config.administration(wanted or "")
        if adm is None or adm not in self._visible_administrations(caller):
            raise SandboxFault(f"Administration {wanted or '(empty)'} not found or not"
                               " accessible with this API key.")
        return adm

    # --- the operations ---------------------------------------------------------------

    def _dispatch(self, request: SoapRequest, caller: Caller, now: datetime
                  ) -> tuple[str | None, str]:
        name, values = request.operation, request.values
        stamp = now.isoformat(timespec="seconds")
        if name == "Authenticate":
            session_id = str(uuid.uuid4())
            self.store.add_session(session_id, caller.key.name, now.timestamp(),
                                   caller.key.domain_id)
            return session_id, f"ok: session for key {caller.key.name!r}"
        if name == "Administrations":
            return _administrations_xml(self._visible_administrations(caller)), "ok"
        if name == "AdministrationID":
            wanted = values.get("administrationName", "").strip().lower()
            for adm in self._visible_administrations(caller):
                if adm.name.lower() == wanted:
                    return adm.id, "ok"
            raise SandboxFault(f"Administration {values.get('administrationName')!r} not found.")
        if name in ("Domains", "GetCurrentDomain"):
            ids = self._visible_domains(caller) if name == "Domains" else [caller.domain_id]
            return _domains_xml([d for d in self.config.domains if d.id in ids]), "ok"
        if name == "SetCurrentDomain":
            domain = self.config.domain(values.get("domainID", ""))
            if domain is None or domain.id not in self._visible_domains(caller):
                raise SandboxFault(f"Unknown domain {values.get('domainID', '')!r}.")
            self.store.set_session_domain(caller.session_id or "", domain.id)
            return None, f"ok: current domain {domain.name}"
        if name == "ActiveVATCodesList":
            adm = self._administration(caller, values.get("administrationID"))
            return _vat_xml(adm, yuki_day(now)), "ok"
        if name == "GetGLAccountScheme":
            adm = self._administration(caller, values.get("administrationID"))
            return _gl_xml(adm), "ok"
        if name == "ProcessSalesInvoices":
            adm = self._administration(caller, values.get("administrationId"))
            result = docs.process_sales(
                _document(request), adm, store=self.store, schemas=self.schemas,
                today=yuki_day(now), received_at=stamp,
                max_failed=self.config.max_failed_invoices)
            return result, _sales_summary(result)
        if name == "ProcessJournal":
            adm = self._administration(caller, values.get("administrationID"))
            guid = docs.process_journal(_document(request), adm, store=self.store,
                                        schemas=self.schemas, received_at=stamp)
            return guid, f"ok: journal {guid}"
        if name == "ImportStatement":
            adm = self._administration(caller, values.get("administrationID"))
            doc_id = docs.import_statement(values.get("statementText", ""), adm,
                                           store=self.store, received_at=stamp)
            return doc_id, f"ok: cash statement {doc_id}"
        if name == "ImportSingleStatementLine":
            adm = self._line_administration(caller, values.get("accountGlCode", ""))
            docs.import_line(values, adm, store=self.store, received_at=stamp)
            return None, "ok: cash line"
        if name in ("CheckOutstandingItem", "CheckOutstandingItemAdmin"):
            admins = ([self._administration(caller, values.get("administrationID"))]
                      if name.endswith("Admin") else self._visible_administrations(caller))
            found = [inv for adm in admins for inv in self.store.sales_invoices(
                adm.id, reference=values.get("Reference", ""))]
            return docs.outstanding_items(found), "ok"
        raise SandboxFault(f"The sandbox does not implement {name}.")

    def _line_administration(self, caller: Caller, code: str) -> AdministrationConf:
        if caller.key.level == "administration":
            return self._administration(caller, caller.key.administration_id)
        if caller.key.level == "portal" and caller.domain_id is None:
            raise SandboxFault("No current domain: call SetCurrentDomain first.")
        having = [a for a in self._visible_administrations(caller)
                  if (g := a.gl_account(code)) is not None and g.cash]
        if not having:
            raise SandboxFault(f"Onbekende kas {code}:  / Unknown petty cash {code}: ")
        if len(having) > 1:
            raise SandboxFault(f"Kas {code} bestaat in meer dan een administratie / Petty cash"
                               f" {code} exists in more than one administration")
        return having[0]


def _document(request: SoapRequest) -> Element:
    if request.xml_doc is None:
        raise SandboxFault("xmlDoc is empty: the document must be sent as XML elements.")
    return request.xml_doc


def _sales_summary(result: str) -> str:
    from yukimap.soap import parse_xml
    from yukimap.yuki_results import parse_sales_result

    parsed = parse_sales_result(parse_xml(f"<r>{result}</r>"))
    return (f"ok: {parsed.total_succeeded} invoice(s) succeeded, {parsed.total_failed} failed,"
            f" {parsed.total_skipped} skipped")


def _el(name: str, value: object) -> str:
    return f"<{name}>{escape_text(str(value))}</{name}>"


def _nil_or(name: str, value: object) -> str:
    return f'<{name} xsi:nil="true" />' if value is None else _el(name, value)


def _administrations_xml(admins: list[AdministrationConf]) -> str:
    items = []
    for a in admins:
        inner = "".join((
            _el("Name", a.name), _el("AddressLine", a.address_line), _el("Postcode", a.postcode),
            _el("City", a.city), _el("Country", a.country), _el("CoCNumber", a.coc_number),
            _el("VATNumber", a.vat_number),
            _el("StartDate", a.start_date.isoformat() if a.start_date else ""),
            _el("DomainID", a.domain_id), _el("Active", "true")))
        items.append(f'<Administration ID="{a.id}">{inner}</Administration>')
    return '<Administrations xmlns="">' + "".join(items) + "</Administrations>"


def _domains_xml(domains: list[DomainConf]) -> str:
    items = "".join(f'<Domain ID="{d.id}">{_el("Name", d.name)}{_el("URL", d.url)}</Domain>'
                    for d in domains)
    return f'<Domains xmlns="">{items}</Domains>'


def _vat_xml(adm: AdministrationConf, today: date) -> str:
    return "".join(
        "<VATCode>" + _el("description", v.description) + _el("type", v.type)
        + _el("typeDescription", v.type_description) + _el("percentage", f"{v.percentage:.2f}")
        + (_el("country", v.country) if v.country else "")
        + _nil_or("startDate", v.start_date and f"{v.start_date.isoformat()}T00:00:00")
        + _nil_or("endDate", v.end_date and f"{v.end_date.isoformat()}T00:00:00")
        + "</VATCode>"
        for v in adm.vat_codes if v.active_on(today)
    )


def _gl_xml(adm: AdministrationConf) -> str:
    return "".join(
        "<GlAccount>" + _el("code", g.code) + _el("type", g.type) + _el("subtype", g.subtype)
        + _el("isEnabled", str(g.enabled).lower()) + _el("descripton", g.description)
        + _el("descriptionNL", g.description) + "<descriptionFR /><descriptionEN />"
        + _el("isVATApplicable", str(g.vat_applicable).lower())
        + _el("deductableVATPercentage", "100.00") + _el("professionalPercentage", "100.00")
        + "</GlAccount>"
        for g in adm.gl_accounts
    )
