"""What a send run did, for people (report.py) and machines (`--receipt`): a Receipt per
file, with an Outcome per document."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Protocol, overload

from yukimap.send.ondisk import anonymous, rows_of, rows_text
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


class Outcomes(Sequence[Outcome]):
    """A receipt's outcomes, in order: in memory while they are few, then on disk
    (`ondisk`), so that the receipt of a file of millions of documents is not held."""

    def __init__(self, outcomes: Iterable[Outcome] = ()) -> None:
        self._db: sqlite3.Connection | None = None
        self._new: list[Outcome] = []  # not yet on disk (all of them, while few)
        self._count = 0
        for outcome in outcomes:
            self.append(outcome)

    def append(self, outcome: Outcome) -> None:
        self._new.append(outcome)
        self._count += 1
        if len(self._new) >= _IN_MEMORY:
            self._flush()

    def _flush(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = anonymous(f"CREATE TABLE outcome ({', '.join(_COLUMNS)})")
        self._db.executemany(f"INSERT INTO outcome VALUES ({', '.join('?' * len(_COLUMNS))})",
                             [(o.key, o.label, rows_text(o.rows), o.state, o.message,
                               o.yuki_ref, o.sent_at, o.log_id, o.forced) for o in self._new])
        self._new = []
        return self._db

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Outcome: ...

    @overload
    def __getitem__(self, index: slice) -> list[Outcome]: ...

    def __getitem__(self, index: int | slice) -> Outcome | list[Outcome]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if not -self._count <= index < self._count:
            raise IndexError(index)
        if self._db is None:
            return self._new[index]
        return self._read("rowid = ?", (index % self._count + 1,))[0]

    def __iter__(self) -> Iterator[Outcome]:
        if self._db is None:
            yield from list(self._new)
            return
        for first in range(0, self._count, _READ):
            yield from self._read("rowid > ? AND rowid <= ?", (first, first + _READ))

    def where(self, states: Collection[str], limit: int | None = None) -> list[Outcome]:
        """The outcomes in these states, in order (the first `limit`)."""
        if self._db is None:
            return [o for o in self._new if o.state in states][:limit]
        marks = ", ".join("?" * len(states))
        return self._read(f"state IN ({marks})", (*states,), limit)

    def counts(self) -> dict[str, int]:
        """How many outcomes each state has, in the order the states first come."""
        if self._db is None:
            found: dict[str, int] = {}
            for outcome in self._new:
                found[outcome.state] = found.get(outcome.state, 0) + 1
            return found
        rows = self._flush().execute("SELECT state, COUNT(*) FROM outcome GROUP BY state"
                                     " ORDER BY MIN(rowid)")
        return {str(state): int(count) for state, count in rows}

    def _read(self, where: str, values: tuple[Any, ...], limit: int | None = None
              ) -> list[Outcome]:
        rows = self._flush().execute(f"SELECT {', '.join(_COLUMNS)} FROM outcome WHERE {where}"
                                     f" ORDER BY rowid LIMIT {-1 if limit is None else limit}",
                                     values)
        return [Outcome(key, label, rows_of(text), state, message, ref, sent, log_id,
                        bool(forced))
                for key, label, text, state, message, ref, sent, log_id, forced in rows]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"Outcomes({self._count} documents)"


_COLUMNS = tuple(f.name for f in fields(Outcome))
_IN_MEMORY = 1000  # outcomes a receipt holds before it puts them on disk
_READ = 1000  # outcomes read back at a time


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
    documents: Outcomes = field(default_factory=Outcomes)
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
        document) is never one string in memory, nor its outcomes a list."""
        data = {k: v for k, v in self.__dict__.items() if k != "summary"}
        data["documents"] = _HERE
        head, tail = json.dumps(data, indent=2, ensure_ascii=False).split(json.dumps(_HERE))
        out.write(head)
        out.write("[" if self.documents else "[]")
        for number, outcome in enumerate(self.documents):
            out.write(("\n" if number == 0 else ",\n") + _outcome_text(outcome))
        out.write("\n  ]" + tail if self.documents else tail)

    def counts(self) -> dict[str, int]:
        return self.documents.counts()


_HERE = "\0documents\0"  # where the outcomes go in the receipt's JSON


def _outcome_text(outcome: Outcome) -> str:
    """A document's JSON where it stands in the receipt (two levels deep), as
    `json.dumps(indent=2, ensure_ascii=False)` writes it, made here (json's indenting
    encoder is pure Python, and took 5.7 s for a receipt of 200,000 documents)."""
    pad = "      "
    return "    {\n" + ",\n".join(f'{pad}"{name}": {_json(getattr(outcome, name), pad)}'
                                  for name in _NAMES) + "\n    }"


_NAMES = [f.name for f in fields(Outcome)]
_TEXT = json.encoder.encode_basestring  # json's own (C) for a text, ensure_ascii=False


def _json(value: object, pad: str) -> str:
    """An outcome's value as json writes it at the indentation `pad`."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, str):
        return _TEXT(value)
    if isinstance(value, range | list | tuple):
        inner = pad + "  "
        return "[\n" + ",\n".join(inner + _json(v, inner) for v in value) + f"\n{pad}]" \
            if value else "[]"
    raise TypeError(f"an outcome holds a {type(value).__name__}")  # i18n: a bug


def rejected_rows(receipt: Receipt) -> list[int]:
    """The spreadsheet rows of the documents Yuki refused."""
    return sorted({r for o in receipt.documents.where((REJECTED,)) for r in o.rows})


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
