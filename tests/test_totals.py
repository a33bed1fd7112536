"""Sales totals: the vectorised integer arithmetic agrees with the Decimal reference."""

from __future__ import annotations

import random
from decimal import Decimal

import polars as pl

from yukimap.frames import DOC
from yukimap.targets.sales import _line_cents, line_totals


def _random_line(rng: random.Random) -> dict[str, str | None]:
    def maybe(value: str) -> str | None:
        return value if rng.random() > 0.15 else None

    quantity = f"{rng.randint(-5, 40)}.{rng.randint(0, 9999):04d}"
    return {
        DOC: 0,
        "ProductQuantity": maybe(quantity),
        "Product.SalesPrice": maybe(f"{rng.randint(-2000, 200000) / 100:.2f}"),
        "Product.VATPercentage": maybe(rng.choice(["21", "9", "0", "21.00", "6", "12"])),
        "Product.VATIncluded": rng.choice(["true", "false", None]),
        "LineAmount": f"{rng.randint(-9999, 99999) / 100:.2f}" if rng.random() < 0.1 else None,
        "LineVATAmount": f"{rng.randint(0, 999) / 100:.2f}" if rng.random() < 0.1 else None,
    }


def test_vectorised_totals_agree_with_the_decimal_reference() -> None:
    rng = random.Random(20261121)
    lines = [_random_line(rng) for _ in range(20_000)]
    lines.append({**lines[0], "ProductQuantity": "0.0000", "Product.SalesPrice": "12.50",
                  "LineAmount": None, "LineVATAmount": None})  # 0 × price is 0, not 1 × price
    frame = pl.DataFrame(lines, schema={k: (pl.Int64 if k == DOC else pl.String) for k in lines[0]})
    cents = _line_cents(frame).to_dicts()
    for line, got in zip(lines, cents):
        expected = line_totals(line)
        if expected is None:
            assert got["amount"] is None, line
            continue
        excl, vat = expected
        assert (Decimal(int(got["excl"])).scaleb(-2), Decimal(int(got["vat"])).scaleb(-2)) == \
            (excl, vat), line


def test_half_cent_ties_round_away_from_zero() -> None:
    # 0.605 x 1 at 0% VAT: amount 0.61; -0.605: -0.61 (half-up, away from zero, as Decimal)
    frame = pl.DataFrame({DOC: [0, 0], "ProductQuantity": ["0.5", "-0.5"],
                          "Product.SalesPrice": ["1.21", "1.21"]})
    assert _line_cents(frame)["amount"].to_list() == [61, -61]
