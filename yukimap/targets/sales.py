"""Sales invoices: Yuki's rules beyond the XSD, and the totals of a summary.

Totals are yukimap's estimate of what Yuki will book, computed per line with Decimal and
rounded half-up to cents per line (Yuki computes its own; a cent can differ):
  amount = LineAmount, else ProductQuantity (default 1) x SalesPrice
  VAT    = LineVATAmount, else amount x pct / 100, or amount x pct / (100 + pct) when
           VATIncluded is true
The contact's IBAN, VAT and Chamber of Commerce numbers are checked in `identifiers`.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from yukimap import nouns
from yukimap.errors import Problem, Where
from yukimap.frames import DOC, KEY, ROW, ROWS, VALUE, Mapped
from yukimap.i18n import N_, tr
from yukimap.model import Mapping
from yukimap.summary import Summary, Totals
from yukimap.targets._common import (
    Column,
    Rounded,
    date_range,
    plain_codes,
    rounding_figure,
    rows_by_value,
)
from yukimap.targets._common import column as _col
from yukimap.targets.identifiers import identifier_problems
from yukimap.usage import DocumentUsage
from yukimap.values import round_half_up

CENT = 2

# VATType -> the percentage it always has, from Yuki's table of possible combinations.
FIXED_VAT = {0: Decimal(0), 4: Decimal(0), 6: Decimal(0), 7: Decimal(0), 17: Decimal(0),
             19: Decimal(0), 20: Decimal(0), 21: Decimal(12)}
# Types whose rate varies by country and date; never 0%.
VARIABLE_VAT = {1: N_("high rate"), 2: N_("low rate"), 8: N_("country-specific rate"),
                40: N_("OSS rate")}
HIGH_RATES = {Decimal(19), Decimal(21)}  # NL 21 (19 before 2012), BE 21
LOW_RATES = {Decimal(6), Decimal(9)}  # NL 9 (6 before 2019), BE 6


def vat_pair_problem(vat_type: int, percentage: Decimal) -> str | None:
    """Why this VATType/VATPercentage pair cannot exist in Yuki, or None if it can."""
    if vat_type in FIXED_VAT:
        fixed = FIXED_VAT[vat_type]
        if percentage != fixed:
            return tr("VATType {type} is always {percentage}%", type=vat_type, percentage=fixed)
        return None
    if vat_type not in VARIABLE_VAT:
        known = ", ".join(str(t) for t in sorted({*FIXED_VAT, *VARIABLE_VAT}))
        return tr("VATType {type} is not one of Yuki's VAT types ({known})", type=vat_type,
                  known=known)
    if percentage == 0:
        return tr("VATType {type} ({rate}) is never 0%", type=vat_type,
                  rate=tr(VARIABLE_VAT[vat_type]))
    if vat_type == 1 and percentage in LOW_RATES:
        return tr("{percentage}% is a low rate, but VATType 1 is the high rate",
                  percentage=percentage)
    if vat_type == 2 and percentage in HIGH_RATES:
        return tr("{percentage}% is the high rate, but VATType 2 is the low rate",
                  percentage=percentage)
    return None


def _doc_where(file: str, document: str, key: object, rows: list[int],
               field: str | None = None) -> Where:
    return Where(file=file, rows=tuple(rows), document=nouns.label(document, key), key=field)


def rules(mapped: Mapped, mapping: Mapping, file: str) -> list[Problem]:
    docs, items = mapped.documents, mapped.items
    problems: list[Problem] = plain_codes(items, "Product.GLAccountCode", file,
                                          "lines.Product.GLAccountCode")
    problems += _process_needs_reference(docs, file)
    problems += _unique_references(docs, file)
    problems += _vat_pairs(items, docs, file)
    problems += _partial_price(items, docs, file)
    problems += _email_without_process(docs, file)
    problems += _due_before_date(docs, file)
    problems += identifier_problems(docs, file)
    for rounded in ROUNDED:
        problems += rounded.problems(mapped, file, "lines", "invoice", per_document=True)
    return problems


def _line_amounts(column: Column) -> list[Decimal | None]:
    """What Yuki books for each line: LineAmount, else quantity (default 1) × price."""
    return [line if line is not None else None if price is None
            else (quantity if quantity is not None else 1) * price
            for line, price, quantity in zip(column("LineAmount"), column("Product.SalesPrice"),
                                             column("ProductQuantity"))]


ROUNDED = (
    Rounded(_line_amounts, ("ProductQuantity", "LineAmount", "Product.SalesPrice"),
            N_("round: changes the line amounts Yuki books (quantity × price, or LineAmount)"),
            N_("line amounts"), N_("to book the exact amounts, leave out round: and take one of"
                                   " the other ways its error\nthen shows (LineAmount, or a"
                                   " price per 100)")),
    Rounded(lambda column: column("LineVATAmount"), ("LineVATAmount",),
            N_("round: changes the VAT Yuki books (LineVATAmount)"), N_("VAT amounts"),
            N_("to book the exact VAT, correct it in the export: Yuki books whole cents")),
)


def _process_needs_reference(docs: pl.DataFrame, file: str) -> list[Problem]:
    bad = docs.filter((_col(docs, "Process") == "true") & _col(docs, "Reference").is_null())
    return [
        Problem(tr("Process is true but there is no Reference (invoice number)"),
                _doc_where(file, "invoice", key, rows, "invoice.Reference"),
                hint=tr("map Reference to the invoice number, or set Process: false to let Yuki"
                        " number a draft"))
        for key, rows in zip(bad[KEY].to_list(), bad[ROWS].to_list())
    ]


def _unique_references(docs: pl.DataFrame, file: str) -> list[Problem]:
    refs = docs.with_columns(_col(docs, "Reference").alias(VALUE)).filter(
        pl.col(VALUE).is_not_null() & pl.col(VALUE).is_duplicated()
    )
    problems = []
    for (ref,), group in refs.group_by(VALUE, maintain_order=True):
        rows = sorted(r for rs in group[ROWS].to_list() for r in rs)
        problems.append(Problem(
            tr("the same invoice number (Reference) on more than one invoice"),
            Where(file=file, rows=tuple(rows), key="invoice.Reference"), value=str(ref),
            hint=tr("Yuki keeps invoice numbers unique; check group_by and the Reference column"),
        ))
    return problems


def _vat_pairs(items: pl.DataFrame, docs: pl.DataFrame, file: str) -> list[Problem]:
    pairs = items.select(
        DOC, ROW, _col(items, "Product.VATType").alias("t"),
        _col(items, "Product.VATPercentage").alias("p"),
    ).filter(pl.col("t").is_not_null() & pl.col("p").is_not_null())
    problems = []
    for (vat_type, pct), group in pairs.group_by("t", "p", maintain_order=True):
        why = vat_pair_problem(int(str(vat_type)), Decimal(str(pct)))
        if why:
            problems.append(Problem(
                tr("a VATType and VATPercentage that cannot go together"),
                Where(file=file, rows=tuple(group[ROW].to_list()), key="lines.Product.VATType"),
                value=tr("VATType {type} with {percentage}%", type=vat_type, percentage=pct),
                hint=tr("{why}; check map: for VATType", why=why),
            ))
    return problems


def _partial_price(items: pl.DataFrame, docs: pl.DataFrame, file: str) -> list[Problem]:
    present = [_col(items, f"Product.{n}").is_not_null()
               for n in ("SalesPrice", "VATType", "VATPercentage")]
    some = present[0] | present[1] | present[2]
    all_three = present[0] & present[1] & present[2]
    rows = items.filter(some & ~all_three)[ROW].to_list()
    if not rows:
        return []
    return [Problem(
        tr("a line gives only some of SalesPrice, VATType and VATPercentage"),
        Where(file=file, rows=tuple(rows), key="lines.Product"),
        hint=tr("Yuki then takes price and VAT from its price list, so the product must exist"
                " there; map all three to use the export's values"),
        severity="warning",
    )]


def _email_without_process(docs: pl.DataFrame, file: str) -> list[Problem]:
    bad = docs.filter((_col(docs, "EmailToCustomer") == "true")
                      & (_col(docs, "Process") != "true").fill_null(True))
    if not bad.height:
        return []
    rows = sorted(r for rs in bad[ROWS].to_list() for r in rs)
    return [Problem(tr("EmailToCustomer is true but Process is not: Yuki only mails booked"
                       " invoices"),
                    Where(file=file, rows=tuple(rows), key="invoice.EmailToCustomer"),
                    severity="warning")]


def _due_before_date(docs: pl.DataFrame, file: str) -> list[Problem]:
    bad = docs.filter((_col(docs, "DueDate") < _col(docs, "Date")).fill_null(False))
    return [
        Problem(tr("the due date is before the invoice date"),
                _doc_where(file, "invoice", key, rows, "invoice.DueDate"), severity="warning")
        for key, rows in zip(bad[KEY].to_list(), bad[ROWS].to_list())
    ]


def _value(row: dict[str, str | None], name: str) -> Decimal | None:
    text = row.get(name)
    return None if text in (None, "") else Decimal(text)


def line_totals(row: dict[str, str | None]) -> tuple[Decimal, Decimal] | None:
    """(excl, vat) of one invoice line, or None when Yuki takes the price from its list."""
    quantity = _value(row, "ProductQuantity")
    quantity = Decimal(1) if quantity is None else quantity  # a quantity of 0 books 0
    amount = _value(row, "LineAmount")
    price = _value(row, "Product.SalesPrice")
    if amount is None:
        if price is None:
            return None
        amount = quantity * price
    amount = round_half_up(amount, CENT)
    pct = _value(row, "Product.VATPercentage") or Decimal(0)
    included = row.get("Product.VATIncluded") == "true"
    vat = _value(row, "LineVATAmount")
    if vat is None:
        vat = amount * pct / (100 + pct) if included else amount * pct / 100
    vat = round_half_up(vat, CENT)
    return (amount - vat if included else amount), vat


# --- vectorised totals: the same arithmetic in exact integers ----------------------------
#
# Amounts become whole cents, quantities ten-thousandths and percentages hundredths, so
# every step is exact integer arithmetic (polars' own decimals round at fixed scales), and
# rounding is half-up (away from zero) at the same two points as line_totals above. A test
# checks both agree on many random lines.


def _scaled(frame: pl.DataFrame, name: str, scale: int) -> pl.Expr:
    if name not in frame.columns:
        return pl.lit(None, dtype=pl.Int128)
    # a decimal of `scale` is held as the integer value * 10**scale: that integer itself
    return pl.col(name).cast(pl.Decimal(38, scale)).to_physical()


def _divide_half_up(numerator: pl.Expr, denominator: pl.Expr | int) -> pl.Expr:
    """numerator / denominator (> 0), rounded half away from zero, in integers."""
    magnitude = (numerator.abs() * 2 + denominator) // (pl.lit(2) * denominator)
    return pl.when(numerator < 0).then(pl.lit(0, dtype=pl.Int128) - magnitude).otherwise(magnitude)


def _line_cents(items: pl.DataFrame) -> pl.DataFrame:
    quantity = _scaled(items, "ProductQuantity", 4).fill_null(10_000)
    price = _scaled(items, "Product.SalesPrice", 2)
    line_amount = _scaled(items, "LineAmount", 2)
    amount = pl.coalesce(line_amount, _divide_half_up(quantity * price, 10_000))
    pct = _scaled(items, "Product.VATPercentage", 2).fill_null(0)
    included = (pl.col("Product.VATIncluded") == "true").fill_null(False) \
        if "Product.VATIncluded" in items.columns else pl.lit(False)
    computed = pl.when(included).then(_divide_half_up(amount * pct, pct + 10_000)) \
        .otherwise(_divide_half_up(amount * pct, 10_000))
    vat = pl.coalesce(_scaled(items, "LineVATAmount", 2), computed)
    return items.lazy().select(  # lazily: polars computes `amount` and `vat` once each
        DOC,
        amount.alias("amount"),
        pl.when(included).then(amount - vat).otherwise(amount).alias("excl"),
        vat.alias("vat"),
    ).collect()


def summarize(mapped: Mapped, summary: Summary) -> None:
    lines = _line_cents(mapped.items)
    summary.unpriced = int(lines["amount"].is_null().sum())
    currency = (_col(mapped.documents, "Currency").fill_null("EUR")
                .replace("", "EUR").alias("currency"))
    by_currency = (lines.filter(pl.col("amount").is_not_null())
                   .join(mapped.documents.select(DOC, currency), on=DOC, how="left")
                   .group_by("currency").agg(pl.col("excl").sum(), pl.col("vat").sum()))
    for name, excl, vat in by_currency.iter_rows():
        summary.totals[name] = Totals(Decimal(int(excl)).scaleb(-2), Decimal(int(vat)).scaleb(-2))
    date_range(summary.figures, N_("invoice dates"), mapped.documents, "Date")
    date_range(summary.figures, N_("due dates"), mapped.documents, "DueDate")
    rounding_figure(summary.figures,
                    [r.figure(mapped, True, (N_("invoice"), N_("invoices"))) for r in ROUNDED])


def usage(mapped: Mapped) -> DocumentUsage:
    """The GL accounts and VAT type/percentage pairs the invoices use, for pre-flight."""
    items = mapped.items
    pairs = items.select(ROW, _col(items, "Product.VATType").alias("t"),
                         _col(items, "Product.VATPercentage").alias("p")).drop_nulls()
    vat = {(int(t), Decimal(p)): tuple(g[ROW].to_list())
           for (t, p), g in pairs.group_by("t", "p", maintain_order=True)}
    return DocumentUsage(rows_by_value(items, "Product.GLAccountCode"), vat)
