"""Fixtures for tests against the Yuki sandbox over real HTTP on 127.0.0.1.

    (registered for every test in tests/conftest.py: `pytest_plugins`)

`sandbox` is the shipped Dutch default on a free port, in a background thread, with a temp
SQLite file; `make_sandbox(config)` starts one with another config; `yuki_env` is `sandbox`
with the environment that points `run_cli` at it. The `Sandbox` handle
gives client settings per sandbox key, the control endpoints (over HTTP, like a test in
another process would use them) and the store of what the sandbox accepted.

The sandbox validates against the XSDs in yukimap/schemas/.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from yukimap.sandbox import SandboxConfig, SandboxServer, SandboxStore, load_config
from yukimap.settings import Secret, Settings

ADM_KORENAAR = "5a4db0c5-ad01-4e00-8000-000000000001"
ADM_VASTGOED = "5a4db0c5-ad02-4e00-8000-000000000002"
ADM_VAN_DIJK = "5a4db0c5-ad03-4e00-8000-000000000003"
DOMAIN_KORENAAR = "5a4db0c5-d0a1-4e00-8000-000000000001"


@dataclass
class Sandbox:
    server: SandboxServer
    tmp: Path

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def store(self) -> SandboxStore:
        return self.server.store

    def key(self, name: str) -> str:
        return next(k.key for k in self.server.config.keys if k.name == name)

    def settings(self, key: str = "domain", *, state: str = "state", **changes: Any) -> Settings:
        """Client settings for a sandbox key (by name, or a literal key value)."""
        names = {k.name for k in self.server.config.keys}
        value = self.key(key) if key in names else key
        base = Settings(access_key=Secret(value), base_url=self.url,
                        state_dir=self.tmp / state, deadline_scale=0.25, connect_timeout=5.0)
        return replace(base, **changes)

    def control(self, what: str, payload: dict[str, Any] | None = None,
                method: str = "POST") -> Any:
        data = json.dumps(payload or {}).encode() if method == "POST" else None
        request = urllib.request.Request(self.server.control_url + what, data=data,
                                         method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as answer:
            return json.loads(answer.read())

    def inject(self, **spec: Any) -> Any:
        return self.control("faults", spec)

    def advance(self, seconds: float) -> Any:
        return self.control("clock", {"advance": seconds})

    def count(self, operation: str | None = None) -> int:
        """Calls the sandbox received (of one operation), whatever their outcome."""
        return len(self.store.calls(operation))


@pytest.fixture
def make_sandbox(tmp_path: Path) -> Iterator[Callable[..., Sandbox]]:
    started: list[SandboxServer] = []

    def start(config: SandboxConfig | None = None, **changes: Any) -> Sandbox:
        chosen = replace(config or load_config(), **changes)
        server = SandboxServer(chosen, db_path=tmp_path / f"sandbox{len(started)}.sqlite")
        server.start()
        started.append(server)
        return Sandbox(server, tmp_path)

    yield start
    for server in started:
        server.shutdown()


@pytest.fixture
def sandbox(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox()


@pytest.fixture
def yuki_env(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """`sandbox`, and the environment that points the command line in this process at it
    (its domain key, the state folder tmp_path/state, no config file of the user's)."""
    monkeypatch.setenv("YUKI_BASE_URL", sandbox.url)
    monkeypatch.setenv("YUKI_ACCESS_KEY", sandbox.key("domain"))
    monkeypatch.setenv("YUKIMAP_STATE", str(tmp_path / "state"))
    (tmp_path / "config.yaml").write_text("{}\n")
    monkeypatch.setenv("YUKIMAP_CONFIG", str(tmp_path / "config.yaml"))
    monkeypatch.delenv("YUKI_ADMINISTRATION", raising=False)
    monkeypatch.delenv("YUKI_DOMAIN", raising=False)
    return sandbox


# --- documents -------------------------------------------------------------------------


def sales_invoice(reference: str | None, *, vat_type: int = 1, percentage: str = "21.00",
                  process: bool = True, price: str = "100.00", gl: str | None = "8000",
                  subject: str = "Brood en banket") -> str:
    ref = f"<Reference>{reference}</Reference>" if reference is not None else ""
    gl_code = f"<GLAccountCode>{gl}</GLAccountCode>" if gl else ""
    return (
        f"<SalesInvoice>{ref}<Subject>{subject}</Subject>"
        "<PaymentMethod>ElectronicTransfer</PaymentMethod>"
        f"<Process>{str(process).lower()}</Process><EmailToCustomer>false</EmailToCustomer>"
        "<Date>2025-03-01</Date><DueDate>2025-03-31</DueDate>"
        "<Contact><ContactCode>C-1</ContactCode><FullName>Hotel De Wereld</FullName>"
        "<CountryCode>NL</CountryCode><City>Wageningen</City><ContactType>Company</ContactType>"
        "</Contact><InvoiceLines><InvoiceLine><Description>Croissants</Description>"
        "<ProductQuantity>2</ProductQuantity><Product><Description>Croissant</Description>"
        f"<SalesPrice>{price}</SalesPrice><VATPercentage>{percentage}</VATPercentage>"
        f"<VATIncluded>false</VATIncluded><VATType>{vat_type}</VATType>{gl_code}"
        "</Product></InvoiceLine></InvoiceLines></SalesInvoice>"
    )


def sales_document(*invoices: str, declaration: bool = True) -> str:
    head = '<?xml version="1.0" encoding="utf-8"?>\n' if declaration else ""
    return (head + '<SalesInvoices xmlns="urn:xmlns:http://www.theyukicompany.com:salesinvoices"'
            ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            + "".join(invoices) + "</SalesInvoices>")


def journal_document(entries: list[tuple[str, str, str]], *, administration: str = ADM_KORENAAR,
                     subject: str = "Memoriaal maart") -> str:
    """entries: (date, GL account, amount)."""
    lines = "".join(
        f"<JournalEntry><ContactName>Diverse</ContactName><EntryDate>{day}</EntryDate>"
        f"<GLAccount>{gl}</GLAccount><Amount>{amount}</Amount>"
        f"<Description>Boeking {n}</Description></JournalEntry>"
        for n, (day, gl, amount) in enumerate(entries, start=1))
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<Journal xmlns="urn:xmlns:http://www.theyukicompany.com:journal">'
            f"<AdministrationID>{administration}</AdministrationID>"
            f"<DocumentSubject>{subject}</DocumentSubject><JournalType>GeneralJournal</JournalType>"
            f"{lines}</Journal>")


CASH_HEADER = ("Grootboekrekening kas;Kas omschrijving;Transactie code;Tegenrekening;"
               "Naam tegenrekening;Datum transactie;Omschrijving;Bedrag;Saldo kas")


def cash_statement(*rows: str) -> str:
    return "\r\n".join((CASH_HEADER, *rows)) + "\r\n"
