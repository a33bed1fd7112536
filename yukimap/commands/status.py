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

from yukimap.i18n import tr
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
    labels = [tr("Yuki URL:"), tr("access key:"), tr("administration:"), tr("domain:"),
              tr("state folder:")]
    width = max(16, *(len(label) + 1 for label in labels))
    values = [settings.base_url,
              tr("set (fingerprint {fingerprint}, from {source})", fingerprint=key.fingerprint(),
                 source=src.get("access_key", "?")) if key else tr("not set"),
              settings.administration or tr("(none; give one per command)"),
              settings.domain or tr("(none)"),
              str(settings.state_dir.resolve())]
    return Section("settings", tr("Settings"), [
        f"{label:<{width}} {value}" for label, value in zip(labels, values)
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
    lines = [tr("{domain}: {used} used, {left} left of {budget}", domain=domain, used=d["used"],
                left=d["left"], budget=budget.budget)
             + ("  " + tr("(current key)") if d["current_key"] else "")
             for domain, d in domains.items()]
    lines += [f"  {domain}: " + ", ".join(f"{op} {n}" for op, n in d["operations"].items())
              for domain, d in domains.items() if d["operations"]]
    lines = lines or [tr("no calls today")]
    lines.append(tr("the count starts again at midnight Amsterdam time ({time})",
                    time=f"{resets:%Y-%m-%d %H:%M %Z}"))
    day = budget.today().isoformat()
    return Section("calls_today", tr("Yuki calls today ({day}, Europe/Amsterdam)", day=day), lines,
                   {"day": day, "resets_at": resets.isoformat(), "budget": budget.budget,
                    "domains": domains})


def unknown_section(settings: Settings) -> Section:
    from yukimap.errors import _rows_text
    from yukimap.sendlog import SendLog

    with SendLog(settings.state_dir) as log:
        waiting = log.unknown()
    lines = [tr("{id}: {label} from {file} ({rows})", id=e.id, label=e.label, file=e.file_name,
                rows=_rows_text(e.rows)) + f": {e.message or tr('outcome unknown')}"
             for e in waiting]
    if waiting:
        lines.append(tr("check each in Yuki, then: yukimap resolve ID --sent (or --not-sent)"))
    data = [{"id": e.id, "label": e.label, "key": e.key, "administration": e.administration,
             "target": e.target, "file": e.file_name, "rows": list(e.rows),
             "message": e.message, "since": e.updated} for e in waiting]
    return Section("awaiting_decision", tr("Awaiting a decision (outcome unknown)"),
                   lines or [tr("none")], data)


def sends_section(settings: Settings) -> Section:
    from yukimap.commands.history import state_counts
    from yukimap.sendlog import SendLog, local_time

    with SendLog(settings.state_dir) as log:
        runs = log.recent(5)
    lines = [tr("run {id} {started}: {file} ({target}): {counts}", id=r["id"],
                started=local_time(str(r["started"])), file=r["file"], target=r["target"],
                counts=state_counts(r["documents"]) or tr("nothing new")) for r in runs]
    return Section("recent_sends", tr("Recent sends (yukimap history for more)"),
                   lines or [tr("nothing sent yet")], runs)


def watch_section(settings: Settings) -> Section:
    from yukimap.watch.report import watch_lines, watch_status

    found = watch_status(settings.state_dir)
    return Section("watch", tr("Hot-folder daemon (yukimap watch)"), watch_lines(found), found)


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
