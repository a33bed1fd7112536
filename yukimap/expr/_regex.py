"""Regular expressions on RE2, which takes linear time whatever the pattern and the text,
and regex_replace() with Python's replacement syntax."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Protocol

from yukimap.expr._values import Env, ExprError, Value, _check_length, _str, _text_result
from yukimap.i18n import N_, tr

RE2_HINT = N_("yukimap's regular expressions (RE2) have no back-references (\\1) or"
              " look-arounds ((?=...)), so that no pattern can make it hang")


class Match(Protocol):
    """What yukimap uses of an RE2 match."""

    def start(self) -> int: ...
    def end(self) -> int: ...
    def __getitem__(self, group: int | str, /) -> str | None: ...


class Regex(Protocol):
    """What yukimap uses of a pattern compiled by RE2."""

    @property
    def groups(self) -> int: ...
    @property
    def groupindex(self) -> Mapping[str, int]: ...
    def search(self, text: str, /) -> Match | None: ...
    def finditer(self, text: str, /) -> Iterator[Match]: ...


def compile_regex(pattern: str, ignore_case: bool = False) -> Regex:
    """`pattern` compiled by RE2; an ExprError says why RE2 cannot take it."""
    import re2  # only a mapping with a pattern needs it: a few ms of every start-up

    options = re2.Options()
    options.log_errors = False  # RE2 would print its own message on stderr
    options.case_sensitive = not ignore_case
    try:
        regex: Regex = re2.compile(pattern, options)
        return regex
    except re2.error as exc:
        reason = exc.args[0].decode(errors="replace") if exc.args else "invalid"
        raise ExprError(tr("not a valid regular expression: {reason}", reason=reason),
                        tr(RE2_HINT), pattern) from None


# A replacement text: pieces of text, each followed by a group reference (or None).
Template = tuple[tuple[str, int | str | None], ...]
_TEMPLATE = re.compile(r"\\(?:(\d{1,2})|g<([^>]*)>|(.)|$)", re.DOTALL)
_ESCAPES = {"\\": "\\", "n": "\n", "t": "\t"}


@lru_cache(maxsize=256)
def _substitution(pattern: str, replacement: str) -> tuple[Regex, Template]:
    regex = compile_regex(pattern)
    return regex, _template(replacement, regex)


def _template(replacement: str, regex: Regex) -> Template:
    """Python's replacement syntax: \\1 or \\g<name> for a group, \\\\ for a backslash."""
    pieces: list[tuple[str, int | str | None]] = []
    text, end = "", 0
    for found in _TEMPLATE.finditer(replacement):
        text += replacement[end:found.start()]
        end = found.end()
        number, name, other = found.groups()
        if other is not None or (number, name) == (None, None):
            if other not in _ESCAPES:
                raise ExprError(tr("regex_replace(): the replacement has a backslash that is"
                                   " not a group"),
                                tr("write \\1 or \\g<name> for a group, \\\\ for a backslash"),
                                replacement)
            text += _ESCAPES[other]
            continue
        pieces.append((text, _group(number, name, regex, replacement)))
        text = ""
    pieces.append((text + replacement[end:], None))
    return tuple(pieces)


def _group(number: str | None, name: str | None, regex: Regex, replacement: str) -> int | str:
    key: int | str = int(number) if number is not None else str(name)
    if isinstance(key, str) and key.isdigit():
        key = int(key)
    if key in regex.groupindex or (isinstance(key, int) and key <= regex.groups):
        return key
    cause = (tr("regex_replace(): the replacement refers to group {group}, but the pattern has"
                " {count}", group=key, count=regex.groups) if isinstance(key, int) else
             tr("regex_replace(): the replacement refers to group '{group}', which the pattern"
                " does not name", group=key))
    raise ExprError(cause, tr("groups are numbered from 1 by their '('; \\g<name> names one"),
                    replacement)


def _regex_replace(env: Env, value: Value, pattern: Value, replacement: Value) -> str:
    regex, template = _substitution(_str(pattern), _str(replacement))
    text = _str(value)
    out: list[str] = []
    size = end = 0
    for match in regex.finditer(text):
        piece = text[end:match.start()] + _expand(template, match)
        size += len(piece)
        _check_length(size)  # as it grows: each match can add the whole replacement
        out.append(piece)
        end = match.end()
    out.append(text[end:])
    return _text_result("".join(out))


def _expand(template: Template, match: Match) -> str:
    return "".join(literal + ("" if group is None else match[group] or "")
                   for literal, group in template)
