"""The readers against hostile and broken files: every one ends with exit 0 or 1, a clear
message, within seconds and under 1 GB, through the real command line (`convert --dry-run`
and `check --sample`), as a hot folder would run them."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.robustness.conftest import Bounded, Outcome, Write
from tests.robustness.workbooks import (
    DIMENSIONS,
    LABELSST,
    bomb_xlsx,
    far_cell_xlsx,
    ods,
    ods_cell,
    ods_row,
    patch_xls,
    shared_strings_xlsx,
    sheet_xml,
    table_rows,
    wide_xlsx,
    xls,
    xlsx,
)

MAPPING = """\
version: 1
target: sales_invoices
source: {SOURCE}
invoice:
  Reference: {column: Naam}
lines:
  Product:
    Description: {column: Naam}
    SalesPrice: {column: Bedrag}
"""
RAISE = "  fix: if the file is right, raise the limit: set {} to a higher number (README: Limits)"


@pytest.fixture
def mapping(write: Write) -> Callable[..., Path]:
    def make(source: str = "{}") -> Path:
        return write("m.yaml", MAPPING.replace("{SOURCE}", source))
    return make


def _as_typed(file: Path | str, mapping: Path) -> str:
    """The file as a user in the test's folder types it."""
    return Path(file).name if Path(file).parent == mapping.parent else str(file)


def convert(bounded: Bounded, file: Path | str, mapping: Path, code: int = 1,
            env: dict[str, str] | None = None) -> Outcome:
    """`convert FILE --dry-run` in a subprocess, within the bounds."""
    return bounded("convert", _as_typed(file, mapping), "-m", mapping.name, "--dry-run",
                   codes=(code,), env=env)


def both(bounded: Bounded, file: Path | str, mapping: Path, code: int = 1,
         env: dict[str, str] | None = None) -> Outcome:
    """`convert FILE --dry-run` and `check --sample FILE` end alike (they share the readers:
    a few cases check both); the convert outcome."""
    outcome = convert(bounded, file, mapping, code, env)
    checked = bounded("check", mapping.name, "--sample", _as_typed(file, mapping),
                      codes=(code,), env=env)
    if code:
        assert checked.stderr == outcome.stderr
    return outcome


def lines(outcome: Outcome) -> list[str]:
    return outcome.stderr.splitlines()


# ---------------------------------------------------------------------------------------
# Files that are not files


def test_a_device_is_refused_before_it_is_read(bounded: Bounded, mapping: Callable[..., Path]
                                               ) -> None:
    outcome = both(bounded, "/dev/zero", mapping('{format: csv}'))
    assert lines(outcome) == ["error: /dev/zero is not a regular file but a device",
                              "  fix: give the export file itself"]


def test_a_pipe_and_a_socket_are_refused_and_nothing_hangs(
        bounded: Bounded, mapping: Callable[..., Path], tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.csv")
    outcome = convert(bounded, tmp_path / "pipe.csv", mapping())
    assert lines(outcome)[0] == "error: pipe.csv is not a regular file but a pipe"
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(tmp_path / "sock.csv"))
        outcome = convert(bounded, tmp_path / "sock.csv", mapping())
    assert lines(outcome)[0] == "error: sock.csv is not a regular file but a socket"


def test_a_file_over_the_size_limit_is_refused_unread(
        bounded: Bounded, mapping: Callable[..., Path], write: Write) -> None:
    write("big.csv", "Naam;Bedrag\n" + "x;1\n" * 600_000)
    outcome = convert(bounded, "big.csv", mapping(), env={"YUKIMAP_MAX_FILE_MB": "1"})
    assert lines(outcome) == [
        "error: big.csv is over yukimap's limit of 1 MB (2.3 MB)",
        RAISE.format("YUKIMAP_MAX_FILE_MB")]


# ---------------------------------------------------------------------------------------
# CSV


def test_a_header_over_128_kib_is_a_cell_over_the_limit(
        bounded: Bounded, mapping: Callable[..., Path], write: Write) -> None:
    write("long.csv", "Naam;" + "x" * 200_000 + "\nJan;1\n")
    outcome = both(bounded, "long.csv", mapping())
    assert lines(outcome) == [
        ("error: the longest cell of long.csv is over yukimap's limit of 32,767 characters"
         " (200,000 characters, row 1, column B)"),
        RAISE.format("YUKIMAP_MAX_CELL_CHARS"),
        "",
        "error: over 32,767 characters",
        "  in long.csv",
        "    row 1: 'column B: 200,000 characters'"]


def test_a_file_of_one_long_line(bounded: Bounded, mapping: Callable[..., Path],
                                 write: Write) -> None:
    # One 300 MB line ran out of memory splitting the header (exit 3); with small limits
    # a 1 MB line shows the same refusal, without writing 300 MB.
    write("line.csv", b"x" * 1_000_000)
    outcome = convert(bounded, "line.csv", mapping(),
                      env={"YUKIMAP_MAX_COLUMNS": "10", "YUKIMAP_MAX_CELL_CHARS": "1000"})
    assert lines(outcome) == [
        ("error: the header of line.csv (row 1) is over yukimap's limit of 1,000 characters"
         " (it is 1,000,000 bytes long, more than 10 cells of that many characters)"),
        RAISE.format("YUKIMAP_MAX_CELL_CHARS")]


def test_a_120_mb_line_is_refused_before_polars_reads_it(
        bounded: Bounded, mapping: Callable[..., Path], write: Write) -> None:
    # polars takes ten times a cell's size to read it: 120 MB aborted the process
    write("line.csv", b"Naam;Bedrag\n" + b"1;2\n" * 1000 + b"x" * 120_000_000)
    outcome = convert(bounded, "line.csv", mapping())
    assert lines(outcome)[0] == (
        "error: line 1002 of line.csv is over yukimap's limit of 32,767 characters (it is"
        " 120,000,000 bytes long, more than 1,000 cells of that many characters)")


def test_a_long_cell_in_the_data_is_located(bounded: Bounded, mapping: Callable[..., Path],
                                            write: Write) -> None:
    write("long.csv", "Naam;Bedrag\nJan;1\n" + "x" * 40_000 + ";2\nPiet;3\n")
    outcome = convert(bounded, "long.csv", mapping())
    assert "    row 3: 'column A: 40,000 characters'" in lines(outcome)


def test_nul_bytes_in_a_utf16_pattern_are_utf16(bounded: Bounded, mapping: Callable[..., Path],
                                                write: Write) -> None:
    write("wide.csv", "Naam;Bedrag\r\nJan;1\r\n".encode("utf-16-le"))
    outcome = convert(bounded, "wide.csv", mapping())
    assert lines(outcome) == [
        ("error: wide.csv contains NUL bytes, so it is probably UTF-16 text without a byte"
         " order mark"),
        "  fix: add encoding: utf-16-le under source:"]


def test_other_nul_bytes_are_a_damaged_file(bounded: Bounded, mapping: Callable[..., Path],
                                            write: Write) -> None:
    write("nul.csv", b"Naam;Bedrag\nJan;1\nPiet;\x00\x00\x00\x002\n")
    outcome = convert(bounded, "nul.csv", mapping())
    assert lines(outcome) == [
        ("error: nul.csv contains NUL bytes (binary zeros), the first at byte offset 23"
         " (line 3): it is damaged, or not a text file"),
        ("  fix: the file may be incomplete (still being copied?) or damaged; export it again;"
         " a workbook needs its .xlsx, .xls or .ods name")]


def test_cr_only_line_ends_are_read(bounded: Bounded, mapping: Callable[..., Path],
                                    write: Write) -> None:
    write("mac.csv", "Naam;Bedrag\rJan;1\rPiet;2\r")
    outcome = both(bounded, "mac.csv", mapping(), code=0)
    assert "  rows read       2" in outcome.stdout.splitlines()
    assert "  sales invoices  2" in outcome.stdout.splitlines()


def test_a_header_without_rows_is_an_error(bounded: Bounded, mapping: Callable[..., Path],
                                           write: Write) -> None:
    write("head.csv", "Naam;Bedrag\n\n;\n")
    outcome = convert(bounded, "head.csv", mapping())
    assert lines(outcome) == [
        "error: head.csv has column names (row 1) but no rows of data below them",
        ("  fix: export the file again with its rows; or check header_row: and skip_last:"
         " under source:")]


def test_a_repeated_column_name_the_mapping_reads_is_ambiguous(
        bounded: Bounded, mapping: Callable[..., Path], write: Write) -> None:
    write("twice.csv", "Naam;Bedrag;Naam;Extra;Extra\nJan;1;Jansen;a;b\n")
    outcome = convert(bounded, "twice.csv", mapping())
    assert lines(outcome) == [
        "error: twice.csv has the column the mapping reads more than once: Naam",
        "",
        ("error: m.yaml:5:14 invoice.Reference: column 'Naam' is in twice.csv more than once:"
         " columns A and C"),
        ("  fix: rename one of them in the file, or choose one: column: \"Naam\" reads column A,"
         " column: \"Naam (C)\" column C")]


def test_a_repeated_column_name_the_mapping_does_not_read_is_fine(
        bounded: Bounded, mapping: Callable[..., Path], write: Write) -> None:
    write("twice.csv", "Naam;Bedrag;Extra;Extra\nJan;1;a;b\n")
    convert(bounded, "twice.csv", mapping(), code=0)


def test_too_many_columns_and_rows(bounded: Bounded, mapping: Callable[..., Path],
                                   write: Write) -> None:
    write("wide.csv", "Naam;Bedrag;" + ";".join(f"k{i}" for i in range(1500)) + "\nJan;1"
          + ";" * 1500 + "\n")
    outcome = convert(bounded, "wide.csv", mapping())
    assert lines(outcome) == [
        ("error: the header of wide.csv (row 1) is over yukimap's limit of 1,000 columns"
         " (1,502 columns)"),
        RAISE.format("YUKIMAP_MAX_COLUMNS")]
    write("long.csv", "Naam;Bedrag\n" + "Jan;1\n" * 6)
    outcome = convert(bounded, "long.csv", mapping(), env={"YUKIMAP_MAX_ROWS": "5"})
    assert lines(outcome) == [
        "error: long.csv is over yukimap's limit of 5 rows (it has more than 5 rows of data)",
        RAISE.format("YUKIMAP_MAX_ROWS")]


# ---------------------------------------------------------------------------------------
# Workbooks


def test_one_cell_at_xfd1048576(bounded: Bounded, mapping: Callable[..., Path],
                                tmp_path: Path) -> None:
    far_cell_xlsx(tmp_path / "far.xlsx")
    outcome = both(bounded, "far.xlsx", mapping())
    assert lines(outcome) == [
        ("error: sheet 'Data' of far.xlsx is over yukimap's limit of 1,000 columns"
         " (it has cells up to column XFD: 16,384 columns)"),
        RAISE.format("YUKIMAP_MAX_COLUMNS")]


def test_a_far_cell_in_a_zip_whose_start_is_damaged(
        bounded: Bounded, mapping: Callable[..., Path], tmp_path: Path) -> None:
    # The property test found it: calamine finds a zip from its end, so "P5" for "PK" at
    # the start still opens, and the far cell used to abort the process.
    path = far_cell_xlsx(tmp_path / "far.xlsx")
    path.write_bytes(b"P5" + path.read_bytes()[2:])
    outcome = convert(bounded, "far.xlsx", mapping())
    assert lines(outcome)[0] == ("error: cannot open far.xlsx as an Excel workbook: its part"
                                 " [Content_Types].xml is damaged")


def test_a_far_cell_within_the_columns_is_over_the_cells(
        bounded: Bounded, mapping: Callable[..., Path], tmp_path: Path) -> None:
    far_cell_xlsx(tmp_path / "far.xlsx", "ALL1048576")
    outcome = convert(bounded, "far.xlsx", mapping())
    assert lines(outcome) == [
        ("error: sheet 'Data' of far.xlsx is over yukimap's limit of 5,000,000 cells"
         " (its cells reach ALL1048576: 1,048,576 rows by 1,000 columns)"),
        RAISE.format("YUKIMAP_MAX_CELLS")]


@pytest.mark.parametrize("references", [True, False])
def test_a_sheet_of_100k_columns(bounded: Bounded, mapping: Callable[..., Path],
                                 tmp_path: Path, references: bool) -> None:
    wide_xlsx(tmp_path / "wide.xlsx", 100_000, references)
    outcome = convert(bounded, "wide.xlsx", mapping())
    assert lines(outcome) == [
        ("error: sheet 'Data' of wide.xlsx is over yukimap's limit of 1,000 columns"
         " (it has cells up to column EQXD: 100,000 columns)"),
        RAISE.format("YUKIMAP_MAX_COLUMNS")]


def test_a_2mb_zip_bomb(bounded: Bounded, mapping: Callable[..., Path], tmp_path: Path) -> None:
    bomb_xlsx(tmp_path / "bomb.xlsx", 2048)
    outcome = both(bounded, "bomb.xlsx", mapping())
    assert lines(outcome) == [
        "error: bomb.xlsx unzipped is over yukimap's limit of 1,024 MB (2,048 MB, from 2.0 MB)",
        RAISE.format("YUKIMAP_MAX_UNPACKED_MB")]


def test_a_zip_bomb_within_the_size_is_over_the_ratio(
        bounded: Bounded, mapping: Callable[..., Path], tmp_path: Path) -> None:
    bomb_xlsx(tmp_path / "bomb.xlsx", 200)
    outcome = convert(bounded, "bomb.xlsx", mapping())
    assert lines(outcome) == [
        ("error: xl/worksheets/sheet1.xml in bomb.xlsx is over yukimap's limit of 100 to 1"
         " (it unzips 1,009 to 1)"),
        RAISE.format("YUKIMAP_MAX_ZIP_RATIO")]


def test_one_shared_string_in_many_cells(bounded: Bounded, mapping: Callable[..., Path],
                                         tmp_path: Path) -> None:
    shared_strings_xlsx(tmp_path / "repeat.xlsx", 60_000, 32_000)
    outcome = convert(bounded, "repeat.xlsx", mapping())
    assert lines(outcome) == [
        ("error: the text of sheet 'Data' of repeat.xlsx is over yukimap's limit of 128 MB"
         " (its cells repeat text to 1,832 MB)"),
        RAISE.format("YUKIMAP_MAX_SHEET_TEXT_MB")]


def test_a_zip_that_lies_about_its_sizes_is_damaged(
        bounded: Bounded, mapping: Callable[..., Path], tmp_path: Path) -> None:
    bomb_xlsx(tmp_path / "lies.xlsx", 200, declared=100_000)
    outcome = convert(bounded, "lies.xlsx", mapping())
    assert lines(outcome) == [
        ("error: cannot open lies.xlsx as an Excel workbook: its part xl/worksheets/sheet1.xml"
         " is damaged"),
        "  fix: the file may be incomplete (still being copied?) or damaged; export it again"]


def test_a_long_cell_in_a_workbook_is_located(bounded: Bounded, mapping: Callable[..., Path],
                                              tmp_path: Path) -> None:
    xlsx(tmp_path / "long.xlsx", {"Data": sheet_xml(table_rows(
        ["Naam", "Bedrag"], ["Jan", "1"], ["x" * 40_000, "2"]))})
    outcome = convert(bounded, "long.xlsx", mapping())
    assert lines(outcome)[-2:] == ["  in long.xlsx (sheet Data)",
                                   "    row 3: 'column A: 40,000 characters'"]


def test_an_xls_with_a_far_cell(bounded: Bounded, mapping: Callable[..., Path],
                                tmp_path: Path) -> None:
    xls(tmp_path / "far.xls", {(0, 0): "Naam", (65535, 255): "x"})
    outcome = both(bounded, "far.xls", mapping())
    assert lines(outcome) == [
        ("error: sheet 'Data' of far.xls is over yukimap's limit of 5,000,000 cells"
         " (its cells reach IV65536: 65,536 rows by 256 columns)"),
        RAISE.format("YUKIMAP_MAX_CELLS")]


def test_an_xls_with_one_shared_string_in_many_cells(
        bounded: Bounded, mapping: Callable[..., Path], tmp_path: Path) -> None:
    long = "x" * 32_000
    xls(tmp_path / "repeat.xls", {(0, 0): "Naam", **{(r, 0): long for r in range(1, 12_001)}})
    outcome = convert(bounded, "repeat.xls", mapping())
    assert lines(outcome) == [
        ("error: the text of sheet 'Data' of repeat.xls is over yukimap's limit of 128 MB"
         " (its cells repeat text to 1,099 MB)"),
        RAISE.format("YUKIMAP_MAX_SHEET_TEXT_MB")]


def test_an_xls_with_a_cell_beyond_its_columns(bounded: Bounded, mapping: Callable[..., Path],
                                               tmp_path: Path) -> None:
    path = xls(tmp_path / "far.xls", {(0, 0): "Naam", (3, 3): "x"})
    patch_xls(path, LABELSST, bytes([3, 0, 3, 0]), bytes([3, 0, 0xFF, 0xFF]))
    outcome = convert(bounded, "far.xls", mapping())
    assert lines(outcome)[0] == (
        "error: sheet 'Data' of far.xls is over yukimap's limit of 1,000 columns"
        " (it has cells up to column CRXP: 65,536 columns)")


def test_an_xls_that_declares_a_huge_sheet(bounded: Bounded, mapping: Callable[..., Path],
                                           tmp_path: Path) -> None:
    path = xls(tmp_path / "big.xls", {(0, 0): "Naam", (3, 3): "x"})
    patch_xls(path, DIMENSIONS, bytes(4) + bytes([4, 0, 0, 0]),
              bytes(4) + (0xFFFFFFF0).to_bytes(4, "little") + bytes(2) + b"\xff\xff")
    outcome = convert(bounded, "big.xls", mapping())
    assert lines(outcome)[0] == (
        "error: sheet 'Data' of big.xls is over yukimap's limit of 1,000 columns"
        " (it declares 4,294,967,280 rows by 65,535 columns)")


def test_an_ods_with_repeated_cells_far_away(bounded: Bounded, mapping: Callable[..., Path],
                                             tmp_path: Path) -> None:
    ods(tmp_path / "far.ods", {"Blad1": ods_row(ods_cell("Naam"))
                               + ods_row("<table:table-cell/>", repeat=1_000_000)
                               + ods_row(ods_cell("x", repeat=20))})
    outcome = convert(bounded, "far.ods", mapping())
    assert lines(outcome) == [
        ("error: sheet 'Blad1' of far.ods is over yukimap's limit of 5,000,000 cells"
         " (its cells reach T1000002: 1,000,002 rows by 20 columns)"),
        RAISE.format("YUKIMAP_MAX_CELLS")]


def test_an_ods_that_repeats_a_cell_17_billion_times(
        bounded: Bounded, mapping: Callable[..., Path], tmp_path: Path) -> None:
    ods(tmp_path / "many.ods", {"Blad1": ods_row(ods_cell("x", repeat=16384), repeat=1048576)})
    outcome = convert(bounded, "many.ods", mapping())
    assert lines(outcome)[0] == (
        "error: sheet 'Blad1' of many.ods is over yukimap's limit of 1,000 columns"
        " (it has cells up to column XFD: 16,384 columns)")


def test_an_ods_of_900_bytes_that_repeats_a_long_text(
        bounded: Bounded, mapping: Callable[..., Path], tmp_path: Path) -> None:
    ods(tmp_path / "rep.ods", {"Blad1": ods_row(ods_cell("Naam"))
                               + ods_row(ods_cell("x" * 30_000, repeat=100), repeat=1000)})
    outcome = convert(bounded, "rep.ods", mapping())
    assert lines(outcome) == [
        ("error: the text of sheet 'Blad1' of rep.ods is over yukimap's limit of 128 MB"
         " (its cells repeat text to 2,863 MB)"),
        RAISE.format("YUKIMAP_MAX_SHEET_TEXT_MB")]
