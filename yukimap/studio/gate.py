"""The access token that every request to the studio must carry, as Jupyter does it.

`yukimap studio` prints its address with `?token=...`. The first request brings the token
in the query; the studio answers with a cookie (HttpOnly, SameSite=Strict: no other site's
page sends it) and sends the browser on to the same address without the token. Every later
request brings the cookie. Anything else, on any path, is a 403. Tokens are compared in
constant time.
"""

from __future__ import annotations

import hmac
import secrets
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Receive, Scope, Send

from yukimap.i18n import N_, tr

FORBIDDEN_TEXT = N_("403 Forbidden: the studio needs its access token. Open the address that"
                    " `yukimap studio` printed (it ends in ?token=...).\n")
FORBIDDEN = FORBIDDEN_TEXT.encode()  # as said in English
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; style-src 'self' 'unsafe-inline';"
                                 b" img-src 'self' data:; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


def new_token() -> str:
    return secrets.token_urlsafe(32)


class TokenGate:
    """ASGI middleware: the token in the query (once) or in the cookie, or 403."""

    def __init__(self, app: ASGIApp, token: str, cookie: str) -> None:
        self.app = app
        self.token = token
        self.cookie = cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"))
        given = next((v for k, v in query if k == "token"), None)
        if given is not None and self._valid(given):
            if scope["method"] == "GET":
                await self._enter(scope, send, [(k, v) for k, v in query if k != "token"])
                return
        elif not self._valid(self._cookie(scope)) or not _same_origin(scope):
            await _respond(send, 403, tr(FORBIDDEN_TEXT).encode())
            return
        await self.app(scope, receive, _with_headers(send))

    def _valid(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())

    def _cookie(self, scope: Scope) -> str | None:
        for name, value in scope.get("headers", ()):
            if name == b"cookie":
                jar: SimpleCookie = SimpleCookie()
                try:
                    jar.load(value.decode("latin-1"))
                except Exception:  # noqa: BLE001 -- a malformed cookie is no token
                    continue
                if self.cookie in jar:
                    return jar[self.cookie].value
        return None

    async def _enter(self, scope: Scope, send: Send, rest: list[tuple[str, str]]) -> None:
        """Set the cookie and send the browser to the same page without the token."""
        location = scope.get("root_path", "") + scope["path"]
        if rest:
            location += "?" + urlencode(rest)
        cookie = (f"{self.cookie}={self.token}; Path=/; HttpOnly; SameSite=Strict")
        await _respond(send, 303, b"", [(b"location", location.encode()),
                                        (b"set-cookie", cookie.encode())])


def _same_origin(scope: Scope) -> bool:
    """A request that changes something must come from the studio's own page (when the
    browser says where it comes from)."""
    if scope["method"] in ("GET", "HEAD"):
        return True
    headers = dict(scope.get("headers", ()))
    origin = headers.get(b"origin")
    if origin is None:
        return True
    host = headers.get(b"host", b"")
    return bool(origin.split(b"://", 1)[-1] == host)


def _with_headers(send: Send) -> Send:
    async def wrapped(message: Any) -> None:
        if message["type"] == "http.response.start":
            names = {name for name, _ in message.get("headers", [])}
            message["headers"] = list(message.get("headers", [])) + [
                (name, value) for name, value in SECURITY_HEADERS if name not in names]
        await send(message)

    return wrapped


async def _respond(send: Send, status: int, body: bytes,
                   headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            *SECURITY_HEADERS, *(headers or [])]})
    await send({"type": "http.response.body", "body": body})
