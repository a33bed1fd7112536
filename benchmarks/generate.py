"""Generate a synthetic sales export of N rows (about 5 lines per order), reproducibly."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

DATA = Path(__file__).resolve().parent / "data"
ITEMS = ["Geurkaars groot", "Theezakjes biologisch", "Mok keramiek", "Kaarsenpakket 100 st.",
         "Cadeaubon digitaal", "Notitieboek A5", "Vaas glas 30 cm", "Onderzetters set van 4"]


def sales_export(rows: int) -> Path:
    path = DATA / f"sales-{rows}.csv"
    if path.exists():
        return path
    DATA.mkdir(exist_ok=True)
    i = pl.int_range(0, rows, eager=True)
    order = i // 5
    frame = pl.DataFrame({
        "Order": (order + 100000).cast(pl.String),
        "Date": pl.Series([f"{1 + d % 28:02d}-{1 + d % 12:02d}-2024" for d in range(rows // 5 + 1)])
        .gather(order),
        "Customer no": ("K-" + (order % 5000).cast(pl.String).str.zfill(5)),
        "Customer": ("Klant " + (order % 5000).cast(pl.String)),
        "Country": pl.when(order % 10 == 0).then(pl.lit("BE")).otherwise(pl.lit("NL"))
        .alias("c").to_frame().to_series() if False else
        pl.Series(["BE" if o % 10 == 0 else "NL" for o in range(rows // 5 + 1)]).gather(order),
        "Payment": pl.Series(["ideal", "bank", "card"]).gather(order % 3),
        "SKU": ("SKU-" + (i % 997).cast(pl.String).str.zfill(4)),
        "Item": pl.Series(ITEMS).gather(i % len(ITEMS)),
        "Qty": (1 + i % 4).cast(pl.String),
        "Price": ((i % 9000) + 100).map_elements(lambda c: f"{c // 100},{c % 100:02d}",
                                                return_dtype=pl.String),
        "VAT": pl.Series(["21", "21", "9", "0"]).gather(i % 4),
    })
    frame.write_csv(path, separator=";")
    return path


if __name__ == "__main__":
    print(sales_export(int(sys.argv[1])))
