"""`YukiClient`: one method per Yuki operation, on one session, wire and call budget."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from xml.etree.ElementTree import Element

import requests

from yukimap import transport
from yukimap import yuki_results as results
from yukimap.budget import CallBudget, SessionCache, counter_name
from yukimap.client import administrations, answers
from yukimap.client.request import (
    Request,
    StatementLine,
    document_content,
    document_request,
    is_guid,
    prepare,
)
from yukimap.client.response import Secrets, parsed
from yukimap.client.session import Session
from yukimap.client.wire import Wire
from yukimap.errors import YukiFault
from yukimap.i18n import tr
from yukimap.settings import Settings
from yukimap.soap import element_text

T = TypeVar("T")


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
        key = settings.require_access_key()
        self._http = http or transport.http_session()
        self._budget = budget or CallBudget(settings.state_dir, settings.daily_budget)
        self._secrets = Secrets(key.reveal())
        self._administrations: list[results.Administration] | None = None
        self.budget_domain = counter_name(settings.domain, key) or ""
        wire = Wire(settings, self._http, self._budget, self.budget_domain, self._secrets)
        self._session = Session(settings, key, sessions or SessionCache(settings.state_dir),
                                wire, self._secrets)

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
        self._session.open_anew()

    def administrations(self) -> list[results.Administration]:
        result = self._call("Administrations", {})
        self._administrations = self._parse("Administrations", results.parse_administrations,
                                            result)
        return list(self._administrations)

    def administration_id(self, name: str) -> str:
        """Yuki's AdministrationID(name): the GUID of an administration by its exact name."""
        found = element_text(self._call("AdministrationID", {"administrationName": name}))
        if not found:
            raise YukiFault(tr("Yuki knows no administration named {name}", name=repr(name)),
                            operation="AdministrationID")
        return found

    def resolve_administration(self, name_or_id: str | None = None) -> results.Administration:
        """The administration by ID, by Chamber of Commerce number (digits) or by name
        (case-insensitive); one call, then cached."""
        wanted = administrations.chosen(name_or_id, self._settings.administration)
        listed = self._administrations if self._administrations is not None else (
            self.administrations())
        return administrations.find(listed, wanted)

    def administration_guid(self, administration: str | None = None) -> str:
        """The ID of an administration given by ID, Chamber of Commerce number or name
        (default: the configured one). An ID costs no call; a number or a name costs one
        Administrations call per client."""
        wanted = administrations.chosen(administration, self._settings.administration)
        return wanted.strip("{}") if is_guid(wanted) else self.resolve_administration(wanted).id

    def domains(self) -> list[results.Domain]:
        return self._parse("Domains", results.parse_domains, self._call("Domains", {}))

    def set_current_domain(self, domain_id: str) -> None:
        self._call("SetCurrentDomain", {"domainID": domain_id})

    # --- documents ----------------------------------------------------------------------

    def process_sales_invoices(self, document: str | bytes,
                               administration: str | None = None) -> results.SalesImportResult:
        request = self.document_request("ProcessSalesInvoices", document, administration)
        return answers.sales(self.send(request), self._secrets)

    def process_journal(self, document: str | bytes, administration: str | None = None) -> str:
        """Book a general journal; returns the GUID of the document Yuki created."""
        request = self.document_request("ProcessJournal", document, administration)
        return answers.journal(self.send(request))

    def import_statement(self, statement_text: str, administration: str | None = None) -> str:
        """Import a petty cash statement (Yuki CSV); returns Yuki's result text."""
        request = self.document_request("ImportStatement", statement_text, administration)
        return answers.statement(self.send(request), self._secrets)

    def document_request(self, operation: str, document: str | bytes,
                         administration: str | None = None, *,
                         validated_count: int | None = None) -> Request:
        """The complete request that books `document` (ProcessSalesInvoices, ProcessJournal
        or ImportStatement), built before anything is sent: what cannot be built is an error
        here, when it provably has not left. `validated_count`: the document has passed its
        XSD already (send renders and validates each call's document once) and holds that
        many documents; it is embedded as it is, without being parsed again."""
        content = document_content(operation, document, validated_count)
        return document_request(operation, content, self.administration_guid(administration),
                                validated_count)

    def send_document(self, request: Request) -> results.SalesImportResult | str:
        """Send a request of `document_request`; Yuki's answer, read for its operation."""
        return answers.answer(request.operation.name, self.send(request), self._secrets)

    def import_single_statement_line(self, line: StatementLine) -> str:
        """One petty cash line (no administration parameter: Yuki picks it from the key)."""
        return element_text(self._call("ImportSingleStatementLine", line.values()))

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

    # --- calls ----------------------------------------------------------------------------

    def prepare(self, operation: str, values: dict[str, Any], via: str | None = None
                ) -> Request:
        """The whole request, built now; the session ID is filled in when it is sent."""
        return prepare(operation, values, via)

    def send(self, request: Request) -> Element | None:
        """Send a prepared request on this client's session."""
        return self._session.call(request)

    def _call(self, operation: str, values: dict[str, Any], via: str | None = None
              ) -> Element | None:
        return self.send(prepare(operation, values, via))

    def _parse(self, operation: str, parser: Callable[[Element | None], T],
               result: Element | None) -> T:
        return parsed(operation, parser, result, self._secrets)
