"""The delimiter of a CSV: the one set, checked, or the one that splits the header and the
first records alike; and the records as Python's csv module splits them, for sniffing, the
header and the preview."""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterator
from dataclasses import replace

from yukimap.errors import SourceError
from yukimap.i18n import tr
from yukimap.model import Source

SNIFF_DELIMITERS = (";", ",", "\t", "|")
SNIFF_RECORDS = 50  # records after the header that must agree with it
SNIFF_BYTES = 64 * 1024

# The header record may be as long as the file; its cells are held against max_cell_chars
# once split, with their row and column, rather than failing here at 128 KiB.
csv.field_size_limit(2**31 - 1)


def split(text: str, delimiter: str, quote: str | None) -> list[list[str]]:
    """Records of `text` as Python's csv module splits them (for sniffing and the header)."""
    stream = io.StringIO(text, newline="")
    if quote:
        return list(csv.reader(stream, delimiter=delimiter, quotechar=quote))
    return list(csv.reader(stream, delimiter=delimiter, quoting=csv.QUOTE_NONE))


def choose_delimiter(data: bytes, name: str, source: Source, quote: str | None, start: int
                     ) -> str | None:
    if source.delimiter is not None:
        return _checked_delimiter(source.delimiter, quote)
    return _sniff(data, name, source, quote, start)


def _checked_delimiter(delimiter: str, quote: str | None) -> str:
    if len(delimiter) != 1 or not delimiter.isascii() or delimiter in "\r\n":
        raise SourceError(
            tr("delimiter must be a single character, not {delimiter}", delimiter=repr(delimiter)),
            hint=tr('write it in double quotes, e.g. delimiter: ";" (a tab is delimiter: "\\t")'),
        )
    if delimiter == quote:
        raise SourceError(
            tr("delimiter and quote are both {delimiter}", delimiter=repr(delimiter)),
            hint=tr("they must differ; check source: in the mapping file"),
        )
    return delimiter


def label(delimiter: str) -> str:
    return "TAB" if delimiter == "\t" else repr(delimiter)


def _yaml(delimiter: str) -> str:
    return '"\\t"' if delimiter == "\t" else f'"{delimiter}"'


def _sniff(data: bytes, name: str, source: Source, quote: str | None, start: int) -> str | None:
    """The one delimiter that splits the header and the first records alike, or None for a
    one-column file. Refuses to guess between candidates that fit equally well."""
    sample = data[start : start + SNIFF_BYTES]
    cut_short = start + SNIFF_BYTES < len(data)
    if cut_short and b"\n" in sample:
        sample = sample[: sample.rfind(b"\n") + 1]
    text = sample.decode("utf-8", errors="replace")
    fits: dict[str, int] = {}
    misfits: list[str] = []
    for candidate, records in _candidate_splits(text, quote):
        if not records or len(records[0]) < 2:
            continue  # not in the header (outside quotes)
        width = len(records[0])
        rows = _sample_rows(records, cut_short, source.skip_last, source.header_row)
        longer = [(row, len(r)) for row, r in rows if len(r) > width]
        # Rows may leave out empty trailing fields, but most must match the header.
        exact = sum(len(r) == width for _, r in rows)
        if longer:
            row, got = longer[0]
            misfits.append(tr("with {delimiter} the header has {width} columns but row {row} has"
                              " {got}", delimiter=label(candidate), width=width, row=row, got=got))
        elif rows and exact * 2 <= len(rows):
            misfits.append(tr("with {delimiter} the header has {width} columns but most rows have"
                              " fewer", delimiter=label(candidate), width=width))
        else:
            fits[candidate] = width
    if not fits and not misfits:
        _refuse_one_column_header(text, name, source, quote, cut_short)
        return None
    best = max(fits.values(), default=0)
    winners = [c for c, width in fits.items() if width == best]
    if len(winners) == 1:
        return winners[0]
    if winners:
        both = functools.reduce(lambda one, other: tr("{one} and {other}", one=one, other=other),
                                (label(c) for c in winners))
        reason = tr("{delimiters} each split the header and the rows into {width} columns",
                    delimiters=both, width=best)
        example = winners[0]
    else:
        reason = "; ".join(misfits)
        example = ";"
    raise SourceError(
        tr("cannot tell which character separates the columns of {name}: {reason}", name=name,
           reason=reason),
        hint=tr("add delimiter: {delimiter} under source: (with the character your file uses)",
                delimiter=_yaml(example)),
    )


def _sample_rows(
    records: list[list[str]], cut_short: bool, skip_last: int, header_row: int
) -> list[tuple[int, list[str]]]:
    """The first records after the header, numbered, without blank ones or a footer."""
    rows = [(header_row + i, r) for i, r in enumerate(records) if i and r]
    if cut_short:
        rows = rows[:-1]  # the sample may end inside a record
    elif skip_last:
        rows = rows[:-skip_last]
    return rows[:SNIFF_RECORDS]


def _candidate_splits(text: str, quote: str | None) -> Iterator[tuple[str, list[list[str]]]]:
    """The sample split by each delimiter yukimap can sniff (those that split at all)."""
    for candidate in SNIFF_DELIMITERS:
        if candidate == quote:
            continue
        try:
            yield candidate, split(text, candidate, quote)
        except csv.Error:
            continue


def _refuse_one_column_header(
    text: str, name: str, source: Source, quote: str | None, cut_short: bool
) -> None:
    """A header without any delimiter is a one-column file, unless the rows below it all
    have several columns: then the header is most likely a title above the real one."""
    for candidate, records in _candidate_splits(text, quote):
        rows = _sample_rows(records, cut_short, source.skip_last, source.header_row)
        widths = {len(r) for _, r in rows}
        if len(widths) == 1 and min(widths) > 1:
            raise SourceError(
                tr("row {row} of {name} has a single column name, but the rows below it have"
                   " {width} columns separated by {delimiter}", row=source.header_row,
                   name=name, width=min(widths), delimiter=label(candidate)),
                hint=tr("if the column names are on a later row, set header_row: under source:"
                        " to that row; if the file really has one column, add delimiter: \"|\""
                        " (or another character that does not occur in it) under source:"),
            )


def other_delimiter(data: bytes, name: str, source: Source, quote: str | None, start: int,
                     used: str | None) -> str | None:
    """The delimiter sniffing finds, when it is not the one used."""
    try:
        found = _sniff(data, name, replace(source, delimiter=None), quote, start)
    except SourceError:
        return None
    return found if found != used else None
