"""Messages that point to the right fix, and money never silently changed (issue 9).

The cases run the real command line, in a subprocess (`bounded`, with its time and memory
bounds) end to end, or in this process (`here`) where the point is the text, and assert the
whole lines a user reads; cases with many variations call the library.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from tests.robustness.conftest import REPO, Bounded, Outcome, Write, block
from yukimap.output import document_text

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
ORDERS = """\
Order;Date;Qty;Price
A1;03-02-2025;10000;0,0125
A1;03-02-2025;1;0,99
A2;04-02-2025;3;1,005
"""


def dry_run(bounded: Bounded, write: Write, data: tuple[str, str], mapping: str,
            code: int) -> Outcome:
    """`yukimap convert NAME -m m.yaml --dry-run` on data = (NAME, text)."""
    write(data[0], data[1])
    write("m.yaml", mapping)
    return bounded("convert", data[0], "-m", "m.yaml", "--dry-run", codes=(code,))


# --- 1. a fix that changes what is booked is never suggested silently ---------------------


def test_a_price_with_too_many_decimals_offers_the_routes_with_their_mapping_text(
        bounded: Bounded, write: Write) -> None:
    outcome = dry_run(bounded, write, ("orders.csv", ORDERS),
                      SALES.format(price="{column: Price}"), 1)
    assert outcome.stderr == block("""
        error: orders.csv: 1 problem in the data

        error: has more than 2 decimals, which Yuki refuses in SalesPrice
          in orders.csv, column 'Price' (D), for lines.Product.SalesPrice (2 rows)
            row 2: '0.0125'
            row 4: '1.005'
          fix: Yuki takes at most 2 decimals in SalesPrice (its documentation shows -68.1525
               refused) and books quantity × SalesPrice, so a rounded price books another amount.
               Either book the exact amount as LineAmount, which Yuki books instead of
               quantity × price (Yuki advises against it: it bypasses its own calculation):
                 LineAmount: {expr: "round(Qty * Price, 2)"}
                 SalesPrice: {column: Price, round: 2}
               or give the price per 100 and the quantity in hundreds (say so in the Description):
                 SalesPrice: {expr: "Price * 100"}
                 ProductQuantity: {expr: "Qty / 100"}
               or round the price and accept the change in the amounts booked (a warning shows it):
                 SalesPrice: {column: Price, round: 2}
        """)


def _routes(hint: str) -> list[list[str]]:
    """The mapping lines of each way out a hint offers (lines indented under their intro)."""
    routes: list[list[str]] = []
    for line in hint.splitlines():
        if line.startswith("  "):
            routes[-1].append(line.strip())
        elif line.startswith(("Either", "or", "Correct")):
            routes.append([])
    return routes


def _follow(mapping: str, route: list[str]) -> str:
    for line in route:
        name = line.split(":")[0]
        if name == "LineAmount":
            mapping = mapping.replace("lines:\n", f"lines:\n  {line}\n")
        else:
            indent = "    " if name == "SalesPrice" else "  "
            mapping = re.sub(rf"(?m)^ *{name}: .*$", indent + line, mapping)
    return mapping


def test_every_way_out_the_hint_offers_works_as_written(tmp_path: Path) -> None:
    from yukimap.errors import DataError
    from yukimap.pipeline import convert_file

    (tmp_path / "orders.csv").write_text(ORDERS)
    mapping = SALES.format(price="{column: Price}")
    (tmp_path / "m.yaml").write_text(mapping)
    with pytest.raises(DataError) as info:
        convert_file(tmp_path / "orders.csv", tmp_path / "m.yaml")
    [hint] = {p.hint for p in info.value.problems}  # one hint for the group
    booked = []
    for route in _routes(hint or ""):
        (tmp_path / "m.yaml").write_text(_follow(mapping, route))
        result = convert_file(tmp_path / "orders.csv", tmp_path / "m.yaml")
        changed = [w.value for w in result.warnings if w.cause.startswith("round:")]
        booked.append((result.summary.totals["EUR"].excl, changed))
    assert booked == [  # 125.00 + 0.99 + 3.015, each line in cents as Yuki books it
        (Decimal("129.01"), []),  # LineAmount
        (Decimal("129.01"), []),  # a price per 100
        (Decimal("104.02"), ["100.00 instead of 125.00 (-25.00)",  # round: 2, and it says so
                             "3.03 instead of 3.015 (+0.015)"]),
    ]


def test_round_that_changes_the_booked_amount_warns_per_invoice_and_totals_the_file(
        bounded: Bounded, write: Write) -> None:
    outcome = dry_run(bounded, write, ("orders.csv", ORDERS),
                      SALES.format(price="{column: Price, round: 2}"), 0)
    assert outcome.stderr == block("""
        warning: round: changes the line amounts Yuki books (quantity × price, or LineAmount)
          in orders.csv, lines.Product.SalesPrice (2 rows)
            invoice A1, row 2: '100.00 instead of 125.00 (-25.00)'
            invoice A2, row 4: '3.03 instead of 3.015 (+0.015)'
          fix: in the whole file -24.985 (+0.015 and -25.00);
               to book the exact amounts, leave out round: and take one of the other ways its error
               then shows (LineAmount, or a price per 100)
        """) + "\n"  # the warnings end with a blank line before the summary
    assert "  changed by round:  -24.985 (+0.015 and -25.00) in the line amounts of 2 invoices" \
           " (see the warning)\n" in outcome.stdout


def test_round_on_every_line_of_a_big_file_stays_linear(bounded: Bounded, write: Write) -> None:
    rows = "".join(f"A{n};03-02-2025;3;{n % 997},005\n" for n in range(10_000))
    outcome = dry_run(bounded, write, ("orders.csv", "Order;Date;Qty;Price\n" + rows),
                      SALES.format(price="{column: Price, round: 2}"), 0)
    assert "    … and 9992 more values (9992 rows)\n" in outcome.stderr  # all 10,000 said
    assert outcome.seconds < 10  # the file's total is summed once, not once per invoice


def test_round_that_changes_nothing_booked_says_nothing(here: Bounded, write: Write) -> None:
    write("orders.csv", "Order;Date;Qty;Price\nA1;03-02-2025;2;0,99\nA1;03-02-2025;1;1,5\n")
    write("m.yaml", SALES.format(price="{column: Price, round: 4}"))
    outcome = here("convert", "orders.csv", "-m", "m.yaml", codes=(0,))
    assert outcome.stdout.count("<SalesPrice>0.99</SalesPrice>") == 1  # 2. not 0.9900
    assert outcome.stdout.count("<SalesPrice>1.50</SalesPrice>") == 1
    assert "warning" not in outcome.stderr and "round:" not in outcome.stderr


def test_trailing_zeros_are_not_decimals(tmp_path: Path) -> None:
    from yukimap.pipeline import convert_file

    (tmp_path / "orders.csv").write_text("Order;Date;Qty;Price\nA1;03-02-2025;1,50000;0,990\n")
    (tmp_path / "m.yaml").write_text(SALES.format(price="{column: Price}"))
    result = convert_file(tmp_path / "orders.csv", tmp_path / "m.yaml")
    assert "<ProductQuantity>1.5000</ProductQuantity>" in document_text(result)
    assert "<SalesPrice>0.99</SalesPrice>" in document_text(result)


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
MEMO = "Datum;Rekening;Bedrag\n01-11-2024;1100;12,345\n01-11-2024;8000;-12,345\n"


def test_round_on_journal_amounts_warns_per_entry(here: Bounded, write: Write) -> None:
    outcome = dry_run(here, write, ("memo.csv", MEMO + "01-11-2024;1100;1,10\n"
                                                   "01-11-2024;8000;-1,1\n"),
                      JOURNAL.format(amount="{column: Bedrag, round: 2}"), 0)
    assert outcome.stderr == block("""
        warning: round: changes the amounts Yuki books
          in memo.csv, entries.Amount (2 rows)
            journal memo.csv, row 2: '12.35 instead of 12.345 (+0.005)'
            journal memo.csv, row 3: '-12.35 instead of -12.345 (-0.005)'
          fix: in the whole file 0.00 (+0.005 and -0.005);
               to book the exact amounts, correct them in the export: Yuki books whole cents
        """) + "\n"
    assert "  changed by round:  0.00 (+0.005 and -0.005) in the amounts of 2 entries" \
           " (see the warning)\n" in outcome.stdout


def test_round_on_cash_amounts_warns_per_line(tmp_path: Path) -> None:
    from yukimap.grouping import format_problems
    from yukimap.pipeline import convert_file

    (tmp_path / "m.yaml").write_text(CASH.format(opening="  OpeningBalance: 250.00")
                                     .replace("{column: Bedrag}", "{column: Bedrag, round: 2}"))
    (tmp_path / "c.csv").write_text(CASH_CSV.replace("10,00", "10,004"))
    result = convert_file(tmp_path / "c.csv", tmp_path / "m.yaml")
    assert format_problems(result.warnings).splitlines()[2:] == [
        "    statement c.csv, row 2: '10.00 instead of 10.004 (-0.004)'",
        "  fix: in the whole file -0.004;",
        "       to book the exact amounts, correct them in the export: Yuki books whole cents"]
    # a figure that adds up across a big file's slices, shown as text
    assert str(result.summary.figures["changed by round:"]) == \
        "-0.004 in the amounts of 1 line (see the warning)"


def test_too_many_decimals_in_an_amount_names_the_field_and_the_exact_fix(
        here: Bounded, write: Write) -> None:
    outcome = dry_run(here, write, ("memo.csv", MEMO), JOURNAL.format(amount="{column: Bedrag}"),
                      1)
    assert outcome.stderr == block("""
        error: memo.csv: 1 problem in the data

        error: has more than 2 decimals, which Yuki refuses in Amount
          in memo.csv, column 'Bedrag' (C), for entries.Amount (2 rows)
            row 2: '12.345'
            row 3: '-12.345'
          fix: Yuki takes at most 2 decimals in Amount; correct the export, or round half-up
               and accept the change in the amounts booked (a warning shows it):
                 Amount: {column: Bedrag, round: 2}
        """)


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


def test_the_date_format_hint_proposes_the_one_format_that_reads_every_value(
        here: Bounded, write: Write) -> None:
    outcome = dry_run(here, write, ("orders.csv", dated("03/02/2025", "13/02/2025")), DATES, 1)
    assert outcome.stderr == block("""
        error: orders.csv: 1 problem in the data

        error: not a date in ISO format (yyyy-mm-dd)
          in orders.csv, column 'Date' (B), for invoice.Date (2 rows)
            invoice 2, row 2: '03/02/2025'
            invoice 3, row 3: '13/02/2025'
          fix: add date_format: "%d/%m/%Y" under source:
               (the one common format that reads all 2 values: '13/02/2025' is 2025-02-13)
        """)


def test_the_date_format_hint_says_which_formats_remain_and_why_it_cannot_choose(
        here: Bounded, write: Write) -> None:
    outcome = dry_run(here, write, ("orders.csv", dated("03/02/2025", "04/02/2025")), DATES, 1)
    assert outcome.stderr.endswith(block("""
        error: not a date in ISO format (yyyy-mm-dd)
          in orders.csv, column 'Date' (B), for invoice.Date (2 rows)
            invoice 2, row 2: '03/02/2025'
            invoice 3, row 3: '04/02/2025'
          fix: add the export's date format under source:; these formats read all 2 values:
               date_format: "%d/%m/%Y" ('03/02/2025' is 2025-02-03)
               date_format: "%m/%d/%Y" ('03/02/2025' is 2025-03-02)
               no value tells them apart (a day above 12 would), so yukimap cannot choose: take
               the one the export uses
        """))


def test_the_date_format_hint_without_any_fitting_format(here: Bounded, write: Write) -> None:
    outcome = dry_run(here, write, ("orders.csv", dated("gisteren")), DATES, 1)
    assert outcome.stderr.endswith(block("""
        error: not a date in ISO format (yyyy-mm-dd)
          in orders.csv, column 'Date' (B), for invoice.Date
            invoice 2, row 2: 'gisteren'
          fix: no common date format reads these values; correct them, or add the export's
               format under source: in strftime codes, e.g. date_format: "%d-%m-%Y" for 31-01-2024
        """))


def test_the_date_format_hint_next_to_formats_already_given() -> None:
    from yukimap.values import date_format_hint

    assert date_format_hint(["13/02/2025", "03/02/2025"], ("%d-%m-%Y",)) == (
        'correct the values, or add their format under source: date_format: ["%d-%m-%Y",'
        ' "%d/%m/%Y"]\n(it reads all 2 values: \'13/02/2025\' is 2025-02-13)')
    assert date_format_hint(["gisteren"], ("%d-%m-%Y",)) is None  # the hint given stays


# --- 4. constants and options in the mapping's decimal mark ---------------------------------


CASH = """\
version: 1
target: petty_cash
source: {{decimal_mark: ",", date_format: "%d-%m-%Y"}}
statement:
  CashAccount: "1000"
{opening}
lines:
  Date: {{column: Datum}}
  Amount: {{column: Bedrag}}
  Description: {{column: Omschrijving}}
"""
CASH_CSV = "Datum;Bedrag;Omschrijving\n03-01-2024;10,00;koffie\n05-01-2024;-2,50;melk\n"


@pytest.mark.parametrize("opening", ['  OpeningBalance: "250,00"',
                                     '  OpeningBalance: {value: "250,00"}',
                                     "  OpeningBalance: 250.00",
                                     '  OpeningBalance: {value: "250.00", decimal_mark: "."}',
                                     '  OpeningBalance: {value: "250,00", decimal_mark: ","}'])
def test_a_constant_reads_with_the_mappings_decimal_mark(tmp_path: Path, opening: str) -> None:
    from yukimap.pipeline import convert_file

    text = CASH.format(opening=opening)
    if 'decimal_mark: ","}' in opening:  # the field's own mark, in a file with the other one
        text = text.replace('decimal_mark: ","', 'decimal_mark: "."', 1)
        (tmp_path / "c.csv").write_text(CASH_CSV.replace(",", "."))
    else:
        (tmp_path / "c.csv").write_text(CASH_CSV)
    (tmp_path / "m.yaml").write_text(text)
    result = convert_file(tmp_path / "c.csv", tmp_path / "m.yaml")
    assert result.summary.table[1] == ("c.csv", "2", "250.00", "10.00", "-2.50", "257.50")


def test_a_let_constant_reads_with_the_mappings_decimal_mark(tmp_path: Path) -> None:
    from yukimap.pipeline import convert_file

    mapping = SALES.format(price='{expr: "rate * Price"}').replace(
        "group_by: Order", 'group_by: Order\nlet: {rate: {value: "1,5", type: decimal}}')
    (tmp_path / "m.yaml").write_text(mapping)
    (tmp_path / "orders.csv").write_text("Order;Date;Qty;Price\nA1;03-02-2025;1;2,00\n")
    result = convert_file(tmp_path / "orders.csv", tmp_path / "m.yaml")
    # it was: 'not a number with mark ,'
    assert "<SalesPrice>3.00</SalesPrice>" in document_text(result)


def test_an_ambiguous_constant_is_refused_with_both_readings(here: Bounded,
                                                            write: Write) -> None:
    write("c.csv", CASH_CSV)
    write("m.yaml", CASH.format(opening='  OpeningBalance: "1.250"').replace(
        'decimal_mark: ","', 'decimal_mark: ",", thousands_separator: "."'))
    outcome = here("check", "m.yaml", codes=(1,))
    assert outcome.stderr == block("""
        error: m.yaml: 1 problem in the mapping

        error: m.yaml:6:19 statement.OpeningBalance.value: '1.250' is ambiguous: 1250 (with '.'\
 separating thousands) or 1.25 (with '.' as the decimal mark) (got '1.250')
          fix: write it without thousands separators: 1250 or 1.25
        """)


@pytest.mark.parametrize(("given", "opening"), [("250,00", "250.00"), ("-12,5", "-12.50"),
                                                ("1.250,00", "1,250.00"), ("1250.5", "1,250.50")])
def test_opening_balance_on_the_command_line_takes_either_mark(
        here: Bounded, write: Write, given: str, opening: str) -> None:
    write("m.yaml", CASH.format(opening=""))
    write("c.csv", CASH_CSV)
    result = here("convert", "c.csv", "-m", "m.yaml", "--dry-run", "--opening-balance", given,
                  codes=(0,))
    table = [line.split()[:3] for line in result.stdout.splitlines()]
    assert ["c.csv", "2", opening] in table


def test_an_ambiguous_opening_balance_says_why(bounded: Bounded, write: Write) -> None:
    write("c.csv", CASH_CSV)
    write("m.yaml", CASH.format(opening=""))
    outcome = bounded("convert", "c.csv", "-m", "m.yaml", "--dry-run", "--opening-balance",
                      "1,250", codes=(2,))
    assert outcome.stderr == block("""
        error: --opening-balance '1,250' is ambiguous: 1250 (with ',' separating thousands) or\
 1.25 (with ',' as the decimal mark)
          fix: write it without thousands separators: 1250 or 1,25
        """)


# --- 5. messages that read right -------------------------------------------------------------


def test_empty_both_filled_and_counted_as_shown(here: Bounded, write: Write) -> None:
    memo = ("Datum;Rekening;Debet;Credit\n01-11-2024;1100;10,00;\n01-11-2024;8000;5,00;5,00\n"
            ";8000;;10,00\n")
    outcome = dry_run(here, write, ("memo.csv", memo),
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


def test_the_problem_count_counts_what_is_shown(here: Bounded, write: Write) -> None:
    rows = "".join(f"A{n};{n}-13-2024;1,00\n" for n in range(1, 13))
    outcome = dry_run(here, write, ("orders.csv", "Order;Date;Price\n" + rows), DATED, 1)
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
    from yukimap.grouping import format_problems
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


def test_a_wrong_type_names_the_allowed_types_only_once(here: Bounded, write: Write) -> None:
    write("m.yaml", SALES.format(price="{column: Price, type: nummer}"))
    outcome = here("check", "m.yaml", codes=(1,))
    assert outcome.stderr == block("""
        error: m.yaml: 1 problem in the mapping

        error: m.yaml:12:39 lines.Product.SalesPrice.type: expected one of text, decimal, integer,\
 date, boolean (got 'nummer')
        """)


GROUPED = """\
version: 1
target: sales_invoices
source: {decimal_mark: ","}
group_by: Order
invoice: {Reference: {column: Order}}
lines:
  Product: {Description: {column: Item}, SalesPrice: {column: Price}, VATPercentage: 21,
            VATType: 1}
"""


def test_an_empty_key_on_a_totals_row_suggests_skip_rows_first(here: Bounded,
                                                               write: Write) -> None:
    rows = "Order;Item;Price\nA1;Mok;1,00\nA1;Bord;2,00\n;Totaal;3,00\nA2;Mok;1,00\n"
    outcome = dry_run(here, write, ("orders.csv", rows), GROUPED, 1)
    assert outcome.stderr == block("""
        error: orders.csv: 1 problem in the data

        error: no value in the column 'Order' that makes the sales invoices
          in orders.csv, column 'Order' (A)
            row 4
          fix: it looks like a totals row: leave it out with skip_rows: {column: Item,\
 starts_with: Totaal}; only if such rows continue the document above, add fill_down: true to\
 group_by
        """)


def test_an_empty_key_at_the_end_suggests_skip_last(here: Bounded, write: Write) -> None:
    rows = "Order;Item;Price\nA1;Mok;1,00\nA2;Bord;2,00\n;;3,00\n;;\n;Kassa 2;4,00\n"
    outcome = dry_run(here, write, ("orders.csv", rows), GROUPED, 1)
    assert outcome.stderr.endswith(block("""
        error: no value in the column 'Order' that makes the sales invoices
          in orders.csv, column 'Order' (A) (2 rows)
            rows 4, 6
          fix: these are the file's last 2 rows: if they are totals or a footer, leave them out\
 with skip_last: 2 under source:; only if such rows continue the document above, add fill_down:\
 true to group_by
        """))


# --- 6. dates in the summaries -------------------------------------------------------------


def test_summaries_show_the_first_and_last_date(here: Bounded, write: Write) -> None:
    outcome = dry_run(here, write, ("orders.csv", dated("03-02-2025", "28-01-2025")), DATED, 0)
    assert "  invoice dates   2025-01-28 to 2025-02-03\n" in outcome.stdout
    outcome = here("convert", REPO / "examples/cash-book.csv", "-m", "cash-book", "--dry-run",
                    codes=(0,))
    assert "  dates                  2024-11-01 to 2024-11-06\n" in outcome.stdout


# --- every other message added or changed, line by line -----------------------------------


def _hint(tmp_path: Path, mapping: str, csv: str) -> str:
    """The fix of the first problem a file has with a mapping."""
    from yukimap.errors import DataError
    from yukimap.pipeline import convert_file

    (tmp_path / "m.yaml").write_text(mapping)
    (tmp_path / "in.csv").write_text(csv)
    with pytest.raises(DataError) as info:
        convert_file(tmp_path / "in.csv", tmp_path / "m.yaml")
    return info.value.problems[0].hint or ""


def test_the_decimals_fix_of_each_kind_of_field(tmp_path: Path) -> None:
    quantity = SALES.format(price="{column: Price}")
    assert _hint(tmp_path, quantity, "Order;Date;Qty;Price\nA1;03-02-2025;1,23456;1,00\n") == (
        "Yuki takes at most 4 decimals in ProductQuantity and books quantity × SalesPrice,\n"
        "so a rounded quantity books another amount.\n"
        "Either book the exact amount as LineAmount, which Yuki books instead of\n"
        "quantity × price (Yuki advises against it: it bypasses its own calculation):\n"
        '  LineAmount: {expr: "round(Qty * Price, 2)"}\n'
        "  ProductQuantity: {column: Qty, round: 4}\n"
        "or round the quantity and accept the change in the amounts booked (a warning shows"
        " it):\n"
        "  ProductQuantity: {column: Qty, round: 4}")
    percentage = SALES.format(price="{column: Price}").replace(
        "VATPercentage: 21", "VATPercentage: {column: Pct}")
    assert _hint(tmp_path, percentage, "Order;Date;Qty;Price;Pct\nA1;03-02-2025;1;1;21,125\n"
                 ).endswith(
        "Yuki takes at most 2 decimals in VATPercentage; correct the export, or round half-up:\n"
        "  VATPercentage: {column: Pct, round: 2}")
    mapped = SALES.format(price="{column: Price, map: {a: 1.005}}")  # no expression for it
    assert _hint(tmp_path, mapped, "Order;Date;Qty;Price\nA1;03-02-2025;1;a\n").endswith(
        "another amount.\n"
        "Correct the export, or round the price and accept the change in the amounts booked"
        " (a warning shows it):\n"
        "  SalesPrice: {column: Price, map: {a: 1.005}, round: 2}")


def test_round_on_line_vat_warns_about_the_vat(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from yukimap.grouping import format_problems
    from yukimap.pipeline import convert_file

    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.yaml").write_text(SALES.format(price="{column: Price}").replace(
        "  ProductQuantity: {column: Qty}", "  LineVATAmount: {column: Qty, round: 2}"))
    (tmp_path / "in.csv").write_text("Order;Date;Qty;Price\nA1;03-02-2025;0,215;1,00\n")
    result = convert_file("in.csv", "m.yaml")
    assert format_problems(result.warnings).splitlines() == [
        "warning: round: changes the VAT Yuki books (LineVATAmount)",
        "  in in.csv, lines.LineVATAmount",
        "    invoice A1, row 2: '0.22 instead of 0.215 (+0.005)'",
        "  fix: in the whole file +0.005;",
        "       to book the exact VAT, correct it in the export: Yuki books whole cents"]


def test_dates_that_read_the_same_with_every_format_that_fits() -> None:
    from yukimap.values import date_format_hint

    assert date_format_hint(["01/01/2025"], ()) == (
        "add the export's date format under source:; these formats read the value:\n"
        "date_format: \"%d/%m/%Y\" ('01/01/2025' is 2025-01-01)\n"
        "date_format: \"%m/%d/%Y\" ('01/01/2025' is 2025-01-01)\n"
        "every value reads the same with each, so yukimap cannot choose: take\n"
        "the one the export uses")


def test_errors_and_warnings_are_counted_as_shown(here: Bounded, write: Write) -> None:
    long = "x" * 70  # Yuki cuts a product description at 60: a warning
    mapping = SALES.format(price="{column: Price}").replace("Description: Widget",
                                                            "Description: {column: Item}")
    write("orders.csv", f"Order;Date;Qty;Price;Item\nA1;03-02-2025;1;1,00;{long}\n"
                        f"A2;03-02-2025;1;1,00;{long}\nA3;gisteren;1;1,00;Mok\n")
    write("m.yaml", mapping)
    outcome = here("convert", "orders.csv", "-m", "m.yaml", "--dry-run", codes=(1,))
    assert outcome.stderr.endswith("\n\n1 error, 1 warning; nothing was written.\n")
    write("orders.csv", f"Order;Date;Qty;Price;Item\nA1;03-02-2025;1;1,00;{long}\n")
    outcome = here("convert", "orders.csv", "-m", "m.yaml", "--dry-run", "--strict", codes=(1,))
    assert outcome.stderr.endswith("\n1 warning and --strict: nothing was written.\n")


def test_an_empty_key_elsewhere_suggests_leaving_out_rows_that_are_not_data(
        here: Bounded, write: Write) -> None:
    rows = "Order;Item;Price\nA1;Mok;1,00\n;Bord;2,00\nA2;Mok;1,00\n"
    outcome = dry_run(here, write, ("orders.csv", rows), GROUPED, 1)
    assert outcome.stderr.endswith(
        "  fix: fill in the key on every row; leave rows that are not data (totals, notes) out"
        " with skip_rows:; only if such rows continue the document above, add fill_down: true"
        " to group_by\n")


def test_an_amount_on_the_command_line_that_is_not_one(here: Bounded, write: Write) -> None:
    write("c.csv", CASH_CSV)
    write("m.yaml", CASH.format(opening=""))
    outcome = here("convert", "c.csv", "-m", "m.yaml", "--opening-balance", "veel",
                    codes=(2,))
    assert outcome.stderr == "error: --opening-balance 'veel' is not an amount like 1250.00 or" \
                             " 1250,00\n"
