"""yukimap test: snapshot tests that live next to a user's mapping.

MAPPING.tests/<case>/ holds an input file and the output the mapping made when the case was
approved (expected.xml or expected.csv, one file per document when it makes several,
expected-summary.txt; expected-error.txt for an input that must be refused). `yukimap test`
converts each case again and shows what changed; --update approves; --add makes a case."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, build_files, run_cli

MAPPING = """\
version: 1
target: petty_cash
source: {delimiter: ";", decimal_mark: ",", date_format: "%d-%m-%Y"}
statement: {CashAccount: "1000", OpeningBalance: "100.00"}
lines:
  Date: {column: Datum}
  Description: {column: Omschrijving}
  Amount: {debit: Ontvangst, credit: Uitgave}
  OffsetAccount: {column: Categorie, map: {Omzet: "8000", Porti: "4320"}}
"""
NOVEMBER = """\
Datum;Omschrijving;Ontvangst;Uitgave;Categorie
01-11-2024;Verkoop;12,50;;Omzet
02-11-2024;Postzegels;;3,10;Porti
"""


@pytest.fixture
def kas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.chdir(tmp_path)
    return build_files(tmp_path, {"kas.yaml": MAPPING, "november.csv": NOVEMBER})


def test_a_mapping_without_cases_says_how_to_add_one(kas: dict[str, Path]) -> None:
    result = run_cli("test", "kas.yaml")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == (
        "error: kas.yaml has no test cases yet: a case is a folder in kas.tests/ with an"
        " input file and the output it should give\n"
        "  fix: add one from a sample export: yukimap test kas.yaml --add SAMPLE\n")


def test_add_a_case_then_it_passes(kas: dict[str, Path]) -> None:
    added = run_cli("test", "kas.yaml", "--add", "november.csv")
    assert (added.code, added.stderr) == (0, "")
    assert added.stdout.splitlines() == [
        "added the case november: kas.tests/november/ (input.csv, expected.csv,"
        " expected-summary.txt)",
        "it holds what kas.yaml makes of november.csv now: read expected.csv and"
        " expected-summary.txt, and if they are right, commit the folder",
    ]
    folder = Path("kas.tests/november")
    assert sorted(p.name for p in folder.iterdir()) == [
        "expected-summary.txt", "expected.csv", "input.csv"]
    assert (folder / "expected.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        "1000;;;8000;;01-11-2024;Verkoop;12,50;112,50",
        "1000;;;4320;;02-11-2024;Postzegels;-3,10;109,40"]
    result = run_cli("test", "kas.yaml")
    assert (result.code, result.stderr) == (0, "")
    assert result.stdout == "ok       november\n1 case, all as approved\n"


def test_a_changed_mapping_shows_the_difference_and_fails(kas: dict[str, Path]) -> None:
    run_cli("test", "kas.yaml", "--add", "november.csv")
    kas["kas.yaml"].write_text(MAPPING.replace('Porti: "4320"', 'Porti: "4300"'))
    result = run_cli("test", "kas.yaml")
    assert (result.code, result.stderr) == (1, "")
    assert result.stdout.splitlines() == [
        "CHANGED  november",
        "--- kas.tests/november/expected-summary.txt (approved)",
        "+++ kas.tests/november/expected-summary.txt (now)",
        "@@ -8,5 +8,5 @@",
        "     input.csv      2   100.00  12.50  -3.10   109.40",
        "   rows per value of lines.OffsetAccount (map: on 'Categorie'):",
        "     Omzet -> 8000  1",
        "-    Porti -> 4320  1",
        "+    Porti -> 4300  1",
        "   (yukimap test)",
        "--- kas.tests/november/expected.csv (approved)",
        "+++ kas.tests/november/expected.csv (now)",
        "@@ -1,3 +1,3 @@",
        " Grootboekrekening kas;Kas omschrijving;Transactie code;Tegenrekening;"
        "Naam tegenrekening;Datum transactie;Omschrijving;Bedrag;Saldo kas",
        " 1000;;;8000;;01-11-2024;Verkoop;12,50;112,50",
        "-1000;;;4320;;02-11-2024;Postzegels;-3,10;109,40",
        "+1000;;;4300;;02-11-2024;Postzegels;-3,10;109,40",
        "1 of 1 case changed: if the new output is what you meant, approve it:"
        " yukimap test kas.yaml --update",
    ]


def test_update_approves_and_says_what_changed(kas: dict[str, Path]) -> None:
    run_cli("test", "kas.yaml", "--add", "november.csv")
    kas["kas.yaml"].write_text(MAPPING.replace('Porti: "4320"', 'Porti: "4300"'))
    result = run_cli("test", "kas.yaml", "--update")
    assert (result.code, result.stderr) == (0, "")
    assert result.stdout == (
        "approved november: expected-summary.txt (1 line changed),"
        " expected.csv (1 line changed)\n"
        "1 of 1 case approved anew\n")
    assert run_cli("test", "kas.yaml").code == 0


def test_an_input_that_must_be_refused_is_a_case_too(kas: dict[str, Path]) -> None:
    build_files(Path("kas.tests/bad-date"), {
        "input.csv": "Datum;Omschrijving;Ontvangst;Uitgave;Categorie\n"
                     "31-02-2024;Verkoop;12,50;;Omzet\n"})
    first = run_cli("test", "kas.yaml")
    assert first.code == 1
    assert first.stdout.splitlines()[:3] == [
        "NEW      bad-date",
        "--- kas.tests/bad-date/expected-error.txt (approved)",
        "+++ kas.tests/bad-date/expected-error.txt (now)",
    ]
    assert run_cli("test", "kas.yaml", "--update").code == 0
    assert Path("kas.tests/bad-date/expected-error.txt").read_text().splitlines()[0] == (
        "error: input.csv: 1 problem in the data")
    assert run_cli("test", "kas.yaml").stdout == "ok       bad-date\n1 case, all as approved\n"


def test_a_case_that_now_fails_shows_the_error(kas: dict[str, Path]) -> None:
    run_cli("test", "kas.yaml", "--add", "november.csv")
    kas["kas.yaml"].write_text(MAPPING.replace(', Porti: "4320"', ""))
    result = run_cli("test", "kas.yaml")
    assert result.code == 1
    assert result.stdout.splitlines()[:4] == [
        "CHANGED  november",
        "--- kas.tests/november/expected-error.txt (approved)",
        "+++ kas.tests/november/expected-error.txt (now)",
        "@@ -0,0 +1,6 @@",
    ]
    assert "-1000;;;4320;;02-11-2024;Postzegels;-3,10;109,40" in result.stdout


def test_a_journal_case_with_its_administration_and_several_documents(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(REPO / "mappings" / "pos-daily.yaml", "daily.yaml")
    added = run_cli("test", "daily.yaml", "--add", REPO / "examples" / "pos-daily.csv",
                    "--name", "week-47", "-a", "12345678")
    assert added.code == 0, added.stderr
    assert added.stdout.splitlines()[0] == (
        "added the case week-47: daily.tests/week-47/ (input.csv, case.yaml,"
        " expected-18-11-2024.xml, expected-19-11-2024.xml, expected-summary.txt)")
    assert Path("daily.tests/week-47/case.yaml").read_text() == "administration: '12345678'\n"
    assert "<AdministrationCoCNumber>12345678</AdministrationCoCNumber>" in Path(
        "daily.tests/week-47/expected-18-11-2024.xml").read_text()
    again = run_cli("test", "daily.yaml", "--add", REPO / "examples" / "pos-daily.csv",
                    "--name", "week-47")
    assert again.code == 2
    assert again.stderr == ("error: daily.tests/week-47 exists already\n"
                            "  fix: give the case another name: --name NAME\n")
    assert run_cli("test", "daily.yaml").stdout == "ok       week-47\n1 case, all as approved\n"


def test_a_case_yaml_with_other_keys_is_refused(kas: dict[str, Path]) -> None:
    build_files(Path("kas.tests/x"), {"input.csv": NOVEMBER, "case.yaml": "mapping: other\n"})
    result = run_cli("test", "kas.yaml")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == (
        "error: kas.tests/x/case.yaml is not a case's options\n"
        "  fix: it holds administration: and opening_balance: only, e.g. administration:"
        " 12345678\n")


def test_a_shipped_mapping_is_copied_before_it_gets_cases(kas: dict[str, Path]) -> None:
    result = run_cli("test", "cash-book", "--add", "november.csv")
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: cash-book is a mapping that ships with yukimap: its tests would go into"
        " yukimap's own folder\n"
        f"  fix: copy it and test the copy: cp {REPO / 'mappings' / 'cash-book.yaml'}"
        " cash-book.yaml\n")
    assert not (REPO / "mappings" / "cash-book.tests").exists()
