"""yukimap init: a commented starter mapping for an export, from the file alone.

Golden files: tests/init/<example>.yaml is what init writes for each shipped example
(regenerate on purpose with --update-golden and review the diff); tests/init/accuracy.txt
holds init's guesses against the shipped mapping of each example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO, build_files, run_cli
from tests.test_golden import _compare
from yukimap.authoring.synonyms import guess_target, match, normalise

EXAMPLES = sorted(p for p in (REPO / "examples").iterdir() if p.suffix in (".csv", ".xlsx"))
GOLDEN = REPO / "tests" / "init"


@pytest.fixture
def at_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def _source_block(text: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index("source:")
    return lines[start: lines.index("", start)]


# --- the header names -------------------------------------------------------------------


@pytest.mark.parametrize("header,key,included", [
    ("Bedrag (EUR)", "bedrag", None),
    ("Stukprijs incl. btw", "stukprijs", True),
    ("Price excl. VAT", "price", False),
    ("E-mail", "email", None),
    ("Btw %", "btw%", None),
    ("Référence", "reference", None),
    ("  Naam / Omschrijving ", "naamomschrijving", None),
])
def test_a_header_is_looked_up_without_case_accents_punctuation_and_qualifiers(
        header: str, key: str, included: bool | None) -> None:
    assert (normalise(header).key, normalise(header).vat_included) == (key, included)


def test_the_same_fields_by_dutch_and_english_names() -> None:
    dutch = ["Factuurnummer", "Datum", "Klant", "Omschrijving", "Aantal", "Prijs", "BTW"]
    english = ["Invoice number", "Date", "Customer", "Description", "Qty", "Price", "VAT %"]
    for headers in (dutch, english):
        assert list(match(headers, "sales_invoices")) == [
            "invoice.Reference", "invoice.Date", "invoice.Contact.FullName",
            "lines.ProductQuantity", "lines.Product.Description", "lines.Product.SalesPrice",
            "lines.Product.VATPercentage"]
    assert match(["Boekdatum", "Debet", "Credit", "Af/Bij", "Bedrag"], "journal") == {
        "entries.EntryDate": "Boekdatum", "entries.Amount@debit": "Debet",
        "entries.Amount@credit": "Credit", "entries.Amount@sign": "Af/Bij",
        "entries.Amount": "Bedrag"}


def test_the_target_is_guessed_and_how_sure_is_said() -> None:
    sure = guess_target(["Factuurnummer", "Datum", "Aantal", "Prijs", "Omschrijving"])
    assert (sure.target, sure.sure) == ("sales_invoices", True)
    unsure = guess_target(["Datum", "Kassa", "Betaalwijze", "Btw-tarief", "Omzet incl. btw"])
    assert (unsure.target, unsure.sure) == ("journal", False)


# --- how the file is laid out -----------------------------------------------------------

TITLED = ("Rekeningoverzicht Café Één\t\t\t\r\n"
          "Periode:\t01-11-2024\tt/m\t30-11-2024\r\n"
          "\t\t\t\r\n"
          "Datum\tOmschrijving\tBedrag\tAf/Bij\r\n"
          "15-11-2024\tCafé de Zon\t12,50\tAf\r\n"
          "16-11-2024\tVerkoop\t1.250,00\tBij\r\n")


def test_a_csv_below_title_rows_in_cp1252_with_tabs(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"bank.txt": TITLED.encode("cp1252")})
    result = run_cli("init", files["bank.txt"], "--output", "-")
    assert result.code == 0
    assert _source_block(result.stdout) == [
        "source:",
        "  encoding: cp1252                # not UTF-8; every byte reads as Windows' cp1252",
        '  delimiter: "\\t"                 # between the columns',
        "  header_row: 4                   # the column names; rows 1-3 above them",
        '  decimal_mark: ","               # 12,50 in Bedrag',
        '  thousands_separator: "."        # 1.250,00 in Bedrag',
        '  date_format: "%d-%m-%Y"         # Datum: 15-11-2024 is 2024-11-15',
    ]
    assert "  EntryDate: {column: Datum}" in result.stdout.splitlines()


def test_readings_that_remain_are_listed_not_chosen(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"e.csv": "Datum;Bedrag;Omschrijving;Grootboekrekening\n"
                                            "01-02-2024;1.000;Huur;4100\n"
                                            "03-04-2024;2.500;Huur;4100\n"})
    result = run_cli("init", files["e.csv"], "--output", "-")
    assert _source_block(result.stdout) == [
        "source:",
        "  encoding: utf-8                 # every byte reads as UTF-8",
        '  delimiter: ";"                  # between the columns',
        "  # decimal_mark: not stated: the numbers of Bedrag read both ways (1.000, 2.500: with '.'",
        "  # or ',' as the decimal mark); set the export's: decimal_mark: \",\" or \".\"",
        "  # date_format: not stated: Datum reads as dd-mm-yyyy or mm-dd-yyyy, and no value tells",
        '  # them apart; add the one the export uses, e.g. date_format: "%d-%m-%Y"',
    ]


def test_a_workbook_the_sheet_with_the_data_and_its_header_below_an_empty_row(
        tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    info = book.active
    info.title = "Info"
    info.append(["Gegenereerd door", "KassaPro 7.2"])
    data = book.create_sheet("Verkopen")
    data.append([])
    data.append(["Kassa-export Bakkerij, 18-11-2024"])
    data.append([])
    data.append(["Bonnummer", "Datum", "Omschrijving", "Aantal", "Prijs", "Btw %"])
    for n in range(3):
        data.append([f"B{n // 2}", "2024-11-18", "Brood", 1, 3.45, 9])
    book.save(tmp_path / "kassa.xlsx")
    result = run_cli("init", tmp_path / "kassa.xlsx", "--output", "-")
    assert result.code == 0, result.stderr
    assert _source_block(result.stdout) == [
        "source:",
        "  sheet: Verkopen                 # the data (of Info, Verkopen)",
        "  header_row: 4                   # the column names; rows 1-3 above them",
        '  decimal_mark: "."               # 3.45 in Prijs',
    ]


def test_a_file_without_column_names_is_refused_with_what_to_do(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"ing.csv": "20241101;NL12INGB0001234567;12,50;Af\n"
                                              "20241102;NL12INGB0001234567;8,10;Bij\n"})
    result = run_cli("init", files["ing.csv"], "-o", tmp_path / "ing.yaml")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: {files['ing.csv']} seems to have no row of column names: its first row holds"
        " values, not names\n"
        "  fix: yukimap finds columns by their names: add a row with a name for each column at"
        " the top of the file, then run init again\n")


# --- the command ------------------------------------------------------------------------


def test_init_writes_the_mapping_next_to_where_it_runs_and_never_overwrites(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    export = REPO / "examples" / "cash-book.csv"
    result = run_cli("init", export)
    assert (result.code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        f"wrote cash-book.yaml: a starter mapping for {export}",
        "  target  petty_cash (guessed from the column names: sure)",
        '  read    CSV, utf-8, columns separated by ";", column names on row 1, 7 columns,'
        " 6 rows",
        "  used    7 of the 7 columns",
        "  TODO    6 to fill in, on lines 33, 41, 42, 43, 44, 45",
        f"next: fill in the TODOs, then: yukimap check cash-book.yaml --sample {export}",
    ]
    assert (tmp_path / "cash-book.yaml").read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=")
    again = run_cli("init", export)
    assert (again.code, again.stdout) == (2, "")
    assert again.stderr == ("error: cash-book.yaml exists already: init never overwrites a"
                            " mapping\n  fix: give another name: --output cash-book-2.yaml\n")


def test_the_target_can_be_given(tmp_path: Path) -> None:
    result = run_cli("init", REPO / "examples" / "pos-daily.csv", "--target", "petty_cash",
                     "-o", "-")
    assert "target: petty_cash" in result.stdout.splitlines()
    assert "# The target, petty_cash (petty cash statements), as asked with --target." in \
        result.stdout


@pytest.mark.usefixtures("at_repo")
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_init_on_every_shipped_example(example: Path, update_golden: bool) -> None:
    relative = example.relative_to(REPO)
    result = run_cli("init", relative, "--output", "-")
    assert result.code == 0, result.stderr
    _compare(GOLDEN / f"{example.stem}.yaml", result.stdout, update_golden)
    todos = re.findall(r"(?<![\w'\"])TODO(?![\w'\"])",
                       "\n".join(line.split(" # ")[0] for line in result.stdout.splitlines()
                                 if not line.lstrip().startswith("#")))
    summary = result.stderr.splitlines()
    assert (f"  TODO    {len(todos)} to fill in" in result.stderr) == bool(todos), summary
