"""Writes examples/pos-export.xlsx, a point-of-sale export as a bakery's till produces it.

Run by hand (needs openpyxl): python examples/make_pos_export.py. The workbook is committed;
this script documents how it was made. Row 1 is a title, row 3 the header; each receipt
ends with a SUBTOTAAL row that the mapping skips; dates are real Excel dates and prices
real numbers; article codes are text with leading zeros.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

HEADER = ["Bonnummer", "Datum", "Tijd", "Kassa", "Medewerker", "Artikelcode", "Omschrijving",
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


def main() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Verkopen"
    ws.append(["Kassa-export Bakkerij De Korenbloem, 18-11-2024 t/m 19-11-2024"])
    ws.append([])
    ws.append(HEADER)
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
    info = wb.create_sheet("Info")
    info.append(["Gegenereerd door", "KassaPro 7.2"])
    wb.save(Path(__file__).with_name("pos-export.xlsx"))


if __name__ == "__main__":
    main()
