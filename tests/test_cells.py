"""Workbooks read alike whatever saved them (.xlsx, old .xls, LibreOffice .ods): a formula
cell by the result saved with it; a date column with date cells in some rows and dates as
text in others; and an error cell (#DIV/0!, #N/A) is an error at its row and column, never
an empty value (unless the row is skipped)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, build_files, run_cli
from yukimap.errors import DataError
from yukimap.pipeline import convert_file

CELLS = REPO / "tests" / "data" / "cells"
MAPPING = """version: 1
target: journal
source: {date_format: "%d-%m-%Y"}
journal: {AdministrationID: 5a4db0c5-ad01-4e00-8000-000000000001, JournalType: GeneralJournal}
entries:
  - GLAccount: "1000"
    EntryDate: {column: Datum}
    Amount: {column: Bedrag}
    Description: {column: Omschrijving}
  - GLAccount: "4000"
    EntryDate: {column: Datum}
    Amount: {column: Bedrag, negate: true}
    Description: {column: Omschrijving}
"""
SKIP = "skip_rows: {column: Omschrijving, in: [Koffie, Melk]}\n"
FORMATS = ["cells.xlsx", "cells.xls", "cells.ods"]


@pytest.mark.parametrize("name", FORMATS)
def test_formulas_by_their_results_and_dates_as_cells_or_text(tmp_path: Path, name: str) -> None:
    mapping = build_files(tmp_path, {"m.yaml": MAPPING + SKIP})["m.yaml"]
    items = convert_file(CELLS / name, mapping).mapped.items
    first = items.filter(items["GLAccount"] == "1000")
    assert first["EntryDate"].to_list() == ["2024-11-01", "2024-11-03", "2024-11-05"]
    assert first["Amount"].to_list() == ["12.5", "25", "2.5"]


@pytest.mark.parametrize("name", FORMATS)
def test_an_error_cell_is_an_error_at_its_row_and_column(tmp_path: Path, name: str) -> None:
    mapping = build_files(tmp_path, {"m.yaml": MAPPING})["m.yaml"]
    with pytest.raises(DataError) as info:
        convert_file(CELLS / name, mapping)
    found = [(p.cause, p.where.rows, p.where.column, p.where.sheet, p.value, p.hint)
             for p in info.value.problems]  # and not also "is empty"
    hint = ("correct the formula in the workbook (or the cells it reads), save it, and export"
            " again")
    assert found == [
        ("an error in the workbook, not a value", (3,), "Bedrag", "Kas", "#DIV/0!", hint),
        ("an error in the workbook, not a value", (5,), "Bedrag", "Kas", "#N/A", hint),
    ]


def test_the_error_cells_as_a_user_sees_them(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"m.yaml": MAPPING})
    result = run_cli("convert", CELLS / "cells.xls", "-m", files["m.yaml"], "--dry-run")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        f"error: {CELLS / 'cells.xls'}: 1 problem in the data",
        "",
        "error: an error in the workbook, not a value",
        f"  in {CELLS / 'cells.xls'} (sheet Kas), column 'Bedrag' (C) (2 rows)",
        "    row 3: '#DIV/0!'",
        "    row 5: '#N/A'",
        "  fix: correct the formula in the workbook (or the cells it reads), save it, and"
        " export again",
    ]


def test_a_formula_saved_without_its_result_is_an_error_too(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()  # openpyxl writes formulas without calculating them
    sheet = book.active
    sheet.title = "Kas"
    sheet.append(["Datum", "Omschrijving", "Bedrag"])
    sheet.append(["01-11-2024", "Brood", 12.5])
    sheet.append(["02-11-2024", "Koffie", "=C2*2"])
    book.save(tmp_path / "script.xlsx")
    mapping = build_files(tmp_path, {"m.yaml": MAPPING})["m.yaml"]
    with pytest.raises(DataError) as info:
        convert_file(tmp_path / "script.xlsx", mapping)
    assert [(p.cause, p.where.rows, p.where.column, p.value, p.hint)
            for p in info.value.problems] == [
        ("a formula without its result: the program that wrote the workbook did not calculate"
         " it", (3,), "Bedrag", None,
         "open the workbook in Excel or LibreOffice and save it, then export again")]


def test_an_empty_required_cell_is_said_beside_a_value_of_its_column_that_fails(
        tmp_path: Path) -> None:
    """Each is its own problem: the empty date was lost when another date failed (the
    check of what failed said nothing, not no, of an empty cell)."""
    files = build_files(tmp_path, {"m.yaml": MAPPING,
                                   "kas.csv": "Datum;Omschrijving;Bedrag\n;a;1\n"
                                              "31-02-2024;b;2\n03-11-2024;c;3\n"})
    result = run_cli("convert", files["kas.csv"], "-m", files["m.yaml"], "--dry-run")
    assert result.code == 1
    assert result.stderr.splitlines()[2:] == [
        "error: not a date in the format dd-mm-yyyy",
        f"  in {files['kas.csv']}, column 'Datum' (A), for entries.EntryDate",
        "    row 3: '31-02-2024'",
        "  fix: correct the value, or add its format to date_format under source:",
        "error: is empty",
        f"  in {files['kas.csv']}, column 'Datum' (A), for entries.EntryDate",
        "    row 2",
        "  fix: fill in the cell, or add default: VALUE to the field for empty cells",
    ]


def test_two_kinds_of_item_reading_one_empty_cell_say_it_once(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"m.yaml": MAPPING,
                                   "kas.csv": "Datum;Omschrijving;Bedrag\n01-11-2024;a;\n"
                                              "02-11-2024;b;\n03-11-2024;c;3\n"})
    result = run_cli("convert", files["kas.csv"], "-m", files["m.yaml"], "--dry-run")
    assert result.stderr.splitlines()[2:] == [
        "error: is empty",
        f"  in {files['kas.csv']}, column 'Bedrag' (C), for entries.Amount (2 rows)",
        "    rows 2-3",
        "  fix: fill in the cell, or add default: VALUE to the field for empty cells",
    ]
