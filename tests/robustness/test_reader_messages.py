"""What the readers say when a setting does not fit the file: a wrong delimiter, a header
on another row or sheet, a wrong 8-bit encoding. Nothing here strains time or memory, so
the command line runs in-process; the hostile files are in test_readers.py."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.conftest import CliResult, run_cli
from tests.robustness.test_readers import MAPPING
from tests.robustness.workbooks import sheet_xml, table_rows, xlsx


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # messages then show the short file names a user types


def convert(file: str, source: str = "{}", code: int = 1) -> list[str]:
    """`convert FILE --dry-run` and `check --sample FILE`: the same errors; convert's lines."""
    Path("m.yaml").write_text(MAPPING.replace("{SOURCE}", source), encoding="utf-8")
    result: CliResult = run_cli("convert", file, "-m", "m.yaml", "--dry-run")
    checked = run_cli("check", "m.yaml", "--sample", file)
    assert (result.code, checked.code) == (code, code), result.stderr
    if code:
        assert checked.stderr == result.stderr
    return result.stderr.splitlines()


def test_a_wrong_delimiter_says_which_one_the_file_uses(tmp_path: Path) -> None:
    fix = '  fix: this file uses ";" between its columns: set delimiter: ";" under source:'
    Path("semi.csv").write_text("Naam;Bedrag\nJan;12,50\nPiet;3,00\n")
    assert convert("semi.csv", '{delimiter: ","}')[:2] == [
        "error: 2 row(s) of semi.csv have more fields than the header (1)", fix]
    Path("quoted.csv").write_text('Naam;Bedrag\n"Jan";"12,50"x\n"Piet";"3,00"\n')
    assert convert("quoted.csv", '{delimiter: ","}')[:2] == [
        "error: 2 row(s) of quoted.csv have badly quoted values", fix]
    Path("quoted.csv").write_text('Naam,Bedrag\n"Jan","12,50"\n"Piet","3,00"\n')
    assert convert("quoted.csv", '{delimiter: ";"}') == [
        "error: quoted.csv does not have the columns the mapping reads: Bedrag, Naam",
        "",
        "error: m.yaml:9:17 lines.Product.SalesPrice: column 'Bedrag' is not in quoted.csv",
        fix.replace(";", ","),
        "error: m.yaml:5:14 invoice.Reference: column 'Naam' is not in quoted.csv",
        fix.replace(";", ",")]


def test_an_8bit_encoding_on_utf8_text_is_a_warning_with_the_right_one(tmp_path: Path) -> None:
    Path("land.csv").write_text("Naam;Bedrag\nJan;1\nEthiopië;2\n", encoding="utf-8")
    assert convert("land.csv", "{encoding: cp1252}", code=0)[:4] == [
        "warning: read as cp1252, the file looks like UTF-8 text: its letters come out garbled",
        "  in land.csv, column 'Naam' (A)",
        "    row 3: 'EthiopiÃ«'",
        "  fix: set encoding: utf-8 under source: ('EthiopiÃ«' then reads 'Ethiopië')"]


def test_latin1_where_cp1252_has_signs_is_a_warning(tmp_path: Path) -> None:
    """The C1 control it leaves is no text a document can carry (text.py): an error, whose
    fix, like the warning's, is the encoding."""
    Path("euro.csv").write_bytes("Naam;Bedrag\nJan € 1;1\n".encode("cp1252"))
    lines = convert("euro.csv", "{encoding: latin-1}", code=1)
    assert lines[2:6] == [
        "error: contains the control character U+0080, which a Yuki document cannot carry",
        "  in euro.csv, column 'Naam' (A), for invoice.Reference",
        "    invoice 2, row 2: 'Jan \\x80 1'",
        ("  fix: this is what a file read as latin-1 shows where cp1252 has signs such as €:"
         " set encoding: cp1252 under source: (or the file's own encoding)")]
    assert lines[10:14] == [
        ("warning: read as latin-1, the file has control characters where cp1252 has signs"
         " such as €"),
        "  in euro.csv, column 'Naam' (A)",
        "    row 2: 'Jan \\x80 1'",
        "  fix: set encoding: cp1252 under source: ('Jan \\x80 1' then reads 'Jan € 1')"]


def test_right_encodings_say_nothing(tmp_path: Path) -> None:
    Path("land.csv").write_bytes("Naam;Bedrag\nEthiopië € 2;2\n".encode("cp1252"))
    assert not any("read as" in line for line in convert("land.csv", "{encoding: cp1252}", 0))


def test_a_missing_column_in_a_workbook_says_where_it_looked_and_where_the_names_are(
        tmp_path: Path) -> None:
    rows = table_rows(["Verkopen 2024"], [], ["Naam", "Bedrag"], ["Jan", "1"])
    xlsx(tmp_path / "book.xlsx", {"Blad1": sheet_xml(rows)})
    assert convert("book.xlsx") == [
        ("error: book.xlsx (sheet 'Blad1', column names from row 1) does not have the columns"
         " the mapping reads: Bedrag, Naam"),
        "",
        "error: m.yaml:9:17 lines.Product.SalesPrice: column 'Bedrag' is not in book.xlsx",
        "  fix: 'Bedrag' is in row 3 of sheet 'Blad1': set header_row: 3 under source:",
        "error: m.yaml:5:14 invoice.Reference: column 'Naam' is not in book.xlsx",
        "  fix: 'Naam' is in row 3 of sheet 'Blad1': set header_row: 3 under source:"]


def test_a_missing_column_on_another_sheet(tmp_path: Path) -> None:
    xlsx(tmp_path / "book.xlsx", {
        "Info": sheet_xml(table_rows(["Export", "", "Datum"], ["2024"])),
        "Verkopen": sheet_xml(table_rows(["Verkopen"], ["Naam", "Bedrag"], ["Jan", "1"]))})
    assert convert("book.xlsx")[3:4] == [
        ("  fix: 'Bedrag' is in row 2 of sheet 'Verkopen': set sheet: \"Verkopen\" and"
         " header_row: 2 under source:")]


def test_a_missing_column_in_a_csv_on_a_later_row(tmp_path: Path) -> None:
    Path("late.csv").write_text("Export;\n;\nNaam;Bedrag\nJan;1\n")
    assert convert("late.csv")[3:4] == [
        "  fix: 'Bedrag' is in row 3: set header_row: 3 under source:"]


def test_placeholder_names_are_not_offered_as_columns(tmp_path: Path) -> None:
    xlsx(tmp_path / "book.xlsx", {"Blad1": sheet_xml(table_rows(
        ["Naam", "", "Totaal"], ["Jan", "1", "1"]))})
    assert convert("book.xlsx")[3:4] == [
        "  fix: the file's columns, nearest first: 'Naam', 'Totaal'"]


def test_latin1_without_cp1252_signs_says_nothing(tmp_path: Path) -> None:
    Path("cafe.csv").write_bytes("Naam;Bedrag\nCafé;2\n".encode("latin-1"))
    assert not any("read as" in line for line in convert("cafe.csv", "{encoding: latin-1}", 0))


def test_a_sheet_name_with_an_ampersand_is_held_to_its_own_extent(tmp_path: Path) -> None:
    # Only "R&D" is read: the far cell of the other sheet must not count against it.
    xlsx(tmp_path / "book.xlsx", {"R&amp;D": sheet_xml(table_rows(["Naam", "Bedrag"],
                                                                   ["Jan", "1"])),
                                  "Archief": sheet_xml([(1, [("A1", "x")]),
                                                        (2, [("XFD2", "y")])])})
    convert("book.xlsx", code=0)


def test_an_xlsb_is_named_not_read(tmp_path: Path) -> None:
    with zipfile.ZipFile("book.xlsx", "w") as archive:
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
    assert convert("book.xlsx") == [
        "error: book.xlsx is an Excel binary workbook (.xlsb), which yukimap does not read",
        "  fix: open it in Excel and save it as .xlsx"]
