"""yukimap status: what yukimap knows locally, without calling Yuki (costs no calls).

The output is a list of sections; later features (e.g. `send`) add theirs to SECTIONS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import click

from yukimap.settings import Settings


@dataclass
class Section:
    title: str
    lines: list[str] = field(default_factory=list)


def settings_section(settings: Settings) -> Section:
    key = settings.access_key
    src = settings.sources
    return Section("Settings", [
        f"Yuki URL:        {settings.base_url}",
        "access key:      " + (f"set (fingerprint {key.fingerprint()}, from"
                               f" {src.get('access_key', '?')})" if key else "not set"),
        f"administration:  {settings.administration or '(none; give one per command)'}",
        f"domain:          {settings.domain or '(none)'}",
        f"state folder:    {settings.state_dir}",
    ])


def calls_section(settings: Settings) -> Section:
    from yukimap.budget import CallBudget, counter_name

    budget = CallBudget(settings.state_dir, settings.daily_budget)
    try:
        usage = budget.usage_today()
        mine = counter_name(settings.domain, settings.access_key)
        if mine and mine not in usage:
            usage[mine] = 0
        resets = budget.resets_at()
        lines = [f"{domain}: {used} used, {max(budget.budget - used, 0)} left of"
                 f" {budget.budget}" + ("  (current key)" if domain == mine else "")
                 for domain, used in sorted(usage.items())]
        for domain in sorted(usage):
            ops = budget.operations_today(domain)
            if ops:
                lines.append(f"  {domain}: " + ", ".join(f"{op} {n}" for op, n in ops.items()))
    finally:
        budget.close()
    if not lines:
        lines = ["no calls today"]
    lines.append(f"the count starts again at midnight Amsterdam time ({resets:%Y-%m-%d %H:%M %Z})")
    return Section(f"Yuki calls today ({budget.today().isoformat()}, Europe/Amsterdam)", lines)


def sends_section(settings: Settings) -> Section:
    from yukimap.sendlog import SendLog

    with SendLog(settings.state_dir) as log:
        runs = log.recent(5)
    lines = [f"run {r['id']} {str(r['started'])[:16].replace('T', ' ')}: {r['file']}"
             f" ({r['target']}): " + (", ".join(f"{k.lower()} {n}" for k, n in
                                               sorted(r["documents"].items()))  # type: ignore[union-attr]
                                     or "nothing new") for r in runs]
    return Section("Recent sends (yukimap history for more)", lines or ["nothing sent yet"])


def unknown_section(settings: Settings) -> Section:
    from yukimap.sendlog import SendLog

    with SendLog(settings.state_dir) as log:
        waiting = log.unknown()
    lines = [f"{e.id}: {e.label} from {e.file_name} (rows {', '.join(map(str, e.rows[:6]))}):"
             f" {e.message or 'outcome unknown'}" for e in waiting]
    if waiting:
        lines.append("check each in Yuki, then: yukimap resolve ID --sent (or --not-sent)")
    return Section("Awaiting a decision (outcome unknown)", lines or ["none"])


def watch_section(settings: Settings) -> Section:
    from yukimap.watch.report import watch_lines, watch_status

    return Section("Hot-folder daemon (yukimap watch)",
                   watch_lines(watch_status(settings.state_dir)))


SECTIONS: list[Callable[[Settings], Section]] = [settings_section, calls_section,
                                                 unknown_section, sends_section, watch_section]


def status_json(settings: Settings) -> dict[str, object]:
    """`status --json`, for monitoring: the calls of today, unknown documents, the daemon."""
    from yukimap.budget import CallBudget
    from yukimap.sendlog import SendLog
    from yukimap.watch.report import watch_status

    budget = CallBudget(settings.state_dir, settings.daily_budget)
    try:
        calls = budget.usage_today()
    finally:
        budget.close()
    with SendLog(settings.state_dir) as log:
        unknown = [e.id for e in log.unknown()]
    return {"calls_today": calls, "budget": settings.daily_budget, "unknown": unknown,
            "watch": watch_status(settings.state_dir)}


def run(json_output: bool = False) -> int:
    from yukimap.settings import load_settings

    settings = load_settings()
    if json_output:
        import json

        click.echo(json.dumps(status_json(settings), indent=2, default=str))
        return 0
    for number, make in enumerate(SECTIONS):
        section = make(settings)
        if number:
            click.echo("")
        click.echo(section.title)
        for line in section.lines:
            click.echo(f"  {line}")
    return 0
