"""What a send's receipt, or the error it raised, means for the file: archive, fail or wait.

`fate_of` is the one place that maps send's outcomes to a file's fate, so that it is easy to
reconcile with `yukimap send`'s exit codes (0 all in Yuki -> archive; 1 rejected or wrong
-> failed/; 4 try again later -> wait and retry; 5 needs a person -> wait for a decision).
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from yukimap.errors import (
    AccessDenied,
    AmbiguousOutcome,
    BudgetExhausted,
    DailyLimitExceeded,
    DataError,
    DocumentError,
    MappingError,
    NoRights,
    Problem,
    SessionExpired,
    SettingsError,
    SourceError,
    TransientError,
    TryLater,
    UsageError,
    UserError,
    YukiError,
)
from yukimap.i18n import N_, plural, tr
from yukimap.send import ALREADY_SENT, AWAITING, NOT_SENT, Outcome, Receipt, rejected_rows
from yukimap.sendlog import REJECTED, SENT, UNKNOWN
from yukimap.watch.state import when

ARCHIVE, FAIL, WAIT = "archive", "fail", "wait"
# Why a file waits:
RETRY = "retry"  # Yuki unreachable, a transient fault, another send busy: backoff
LIMIT = "limit"  # the daily limit or the local budget: until the reset
PERSON = "person"  # documents whose outcome is unknown: until someone decides
KEY = "key"  # the access key was refused: every file of the key waits


@dataclass(frozen=True)
class Context:
    """What fate_of needs besides the outcome."""

    attempts: int  # tries of this file so far, this one included
    retry_seconds: float
    retry_max_seconds: float
    recheck_seconds: float
    key_retry_seconds: float
    budget_left: int | None  # calls left today for the route's domain (None: unknown)
    resets_at: float  # epoch seconds of the next daily reset
    now: float = field(default_factory=time.time)


@dataclass(frozen=True)
class Fate:
    action: str  # ARCHIVE, FAIL or WAIT
    stage: str  # where it went wrong, in plain English words (an N_ template): a code in
    # the JSON and the log, translated in the notes a person reads
    reason: str  # one line
    details: str = ""  # more lines (problems, Yuki's messages)
    next_step: str = ""  # what a person should do
    wait: str | None = None  # RETRY, LIMIT, PERSON or KEY
    until: float | None = None  # epoch seconds
    rows: tuple[int, ...] = ()  # rows of rejected documents
    # each document with its state; of a big file (more than LISTED), those not in Yuki only
    # (the first LISTED of them): `counts` has every document's state
    documents: tuple[dict[str, Any], ...] = ()
    counts: dict[str, int] = field(default_factory=dict)  # documents per state
    problems: tuple[dict[str, Any], ...] = ()
    calls: int = 0
    error: str | None = None  # the error's class name

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fate:
        """The inverse of to_dict (after a JSON round trip: lists back to tuples)."""
        fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                                  for k, v in data.items()}
        return cls(**fields)


# The documents a fate lists one by one, at most (its JSON is written beside a failed file
# and kept in the daemon's state until the file is moved: a file of 200,000 invoices listed
# them all in 25 MB, and the daemon held 400 MB more to make it)
LISTED = 1000


def fate_of(outcome: Receipt | BaseException, ctx: Context) -> Fate:
    if isinstance(outcome, Receipt):
        return _from_receipt(outcome, ctx)
    return _from_error(outcome, ctx)


def backoff(ctx: Context) -> float:
    """Capped exponential backoff with jitter (half to full), from now."""
    delay = min(ctx.retry_max_seconds, ctx.retry_seconds * 2.0 ** max(ctx.attempts - 1, 0))
    return ctx.now + delay * (0.5 + random.random() / 2)


def _from_receipt(receipt: Receipt, ctx: Context) -> Fate:
    counts = receipt.counts()
    listed: Sequence[Outcome] = receipt.documents
    if len(listed) > LISTED:  # a big file: what a person must see to, not every invoice
        listed = receipt.documents.where(set(counts) - {SENT, ALREADY_SENT}, LISTED)
    documents = tuple({"label": o.label, "state": o.state, "rows": list(o.rows),
                       "message": o.message, "journal_id": o.log_id} for o in listed)
    common: dict[str, Any] = {"documents": documents, "counts": counts,
                              "calls": receipt.calls_used}
    awaiting = counts.get(AWAITING, 0) + counts.get(UNKNOWN, 0)
    if awaiting:
        return Fate(WAIT, N_("sending"),
                    plural(awaiting, "1 document(s) went to Yuki but no answer came back:"
                           " yukimap cannot tell whether Yuki booked them, and never sends"
                           " them again blindly",
                           "{count} document(s) went to Yuki but no answer came back: yukimap"
                           " cannot tell whether Yuki booked them, and never sends them again"
                           " blindly"),
                    details=_listed(receipt, (AWAITING, UNKNOWN)),
                    next_step=tr("check them in Yuki, then decide: `yukimap status` lists"
                                 " them; `yukimap resolve ID --sent` (it is in Yuki) or"
                                 " `--not-sent` (send it). This file goes on by itself once"
                                 " they are decided"),
                    wait=PERSON, until=ctx.now + ctx.recheck_seconds, **common)
    if counts.get(NOT_SENT):
        return _stopped(receipt, ctx, common)
    rejected = counts.get(REJECTED, 0)
    if rejected:
        return Fate(FAIL, N_("sending: Yuki refused documents"),
                    plural(len(receipt.documents), "Yuki refused {refused} of 1 document(s)",
                           "Yuki refused {refused} of {count} document(s)", refused=rejected),
                    details=_listed(receipt, (REJECTED,)), rows=tuple(rejected_rows(receipt)),
                    next_step=tr("the accepted documents are booked and are never sent again."
                                 " Fix the rows Yuki refused (they are in the .rejected file"
                                 " beside this one), then drop that file into the folder"
                                 " again"),
                    error="DocumentRejected", **common)
    sent = counts.get(SENT, 0)
    if not receipt.documents:
        return Fate(ARCHIVE, N_("done"),
                    tr("the file holds no documents (every row was skipped)"), **common)
    if not sent:
        return Fate(ARCHIVE, N_("done"),
                    plural(counts.get(ALREADY_SENT, 0), "nothing new: all 1 document(s) were"
                           " sent before", "nothing new: all {count} document(s) were sent"
                           " before"),
                    details=_listed(receipt, (ALREADY_SENT,)), **common)
    before = counts.get(ALREADY_SENT, 0)
    reason = (plural(sent, "1 document(s) sent to Yuki ({before} sent before)",
                     "{count} document(s) sent to Yuki ({before} sent before)", before=before)
              if before else
              plural(sent, "1 document(s) sent to Yuki", "{count} document(s) sent to Yuki"))
    return Fate(ARCHIVE, N_("done"), reason, **common)


def worth_a_note(fate: Fate) -> bool:
    """Whether an archived file gets a note beside it: when none of its documents was sent
    now (nothing new, or no documents), which a person may want to know."""
    return bool(fate.reason) and not fate.counts.get(SENT) and not any(
        d.get("state") == SENT for d in fate.documents)  # (a fate kept before counts)


def _stopped(receipt: Receipt, ctx: Context, common: dict[str, Any]) -> Fate:
    """Some documents were not sent: the day's calls are used up, or Yuki was unreachable."""
    waiting = receipt.counts().get(NOT_SENT, 0)
    why = receipt.stopped or tr("the run stopped")
    if ctx.budget_left == 0:
        return Fate(WAIT, N_("sending"),
                    plural(waiting, "1 document(s) wait for the daily call limit to reset:"
                           " {why}", "{count} document(s) wait for the daily call limit to"
                           " reset: {why}", why=why),
                    next_step=tr("nothing to do: it goes on by itself"),
                    wait=LIMIT, until=ctx.resets_at, **common)
    return Fate(WAIT, N_("sending"), plural(waiting, "1 document(s) not sent yet: {why}",
                                            "{count} document(s) not sent yet: {why}", why=why),
                next_step=tr("nothing to do: it is tried again by itself"),
                wait=RETRY, until=backoff(ctx), **common)


def _listed(receipt: Receipt, states: Sequence[str], limit: int = 20) -> str:
    chosen = receipt.documents.where(states, limit)
    lines = []
    for outcome in chosen:
        rows = tr(" (rows {rows})", rows=", ".join(map(str, outcome.rows[:10]))
                  ) if outcome.rows else ""
        ident = tr(" [journal entry {id}]", id=outcome.log_id) if outcome.log_id else ""
        message = f": {outcome.message}" if outcome.message else ""
        lines.append(f"{outcome.label}{rows}{ident}{message}")
    counts = receipt.counts()
    more = sum(counts.get(state, 0) for state in states) - len(chosen)
    if more:
        lines.append(tr("... and {count} more", count=more))
    return "\n".join(lines)


_STAGES: tuple[tuple[type[BaseException], str], ...] = (
    (SourceError, N_("reading the file")),
    (MappingError, N_("the mapping")),
    (DataError, N_("mapping the data")),
    (DocumentError, N_("checking the documents against Yuki's rules")),
    (SettingsError, N_("the settings")),
)


def _from_error(exc: BaseException, ctx: Context) -> Fate:
    name = type(exc).__name__
    message = getattr(exc, "message", None) or str(exc) or name
    hint = getattr(exc, "hint", None)
    if isinstance(exc, (AccessDenied, NoRights)):
        return Fate(WAIT, N_("connecting to Yuki"), message,
                    next_step=hint or tr("fix the access key"),
                    wait=KEY, until=ctx.now + ctx.key_retry_seconds, error=name)
    if isinstance(exc, (DailyLimitExceeded, BudgetExhausted)):
        return Fate(WAIT, N_("sending"), message,
                    next_step=tr("nothing to do: it goes on by itself"),
                    wait=LIMIT, until=_epoch(getattr(exc, "resumes_at", None)
                                             or getattr(exc, "resets_at", None), ctx),
                    error=name)
    if isinstance(exc, (TransientError, AmbiguousOutcome, SessionExpired, TryLater,
                        UsageError)):
        # UsageError: today's send raises it when another send holds the journal's lock.
        return Fate(WAIT, N_("sending"), message,
                    next_step=tr("nothing to do: it is tried again by itself"), wait=RETRY,
                    until=backoff(ctx), error=name)
    if isinstance(exc, YukiError) and not isinstance(exc, SettingsError):
        return Fate(WAIT, N_("sending"), tr("Yuki answered with a fault: {message}",
                                            message=message),
                    next_step=tr("it is tried again by itself; if it keeps failing, see the"
                                 " message"), wait=RETRY, until=backoff(ctx), error=name)
    if isinstance(exc, UserError):
        stage = next((s for kind, s in _STAGES if isinstance(exc, kind)),
                     N_("checking the file"))
        return Fate(FAIL, stage, message, details=_problems_text(exc),
                    next_step=_next_step(exc, hint), problems=_problems(exc.problems),
                    error=name)
    if isinstance(exc, OSError):
        return Fate(FAIL, N_("reading the file"), tr("the file cannot be read: {reason}",
                                                     reason=exc),
                    next_step=tr("check the file's permissions, then drop it into the folder"
                                 " again"), error=name)
    return Fate(FAIL, N_("internal error"), tr("yukimap hit an internal error ({name}:"
                                               " {reason})", name=name, reason=exc),
                next_step=tr("this is a bug in yukimap, not in your data: report it with this"
                             " note; then drop the file into the folder again"), error=name)


def _next_step(exc: UserError, hint: str | None) -> str:
    base = hint + ". " if hint else ""
    if isinstance(exc, MappingError):
        return base + tr("Fix the mapping, then move the file from failed/ back into the"
                         " folder")
    return base + tr("Fix the file (or the mapping), then drop it into the folder again")


def _problems_text(exc: UserError) -> str:
    from yukimap.grouping import format_problems

    return format_problems(exc.problems) if exc.problems else ""


def _problems(problems: Sequence[Problem]) -> tuple[dict[str, Any], ...]:
    return tuple({"severity": p.severity, "cause": p.cause, "rows": list(p.where.rows),
                  "column": p.where.column, "line": p.where.line, "key": p.where.key,
                  "value": p.value, "hint": p.hint} for p in problems[:1000])


def _epoch(moment: object, ctx: Context) -> float:
    if isinstance(moment, datetime):
        return moment.timestamp()
    return ctx.resets_at


def empty_file() -> Fate:
    return Fate(FAIL, N_("arrival"), tr("the file is empty (0 bytes)"),
                next_step=tr("export the file again; if the export is really empty, delete"
                             " it"), error="EmptyFile")


# --- the notes a person reads beside the file ------------------------------------------


def failure_note(name: str, fate: Fate, facts: dict[str, Any]) -> str:
    rows = ", ".join(map(str, fate.rows[:50]))
    lines = [tr("yukimap could not book {name} in Yuki.", name=name), "",
             tr("Stage:      {stage}", stage=tr(fate.stage)),
             tr("What:       {reason}", reason=fate.reason)]
    if fate.rows:
        lines.append(tr("Rows:       {rows} (+{more} more)", rows=rows,
                        more=len(fate.rows) - 50) if len(fate.rows) > 50 else
                     tr("Rows:       {rows}", rows=rows))
    if facts.get("rejected_file"):
        lines.append(tr("Rejected rows, ready to fix: {file}", file=facts["rejected_file"]))
    lines.append(tr("Next step:  {step}", step=fate.next_step))
    if fate.details:
        lines += ["", tr("Details:"), *(f"  {line}" for line in fate.details.splitlines())]
    lines += ["", tr("Route {route}: mapping {mapping}, administration {administration}",
                     route=facts["route"], mapping=facts["mapping"],
                     administration=facts["administration"]),
              tr("File: {size} bytes, sha256 {sha256}, arrived {arrived}, failed {at} after"
                 " {attempts} attempt(s).", size=facts["size"], sha256=facts["sha256"],
                 arrived=facts["claimed_at"], at=facts["at"], attempts=facts["attempts"])]
    return "\n".join(lines) + "\n"


def waiting_note(name: str, fate: Fate) -> str:
    until = (tr("Next try:  {moment}", moment=when(fate.until)) if fate.until else
             tr("Next try:  when decided"))
    lines = [tr("{name} is waiting: {reason}", name=name, reason=fate.reason), until,
             tr("What to do: {step}", step=fate.next_step)]
    if fate.details:
        lines += ["", *fate.details.splitlines()]
    return "\n".join(lines) + "\n"


def archive_note(name: str, fate: Fate) -> str:
    lines = [f"{name}: {fate.reason}."]
    if fate.details:
        lines += ["", *fate.details.splitlines()]
    return "\n".join(lines) + "\n"
