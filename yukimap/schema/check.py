"""The checker: a YAML value against a table of keys, every problem collected with its
line:column and key path, the allowed keys and the nearest name.

Not tied to the mapping file: any YAML format whose keys are a table of `Key`s is checked
with `check_map` and these scalar checks (the hot folder's config is one).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Any

from yukimap.errors import Problem
from yukimap.i18n import tr
from yukimap.yamlsrc import KeyPath, Located

# A value as the YAML loader gives it (text, bool, None, list or dict), before it is checked;
# a check returns the checked value, or INVALID once it has said what is wrong.
Yaml = Any


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


@dataclass
class Ctx:
    """One file being checked: its located YAML and the problems found so far."""

    doc: Located
    problems: list[Problem] = field(default_factory=list)

    def fail(self, path: KeyPath, cause: str, hint: str | None = None, value: Any = None) -> Any:
        shown = None if value is None else str(value)
        self.problems.append(Problem(cause, self.doc.where(path), shown, hint))
        return INVALID


Check = Callable[[Yaml, KeyPath, Ctx], Any]


@dataclass(frozen=True)
class Key:
    """One key of a table: its check, whether it must be given, its default and what it is."""

    name: str
    check: Check
    required: bool = False
    default: Any = None
    doc: str = ""


# --- scalar checks ----------------------------------------------------------------------


def anything(value: Yaml, path: KeyPath, ctx: Ctx) -> Any:
    """Taken as it is: checked later, where its meaning is known."""
    return value


def text(value: Yaml, path: KeyPath, ctx: Ctx) -> Any:
    if isinstance(value, (dict, list)) or value is None:
        return ctx.fail(path, tr("expected a text value"), value=shown(value))
    return as_text(value)


def as_text(value: Yaml) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def shown(value: Yaml) -> str:
    if isinstance(value, dict):
        return "{...}"
    if isinstance(value, list):
        return "[...]"
    return tr("(empty)") if value is None else str(value)


@dataclass(frozen=True)
class Whole:
    """A whole number from `minimum` to `maximum` (None: no upper bound); its bounds are
    data, for the JSON Schema and the reference."""

    minimum: int = 0
    maximum: int | None = None

    def __call__(self, value: Yaml, path: KeyPath, ctx: Ctx) -> Any:
        if isinstance(value, bool) or not re.fullmatch(r"\d+", str(value).strip()):
            return ctx.fail(path, tr("expected a whole number"), value=shown(value))
        number = int(str(value))
        if number < self.minimum or (self.maximum is not None and number > self.maximum):
            if self.maximum is not None:
                cause = tr("expected a number from {minimum} to {maximum}", minimum=self.minimum,
                           maximum=self.maximum)
            else:
                cause = tr("expected a number from {minimum} or more", minimum=self.minimum)
            return ctx.fail(path, cause, value=number)
        return number


def whole(minimum: int = 0, maximum: int | None = None) -> Check:
    return Whole(minimum, maximum)


def flag(value: Yaml, path: KeyPath, ctx: Ctx) -> Any:
    if isinstance(value, bool):
        return value
    return ctx.fail(path, tr("expected true or false"), value=shown(value))


@dataclass(frozen=True)
class OneOf:
    """One of a few words; the words are data, for the JSON Schema and the reference."""

    choices: tuple[str, ...]

    def __call__(self, value: Yaml, path: KeyPath, ctx: Ctx) -> Any:
        if isinstance(value, str) and value in self.choices:
            return value
        return ctx.fail(path, tr("expected one of {choices}", choices=", ".join(self.choices)),
                        nearest(value, self.choices), value=shown(value))


def one_of(*choices: str) -> Check:
    return OneOf(choices)


def mark(value: Yaml, path: KeyPath, ctx: Ctx) -> Any:
    if value in (".", ",", " ", "'"):
        return value
    return ctx.fail(path, tr("expected '.', ',', ' ' or \"'\""), value=shown(value))


def delimiter(value: Yaml, path: KeyPath, ctx: Ctx) -> Any:
    value = {"tab": "\t", "\\t": "\t"}.get(str(value).lower(), value)
    if isinstance(value, str) and len(value) == 1:
        return value
    return ctx.fail(path, tr("expected one character, e.g. \";\", \",\" or tab"),
                    value=shown(value))


def text_list(value: Yaml, path: KeyPath, ctx: Ctx) -> Any:
    items = value if isinstance(value, list) else [value]
    out = [text(item, path + (i,), ctx) for i, item in enumerate(items)]
    return INVALID if INVALID in out else tuple(out)


def date_formats(value: Yaml, path: KeyPath, ctx: Ctx) -> Any:
    formats = text_list(value, path, ctx)
    if formats is INVALID:
        return INVALID
    for fmt in formats:
        if "%" not in fmt:
            return ctx.fail(path, tr("a date format uses codes like %d-%m-%Y"), value=fmt,
                            hint=tr('for 31-01-2024 write "%d-%m-%Y"; for 01/31/24 "%m/%d/%y"'))
    return formats


def sheet(value: Yaml, path: KeyPath, ctx: Ctx) -> Any:
    if isinstance(value, str) and value.strip().isdigit():
        return whole(1)(value, path, ctx)
    return text(value, path, ctx)


def nearest(value: Yaml, choices: Sequence[str]) -> str | None:
    near = get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
    return tr("did you mean '{name}'?", name=near[0]) if near else None


# --- maps of keys -----------------------------------------------------------------------


def check_map(value: Yaml, path: KeyPath, ctx: Ctx, keys: Sequence[Key], what: str,
              extra: str = "") -> Any:
    """The checked values of a YAML map by key name, defaults filled in; or INVALID when it
    is not a map. Unknown keys are reported, and checking goes on to find every other
    problem. `what` names the map in the user's language ("the mapping", "source")."""
    if not isinstance(value, dict):
        return ctx.fail(path, tr("{what} must be a set of 'key: value' lines", what=what),
                        value=shown(value))
    names = [k.name for k in keys]
    for name in value:
        if name not in names:
            unknown_key(ctx, path + (name,), name, names, what, extra)
    out: dict[str, Any] = {}
    for key in keys:
        if key.name in value:
            checked = key.check(value[key.name], path + (key.name,), ctx)
            # A wrong optional value is reported once; the rest is checked as if it were
            # not given, so INVALID never reaches a message or a computation.
            out[key.name] = key.default if checked is INVALID and not key.required else checked
        elif key.required:
            ctx.fail(path, tr("{what} needs the key '{key}'", what=what, key=key.name),
                     hint=tr(key.doc) if key.doc else None)
            out[key.name] = INVALID
        else:
            out[key.name] = key.default
    return out


def unknown_key(ctx: Ctx, path: KeyPath, name: Yaml, allowed: list[str], what: str,
                extra: str) -> None:
    near = nearest(name, allowed)
    listing = tr("allowed here: {keys}", keys=", ".join(allowed))
    hint = f"{near} ({listing})" if near else listing
    ctx.fail(path, tr("unknown key '{name}' in {what}{extra}", name=name, what=what, extra=extra),
             hint)
