"""Pre-flight: does the administration know what a document uses, before we send it?

The GL accounts, the (VATType, VATPercentage) pairs and the petty cash account that a
document uses are checked against the administration's ActiveVATCodesList and
GetGLAccountScheme. Both answers are cached per administration per Amsterdam day in the
state folder, so checking costs at most two calls a day per administration (plus an
Authenticate if no session is cached, and Administrations if it is named, not given by ID).
Yuki's own documented refusals ("Onbekende kas 570004", "No tax code for VATPercentage 21
& VATType 9") are caught here instead of costing a call and a rejected document.

The convert side describes a document with `DocumentUsage`; `check_usage` is the pure
check, `preflight` fetches (or reuses) the reference data and runs it.

Limit: Yuki's GL account type codes are undocumented, so a petty cash account is checked
for existence and being enabled, not for being a cash account.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from yukimap.budget import Clock, utc_now, yuki_day
from yukimap.errors import Problem
from yukimap.i18n import tr
from yukimap.settings import ensure_state_dir
from yukimap.usage import DocumentUsage
from yukimap.values import either
from yukimap.yuki_results import GLAccount, VATCode

if TYPE_CHECKING:
    from yukimap.client import YukiClient

T = TypeVar("T")


def _rows(collection: object, key: object) -> tuple[int, ...]:
    return tuple(collection.get(key, ())) if isinstance(collection, Mapping) else ()


def check_usage(usage: DocumentUsage, vat_codes: Sequence[VATCode] | None,
                gl_accounts: Sequence[GLAccount] | None) -> list[Problem]:
    """Problems with `usage` given the administration's reference data (None: not checked)."""
    problems: list[Problem] = []
    if gl_accounts is not None:
        by_code = {g.code: g for g in gl_accounts}
        for code in sorted(usage.gl_accounts):
            problems += [_at(p, _rows(usage.gl_accounts, code))
                         for p in _gl_problems(code, by_code, petty_cash=False)]
        if usage.petty_cash_account:
            problems += [_at(p, usage.petty_cash_rows) for p in
                         _gl_problems(usage.petty_cash_account, by_code, petty_cash=True)]
    if vat_codes is not None:
        active = {(v.type, v.percentage) for v in vat_codes}
        for vat_type, percentage in sorted(usage.vat_pairs):
            if (vat_type, percentage) not in active:
                problem = _vat_problem(vat_type, percentage, vat_codes)
                problems.append(_at(problem, _rows(usage.vat_pairs, (vat_type, percentage))))
    return problems


def _at(problem: Problem, rows: tuple[int, ...]) -> Problem:
    return problem.at(rows=rows) if rows else problem


def _gl_problems(code: str, by_code: dict[str, GLAccount], *, petty_cash: bool) -> list[Problem]:
    account = by_code.get(code)
    if account is None:
        similar = difflib.get_close_matches(code, list(by_code), n=3, cutoff=0.5)
        known = ", ".join(f"{c} ({by_code[c].description})" for c in similar)
        refusal = (tr("Yuki would refuse the statement ('{refusal}')",
                      refusal=f"Onbekende kas {code}")  # i18n: Yuki's own words
                   if petty_cash else tr("Yuki would refuse the document"))
        hint = tr("{refusal}; use an account from the administration's scheme", refusal=refusal)
        return [Problem(
            cause=(tr("petty cash account does not exist in the administration") if petty_cash
                   else tr("GL account does not exist in the administration")), value=code,
            hint=hint + (" " + tr("(similar: {accounts})", accounts=known) if known else ""))]
    if not account.is_enabled:
        return [Problem(cause=(tr("petty cash account is disabled in the administration")
                               if petty_cash else
                               tr("GL account is disabled in the administration")),
                        value=f"{code} ({account.description})",
                        hint=tr("enable it in Yuki, or use another account"))]
    return []


def _vat_problem(vat_type: int, percentage: Decimal, codes: Sequence[VATCode]) -> Problem:
    same_type = sorted({f"{c.percentage}%" for c in codes if c.type == vat_type})
    same_rate = sorted({str(c.type) for c in codes if c.percentage == percentage})
    if same_type:
        advice = tr("VAT type {type} is {percentages} in this administration", type=vat_type,
                    percentages=either(same_type))
    elif same_rate:
        advice = tr("{percentage}% is VAT type {types} in this administration",
                    percentage=percentage, types=either(same_rate))
    else:
        advice = tr("active VAT codes: {codes}", codes=", ".join(
            tr("type {type} = {percentage}% ({description})", type=c.type,
               percentage=c.percentage, description=c.description) for c in codes))
    refusal = f"No tax code for VATPercentage {percentage} & VATType {vat_type}"  # i18n: Yuki's
    return Problem(
        cause=tr("no active VAT code with this type and percentage in the administration"),
        value=f"VATType {vat_type}, VATPercentage {percentage}",
        hint=tr("{advice}; Yuki would fail the invoice with '{refusal}'", advice=advice,
                refusal=refusal))


# --- the per-day cache -----------------------------------------------------------------


class ReferenceCache:
    """VAT codes and GL scheme per administration, kept for one Amsterdam day."""

    def __init__(self, state_dir: Path, *, clock: Clock = utc_now) -> None:
        self.folder = ensure_state_dir(state_dir) / "reference"
        self._clock = clock

    def vat_codes(self, base_url: str, administration_id: str,
                  fetch: Callable[[], list[VATCode]]) -> list[VATCode]:
        rows = self._get(base_url, administration_id, "vat_codes",
                         lambda: [_plain(v) for v in fetch()])
        return [_vat(r) for r in rows]

    def gl_accounts(self, base_url: str, administration_id: str,
                    fetch: Callable[[], list[GLAccount]]) -> list[GLAccount]:
        rows = self._get(base_url, administration_id, "gl_accounts",
                         lambda: [_plain(g) for g in fetch()])
        return [_gl(r) for r in rows]

    def forget(self, base_url: str, administration_id: str) -> None:
        """Drop today's copy: the next check fetches the reference data again."""
        self._path(base_url, administration_id).unlink(missing_ok=True)

    def _path(self, base_url: str, administration_id: str) -> Path:
        name = hashlib.sha256(f"{base_url}\0{administration_id.lower()}".encode()).hexdigest()
        return self.folder / f"{name[:24]}.json"

    def _get(self, base_url: str, administration_id: str, kind: str,
             fetch: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        path, today = self._path(base_url, administration_id), yuki_day(self._clock()).isoformat()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict) or data.get("day") != today:
            data = {"day": today}
        if kind not in data:
            data[kind] = fetch()
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, path)
        return list(data[kind])


def _plain(item: VATCode | GLAccount) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal | date) else v)
            for k, v in asdict(item).items()}


def _opt(value: Any, kind: Callable[[str], T]) -> T | None:
    return None if value in (None, "") else kind(value)


def _vat(row: dict[str, Any]) -> VATCode:
    return VATCode(description=row["description"], type=int(row["type"]),
                   type_description=row["type_description"],
                   percentage=Decimal(row["percentage"]), country=row.get("country"),
                   start_date=_opt(row.get("start_date"), date.fromisoformat),
                   end_date=_opt(row.get("end_date"), date.fromisoformat))


def _gl(row: dict[str, Any]) -> GLAccount:
    return GLAccount(
        code=row["code"], type=int(row["type"]), subtype=int(row["subtype"]),
        is_enabled=bool(row["is_enabled"]), description=row["description"],
        description_nl=row.get("description_nl", ""), description_fr=row.get("description_fr", ""),
        description_en=row.get("description_en", ""),
        is_vat_applicable=row.get("is_vat_applicable"),
        deductable_vat_percentage=_opt(row.get("deductable_vat_percentage"), Decimal),
        professional_percentage=_opt(row.get("professional_percentage"), Decimal))


def preflight(client: YukiClient, usage: DocumentUsage, administration: str | None = None, *,
              cache: ReferenceCache | None = None, refresh: bool = False) -> list[Problem]:
    """Check `usage` against the administration (name or ID; default: the configured one);
    `refresh` fetches the reference data again instead of using today's copy."""
    adm_id = client.administration_guid(administration)
    cache = cache or ReferenceCache(client.settings.state_dir)
    if refresh:
        cache.forget(client.settings.base_url, adm_id)
    base = client.settings.base_url
    vat = (cache.vat_codes(base, adm_id, lambda: client.active_vat_codes(adm_id))
           if usage.vat_pairs else None)
    gl = (cache.gl_accounts(base, adm_id, lambda: client.gl_account_scheme(adm_id))
          if usage.gl_accounts or usage.petty_cash_account else None)
    return check_usage(usage, vat, gl)


def preflight_file(client: YukiClient, usage: DocumentUsage, file: str,
                   administration: str | None = None, refresh: bool = False) -> list[Problem]:
    """Check against the administration, before sending, that it knows everything a
    converted file's documents use (`usage`; at most two calls a day per administration),
    its problems placed in `file`."""
    found = preflight(client, usage, administration, refresh=refresh)
    return [p.at(file=file) for p in found]
