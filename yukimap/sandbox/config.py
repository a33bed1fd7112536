"""The sandbox's world: domains, administrations, access keys, GL accounts and VAT codes.

Read from YAML (`default.yaml` beside this file ships a Dutch example; `--config FILE`
replaces it). Everything in it is fake, so printing its keys is harmless.

GL accounts and VAT codes given at the top level apply to every administration; an
administration may list its own instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from yukimap.errors import SettingsError
from yukimap.settings import read_config_file

DEFAULT_CONFIG = Path(__file__).with_name("default.yaml")
LEVELS = ("administration", "domain", "portal")
SERVICES = ("Accounting", "AccountingInfo", "Archive", "Contact", "Sales", "Pettycash",
            "Projects", "Backoffice", "Integration", "Vat", "FiscalTable", "ChangeDigest",
            "Domains", "Purchase")


@dataclass(frozen=True)
class GLAccountConf:
    code: str
    description: str
    type: int = 0  # ASSUMPTION: Yuki's type/subtype codes are undocumented; ours are made up
    subtype: int = 0
    enabled: bool = True
    cash: bool = False  # a petty cash account (what "Onbekende kas" checks)
    vat_applicable: bool = False


@dataclass(frozen=True)
class VATCodeConf:
    type: int
    percentage: Decimal
    description: str
    type_description: str = ""
    country: str | None = None
    start_date: date | None = None
    end_date: date | None = None

    def active_on(self, day: date) -> bool:
        return (self.start_date is None or self.start_date <= day) and (
            self.end_date is None or day <= self.end_date)


@dataclass(frozen=True)
class AdministrationConf:
    id: str
    name: str
    domain_id: str
    gl_accounts: tuple[GLAccountConf, ...]
    vat_codes: tuple[VATCodeConf, ...]
    coc_number: str = ""
    vat_number: str = ""
    address_line: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "NL"
    start_date: date | None = None

    def gl_account(self, code: str) -> GLAccountConf | None:
        return next((g for g in self.gl_accounts if g.code == code.strip()), None)


@dataclass(frozen=True)
class DomainConf:
    id: str
    name: str
    url: str = ""


@dataclass(frozen=True)
class AccessKeyConf:
    name: str
    key: str
    level: str  # administration | domain | portal
    domain_id: str | None = None
    administration_id: str | None = None
    services: frozenset[str] | None = None  # None: all webservices

    def may_use(self, service: str) -> bool:
        return self.services is None or service in self.services


@dataclass(frozen=True)
class SandboxConfig:
    domains: tuple[DomainConf, ...]
    administrations: tuple[AdministrationConf, ...]
    keys: tuple[AccessKeyConf, ...]
    session_lifetime: float = 24 * 3600.0
    daily_limit: int = 1000
    max_failed_invoices: int | None = None
    faults: tuple[dict[str, Any], ...] = ()  # injected faults from the start (control.py)
    source: str = field(default="", compare=False)

    def administration(self, id_: str) -> AdministrationConf | None:
        wanted = id_.strip().strip("{}").lower()
        return next((a for a in self.administrations if a.id.lower() == wanted), None)

    def domain(self, id_: str) -> DomainConf | None:
        wanted = id_.strip().strip("{}").lower()
        return next((d for d in self.domains if d.id.lower() == wanted), None)

    def key(self, value: str) -> AccessKeyConf | None:
        return next((k for k in self.keys if k.key == value.strip()), None)


def load_config(path: Path | None = None, *, session_lifetime: float | None = None,
                daily_limit: int | None = None) -> SandboxConfig:
    """Read a sandbox YAML file (default: the shipped Dutch example)."""
    path = path or DEFAULT_CONFIG
    data = read_config_file(Path(path))
    try:
        config = _config(data, str(path))
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise SettingsError(f"the sandbox config {path} is not valid: {exc}") from None
    changes: dict[str, Any] = {}
    if session_lifetime is not None:
        changes["session_lifetime"] = float(session_lifetime)
    if daily_limit is not None:
        changes["daily_limit"] = int(daily_limit)
    from dataclasses import replace

    return replace(config, **changes)


def _config(data: Any, source: str) -> SandboxConfig:
    if not isinstance(data, dict):
        raise ValueError("the top level must be a mapping")
    gl = tuple(_gl(g) for g in data.get("gl_accounts") or ())
    vat = tuple(_vat(v) for v in data.get("vat_codes") or ())
    domains, administrations = [], []
    for d in data["domains"]:
        domain = DomainConf(id=str(d["id"]), name=str(d["name"]), url=str(d.get("url", "")))
        domains.append(domain)
        for a in d.get("administrations") or ():
            administrations.append(_administration(a, domain.id, gl, vat))
    config = SandboxConfig(
        domains=tuple(domains), administrations=tuple(administrations), keys=(),
        session_lifetime=float(data.get("session_lifetime", 24 * 3600)),
        daily_limit=int(data.get("daily_limit", 1000)),
        max_failed_invoices=(int(data["max_failed_invoices"])
                             if data.get("max_failed_invoices") is not None else None),
        faults=tuple(dict(f) for f in data.get("faults") or ()),
        source=source,
    )
    keys = tuple(_key(k, config) for k in data["access_keys"])
    if len({k.key for k in keys}) != len(keys):
        raise ValueError("two access keys have the same value")
    from dataclasses import replace

    return replace(config, keys=keys)


# The YAML's dicts: what each value is, the functions below check as they convert it.
def _administration(a: dict[str, Any], domain_id: str, gl: tuple[GLAccountConf, ...],
                    vat: tuple[VATCodeConf, ...]) -> AdministrationConf:
    own_gl = tuple(_gl(g) for g in a["gl_accounts"]) if "gl_accounts" in a else gl
    own_vat = tuple(_vat(v) for v in a["vat_codes"]) if "vat_codes" in a else vat
    return AdministrationConf(
        id=str(a["id"]), name=str(a["name"]), domain_id=domain_id,
        gl_accounts=own_gl, vat_codes=own_vat,
        coc_number=str(a.get("coc_number", "")), vat_number=str(a.get("vat_number", "")),
        address_line=str(a.get("address_line", "")), postcode=str(a.get("postcode", "")),
        city=str(a.get("city", "")), country=str(a.get("country", "NL")),
        start_date=_date(a.get("start_date")),
    )


def _gl(g: dict[str, Any]) -> GLAccountConf:
    return GLAccountConf(
        code=str(g["code"]), description=str(g["description"]), type=int(g.get("type", 0)),
        subtype=int(g.get("subtype", 0)), enabled=bool(g.get("enabled", True)),
        cash=bool(g.get("cash", False)), vat_applicable=bool(g.get("vat_applicable", False)),
    )


def _vat(v: dict[str, Any]) -> VATCodeConf:
    return VATCodeConf(
        type=int(v["type"]), percentage=Decimal(str(v["percentage"])),
        description=str(v["description"]), type_description=str(v.get("type_description", "")),
        country=v.get("country"), start_date=_date(v.get("start_date")),
        end_date=_date(v.get("end_date")),
    )


def _key(k: dict[str, Any], config: SandboxConfig) -> AccessKeyConf:
    level = str(k["level"])
    if level not in LEVELS:
        raise ValueError(f"access key {k.get('name')!r}: level must be one of {LEVELS}")
    services = k.get("services", "all")
    chosen = None if services == "all" else frozenset(str(s) for s in services)
    unknown = sorted((chosen or frozenset()) - set(SERVICES))
    if unknown:
        raise ValueError(f"access key {k.get('name')!r}: unknown services {unknown}")
    adm_id = dom_id = None
    if level == "administration":
        adm = config.administration(str(k["administration"]))
        if adm is None:
            raise ValueError(f"access key {k.get('name')!r}: unknown administration")
        adm_id, dom_id = adm.id, adm.domain_id
    elif level == "domain":
        dom = config.domain(str(k["domain"]))
        if dom is None:
            raise ValueError(f"access key {k.get('name')!r}: unknown domain")
        dom_id = dom.id
    return AccessKeyConf(name=str(k["name"]), key=str(k["key"]), level=level,
                         domain_id=dom_id, administration_id=adm_id, services=chosen)


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))
