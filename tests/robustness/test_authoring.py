"""init, preview and test on inputs a person might not expect, in a real subprocess within
the suite's bounds: a big export (every value of every column read), a workbook of many
sheets, a file that is no export at all."""

from __future__ import annotations

from pathlib import Path

from tests.robustness.conftest import Bounded, Write


def test_init_reads_every_value_of_a_big_export_within_bounds(bounded: Bounded,
                                                              write: Write) -> None:
    rows = "".join(f"{20240101 + n % 28};Omschrijving {n};{n % 9000},{n % 100:02d};"
                   f"NL{n:016d};{'Af' if n % 3 else 'Bij'}\n" for n in range(150_000))
    export = write("bank.csv", "Datum;Omschrijving;Bedrag;Tegenrekening;Af Bij\n" + rows)
    outcome = bounded("init", export, "-o", "-", seconds=30)
    assert outcome.code == 0
    assert '  decimal_mark: ","               # 0,00 in Bedrag' in outcome.stdout
    assert '  date_format: "%Y%m%d"           # Datum: 20240113 is 2024-01-13' in outcome.stdout
    assert "      fallback: TODO              # any other account, e.g. 2100 (Vraagposten)" in \
        outcome.stdout  # too many counter accounts to list: the fallback takes them


def test_init_looks_at_the_first_twenty_sheets_of_a_workbook(bounded: Bounded,
                                                             tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Leeg"])
    for n in range(1, 30):
        sheet = book.create_sheet(f"Blad {n}")
        sheet.append(["Datum", "Omschrijving", "Bedrag"])
        for day in range(1, 2 + n % 5):
            sheet.append([f"2024-11-{day:02d}", "Kosten", day * 1.5])
    book.save(tmp_path / "many.xlsx")
    outcome = bounded("init", tmp_path / "many.xlsx", "-o", "-", seconds=30)
    assert outcome.code == 0
    assert ("  sheet: Blad 4                   # the data (of 30 sheets; init looked at the"
            " first 20)") in outcome.stdout.splitlines()


def test_a_binary_file_is_refused(bounded: Bounded, write: Write) -> None:
    outcome = bounded("init", write("x.csv", b"\x00\x01\x02" * 1000), "-o", "-")
    assert outcome.code == 1
    assert outcome.stdout == ""
    assert outcome.stderr.startswith("error: ")
