"""Petty cash statements: the running balance, the rules of Yuki's cash CSV, and a check of
the rendered CSV itself (the counterpart of the XSD for the XML documents).

Yuki's format ("Kasstaat importeren"): a fixed Dutch header line, `;` between fields, dates
dd-mm-yyyy, amounts without thousands separators; transaction code 10 characters (Yuki
uses the first 10), offset account and offset name 34, description 1024. A statement is
modelled as lines first, so a sender can also send it line by line
(ImportSingleStatementLine).

`Saldo kas` (the cash after each line) comes from a Balance column, which is checked line
by line, or is computed from an opening balance (OpeningBalance, or --opening-balance).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import polars as pl

from yukimap import nouns
from yukimap import text as text_policy
from yukimap.documents import PETTY_CASH_HEADER, PETTY_CASH_PROJECT_HEADER
from yukimap.errors import Problem, Where
from yukimap.frames import DOC, KEY, ROW, ROWS, Mapped
from yukimap.i18n import N_, tr
from yukimap.model import Mapping
from yukimap.money import money
from yukimap.summary import Summary
from yukimap.targets._common import (
    AMOUNT_ROUNDED,
    column,
    date_range,
    plain_codes,
    rounding_figure,
    rows_by_value,
)
from yukimap.usage import DocumentUsage

TEXT_FIELDS = ("TransactionCode", "OffsetAccount", "OffsetName", "Description", "ProjectCode",
               "ProjectNumber")
CENT = Decimal("0.01")


def rules(mapped: Mapped, mapping: Mapping, file: str) -> list[Problem]:
    docs, items = mapped.documents, mapped.items
    problems = plain_codes(docs.with_columns(pl.col(ROWS).list.first().alias(ROW)),
                           "CashAccount", file, "statement.CashAccount")
    problems += _separators(items, file)
    problems += _separators(docs.with_columns(pl.col(ROWS).list.first().alias(ROW)), file,
                            ("CashDescription",), "statement")
    for statement in _statements(mapped):
        problems += statement.check(file)
    return problems + AMOUNT_ROUNDED.problems(mapped, file, "lines", "statement",
                                              per_document=False)


def _separators(frame: pl.DataFrame, file: str, fields: tuple[str, ...] = TEXT_FIELDS,
                section: str = "lines") -> list[Problem]:
    problems = []
    for name in fields:
        values = column(frame, name)
        bad = frame.select(ROW).with_columns(values.alias("v")).filter(
            values.str.contains(r"[;\r\n]").fill_null(False))
        for (value,), group in bad.group_by("v", maintain_order=True):
            problems.append(Problem(
                tr("contains a ';' or a line break, which Yuki's cash statement CSV cannot"
                   " carry"),
                Where(file=file, rows=tuple(group[ROW].to_list()), key=f"{section}.{name}"),
                value=str(value), hint=tr("replace it, e.g. expr: \"replace(...,';', ',')\"")))
    return problems


# A balance that does not agree: (row, the balance given, the balance expected, the
# balance before, the amount).
_Mismatch = tuple[int, Decimal, Decimal, Decimal, Decimal]


class _Statement:
    """One statement's lines, with its opening balance and running balance."""

    def __init__(self, key: str, opening: Decimal | None, rows: list[int],
                 dates: list[str], amounts: list[Decimal], balances: list[Decimal | None]):
        self.key, self.opening, self.rows = key, opening, rows
        self.dates, self.amounts, self.balances = dates, amounts, balances

    def running(self) -> tuple[list[Decimal], list[Problem]]:
        """The balance after each line, and where the file's Balance column disagrees."""
        start = self.opening
        if start is None and self.balances and self.balances[0] is not None:
            start = self.balances[0] - self.amounts[0]
        out: list[Decimal] = []
        mismatches: list[_Mismatch] = []
        current = start
        for row, amount, given in zip(self.rows, self.amounts, self.balances):
            expected = None if current is None else current + amount
            if given is not None and current is not None and expected is not None \
                    and given != expected:
                mismatches.append((row, given, expected, current, amount))
            current = given if given is not None else expected
            out.append(current)  # type: ignore[arg-type]
        return out, self._mismatch_problems(mismatches)

    def _mismatch_problems(self, mismatches: list[_Mismatch]) -> list[Problem]:
        return [
            Problem(tr("the cash balance (Saldo kas) does not agree with the amounts"),
                    Where(rows=(row,), document=nouns.label("statement", self.key)),
                    value=tr("the file says {given}; {previous} plus {amount} is {expected}",
                             given=money(given), previous=money(previous), amount=money(amount),
                             expected=money(expected)),
                    hint=tr("check the opening balance, the amounts and their signs"))
            for row, given, expected, previous, amount in mismatches
        ]

    def check(self, file: str) -> list[Problem]:
        if self.opening is None and (not self.balances or self.balances[0] is None):
            return [Problem(
                tr("a petty cash statement needs the cash balance (Saldo kas)"),
                Where(file=file, rows=tuple(self.rows[:1]),
                      document=nouns.label("statement", self.key)),
                hint=tr("map Balance to a balance column, or give the opening balance:"
                        " OpeningBalance under statement:, or --opening-balance"))]
        _, problems = self.running()
        problems = [replace(p, where=replace(p.where, file=file)) for p in problems]
        backwards = [r for r, a, b in zip(self.rows[1:], self.dates, self.dates[1:]) if b < a]
        if backwards:
            problems.append(Problem(
                tr("lines go back in time; Saldo kas is a running balance in line order"),
                Where(file=file, rows=tuple(backwards),
                      document=nouns.label("statement", self.key)),
                severity="warning"))
        return problems


def _statements(mapped: Mapped) -> list[_Statement]:
    items = mapped.items
    openings = dict(zip(mapped.documents[DOC].to_list(),
                        column(mapped.documents, "OpeningBalance").to_list()))
    keys = dict(zip(mapped.documents[DOC].to_list(), mapped.documents[KEY].to_list()))
    frame = items.select(DOC, ROW, column(items, "Date").alias("d"),
                         column(items, "Amount").alias("a"), column(items, "Balance").alias("b"))
    statements = []
    for (doc,), lines in frame.group_by(DOC, maintain_order=True):
        opening = openings.get(doc)
        amounts = [Decimal(a) if a else Decimal(0) for a in lines["a"].to_list()]
        statements.append(_Statement(
            str(keys.get(doc)), Decimal(opening) if opening else None, lines[ROW].to_list(),
            [d or "" for d in lines["d"].to_list()], amounts,
            [Decimal(b) if b else None for b in lines["b"].to_list()]))
    return statements


def finish(mapped: Mapped, mapping: Mapping) -> tuple[Mapped, list[Problem]]:
    """Fill in Saldo kas on every line (computed where the file does not give it)."""
    balances: list[str] = []
    for statement in _statements(mapped):
        running, _ = statement.running()
        balances += [str(b.quantize(CENT)) for b in running]
    items = mapped.items.with_columns(pl.Series("Balance", balances, dtype=pl.String))
    return replace(mapped, items=items), []


def summarize(mapped: Mapped, summary: Summary) -> None:
    date_range(summary.figures, N_("dates"), mapped.items, "Date")
    rounding_figure(summary.figures,
                    [AMOUNT_ROUNDED.figure(mapped, False, (N_("line"), N_("lines")))])
    summary.table_title = tr("cash per statement")
    summary.table.append((tr("statement"), tr("lines"), tr("opening"), tr("in"), tr("out"),
                          tr("closing")))
    if "Balance" not in mapped.items.columns:
        return
    for statement in _statements(mapped):
        running, _ = statement.running()
        if not running:
            continue
        opening = running[0] - statement.amounts[0]
        received = sum((a for a in statement.amounts if a > 0), Decimal("0.00"))
        paid = sum((a for a in statement.amounts if a < 0), Decimal("0.00"))
        summary.table.append((statement.key, str(len(running)), money(opening), money(received),
                              money(paid), money(running[-1])))


# --- the rendered CSV -------------------------------------------------------------------

_DATE = re.compile(r"^(\d{2})-(\d{2})-(\d{4})$")
_AMOUNT = re.compile(r"^-?\d+(?:[.,]\d{1,2})?$")
_LIMITS = {3: ("Tegenrekening", 34), 4: ("Naam tegenrekening", 34), 6: ("Omschrijving", 1024)}


def csv_problems(text: str) -> list[tuple[int, str, str | None]]:
    """(line number, problem, value) for a rendered cash statement; [] when Yuki can read it."""
    carried = _forbidden_lines(text)
    if carried:
        return carried
    lines = text.splitlines()
    if not lines or lines[0] not in (PETTY_CASH_HEADER,
                                     PETTY_CASH_HEADER + PETTY_CASH_PROJECT_HEADER):
        return [(1, tr("the first line is not Yuki's cash statement header"),
                 lines[0] if lines else None)]
    width = lines[0].count(";") + 1
    found: list[tuple[int, str, str | None]] = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split(";")
        if len(fields) != width:
            found.append((number, tr("has {count} fields, the header {width}",
                                     count=len(fields), width=width), line))
            continue
        found += _field_problems(number, fields)
    return found


def _forbidden_lines(text: str) -> list[tuple[int, str, str | None]]:
    """Lines with a character that no Yuki document can carry (text.py): the same policy
    as the map stage's, for what a template itself writes."""
    found: list[tuple[int, str, str | None]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        char = text_policy.forbidden(line)
        if char is not None:
            found.append((number, text_policy.control_cause(char), line))
    return found


def _field_problems(number: int, fields: list[str]) -> list[tuple[int, str, str | None]]:
    found: list[tuple[int, str, str | None]] = []
    if not re.fullmatch(r"\d+", fields[0]):
        found.append((number, tr("Grootboekrekening kas is not an account code"), fields[0]))
    match = _DATE.match(fields[5])
    if not match or not _real_date(*match.groups()):
        found.append((number, tr("Datum transactie is not a date dd-mm-yyyy"), fields[5]))
    for index, name in ((7, "Bedrag"), (8, "Saldo kas")):
        if not _AMOUNT.match(fields[index]):
            found.append((number, tr("{name} is not an amount without thousands separators",
                                     name=name), fields[index]))
    for index, (name, limit) in _LIMITS.items():
        if len(fields[index]) > limit:
            found.append((number, tr("{name} is longer than {limit} characters", name=name,
                                     limit=limit), fields[index]))
    return found


def _real_date(day: str, month: str, year: str) -> bool:
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def usage(mapped: Mapped) -> DocumentUsage:
    """The cash account(s) the statements use, for pre-flight (offset accounts may be
    contact codes, so they are not checked)."""
    docs = mapped.documents.with_columns(pl.col(ROWS).list.first().alias(ROW))
    accounts = rows_by_value(docs, "CashAccount")
    first = next(iter(accounts), None)
    others = {code: rows for code, rows in accounts.items() if code != first}
    return DocumentUsage(others, petty_cash_account=first,
                         petty_cash_rows=accounts.get(first, ()) if first else ())
