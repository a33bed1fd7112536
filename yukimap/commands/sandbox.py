"""yukimap sandbox: run the local Yuki stand-in, or list what it received."""

from __future__ import annotations

import ipaddress
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

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
        click.echo("\nsandbox stopped")
    finally:
        server.shutdown()
    return 0


def _banner(server: SandboxServer) -> None:
    cfg = server.config
    echo = click.echo
    echo("yukimap sandbox: a local stand-in for Yuki's webservices (not the real Yuki)")
    echo(f"URL:       {server.url}")
    echo(f"database:  {server.store.path}")
    echo(f"config:    {cfg.source}")
    echo(f"sessions:  {cfg.session_lifetime:g} s; daily limit: {cfg.daily_limit} calls per domain")
    echo("\nSandbox access keys (FAKE: they open nothing but this sandbox):")
    width = max(len(k.name) for k in cfg.keys)
    for key in cfg.keys:
        echo(f"  {key.name:<{width}}  {key.key}  ({_scope(key, cfg)})")
    domain_key = next((k for k in cfg.keys if k.level == "domain"), cfg.keys[0])
    echo("\nTry it:")
    echo(f"  export YUKI_BASE_URL={server.url}")
    echo(f"  export YUKI_ACCESS_KEY={domain_key.key}")
    echo("  yukimap administrations")
    if not ipaddress.ip_address(server.host).is_loopback:
        echo(f"\nnote: listening on {server.host}; the /_sandbox/ controls still answer only"
             " on 127.0.0.1")
    echo(f"\nControls: {server.control_url}faults, clock, calls, received. Ctrl-C stops.")


def _scope(key: AccessKeyConf, cfg: SandboxConfig) -> str:
    services = "all webservices" if key.services is None else ", ".join(sorted(key.services))
    if key.level == "administration":
        adm = cfg.administration(key.administration_id or "")
        return f"administration {adm.name if adm else '?'}; {services}"
    if key.level == "domain":
        dom = cfg.domain(key.domain_id or "")
        return f"domain {dom.name if dom else '?'}; {services}"
    return f"portal, all domains; {services}"


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
        click.echo(f"no sandbox database at {db_path}: the sandbox has received nothing yet")
        return 0
    store = SandboxStore(db_path)

    def name(adm_id: str) -> str:
        adm = cfg.administration(adm_id)
        return adm.name if adm else adm_id

    echo = click.echo
    echo(f"What the sandbox received ({db_path}):")
    invoices = store.sales_invoices()
    echo(f"\nSales invoices: {len(invoices)}")
    for inv in invoices:
        state = "booked" if inv.processed else "draft"
        echo(f"  {inv.received_at}  {name(inv.administration_id)}  {inv.reference or '-'}"
             f"  {state}  {inv.total}  {inv.subject}  ({inv.contact})")
    journals = store.journals()
    echo(f"\nGeneral journals: {len(journals)}")
    for j in journals:
        echo(f"  {j.received_at}  {name(j.administration_id)}  {j.guid}  {j.entries} entries"
             f"  {j.subject}")
    statements = store.cash_statements()
    echo(f"\nPetty cash statements: {len(statements)}")
    for s in statements:
        echo(f"  {s.received_at}  {name(s.administration_id)}  kas {s.account}"
             f"  {s.lines} lines  {s.document_id}")
    singles = [line for line in store.cash_lines() if line.statement_id is None]
    echo(f"\nSingle petty cash lines: {len(singles)}")
    for line in singles:
        echo(f"  {line.received_at}  {name(line.administration_id)}  kas {line.account}"
             f"  {line.transaction_date}  {line.amount}  {line.description}")
    calls = store.calls()
    echo(f"\nCalls received: {len(calls)} ({sum(c.counted for c in calls)} counted)")
    store.close()
    return 0
