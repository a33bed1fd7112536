"""Files without a row of column names: `columns: [...]` under source: names the columns by
position; the first row of the file is data (row 1); names the mapping reads must be among
them (located at the mapping); rows with more or fewer fields than named are errors at
those rows, as a CSV with a header has for more fields."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.conftest import build_files, run_cli
from yukimap.errors import DataError, MappingError, SourceError
from yukimap.pipeline import convert_file
from yukimap.schema import load_mapping

MAPPING = """version: 1
target: journal
source:
  delimiter: ";"
  decimal_mark: ","
  date_format: "%Y%m%d"
  columns: [Datum, Naam, Tegenrekening, Af Bij, Bedrag]
journal: {AdministrationID: 5a4db0c5-ad01-4e00-8000-000000000001, JournalType: GeneralJournal}
entries:
  - GLAccount: "1100"
    EntryDate: {column: Datum}
    Amount: {column: Bedrag, sign: {column: Af Bij, positive: Bij, negative: Af}}
    Description: {column: Naam}
  - GLAccount: {column: Tegenrekening, map: {NL44RABO0123456789: "4100"}, fallback: "2100"}
    EntryDate: {column: Datum}
    Amount: {column: Bedrag, sign: {column: Af Bij, positive: Bij, negative: Af}, negate: true}
    Description: {column: Naam}
"""
BANK = """20241101;Vastgoed Molenstraat BV;NL44RABO0123456789;Af;1250,00
20241102;Bakkerij De Korenaar;NL91ABNA0417164300;Bij;842,15
"""


def test_columns_name_a_file_without_a_header_and_its_first_row_is_data(
        tmp_path: Path) -> None:
    files = build_files(tmp_path, {"m.yaml": MAPPING, "bank.csv": BANK})
    result = convert_file(files["bank.csv"], files["m.yaml"])
    items = result.mapped.items
    assert items["GLAccount"].to_list() == ["1100", "4100", "1100", "2100"]
    assert items["Amount"].to_list() == ["-1250.00", "1250.00", "842.15", "-842.15"]
    assert items["__row__"].to_list() == [1, 1, 2, 2]


def test_a_bad_value_is_located_at_its_row_counted_from_the_first_line(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"m.yaml": MAPPING,
                                   "bank.csv": BANK + "20241103;KPN;NL03;Af;twaalf\n"})
    with pytest.raises(DataError) as info:
        convert_file(files["bank.csv"], files["m.yaml"])
    problem = info.value.problems[0]
    assert (problem.where.rows, problem.where.column, problem.value) == ((3,), "Bedrag", "twaalf")


def test_a_name_the_mapping_reads_must_be_in_columns(tmp_path: Path) -> None:
    mapping = MAPPING.replace("Description: {column: Naam}\n  - GLAccount",
                              "Description: {column: Nam}\n  - GLAccount")
    with pytest.raises(MappingError) as info:
        load_mapping(build_files(tmp_path, {"m.yaml": mapping})["m.yaml"])
    assert [(p.where.line, p.cause, p.hint) for p in info.value.problems] == [
        (13, "column 'Nam' is not in columns: under source:",
         "the columns named there, nearest first: 'Naam', 'Datum', 'Bedrag', 'Tegenrekening',"
         " 'Af Bij'; or add it to columns: at its place in the file")]


def test_columns_are_names_once_each_and_header_row_does_not_go_with_them(
        tmp_path: Path) -> None:
    mapping = MAPPING.replace("columns: [Datum, Naam, Tegenrekening, Af Bij, Bedrag]",
                              "columns: [Datum, Naam, Naam, '', Af Bij, Bedrag]\n"
                              "  header_row: 2").replace("Tegenrekening", "Naam")
    with pytest.raises(MappingError) as info:
        load_mapping(build_files(tmp_path, {"m.yaml": mapping})["m.yaml"])
    assert [(p.where.line, p.cause, p.hint) for p in info.value.problems] == [
        (7, "'Naam' is named twice in columns: (the 2nd and 3rd column)",
         "give each column its own name"),
        (7, "the 4th column has no name in columns:", "give each column a name"),
        (8, "header_row: goes with a row of column names; with columns:, the file has none",
         "remove header_row:; the first row of the file is data"),
    ]


def test_rows_with_more_or_fewer_fields_than_columns_are_errors_at_those_rows(
        tmp_path: Path) -> None:
    bad = BANK + "20241103;KPN;NL03;Af;12,00;extra\n20241104;KPN;Af;12,00\n"
    files = build_files(tmp_path, {"m.yaml": MAPPING, "bank.csv": bad})
    result = run_cli("convert", files["bank.csv"], "-m", files["m.yaml"], "--dry-run")
    assert result.code == 1
    assert result.stderr.splitlines() == [
        f"error: 2 row(s) of {files['bank.csv']} do not have the 5 fields columns: under"
        " source: names",
        "  fix: check columns: under source: (one name for each column of the file, in order)"
        " and the delimiter (';') and quotes on those rows",
        "",
        "error: more fields than columns: names (5)",
        f"  in {files['bank.csv']}",
        "    row 3: '6 fields'",
        "error: fewer fields than columns: names (5)",
        f"  in {files['bank.csv']}",
        "    row 4: '4 fields'",
    ]


def test_a_workbook_without_a_header_reads_by_position(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["20241101", "Vastgoed Molenstraat BV", "NL44RABO0123456789", "Af", 1250])
    sheet.append(["20241102", "Bakkerij De Korenaar", "NL91ABNA0417164300", "Bij", 842.15])
    book.save(tmp_path / "bank.xlsx")
    # number cells are read as numbers are written in the sheet: 842.15
    files = build_files(tmp_path, {"m.yaml": MAPPING.replace('  delimiter: ";"\n', "").replace(
        '  decimal_mark: ","\n', "")})
    result = convert_file(tmp_path / "bank.xlsx", files["m.yaml"])
    assert result.mapped.items["Amount"].to_list() == ["-1250", "1250", "842.15", "-842.15"]
    sheet.append(["20241103", "KPN", "NL03", "Af", 12, "extra"])
    book.save(tmp_path / "bank.xlsx")
    with pytest.raises(SourceError) as info:
        convert_file(tmp_path / "bank.xlsx", files["m.yaml"])
    assert info.value.message == (f"1 row(s) of sheet 'Sheet' of {tmp_path / 'bank.xlsx'} have"
                                  " cells beyond the 5 columns columns: under source: names")
    assert [(p.where.rows, p.value) for p in info.value.problems] == [((3,), "column F")]


def test_init_names_the_columns_of_a_file_without_a_header(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"ing.csv": "20241101;NL12INGB0001234567;12,50;Af\n"
                                              "20241102;NL12INGB0001234567;8,10;Bij\n"})
    result = run_cli("init", files["ing.csv"], "-o", "-")
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "# The columns (named by columns: under source:), what init read in them, and where" \
           " they go:" in lines
    start = lines.index("source:")
    assert lines[start:start + 6] == [
        "source:",
        "  encoding: utf-8                 # every byte reads as UTF-8",
        '  delimiter: ";"                  # between the columns',
        "  # the file has no row of column names: columns: names its columns, in order; rename"
        " them",
        "  # as you like (the fields below read them by these names)",
        "  columns: [A, B, C, D]",
    ]
    assert ("  read    CSV, utf-8, columns separated by \";\", no row of column names (columns:"
            " names them), 4 columns, 2 rows") in result.stderr.splitlines()


def test_rejected_rows_of_a_file_without_a_header_are_written_without_one(
        tmp_path: Path) -> None:
    from yukimap.rejected import write_rows

    files = build_files(tmp_path, {"m.yaml": MAPPING, "bank.csv": BANK})
    out = write_rows(files["bank.csv"], str(files["m.yaml"]), [2], tmp_path / "fix.csv")
    assert out.read_text(encoding="utf-8") == (
        "20241102;Bakkerij De Korenaar;NL91ABNA0417164300;Bij;842,15\n")
