"""What a send run has to do: each document with its business key and what the journal
knows of it, and the calls that carry the documents due.

The plan is kept on disk (`ondisk`, one row a document, in the order of the files and of
their documents), and read a thousand documents at a time: a run of millions of documents
holds a thousand of them, whatever its files' size."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from yukimap.send.ondisk import anonymous, rows_of, rows_text
from yukimap.send.receipt import ALREADY_SENT, AWAITING, NOT_SENT, Receipt
from yukimap.send.source import Source
from yukimap.sendlog import PENDING, REJECTED, SENDING, SENT, UNKNOWN, Entry, SendLog
from yukimap.targets import target_of


@dataclass(eq=False, slots=True)  # a document is itself, never compared by value
class Planned:
    """A document of a file, with its business key, and what the journal knows of it."""

    id: int  # its row in the plan
    at: int  # its place among the file's documents
    label: str
    stored_rows: str  # its rows as the plan stores them (read when asked for: `rows`)
    key: str
    content: str  # a hash of its values: the key of a document without a reference
    reference: str | None
    file: FileRun
    due: bool = False  # this run sends it
    entry: Entry | None = None
    log_id: int | None = None

    @property
    def rows(self) -> Sequence[int]:
        """Its spreadsheet rows (a range, where they follow each other)."""
        return rows_of(self.stored_rows)

    @property
    def run_id(self) -> int:
        assert self.file.receipt.run_id is not None, "a run starts before it sends"  # i18n: a bug
        return self.file.receipt.run_id


@dataclass(eq=False)  # a file is itself, whatever its contents: a key of dicts
class FileRun:
    """One file of a send run: its documents (`source`) and its receipt."""

    path: Path
    source: Source
    receipt: Receipt
    digest: str
    size: int
    number: int = -1  # its place among the run's files (in the plan)
    file_id: int | None = None

    @property
    def name(self) -> str:
        return self.path.name


class Plan:
    """The documents of a run's files, one row each, on disk."""

    def __init__(self) -> None:
        self._db = anonymous(_SCHEMA)
        self.files: list[FileRun] = []

    def close(self) -> None:
        self._db.close()

    def add(self, run: FileRun) -> None:
        """Each document of the file with its business key (a sales invoice by its number,
        any other document by a hash of its content)."""
        run.number = len(self.files)
        self.files.append(run)
        target = target_of(run.source.mapping)
        described = enumerate(run.source.described())
        while chunk := list(islice(described, _CHUNK)):
            self._db.executemany(
                "INSERT INTO doc (file, at, label, rows, key, content, reference)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(run.number, at, found.label, rows_text(found.rows),
                  target.business_key(found.reference, found.content), found.content,
                  found.reference) for at, found in chunk])

    def chunks(self, files: Collection[FileRun], where: str = "1") -> Iterator[list[Planned]]:
        """The documents of `files` (that meet `where`), in order, a thousand at a time."""
        last, numbers = 0, _numbers(files)
        while True:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM doc WHERE id > ? AND file IN ({numbers}) AND {where}"
                f" ORDER BY id LIMIT {_CHUNK}", (last,)).fetchall()  # none open while it changes
            if not rows:
                return
            last = rows[-1][0]
            yield [Planned(id, at, label, text, key, content, reference,
                           self.files[file], bool(due), log_id=log_id)
                   for id, file, at, label, text, key, content, reference, due, log_id in rows]

    def due(self, files: Collection[FileRun]) -> Iterator[list[Planned]]:
        return self.chunks(files, "due")

    def looked_up(self, journal: SendLog, administration: str, files: Collection[FileRun],
                  where: str = "1") -> Iterator[list[Planned]]:
        """The documents of `files` (that meet `where`), each with what the journal knows
        of it now."""
        for chunk in self.chunks(files, where):
            known = journal.lookup(administration, [i.key for i in chunk])
            for item in chunk:
                item.entry = known.get(item.key)
            yield chunk

    def choose(self, chunks: Iterable[list[Planned]], sends: Callable[[Planned], bool]) -> None:
        """Which documents of `chunks` this run sends now (`sends`), and no other (a run
        sends its files in waves; `render_all` makes their calls anew). Those the journal
        has as UNKNOWN are marked so (`unknown`): the run looks them up in Yuki."""
        self._set("due = 0, unknown = 0")
        for chunk in chunks:
            self._set("due = 1", [i.id for i in chunk if sends(i)])
            self._set("unknown = 1", [i.id for i in chunk if i.entry and i.entry.state == UNKNOWN])

    def count_due(self, files: Collection[FileRun]) -> int:
        return int(self._db.execute(f"SELECT COUNT(*) FROM doc WHERE due AND file IN"
                                    f" ({_numbers(files)})").fetchone()[0])

    def files_due(self, files: Collection[FileRun]) -> list[FileRun]:
        """The files of `files` with documents this run sends."""
        return [run for run in files if self._db.execute(
            "SELECT 1 FROM doc WHERE due AND file = ? LIMIT 1", (run.number,)).fetchone()]

    def batches(self, files: Collection[FileRun], step: int) -> Iterator[list[Planned]]:
        """The documents due of `files`, `step` to a call (a call may span files)."""
        batch: list[Planned] = []
        for chunk in self.due(files):
            for item in chunk:
                batch.append(item)
                if len(batch) == step:
                    yield batch
                    batch = []
        if batch:
            yield batch

    def put_in_call(self, batch: Sequence[Planned], number: int) -> None:
        self._set(f"call = {int(number)}", [i.id for i in batch])

    def uncalled(self) -> None:
        """No document is in a call (yet)."""
        self._set("call = NULL")

    def call(self, number: int) -> list[Planned]:
        """The documents of a call, in order."""
        return [i for chunk in self.chunks(self.files, f"call = {int(number)}") for i in chunk]

    def called(self) -> Iterator[list[Planned]]:
        return self.chunks(self.files, "call IS NOT NULL")

    def registered(self, ids: dict[int, int]) -> None:
        """Each document's entry in the journal (by its row in the plan)."""
        self._db.executemany("UPDATE doc SET log_id = ? WHERE id = ?",
                             [(log, id) for id, log in ids.items()])

    def shares_keys(self, run: FileRun, others: Collection[FileRun]) -> bool:
        """Whether a document of `run` has the business key of one of `others`."""
        return self._db.execute(
            f"SELECT 1 FROM doc a WHERE a.file = ? AND EXISTS (SELECT 1 FROM doc b WHERE"
            f" b.key = a.key AND b.file IN ({_numbers(others)})) LIMIT 1",
            (run.number,)).fetchone() is not None

    def _set(self, change: str, ids: Sequence[int] | None = None) -> None:
        """`change` to the documents of `ids` (None: to every document)."""
        if ids is None:
            self._db.execute(f"UPDATE doc SET {change}")
            return
        for first in range(0, len(ids), 500):
            chunk = ids[first:first + 500]
            self._db.execute(f"UPDATE doc SET {change} WHERE id IN"
                             f" ({', '.join('?' * len(chunk))})", chunk)


_SCHEMA = """
CREATE TABLE doc (id INTEGER PRIMARY KEY, file INTEGER NOT NULL, at INTEGER NOT NULL,
                  label TEXT NOT NULL, rows TEXT NOT NULL, key TEXT NOT NULL,
                  content TEXT NOT NULL, reference TEXT, due INTEGER NOT NULL DEFAULT 0,
                  unknown INTEGER NOT NULL DEFAULT 0,
                  call INTEGER, log_id INTEGER);
CREATE INDEX doc_key ON doc (key);
CREATE INDEX doc_call ON doc (call);
"""
_COLUMNS = "id, file, at, label, rows, key, content, reference, due, log_id"
_CHUNK = 1000  # documents read, looked up and written at a time


def _numbers(files: Collection[FileRun]) -> str:
    return ", ".join(str(run.number) for run in files)


def sends(item: Planned, force: bool) -> bool:
    """Whether this run sends the document."""
    state = item.entry.state if item.entry else None
    if state in (None, PENDING, REJECTED):
        return True
    return force and state == SENT


def skip_state(entry: Entry | None) -> str:
    """The receipt's word for a document this run does not send (the journal's `entry`)."""
    state = entry.state if entry else None
    if state == SENT:
        return ALREADY_SENT
    if state in (UNKNOWN, SENDING):
        return AWAITING
    return state or NOT_SENT


def waves(plan: Plan, files: Sequence[FileRun]) -> list[list[FileRun]]:
    """The files in order, cut wherever a file holds a document an earlier file of its wave
    holds too (a re-export beside the export it repeats): a wave's documents are each sent
    once, and the next wave finds what the earlier one sent in the journal."""
    found: list[list[FileRun]] = []
    for run in files:
        if not found or plan.shares_keys(run, found[-1]):
            found.append([])
        found[-1].append(run)
    return found


def calls_needed(documents: int, step: int) -> int:
    """The calls that carry `documents`, `step` to a call."""
    return -(-documents // step)
