"""yukimap explain: each value of one document with the cell it comes from and each step
applied, replayed by the map stage's own functions.

Golden files: tests/explain/<example>.txt explains the first row of each shipped example
(regenerate on purpose with --update-golden and review)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import REPO, build_files, run_cli
from tests.test_golden import _compare

if TYPE_CHECKING:
    from yukimap.pipeline import ConversionResult

GOLDEN = REPO / "tests" / "explain"
EXAMPLES = sorted(p for p in (REPO / "examples").iterdir() if p.suffix in (".csv", ".xlsx"))


def _converted(example: Path) -> ConversionResult:
    from yukimap.pipeline import convert_file
    from yukimap.schema import dry_run_administration, load_mapping

    return convert_file(example, dry_run_administration(load_mapping(example.stem)))


def _first_row(example: Path) -> int:
    from yukimap.frames import ROWS

    return int(_converted(example).mapped.documents[ROWS][0][0])


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_the_first_row_of_every_shipped_example(example: Path, update_golden: bool,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = run_cli("explain", example.relative_to(REPO), "-m", example.stem, "--row",
                     str(_first_row(example)))
    assert (result.code, result.stderr) == (0, "")
    _compare(GOLDEN / f"{example.stem}.txt", result.stdout, update_golden)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_the_replay_tells_the_conversions_story(example: Path) -> None:
    """Every field of every document of the examples: the last step of the replay gives the
    value the conversion made (no step "Yuki's rules" needed to bridge a difference)."""
    from yukimap.explain import explain
    from yukimap.frames import KEY

    result = _converted(example)
    for key in result.mapped.documents[KEY].to_list()[:20]:
        explained = explain(result.table, result.mapping, key)
        for trace in explained.traces:
            assert trace.steps[-1].value == trace.value or trace.steps[-1].what.startswith(
                "expr:"), (key, trace)
            assert not any(s.what.startswith("Yuki's rules") for s in trace.steps), trace


MAPPING = """\
version: 1
target: journal
source: {decimal_mark: ","}
journal: {JournalType: GeneralJournal}
entries:
  EntryDate: {column: Datum, date_format: "%d-%m-%Y"}
  GLAccount:
    column: Naam
    map: {Albert Heijn: "4000"}
    ignore_case: true
    fallback: "9999"
  Amount: {column: Bedrag, sign: {column: Af Bij, positive: Bij, negative: Af}, round: 1}
  Description: {column: Omschrijving, default: "(geen omschrijving)"}
"""
EXPORT = ("Datum;Naam;Bedrag;Af Bij;Omschrijving\n"
          "01-11-2024;ALBERT HEIJN 1234;12,34;Af;\n"
          "02-11-2024;albert heijn;5,00;Af;boodschappen\n")


def test_every_step_of_a_journal_entry(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"bank.csv": EXPORT, "bank.yaml": MAPPING})
    result = run_cli("explain", files["bank.csv"], "-m", files["bank.yaml"], "--row", "2")
    assert (result.code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "journal bank.csv (rows 2, 3)",
        "",
        "document:",
        "  journal.AdministrationID = '00000000-0000-0000-0000-000000000000'",
        "      a fixed value (the mapping, or an option of the command):"
        " '00000000-0000-0000-0000-000000000000'",
        "  journal.JournalType = 'GeneralJournal'",
        "      a fixed value (the mapping, or an option of the command): 'GeneralJournal'",
        "entry 1 (row 2):",
        "  entries.EntryDate = '2024-11-01'",
        "      column 'Datum' (A), row 2: '01-11-2024'",
        "      read as a date (%d-%m-%Y): '2024-11-01'",
        "  entries.GLAccount = '9999'",
        "      column 'Naam' (B), row 2: 'ALBERT HEIJN 1234'",
        "      map: 'ALBERT HEIJN 1234' is not in the table, so the fallback: '9999'",
        "  entries.Amount = '-12.3'",
        "      column 'Bedrag' (C), row 2: '12,34'",
        "      read as a number (decimal mark ','): '12.34'",
        "      sign: the column 'Af Bij' says 'Af': '-12.34'",
        "      round: 1 (half up): '-12.3'",
        "  entries.Description = '(geen omschrijving)'",
        "      column 'Omschrijving' (E), row 2: (empty)",
        "      empty, so the default: '(geen omschrijving)'",
    ]


def test_a_journal_of_many_rows_names_the_first_fifty(tmp_path: Path) -> None:
    """One journal of a whole export names its rows in the head, but not all of them: a
    year of bank rows would make a line of megabytes."""
    export = EXPORT.splitlines()[0] + "\n" + "01-11-2024;albert heijn;5,00;Af;x\n" * 120
    files = build_files(tmp_path, {"bank.csv": export, "bank.yaml": MAPPING})
    result = run_cli("explain", files["bank.csv"], "-m", files["bank.yaml"], "--row", "100")
    assert (result.code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[0] == (
        "journal bank.csv (rows " + ", ".join(map(str, range(2, 52))) + " (+70 more))")
    assert "entry 99 (row 100):" in result.stdout


def test_one_field_and_the_mistakes_a_person_makes(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"bank.csv": EXPORT, "bank.yaml": MAPPING})
    one = run_cli("explain", files["bank.csv"], "-m", files["bank.yaml"], "--row", "3",
                  "--field", "GLAccount")
    assert one.stdout.splitlines()[2:] == [
        "entry 2 (row 3):",
        "  entries.GLAccount = '4000'",
        "      column 'Naam' (B), row 3: 'albert heijn'",
        "      map: 'albert heijn' is in the table: '4000'",
    ]
    wrong = run_cli("explain", files["bank.csv"], "-m", files["bank.yaml"], "--row", "3",
                    "--field", "GLAcount")
    assert (wrong.code, wrong.stderr.splitlines()) == (2, [
        "error: bank.yaml has no field 'GLAcount' in the journal bank.csv",
        "  fix: did you mean 'entries.GLAccount'?"])
    beyond = run_cli("explain", files["bank.csv"], "-m", files["bank.yaml"], "--row", "9")
    assert (beyond.code, beyond.stderr.splitlines()) == (2, [
        f"error: {files['bank.csv']}: row 9 makes no journal",
        "  fix: the file's data rows are 2 to 3"])
    neither = run_cli("explain", files["bank.csv"], "-m", files["bank.yaml"])
    assert (neither.code, neither.stderr.splitlines()) == (2, [
        "error: say which document to explain: --document REF or --row N",
        "  fix: e.g. --document 2024-0042 (what group_by reads) or --row 5"])
    unknown = run_cli("explain", files["bank.csv"], "-m", files["bank.yaml"], "--document",
                      "bank.cvs")
    assert (unknown.code, unknown.stderr.splitlines()) == (2, [
        f"error: {files['bank.csv']}: no journal 'bank.cvs'",
        "  fix: did you mean 'bank.csv'?"])
