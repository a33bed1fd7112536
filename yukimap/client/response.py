"""What came back from a call: its result element, or the error it means. Whatever is
shown of an answer passes `Secrets.redact` first: Yuki may echo the key or a session ID.

ASSUMPTION: an HTTP 5xx whose body is not a SOAP envelope (an IIS/proxy error page) comes
from before Yuki's web method ran, since ASMX turns every exception inside a web method
into a SOAP fault; it is a TransientError.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from xml.etree.ElementTree import Element

from yukimap import transport
from yukimap.errors import SettingsError, TransientError, UnreadableResponse
from yukimap.i18n import tr
from yukimap.soap import BadXml, Operation, find_fault, find_result, parse_xml
from yukimap.transport import fault_error

T = TypeVar("T")


class Secrets:
    """The access key and the session IDs of a client: never shown, whatever echoes them."""

    def __init__(self, *known: str) -> None:
        self._known = set(known)

    def add(self, secret: str) -> None:
        self._known.add(secret)

    def redact(self, text: str) -> str:
        for secret in self._known:
            text = text.replace(secret, "***")
        return text


def read(op: Operation, status: int, content_type: str, content: bytes, secrets: Secrets,
         base_url: str) -> Element | None:
    """The result of a call from its answer, or the error the answer means (a fault of
    Yuki's, an error page, something that is not SOAP)."""
    looks_soap = content.lstrip()[:1] == b"<" and b"Envelope" in content[:4096]
    if not looks_soap:
        if status >= 500:
            raise TransientError(
                tr("Yuki answered {operation} with HTTP {status} and no SOAP fault; it was"
                   " refused before processing, so trying again is safe; what came back:"
                   " {answer}", operation=op.name, status=status,
                   answer=_came_back(content_type, content, secrets)), operation=op.name)
        if status in (301, 302, 303, 307, 308, 404):
            raise SettingsError(tr("Yuki answered HTTP {status} for {operation}: is the base"
                                   " URL right?", status=status, operation=op.name),
                                hint=tr("it is now {url}", url=base_url))
        raise UnreadableResponse(
            tr("Yuki's answer to {operation} (HTTP {status}) is not a SOAP message; what came"
               " back: {answer}", operation=op.name, status=status,
               answer=_came_back(content_type, content, secrets)), operation=op.name,
            hint=_url_hint(base_url))
    try:
        root = parse_xml(content)
        fault = find_fault(root)
        result = None if fault else find_result(root, op.name)
    except BadXml as exc:
        raise UnreadableResponse(
            tr("Yuki's answer to {operation} (HTTP {status}) could not be read safely:"
               " {reason}; what came back: {answer}", operation=op.name, status=status,
               reason=secrets.redact(str(exc)),
               answer=_came_back(content_type, content, secrets)), operation=op.name,
            hint=_url_hint(base_url)) from None
    if fault is not None:
        raise fault_error(fault.string, secrets.redact(fault.string), op)
    if status != 200:
        raise UnreadableResponse(
            tr("Yuki answered {operation} with HTTP {status} but no fault; what came back:"
               " {answer}", operation=op.name, status=status,
               answer=_came_back(content_type, content, secrets)), operation=op.name,
            hint=_url_hint(base_url))
    return result


def _came_back(content_type: str, content: bytes, secrets: Secrets) -> str:
    return transport.came_back(content_type, content, secrets.redact)


def _url_hint(base_url: str) -> str:
    return tr("check YUKI_BASE_URL (now {url}): it must be the folder of Yuki's"
              " webservices; if it is, Yuki has trouble: try again later", url=base_url)


def parsed(operation: str, parser: Callable[[Element | None], T], result: Element | None,
           secrets: Secrets) -> T:
    """A result read into its type; XML that does not read is an unreadable answer."""
    try:
        return parser(result)
    except BadXml as exc:
        raise UnreadableResponse(tr("Yuki's answer to {operation} could not be read:"
                                    " {reason}", operation=operation,
                                    reason=secrets.redact(str(exc))),
                                 operation=operation) from None
