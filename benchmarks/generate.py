"""Synthetic exports for the benchmarks, reproducible, cached in benchmarks/data/."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import polars as pl

DATA = Path(__file__).resolve().parent / "data"
ITEMS = ["Geurkaars groot", "Theezakjes biologisch", "Mok keramiek", "Kaarsenpakket 100 st.",
         "Cadeaubon digitaal", "Notitieboek A5", "Vaas glas 30 cm", "Onderzetters set van 4"]


def _cents_text(cents: pl.Series) -> pl.Series:
    """Whole cents -> Dutch amounts with a decimal comma, e.g. 123456 -> '1234,56'."""
    whole = (cents // 100).cast(pl.String)
    frac = (cents % 100).cast(pl.String).str.zfill(2)
    return whole + "," + frac


def _write(frame: pl.DataFrame, path: Path, **options: object) -> None:
    """Write, then rename: two processes asking for the same export never see half a file."""
    partial = path.with_suffix(f".{os.getpid()}.partial")
    frame.write_csv(partial, **options)  # type: ignore[arg-type]
    partial.replace(path)


def _kept(name: str) -> Path:
    """Where a generated export is kept: made once, then read again by every run."""
    DATA.mkdir(exist_ok=True)
    return DATA / name


# Names and descriptions as real exports have them (and as issue 14 measured): the XML's
# special characters, quotes, and letters beyond ASCII and beyond Latin-1.
VARIED_CUSTOMERS = ["Café De Groene Vlinder & Zn.", "Bäckerei <Zürich>", 'Łódź "Kraków" B.V.',
                    "'t Hoekje €", "Ærø Søndergård", "Klant"]
VARIED_ITEMS = ["Geurkaars \"Tuin\" groot", "Thé & koffie <bio>", "Mok 'keramiek' ø 8 cm",
                "Kaarsen €5-pakket", "Crème brûlée-set", "Notitieboek A5 – ł"]


def sales_export(rows: int, varied: bool = False) -> Path:
    """A webshop order export: ~5 rows (lines) per order, decimal comma, dd-mm-yyyy;
    `varied`: its customers' names and items' descriptions as VARIED_CUSTOMERS and
    VARIED_ITEMS have them."""
    path = _kept(f"sales-{'varied-' if varied else ''}{rows}.csv")
    if path.exists():
        return path
    i = pl.int_range(0, rows, eager=True)
    order = i // 5
    day = order % 28 + 1
    month = order % 12 + 1
    frame = pl.DataFrame({
        "Order": (order + 100000).cast(pl.String),
        "Date": day.cast(pl.String).str.zfill(2) + "-" + month.cast(pl.String).str.zfill(2)
        + "-2024",
        "Customer no": "K-" + (order % 5000).cast(pl.String).str.zfill(5),
        "Customer": (pl.Series(VARIED_CUSTOMERS).gather(order % len(VARIED_CUSTOMERS)) + " "
                     if varied else "Klant ") + (order % 5000).cast(pl.String),
        "Country": pl.Series(["BE", "NL", "NL", "NL", "NL"]).gather(order % 5),
        "Payment": pl.Series(["ideal", "bank", "card"]).gather(order % 3),
        "SKU": "SKU-" + (i % 997).cast(pl.String).str.zfill(4),
        "Item": pl.Series(VARIED_ITEMS if varied else ITEMS).gather(
            i % len(VARIED_ITEMS if varied else ITEMS)),
        "Qty": (1 + i % 4).cast(pl.String),
        "Price": _cents_text(i % 9000 + 100),
        "VAT": pl.Series(["21", "21", "9", "0"]).gather(i % 4),
    })
    _write(frame, path, separator=";")
    return path


BANK_HEADER = ["Datum", "Naam / Omschrijving", "Rekening", "Tegenrekening", "Code", "Af Bij",
               "Bedrag (EUR)", "Mutatiesoort", "Mededelingen"]
COUNTERPARTIES = [
    ("Vastgoed Molenstraat BV", "NL44RABO0123456789", "OV", "Af"),
    ("Bakkerij De Korenaar - omzet pin", "NL91ABNA0417164300", "GT", "Bij"),
    ("KPN B.V.", "NL03INGB0000123123", "IC", "Af"),
    ("Molenaar Meelhandel", "NL20RABO0300065264", "OV", "Af"),
    ("J. de Groot", "NL18ABNA0484869868", "OV", "Bij"),
    ("Kosten zakelijk betalingsverkeer", "", "DV", "Af"),
]


def bank_export(rows: int) -> Path:
    """An ING-style bank export (comma-separated, quoted, Af/Bij, decimal comma, YYYYMMDD)."""
    path = _kept(f"bank-{rows}.csv")
    if path.exists():
        return path
    i = pl.int_range(0, rows, eager=True)
    who = i % len(COUNTERPARTIES)
    pick = lambda k: pl.Series([c[k] for c in COUNTERPARTIES]).gather(who)  # noqa: E731
    day = (i * 365 // max(rows, 1)) % 365
    dates = pl.date_range(pl.date(2024, 1, 1), pl.date(2024, 12, 31), eager=True)
    frame = pl.DataFrame({
        "Datum": dates.gather(day).dt.strftime("%Y%m%d"),
        "Naam / Omschrijving": pick(0),
        "Rekening": pl.repeat("NL12INGB0001234567", rows, eager=True),
        "Tegenrekening": pick(1),
        "Code": pick(2),
        "Af Bij": pick(3),
        "Bedrag (EUR)": _cents_text((i * 7919) % 250000 + 1),
        "Mutatiesoort": pl.repeat("Overschrijving", rows, eager=True),
        "Mededelingen": "Omschrijving: transactie " + i.cast(pl.String),
    })
    _write(frame, path, separator=",", quote_style="always")
    return path


def ledger_export(rows: int) -> Path:
    """A general ledger export, one entry a row (Datum;Rekening;Bedrag;Omschrijving): pairs
    of entries that balance, a few hundred a date, in date order."""
    path = _kept(f"ledger-{rows}.csv")
    if path.exists():
        return path
    i = pl.int_range(0, rows, eager=True)
    pair = i // 2
    day = (pair * 2 * 365 // max(rows, 1)) % 365
    dates = pl.date_range(pl.date(2024, 1, 1), pl.date(2024, 12, 31), eager=True)
    cents = _cents_text((pair * 7919) % 250000 + 1)
    contra = (i % 2 == 1).to_list()
    frame = pl.DataFrame({
        "Datum": dates.gather(day).dt.strftime("%d-%m-%Y"),
        "Rekening": ["1100" if c else f"400{p % 9}" for c, p in zip(contra, pair.to_list())],
        "Bedrag": [f"-{a}" if c else a for c, a in zip(contra, cents.to_list())],
        "Omschrijving": "Boeking " + pair.cast(pl.String) + " & <co>",
    })
    _write(frame, path, separator=";")
    return path


def excel_export(rows: int) -> Path:
    """The sales export as an .xlsx workbook (written with openpyxl, once)."""
    path = DATA / f"sales-{rows}.xlsx"
    if path.exists():
        return path
    from openpyxl import Workbook

    frame = pl.read_csv(sales_export(rows), separator=";", infer_schema=False)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Verkopen")
    ws.append(frame.columns)
    for row in frame.iter_rows():
        ws.append(list(row))
    partial = path.with_suffix(f".{os.getpid()}.partial")
    wb.save(partial)
    partial.replace(path)
    return path


if __name__ == "__main__":
    kind, rows = sys.argv[1], int(sys.argv[2])
    print({"sales": sales_export, "bank": bank_export, "excel": excel_export}[kind](rows))
