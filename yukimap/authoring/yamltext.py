"""Mapping text as a person would write it: blocks of `key: value`, short fields in flow
style (`{column: Datum}`), comments beside values and above keys, lists of blocks; every
scalar quoted when YAML would read it as anything but the text meant."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_PLAIN = re.compile(r"^[A-Za-z_(][^:#{}\[\],&*!|>'\"@`]*$")
_WORDS = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"}
_NOTE_COLUMN = 34  # where comments beside values start, when the line is shorter
_WIDTH = 100  # a flow mapping longer than this (with its comment) is written as a block


def scalar(text: str) -> str:
    """`text` as a YAML scalar that reads back as exactly this text."""
    plain = (_PLAIN.match(text) and text == text.strip() and text.lower() not in _WORDS
             and not text.endswith(("-", "?")))
    return text if plain else json.dumps(text, ensure_ascii=False)


class Flow(dict[str, "str | Flow"]):
    """A mapping of written values, in flow style where it fits on the line
    ({column: Datum, default: NL}), else as a block."""

    def inline(self) -> str:
        return "{" + ", ".join(f"{key}: {_inline(value)}" for key, value in self.items()) + "}"

    def blocked(self, line: str) -> bool:
        """Written as a block: too long for `line`, or with TODOs to fill in one by one."""
        todos = sum(1 for value in self.values() if value == "TODO")
        return len(line) > _WIDTH or todos > 1 or any(
            isinstance(value, Flow) and value.blocked("") for value in self.values())


def _inline(value: str | Flow) -> str:
    return value.inline() if isinstance(value, Flow) else value


def flow(pairs: dict[str, str | Flow]) -> Flow:
    return Flow(pairs)


@dataclass
class Entry:
    """A key of the mapping: with a written value, a block of entries, or a list of
    blocks; with a comment beside it and comment lines above it (no key: the comment lines
    alone)."""

    key: str
    value: str | Flow | None = None
    children: list[Entry] = field(default_factory=list)
    items: list[list[Entry]] = field(default_factory=list)
    note: str = ""
    above: list[str] = field(default_factory=list)


def render(entries: Iterable[Entry], indent: int = 0, first: str = "") -> list[str]:
    """The lines of `entries` at `indent`; `first` starts the first line (a list's "- ")."""
    lines: list[str] = []
    pad = " " * indent
    for entry in entries:
        above = " " * (len(first) - 2) if first else pad  # a list item's: at its "- "
        lines += [f"{above}# {text}".rstrip() if text else "" for text in entry.above]
        if not entry.key:  # comment lines alone
            continue
        lead = first or pad
        first = ""
        if entry.items:
            lines.append(_noted(f"{lead}{entry.key}:", entry.note))
            for item in entry.items:
                lines += render(item, indent + 4, " " * (indent + 2) + "- ")
        elif entry.value is None:
            lines.append(_noted(f"{lead}{entry.key}:", entry.note))
            lines += render(entry.children, indent + 2)
        elif isinstance(entry.value, Flow) and entry.value.blocked(
                _noted(f"{lead}{entry.key}: {entry.value.inline()}", entry.note)):
            lines.append(_noted(f"{lead}{entry.key}:", entry.note))
            lines += render([Entry(k, v) for k, v in entry.value.items()], indent + 2)
        else:
            lines.append(_noted(f"{lead}{entry.key}: {_inline(entry.value)}", entry.note))
    return lines


def _noted(line: str, note: str) -> str:
    if not note:
        return line
    return f"{line.ljust(_NOTE_COLUMN - 1)} # {note}" if len(line) < _NOTE_COLUMN - 1 \
        else f"{line}  # {note}"
