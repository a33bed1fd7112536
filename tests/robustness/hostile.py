"""Hostile Yuki servers for the remote tests: real sockets on 127.0.0.1, no mocks.

    with Hostile({"Authenticate": silent}) as server:      # accepts, never answers
        ... YUKI_BASE_URL=server.url ...

Each SOAP operation (read from the SOAPAction header) gets a behaviour; the others are
forwarded to an upstream server (the sandbox) when one is given, and get no answer when
none is. A behaviour writes whatever it likes to the raw socket: an answer that trickles in
a byte at a time, headers that never end, an HTML page, an empty body.
"""

from __future__ import annotations

import http.client
import socket
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urlsplit

from yukimap.soap import build_response


@dataclass(frozen=True)
class Request:
    operation: str
    path: str
    headers: dict[str, str]
    body: bytes


# A behaviour answers one request; it returns True when the connection may serve another.
Behaviour = Callable[["Hostile", socket.socket, Request], bool]


class Hostile:
    """A threaded HTTP server that misbehaves per operation; `calls` lists what came in."""

    def __init__(self, behaviours: dict[str, Behaviour], upstream: str | None = None) -> None:
        self.behaviours = behaviours
        self.upstream = upstream
        self.calls: list[str] = []
        self.stopped = threading.Event()
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                owner._serve(self.connection, self.rfile)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/ws/"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Hostile:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self._server.shutdown()
        self._server.server_close()

    def _serve(self, sock: socket.socket, rfile: BinaryIO) -> None:
        try:
            while not self.stopped.is_set():
                request = _read_request(rfile)
                if request is None:
                    return
                self.calls.append(request.operation)
                behaviour = self.behaviours.get(request.operation, forward)
                if not behaviour(self, sock, request):
                    return
        except OSError:
            return  # the client cut the connection: that is what these tests want to see

    def upstream_answer(self, request: Request) -> tuple[int, str, bytes]:
        """(status, content type, body) of the upstream server for this request."""
        if self.upstream is None:
            return 200, "text/xml; charset=utf-8", build_response(request.operation, "")
        parts = urlsplit(self.upstream)
        connection = http.client.HTTPConnection(parts.netloc, timeout=10)
        try:
            connection.request("POST", request.path, request.body,
                               {k: v for k, v in request.headers.items()
                                if k.lower() in ("content-type", "soapaction")})
            answer = connection.getresponse()
            return answer.status, answer.getheader("Content-Type") or "", answer.read()
        finally:
            connection.close()


def _read_request(rfile: BinaryIO) -> Request | None:
    line = rfile.readline(65536)
    if not line.strip():
        return None
    _, path, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while (header := rfile.readline(65536)) not in (b"\r\n", b"\n", b""):
        name, _, value = header.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = rfile.read(int(headers.get("content-length", "0")))
    operation = headers.get("soapaction", "").strip('"').rpartition("/")[2]
    return Request(operation, path, headers, body)


def _head(status: int, content_type: str, length: int) -> bytes:
    return (f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {length}\r\n\r\n").encode("latin-1")


# --- behaviours ---------------------------------------------------------------------------


def forward(server: Hostile, sock: socket.socket, request: Request) -> bool:
    """Pass the request on to the upstream server and its answer back, whole and at once."""
    status, content_type, body = server.upstream_answer(request)
    sock.sendall(_head(status, content_type, len(body)) + body)
    return True


def silent(server: Hostile, sock: socket.socket, request: Request) -> bool:
    """Read the request, then say nothing until the server stops."""
    server.stopped.wait()
    return False


def trickle_body(interval: float) -> Behaviour:
    """The upstream's (or an empty) answer: headers at once, then one byte per `interval`."""

    def behave(server: Hostile, sock: socket.socket, request: Request) -> bool:
        status, content_type, body = server.upstream_answer(request)
        sock.sendall(_head(status, content_type, len(body)))
        return _trickle(server, sock, body, interval)

    return behave


def trickle_headers(interval: float) -> Behaviour:
    """Even the status line comes one byte per `interval`."""

    def behave(server: Hostile, sock: socket.socket, request: Request) -> bool:
        status, content_type, body = server.upstream_answer(request)
        return _trickle(server, sock, _head(status, content_type, len(body)) + body, interval)

    return behave


def _trickle(server: Hostile, sock: socket.socket, data: bytes, interval: float) -> bool:
    for index in range(len(data)):
        if server.stopped.wait(interval):
            return False
        sock.sendall(data[index:index + 1])
    return False


def answer(status: int, content_type: str, body: bytes) -> Behaviour:
    """A whole answer of our choosing."""

    def behave(server: Hostile, sock: socket.socket, request: Request) -> bool:
        head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n"
        if content_type:
            head += f"Content-Type: {content_type}\r\n"
        sock.sendall(head.encode("latin-1") + b"\r\n" + body)
        return True

    return behave


def echo_page(server: Hostile, sock: socket.socket, request: Request) -> bool:
    """An HTML error page (HTTP 200) that shows the body of the request it got, secrets and
    all, from its <soap:Body> on."""
    shown = request.body[request.body.find(b"<soap:Body>"):]
    page = b"<html><body><h1>Bad request</h1><pre>" + shown + b"</pre></body></html>"
    sock.sendall(_head(200, "text/html", len(page)) + page)
    return True
