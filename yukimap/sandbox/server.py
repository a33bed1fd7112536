"""The sandbox's HTTP server: SOAP 1.1 at /ws/<Service>.asmx, test controls at /_sandbox/.

    from yukimap.sandbox import SandboxServer
    with SandboxServer(db_path=tmp / "sandbox.sqlite") as sandbox:   # port 0: a free port
        sandbox.start()
        ... YukiClient(settings with base_url=sandbox.url) ...
        sandbox.store.sales_invoices()       # what "Yuki" accepted

Control endpoints answer only clients on the loopback interface, whatever the bind
address. They are documented in control.py; in short:

    GET/POST/DELETE /_sandbox/faults    injected faults (JSON spec, see control.py)
    GET/POST        /_sandbox/clock     {"advance": seconds} or {"set": ISO time}
    GET             /_sandbox/calls     every call received, with its outcome
    GET             /_sandbox/received  everything accepted (sales, journals, petty cash)
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import socket
import sys
import threading
import time
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from yukimap.sandbox.config import SandboxConfig, load_config
from yukimap.sandbox.control import Injections, SandboxClock
from yukimap.sandbox.documents import Schemas
from yukimap.sandbox.service import SandboxService
from yukimap.sandbox.store import SandboxStore

log = logging.getLogger(__name__)
MAX_REQUEST_BYTES = 32 * 1024 * 1024


class _Quiet(ThreadingHTTPServer):
    """A client that hangs up before its answer (a killed yukimap, a call past its time
    limit) is what the sandbox exists to be tested with: no traceback for it."""

    sandbox: SandboxServer  # the server's handlers answer for it

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class SandboxServer:
    """A Yuki stand-in on host:port (port 0 picks a free one)."""

    def __init__(self, config: SandboxConfig | None = None, *, db_path: Path,
                 host: str = "127.0.0.1", port: int = 0, schemas_dir: Path | None = None
                 ) -> None:
        self.config = config or load_config()
        self.store = SandboxStore(db_path)
        self.clock = SandboxClock()
        self.injections = Injections()
        for spec in self.config.faults:
            self.injections.add(dict(spec))
        self.service = SandboxService(self.config, self.store, clock=self.clock,
                                      injections=self.injections, schemas=Schemas(schemas_dir))
        self.httpd = _Quiet((host, port), _Handler)
        self.httpd.sandbox = self
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self.httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        """The base URL for the client (YUKI_BASE_URL)."""
        return f"http://{self.host}:{self.port}/ws/"

    @property
    def control_url(self) -> str:
        return f"http://{self.host}:{self.port}/_sandbox/"

    def start(self) -> None:
        """Serve in a background thread (tests); see `serve_forever` for the foreground."""
        # A short poll interval: shutdown() waits up to one interval (tests start many).
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                        daemon=True, name=f"yuki-sandbox:{self.port}")
        self._thread.start()

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def shutdown(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
        self.httpd.server_close()
        self.store.close()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # --- what the control endpoints show ------------------------------------------------

    def received(self) -> dict[str, Any]:
        store = self.store
        return {
            "sales_invoices": [_public(asdict(i)) for i in store.sales_invoices()],
            "journals": [_public(asdict(j)) for j in store.journals()],
            "cash_statements": [_public(asdict(s)) for s in store.cash_statements()],
            "cash_lines": [_public(asdict(c)) for c in store.cash_lines()],
        }


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in row.items()}


class _Handler(BaseHTTPRequestHandler):
    server_version = "yukimap-sandbox"
    protocol_version = "HTTP/1.0"  # one request per connection: no stale keep-alives

    @property
    def sandbox(self) -> SandboxServer:
        return cast(_Quiet, self.server).sandbox

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib name)
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:  # noqa: N802 (stdlib name)
        path = urlsplit(self.path).path
        if path.startswith("/_sandbox/"):
            self._control("GET", path)
        elif self._service_part(path):
            text = (f"yukimap sandbox: the {self._service_part(path)} service. POST SOAP 1.1"
                    " requests here (no WSDL is served).")
            self._send(200, "text/plain; charset=utf-8", text.encode())
        else:
            self._send(404, "text/plain; charset=utf-8", b"not found\n")

    def do_POST(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        if path.startswith("/_sandbox/"):
            self._control("POST", path)
        elif self._service_part(path):
            self._soap(self._service_part(path))
        else:
            self._send(404, "text/plain; charset=utf-8", b"not found\n")

    def do_DELETE(self) -> None:  # noqa: N802
        self._control("DELETE", urlsplit(self.path).path)

    @staticmethod
    def _service_part(path: str) -> str:
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0].lower() == "ws" and parts[1].lower().endswith(".asmx"):
            return parts[1][: -len(".asmx")]
        return ""

    def _body(self) -> bytes | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self._send(413, "text/plain; charset=utf-8", b"request too large\n")
            return None
        return self.rfile.read(length) if length else b""

    def _soap(self, part: str) -> None:
        service = SandboxService.service_name(part)
        if service is None:
            self._send(404, "text/plain; charset=utf-8", f"no service {part}\n".encode())
            return
        body = self._body()
        if body is None:
            return
        if not (self.headers.get("Content-Type") or "").startswith("text/xml"):
            self._send(415, "text/plain; charset=utf-8",
                       b"the sandbox speaks SOAP 1.1 only (Content-Type: text/xml)\n")
            return
        reply = self.sandbox.service.handle(service, self.headers.get("SOAPAction"), body)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.drop:
            self.close_connection = True
            # Processed and stored; now vanish without a byte of answer.
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(reply.status, reply.content_type, reply.body)

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        self._send(status, "application/json", json.dumps(data, default=str).encode())

    def _control(self, method: str, path: str) -> None:
        if not ipaddress.ip_address(self.client_address[0]).is_loopback:
            self._json(403, {"error": "control endpoints answer only on 127.0.0.1"})
            return
        sandbox, what = self.sandbox, path[len("/_sandbox/"):].strip("/")
        try:
            payload = json.loads(self._body() or b"{}") if method == "POST" else {}
            if what == "faults" and method == "POST":
                sandbox.injections.add(payload)
            elif what == "faults" and method == "DELETE":
                sandbox.injections.clear()
            elif what == "clock" and method == "POST":
                if "advance" in payload:
                    sandbox.clock.advance(float(payload["advance"]))
                if "set" in payload:
                    sandbox.clock.set(datetime.fromisoformat(str(payload["set"])))
            elif not (method == "GET" and what in ("faults", "clock", "calls", "received")):
                self._json(404, {"error": f"no control {method} /_sandbox/{what}"})
                return
        except (ValueError, TypeError, KeyError) as exc:
            self._json(400, {"error": str(exc)})
            return
        self._json(200, self._control_view(what))

    def _control_view(self, what: str) -> Any:
        sandbox = self.sandbox
        if what == "faults":
            return sandbox.injections.describe()
        if what == "clock":
            return {"now": sandbox.clock.now().isoformat()}
        if what == "calls":
            return [asdict(c) for c in sandbox.store.calls()]
        return sandbox.received()
