"""yukimap preview: the documents of an export as tables in the terminal, with totals,
warnings and the date range; nothing written, nothing sent.

Golden files: tests/preview/<example>.txt is the preview of each shipped example at a
terminal 100 columns wide (regenerate on purpose with --update-golden and review)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, build_files, run_cli
from tests.test_golden import _compare

GOLDEN = REPO / "tests" / "preview"
EXAMPLES = sorted(p for p in (REPO / "examples").iterdir() if p.suffix in (".csv", ".xlsx"))


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal 100 columns wide, from the repository's folder."""
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.chdir(REPO)


@pytest.mark.usefixtures("wide")
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_the_preview_of_every_shipped_example(example: Path, update_golden: bool) -> None:
    result = run_cli("preview", example.relative_to(REPO), "-m", example.stem, "--limit", "2")
    assert (result.code, result.stderr) == (0, "")
    _compare(GOLDEN / f"{example.stem}.txt", result.stdout, update_golden)


@pytest.mark.usefixtures("wide")
def test_a_preview_writes_nothing_and_cuts_long_documents(tmp_path: Path) -> None:
    rows = "".join(f"2024-11-{d:02d};4000;Kosten {d};{d},00;\n"
                   f"2024-11-{d:02d};1100;Bank {d};;{d},00\n" for d in range(1, 13))
    files = build_files(tmp_path, {
        "memo.csv": "Datum;Rekening;Omschrijving;Debet;Credit\n" + rows,
        "memo.yaml": "version: 1\ntarget: journal\nsource: {decimal_mark: \",\"}\n"
                     "journal: {JournalType: GeneralJournal}\n"
                     "entries:\n  EntryDate: {column: Datum}\n  GLAccount: {column: Rekening}\n"
                     "  Amount: {debit: Debet, credit: Credit}\n"
                     "  Description: {column: Omschrijving}\n"})
    before = sorted(tmp_path.iterdir())
    result = run_cli("preview", files["memo.csv"], "-m", files["memo.yaml"], "--lines", "3")
    assert (result.code, result.stderr) == (0, "")
    assert sorted(tmp_path.iterdir()) == before
    rule = "  " + "─" * 61
    assert result.stdout.splitlines()[:10] == [
        "journal memo.csv  (rows 2-25)",
        "  date         account   description             debit   credit",
        rule,
        "  2024-11-01   4000      Kosten 1                 1.00",
        "  2024-11-01   1100      Bank 1                            1.00",
        "  2024-11-02   4000      Kosten 2                 2.00",
        rule,
        "                         … and 21 more entries   78.00    78.00",
        "",
        f"{files['memo.csv']} -> journals (mapping {files['memo.yaml']})",
    ]
    assert result.stdout.splitlines()[-1] == (
        "  preview: the first 1 of 1 shown; nothing written or sent")


@pytest.mark.usefixtures("wide")
def test_warnings_come_last(tmp_path: Path) -> None:
    files = build_files(tmp_path, {
        "o.csv": "Nr;Datum;Artikel;Prijs\nF1;2024-11-02;Kaars;12.50\n",
        "o.yaml": "version: 1\ntarget: sales_invoices\nsource: {decimal_mark: \".\"}\n"
                  "invoice:\n  Reference: {column: Nr}\n  Date: {column: Datum}\n"
                  "lines:\n  Product:\n    Description: {column: Artikel}\n"
                  "    SalesPrice: {column: Prijs}\n"})
    result = run_cli("preview", files["o.csv"], "-m", files["o.yaml"])
    assert result.code == 0
    assert result.stdout.splitlines()[-6:] == [
        "  preview: the first 1 of 1 shown; nothing written or sent",
        "",
        "warning: a line gives only some of SalesPrice, VATType and VATPercentage",
        f"  in {files['o.csv']}, lines.Product",
        "    row 2",
        "  fix: Yuki then takes price and VAT from its price list, so the product must exist"
        " there; map all three to use the export's values",
    ]
