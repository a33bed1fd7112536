"""Messages that point to the right fix, and money never silently changed (issue 9).

Each case runs the real command line in a subprocess (`bounded`) and asserts the whole
lines a user reads; a few cases that need many variations run in-process.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.robustness.conftest import Bounded, Outcome

Write = Callable[[str, "str | bytes"], Path]

SALES = """\
version: 1
target: sales_invoices
source: {{decimal_mark: ",", date_format: "%d-%m-%Y"}}
group_by: Order
invoice:
  Reference: {{column: Order}}
  Date: {{column: Date}}
lines:
  ProductQuantity: {{column: Qty}}
  Product:
    Description: Widget
    SalesPrice: {price}
    VATPercentage: 21
    VATType: 1
"""


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Bounded:
    """`bounded`'s twin in this process (click's runner), for the many cases whose point is
    the text, not the process: far faster, the same outcome to assert on."""
    from tests.conftest import run_cli

    monkeypatch.chdir(tmp_path)

    def run(*args: str | Path, codes: tuple[int, ...] = (0, 1), **_: object) -> Outcome:
        result = run_cli(*args)
        assert result.code in codes, (result.code, result.stdout + result.stderr)
        return Outcome(result.code, result.stdout, result.stderr, 0.0, 0.0)

    return run


def block(text: str) -> str:
    return textwrap.dedent(text).strip("\n") + "\n"


def dry_run(bounded: Bounded, write: Write, data: tuple[str, str], mapping: str,
            code: int) -> Outcome:
    """`yukimap convert NAME -m m.yaml --dry-run` on data = (NAME, text)."""
    write(data[0], data[1])
    write("m.yaml", mapping)
    return bounded("convert", data[0], "-m", "m.yaml", "--dry-run", codes=(code,))


JOURNAL = """\
version: 1
target: journal
source: {{decimal_mark: ",", date_format: "%d-%m-%Y"}}
journal: {{AdministrationCoCNumber: "12345678", JournalType: GeneralJournal}}
entries:
  EntryDate: {{column: Datum}}
  GLAccount: {{column: Rekening}}
  Amount: {amount}
"""


# --- 3. the date-format hint is built from the values --------------------------------------


DATES = """\
version: 1
target: sales_invoices
source: {decimal_mark: ","}
invoice:
  Reference: {column: Order}
  Date: {column: Date}
lines:
  Product: {Description: Widget, SalesPrice: {column: Price}, VATPercentage: 21, VATType: 1}
"""
DATED = DATES.replace('{decimal_mark: ","}', '{decimal_mark: ",", date_format: "%d-%m-%Y"}')


def dated(*dates: str) -> str:
    return "Order;Date;Price\n" + "".join(f"A{n};{d};1,00\n" for n, d in enumerate(dates, 1))


# --- 5. messages that read right -------------------------------------------------------------


def test_empty_both_filled_and_counted_as_shown(bounded: Bounded, write: Write) -> None:
    memo = ("Datum;Rekening;Debet;Credit\n01-11-2024;1100;10,00;\n01-11-2024;8000;5,00;5,00\n"
            ";8000;;10,00\n")
    outcome = dry_run(bounded, write, ("memo.csv", memo),
                      JOURNAL.format(amount="{debit: Debet, credit: Credit}"), 1)
    assert outcome.stderr == block("""
        error: memo.csv: 3 problems in the data

        error: is empty
          in memo.csv, column 'Datum' (A), for entries.EntryDate
            row 4
          fix: fill in the cell, or add default: VALUE to the field for empty cells
        error: both the debit column 'Debet' and the credit column 'Credit' are filled
          in memo.csv, column 'Debet' (C), for entries.Amount
            row 3
          fix: leave one of them empty (or 0)
        error: the entries of 2024-11-01 do not sum to 0.00 (Yuki requires each date to)
          in memo.csv
            journal memo.csv, row 2: 'debit 10.00, credit 0.00, difference 10.00'
          fix: check the amounts and signs of these rows; for rounding differences, a mapping may\
 name a balancing: account
        """)


def test_the_problem_count_counts_what_is_shown(local: Bounded, write: Write) -> None:
    rows = "".join(f"A{n};{n}-13-2024;1,00\n" for n in range(1, 13))
    outcome = dry_run(local, write, ("orders.csv", "Order;Date;Price\n" + rows), DATED, 1)
    assert outcome.stderr.startswith("error: orders.csv: 1 problem in the data\n")
    assert "(12 rows)" in outcome.stderr


BAD_KEYS = ["column", "value", "expr", "default", "required", "map", "fallback", "ignore_case",
            "type", "date_format", "decimal_mark", "thousands_separator", "round", "empty",
            "truncate", "debit", "credit", "sign", "negate"]


EVERY_SECTION = """\
version: 1
target: journal
source: {{decimal_mark: ",", {source}}}
group_by: {{column: Datum, {group}}}
skip_rows: [{{column: Tekst, equals: x, {condition}}}]
let: {{net: {{expr: "Bedrag * 2", {let}}}}}
balancing: {{GLAccount: "8990", max: 0.05, {balancing}}}
journal: {{AdministrationCoCNumber: "12345678", JournalType: GeneralJournal}}
entries:
  EntryDate: {{column: Datum}}
  GLAccount: {{column: Rekening}}
  Amount: {{column: Bedrag, sign: {{column: AfBij, positive: Bij, negative: Af, {sign}}}}}
  Description: {{column: Tekst, {field}}}
"""
SECTION_KEYS = {
    "source": ["format", "delimiter", "encoding", "quote", "sheet", "header_row", "skip_last",
               "decimal_mark", "thousands_separator", "date_format", "true_values",
               "false_values"],
    "group": ["column", "expr", "fill_down", "on_conflict"],
    "condition": ["ignore_case", "expr", "matches", "in"],
    "let": BAD_KEYS,
    "balancing": ["GLAccount", "Description", "max"],
    "sign": ["column", "positive", "negative", "ignore_case"],
    "field": BAD_KEYS,
}


def test_a_wrong_value_anywhere_in_a_mapping_never_leaks_invalid(tmp_path: Path) -> None:
    from yukimap.errors import MappingError
    from yukimap.report import format_problems
    from yukimap.schema import load_mapping

    empty = dict.fromkeys(SECTION_KEYS, "x_: 1")
    tried = [{section: ", ".join(f"{key}: {bad}" for key in keys)}  # a whole section wrong
             for section, keys in SECTION_KEYS.items()
             for bad in ("[1, 2]", "{a: 1}", "'%'", "-1")]
    tried += [{"field": f"{key}: {bad}"} for key in BAD_KEYS for bad in ("[1, 2]", "'%'")]
    for change in tried:
        (tmp_path / "m.yaml").write_text(EVERY_SECTION.format(**(empty | change)))
        try:
            load_mapping(tmp_path / "m.yaml")
        except MappingError as exc:
            shown = exc.message + format_problems(exc.problems)
            assert "INVALID" not in shown and "<" not in shown, (change, shown)


def test_a_wrong_type_names_the_allowed_types_only_once(local: Bounded, write: Write) -> None:
    write("m.yaml", SALES.format(price="{column: Price, type: nummer}"))
    outcome = local("check", "m.yaml", codes=(1,))
    assert outcome.stderr == block("""
        error: m.yaml: 1 problem in the mapping

        error: m.yaml:12:39 lines.Product.SalesPrice.type: expected one of text, decimal, integer,\
 date, boolean (got 'nummer')
        """)
