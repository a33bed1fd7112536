"""General journals: the balance rules Yuki enforces, the explicit balancing entry, and the
balance per date for the summary.

Yuki rejects a whole journal when its entries do not sum to 0.00, and also when the entries
of any one date do not. Both are checked here, with the rows involved. A mapping may name
a GL account for a balancing entry (`balancing:`): a date whose difference is within the
mapping's limit then gets one extra entry, reported as a warning; larger differences stay
errors.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

import polars as pl

from yukimap import nouns
from yukimap.documents import ADMINISTRATION_FIELDS, administration_problem
from yukimap.errors import Problem, Where
from yukimap.frames import DOC, ITEM, KEY, ROW, ROWS, Mapped
from yukimap.i18n import N_, tr
from yukimap.model import Balancing, Mapping
from yukimap.money import money
from yukimap.summary import Summary
from yukimap.targets._common import (
    AMOUNT_ROUNDED,
    Rules,
    column,
    date_range,
    plain_codes,
    rounding_figure,
    rows_by_value,
)
from yukimap.usage import DocumentUsage

BALANCING_ITEM = 1_000  # sorts a balancing entry after the entries of its rows


@dataclass(frozen=True)
class Imbalance:
    doc: int
    key: str
    date: str | None  # None: the document as a whole
    debit: Decimal
    credit: Decimal
    rows: tuple[int, ...]

    @property
    def difference(self) -> Decimal:
        return self.debit + self.credit


def _amounts(items: pl.DataFrame) -> pl.DataFrame:
    """Each entry with an amount: its document, row, date, GL account and amount."""
    return items.select(
        DOC, ROW, column(items, "EntryDate").alias("date"),
        column(items, "GLAccount").alias("account"),
        column(items, "Amount").cast(pl.Decimal(38, 2)).alias("amount"),
    ).filter(pl.col("amount").is_not_null())


def _sums(frame: pl.DataFrame, by: list[str], *rows: pl.Expr) -> pl.DataFrame:
    """Debit, credit, sum and number of entries per group (and `rows`, when asked)."""
    return frame.group_by(by, maintain_order=True).agg(
        pl.col("amount").filter(pl.col("amount") > 0).sum().alias("debit"),
        pl.col("amount").filter(pl.col("amount") < 0).sum().alias("credit"),
        pl.col("amount").sum().alias("sum"),
        pl.len().alias("entries"),
        *rows,
    )


def imbalances(mapped: Mapped) -> list[Imbalance]:
    """Every date (and every document) whose entries do not sum to zero."""
    amounts = _amounts(mapped.items)
    keys = dict(zip(mapped.documents[DOC].to_list(), mapped.documents[KEY].to_list()))
    found = []
    for by in ([DOC, "date"], [DOC]):
        if (_sums(amounts, by)["sum"] == 0).all():  # the usual case: no rows to gather
            continue
        sums = _sums(amounts, by, pl.col(ROW).alias("rows")).filter(pl.col("sum") != 0)
        for row in sums.iter_rows(named=True):
            found.append(Imbalance(row[DOC], str(keys.get(row[DOC])), row.get("date"),
                                   row["debit"] or Decimal(0), row["credit"] or Decimal(0),
                                   tuple(sorted(row["rows"]))))
    return found


def _within(imbalance: Imbalance, balancing: Balancing | None) -> bool:
    return balancing is not None and abs(imbalance.difference) <= balancing.limit


def rules(mapped: Mapped, mapping: Mapping, file: str) -> list[Problem]:
    return _with_balance(mapped, file, _balance(mapped, mapping, file))


def part_rules(mapped: Mapped, mapping: Mapping, file: str) -> list[Problem]:
    """The rules that hold for any part of a journal's entries (a slice of a big file,
    sliced.py): all but the balance, which `Balances` checks across the parts."""
    return _with_balance(mapped, file, [])


def _with_balance(mapped: Mapped, file: str, balance: list[Problem]) -> list[Problem]:
    """The journal's rules, with what its balance is found to be (`balance`) in its place."""
    return (_administration(mapped.documents, file)
            + plain_codes(mapped.items, "GLAccount", file, "entries.GLAccount")
            + balance + _rounded(mapped, file))


def _rounded(mapped: Mapped, file: str) -> list[Problem]:
    return AMOUNT_ROUNDED.problems(mapped, file, "entries", "journal", per_document=False)


def _balance(mapped: Mapped, mapping: Mapping, file: str) -> list[Problem]:
    return _told(imbalances(mapped), mapping, file)


def _told(found: list[Imbalance], mapping: Mapping, file: str) -> list[Problem]:
    """The imbalances that are errors (not within balancing: max)."""
    problems: list[Problem] = []
    balancing = mapping.options.get("balancing")
    dates_off = [i for i in found if i.date is not None]
    for imbalance in found:
        if _within(imbalance, balancing):  # type: ignore[arg-type]
            continue
        if imbalance.date is None and all(_within(d, balancing)  # type: ignore[arg-type]
                                          for d in dates_off if d.doc == imbalance.doc):
            continue
        problems.append(_imbalance_problem(imbalance, file, balancing is not None))
    return problems


def _imbalance_problem(imbalance: Imbalance, file: str, has_balancing: bool) -> Problem:
    if imbalance.date is None:
        cause = tr("the journal's entries do not sum to 0.00, so Yuki rejects all of it")
    else:
        cause = tr("the entries of {date} do not sum to 0.00 (Yuki requires each date to)",
                   date=imbalance.date)
    hint = (tr("check the amounts and signs of these rows; the difference is above balancing:"
               " max") if has_balancing else
            tr("check the amounts and signs of these rows; for rounding differences, a mapping"
               " may name a balancing: account"))
    return Problem(
        cause,
        Where(file=file, rows=imbalance.rows, document=nouns.label("journal", imbalance.key)),
        value=tr("debit {debit}, credit {credit}, difference {difference}",
                 debit=money(imbalance.debit), credit=money(imbalance.credit),
                 difference=money(imbalance.difference)),
        hint=hint,
    )


def _administration(docs: pl.DataFrame, file: str) -> list[Problem]:
    by_id, by_coc = column(docs, "AdministrationID"), column(docs, "AdministrationCoCNumber")
    both = docs.filter(by_id.is_not_null() & by_coc.is_not_null())
    neither = docs.filter(by_id.is_null() & by_coc.is_null())
    problems = []
    for frame, cause, hint in (
        (both, tr("a journal gives both AdministrationID and AdministrationCoCNumber"),
         tr("Yuki accepts only one of them; remove one from the mapping")),
        (neither, tr("a journal needs AdministrationID or AdministrationCoCNumber"),
         tr("give -a ID (or a Chamber of Commerce number), or set AdministrationID under"
            " journal: in the mapping")),
    ):
        for key, rows in zip(frame[KEY].to_list(), frame[ROWS].to_list()):
            problems.append(Problem(cause, Where(file=file, rows=tuple(rows[:1]),
                                                 document=nouns.label("journal", key)), hint=hint))
    return problems + _administration_shapes(docs, file)


def _administration_shapes(docs: pl.DataFrame, file: str) -> list[Problem]:
    """An administration read from a column is checked as a constant or -a is."""
    problems = []
    for name in ADMINISTRATION_FIELDS:
        values = column(docs, name)
        for key, rows, value in zip(docs[KEY].to_list(), docs[ROWS].to_list(),
                                    values.to_list()):
            shape = administration_problem(name, value) if value is not None else None
            if shape is not None:
                problems.append(Problem(shape[0], Where(file=file, rows=tuple(rows[:1]),
                                                        document=nouns.label("journal", key),
                                                        key=f"journal.{name}"),
                                        value=value, hint=shape[1]))
    return problems


def finish(mapped: Mapped, mapping: Mapping) -> tuple[Mapped, list[Problem]]:
    """Add the mapping's balancing entries for the dates that need one."""
    balancing: Balancing | None = mapping.options.get("balancing")  # type: ignore[assignment]
    if balancing is None:
        return mapped, []
    wanted = [i for i in imbalances(mapped) if i.date is not None and _within(i, balancing)]
    if not wanted:
        return mapped, []
    entries = pl.DataFrame({
        DOC: [i.doc for i in wanted],
        ROW: [max(i.rows) for i in wanted],
        ITEM: [BALANCING_ITEM] * len(wanted),
        "EntryDate": [i.date for i in wanted],
        "GLAccount": [balancing.gl_account] * len(wanted),
        "Amount": [str(-i.difference) for i in wanted],
        "Description": [balancing.description] * len(wanted),
    }, schema_overrides={DOC: pl.Int64, ROW: pl.Int64, ITEM: pl.Int32})
    items = pl.concat([mapped.items, entries.cast({c: mapped.items.schema[c]
                                                   for c in entries.columns
                                                   if c in mapped.items.schema})],
                      how="diagonal").sort(DOC, ROW, ITEM, maintain_order=True)
    problems = [
        Problem(tr("added a balancing entry of {amount} on {date} to GL account {account}"
                   " (the mapping's balancing:)", amount=money(-i.difference), date=i.date,
                   account=balancing.gl_account),
                Where(rows=i.rows, document=nouns.label("journal", i.key)), severity="warning")
        for i in wanted
    ]
    return replace(mapped, items=items), problems


def summarize(mapped: Mapped, summary: Summary) -> None:
    part_summary(mapped, summary)
    balances = Balances()
    balances.add(mapped)
    balances.summarize(summary)


def part_summary(mapped: Mapped, summary: Summary) -> None:
    """The figures of a part of a journal's entries (sliced.py adds them up); its tables
    are the `Balances` of all parts."""
    date_range(summary.figures, N_("dates"), mapped.items, "EntryDate")
    rounding_figure(summary.figures,
                    [AMOUNT_ROUNDED.figure(mapped, False, (N_("entry"), N_("entries")))])


class Balances:
    """Debit, credit, balance and number of entries per date and per GL account, added up
    part by part: the summary's two tables, and whether every date balances (a big file's
    journal is checked a slice at a time, and a date's entries may span two slices)."""

    def __init__(self) -> None:
        self._dates: pl.DataFrame | None = None
        self._accounts: pl.DataFrame | None = None
        self._rows: dict[object, list[pl.Series]] = {}  # gathered, of each date off
        self._all: list[pl.Series] = []  # gathered, of every entry

    def add(self, mapped: Mapped) -> None:
        amounts = _amounts(mapped.items)
        self._dates = _added(self._dates, _sums(amounts, ["date"]), "date")
        self._accounts = _added(self._accounts, _sums(amounts, ["account"]), "account")

    def balanced(self) -> bool:
        """Every date's entries sum to zero (then so do all of them)."""
        return self._dates is None or bool((self._dates["sum"] == 0).all())

    def closing_rules(self, made: list[Problem]) -> Rules:
        """The rules of the whole journal, its balance told from these sums and the rows
        `gather` finds (those problems also put in `made`), as `rules` tells it of the
        whole. Of a journal that fails: one that passes gets its balancing: entries, which
        these rules do not add (sliced.py then converts the file whole)."""

        def closing(mapped: Mapped, mapping: Mapping, file: str) -> list[Problem]:
            key = str(mapped.documents[KEY][0]) if mapped.documents.height else "None"
            made[:] = _told(self._imbalances(key), mapping, file)
            return _with_balance(mapped, file, made)
        return closing

    def gather(self, mapped: Mapped) -> None:
        """A part read again once the sums do not balance: the rows of the entries of each
        date off, and of every entry when the journal is off as a whole."""
        amounts = _amounts(mapped.items)
        off = self._off()["date"]
        if self._total_off():
            self._all.append(amounts[ROW])
        dates = amounts.filter(pl.col("date").is_in(off.drop_nulls().implode())
                               | (pl.col("date").is_null() & off.is_null().any()))
        for (date,), rows in dates.group_by("date", maintain_order=True):
            self._rows.setdefault(date, []).append(rows[ROW])

    def _off(self) -> pl.DataFrame:
        """The dates whose entries do not sum to zero, in the order the journal has them."""
        assert self._dates is not None
        return self._dates.filter(pl.col("sum") != 0)

    def _total_off(self) -> bool:
        assert self._dates is not None
        return bool(self._dates["sum"].sum() != 0)

    def _imbalances(self, key: str) -> list[Imbalance]:
        """What `imbalances` finds in the whole journal: each date off, in the order the
        journal first has it, then the journal as a whole."""
        found = [Imbalance(0, key, row["date"], row["debit"] or Decimal(0),
                           row["credit"] or Decimal(0), _sorted(self._rows.get(row["date"], [])))
                 for row in self._off().iter_rows(named=True)]
        if self._total_off():
            assert self._dates is not None
            debit, credit = self._dates.select(pl.col("debit", "credit").sum()).row(0)
            found.append(Imbalance(0, key, None, debit or Decimal(0), credit or Decimal(0),
                                   _sorted(self._all)))
        return found

    def summarize(self, summary: Summary) -> None:
        summary.table_title = tr("entries and balance per date")
        summary.table.append((tr("date"), tr("entries"), tr("debit"), tr("credit"),
                              tr("balance")))
        summary.table.extend(_lines(self._dates, "date"))
        summary.tables.append((tr("totals per GL account"), [
            (tr("account"), tr("entries"), tr("debit"), tr("credit"), tr("balance")),
            *_lines(self._accounts, "account")]))


def _sorted(rows: list[pl.Series]) -> tuple[int, ...]:
    return tuple(pl.concat(rows).sort().to_list()) if rows else ()


def _added(sums: pl.DataFrame | None, more: pl.DataFrame, by: str) -> pl.DataFrame:
    if sums is None:
        return more
    return pl.concat([sums, more]).group_by(by, maintain_order=True).agg(
        pl.col("debit", "credit", "sum", "entries").sum())


def _lines(sums: pl.DataFrame | None, by: str) -> list[tuple[str, ...]]:
    """A table's rows in the order of `by`: the entries, debit, credit and balance."""
    if sums is None:
        return []
    return [(str(row[by]), str(row["entries"]), money(row["debit"] or Decimal(0)),
             money(row["credit"] or Decimal(0)), money(row["sum"]))
            for row in sums.sort(by).iter_rows(named=True)]


def usage(mapped: Mapped) -> DocumentUsage:
    """The GL accounts the entries use (balancing entries included), for pre-flight."""
    return DocumentUsage(rows_by_value(mapped.items, "GLAccount"))
