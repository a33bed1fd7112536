"""A text joined of literal texts and columns (`'Order ' & Order`) is joined by polars for
all rows at once; every value and problem must be what the row-by-row evaluation gives."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yukimap.errors import UserError
from yukimap.expr import _values, compile_expr
from yukimap.limits import limits
from yukimap.mapping import map_table, sources
from yukimap.read import read_table
from yukimap.schema import load_mapping

COLUMNS = ("Nr", "Text", "Extra")
CELL = st.one_of(st.just(""), st.text(alphabet="abé€ ;\"'-/\\&0123456789", max_size=8))
PART = st.one_of(st.tuples(st.just(True), st.sampled_from(COLUMNS)),
                 st.tuples(st.just(False), st.text(alphabet="ab -/'é", max_size=4)))


def _expression(parts: list[tuple[bool, str]]) -> str:
    """The join as a user writes it: a column by its name, or col('...'); a text quoted."""
    return " & ".join((name if name != "Extra" else f"col('{name}')") if is_column
                      else repr(name) for is_column, name in parts)


def _mapping(folder: Path, header: str, line: str) -> Path:
    path = folder / "m.yaml"
    path.write_text(
        "version: 1\ntarget: sales_invoices\nsource: {delimiter: ';'}\n"
        f"invoice:\n  Reference: {{column: Nr}}\n  Subject: {{expr: {json.dumps(header)}}}\n"
        f"lines:\n  Description: {{expr: {json.dumps(line)}}}\n  ProductQuantity: 1\n"
        "  Product: {Description: {column: Text}, SalesPrice: 1, VATPercentage: 21,"
        " VATType: 1}\n", encoding="utf-8")
    return path


def _mapped(folder: Path, rows: list[tuple[str, str, str]], header: str,
            line: str) -> tuple[list[object], list[object], list[str]]:
    source = folder / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    mapping = load_mapping(_mapping(folder, header, line))
    try:
        mapped = map_table(read_table(source, mapping.source), mapping)
    except UserError as error:  # the whole answer, as the user would read it
        return [], [], [str(error)] + [str(p) for p in error.problems]
    return (mapped.documents["Subject"].to_list(), mapped.items["Description"].to_list(),
            [f"{p.cause} | {p.where} | {p.value} | {p.hint}" for p in mapped.problems])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from(["1", "2", "3"]), CELL, CELL), min_size=1,
                     max_size=6),
       header=st.lists(PART, min_size=2, max_size=4), line=st.lists(PART, min_size=2, max_size=4))
def test_a_join_of_texts_and_columns_is_what_the_rows_give(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: list[tuple[str, str, str]],
        header: list[tuple[bool, str]], line: list[tuple[bool, str]]) -> None:
    made: list[object] = []
    join = sources.joined_texts
    with monkeypatch.context() as patched:
        patched.setattr(sources, "joined_texts", lambda *args: made.append(join(*args))
                        or made[-1])
        joined = _mapped(tmp_path, rows, _expression(header), _expression(line))
    # joined by polars, where a column takes part
    assert [m is not None for m in made] == [any(c for c, _ in header), any(c for c, _ in line)]
    with monkeypatch.context() as patched:
        patched.setattr(sources, "joined_texts", lambda *args: None)
        assert _mapped(tmp_path, rows, _expression(header), _expression(line)) == joined


def test_a_join_is_recognised_only_when_it_is_plain_texts_and_columns() -> None:
    assert compile_expr("'Order ' & Order & col('Order date')").joined == (
        (False, "Order "), (True, "Order"), (True, "Order date"))
    for source in ("Order", "'a' & upper(Order)", "'a' & 1", "Order & true", "Order + 'a'",
                   "'a' & x"):
        assert compile_expr(source, lets=frozenset({"x"})).joined is None, source


def test_a_join_over_the_bound_on_texts_is_told_at_its_rows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = dataclasses.replace(limits(), text_chars=6)
    monkeypatch.setattr(sources, "limits", lambda: small)
    monkeypatch.setattr(_values, "limits", lambda: small)
    rows = [("1", "kort", ""), ("2", "veel te lang", "")]
    joined = _mapped(tmp_path, rows, "'#' & Nr", "Text & '!'")
    assert any("longer than 6 characters" in text for text in joined[2])
    monkeypatch.setattr(sources, "joined_texts", lambda *args: None)
    assert _mapped(tmp_path, rows, "'#' & Nr", "Text & '!'") == joined
