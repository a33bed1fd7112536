"""What a send run did, for people (report.py) and machines (`--receipt`): a Receipt per
file, with an Outcome per document."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Protocol

from yukimap.sendlog import REJECTED

# Outcomes in a receipt, besides the journal's states:
ALREADY_SENT = "ALREADY SENT"  # sent before, skipped
AWAITING = "AWAITING DECISION"  # unknown from before, not resent
NOT_SENT = "NOT SENT"  # the run stopped first (daily limit, no connection)
PLANNED = "WOULD SEND"  # dry run


class Writes(Protocol):
    """Where text is written (a file, standard output)."""

    def write(self, text: str, /) -> object: ...


@dataclass(slots=True)  # one per document: a big file's receipt holds hundreds of thousands
class Outcome:
    """What happened to one document in this run."""

    key: str
    label: str
    rows: Sequence[int]  # spreadsheet numbering (a range, where they follow each other)
    state: str
    message: str | None = None
    yuki_ref: str | None = None
    sent_at: str | None = None
    log_id: int | None = None
    forced: bool = False


@dataclass
class Receipt:
    """The record of one run, for people (report.py) and machines (`--receipt`)."""

    file: str
    sha256: str
    mapping: str
    target: str
    administration: str
    administration_name: str
    dry_run: bool
    started: str
    finished: str = ""
    run_id: int | None = None
    file_seen_before: str | None = None
    documents: list[Outcome] = field(default_factory=list)
    calls_used: int = 0
    calls_left: int | None = None
    calls_planned: int = 0
    stopped: str | None = None  # why the run stopped before the end
    journal: str | None = None  # what was found wrong with the send journal, and done
    summary: Any = field(default=None, repr=False)  # the conversion's Summary

    def to_json(self) -> str:
        text = io.StringIO()
        self.write_json(text)
        return text.getvalue()

    def write_json(self, out: Writes) -> None:
        """The receipt as JSON, written as it is made: a big file's receipt (an outcome a
        document) is never one string in memory."""
        data = {k: v for k, v in self.__dict__.items() if k != "summary"}
        json.dump(data, out, default=_fields, indent=2, ensure_ascii=False)

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for outcome in self.documents:
            found[outcome.state] = found.get(outcome.state, 0) + 1
        return found


def _fields(value: Outcome | range) -> dict[str, Any] | list[int]:
    if isinstance(value, range):
        return list(value)
    return {f.name: getattr(value, f.name) for f in fields(value)}


def rejected_rows(receipt: Receipt) -> list[int]:
    """The spreadsheet rows of the documents Yuki refused."""
    return sorted({r for o in receipt.documents if o.state == REJECTED for r in o.rows})


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
