"""yukimap status: what yukimap knows locally, without calling Yuki (costs no calls).

The output is a list of sections, each with lines for people and data for `--json`; later
features (e.g. the hot-folder daemon) add theirs to SECTIONS.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

import click

from yukimap.settings import Settings


@dataclass
class Section:
    key: str  # its name in --json
    title: str
    lines: list[str] = field(default_factory=list)
    data: object = None  # what --json shows of it


def settings_section(settings: Settings) -> Section:
    key = settings.access_key
    src = settings.sources
    return Section("settings", "Settings", [
        f"Yuki URL:        {settings.base_url}",
        "access key:      " + (f"set (fingerprint {key.fingerprint()}, from"
                               f" {src.get('access_key', '?')})" if key else "not set"),
        f"administration:  {settings.administration or '(none; give one per command)'}",
        f"domain:          {settings.domain or '(none)'}",
        f"state folder:    {settings.state_dir.resolve()}",
    ], {"base_url": settings.base_url,
        "access_key": {"fingerprint": key.fingerprint(), "from": src.get("access_key")}
        if key else None,
        "administration": settings.administration, "domain": settings.domain,
        "state_folder": str(settings.state_dir.resolve())})



class _DomainCalls(TypedDict):
    """Today's calls of one domain, in --json."""

    used: int
    left: int
    operations: dict[str, int]
    current_key: bool


def calls_section(settings: Settings) -> Section:
    from yukimap.budget import CallBudget, counter_name

    budget = CallBudget(settings.state_dir, settings.daily_budget)
    try:
        usage = budget.usage_today()
        mine = counter_name(settings.domain, settings.access_key)
        if mine and mine not in usage:
            usage[mine] = 0
        resets = budget.resets_at()
        domains: dict[str, _DomainCalls] = {
            domain: {"used": used, "left": max(budget.budget - used, 0),
                     "operations": budget.operations_today(domain),
                     "current_key": domain == mine}
            for domain, used in sorted(usage.items())}
    finally:
        budget.close()
    lines = [f"{domain}: {d['used']} used, {d['left']} left of {budget.budget}"
             + ("  (current key)" if d["current_key"] else "") for domain, d in domains.items()]
    lines += [f"  {domain}: " + ", ".join(f"{op} {n}" for op, n in d["operations"].items())
              for domain, d in domains.items() if d["operations"]]
    lines = lines or ["no calls today"]
    lines.append(f"the count starts again at midnight Amsterdam time ({resets:%Y-%m-%d %H:%M %Z})")
    day = budget.today().isoformat()
    return Section("calls_today", f"Yuki calls today ({day}, Europe/Amsterdam)", lines,
                   {"day": day, "resets_at": resets.isoformat(), "budget": budget.budget,
                    "domains": domains})


def unknown_section(settings: Settings) -> Section:
    from yukimap.errors import _rows_text
    from yukimap.sendlog import SendLog

    with SendLog(settings.state_dir) as log:
        waiting = log.unknown()
    lines = [f"{e.id}: {e.label} from {e.file_name} ({_rows_text(e.rows)}):"
             f" {e.message or 'outcome unknown'}" for e in waiting]
    if waiting:
        lines.append("check each in Yuki, then: yukimap resolve ID --sent (or --not-sent)")
    data = [{"id": e.id, "label": e.label, "key": e.key, "administration": e.administration,
             "target": e.target, "file": e.file_name, "rows": list(e.rows),
             "message": e.message, "since": e.updated} for e in waiting]
    return Section("awaiting_decision", "Awaiting a decision (outcome unknown)",
                   lines or ["none"], data)


def sends_section(settings: Settings) -> Section:
    from yukimap.sendlog import SendLog, local_time

    with SendLog(settings.state_dir) as log:
        runs = log.recent(5)
    lines = [f"run {r['id']} {local_time(str(r['started']))}: {r['file']} ({r['target']}): "
             + (", ".join(f"{k.lower()} {n}" for k, n in sorted(r["documents"].items()))
                or "nothing new") for r in runs]
    return Section("recent_sends", "Recent sends (yukimap history for more)",
                   lines or ["nothing sent yet"], runs)


def watch_section(settings: Settings) -> Section:
    from yukimap.watch.report import watch_lines, watch_status

    found = watch_status(settings.state_dir)
    return Section("watch", "Hot-folder daemon (yukimap watch)", watch_lines(found), found)


SECTIONS: list[Callable[[Settings], Section]] = [settings_section, calls_section,
                                                 unknown_section, sends_section, watch_section]


def run(as_json: bool = False, state: Path | None = None) -> int:
    from yukimap.sendlog import state_errors
    from yukimap.settings import load_settings

    settings = load_settings(state_dir=state)
    with state_errors(settings.state_dir):
        sections = [make(settings) for make in SECTIONS]
    if as_json:
        click.echo(json.dumps({s.key: s.data for s in sections}, indent=2, ensure_ascii=False))
        return 0
    for number, section in enumerate(sections):
        if number:
            click.echo("")
        click.echo(section.title)
        for line in section.lines:
            click.echo(f"  {line}")
    return 0
