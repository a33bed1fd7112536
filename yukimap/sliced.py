"""A big file converted a slice of documents at a time, in memory that does not grow with it.

The reader gives the file's rows a slice at a time (read.read_slices); the rows of the
slice's last document wait for the next slice, so that a document is always whole; each
slice is mapped and checked by the same stages as a whole file, and its documents are
rendered and validated as they come, into one temporary file, renamed into place only when
the whole file has passed. What spans the file is kept small and checked at the end: the
summary, merged slice by slice, and the hashes of the document keys and of the values that
must be unique in a file (sales invoice numbers). Documents that go one per call (journals
per group) are each rendered into a file of their own, all renamed into place at the end.

A file that is one document (a journal of the whole file) spans the slices instead: its own
fields are the first slice's (the whole file takes them from its first row), its items come
from every slice in turn as the template goes through them, each slice is checked by the
rules that hold for any part of it, and what holds across them (a journal's balance per
date) is added up and checked at the end (the target's `Spanning`); where it does not hold,
the slices are read again for the rows it names, and it is told as the whole file tells it.

The outcome must be exactly what converting the file whole gives. Where that cannot be
promised, or where the reader or the validator refuses, `NotInSlices` ends the attempt and
the caller converts the file whole, which says it with every row in its place. A file with
problems is answered from its slices: the documents that have them (their rows only, a
document being whole in a slice) are kept and converted whole at the end, which says the
problems in the order and words of the whole file; the slices must have found the same, or
the whole file answers. From the first slice with an error on, nothing more is rendered and
the rest is read for its problems only; warnings are told to the caller (`Warned`) before
the file is written.

`yukimap send` takes each slice as it is mapped and checked (`map_in_slices`), nothing
rendered: it keeps the slices on disk and renders them call by call (send/source.py).

A preview (`preview_in_slices`) reads the slices the same way and renders nothing: it keeps
the first documents as the slices map them (of one that spans the file, its first items and
what the preview adds up over all of them), and answers with the summary, the warnings and
the problems as a conversion would. `yukimap explain` takes the one slice that holds its
document (`document_slice`), where no other slice has its rows.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Executor
from contextlib import ExitStack, closing, contextmanager, suppress
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import polars as pl

from yukimap.atomic import publish, temporary
from yukimap.errors import DataError, NotInSlices, Problem, UserError
from yukimap.frames import DOC, KEY, ROW, ROWS, Mapped, Table, Tally
from yukimap.i18n import tr
from yukimap.limits import slice_bytes
from yukimap.mapping import map_table
from yukimap.mapping.context import file_locale
from yukimap.model import Mapping
from yukimap.output import alone, by_itself, render_validated
from yukimap.pipeline import ConversionResult, Stage, beyond, convert_table, quiet, units_of
from yukimap.read import read_slices
from yukimap.regroup import regrouped, spill_folder
from yukimap.render import Deadline, Lone, Page, contexts, pages, spanning_context
from yukimap.render.failures import OverBound
from yukimap.resources import schema_path
from yukimap.summary import Roundings, Span, Summary, Totals
from yukimap.targets import Across, Rules, Target, rounding_causes, target_of
from yukimap.usage import Gathered
from yukimap.validate.xsd import PROCESS_FROM_ITEMS, prestart, validators

# The rows of a file's documents with problems, kept to be converted whole at the end: beyond
# these, much of the file has something to say, and the whole file says it.
KEPT_ROWS = 50_000

# Told a file's warnings, as the whole file says them, before it is written: whether to write
# it (False: nothing is written, as --strict wants). Without one, warnings are the whole file's.
Warned = Callable[[list[Problem]], bool]


@dataclass(frozen=True)
class Previewed:
    """A big file's first documents, as its whole conversion maps them, and its summary."""

    summary: Summary
    documents: pl.DataFrame  # the first documents (DOC, KEY, ROWS, their fields)
    items: pl.DataFrame  # their items
    # of one document that spans the file: its items (of which `items` holds the first
    # only), and what the caller's `added` gave for all of them, added up
    spanning: tuple[int, list[Decimal]] | None = None


Added = Callable[[pl.DataFrame], list[Decimal]]  # what a preview adds up over some items


Done = TypeVar("Done")


class _Scattered(NotInSlices):
    """A document's rows are in more than one slice: the file's rows are put together by
    document on disk (yukimap/regroup.py), and the slices tried again, once."""


class _Answered(Exception):
    """The file's problems, said as the whole file says them (`error`)."""

    def __init__(self, error: DataError) -> None:
        super().__init__(error.message)
        self.error = error


def convert_in_slices(path: str | Path, mapping: Mapping, out: Path | None,
                      stage: Stage = quiet, warned: Warned | None = None,
                      durable: bool = True, used: Gathered | None = None) -> Summary | None:
    """Convert `path` into the file `out` (None: only check, the dry run) a slice at a time,
    and return its summary, or raise DataError with every problem of its data; None, with
    nothing written, when the file must be converted whole (too small to need slices, or
    anything the slices cannot say as the whole says). `durable`: `out` synced to the disk
    (not a scratch file that is printed and removed). `used` gathers what the documents use
    in the administration (for pre-flight)."""
    return _in_slices(path, mapping, stage, warned,
                      lambda run, tables: run.converted(tables, Path(path), out, durable),
                      used)


def preview_in_slices(path: str | Path, mapping: Mapping, limit: int, lines: int,
                      added: Added, stage: Stage = quiet,
                      warned: Warned | None = None) -> Previewed | None:
    """What `yukimap preview` shows of a big file, read a slice at a time, as the whole file
    shows it: its first `limit` documents mapped and checked, with their items (of one
    document that spans the file, its first `lines` items, how many it has and what `added`
    gives over all of them), and its summary (or DataError), its warnings told to
    `warned`; nothing rendered. None when the file must be read whole."""
    return _in_slices(path, mapping, stage, warned,
                      lambda run, tables: run.previewed(tables, limit, lines, added))


def map_in_slices(path: str | Path, mapping: Mapping,
                  start: Callable[[], Callable[[Mapped], None]],
                  stage: Stage = quiet, used: Gathered | None = None) -> Summary | None:
    """A big file's slices mapped and checked as `convert` checks them, nothing rendered
    (what `yukimap send` renders later, call by call): each slice of whole documents handed
    to the function `start` gives for this reading of the file (a second reading, of rows
    put together by document, starts again), and the file's summary, or DataError with
    every problem of its data; `used` gathers what the documents use (as
    `convert_in_slices`). None when the file must be converted whole (as
    `convert_in_slices`; also one document that spans the file, which goes in one call)."""
    if _spans(mapping):
        return None
    return _in_slices(path, mapping, stage, lambda warnings: True,
                      lambda run, tables: run.mapped(tables, start()), used)


def document_slice(path: str | Path, mapping: Mapping, reference: str | None,
                   row: int | None) -> tuple[Table, Mapping] | None:
    """For `yukimap explain` of a big file, in memory that does not grow with it: the slice
    that holds the document `reference` names (or the one spreadsheet row `row` is part
    of), whole, and the mapping with the decimal mark the whole file settles. None when the
    file must be read whole: a small one, one document that spans it, a document found in
    no slice or in two (the whole file joins its rows, or says why there is none), or
    slices that read the decimal mark differently."""
    size = slice_bytes()
    if not _suits(Path(path), mapping, size) or _spans(mapping):
        return None
    column = mapping.group.column if mapping.group else None
    run = _Run(mapping, quiet, None)
    found: Table | None = None
    key: str | None = None  # the found document's, in its group_by column
    before: list[pl.Series] = []  # the hashes of the keys in the slices before it
    try:
        with run.slices(Path(path), size, regroup=False) as tables:
            for table in tables:
                run._settled(table)  # NotInSlices where a slice reads the mark otherwise
                if found is not None:
                    if key is not None and column is not None and _holds(table, column, key):
                        return None  # rows far apart, which the whole file joins
                    continue
                if row is not None and table.frame[ROW].is_in([row]).any():
                    found = table
                    key = table.frame.filter(pl.col(ROW) == row)[column][0] if column else None
                    if key is not None and any((h == _hash(key)).any() for h in before):
                        return None  # the document began in a slice before (or a hash is
                        # shared by two keys): the whole file says
                elif row is not None and column is not None:
                    before.append(table.frame[column].drop_nulls().unique().hash(seed=0))
                elif reference is not None and column is not None and _holds(table, column,
                                                                             reference):
                    found, key = table, reference
                elif reference is not None and column is None and reference.isdigit() and \
                        table.frame[ROW].is_in([int(reference)]).any():
                    found = table
    except NotInSlices:
        return None
    if found is None or (column is not None and key is None):
        return None
    return found, run.settled or mapping


@dataclass(frozen=True)
class Spanned:
    """One journal of the whole file, as `yukimap explain --row` needs it from its slices
    (the arguments of `explain.explain_spanning`)."""

    first: Table  # the first slice: the journal's fields come from its first row
    part: Table  # the slice that holds the row
    mapping: Mapping  # with the decimal mark the whole file settles
    before: int  # the journal's items made by the slices before `part`
    rows: tuple[int, ...]  # the journal's first `shown` rows
    count: int  # and how many it has


def spanning_row(path: str | Path, mapping: Mapping, row: int, shown: int) -> Spanned | None:
    """For `yukimap explain --row` of one journal of the whole file, in memory that does not
    grow with it: every slice mapped (nothing else), to number the journal's items and
    count its rows. None when the file must be read whole: a small one, one that is not one
    journal of the whole file, a row that makes no entry, slices that read the decimal mark
    differently."""
    size = slice_bytes()
    if not _suits(Path(path), mapping, size) or not _spans(mapping):
        return None
    run = _Run(mapping, quiet, None)
    first = part = None
    before = count = 0
    rows: list[int] = []
    try:
        with run.slices(Path(path), size, regroup=False) as tables:
            for table in tables:
                mapped = map_table(table, run._settled(table))
                if mapped.documents.height != 1:
                    raise NotInSlices("spanning")
                made = mapped.documents[ROWS][0]
                rows += made.head(shown - len(rows)).to_list()
                count += made.len()
                first = first or table
                if part is None and made.is_in([row]).any():
                    part = table
                elif part is None:
                    before += mapped.items.height
    except NotInSlices:
        return None
    if first is None or part is None:
        return None
    return Spanned(first, part, run.settled or mapping, before, tuple(rows), count)


def _hash(key: str) -> int:
    """`key`'s hash, as a column's `hash(seed=0)` gives it."""
    return int(pl.Series([key], dtype=pl.String).hash(seed=0)[0])


def _holds(table: Table, column: str, key: str) -> bool:
    """Whether a row of `table` has `key` in the group_by column."""
    return bool((table.frame[column] == key).any())


def _in_slices(path: str | Path, mapping: Mapping, stage: Stage, warned: Warned | None,
               finish: Callable[[_Run, Iterator[Table]], Done],
               used: Gathered | None = None) -> Done | None:
    """The file's slices read (by `_Run.slices`) and `finish`ed; None when the file must be
    read whole."""
    size = slice_bytes()
    if not _suits(Path(path), mapping, size):
        return None
    for regroup in (False, True):
        try:
            run = _Run(mapping, stage, warned, used)
            with run.slices(Path(path), size, regroup) as tables:
                return finish(run, tables)
        except _Answered as answered:
            raise answered.error from None
        except OverBound:  # the whole file goes over it too: said without holding it whole
            raise
        except _Scattered:
            if regroup:
                return None
        except (NotInSlices, UserError):
            return None
    return None


def _suits(path: Path, mapping: Mapping, size: int) -> bool:
    """A CSV export (by its name or its format) bigger than two slices: of sales invoices
    whose documents are told by one column (or are a row each), or one journal of the whole
    file (`_spans`)."""
    group = mapping.group
    told = (group is None and mapping.target.without_group_by == "row") or (
        group is not None and group.column is not None and group.expr is None
        and not group.fill_down)
    try:
        big = path.stat().st_size > 2 * size
    except OSError:
        return False
    return big and ((told and target_of(mapping).in_slices) or _spans(mapping))


def _spans(mapping: Mapping) -> bool:
    """The file is one document (of a kind that `Spanning` says how to take in slices),
    which no document condition could skip: a slice's first row is not the file's."""
    return (mapping.group is None and mapping.target.without_group_by == "file"
            and target_of(mapping).spanning is not None and not mapping.skip_documents)


class _Run:
    """One file's slices: each mapped, checked and rendered in turn, and what spans them."""

    def __init__(self, mapping: Mapping, stage: Stage, warned: Warned | None,
                 used: Gathered | None = None) -> None:
        self.mapping = mapping
        self.warned = warned
        self.used = used  # what the documents use, gathered from the first slice again
        if used is not None:
            used.clear()
        self.target: Target = target_of(mapping)
        self.stage = stage
        self.summary: Summary | None = None
        self.settled: Mapping | None = None  # the mapping with the file's decimal mark
        self.hashes: dict[str, list[pl.Series]] = {}  # KEY and unique fields -> per slice
        self.deadline = Deadline()
        spanning = self.target.spanning if _spans(mapping) else None
        self.spanning = spanning
        # what adds up across the slices for the summary's tables (a journal's balances);
        # the same, when one document spans the file, is also checked at the end
        self.sums: Across | None = (self.target.spanning.across() if self.target.spanning
                                    else None)
        self.across = self.sums if spanning else None
        self.read_all = False  # every slice was mapped
        self.kept: list[pl.DataFrame] = []  # rows of the documents with problems
        self.found: list[Problem] = []  # their problems, as the slices found them
        self.finished: list[Problem] = []  # of those, what finishing them said
        self.silenced: list[Problem] = []  # rules' findings left out for a row that failed
        self.place: Table | None = None  # the first slice with a problem: the file read
        self.first: Table | None = None  # the file's first row, of a spanning one
        self.again: Callable[[], Iterator[Table]] | None = None  # the slices read again
        self.failed = False  # a slice had an error

    @contextmanager
    def slices(self, path: Path, size: int, regroup: bool) -> Iterator[Iterator[Table]]:
        """The file's slices of whole documents (`regroup`: each document's rows put
        together on disk first, in a folder taken away once they are done with, the thread
        that reads them joined)."""
        self.stage(tr("reading {file}", file=path.name))
        column = self.mapping.group.column if self.mapping.group else None
        self.again = lambda: read_slices(path, self.mapping.source, size)
        rows = self.again()
        if not regroup:
            yield _whole_documents(rows, column)
            return
        assert column is not None
        self.stage(tr("putting the rows of each document in {file} together", file=path.name))
        with spill_folder() as folder:
            yield _whole_documents(regrouped(rows, column, folder), column)

    def converted(self, tables: Iterator[Table], path: Path, out: Path | None,
                  durable: bool = True) -> Summary:
        """The slices converted into `out` (None: only checked); the file's summary."""
        xsd = self.mapping.target.xsd
        assert xsd is not None
        prestart(schema_path(xsd), self.mapping.target.root,
                 validators(self.mapping.target, big=True))
        return self._converted(tables, path, out, durable)

    def mapped(self, tables: Iterator[Table], each: Callable[[Mapped], None]) -> Summary:
        """The slices mapped and checked, each given to `each` while no slice has an
        error; the file's summary (its warnings said as `converted` says them)."""
        with closing(self._slices(tables)) as slices:
            for mapped in slices:
                each(mapped)
        return self._told_summary()

    def previewed(self, tables: Iterator[Table], limit: int, lines: int,
                  added: Added) -> Previewed:
        """The slices mapped and checked, none rendered: the first `limit` documents with
        their items, and the file's summary, its warnings told as `converted` tells them."""
        if self.across is not None:
            return self._spanning_preview(tables, lines, added)
        documents: list[pl.DataFrame] = []
        items: list[pl.DataFrame] = []
        kept = after = 0  # documents kept; the DOC after theirs
        with closing(self._slices(tables)) as slices:
            for mapped in slices:
                if kept >= limit:
                    continue
                head = mapped.documents.head(limit - kept)
                numbered = pl.col(DOC) + after  # a slice numbers its documents from 0
                documents.append(head.with_columns(numbered))
                items.append(mapped.items.filter(pl.col(DOC).is_in(head[DOC].to_list()))
                             .with_columns(numbered))
                kept += head.height
                last = mapped.documents[DOC].max()
                after += last + 1 if isinstance(last, int) else 0
        return Previewed(self._told_summary(), _stacked(documents), _stacked(items))

    def _spanning_preview(self, tables: Iterator[Table], lines: int,
                          added: Added) -> Previewed:
        """The one document that spans the file, as the whole file has it: its fields from
        the first slice, its rows from all, its first `lines` items, how many it has and
        what `added` gives over all of them."""
        first: pl.DataFrame | None = None
        rows: list[pl.Series] = []
        items: list[pl.DataFrame] = []
        count, sums = 0, list[Decimal]()
        with closing(self._slices(tables)) as slices:
            for mapped in slices:
                if mapped.documents.height != 1:
                    raise NotInSlices("spanning")
                first = mapped.documents if first is None else first
                rows.append(mapped.documents[ROWS][0])
                if count < lines:
                    items.append(mapped.items.head(lines - count))
                count += mapped.items.height
                part = added(mapped.items)
                sums = [a + b for a, b in zip(sums, part)] if sums else part
        summary = self._told_summary()
        if first is None:
            raise NotInSlices("spanning")
        document = first.with_columns(pl.Series(ROWS, [pl.concat(rows)]))
        return Previewed(summary, document, _stacked(items), (count, sums))

    def _told_summary(self) -> Summary:
        """Of slices read to the end with nothing rendered: the file's summary, its warnings
        told as `converted` tells them."""
        summary = self._settled_summary(None)
        if self.found:
            self._warn()
        return summary

    def _converted(self, tables: Iterator[Table], path: Path, out: Path | None,
                   durable: bool) -> Summary:
        if self.target.per_call and self.across is None:
            return self._each(tables, path, out)
        if out is not None and out.is_dir():
            raise NotInSlices("folder")
        folder = out.parent if out is not None else Path(tempfile.gettempdir())
        name = out.name if out is not None else "yukimap"
        # the slices are closed here, in this thread, whatever the template did with them:
        # the thread that maps them is then joined by the one that started it
        with _folder(folder), temporary(folder, name) as temp, closing(
                self._slices(tables)) as slices:
            ordinal = None if self.across is None else 0  # one document, as a per-call unit
            # more than two slices: as many items as a big document's, for its validators
            failure, _ = render_validated(self.mapping, lambda marked: self._documents(
                slices, marked), ordinal, temp, PROCESS_FROM_ITEMS, self.deadline, self.stage,
                durable=out is not None and durable)
            summary = self._settled_summary(failure)
            if self.found and not self._warn():
                return summary  # told not to write it
            if out is not None:
                publish(temp, out)
        return summary

    def _each(self, tables: Iterator[Table], path: Path, out: Path | None) -> Summary:
        """Documents that go one per call (journals per group), each rendered by itself
        into its own file in the folder `out` (None: only checked), named as the whole
        file names them, and all moved into place at the end."""
        if out is not None and out.suffix and not out.is_dir():
            raise NotInSlices("one-file")  # the whole file says whether one will do
        folder = out if out is not None else Path(tempfile.gettempdir())
        written: dict[str, Path] = {}
        taken: set[str] = set()  # the names, as a file system that ignores case sees them
        with ExitStack() as stack:
            stack.enter_context(_folder(folder))
            scratch = None if out is not None else stack.enter_context(
                temporary(folder, "yukimap"))
            for mapped in stack.enter_context(closing(self._slices(tables))):
                for unit, document in zip(units_of(self.target, mapped, str(path)),
                                          contexts(mapped, self.mapping)):
                    name = f"{unit.key}{self.target.extension}"
                    # a name an earlier slice took: the whole file says which gets which
                    if name.casefold() in taken or not alone(self.mapping.target, document):
                        raise NotInSlices("document-file")
                    taken.add(name.casefold())
                    temp = scratch or stack.enter_context(temporary(folder, name))
                    failure, _ = render_validated(self.mapping, by_itself(document), 0, temp,
                                                  document.items, self.deadline, self.stage,
                                                  durable=out is not None)
                    if failure is not None:
                        raise NotInSlices("invalid")
                    written[name] = temp
            summary = self._settled_summary(None)
            if len(written) == 1:  # the whole file says where one document went
                raise NotInSlices("one-document")
            if self.found and not self._warn():
                return summary
            if out is not None:
                for name, temp in written.items():
                    publish(temp, folder / name)
        return summary

    def _settled_summary(self, failure: tuple[int, str] | None) -> Summary:
        """The file's summary, once every slice is rendered (`failure`: the validator's):
        its problems are the answer if a slice had an error; what spans the slices holds."""
        if self.failed:  # its problems are the answer, not the documents
            raise self._answer()
        if failure is not None:
            raise NotInSlices("invalid")
        self._unique()
        assert self.summary is not None
        if self.across is not None:
            self._across()
        if self.sums is not None:
            self.sums.summarize(self.summary)
        return self.summary

    def _documents(self, slices: Iterator[Mapped], marked: bool) -> Iterator[Page]:
        """The documents, slice by slice; a document that spans the file is one, whose
        items come from every slice as the template goes through them."""
        if self.across is None:
            for mapped in slices:
                yield from pages(mapped, self.mapping, marked)
            return
        first = next(slices, None)
        if first is None and self.failed:  # an error in the first slice: nothing to render
            raise self._answer()
        if first is None or first.documents.height != 1:
            raise NotInSlices("spanning")
        yield Lone(spanning_context(first, slices, self.mapping, marked))

    def _slices(self, tables: Iterator[Table]) -> Generator[Mapped, None, None]:
        """Each slice mapped: the next one by a second thread while this one's documents are
        rendered (polars works without the GIL, Jinja with it), now that the validator
        leaves room on the second core; waiting for it is not the template's time; and the
        one after that read by a third meanwhile. Three slices are held at a time."""
        from concurrent.futures import ThreadPoolExecutor  # only a big file needs it

        rows = 0
        # the reader ends after the thread that asks it for slices
        with ThreadPoolExecutor(1, thread_name_prefix="read") as reader, \
                ThreadPoolExecutor(1, thread_name_prefix="slices") as ahead:
            tables = _read_ahead(tables, reader)
            coming = ahead.submit(self._next, tables)
            while True:
                with self.deadline.paused():
                    mapped = coming.result()
                if mapped is None:
                    self.read_all = True
                    return
                coming = ahead.submit(self._next, tables)
                rows += mapped.rows_read
                self.stage(tr("mapping {count} rows", count=f"{rows:,}"))
                if not self.failed:  # else the rest is read for its problems only
                    yield mapped

    def _next(self, tables: Iterator[Table]) -> Mapped | None:
        table = next(tables, None)
        return None if table is None else self._mapped(table)

    def _mapped(self, table: Table) -> Mapped:
        """A slice mapped and checked as a whole file would be, its summary merged."""
        if self.spanning is not None and self.first is None:  # its fields come from this row
            self.first = replace(table, frame=table.frame.head(1))
        mapped = map_table(table, self._settled(table))
        rules = self.spanning.rules if self.spanning else self.target.rules
        found = rules(mapped, self.mapping, table.file)
        ruled = beyond(mapped.errors, found)
        self.silenced += [p for p in found if p not in ruled]
        problems = mapped.problems + ruled
        if self.across is None and not (self.failed or any(p.is_error for p in problems)):
            # what the whole file adds to each of its documents (a journal's balancing
            # entries), which a slice holds whole; its warnings, told as the whole tells them
            mapped, finished = self.target.finish(mapped, self.mapping)
            problems += finished
            self.finished += finished
        if problems or self.failed:
            self._keep(table, problems)
        if self.used is not None and not self.failed:
            self.used.add(self.target.usage(mapped))
        if self.sums is not None and (self.across is not None or not self.failed):
            # what adds up over the whole file (with what was added); a spanning
            # document's balance is the whole file's, with errors or not
            self.sums.add(mapped)
        if self.failed:
            self._keep_hashes(mapped)  # a number repeated across slices is one more error
            return mapped
        self._keep_hashes(mapped)
        summary = self.target.summary(mapped, part=self.sums is not None)
        self.summary = summary if self.summary is None else merged(
            self.summary, summary, self.mapping, spanning=self.across is not None)
        return mapped

    def _keep(self, table: Table, problems: list[Problem]) -> None:
        """The rows of a slice's documents with problems are kept; from a slice with an
        error on, the file fails. Warnings no one is told of (no `warned`), a problem
        without rows, or too many rows: the whole file says them."""
        errors = any(p.is_error for p in problems)
        if problems and not (errors or self.failed or self.warned):
            raise NotInSlices("problems")
        if any(not p.where.rows for p in problems):
            raise NotInSlices("problems-unplaced")
        self.failed = self.failed or errors
        if not problems:
            return
        self.place = self.place or table
        held = pl.col(ROW).is_in(sorted({row for p in problems for row in p.where.rows}))
        column = self.mapping.group.column if self.mapping.group else None
        if column is not None:  # each document with a problem, all of its rows
            held = pl.col(column).is_in(table.frame.filter(held)[column].unique().to_list())
        self.kept.append(table.frame.filter(held))
        self.found += problems
        if sum(part.height for part in self.kept) > KEPT_ROWS:
            raise NotInSlices("problems-many")

    def _answer(self) -> _Answered:
        """The file's problems: its documents with problems converted whole, which says
        them as the whole file does, if it finds what the slices found."""
        self._unique()
        if self.across is not None:  # every row was read; a date off is the answer
            self._across()
        try:
            self._kept_converted()
        except DataError as error:
            # a file that fails is not finished: what finishing its first slices said
            # (balancing entries added) the whole file does not say
            found = [p for p in self.found if p not in self.finished]
            if self._agrees(error.problems, found):
                return _Answered(error)
        raise NotInSlices("problems-differ")

    def _agrees(self, said: list[Problem], found: list[Problem]) -> bool:
        """The kept documents' conversion says what the slices found, each problem with
        its rows, but for one a slice left out where it met a row that failed: of a rule
        that finds one problem in a file for all its rows, the whole file leaves it all out
        (the kept conversion, which has those rows, says whether)."""
        whole, slices = _merged(said), _merged(found)
        quiet = _merged(self.silenced)
        return whole.keys() <= slices.keys() and all(
            whole[key] == rows if key in whole else key in quiet
            for key, rows in slices.items())

    def _warn(self) -> bool:
        """Tell the file's warnings, said as the whole file says them (its documents with
        warnings converted whole, if that finds what the slices found); whether to write."""
        assert self.warned is not None
        try:
            warnings = self._kept_converted().warnings
        except DataError:
            raise NotInSlices("problems-differ") from None
        if _merged(warnings) != _merged(self.found):
            raise NotInSlices("problems-differ")
        return self.warned(warnings)

    def _kept_converted(self, rules: Rules | None = None) -> ConversionResult:
        """The documents with problems, converted as a file of their own; of a document
        that spans the file, its rows with problems after the file's first row (its fields
        come from it), checked by the rules of a part and not finished (the balance is
        checked across the slices: `_across`), or by `rules`."""
        if self.spanning is None:  # in the file's order, as the whole file has them
            assert self.place is not None
            return convert_table(replace(self.place, frame=pl.concat(self.kept).sort(ROW),
                                         carried=False), self.settled or self.mapping)
        assert self.first is not None
        rows = pl.concat([self.first.frame, *self.kept]).unique(ROW, keep="first",
                                                                maintain_order=True)
        return convert_table(replace(self.place or self.first, frame=rows, carried=False),
                             self.settled or self.mapping, rules=rules or self.spanning.rules)

    def _across(self) -> None:
        """A document that spans the file: all of it was read, and the rules across it hold
        (then what a whole conversion computes over it adds nothing: no balancing entry);
        where they do not, that is the answer (`_unbalanced`)."""
        assert self.across is not None
        if not self.read_all:  # the template left items unread: their rows were not checked
            raise NotInSlices("items-unread")
        if not self.across.balanced():
            raise self._unbalanced()

    def _unbalanced(self) -> Exception:
        """What does not hold across a document that spans the file, told from the sums
        and the rows a second reading of the slices gathers, with the problems of its kept
        rows, as the whole file tells them; or handed back."""
        assert self.across is not None and self.again is not None
        made: list[Problem] = []
        rules = self.across.closing_rules(made)
        self.stage(tr("finding the rows of what does not balance"))
        for table in self.again():
            self.across.gather(map_table(table, self.settled or self.mapping))
        try:
            self._kept_converted(rules)
        except DataError as error:
            if self._agrees([p for p in error.problems if p not in made], self.found):
                return _Answered(error)
        return NotInSlices("problems-differ")  # (or it passes: the whole adds balancing:)

    def _settled(self, table: Table) -> Mapping:
        """The mapping with the decimal mark the first slice settled (the whole file would
        settle the same, or the slices would disagree, which ends the attempt)."""
        locale, _ = file_locale(table, self.mapping)
        if self.settled is None:
            source = replace(self.mapping.source, locale=locale)
            self.settled = replace(self.mapping, source=source)
            return self.mapping  # the first slice says what the mark is read from
        if locale.decimal_mark not in (None, self.settled.source.locale.decimal_mark):
            raise NotInSlices("decimal-mark")
        return self.settled

    def _keep_hashes(self, mapped: Mapped) -> None:
        documents = mapped.documents
        keys = documents[KEY].hash(seed=0) if self.mapping.group is not None else None
        found = {} if keys is None else {KEY: keys}
        for name in (n for n in self.target.unique_fields if n in documents.columns):
            values = documents[name]
            # a field that is the key (an invoice number grouped by) shares its hashes
            if keys is not None and values.equals(documents[KEY], check_names=False):
                found[name] = keys
            else:
                found[name] = values.drop_nulls().hash(seed=0)
        for name, hashes in found.items():
            self.hashes.setdefault(name, []).append(hashes)

    def _unique(self) -> None:
        """Every document key in one slice only, and every value that must be unique in a
        file (a hash shared may be two values: then the whole file decides)."""
        for name, parts in self.hashes.items():
            # sorted, a repeat is a neighbour: no table of them all (60 MB at 10M rows)
            ordered = pl.concat(parts, rechunk=False).sort()
            parts.clear()
            before = ordered.slice(0, max(ordered.len() - 1, 0))
            if (ordered.slice(1) == before).any():
                raise (_Scattered if name == KEY else NotInSlices)(f"repeated:{name}")


@contextmanager
def _folder(folder: Path) -> Iterator[None]:
    """The folder the documents are written in, made with its parents where missing, and
    taken away again if nothing was written in it: a file refused, handed back to be
    converted whole, or not written (--strict) leaves nothing behind."""
    made = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    try:
        yield
    finally:
        for path in made:  # the deepest first; one that holds a document stays
            with suppress(OSError):
                path.rmdir()


def _merged(problems: list[Problem]) -> dict[Problem, list[int]]:
    """Each problem with its rows taken together: a value's rows in two slices are one
    problem of the whole file (which names no one document when they are two); a warning
    of what round: changes without its fix, which gives the total change of the file it
    was found in (a slice's own; the documents with problems converted whole have every
    changed amount, and give the whole file's)."""
    rounding = rounding_causes()
    rows: dict[Problem, list[int]] = {}
    for problem in problems:
        key = problem.at(rows=(), document=None)
        if key.cause in rounding:
            key = replace(key, hint=None)
        rows.setdefault(key, []).extend(problem.where.rows)
    return {problem: sorted(found) for problem, found in rows.items()}


def _stacked(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """Frames of several slices as one (a column all empty in one slice has no type)."""
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()


def _read_ahead(tables: Iterator[Table], reader: Executor) -> Iterator[Table]:
    """The tables, each read by `reader` while the one before it is mapped."""
    coming = reader.submit(next, tables, None)
    while (table := coming.result()) is not None:
        coming = reader.submit(next, tables, None)
        yield table


def _whole_documents(tables: Iterator[Table], column: str | None) -> Iterator[Table]:
    """The slices with each document's rows together: the rows of a slice's last run of
    one key go on with the next slice (`column` None: a document is a row)."""
    waiting: pl.DataFrame | None = None
    last: Table | None = None
    before: pl.Series | None = None  # the keys of the slice before
    carried = True  # the rows waiting are surely carried (Table.carried)
    for table in tables:
        last = table
        frame = table.frame if waiting is None else pl.concat([waiting, table.frame])
        # rows of two slices: surely carried when both are
        table = replace(table, carried=table.carried and carried)
        carried = table.carried
        if column is None:
            waiting = None
            if frame.height:
                yield replace(table, frame=frame)
            continue
        keys = frame[column]
        starts = keys.ne_missing(keys.shift(1)).arg_true()
        cut = int(starts[-1]) if starts.len() else 0
        waiting = frame.slice(cut)
        if cut:
            keys = keys.slice(0, cut)
            if before is not None and keys.is_in(before.implode()).any():
                raise _Scattered("scattered")  # seen at once where it is near (_unique: far)
            before = keys.drop_nulls().unique()
            yield replace(table, frame=frame.slice(0, cut))
    if last is not None and waiting is not None and waiting.height:
        yield replace(last, frame=waiting, carried=carried)


# --- the summary, slice by slice ----------------------------------------------------------


def merged(one: Summary, other: Summary, mapping: Mapping, spanning: bool = False) -> Summary:
    """The summary of two slices of a file, one after the other, as the file's would be
    (`spanning`: of one document that spans them: its own fields are the first slice's)."""
    if (one.target, one.table, one.table_title, one.tables) != (
            other.target, other.table, other.table_title, other.tables) or (
            other.notes and other.notes != one.notes):
        raise NotInSlices("summary")
    return replace(
        one,
        documents=one.documents if spanning else one.documents + other.documents,
        items=one.items + other.items,
        rows_read=one.rows_read + other.rows_read,
        skipped=_counts(one.skipped, other.skipped, [c.describe() for c in mapping.skip]),
        skipped_documents=_counts(one.skipped_documents, other.skipped_documents,
                                  [c.describe() for c in mapping.skip_documents]),
        totals={currency: _add(one.totals.get(currency), other.totals.get(currency))
                for currency in {**one.totals, **other.totals}},
        unpriced=one.unpriced + other.unpriced,
        figures=_figures(one.figures, other.figures),
        tallies=_tallies(one.tallies, other.tallies, mapping, spanning),
    )


def _counts(one: dict[str, int], other: dict[str, int], order: list[str]) -> dict[str, int]:
    return {name: one.get(name, 0) + other.get(name, 0) for name in order
            if name in one or name in other}


def _add(one: Totals | None, other: Totals | None) -> Totals:
    one, other = one or Totals(), other or Totals()
    return Totals(one.excl + other.excl, one.vat + other.vat)


def _figures(one: dict[str, object], other: dict[str, object]) -> dict[str, object]:
    """Spans widened, what round: changed added up; any other figure must be the same (in
    the order a target gives them, which the slice that has them all shows)."""
    order = list(other) if set(one) <= set(other) else list(one)
    if set(order) != set(one) | set(other):
        raise NotInSlices("figure-order")
    figures: dict[str, object] = {}
    for name in order:
        a, b = one.get(name), other.get(name)
        joined = _joined(a, b)
        if joined is not None:
            figures[name] = joined
        elif a is None or b is None or a == b:
            figures[name] = a if b is None else b
        else:
            raise NotInSlices(f"figure:{name}")
    return figures


def _joined(a: object, b: object) -> object | None:
    """Two slices' values of a figure that adds up across them, joined (None: another)."""
    if isinstance(a, Span) and isinstance(b, Span):
        return a | b
    if isinstance(a, Roundings) and isinstance(b, Roundings):
        return a | b
    return None


def _tallies(one: tuple[Tally, ...], other: tuple[Tally, ...], mapping: Mapping,
             spanning: bool) -> tuple[Tally, ...]:
    if [_tally_key(t) for t in one] != [_tally_key(t) for t in other]:
        raise NotInSlices("tallies")
    return tuple(a if spanning and a.unit == "documents" else _tally(a, b, mapping)
                 for a, b in zip(one, other))


def _tally_key(tally: Tally) -> tuple[str, str, str, str | None, str]:
    return tally.field, tally.place, tally.kind, tally.column, tally.unit


def _tally(one: Tally, other: Tally, mapping: Mapping) -> Tally:
    counts = dict(one.counts)
    for label, count in other.counts:
        counts[label] = counts.get(label, 0) + count
    if one.kind == "map":  # the values found, in the order of the map: table
        counts = {label: counts[label] for label in _lookup_order(one, set(counts), mapping)}
    elif [label for label, _ in one.counts] != [label for label, _ in other.counts]:
        raise NotInSlices("rules-tally")
    return replace(one, counts=tuple(counts.items()), rows=one.rows + other.rows,
                   fallback=_pair(one.fallback, other.fallback),
                   default=_pair(one.default, other.default))


def _pair(one: tuple[str, int] | None,
          other: tuple[str, int] | None) -> tuple[str, int] | None:
    if one is None or other is None:
        return one or other
    return one[0], one[1] + other[1]


def _lookup_order(tally: Tally, labels: set[str], mapping: Mapping) -> list[str]:
    """`labels`, the values a tally found, in the order of the map: table it counts (of the
    tables of its field and column, the one that has them all: two entries may map one
    column by two tables; tables that have them all must agree on their order)."""
    target = mapping.target
    specs = [(f"{target.header_key}.{s.name}", s) for s in mapping.header] + [
        (f"{target.item_key}.{s.name}", s) for item in mapping.items for s in item.fields]
    tables = {tuple(f"{key} -> {value}" for key, value in spec.lookup.table.items())
              for name, spec in specs
              if name == tally.field and spec.lookup is not None and spec.column == tally.column}
    orders = {tuple(label for label in table if label in labels)
              for table in tables if labels <= set(table)}
    if len(orders) != 1:
        raise NotInSlices("map-tally")
    return list(orders.pop())
