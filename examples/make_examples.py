"""Writes the Excel examples in examples/: a point-of-sale export and a memorial spreadsheet.

Run by hand (needs openpyxl): python examples/make_examples.py. The workbooks are committed;
this script documents how they were made.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

POS_HEADER = ["Bonnummer", "Datum", "Tijd", "Kassa", "Medewerker", "Artikelcode", "Omschrijving",
              "Aantal", "Prijs", "Btw %", "Regeltotaal", "Betaalwijze"]

RECEIPTS = [
    (20241118001, dt.date(2024, 11, 18), "08:12", "PIN", [
        ("00125", "Volkorenbrood heel", 1, 3.45, 9),
        ("00310", "Krentenbollen 6 st.", 2, 2.95, 9),
    ]),
    (20241118002, dt.date(2024, 11, 18), "08:40", "Contant", [
        ("00125", "Volkorenbrood heel", 2, 3.45, 9),
        ("00777", "Appeltaart punt", 3, 2.6, 9),
        ("09001", "Koffie to go", 2, 2.75, 9),
    ]),
    (20241118003, dt.date(2024, 11, 18), "11:05", "PIN", [
        ("00900", "Taart op bestelling (verjaardag)", 1, 32.5, 9),
        ("05010", "Verjaardagskaars set", 1, 3.99, 21),
    ]),
    (20241119001, dt.date(2024, 11, 19), "07:58", "PIN", [
        ("00310", "Krentenbollen 6 st.", 1, 2.95, 9),
        ("00451", "Croissant", 4, 1.35, 9),
    ]),
]


def pos_export() -> None:
    """One row per receipt line; row 1 a title, row 3 the header; a SUBTOTAAL row per receipt."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Verkopen"
    ws.append(["Kassa-export Bakkerij De Korenaar, 18-11-2024 t/m 19-11-2024"])
    ws.append([])
    ws.append(POS_HEADER)
    for number, day, time, payment, lines in RECEIPTS:
        total = 0.0
        for code, text, qty, price, vat in lines:
            ws.append([number, day, time, "K1", "Anouk", code, text, qty, price, vat,
                       round(qty * price, 2), payment])
            total += qty * price
        ws.append([number, day, time, "K1", "Anouk", None, "SUBTOTAAL", None, None, None,
                   round(total, 2), payment])
    for row in ws.iter_rows(min_row=4, min_col=2, max_col=2):
        row[0].number_format = "DD-MM-YYYY"
    wb.create_sheet("Info").append(["Gegenereerd door", "KassaPro 7.2"])
    wb.save(HERE / "pos-export.xlsx")


MEMORIAL = [
    (dt.date(2024, 12, 31), 4700, "Afschrijving inventaris 2024", 1850.00, None, None),
    (dt.date(2024, 12, 31), "0210", "Afschrijving inventaris 2024", None, 1850.00, None),
    (dt.date(2024, 12, 31), 1710, "Vooruitbetaalde verzekering 2025", 420.00, None, "Interpolis"),
    (dt.date(2024, 12, 31), 4520, "Vooruitbetaalde verzekering 2025", None, 420.00, "Interpolis"),
    (dt.date(2024, 12, 31), 4600, "Nog te betalen accountantskosten", 1250.00, None, None),
    (dt.date(2024, 12, 31), 1700, "Nog te betalen accountantskosten", None, 1250.00, None),
    (dt.date(2024, 12, 31), 4910, "Kasverschil december", 3.40, None, None),
    (dt.date(2024, 12, 31), 1000, "Kasverschil december", None, 3.40, None),
]


def memorial() -> None:
    """A year-end memorial booking list, as an accountant keeps it: debit and credit columns."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Memoriaal"
    ws.append(["Boekdatum", "Grootboekrekening", "Omschrijving", "Debet", "Credit", "Relatie"])
    for row in MEMORIAL:
        ws.append(list(row))
    for cells in ws.iter_rows(min_row=2, min_col=1, max_col=1):
        cells[0].number_format = "DD-MM-YYYY"
    wb.save(HERE / "memorial.xlsx")


if __name__ == "__main__":
    pos_export()
    memorial()
