"""A problem as one line of text for the page, in the user's language.

The page shows each problem's location itself (the mapping's line, the file's cell), so the
text is the cause and the value. The Dutch message catalogue plugs in here: this is the one
function the page's problem texts come from.
"""

from __future__ import annotations

from yukimap.errors import Problem

SHOWN_CHARS = 80  # of a value, as the command line's report shows it


def cause(text: str, language: str = "en") -> str:
    """A cause that several problems share ('not a date in the format dd-mm-yyyy')."""
    return text


def describe(problem: Problem, language: str = "en") -> str:
    """'not a date in the format dd-mm-yyyy: '31-13-2024''."""
    if problem.value is None:
        return cause(problem.cause, language)
    value = problem.value
    shown = value if len(value) <= SHOWN_CHARS else value[: SHOWN_CHARS - 3] + "…"
    return f"{cause(problem.cause, language)}: {shown!r}"
