"""The session a client's calls go out on: reused across runs (24 h, a cache file 0600),
opened (and its domain set) when there is none, and opened once more when Yuki says it is
gone, for that one call. Session IDs work on every service (yuki-api.md §1), and the
current domain set by SetCurrentDomain sticks to the session (ASSUMPTION)."""

from __future__ import annotations

import logging
import time
from xml.etree.ElementTree import Element

from yukimap import yuki_results as results
from yukimap.budget import CachedSession, SessionCache
from yukimap.client.request import Request, is_guid, prepare
from yukimap.client.response import Secrets, parsed
from yukimap.client.wire import Wire
from yukimap.errors import (
    SessionExpired,
    SettingsError,
    TransientError,
    UnreadableResponse,
    YukiError,
    YukiFault,
)
from yukimap.i18n import tr
from yukimap.settings import Secret, Settings
from yukimap.soap import GENERAL_SERVICE, element_text
from yukimap.transport import Dropped

log = logging.getLogger("yukimap.client")


class Session:
    """One access key's session at one base URL (and domain)."""

    def __init__(self, settings: Settings, key: Secret, cache: SessionCache, wire: Wire,
                 secrets: Secrets) -> None:
        self._settings = settings
        self._key = key
        self._cache = cache
        self._cache_key = SessionCache.cache_key(settings.base_url, key, settings.domain)
        self._wire = wire
        self._secrets = secrets
        self._current: CachedSession | None = None

    def open_anew(self) -> None:
        """Start a fresh session now (normally done lazily, and reused for 24 h)."""
        self._forget()
        self._ensure(GENERAL_SERVICE, "Authenticate")

    def call(self, request: Request) -> Element | None:
        """Send a prepared request on this session."""
        operation = request.operation.name
        session = self._ensure(request.service, operation)
        try:
            return self._wire.post(request, session.session_id)
        except SessionExpired:
            # The one retry the client does by itself: Yuki refused the session, not the
            # request, so nothing was processed.
            log.info(tr("Yuki refused the session; authenticating again and retrying"
                        " {operation} once", operation=operation))
            self._forget()
            session = self._ensure(request.service, operation)
            return self._wire.post(request, session.session_id)

    def _forget(self) -> None:
        self._cache.forget(self._cache_key)
        self._current = None

    def _ensure(self, service: str, operation: str) -> CachedSession:
        try:
            return self._session_for(service)
        except UnreadableResponse as exc:
            # An answer came, but not one that opens a session: say what it was. Nothing of
            # `operation` went out, so this is no more ambiguous than the case below.
            raise YukiError(tr("could not open a Yuki session, so {operation} was not sent:"
                               " {reason}", operation=operation, reason=exc.message),
                            operation=operation, hint=exc.hint) from None
        except Dropped as exc:
            # Only the setting up of a session (which changes nothing) was cut off;
            # `operation` itself was not sent, and that is what the caller asked about.
            raise TransientError(
                tr("no answer while opening a Yuki session ({call}); {operation} was"
                   " not sent, so trying again is safe", call=exc.operation,
                   operation=operation), operation=operation) from None

    def _session_for(self, service: str) -> CachedSession:
        if self._current is None:
            cached = self._cache.get(self._cache_key)
            if cached is not None and (not self._settings.domain or cached.domain_id):
                log.debug("reusing the cached Yuki session")  # i18n: developer's debug trace
                self._secrets.add(cached.session_id.reveal())
                self._current = cached
            else:
                self._current = self._open(service)
        return self._current

    def _open(self, service: str) -> CachedSession:
        result = self._wire.post(prepare("Authenticate", {"accessKey": self._key}, service))
        text = element_text(result)
        if not text:
            raise YukiFault(tr("Yuki answered Authenticate without a session ID"),
                            operation="Authenticate")
        self._secrets.add(text)
        session_id = Secret(text)
        domain_id = None
        if self._settings.domain:
            domain_id = self._domain_id(session_id, service)
            self._wire.post(prepare("SetCurrentDomain", {"sessionID": session_id,
                                                         "domainID": domain_id}, service))
        self._cache.put(self._cache_key, session_id, domain_id)
        return CachedSession(session_id, time.time(), domain_id)

    def _domain_id(self, session_id: Secret, service: str) -> str:
        wanted = self._settings.domain or ""
        if is_guid(wanted):
            return wanted.strip("{}")
        answer = self._wire.post(prepare("Domains", {"sessionID": session_id}, service))
        listed = parsed("Domains", results.parse_domains, answer, self._secrets)
        for domain in listed:
            if domain.name.lower() == wanted.lower() or domain.id.lower() == wanted.lower():
                return domain.id
        names = ", ".join(f"{d.name} ({d.id})" for d in listed) or tr("none")
        raise SettingsError(tr("the access key sees no domain {wanted}", wanted=repr(wanted)),
                            hint=tr("domains this key can see: {names}", names=names))
