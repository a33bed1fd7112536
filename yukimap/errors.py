"""The one exception tree of yukimap, and the `Problem` records that user errors carry.

Every failure a user can fix is a `UserError`: the CLI prints it without a traceback and
exits 1. Anything else that escapes is a bug in yukimap (exit 3, with a traceback).
Problems are collected, not raised one by one, so that a user sees every mistake in a
file at once, grouped by cause.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from yukimap.i18n import tr

Severity = Literal["error", "warning"]

# Exit codes, documented in the README; scripts and the hot-folder daemon act on them.
EXIT_OK = 0
EXIT_USER = 1  # the data, the mapping or a setting is wrong: a person must fix it
EXIT_USAGE = 2  # the command line is wrong
EXIT_BUG = 3  # a bug in yukimap
EXIT_LATER = 4  # nothing is wrong, but not now: Yuki's daily limit, the budget, busy, offline
EXIT_DECIDE = 5  # a document's outcome is unknown and waits for a person (`yukimap resolve`)
EXIT_INTERRUPTED = 130


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class Where:
    """Where a problem is: a cell of an input file, a key of a mapping file, or a document."""

    file: str | None = None
    sheet: str | None = None
    rows: tuple[int, ...] = ()  # spreadsheet numbering: the header is row 1 in a plain CSV
    column: str | None = None
    letter: str | None = None  # the column's spreadsheet letter, when known
    line: int | None = None  # 1-based line:col of a YAML node
    col: int | None = None
    key: str | None = None  # key path in a mapping file, e.g. "invoice.Contact.FullName"
    document: str | None = None  # e.g. "invoice XX-1234"

    def short(self) -> str:
        """The part of the location that differs between the problems of one group."""
        parts = []
        if self.document:
            parts.append(self.document)
        if self.rows:
            parts.append(_rows_text(self.rows))
        if self.line is not None and not self.rows:  # with rows, the line is the group's
            parts.append(tr("line {line}:{col}", line=self.line, col=self.col or 1))
        if self.key and self.line is None and not self.rows:
            parts.append(tr("at {key}", key=self.key))
        return ", ".join(parts)


def _rows_text(rows: Sequence[int]) -> str:
    if len(rows) == 1:
        return tr("row {row}", row=rows[0])
    if list(rows) == list(range(rows[0], rows[0] + len(rows))):
        return tr("rows {first}-{last}", first=rows[0], last=rows[-1])
    shown = ", ".join(str(r) for r in rows[:8])
    if len(rows) > 8:
        return tr("rows {rows} (+{more} more)", rows=shown, more=len(rows) - 8)
    return tr("rows {rows}", rows=shown)


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or doubtful) with the user's input.

    `cause` is the same text for every problem of one kind, so problems can be grouped
    ("not a date in the format dd-mm-yyyy"); `value` is the offending value; `hint` says
    how to fix it.
    """

    cause: str
    where: Where = field(default_factory=Where)
    value: str | None = None
    hint: str | None = None
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def at(self, **changes: object) -> Problem:
        return replace(self, where=replace(self.where, **changes))  # type: ignore[arg-type]


class NotInSlices(Exception):
    """A big file cannot be converted a slice at a time with the same outcome as whole (see
    yukimap/sliced.py): the caller converts it whole. Never reaches a user; its argument
    names the reason for a developer ("problems", "encoding", "repeated:__key__")."""


class YukimapError(Exception):
    """Base of every error yukimap raises on purpose."""

    exit_code = 1


class UserError(YukimapError):
    """Something the user can fix: the input file, the mapping, the options."""

    def __init__(
        self, message: str, *, hint: str | None = None, problems: Iterable[Problem] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.problems: list[Problem] = list(problems)


class UsageError(UserError):
    """The command line itself is wrong."""

    exit_code = EXIT_USAGE


class TryLater(UserError):
    """Nothing is wrong with the input, but it cannot be done now (another run holds the
    state folder, the day's calls are used up, Yuki cannot be reached): run it again later."""

    exit_code = EXIT_LATER


class Busy(TryLater):
    """Another yukimap process holds what this one needs (the send journal's lock)."""


class MappingError(UserError):
    """The mapping file cannot be used: YAML syntax, unknown keys, wrong values."""


class SourceError(UserError):
    """The input file cannot be read: encoding, damaged workbook, empty file."""


class EmptyHeaderRow(SourceError):
    """The sheet's row for the column names is empty; `first_text` is the first row with
    text (the hint names it), for a caller that looks there instead (init)."""

    def __init__(self, message: str, *, first_text: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.first_text = first_text


class DataError(UserError):
    """Values in the input file do not fit the mapping; `problems` lists every one."""


class DocumentError(UserError):
    """A rendered document breaks the XSD or one of Yuki's rules."""



# --- Talking to Yuki (issue 5) ---------------------------------------------------------
# Messages of these errors never carry an access key or a session ID: the client redacts
# Yuki's fault texts before it raises, and nothing here formats a credential.


class SettingsError(UserError):
    """Credentials or settings are missing or malformed (environment, config file)."""


class YukiError(UserError):
    """Yuki, or the way to it, did not do what was asked.

    `operation` is the SOAP operation (e.g. "ProcessJournal"); `faultstring` is Yuki's
    own text, already redacted, when Yuki sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        operation: str | None = None,
        faultstring: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.operation = operation
        self.faultstring = faultstring


class AccessDenied(YukiError):
    """Yuki refused the access key ("Invalid access key")."""


class NoRights(YukiError):
    """The access key has no rights for this webservice (Sales, Accounting, ...)."""


class DailyLimitExceeded(YukiError):
    """Yuki's own daily call limit for the domain is used up; `resumes_at` says when it resets."""

    exit_code = EXIT_LATER

    def __init__(self, message: str, *, resumes_at: datetime | None = None,
                 hint: str | None = None, operation: str | None = None,
                 faultstring: str | None = None) -> None:
        super().__init__(message, hint=hint, operation=operation, faultstring=faultstring)
        self.resumes_at = resumes_at  # an aware datetime: the next midnight in Amsterdam


class SessionExpired(YukiError):
    """The session ID is unknown to Yuki or has expired; authenticating again fixes it."""


class DocumentRejected(YukiError):
    """Yuki refused the document; `faultstring` holds Yuki's message."""

    @property
    def yuki_message(self) -> str:
        return self.faultstring or self.message


class BudgetExhausted(YukiError):
    """yukimap's local call budget for today is used up; nothing was sent."""

    exit_code = EXIT_LATER

    def __init__(
        self,
        message: str,
        *,
        domain: str = "",
        used: int = 0,
        budget: int = 0,
        resets_at: datetime | None = None,
        hint: str | None = None,
        operation: str | None = None,
        faultstring: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint, operation=operation, faultstring=faultstring)
        self.domain = domain
        self.used = used
        self.budget = budget
        self.resets_at = resets_at


class TransientError(YukiError):
    """The request never reached Yuki, or Yuki said so before processing it: safe to retry."""

    exit_code = EXIT_LATER


class AmbiguousOutcome(YukiError):
    """The request went out but no usable answer came back: Yuki may or may not have
    processed it. Never retry blindly; reconcile first."""


class UnreadableResponse(AmbiguousOutcome):
    """An answer came back but cannot be read safely (not XML, hostile XML, too large)."""


class YukiFault(YukiError):
    """Any other SOAP fault from Yuki."""
