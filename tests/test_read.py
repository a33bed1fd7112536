"""Tests of the reader stage: real CSV and workbook files written to tmp_path."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from tests.conftest import build_files
from yukimap.errors import SourceError
from yukimap.frames import ROW, Table
from yukimap.model import Source
from yukimap.read import read_table


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    """Write `content` to tmp_path/name exactly, text in `encoding`, and return the path."""
    data = content if isinstance(content, bytes) else content.encode(encoding)
    return build_files(tmp_path, {name: data})[name]


def read(path: Path, **source: Any) -> Table:
    return read_table(path, Source(**source))


def fails(path: Path, **source: Any) -> SourceError:
    with pytest.raises(SourceError) as caught:
        read(path, **source)
    return caught.value


def rows(table: Table) -> list[tuple[Any, ...]]:
    """Records as tuples of the header columns, then the row number."""
    return table.frame.select([*table.columns, ROW]).rows()


# ---------------------------------------------------------------------------------------
# CSV: delimiters


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    text = delimiter.join(["Code", "Name", "Amount"]) + "\n"
    text += delimiter.join(["1", '"Jansen; Smit, & Co"', "12.50"]) + "\n"
    text += delimiter.join(["2", "Pieters", "3"]) + "\n"
    table = read(write(tmp_path, "export.csv", text))
    assert table.delimiter == delimiter
    assert table.columns == ("Code", "Name", "Amount")
    assert rows(table) == [("1", "Jansen; Smit, & Co", "12.50", 2), ("2", "Pieters", "3", 3)]


def test_explicit_delimiter_wins(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", "a;b,c\n1;2,3\n")
    table = read(path, delimiter=",")
    assert table.delimiter == ","
    assert table.columns == ("a;b", "c")
    assert rows(table) == [("1;2", "3", 2)]


def test_ambiguous_delimiter_is_refused(tmp_path: Path) -> None:
    error = fails(write(tmp_path, "export.csv", "a;b,c\n1;2,3\n4;5,6\n"))
    assert "cannot tell which character separates the columns" in error.message
    assert "export.csv" in error.message
    assert error.hint is not None and 'delimiter: ";"' in error.hint


def test_delimiter_that_does_not_fit_the_rows_is_refused(tmp_path: Path) -> None:
    error = fails(write(tmp_path, "export.csv", "a;b\n1;2\n3;4;5\n"))
    assert "cannot tell which character separates the columns" in error.message
    assert "row 3 has 3" in error.message


def test_one_column_file(tmp_path: Path) -> None:
    table = read(write(tmp_path, "names.csv", "Name\nSmith\n\nJones\n"))
    assert table.delimiter is None
    assert rows(table) == [("Smith", 2), ("Jones", 4)]


def test_title_taken_for_the_header_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", "Sales report\nCode;Amount\n1;2\n3;4\n5;6\n")
    error = fails(path)
    assert "row 1" in error.message and "2 columns" in error.message
    assert error.hint is not None and "header_row" in error.hint


# ---------------------------------------------------------------------------------------
# CSV: rows and numbering


def test_quoted_newline_is_one_row(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", 'id;text\n1;"two\nlines; really"\n2;after\n')
    table = read(path)
    assert rows(table) == [("1", "two\nlines; really", 2), ("2", "after", 3)]


def test_crlf_line_endings(tmp_path: Path) -> None:
    table = read(write(tmp_path, "export.csv", "a;b\r\n1;2\r\n\r\n3;4\r\n"))
    assert table.columns == ("a", "b")
    assert rows(table) == [("1", "2", 2), ("3", "4", 4)]


def test_blank_line_in_the_middle_keeps_numbering(tmp_path: Path) -> None:
    table = read(write(tmp_path, "export.csv", "a;b\n1;2\n\n;\n 3 ;4\n"))
    assert rows(table) == [("1", "2", 2), ("3", "4", 5)]
    assert table.frame.schema[ROW] == pl.Int64


def test_header_row_below_title_lines(tmp_path: Path) -> None:
    text = 'Sales report "Q1"\n\nCode;Amount\n1;2\n3;4\n'
    table = read(write(tmp_path, "export.csv", text), header_row=3)
    assert table.columns == ("Code", "Amount")
    assert rows(table) == [("1", "2", 4), ("3", "4", 5)]


def test_header_row_beyond_the_file(tmp_path: Path) -> None:
    error = fails(write(tmp_path, "export.csv", "a;b\n1;2\n"), header_row=5)
    assert "row 5" in error.message and "only 2 row(s)" in error.message


def test_empty_header_row_points_at_the_first_text(tmp_path: Path) -> None:
    error = fails(write(tmp_path, "export.csv", "\n\r\nCode;Amount\n1;2\n"))
    assert "row 1" in error.message and "empty" in error.message
    assert error.hint is not None and "header_row: 3" in error.hint


def test_skip_last_drops_the_footer(tmp_path: Path) -> None:
    text = "a;b\n1;2\n3;4\nTotal;6\n\n"
    table = read(write(tmp_path, "export.csv", text), skip_last=1)
    assert rows(table) == [("1", "2", 2), ("3", "4", 3)]


def test_header_only_file_gives_an_empty_frame(tmp_path: Path) -> None:
    table = read(write(tmp_path, "export.csv", "Code;Amount\n"))
    assert table.columns == ("Code", "Amount")
    assert table.frame.height == 0
    assert table.frame.schema == pl.Schema({"Code": pl.String, "Amount": pl.String, ROW: pl.Int64})


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b" \r\n\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    error = fails(write(tmp_path, "export.csv", content))
    assert error.message == f"{tmp_path / 'export.csv'} is empty"


# ---------------------------------------------------------------------------------------
# CSV: values and names


def test_values_stay_text_with_leading_zeros(tmp_path: Path) -> None:
    table = read(write(tmp_path, "export.csv", "Code;Amount;Date\n00123;1.50;01-02-2024\n"))
    assert rows(table) == [("00123", "1.50", "01-02-2024", 2)]
    assert all(table.frame.schema[c] == pl.String for c in table.columns)


def test_whitespace_is_trimmed_and_empty_is_null(tmp_path: Path) -> None:
    text = 'a;b;c;d\n  x  ;\u00a0y\u00a0;"";\n'
    table = read(write(tmp_path, "export.csv", text))
    assert rows(table) == [("x", "y", None, None, 2)]


def test_duplicate_and_empty_header_names(tmp_path: Path) -> None:
    text = " Name ;;Name;Amount;\n1;2;3;4;5\n"
    table = read(write(tmp_path, "export.csv", text))
    assert table.columns == ("Name", "(B)", "Name (C)", "Amount", "(E)")
    assert table.letters == {"Name": "A", "(B)": "B", "Name (C)": "C", "Amount": "D", "(E)": "E"}
    assert rows(table) == [("1", "2", "3", "4", "5", 2)]


def test_too_many_fields_lists_every_row(tmp_path: Path) -> None:
    text = "a;b\n1;2\n3;4;5\n6;7\n8;9;10;\n11;12\n"
    error = fails(write(tmp_path, "export.csv", text), delimiter=";")
    assert "2 row(s)" in error.message and "more fields than the header" in error.message
    assert [p.where.rows for p in error.problems] == [(3,), (5,)]
    assert {p.cause for p in error.problems} == {"more fields than the header (2)"}
    assert [p.value for p in error.problems] == ["3 fields", "4 fields"]
    assert error.hint is not None and "delimiter" in error.hint and "quotes" in error.hint


def test_too_many_fields_after_the_sniffed_rows(tmp_path: Path) -> None:
    text = "a;b\n" + "1;2\n" * 60 + '"x;y";3;4\n'
    error = fails(write(tmp_path, "export.csv", text))
    assert [p.where.rows for p in error.problems] == [(62,)]


def test_fewer_fields_are_null(tmp_path: Path) -> None:
    table = read(write(tmp_path, "export.csv", "a;b;c\n1;2;3\n4\n5;6;7\n"))
    assert rows(table) == [("1", "2", "3", 2), ("4", None, None, 3), ("5", "6", "7", 4)]


def test_quote_that_is_never_closed(tmp_path: Path) -> None:
    error = fails(write(tmp_path, "export.csv", 'a;b\n1;2\n3;5" screen\n6;7\n'), delimiter=";")
    assert "row 3" in error.message and "never closed" in error.message
    assert error.problems[0].where.rows == (3,)


def test_badly_quoted_values_are_listed(tmp_path: Path) -> None:
    text = 'a;b\n"1";"2"x\n3;4\n"5" ;6\n'
    error = fails(write(tmp_path, "export.csv", text), delimiter=";")
    assert "2 row(s)" in error.message and "badly quoted" in error.message
    assert [p.where.rows for p in error.problems] == [(2,), (4,)]


def test_quoting_switched_off(tmp_path: Path) -> None:
    table = read(write(tmp_path, "export.csv", 'a;b\n1;5" screen\n6;7\n'), quote="")
    assert rows(table) == [("1", '5" screen', 2), ("6", "7", 3)]


# ---------------------------------------------------------------------------------------
# CSV: encodings


def test_utf8_bom_is_removed(tmp_path: Path) -> None:
    table = read(write(tmp_path, "export.csv", "\ufeffCode;Name\n1;Café\n"))
    assert table.columns == ("Code", "Name")
    assert table.encoding == "utf-8"
    assert rows(table) == [("1", "Café", 2)]


def test_cp1252_with_encoding_setting(tmp_path: Path) -> None:
    text = "Omschrijving;Bedrag\nCafé;€ 12,50\n"
    path = write(tmp_path, "export.csv", text, encoding="cp1252")
    table = read(path, encoding="cp1252")
    assert table.encoding == "cp1252"
    assert rows(table) == [("Café", "€ 12,50", 2)]


@pytest.mark.parametrize("spelling", ["utf8", "UTF-8", "utf_8"])
def test_utf8_spellings(tmp_path: Path, spelling: str) -> None:
    table = read(write(tmp_path, "export.csv", "a;b\n1;é\n"), encoding=spelling)
    assert table.encoding == "utf-8"
    assert rows(table) == [("1", "é", 2)]


def test_cp1252_read_as_utf8_names_offset_and_line(tmp_path: Path) -> None:
    content = "Omschrijving;Bedrag\nThee;3\nCafé;4\n".encode("cp1252")
    error = fails(write(tmp_path, "export.csv", content))
    offset = content.index(b"\xe9")
    assert f"byte offset {offset}" in error.message
    assert "(line 3)" in error.message
    assert "E9" in error.message and "Caf[E9];4" in error.message
    assert error.hint is not None and "encoding: cp1252" in error.hint


def test_utf16_with_bom_wins_over_the_setting(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", "Naam;Bedrag\r\nJosé;€ 5\r\n", encoding="utf-16")
    for setting in ("utf-8", "cp1252"):
        table = read(path, encoding=setting)
        assert table.encoding == "utf-16"
        assert rows(table) == [("José", "€ 5", 2)]


def test_utf16_without_bom_is_explained(tmp_path: Path) -> None:
    error = fails(write(tmp_path, "export.csv", "a;b\n1;2\n", encoding="utf-16-le"))
    assert "NUL" in error.message
    assert error.hint is not None and "utf-16" in error.hint


@pytest.mark.parametrize("setting", ["klingon", "base64"])
def test_unknown_encoding(tmp_path: Path, setting: str) -> None:
    error = fails(write(tmp_path, "export.csv", "a;b\n1;2\n"), encoding=setting)
    assert setting in error.message
    assert error.hint is not None and "cp1252" in error.hint and "latin-1" in error.hint


# ---------------------------------------------------------------------------------------
# Format and file


def test_unknown_extension(tmp_path: Path) -> None:
    error = fails(write(tmp_path, "export.json", "{}"))
    assert ".json" in error.message and ".csv" in error.message and ".xlsx" in error.message
    assert error.hint == "set format: csv (or excel, camt053, mt940) under source:"


def test_format_setting_overrides_the_extension(tmp_path: Path) -> None:
    table = read(write(tmp_path, "export.dat", "a|b\n1|2\n"), format="csv")
    assert rows(table) == [("1", "2", 2)]


def test_missing_file(tmp_path: Path) -> None:
    error = fails(tmp_path / "nowhere.csv")
    assert "cannot find" in error.message and "nowhere.csv" in error.message


# ---------------------------------------------------------------------------------------
# Excel


def xlsx(tmp_path: Path, name: str, sheets: dict[str, dict[str, Any]]) -> Path:
    """A workbook with one sheet per entry, each a {cell: value} dict."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, cells in sheets.items():
        sheet = book.create_sheet(title)
        for ref, value in cells.items():
            sheet[ref] = value
    path = tmp_path / name
    book.save(path)
    return path


def two_sheets(tmp_path: Path) -> Path:
    return xlsx(
        tmp_path,
        "book.xlsx",
        {
            "Orders": {"A1": "Order", "B1": "Amount", "A2": "O-1", "B2": 10},
            "Payments": {"A1": "Payment", "A2": "P-1", "A3": "P-2"},
        },
    )


def test_xlsx_first_sheet_by_default(tmp_path: Path) -> None:
    table = read(two_sheets(tmp_path))
    assert table.sheet == "Orders" and table.delimiter is None and table.encoding is None
    assert rows(table) == [("O-1", "10", 2)]


@pytest.mark.parametrize("sheet", ["Payments", 2])
def test_xlsx_sheet_by_name_and_position(tmp_path: Path, sheet: str | int) -> None:
    table = read(two_sheets(tmp_path), sheet=sheet)
    assert table.sheet == "Payments"
    assert rows(table) == [("P-1", 2), ("P-2", 3)]


def test_xlsx_unknown_sheet_lists_nearest_first(tmp_path: Path) -> None:
    error = fails(two_sheets(tmp_path), sheet="Payment")
    assert "'Payment'" in error.message
    assert error.message.index("'Payments'") < error.message.index("'Orders'")
    assert error.hint == 'sheet: "Payments"'


def test_xlsx_sheet_position_out_of_range(tmp_path: Path) -> None:
    error = fails(two_sheets(tmp_path), sheet=3)
    assert "2 sheet(s)" in error.message


def test_xlsx_header_on_row_3(tmp_path: Path) -> None:
    cells = {"A1": "Sales report", "A3": "Code", "B3": "Amount", "A4": "1", "B4": 5, "A6": "2"}
    table = read(xlsx(tmp_path, "book.xlsx", {"S": cells}), header_row=3)
    assert table.columns == ("Code", "Amount")
    assert rows(table) == [("1", "5", 4), ("2", None, 6)]


def test_xlsx_table_in_column_c_below_empty_rows(tmp_path: Path) -> None:
    cells = {"C4": "Code", "D4": "Amount", "E4": "Note", "C5": "A", "D5": 1, "D7": 2, "E8": "x"}
    path = xlsx(tmp_path, "book.xlsx", {"S": cells})
    table = read(path, header_row=4)
    assert table.letters == {"Code": "C", "Amount": "D", "Note": "E"}
    assert rows(table) == [("A", "1", None, 5), (None, "2", None, 7), (None, None, "x", 8)]
    # The default header row is empty there: say where the text starts.
    error = fails(path)
    assert "row 1" in error.message
    assert error.hint is not None and "header_row: 4" in error.hint


def test_xlsx_cell_types_become_text(tmp_path: Path) -> None:
    cells = {
        "A1": "Date", "B1": "When", "C1": "Amount", "D1": "Count", "E1": "Whole",
        "F1": "Paid", "G1": "Code", "H1": "Time",
        "A2": dt.date(2024, 3, 1), "B2": dt.datetime(2024, 3, 1, 13, 45, 10), "C2": 14.88,
        "D2": 2, "E2": 2.0, "F2": True, "G2": "00123", "H2": dt.time(9, 30),
        "A3": dt.datetime(2024, 3, 2), "C3": 0.1 + 0.2, "F3": False, "G3": " 007 ",
    }  # fmt: skip
    table = read(xlsx(tmp_path, "book.xlsx", {"S": cells}))
    assert rows(table) == [
        ("2024-03-01", "2024-03-01 13:45:10", "14.88", "2", "2", "true", "00123", "09:30:00", 2),
        ("2024-03-02", None, "0.3", None, None, "false", "007", None, 3),
    ]


def test_xls_written_by_xlwt(tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("Blad1")
    dates = xlwt.easyxf(num_format_str="DD-MM-YYYY")
    for col, title in enumerate(["Code", "Amount", "Date", "Count", "Paid"], start=1):
        sheet.write(1, col, title)  # header on row 2, from column B
    sheet.write(2, 1, "00123")
    sheet.write(2, 2, 14.88)
    sheet.write(2, 3, dt.date(2024, 3, 1), dates)
    sheet.write(2, 4, 2)
    sheet.write(2, 5, True)
    sheet.write(4, 1, "x")
    path = tmp_path / "old.xls"
    book.save(str(path))
    table = read(path, header_row=2)
    assert table.letters["Code"] == "B" and table.letters["Paid"] == "F"
    assert rows(table) == [
        ("00123", "14.88", "2024-03-01", "2", "true", 3),
        ("x", None, None, None, None, 5),
    ]


def ods(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    """A minimal OpenDocument spreadsheet; each cell is given as its <table:table-cell> XML."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    tables = "".join(
        f'<table:table table:name="{name}">'
        + "".join(f"<table:table-row>{''.join(row)}</table:table-row>" for row in rows)
        + "</table:table>"
        for name, rows in sheets.items()
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        mimetype = "application/vnd.oasis.opendocument.spreadsheet"
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return path


def cell(value: str, kind: str = "string") -> str:
    """One .ods cell: a string, or a float or date with its value in an attribute."""
    value_attr = {"float": f' office:value="{value}"', "date": f' office:date-value="{value}"'}
    attrs = f'office:value-type="{kind}"{value_attr.get(kind, "")}'
    return f"<table:table-cell {attrs}><text:p>{value}</text:p></table:table-cell>"


def test_ods_built_by_hand(tmp_path: Path) -> None:
    empty = "<table:table-cell/>"
    path = ods(
        tmp_path / "book.ods",
        {
            "Blad1": [
                [],
                [empty, cell("Code"), cell("Amount"), cell("Date"), cell("When")],
                [empty, cell("00123"), cell("14.88", "float"), cell("2024-03-01", "date"),
                 cell("2024-03-01T13:45:10", "date")],
                [],
                [empty, cell("x"), cell("2", "float"), cell("2024-03-02T00:00:00", "date")],
            ],
            "Blad2": [[cell("other")]],
        },
    )  # fmt: skip
    table = read(path, header_row=2)
    assert table.sheet == "Blad1"
    assert table.letters == {"Code": "B", "Amount": "C", "Date": "D", "When": "E"}
    assert rows(table) == [
        ("00123", "14.88", "2024-03-01", "2024-03-01 13:45:10", 3),
        ("x", "2", "2024-03-02", None, 5),
    ]


def test_empty_sheet(tmp_path: Path) -> None:
    path = xlsx(tmp_path, "book.xlsx", {"Data": {"A1": "a"}, "Leeg": {}})
    error = fails(path, sheet="Leeg")
    assert "sheet 'Leeg'" in error.message and "is empty" in error.message


def test_xlsx_header_row_beyond_the_sheet(tmp_path: Path) -> None:
    error = fails(two_sheets(tmp_path), header_row=9)
    assert "row 9" in error.message and "only 2 row(s)" in error.message


def test_truncated_xlsx(tmp_path: Path) -> None:
    whole = two_sheets(tmp_path).read_bytes()
    path = write(tmp_path, "half.xlsx", whole[: len(whole) // 2])
    error = fails(path)
    assert error.message.startswith(f"cannot open {path} as an Excel workbook: ")
    assert error.hint is not None and "still being copied" in error.hint


def test_truncated_xls_is_an_error_not_a_crash(tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("S")
    for row in range(200):
        sheet.write(row, 0, f"value {row}")
    whole = tmp_path / "whole.xls"
    book.save(str(whole))
    content = whole.read_bytes()
    path = write(tmp_path, "half.xls", content[: len(content) // 2])
    error = fails(path)
    assert "cannot open" in error.message and "cut short" in error.message


def test_xlsx_that_is_a_text_file(tmp_path: Path) -> None:
    error = fails(write(tmp_path, "export.xlsx", "Code;Amount\n1;2\n"))
    path = tmp_path / "export.xlsx"
    reason = "it is a text file, not a workbook"
    assert error.message == f"cannot open {path} as an Excel workbook: {reason}"
    assert error.hint is not None
    assert "export it again" in error.hint and "format: csv" in error.hint
