"""The reader a slice at a time (read/slices.py) reads the rows the whole file reads, on
generated CSV text with quotes, line breaks and delimiters inside its cells."""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import REPO
from yukimap.errors import NotInSlices, UserError
from yukimap.read import read_slices, read_table
from yukimap.read.slices import record_cut
from yukimap.schema import load_mapping

WEBSHOP = REPO / "mappings" / "webshop-orders.yaml"

_CELLS = st.text(alphabet=st.sampled_from(['a', 'é', ' ', ';', '"', '\n', '1', ',', '€']),
                 max_size=12)


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["Naam", "Omschrijving", "Bedrag"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@given(rows=st.lists(st.lists(_CELLS, min_size=3, max_size=3), min_size=1, max_size=60),
       size=st.integers(min_value=40, max_value=400))
def test_slices_read_the_rows_the_whole_file_reads(rows: list[list[str]], size: int,
                                                   tmp_path_factory: pytest.TempPathFactory
                                                   ) -> None:
    # a record is at most about 80 bytes here, so none is too long for a slice
    path = tmp_path_factory.mktemp("csv") / "export.csv"
    path.write_bytes(_csv(rows))
    source = load_mapping(WEBSHOP).source
    try:
        whole = read_table(path, source).frame
    except UserError:  # a file the reader refuses whole is not read in slices either
        with pytest.raises((UserError, NotInSlices)):
            list(read_slices(path, source, size))
        return
    assert pl.concat([t.frame for t in read_slices(path, source, size)]).equals(whole)


@pytest.mark.parametrize(("block", "cut"), [
    (b"a;b\nc;d\n", 8), (b"a;b\nc;d", 4), (b'a;"b\nc";d\ne', 10), (b'a;"b\nc', 0),
    (b'a;"b""\n""c"\n', 12), (b'a;"b""\n', 0), (b"no newline", 0), (b'"x"\n"y', 4)])
def test_a_slice_is_cut_after_the_last_whole_record(block: bytes, cut: int) -> None:
    assert record_cut(block, '"') == cut
