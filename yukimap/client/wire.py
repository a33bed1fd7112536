"""One call on the wire: counted against the daily budget, posted within its time limit,
its answer read whole (within a size cap), and every failure typed by whether the request
can have reached Yuki."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import requests

from yukimap import transport
from yukimap.budget import CallBudget, Reservation
from yukimap.client import response
from yukimap.client.request import Request
from yukimap.client.response import Secrets
from yukimap.errors import (
    DailyLimitExceeded,
    SettingsError,
    TransientError,
    UnreadableResponse,
    UserError,
)
from yukimap.i18n import tr
from yukimap.settings import Secret, Settings
from yukimap.soap import CONTENT_TYPE, MAX_XML_BYTES

log = logging.getLogger("yukimap.client")


class Wire:
    """Posts requests to one base URL over one HTTP session, on one call budget."""

    def __init__(self, settings: Settings, http: requests.Session, budget: CallBudget,
                 budget_domain: str, secrets: Secrets) -> None:
        self._settings = settings
        self._http = http
        self._budget = budget
        self._budget_domain = budget_domain
        self._secrets = secrets

    def post(self, request: Request, session_id: Secret | None = None) -> Element | None:
        op, service, body = request.operation, request.service, request.filled(session_id)
        url = f"{self._settings.base_url}{service}.asmx"
        limit = transport.time_limit(op.name)
        reservation = self._budget.reserve(self._budget_domain, op.name, request.administration)
        # i18n: developer's debug trace
        log.debug("Yuki call %s on %s.asmx (call %d of %d today for %s)", op.name, service,
                  self._budget.calls_today(self._budget_domain), self._budget.budget,
                  self._budget_domain)
        error: UserError | None = None
        request.may_have_left = True
        seconds = limit.seconds(request.invoices, self._settings.deadline_scale)
        with transport.Deadline(seconds) as ends:
            try:
                answer = self._http.post(
                    url, data=body, stream=True, allow_redirects=False,
                    headers={"Content-Type": CONTENT_TYPE, "SOAPAction": op.soap_action},
                    timeout=(min(self._settings.connect_timeout, ends.left()), ends.left()),
                )
                with answer:
                    status, content_type = answer.status_code, answer.headers.get(
                        "Content-Type", "")
                    content = transport.read_capped(answer, ends)
            except OSError as exc:  # requests' errors, and those of a socket cut in between
                error = self._transport_error(exc, request, url, reservation, ends)
            except transport.TooLarge:
                error = UnreadableResponse(tr("Yuki's answer to {operation} is larger than"
                                              " {size} MB", operation=op.name,
                                              size=MAX_XML_BYTES // 2**20), operation=op.name)
        if error is not None:
            raise error  # raised outside `except`: the requests error (it holds the
            # request body, with the session ID) is not chained onto ours
        try:
            return response.read(op, status, content_type, content, self._secrets,
                                 self._settings.base_url)
        except DailyLimitExceeded:
            # Yuki said no for today: spend the local budget too, so that later runs
            # stop here instead of spending calls on refusals.
            self._budget.mark_exhausted(self._budget_domain)
            raise

    def _transport_error(self, exc: OSError, request: Request, url: str,
                         reservation: Reservation, deadline: transport.Deadline) -> UserError:
        """The error for a call that failed on the way; one that provably never left is
        not counted, and says so (`may_have_left`)."""
        op, host = request.operation, urlsplit(url).netloc
        never_sent = (transport.never_sent(exc) if isinstance(exc, requests.RequestException)
                      else None)
        if never_sent is not None:
            self._never_left(request, reservation)
            return TransientError(
                tr("could not reach Yuki at {host} for {operation} ({reason}); nothing was"
                   " sent, so trying again is safe", host=host, operation=op.name,
                   reason=never_sent), operation=op.name,
                hint=tr("check the network and YUKI_BASE_URL"))
        if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema
                      | requests.exceptions.InvalidSchema):
            self._never_left(request, reservation)
            return SettingsError(tr("the Yuki base URL is not usable: {url}",
                                    url=self._settings.base_url))
        if deadline.expired or isinstance(exc, requests.exceptions.ReadTimeout):
            what = transport.time_limit(op.name).describe(request.invoices)
            return transport.too_slow(op, host, deadline.seconds, what)
        return transport.dropped(op, host)

    def _never_left(self, request: Request, reservation: Reservation) -> None:
        request.may_have_left = False
        self._budget.release(reservation)
