"""A conversion's documents as tables for people on a terminal (`yukimap preview`).

The first documents with their key fields and their items, each document's totals over
all its items (also those not shown), then the summary (counts, totals, date ranges) and
the warnings. What is shown is what Yuki would get: the values after mapping and Yuki's
rules, as the templates write them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import polars as pl
from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table

from yukimap.errors import _rows_text
from yukimap.frames import DOC, KEY, ROWS
from yukimap.grouping import format_problems
from yukimap.i18n import N_, plural, tr
from yukimap.money import money
from yukimap.report import format_summary

if TYPE_CHECKING:
    from yukimap.errors import Problem
    from yukimap.pipeline import ConversionResult
    from yukimap.summary import Summary

Row = dict[str, str | None]


@dataclass(frozen=True)
class Column:
    title: str  # a template (N_), said where the table is made
    value: Callable[[Row], str]
    number: bool = False  # right-aligned
    # the footer: what it adds up over all the items (None: nothing to add), or its text
    summed: Callable[[Row], Decimal | None] | None = None
    total: Callable[[list[Row]], str] | None = None


@dataclass(frozen=True)
class Shown:
    """What a preview shows: the first documents (at least as many as it shows) and their
    items, as mapped; the summary of them all; the warnings."""

    target: str  # the target's name
    documents: pl.DataFrame
    items: pl.DataFrame
    summary: Summary
    warnings: list[Problem]
    # of one document that spans a big file: how many items it has, of which `items` holds
    # the first only, and its columns' sums over all of them (`sums`)
    spanning: tuple[int, list[Decimal]] | None = None

    @classmethod
    def of(cls, result: ConversionResult) -> Shown:
        """A file converted whole."""
        return cls(result.mapping.target.name, result.mapped.documents, result.mapped.items,
                   result.summary, result.warnings)


def sums(target: str) -> Callable[[pl.DataFrame], list[Decimal]]:
    """What the footers of `target`'s items add up, over some of them (a slice's), by
    column; added up over all of them, the footers of a document that spans a big file."""
    view = VIEWS[target]
    return lambda items: _sums(view, list(items.iter_rows(named=True)))


def _added(summed: Callable[[Row], Decimal | None] | None, rows: list[Row]) -> Decimal:
    if summed is None:
        return Decimal(0)
    return sum((v for v in map(summed, rows) if v is not None), Decimal(0))


def format_preview(shown: Shown, source: str, mapping: str, limit: int = 5,
                   lines: int = 20, width: int | None = None) -> str:
    """The first `limit` documents (at most `lines` items each), the summary, the warnings."""
    console = Console(file=io.StringIO(), width=width or 100, color_system=None,
                      highlight=False, emoji=False, markup=False, soft_wrap=False)
    documents = shown.documents.head(limit)
    items = shown.items.filter(pl.col(DOC).is_in(documents[DOC].to_list()))
    view = VIEWS[shown.target]
    for document in documents.iter_rows(named=True):
        own = items.filter(pl.col(DOC) == document[DOC]).iter_rows(named=True)
        console.print(view.title(document), soft_wrap=True)
        console.print(_table(view, list(own), lines, console.width, shown.spanning))
    total = shown.summary.documents
    if total > limit:
        console.print(_more_documents(shown.target, total - limit))
        console.print()
    said = tr("preview: the first {shown} of {total} shown; nothing written or sent",
              shown=min(limit, total), total=total)
    text = _stripped(console.file.getvalue())  # type: ignore[attr-defined]
    text += format_summary(shown.summary, source, mapping, said) + "\n"
    if shown.warnings:
        text += "\n" + format_problems(shown.warnings) + "\n"
    return text


def _more_documents(target: str, rest: int) -> str:
    if target == "sales_invoices":
        return plural(rest, "… and 1 more invoice (the summary counts them all)",
                      "… and {count} more sales invoices (the summary counts them all)")
    if target == "journal":
        return plural(rest, "… and 1 more journal (the summary counts them all)",
                      "… and {count} more journals (the summary counts them all)")
    return plural(rest, "… and 1 more statement (the summary counts them all)",
                  "… and {count} more petty cash statements (the summary counts them all)")


def _stripped(text: str) -> str:
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


INDENT = 2  # of a document's table under its title
GAP = 3  # between two columns: their padding and box.SIMPLE's blank divider


def _table(view: View, rows: list[Row], limit: int, width: int,
           spanning: tuple[int, list[Decimal]] | None = None) -> Padding:
    """The items of a document, the first `limit` of them, with totals over all of them (of
    a document that spans a big file, `rows` are its first items only: `spanning` gives
    how many it has and their sums); every column as wide as its values, the description
    taking what is left."""
    count, added = spanning or (len(rows), _sums(view, rows))
    more = count - limit
    footers = [money(total) if column.summed is not None else
               column.total(rows) if column.total is not None else ""
               for column, total in zip(view.columns, added)]
    if more > 0:
        footers[view.flex] = view.more(more)
    cells = [[column.value(row) for column in view.columns] for row in rows[:limit]]
    titles = [tr(column.title) for column in view.columns]
    widths = [max(len(title), len(footer), *(len(r[n]) for r in cells))
              for n, (title, footer) in enumerate(zip(titles, footers))]
    rest = width - INDENT - sum(widths) + widths[view.flex] - GAP * (len(widths) - 1)
    widths[view.flex] = max(12, min(widths[view.flex], rest))
    table = Table(box=box.SIMPLE, show_edge=False, pad_edge=False, show_footer=True)
    for column, title, footer, size in zip(view.columns, titles, footers, widths):
        table.add_column(title, footer=footer, no_wrap=True, overflow="ellipsis",
                         width=size, justify="right" if column.number else "left")
    for row_cells in cells:
        table.add_row(*row_cells)
    return Padding(table, (0, 0, 1, INDENT))


def _sums(view: View, rows: list[Row]) -> list[Decimal]:
    return [_added(column.summed, rows) for column in view.columns]


@dataclass(frozen=True)
class View:
    """How one target's documents and items are shown."""

    title: Callable[[Row], str]
    columns: tuple[Column, ...]
    more: Callable[[int], str]  # "… and 3 more lines", under the items shown
    flex: int = 2  # the column that gives way when the terminal is narrow (a description)


# --- values -----------------------------------------------------------------------------


def _text(name: str) -> Callable[[Row], str]:
    return lambda row: str(row.get(name) or "")


def _amount(name: str) -> Callable[[Row], str]:
    return lambda row: _money(row.get(name))


def _money(text: str | None) -> str:
    return money(Decimal(text)) if text not in (None, "") else ""


def _decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text not in (None, "") else None


def _rows(row: Row) -> str:
    rows = row.get(ROWS)
    return f"({_rows_text(rows)})" if rows else ""  # type: ignore[arg-type]


def _title(*parts: str) -> str:
    return "  ".join(p for p in parts if p)


# --- sales invoices ---------------------------------------------------------------------


def _line_totals(row: Row) -> tuple[Decimal, Decimal] | None:
    from yukimap.targets.sales import line_totals

    return line_totals(row)


def _price(row: Row) -> str:
    price = _money(row.get("Product.SalesPrice"))
    if price and row.get("Product.VATIncluded") == "true":
        return tr("{price} incl", price=price)
    return price


def _vat_rate(row: Row) -> str:
    rate = row.get("Product.VATPercentage")
    return f"{Decimal(rate).normalize():f}%" if rate else ""


def _line_part(index: int | None) -> Callable[[Row], str]:
    def value(row: Row) -> str:
        totals = _line_totals(row)
        if totals is None:
            return tr("price list") if index == 0 else ""
        excl, vat = totals
        return money((excl, vat, excl + vat)[index or 0])
    return value


def _line_amount(index: int) -> Callable[[Row], Decimal | None]:
    def amount(row: Row) -> Decimal | None:
        t = _line_totals(row)
        return None if t is None else (t[0], t[1], t[0] + t[1])[index]
    return amount


SALES = View(
    title=lambda d: _title(tr("invoice {number}", number=d.get("Reference") or tr("(no number)")),
                           d.get("Date") or "", d.get("Contact.FullName")
                           or d.get("Contact.ContactCode") or "", _rows(d)),
    columns=(
        Column(N_("description"), lambda r: r.get("Description")
               or r.get("Product.Description") or ""),
        Column(N_("qty"), lambda r: _quantity(r.get("ProductQuantity")), number=True),
        Column(N_("price"), _price, number=True),
        Column(N_("VAT"), _vat_rate, number=True),
        Column(N_("excl. VAT"), _line_part(0), number=True, summed=_line_amount(0)),
        Column(N_("VAT amount"), _line_part(1), number=True, summed=_line_amount(1)),
        Column(N_("incl. VAT"), _line_part(2), number=True, summed=_line_amount(2)),
    ),
    more=lambda n: plural(n, "… and 1 more line", "… and {count} more lines"), flex=0,
)


def _quantity(text: str | None) -> str:
    if not text:
        return "1"
    return f"{Decimal(text).normalize():f}"


# --- journals ---------------------------------------------------------------------------


def _side(debit: bool) -> Callable[[Row], str]:
    def value(row: Row) -> str:
        amount = _decimal(row.get("Amount"))
        if amount is None or (amount > 0) != debit or amount == 0:
            return ""
        return money(abs(amount))
    return value


def _side_amount(debit: bool) -> Callable[[Row], Decimal | None]:
    def amount(row: Row) -> Decimal | None:
        a = _decimal(row.get("Amount"))
        return abs(a) if a is not None and (a > 0) == debit else None
    return amount


JOURNAL = View(
    title=lambda d: _title(tr("journal {key}", key=d.get(KEY)), d.get("DocumentSubject") or "",
                           _rows(d)),
    columns=(
        Column(N_("date"), _text("EntryDate")),
        Column(N_("account"), _text("GLAccount")),
        Column(N_("description"), lambda r: _title(r.get("Description") or "",
                                               r.get("ContactName") or r.get("ContactCode")
                                               or "")),
        Column(N_("debit"), _side(True), number=True, summed=_side_amount(True)),
        Column(N_("credit"), _side(False), number=True, summed=_side_amount(False)),
    ),
    more=lambda n: plural(n, "… and 1 more entry", "… and {count} more entries"),
)


# --- petty cash -------------------------------------------------------------------------


PETTY_CASH = View(
    title=lambda d: _title(tr("statement for cash account {account}",
                              account=d.get("CashAccount")),
                           d.get("CashDescription") or "",
                           tr("opening balance {amount}", amount=_money(d.get("OpeningBalance")))
                           if d.get("OpeningBalance") else "", _rows(d)),
    columns=(
        Column(N_("date"), _text("Date")),
        Column(N_("code"), _text("TransactionCode")),
        Column(N_("description"), _text("Description")),
        Column(N_("offset"), lambda r: _title(r.get("OffsetAccount") or "", r.get("OffsetName")
                                          or "")),
        Column(N_("amount"), _amount("Amount"), number=True,
               summed=lambda r: _decimal(r.get("Amount"))),
        Column(N_("balance"), _amount("Balance"), number=True,
               total=lambda rows: _money(rows[-1].get("Balance")) if rows else ""),
    ),
    more=lambda n: plural(n, "… and 1 more line", "… and {count} more lines"),
)

VIEWS = {"sales_invoices": SALES, "journal": JOURNAL, "petty_cash": PETTY_CASH}

