"""yukimap init FILE --like PACK: a mapping started from a shipped one, with the file's
layout where it differs and TODO where the person must decide."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REPO, build_files, run_cli
from yukimap.errors import MappingError
from yukimap.pipeline import convert_file
from yukimap.schema import apply_options, load_mapping

ADMINISTRATION = "5a4db0c5-ad01-4e00-8000-000000000001"


def test_a_statement_from_its_pack_asks_for_the_bank_account(tmp_path: Path) -> None:
    export = REPO / "examples" / "bank-camt053-v08.xml"
    out = tmp_path / "mine.yaml"
    result = run_cli("init", export, "--like", "bank-camt053", "-o", out)
    assert (result.code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        f"wrote {out}: a mapping for {export}, from the shipped mapping bank-camt053",
        "  read    21 columns, 11 rows as the pack reads its export",
        "  TODO    1 to fill in, on line 32",
        f"next: fill in the TODOs, then: yukimap check {out} --sample {export}",
        f"wrote {tmp_path / 'mapping.schema.json'}: the mapping format for editors (VS Code"
        " with the YAML extension completes keys and fields)",
    ]
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[31] == ('  - GLAccount: TODO               # yours: your bank'
                                     ' account\'s GL account (the pack has "1100")')
    try:
        load_mapping(out)
    except MappingError as error:
        assert [(p.where.line, p.cause) for p in error.problems] == [
            (32, "TODO: fill in the value of GLAccount (the account code, e.g. 8000)")]
    else:
        raise AssertionError("a mapping with a TODO loaded")
    out.write_text(text.replace("GLAccount: TODO", 'GLAccount: "1110"'), encoding="utf-8")
    converted = convert_file(export, apply_options(load_mapping(out), ADMINISTRATION, None))
    assert converted.summary.rows_read == 11


def test_a_csv_laid_out_otherwise_gets_its_own_source(tmp_path: Path) -> None:
    original = (REPO / "examples" / "bank-ing.csv").read_text(encoding="utf-8")
    title = '"Rekeningoverzicht NL12INGB0001234567"\n\n'  # two rows above the column names
    files = build_files(tmp_path, {"ing.csv": title + original})
    out = tmp_path / "ing.yaml"
    result = run_cli("init", files["ing.csv"], "--like", "bank-ing", "-o", out)
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines()[1] == (
        "  read    9 columns, 8 rows (source: as init found the file)")
    text = out.read_text(encoding="utf-8")
    source = text[text.index("\nsource:"):text.index("\njournal:")]
    assert source.splitlines()[1:] == [
        "source:",
        "  encoding: utf-8                 # every byte reads as UTF-8",
        '  delimiter: ","                  # between the columns',
        "  header_row: 3                   # the column names; rows 1-2 above them",
        '  decimal_mark: ","               # 1250,00 in Bedrag (EUR)',
        '  thousands_separator: "."        # 1.412,76 in Bedrag (EUR)',
        '  date_format: "%Y%m%d"           # Datum: 20241101 is 2024-11-01']
    assert "# ing.csv is laid out otherwise than bank-ing's export: source: is as init found" \
           " the file." in text


def test_columns_the_file_lacks_become_todo(tmp_path: Path) -> None:
    original = (REPO / "examples" / "bank-ing.csv").read_text(encoding="utf-8")
    files = build_files(tmp_path, {"ing.csv": original.replace('"Mededelingen"', '"Notities"')})
    result = run_cli("init", files["ing.csv"], "--like", "bank-ing", "-o", "-")
    assert result.code == 0, result.stderr
    assert "    Description: {column: TODO}" in result.stdout.splitlines()
    assert ("# Columns bank-ing reads that ing.csv does not have (now column: TODO):"
            " Mededelingen.") in result.stdout


def test_an_unknown_pack_lists_the_packs(tmp_path: Path) -> None:
    result = run_cli("init", REPO / "examples" / "bank-ing.csv", "--like", "bank-xyz", "-o", "-")
    assert result.code == 2
    assert result.stderr.splitlines()[0] == "error: no shipped mapping is called 'bank-xyz'"
    assert result.stderr.splitlines()[1].startswith(
        "  fix: yukimap mappings lists them: bank-abnamro, bank-")


def test_like_and_target_do_not_go_together() -> None:
    result = run_cli("init", REPO / "examples" / "bank-ing.csv", "--like", "bank-ing",
                     "--target", "journal", "-o", "-")
    assert (result.code, result.stderr) == (
        2, "error: --like and --target do not go together: the pack has its target\n"
           "  fix: leave out --target\n")


def test_a_file_that_is_not_the_packs_statement_format(tmp_path: Path) -> None:
    result = run_cli("init", REPO / "examples" / "bank-ing.csv", "--like", "bank-mt940", "-o",
                     "-")
    assert result.code == 1
    assert result.stderr.splitlines()[0] == (
        f"error: {REPO / 'examples' / 'bank-ing.csv'} holds no MT940 statement: no line starts"
        " with :20:")


def test_init_of_a_statement_points_at_its_pack() -> None:
    export = REPO / "examples" / "bank-mt940.sta"
    result = run_cli("init", export, "-o", "-")
    assert (result.code, result.stderr) == (
        1, f"error: {export} is a bank statement, whose columns are the same for every bank:"
           " start from the shipped mapping for it\n"
           f"  fix: yukimap init {export} --like bank-mt940\n")
