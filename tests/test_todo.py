"""The TODO a starter mapping leaves (`yukimap init`): the loader refuses every one, at its
line and column, saying what to fill in; `check` and `convert` fail until none is left."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import build_files, run_cli

CASH = """\
version: 1
target: petty_cash
statement:
  CashAccount: TODO
lines:
  Date: {column: TODO}
  Amount: {debit: TODO, credit: Uitgave}
  Description: {column: Omschrijving}
  OffsetAccount:
    column: Categorie
    map: {Omzet: "8000", Porti: TODO}
    fallback: TODO
"""


def test_check_names_every_todo_and_what_to_fill_in(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"cash.yaml": CASH})
    result = run_cli("check", files["cash.yaml"])
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        f"error: {files['cash.yaml']}: 5 problems in the mapping",
        "",
        f"error: {files['cash.yaml']}:4:16 statement.CashAccount: TODO: fill in the value of"
        " CashAccount (GL code of the cash account (Grootboekrekening kas))",
        "  fix: replace TODO with the value; or read it from a column: CashAccount: {column:"
        " NAME}",
        f"error: {files['cash.yaml']}:6:18 lines.Date.column: TODO: fill in the column that"
        " holds Date (Datum transactie)",
        "  fix: replace TODO with the column's name as the export's header row writes it"
        " (yukimap init listed the columns at the top of the mapping)",
        f"error: {files['cash.yaml']}:7:19 lines.Amount.debit: TODO: fill in the column of the"
        " debit amounts of Amount (positive raises the cash, negative lowers it)",
        "  fix: replace TODO with the column's name as the export's header row writes it"
        " (yukimap init listed the columns at the top of the mapping)",
        f"error: {files['cash.yaml']}:11:33 lines.OffsetAccount.map.Porti: TODO: fill in what"
        " 'Porti' becomes in OffsetAccount (contact code or GL account (Tegenrekening))",
        "  fix: replace TODO with the value for Yuki",
        f"error: {files['cash.yaml']}:12:15 lines.OffsetAccount.fallback: TODO: fill in the"
        " OffsetAccount for the values map: does not list",
        "  fix: replace TODO with that value; or delete fallback: to make such values an"
        " error that names them",
    ]


def test_an_optional_field_may_also_go(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"m.yaml": CASH.replace("Omschrijving", "TODO")
                                   .replace("TODO, credit", "Ontvangst, credit")
                                   .replace("CashAccount: TODO", 'CashAccount: "1000"')
                                   .replace("Date: {column: TODO}", "Date: {column: Datum}")
                                   .replace("Porti: TODO}", 'Porti: "4320"}')
                                   .replace("fallback: TODO", 'fallback: "2100"')})
    result = run_cli("check", files["m.yaml"])
    assert result.code == 1
    assert result.stderr.splitlines()[2:] == [
        f"error: {files['m.yaml']}:8:25 lines.Description.column: TODO: fill in the column that"
        " holds Description (Omschrijving)",
        "  fix: replace TODO with the column's name as the export's header row writes it"
        " (yukimap init listed the columns at the top of the mapping); or delete the line:"
        " Description is optional",
    ]


def test_a_todo_in_an_expression_a_default_and_a_choice(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"m.yaml": """\
version: 1
target: journal
journal:
  JournalType: TODO
entries:
  EntryDate: {column: Datum}
  GLAccount: {column: Rekening, default: TODO}
  Amount: {expr: TODO}
  Description: {column: Omschrijving, map: {a: b}, fallback: x}
  ContactName: {column: Naam}
"""})
    result = run_cli("convert", tmp_path / "x.csv", "-m", files["m.yaml"], "--dry-run")
    assert result.code == 1
    assert result.stderr.splitlines()[2:] == [
        f"error: {files['m.yaml']}:4:16 journal.JournalType: TODO: fill in the value of"
        " JournalType (GeneralJournal, EndOfYearCorrection or FiscalCorrection)",
        "  fix: replace TODO with the value (one of GeneralJournal, EndOfYearCorrection,"
        " FiscalCorrection); or read it from a column: JournalType: {column: NAME}",
        f"error: {files['m.yaml']}:7:42 entries.GLAccount.default: TODO: fill in the GLAccount"
        " for empty cells (the account code, e.g. 8000)",
        "  fix: replace TODO with that value; or delete default: to leave such values empty",
        f"error: {files['m.yaml']}:8:18 entries.Amount.expr: TODO: fill in the expression that"
        " computes Amount (positive: debit; negative: credit)",
        "  fix: replace TODO with an expression over the row's columns, e.g. expr:"
        " \"Bedrag * -1\"",
    ]


def test_a_todo_for_the_sign_of_an_amount(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"m.yaml": """\
version: 1
target: journal
journal: {JournalType: GeneralJournal}
entries:
  EntryDate: {column: Datum}
  GLAccount: "1100"
  Amount: {column: Bedrag, sign: TODO}
"""})
    assert run_cli("check", files["m.yaml"]).stderr.splitlines()[2:] == [
        f"error: {files['m.yaml']}:7:34 entries.Amount.sign: TODO: fill in which column and"
        " words give Amount its sign",
        "  fix: replace TODO with the indicator column and what its values mean, e.g. sign:"
        " {column: Af Bij, positive: Bij, negative: Af}",
    ]


def test_a_column_named_like_a_todo_in_a_sentence_is_just_a_name(tmp_path: Path) -> None:
    """Only the bare word TODO is a placeholder."""
    files = build_files(tmp_path, {"m.yaml": CASH.replace("TODO", "TODO list")})
    assert run_cli("check", files["m.yaml"]).code == 0


def test_the_todos_of_every_entry_of_a_list(tmp_path: Path) -> None:
    """A list of entries is checked whole: the second entry's TODOs show with the first's."""
    files = build_files(tmp_path, {"m.yaml": """\
version: 1
target: journal
journal: {JournalType: GeneralJournal}
entries:
  - {EntryDate: {column: Datum}, GLAccount: TODO, Amount: {column: Bedrag}}
  - {EntryDate: {column: Datum}, GLAccount: {column: TODO}, Amount: {column: Bedrag}}
"""})
    assert [line.split(" TODO:")[0] for line in
            run_cli("check", files["m.yaml"]).stderr.splitlines()[2::2]] == [
        f"error: {files['m.yaml']}:5:45 entries[0].GLAccount:",
        f"error: {files['m.yaml']}:6:54 entries[1].GLAccount.column:",
    ]
