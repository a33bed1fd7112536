"""`yukimap init` of a big CSV reads it a slice at a time and says what the whole file says:
generated exports, cut into slices of a few hundred bytes, give the same profiles, the same
answers to the drafts' questions and the same starter mapping as the file read whole; the
values' readings (a column's decimal mark, a date format) from one value of each shape."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.conftest import run_cli
from yukimap.authoring import columns, starter_mapping
from yukimap.authoring.layout import find_layout
from yukimap.authoring.starter import Looked, looked
from yukimap.frames import Table
from yukimap.values import (
    ISO_DATE,
    BadValue,
    Locale,
    date_formats_reading,
    decimal_mark_evidence,
    marks_reading,
    parse_decimal,
)

_IBANS = [f"NL{n:02d}RABO{n:010d}" for n in range(10, 40)]
# a column's values: the usual ones, and now and then one that rules a reading out
_KINDS: dict[str, st.SearchStrategy[str]] = {
    "Datum": st.one_of(st.dates(date(2000, 1, 1), date(2030, 12, 31)).map(
        lambda d: d.strftime("%d-%m-%Y")),
                       st.sampled_from(["2024-01-31", "05-06-2024", "12/01/2024", "morgen"])),
    "Bedrag": st.one_of(st.decimals(0, 99999, places=2).map(lambda d: str(d).replace(".", ",")),
                        st.sampled_from(["1.234,50", "-0,01", "€ 12,00", "(3,10)", "12.50",
                                         "1.000", "7"])),
    "Prijs": st.one_of(st.integers(0, 999).map(lambda n: f"{n}.{n % 100:02d}"),
                       st.decimals(0, 9, places=3).map(str),
                       st.sampled_from(["1,000", "2,500.00", "x"])),
    "Aantal": st.one_of(st.integers(-5, 40).map(str), st.sampled_from(["1,5", "+3", "1.000"])),
    "Omschrijving": st.sampled_from(["Kaars", "Thee", "Subtotaal", "Totaal", "Zeep 2,5 kg"]),
    "Tegenrekening": st.sampled_from(_IBANS[:4] + ["", "NL00 RABO 0000 0000 01"]),
    "Rekening": st.sampled_from(_IBANS),
    "Naam": st.sampled_from(["Jansen", "de Vries", "Bakker", ""]),
    "Af Bij": st.sampled_from(["Af", "Bij"]),
    "Factuur": st.integers(1000, 1060).map(str),
    "Leeg": st.sampled_from(["", "", "", "x"]),
}


@contextlib.contextmanager
def _slices(size: int | None) -> Iterator[None]:
    """Big files read in slices of `size` bytes (None: every file read whole)."""
    before = os.environ.get("YUKIMAP_SLICE_BYTES")
    os.environ["YUKIMAP_SLICE_BYTES"] = str(size or 10 ** 12)
    try:
        yield
    finally:
        if before is None:
            del os.environ["YUKIMAP_SLICE_BYTES"]
        else:
            os.environ["YUKIMAP_SLICE_BYTES"] = before


def _looked(path: Path, size: int | None) -> Looked:
    with _slices(size):
        seen = looked(find_layout(path))
    assert (seen.layout.slices is not None) == (size is not None)  # read as meant
    return seen


@st.composite
def _exports(draw: st.DrawFn) -> str:
    names = draw(st.lists(st.sampled_from(sorted(_KINDS)), min_size=2, max_size=6, unique=True))
    rows = draw(st.integers(30, 80))
    cells = {n: draw(st.lists(_KINDS[n], min_size=rows, max_size=rows)) for n in names}
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(names)
    writer.writerows(zip(*(cells[n] for n in names), strict=True))
    return buffer.getvalue()


@given(text=_exports(), size=st.integers(80, 400))
def test_an_export_in_slices_is_profiled_as_the_whole(
        text: str, size: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("init") / "export.csv"
    path.write_text(text, encoding="utf-8")
    size = min(size, (len(text) - 1) // 2)  # more than two slices: read in slices
    whole, sliced = _looked(path, None), _looked(path, size)
    assert sliced.profiles == whole.profiles
    assert sliced.rows == whole.rows
    assert (sliced.gathered.bare, sliced.gathered.firsts) == \
        (whole.gathered.bare, whole.gathered.firsts)
    texts = []
    for slices in (None, size):
        with _slices(slices):
            texts.append(starter_mapping(path).text)
    assert texts[0] == texts[1]


@given(text=_exports(), size=st.integers(80, 400), kept=st.integers(1, 3000))
@example(text="Datum;Bedrag\n" + "2024-01-31;1.000\n" * 23 + "05-06-2024;1.000\n" * 9,
         size=80, kept=1)  # values judged again in every slice are listed once
def test_a_column_too_big_to_count_keeps_its_readings(
        text: str, size: int, kept: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("init") / "export.csv"
    path.write_text(text, encoding="utf-8")
    size = min(size, (len(text) - 1) // 2)
    whole = _looked(path, None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columns, "SEEN_BYTES", kept)
        sliced = _looked(path, size)
    for name, profile in whole.profiles.items():
        found = sliced.profiles[name]
        if found.counted:
            assert found == profile
            continue
        assert found.distinct <= profile.distinct
        assert found.repeats in ((True, None) if profile.repeats else (None,))
        same = {"counted": False, "distinct": found.distinct, "repeats": found.repeats}
        assert found == replace(profile, **same)  # every reading as the whole's


# the values of a column: numbers written every way, dates, words, noise
_NUMBER = st.one_of(
    st.decimals(-99999, 99999, places=3).map(str),
    st.decimals(-9999, 9999, places=2).map(lambda d: str(d).replace(".", ",")),
    st.integers(0, 9999).map(lambda n: f"{n // 1000}.{n % 1000:03d}"),
    st.integers(0, 9999).map(lambda n: f"{n // 1000},{n % 1000:03d}"),
    st.sampled_from(["0,500", "1.234,50", "1,234.50", "(3,10)", "12,50-", "€ 7", "+3", "1 000",
                     "0.250", "2,5", "007", "12"]))
_DATE = st.one_of(
    st.builds(lambda d, f: d.strftime(f), st.dates(date(1890, 1, 1), date(2210, 12, 31)),
              st.sampled_from(["%d-%m-%Y", "%d/%m/%Y", "%m/%d/%Y", "%Y%m%d", "%d.%m.%y"])),
    st.sampled_from(["2024-01-31", "2024-01-31 10:00:00 +0100"]))
_VALUE = st.one_of(_NUMBER, _DATE, st.sampled_from(["Kaars", "", "NL10RABO0000000010"]))


@st.composite
def _column(draw: st.DrawFn) -> list[str]:
    """A column's values, drawn from a few of one kind (or of any), so that they repeat."""
    fmt = draw(st.sampled_from(["%d-%m-%Y", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%y"]))
    dated = st.dates(date(2020, 1, 1), date(2020, 12, 31)).map(lambda d: d.strftime(fmt))
    few = draw(st.lists(draw(st.sampled_from([_NUMBER, _DATE, _VALUE, dated])), min_size=1,
                        max_size=8))
    return draw(st.lists(st.sampled_from(few), min_size=1, max_size=40))


@given(values=_column(), cuts=st.lists(st.integers(0, 40)))
@example(values=["13/01/2020", "05/06/2020"], cuts=[1])  # a format the first piece rules out
@example(values=["0,500", "1,500", "1,500"], cuts=[1, 2])  # one mark, then either; a repeat
def test_a_column_judged_in_pieces_reads_as_every_value_at_once(values: list[str],
                                                               cuts: list[int]) -> None:
    frame = pl.DataFrame({"A": [v or None for v in values]}, schema={"A": pl.String})
    table = Table(frame, "x.csv", ("A",), {"A": "A"})
    profiler = columns.Profiler(table)
    bounds = sorted({0, len(values), *(c for c in cuts if c < len(values))})
    for start, end in zip(bounds, bounds[1:], strict=False):
        profiler.add(replace(table, frame=frame.slice(start, end - start)))
    (found,) = profiler.profiles()
    assert found == _every_value_at_once(table)


def _every_value_at_once(table: Table) -> columns.Profile:
    """The profile as init judged a column before it read big files in slices: every
    distinct value at once (kept here as it was, as the measure)."""
    column = table.frame["A"].drop_nulls()
    values = [str(v) for v in column.unique(maintain_order=True).to_list()]
    base = columns.Profile("A", "A", "empty", column.len(), table.frame.height,
                           tuple(values[:columns.LISTED]), len(values),
                           repeats=len(values) < column.len())
    if not values:
        return base
    written = [v for v in values if not ISO_DATE.match(v)]
    formats = date_formats_reading(written) if written else []
    if formats or not written:
        return replace(base, kind="date", date_formats=tuple(formats),
                       written=tuple(written[:columns.LISTED]))
    if not all(_reads(v, ".") or _reads(v, ",") for v in values):
        return replace(base, kind="text")
    mark, ambiguous = decimal_mark_evidence(values)
    if mark is None and not ambiguous:
        return replace(base, kind="whole")
    base = replace(base, showing=tuple((sign, next(v for v in values if sign in v))
                                       for sign in ".," if any(sign in v for v in values)))
    if mark is None:
        return replace(base, kind="number", decimal_marks=(".", ","),
                       ambiguous=tuple(ambiguous[:3]))
    if not all(_reads(v, mark) for v in values):
        return replace(base, kind="number")
    other = "," if mark == "." else "."
    return replace(base, kind="number", decimal_marks=(mark,),
                   thousands=other if any(other in v for v in values) else None)


_SHAPED = st.text(alphabet="0123456789.,-+() €EURe\u00a0", max_size=12)


@given(text=_SHAPED, digits=st.lists(st.sampled_from("123456789"), min_size=12, max_size=12))
def test_a_number_reads_as_any_other_of_its_shape(text: str, digits: list[str]) -> None:
    # what lets init judge a column's thousands of amounts by a value of each shape
    other = re.sub("[1-9]", lambda m: digits[m.start()], text)
    assert marks_reading(other) == marks_reading(text)
    readable = [m for m in ".," if _reads(text, m)]
    assert columns.is_number(text) == bool(readable)


def _reads(text: str, mark: str) -> bool:
    try:
        parse_decimal(text, Locale(mark, "," if mark == "." else "."))
    except BadValue:
        return False
    return True


def test_a_column_too_big_to_count_is_said_so(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    rows = "".join(f"{1000 + n};Kaars;1;2,50;21\n" for n in range(400))
    export = tmp_path / "orders.csv"
    export.write_text("Factuurnummer;Omschrijving;Aantal;Prijs;BTW\n" + rows, encoding="utf-8")
    monkeypatch.setattr(columns, "SEEN_BYTES", 1000)
    monkeypatch.setenv("YUKIMAP_SLICE_BYTES", "300")
    monkeypatch.chdir(tmp_path)
    text = run_cli("init", "orders.csv", "-o", "-").stdout
    lines = text.splitlines()
    assert ("#   A  Factuurnummer  whole numbers: 1000, 1001, … (at least 252 values)"
            " -> invoice.Reference") in lines
    at = lines.index("# group_by: Factuurnummer, if an invoice spans several rows (it has too"
                     " many values for")
    assert lines[at + 1:at + 4] == ["# init to tell)", "", "invoice:"]
