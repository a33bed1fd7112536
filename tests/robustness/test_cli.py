"""One consistent command line (issue 9, §4): standard output, file modes, the administration.

The cases run the real command line, in a subprocess (`bounded`) end to end, or in this
process (`here`) where the point is the text; the file-mode cases set this process's umask.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.robustness.conftest import REPO, Bounded, Write, block, yuki
from tests.sandbox_fixtures import ADM_KORENAAR, Sandbox

POS_DAILY = REPO / "examples/pos-daily.csv"
MEMORIAL = REPO / "examples/memorial.xlsx"


def test_several_journals_are_refused_on_standard_output(bounded: Bounded) -> None:
    outcome = bounded("convert", POS_DAILY, "-m", "pos-daily", "-a", ADM_KORENAAR, codes=(2,))
    assert outcome.stdout == ""
    assert outcome.stderr == block("""
        error: this file makes 2 journals, one per call to Yuki; standard output takes only one
          fix: give a folder: --output pos-daily/
        """)


def test_one_journal_still_goes_to_standard_output(here: Bounded) -> None:
    outcome = here("convert", MEMORIAL, "-m", "memorial", "-a", "12345678", codes=(0,))
    assert outcome.stdout.count("<?xml") == 1
    assert "<AdministrationCoCNumber>12345678</AdministrationCoCNumber>" in outcome.stdout


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    before = os.umask(0o022)
    yield lambda mask: os.umask(mask) and None
    os.umask(before)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_documents_follow_the_umask(here: Bounded, tmp_path: Path,
                                            umask: Callable[[int], None], mask: int,
                                            mode: int) -> None:
    umask(mask)
    here("convert", MEMORIAL, "-m", "memorial", "-a", "12345678", "-o", tmp_path / "memo.xml",
         codes=(0,))
    here("convert", POS_DAILY, "-m", "pos-daily", "-a", ADM_KORENAAR, "-o", tmp_path / "days",
         codes=(0,))
    written = [tmp_path / "memo.xml", *sorted((tmp_path / "days").iterdir())]
    assert [stat.S_IMODE(p.stat().st_mode) for p in written] == [mode] * 3


def test_a_dry_run_of_a_journal_without_an_administration_shows_the_summary(
        here: Bounded) -> None:
    outcome = here("convert", POS_DAILY, "-m", "pos-daily", "--dry-run", codes=(0,))
    assert "  administration  none given: sending needs one (-a ID_OR_NAME, or AdministrationID" \
           " under journal: in the mapping)\n" in outcome.stdout
    assert outcome.stdout.endswith("  dry run: nothing written\n")


def test_converting_without_an_administration_still_says_what_is_missing(
        here: Bounded, tmp_path: Path) -> None:
    outcome = here("convert", MEMORIAL, "-m", "memorial", "-o", tmp_path / "m.xml", codes=(1,))
    assert block("""
        error: a journal needs AdministrationID or AdministrationCoCNumber
          in {memorial}
            journal memorial.xlsx, row 2
          fix: give -a ID (or a Chamber of Commerce number), or set AdministrationID under\
 journal: in the mapping
        """).format(memorial=MEMORIAL) in outcome.stderr


def test_an_administration_name_needs_yuki_to_look_it_up(bounded: Bounded,
                                                          here: Bounded) -> None:
    outcome = bounded("convert", POS_DAILY, "-m", "pos-daily", "-a", "Bakkerij De Korenaar",
                      "--dry-run", codes=(2,))
    assert outcome.stderr == block("""
        error: the administration 'Bakkerij De Korenaar' is a name, and only Yuki can look it up
          fix: give its ID (a GUID) or its Chamber of Commerce number (`yukimap administrations`
               lists them), or let send or check --online look the name up:
                 yukimap send FILE -m MAPPING -a 'Bakkerij De Korenaar'
        """)
    same = here("check", "pos-daily", "--sample", POS_DAILY, "-a", "Bakkerij De Korenaar",
                 codes=(2,))
    assert same.stderr.endswith(outcome.stderr)


ADMIN_MAPPING = """\
version: 1
target: journal
source: {{decimal_mark: ",", date_format: "%d-%m-%Y"}}
journal: {{{admin}, JournalType: GeneralJournal}}
entries:
  EntryDate: {{column: Datum}}
  GLAccount: {{column: Rekening}}
  Amount: {{column: Bedrag}}
"""
MEMO = "Datum;Rekening;Bedrag\n01-11-2024;1100;10,00\n01-11-2024;8000;-10,00\n"


def test_the_mappings_administration_is_checked_like_the_command_line(
        here: Bounded, write: Write) -> None:
    write("m.yaml", ADMIN_MAPPING.format(admin="AdministrationID: Bakkerij"))
    outcome = here("check", "m.yaml", codes=(1,))
    assert outcome.stderr == block("""
        error: m.yaml: 1 problem in the mapping

        error: m.yaml:4:29 journal.AdministrationID.value: 'Bakkerij' is not an administration ID\
 (a GUID such as 5a4db0c5-ad01-4e00-8000-000000000001) (got 'Bakkerij')
          fix: `yukimap administrations` lists the IDs; a Chamber of Commerce number goes in\
 AdministrationCoCNumber
        """)
    write("m.yaml", ADMIN_MAPPING.format(admin="AdministrationCoCNumber: KvK 1234"))
    outcome = here("check", "m.yaml", codes=(1,))
    assert "journal.AdministrationCoCNumber.value: 'KvK 1234' is not a Chamber of Commerce number" \
           " (digits only) (got 'KvK 1234')\n" in outcome.stderr


def test_the_summary_says_which_administration_is_used(here: Bounded, write: Write) -> None:
    write("memo.csv", MEMO)
    write("m.yaml", ADMIN_MAPPING.format(admin=f"AdministrationID: {ADM_KORENAAR}"))
    outcome = here("convert", "memo.csv", "-m", "m.yaml", "--dry-run", codes=(0,))
    assert f"  administration  {ADM_KORENAAR} (AdministrationID, from the mapping)\n" \
        in outcome.stdout
    outcome = here("convert", "memo.csv", "-m", "m.yaml", "--dry-run", "-a", "12345678",
                    codes=(0,))
    assert "  administration  12345678 (AdministrationCoCNumber, from -a; the mapping's" \
           f" AdministrationID {ADM_KORENAAR} is not used)\n" in outcome.stdout


def test_receipt_dash_is_standard_output(bounded: Bounded, write: Write, sandbox: Sandbox,
                                         tmp_path: Path) -> None:
    write("orders.csv", "Order;Qty;Price\n7001;2;1,50\n")
    write("m.yaml", """\
version: 1
target: sales_invoices
source: {decimal_mark: ","}
group_by: Order
invoice: {Reference: {column: Order}, Process: false}
lines:
  ProductQuantity: {column: Qty}
  Product: {Description: Mok, SalesPrice: {column: Price}, VATPercentage: 21, VATType: 1}
""")
    outcome = bounded("send", "orders.csv", "-m", "m.yaml", "-a", ADM_KORENAAR, "--receipt",
                      "-", codes=(0,), env=yuki(sandbox))
    receipt = json.loads(outcome.stdout)  # the JSON alone: the people's receipt went to stderr
    assert [d["state"] for d in receipt["documents"]] == ["SENT"]
    assert outcome.stderr.startswith("orders.csv -> sales invoices for ")
    assert not (tmp_path / "-").exists()


def test_a_malformed_id_or_number_on_the_command_line(here: Bounded) -> None:
    outcome = here("convert", POS_DAILY, "-m", "pos-daily", "-a", "5a4db0c5-ad01-4e00-8000",
                    "--dry-run", codes=(2,))
    assert outcome.stderr == block("""
        error: -a '5a4db0c5-ad01-4e00-8000' is not an administration ID (a GUID such as\
 5a4db0c5-ad01-4e00-8000-000000000001)
          fix: `yukimap administrations` lists the IDs; a Chamber of Commerce number goes in\
 AdministrationCoCNumber
        """)
    outcome = here("convert", POS_DAILY, "-m", "pos-daily", "-a", "1234 5678", "--dry-run",
                    codes=(2,))
    assert outcome.stderr.startswith("error: -a '1234 5678' is not a Chamber of Commerce number"
                                     " (digits only)\n")


def test_a_on_documents_that_do_not_carry_it(here: Bounded) -> None:
    outcome = here("convert", REPO / "examples/webshop-orders.csv", "-m", "webshop-orders",
                    "-a", ADM_KORENAAR, "--dry-run", codes=(2,))
    assert outcome.stderr == block("""
        error: -a goes into the document only for journals; other documents are given to an\
 administration when they are sent
          fix: yukimap send FILE -m MAPPING -a ID_OR_NAME
        """)


def test_an_administration_from_a_column_is_checked_too(here: Bounded, write: Write) -> None:
    write("memo.csv", "Datum;Rekening;Bedrag;Adm\n01-11-2024;1100;10,00;Bakkerij\n"
                      "01-11-2024;8000;-10,00;Bakkerij\n")
    write("m.yaml", ADMIN_MAPPING.format(admin="AdministrationID: {column: Adm}"))
    outcome = here("convert", "memo.csv", "-m", "m.yaml", "--dry-run", codes=(1,))
    assert outcome.stderr == block("""
        error: memo.csv: 1 problem in the data

        error: not an administration ID (a GUID such as 5a4db0c5-ad01-4e00-8000-000000000001)
          in memo.csv, journal.AdministrationID
            journal memo.csv, row 2: 'Bakkerij'
          fix: `yukimap administrations` lists the IDs; a Chamber of Commerce number goes in\
 AdministrationCoCNumber
        """)
    assert "administration" not in outcome.stdout
