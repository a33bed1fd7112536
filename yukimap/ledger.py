"""The send journal's ledger: an append-only record of what was sent, next to the journal.

`sends.ledger` in the state folder holds one JSON line per change of a document's state
(SENDING, SENT, REJECTED, UNKNOWN, back to PENDING, a person's decision), each with
everything needed to know the document again: administration, business key, content hash,
label, rows, file. It is written and fsynced before the journal (SQLite) commits the same
change, so it is never behind the journal; lines are numbered (`seq`) and its first line
names the journal it belongs to (a random id that the journal keeps too).

So the journal can be lost, emptied, replaced by an older copy or by another state folder's,
and yukimap still knows what it sent: sendlog compares the two and rebuilds, catches up,
or stops what may be in Yuki already for a person to decide.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from yukimap.errors import UserError
from yukimap.i18n import tr

VERSION = 1
_TAIL = 64 * 1024  # read from the end in steps of this size to find the last line

Record = dict[str, Any]


class LedgerDamaged(UserError):
    """A complete line of the ledger cannot be read: it is not guessed around."""


class Ledger:
    """sends.ledger: one JSON object per line; the first is the header."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def header(self) -> Record | None:
        """The first line, or None when there is no ledger (missing or empty)."""
        try:
            with open(self.path, "rb") as stream:
                first = stream.readline()
        except FileNotFoundError:
            return None
        if not first.endswith(b"\n"):
            return None  # empty, or its first write never finished
        header = self._parse(first, 1)
        if "journal" not in header or header.get("ledger") != VERSION:
            raise self._damaged(1, tr("its first line is not a ledger header"))
        return header

    def last_seq(self) -> int:
        """The number of the last complete line (0: only the header, or no ledger)."""
        last = self._last_line()
        return int(self._parse(last, None).get("seq", 0)) if last else 0

    def records(self, after: int = 0) -> Iterator[Record]:
        """Every complete record numbered above `after`, in order."""
        with open(self.path, "rb") as stream:
            stream.readline()  # the header
            for number, line in enumerate(stream, start=2):
                if not line.endswith(b"\n"):
                    return  # a write that never finished: its change was never committed
                record = self._parse(line, number)
                if int(record.get("seq", 0)) > after:
                    yield record

    def start(self, journal_id: str, stamp: str, records: Iterable[Record]) -> None:
        """A new ledger for `journal_id` holding `records`, in place of any old one. Written
        under a temporary name and renamed, so there is always one whole ledger."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as out:
                out.write(_line({"ledger": VERSION, "journal": journal_id, "created": stamp}))
                out.writelines(_line(record) for record in records)
                _sync(out)
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)
        _sync_folder(self.path.parent)

    def append(self, records: list[Record]) -> None:
        """Add records at the end, on disk (fsync) before this returns."""
        if not records:
            return
        with open(self.path, "r+b") as out:
            out.seek(0, os.SEEK_END)
            end = out.tell()
            keep = self._line_start(out, end)
            if keep != end:  # a line whose write never finished: drop it, or it would
                out.truncate(keep)  # swallow the next one
                out.seek(keep)
            out.write(b"".join(_line(r) for r in records))
            _sync(out)

    # --- reading -----------------------------------------------------------------------

    def _last_line(self) -> bytes | None:
        try:
            with open(self.path, "rb") as stream:
                stream.seek(0, os.SEEK_END)
                end = self._line_start(stream, stream.tell())  # after the last whole line
                start = self._line_start(stream, end - 1)
                if start == 0:
                    return None  # only the header
                stream.seek(start)
                return stream.read(end - start)
        except FileNotFoundError:
            return None

    @staticmethod
    def _line_start(stream: BinaryIO, end: int) -> int:
        """The position after the last newline before `end` (0 if none)."""
        position = end
        while position > 0:
            step = min(_TAIL, position)
            stream.seek(position - step)
            found = stream.read(step).rfind(b"\n")
            if found >= 0:
                return position - step + found + 1
            position -= step
        return 0

    def _parse(self, line: bytes, number: int | None) -> Record:
        try:
            record = json.loads(line)
        except ValueError:
            raise self._damaged(number, tr("a line is not JSON")) from None
        if not isinstance(record, dict):
            raise self._damaged(number, tr("a line is not a record"))
        return record

    def _damaged(self, number: int | None, what: str) -> LedgerDamaged:
        message = (tr("the ledger {path} is damaged at line {line}: {what}; nothing was sent",
                      path=self.path, line=number, what=what) if number else
                   tr("the ledger {path} is damaged at its end: {what}; nothing was sent",
                      path=self.path, what=what))
        return LedgerDamaged(
            message,
            hint=tr("restore it from a backup; or, if the send journal sends.sqlite next to it"
                    " is sound, move the ledger aside (rename it to sends.ledger.damaged) and"
                    " run again: yukimap then writes it again from the send journal"))


def _line(record: Record) -> bytes:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _sync(stream: BinaryIO) -> None:
    stream.flush()
    os.fsync(stream.fileno())


def _sync_folder(folder: Path) -> None:
    """A renamed or new file survives a crash only once its folder is on disk too."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder; its rename is durable by itself
        return
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
