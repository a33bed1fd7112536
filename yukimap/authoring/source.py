"""The `source:` block of a starter mapping: how the file is read (encoding, delimiter,
sheet, header row), and the file's decimal mark and date format, stated only when a column
shows them and none disagrees; the readings that remain otherwise, as comments."""

from __future__ import annotations

import textwrap
from datetime import datetime

from yukimap.authoring.columns import Profile
from yukimap.authoring.layout import MAX_SHEETS, Layout
from yukimap.authoring.yamltext import Entry, scalar
from yukimap.i18n import tr
from yukimap.values import describe_format


def source_entry(layout: Layout, profiles: dict[str, Profile]) -> Entry:
    """`source:` for the file as init read it, with the profiles of its columns."""
    table = layout.table
    keys: list[Entry] = []
    if layout.format == "csv":
        keys.append(Entry("encoding", scalar(layout.encoding or "utf-8"),
                          note=layout.encoding_note))
        if table.delimiter is not None:
            keys.append(Entry("delimiter", scalar(table.delimiter),
                              note=tr("between the columns")))
    else:
        note = (tr("the data (of {sheets})", sheets=", ".join(layout.sheets))
                if len(layout.sheets) > 1 else tr("the data"))
        if len(layout.sheets) > MAX_SHEETS:
            note = tr("the data (of {count} sheets; init looked at the first {looked})",
                      count=len(layout.sheets), looked=MAX_SHEETS)
        keys.append(Entry("sheet", scalar(table.sheet or ""), note=note))
    if layout.columns:
        keys.append(Entry("columns", "[" + ", ".join(layout.columns) + "]", above=[
            line.removeprefix("# ") for line in wrapped(
                tr("the file has no row of column names: columns: names its columns, in order;"
                   " rename them as you like (the fields below read them by these names)"),
                88)]))
    elif layout.header_row != 1:
        keys.append(Entry("header_row", str(layout.header_row),
                          note=tr("the column names; rows 1-{last} above them",
                                  last=layout.header_row - 1)
                          if layout.header_row > 2 else tr("the column names; row 1 above them")))
    keys += _decimal_keys(list(profiles.values()))
    keys += _date_keys(list(profiles.values()))
    return Entry("source", children=keys)


def _decimal_keys(profiles: list[Profile]) -> list[Entry]:
    numbers = [p for p in profiles if p.kind == "number"]
    settled: dict[str, Profile] = {}
    for p in numbers:
        if len(p.decimal_marks) == 1:
            settled.setdefault(p.decimal_marks[0], p)
    out: list[Entry] = []
    if len(settled) == 1:
        mark, proof = next(iter(settled.items()))
        example = proof.first_with(mark, "," if mark == "." else ".")
        out.append(Entry("decimal_mark", scalar(mark),
                         note=tr("{example} in {column}", example=example, column=proof.name)))
        shown = next((p for p in numbers if p.decimal_marks == (mark,) and p.thousands), None)
        if shown is not None:
            example = shown.first_with(shown.thousands or "")
            out.append(Entry("thousands_separator", scalar(shown.thousands or ""),
                             note=tr("{example} in {column}", example=example,
                                     column=shown.name)))
    elif len(settled) > 1:
        said = "; ".join(tr("{column} uses '{mark}'", column=p.name, mark=m)
                         for m, p in settled.items())
        out.append(_comments(tr("decimal_mark: not stated: the columns disagree ({said}); give"
                                " each field its own decimal_mark:", said=said)))
    for p in numbers:
        if not p.decimal_marks:
            out.append(_comments(tr("{column} mixes decimal marks ({values}): correct the"
                                    " export, or read it as text", column=p.name,
                                    values=", ".join(p.values[:3]))))
        elif len(p.decimal_marks) == 2 and not settled:
            out.append(_comments(tr(
                "decimal_mark: not stated: the numbers of {column} read both ways"
                " ({values}: with '.' or ',' as the decimal mark); set the"
                " export's: decimal_mark: \",\" or \".\"", column=p.name,
                values=", ".join(p.ambiguous))))
    return out


def _date_keys(profiles: list[Profile]) -> list[Entry]:
    dates = [p for p in profiles if p.kind == "date" and p.date_formats]
    settled: dict[str, Profile] = {}
    for p in dates:
        if len(p.date_formats) == 1:
            settled.setdefault(p.date_formats[0], p)
    out: list[Entry] = []
    if settled:
        value = scalar(next(iter(settled))) if len(settled) == 1 else \
            "[" + ", ".join(scalar(f) for f in settled) + "]"
        proof = next(iter(settled.values()))
        out.append(Entry("date_format", value, note=_date_example(proof)))
    for p in (p for p in dates if len(p.date_formats) > 1):
        readings = tr(" or ").join(describe_format(f) for f in p.date_formats)
        shown = [f for f in p.date_formats if f in settled]
        if shown:  # the file's format, which another column shows, reads this one too
            out.append(_comments(tr("{column} alone reads as {readings}; it is read as"
                                    " {format}, as {other} shows", column=p.name,
                                    readings=readings, format=describe_format(shown[0]),
                                    other=settled[shown[0]].name)))
        else:
            out.append(_comments(tr("date_format: not stated: {column} reads as {readings}, and"
                                    " no value tells them apart; add the one the export uses,"
                                    ' e.g. date_format: "{example}"', column=p.name,
                                    readings=readings, example=p.date_formats[0])))
    return out


def _date_example(profile: Profile) -> str:
    fmt = profile.date_formats[0]
    read = [(v, datetime.strptime(v, fmt).date()) for v in profile.written]
    value, day = next(((v, d) for v, d in read if d.day > 12), read[0])
    return tr("{column}: {value} is {day}", column=profile.name, value=value,
              day=day.isoformat())


def _comments(text: str) -> Entry:
    return Entry("", above=[line.removeprefix("# ") for line in wrapped(text, 88)])


def wrapped(text: str, width: int = 92) -> list[str]:
    """`text` as comment lines of at most `width` characters."""
    return ["# " + line for line in textwrap.wrap(text, width - 2)]
