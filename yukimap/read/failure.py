"""Why polars could not read a CSV: it stops at the first bad record, so the whole body is
looked through again, vectorised, to name every record with too many fields, an unclosed
quote or badly quoted values."""

from __future__ import annotations

import re
from typing import NoReturn

import polars as pl

from yukimap.errors import Problem, SourceError, Where
from yukimap.frames import ROW, delimiter_hint
from yukimap.i18n import plural, tr
from yukimap.read.sniff import label


def explain_failure(
    body: bytes,
    name: str,
    delimiter: str,
    quote: str | None,
    width: int,
    header_row: int,
    exc: Exception,
    other: str | None = None,
) -> NoReturn:
    """polars stops at the first bad record; find every bad record to show them all. With
    the wrong delimiter set, rows look too long or badly quoted: `other` is the one the
    file seems to use, and the fix then names it."""
    records = _record_stats(body, delimiter, quote).with_columns(
        (pl.col("record") + header_row + 1).alias(ROW)
    )
    # A stray quote merges lines into one record: its field count means nothing.
    reliable = ~pl.col("unclosed") & ~pl.col("odd_quotes")
    too_long = records.filter(reliable & (pl.col("fields") > width))
    if too_long.height:
        problems = [
            Problem(
                tr("more fields than the header ({width})", width=width),
                Where(file=name, rows=(row,)),
                # the report shows "row 7: '5 fields'" under the cause
                value=tr("{count} fields", count=fields),
            )
            for row, fields in too_long.select(ROW, "fields").iter_rows()
        ]
        raise SourceError(
            plural(len(problems), "1 row(s) of {name} have more fields than the header ({width})",
                   "{count} row(s) of {name} have more fields than the header ({width})",
                   name=name, width=width),
            hint=delimiter_hint(other) or tr("check the delimiter ({delimiter}) and the quotes on"
                                             " those rows: a value that contains {delimiter} must"
                                             " be in quotes", delimiter=label(delimiter)),
            problems=problems,
        )
    unclosed = records.filter(pl.col("unclosed"))
    if quote and unclosed.height:
        row = unclosed[ROW][0]
        raise SourceError(
            tr("row {row} of {name} opens a quote ({quote}) that is never closed", row=row,
               name=name, quote=quote),
            hint=tr('check the quotes on that row, or add quote: "" under source: if {quote} is'
                    " ordinary text in this file", quote=quote),
            problems=[Problem(tr("quote never closed"), Where(file=name, rows=(row,)))],
        )
    odd = records.filter(pl.col("odd_quotes"))[ROW].to_list()
    if quote and odd:
        raise SourceError(
            plural(len(odd), "1 row(s) of {name} have badly quoted values",
                   "{count} row(s) of {name} have badly quoted values", name=name),
            hint=delimiter_hint(other) or tr("a value in quotes ({quote}) must be quoted as a"
                                             " whole, with any {quote} inside it doubled; or add"
                                             ' quote: "" under source: if {quote} is ordinary'
                                             " text here", quote=quote),
            problems=[Problem(tr("badly quoted value"), Where(file=name, rows=(row,)))
                      for row in odd],
        )
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    raise SourceError(
        tr("cannot read {name} as CSV ({reason})", name=name, reason=reason),
        hint=tr("check the delimiter and the quotes in the file"),
    )


def check_widths(body: bytes, name: str, delimiter: str, quote: str | None, width: int) -> None:
    """A file without a header row (columns: names its columns): every record that is not
    blank has as many fields as columns: names, or is an error at its row. (With a header,
    a record may leave out empty fields at its end; without one, fewer fields most likely
    mean that columns: names a column the file does not have.)"""
    records = _record_stats(body, delimiter, quote).with_columns(
        (pl.col("record") + 1).alias(ROW))
    wrong = records.filter(~pl.col("blank") & ~pl.col("unclosed") & ~pl.col("odd_quotes")
                           & (pl.col("fields") != width))
    if not wrong.height:
        return
    problems = [
        Problem(tr("more fields than columns: names ({width})", width=width) if fields > width
                else tr("fewer fields than columns: names ({width})", width=width),
                Where(file=name, rows=(row,)), value=tr("{count} fields", count=fields))
        for row, fields in wrong.select(ROW, "fields").iter_rows()]
    raise SourceError(
        plural(len(problems),
               "1 row(s) of {name} do not have the {width} fields columns: under source: names",
               "{count} row(s) of {name} do not have the {width} fields columns: under source:"
               " names", name=name, width=width),
        hint=tr("check columns: under source: (one name for each column of the file, in order)"
                " and the delimiter ({delimiter}) and quotes on those rows",
                delimiter=label(delimiter)),
        problems=problems)


def _record_stats(body: bytes, delimiter: str, quote: str | None) -> pl.DataFrame:
    """Per record: index, number of fields, open quote, blank, odd quoting. Vectorised:
    records are physical lines joined while a quote is open, as polars splits them."""
    lines = pl.Series("line", [body.decode("utf-8")]).str.split("\n").explode()
    if body.endswith(b"\n"):
        lines = lines.head(-1)
    frame = pl.DataFrame({"line": lines}).with_columns(
        pl.col("line").str.count_matches(quote, literal=True).alias("quotes")
        if quote
        else pl.lit(0).alias("quotes")
    )
    inside = (pl.col("quotes").cum_sum() - pl.col("quotes")) % 2 == 1
    frame = frame.with_columns(((~inside).cum_sum() - 1).alias("record"))
    if frame.height and frame["record"][-1] == frame.height - 1:
        records = frame  # no quoted newlines: every line is a record
    else:
        records = frame.group_by("record", maintain_order=True).agg(
            pl.col("line").str.join("\n"), pl.col("quotes").sum()
        )
    text = pl.col("line")
    if quote:
        q, d = re.escape(quote), re.escape(delimiter)
        # Whole quoted fields become a NUL mark, so delimiters inside them do not count and
        # text glued to a closing quote ("a"b) shows up as a mark followed by text.
        text = text.str.replace_all(f"(^|{d}){q}(?:[^{q}]|{q}{q})*{q}", "${1}\x00")
    return records.select(
        "record",
        (text.str.count_matches(delimiter, literal=True) + 1).alias("fields"),
        (pl.col("quotes") % 2 == 1).alias("unclosed"),
        (pl.col("line").str.strip_chars().str.len_bytes() == 0).alias("blank"),
        (
            text.str.contains(f"\x00[^{re.escape(delimiter)}\r]")
            | (text.str.contains(quote, literal=True) if quote else pl.lit(False))
        ).alias("odd_quotes"),
    )
