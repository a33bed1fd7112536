"""yukimap sandbox: run the local Yuki stand-in, or list what it received."""

from __future__ import annotations

import ipaddress
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from yukimap.i18n import tr

if TYPE_CHECKING:
    from yukimap.sandbox import SandboxServer
    from yukimap.sandbox.config import AccessKeyConf, SandboxConfig


def default_db() -> Path:
    from yukimap.settings import load_settings

    return load_settings().state_dir / "sandbox.sqlite"


def run(*, port: int = 8765, host: str = "127.0.0.1", config: Path | None = None,
        db: Path | None = None, session_lifetime: float | None = None,
        daily_limit: int | None = None, list_: bool = False) -> int:
    from yukimap.sandbox import SandboxServer, load_config

    db_path = db or default_db()
    sandbox_config = load_config(config, session_lifetime=session_lifetime,
                                 daily_limit=daily_limit)
    if list_:
        return _list(db_path, sandbox_config)
    server = SandboxServer(sandbox_config, db_path=db_path, host=host, port=port)
    _banner(server)
    _show_calls()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("\n" + tr("sandbox stopped"))
    finally:
        server.shutdown()
    return 0


def _banner(server: SandboxServer) -> None:
    cfg = server.config
    echo = click.echo
    echo(tr("yukimap sandbox: a local stand-in for Yuki's webservices (not the real Yuki)"))
    echo(f"URL:       {server.url}")
    echo(tr("database:  {path}", path=server.store.path))
    echo(tr("config:    {source}", source=cfg.source))
    echo(tr("sessions:  {lifetime} s; daily limit: {limit} calls per domain",
            lifetime=f"{cfg.session_lifetime:g}", limit=cfg.daily_limit))
    echo("\n" + tr("Sandbox access keys (FAKE: they open nothing but this sandbox):"))
    width = max(len(k.name) for k in cfg.keys)
    for key in cfg.keys:
        echo(f"  {key.name:<{width}}  {key.key}  ({_scope(key, cfg)})")
    domain_key = next((k for k in cfg.keys if k.level == "domain"), cfg.keys[0])
    echo("\n" + tr("Try it:"))
    echo(f"  export YUKI_BASE_URL={server.url}")
    echo(f"  export YUKI_ACCESS_KEY={domain_key.key}")
    echo("  yukimap administrations")
    if not ipaddress.ip_address(server.host).is_loopback:
        echo("\n" + tr("note: listening on {host}; the /_sandbox/ controls still answer only on"
                       " 127.0.0.1", host=server.host))
    echo("\n" + tr("Controls: {url}faults, clock, calls, received. Ctrl-C stops.",
                   url=server.control_url))


def _scope(key: AccessKeyConf, cfg: SandboxConfig) -> str:
    services = tr("all webservices") if key.services is None else ", ".join(sorted(key.services))
    if key.level == "administration":
        adm = cfg.administration(key.administration_id or "")
        return tr("administration {name}; {services}", name=adm.name if adm else "?",
                  services=services)
    if key.level == "domain":
        dom = cfg.domain(key.domain_id or "")
        return tr("domain {name}; {services}", name=dom.name if dom else "?", services=services)
    return tr("portal, all domains; {services}", services=services)


def _show_calls() -> None:
    """Print one line per call the sandbox answers (its log at INFO level)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s  %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("yukimap.sandbox")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _list(db_path: Path, cfg: SandboxConfig) -> int:
    from yukimap.sandbox import SandboxStore

    if not db_path.is_file():
        click.echo(tr("no sandbox database at {path}: the sandbox has received nothing yet",
                      path=db_path))
        return 0
    store = SandboxStore(db_path)

    def name(adm_id: str) -> str:
        adm = cfg.administration(adm_id)
        return adm.name if adm else adm_id

    echo = click.echo
    echo(tr("What the sandbox received ({path}):", path=db_path))
    invoices = store.sales_invoices()
    echo("\n" + tr("Sales invoices: {count}", count=len(invoices)))
    for inv in invoices:
        state = tr("booked") if inv.processed else tr("draft")
        echo(f"  {inv.received_at}  {name(inv.administration_id)}  {inv.reference or '-'}"
             f"  {state}  {inv.total}  {inv.subject}  ({inv.contact})")
    journals = store.journals()
    echo("\n" + tr("General journals: {count}", count=len(journals)))
    for j in journals:
        echo(f"  {j.received_at}  {name(j.administration_id)}  {j.guid}  "
             + tr("{count} entries", count=j.entries) + f"  {j.subject}")
    statements = store.cash_statements()
    echo("\n" + tr("Petty cash statements: {count}", count=len(statements)))
    for s in statements:
        echo(f"  {s.received_at}  {name(s.administration_id)}  kas {s.account}  "
             + tr("{count} lines", count=s.lines) + f"  {s.document_id}")
    singles = [line for line in store.cash_lines() if line.statement_id is None]
    echo("\n" + tr("Single petty cash lines: {count}", count=len(singles)))
    for line in singles:
        echo(f"  {line.received_at}  {name(line.administration_id)}  kas {line.account}"
             f"  {line.transaction_date}  {line.amount}  {line.description}")
    calls = store.calls()
    echo("\n" + tr("Calls received: {count} ({counted} counted)", count=len(calls),
                   counted=sum(c.counted for c in calls)))
    store.close()
    return 0
