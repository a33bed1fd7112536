"""What a conversion amounts to, for the dry run and the receipt: counts and totals.

Totals are yukimap's estimate of what Yuki will book, computed per line with Decimal and
rounded half-up to cents per line (Yuki computes its own; a cent can differ):
  amount = LineAmount, else ProductQuantity (default 1) x SalesPrice
  VAT    = LineVATAmount, else amount x pct / 100, or amount x pct / (100 + pct) when
           VATIncluded is true
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from yukimap.mapping import DOC, Mapped
from yukimap.values import round_half_up

CENT = 2


@dataclass
class Totals:
    excl: Decimal = Decimal("0.00")
    vat: Decimal = Decimal("0.00")

    @property
    def incl(self) -> Decimal:
        return self.excl + self.vat


@dataclass
class Summary:
    target: str
    documents: int
    items: int
    rows_read: int
    skipped: dict[str, int]
    notes: list[str]
    skipped_documents: dict[str, int] = field(default_factory=dict)
    totals: dict[str, Totals] = field(default_factory=dict)  # by currency
    unpriced: int = 0  # lines whose amount Yuki takes from its price list
    figures: dict[str, object] = field(default_factory=dict)  # target-specific extras


def summarize(mapped: Mapped, target: str) -> Summary:
    summary = Summary(target, mapped.documents.height, mapped.items.height, mapped.rows_read,
                      dict(mapped.skipped), list(mapped.notes), dict(mapped.skipped_documents))
    extra = SUMMARIES.get(target)
    if extra:
        extra(mapped, summary)
    return summary


def _value(row: dict[str, str | None], name: str) -> Decimal | None:
    text = row.get(name)
    return None if text in (None, "") else Decimal(text)  # type: ignore[arg-type]


def line_totals(row: dict[str, str | None]) -> tuple[Decimal, Decimal] | None:
    """(excl, vat) of one invoice line, or None when Yuki takes the price from its list."""
    quantity = _value(row, "ProductQuantity") or Decimal(1)
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


def _sales(mapped: Mapped, summary: Summary) -> None:
    currencies = {}
    if "Currency" in mapped.documents.columns:
        currencies = dict(zip(mapped.documents[DOC].to_list(),
                              mapped.documents["Currency"].to_list()))
    wanted = [c for c in ("ProductQuantity", "LineAmount", "LineVATAmount", "Product.SalesPrice",
                          "Product.VATPercentage", "Product.VATIncluded")
              if c in mapped.items.columns]
    for row in mapped.items.select(DOC, *wanted).iter_rows(named=True):
        totals = line_totals(row)
        if totals is None:
            summary.unpriced += 1
            continue
        currency = currencies.get(row[DOC]) or "EUR"
        bucket = summary.totals.setdefault(currency, Totals())
        bucket.excl += totals[0]
        bucket.vat += totals[1]


SUMMARIES: dict[str, Callable[[Mapped, Summary], None]] = {"sales_invoices": _sales}
