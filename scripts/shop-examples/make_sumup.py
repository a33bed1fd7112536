"""Writes sumup-sales-example.csv: SumUp's sales report ("Verkaufsbericht" / sales report,
one row per sold item line) in its current layout (March 2026 on), with the German header
texts that public code documents (ursjoss/lola-sumup), invented data for a small Dutch
tearoom paying VAT (9 % food/drinks, 21 % goods).

Known from the source: comma delimiter, header row, one row per item line, the Datum form
"dd.mm.yyyy, HH:MM" (so it is quoted), '.' decimal mark, prices are LINE totals (quantity
included), "Preis (brutto)" = "Preis vor Rabatt" - "Rabatt", a refund is a row of type
"Rückerstattung" (until Jan 2026: "Refund") under the SAME Transaktionsnummer with a negative
price and an empty description. Not verified: line ends, BOM, quoting of other fields, and
the form of "Steuersatz" for a VAT-registered account (empty in the Swiss source; "9.0%"
here after the old layout's "0.0%").
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from _common import money, write_bytes

HEADER = ["Datum", "Typ", "Transaktionsnummer", "Zahlungsmethode", "Menge", "Beschreibung",
          "Category", "Sku", "Währung", "Preis vor Rabatt", "Rabatt", "Preis (brutto)",
          "Preis (netto)", "Steuer", "Steuersatz", "Konto"]

ACCOUNT = "kassa@example-theehuis.nl"

# (date, time, type, trx, method, qty, description, category, sku, line gross before
#  discount, discount, vat rate or None)
LINES = [
    ("04.11.2024", "09:12", "Verkauf", "TD4KQ8ZP2M", "Bar", 2, "Thee van de dag", "Warme dranken", "", "6.00", "0.00", 9),
    ("04.11.2024", "09:12", "Verkauf", "TD4KQ8ZP2M", "Bar", 1, "Appeltaart met slagroom", "Gebak", "", "4.75", "0.00", 9),
    ("04.11.2024", "10:47", "Verkauf", "TF7LM3XR9A", "MC", 1, "Rooibos Vanille 100 g", "Losse thee", "TH-ROO-100", "7.95", "0.00", 9),
    ("04.11.2024", "10:47", "Verkauf", "TF7LM3XR9A", "MC", 1, "Theeglas dubbelwandig 300 ml", "Servies", "GL-DW-300", "14.50", "1.45", 21),
    ("04.11.2024", "12:05", "Verkauf", "TH2NB6VC4S", "Visa - Debitkarte", 3, "High tea, per persoon", "Arrangementen", "", "67.50", "0.00", 9),
    ("04.11.2024", "15:31", "Verkauf", "TJ9PW1EY7D", "Maestro", 1, "Theepot \"Linde\", gietijzer 0,8 l", "Servies", "TP-LIN-08", "45.00", "0.00", 21),
    ("05.11.2024", "11:20", "Verkauf", "TK5RT8UI3F", "Bar", 1, "Cappuccino", "Warme dranken", "", "3.60", "0.00", 9),
    ("05.11.2024", "11:20", "Verkauf", "TK5RT8UI3F", "Bar", 1, "Scone met clotted cream", "Gebak", "", "4.25", "0.00", 9),
    ("05.11.2024", "16:02", "Rückerstattung", "TJ9PW1EY7D", "Maestro", 1, "", "", "", "-45.00", None, 21),
    ("05.11.2024", "16:40", "Verkauf", "TL3ZX7CV1G", "Bar", 1, "Fooi", "", "", "2.00", "0.00", None),
]


def fmt(d: Decimal) -> str:
    return f"{money(d)}"


def main() -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(HEADER)
    for (day, time, typ, trx, method, qty, desc, cat, sku, before, disc, rate) in LINES:
        before_d = Decimal(before)
        disc_d = Decimal(disc) if disc is not None else Decimal(0)
        gross = before_d - disc_d
        if rate is None:
            net, tax, rate_s = gross, Decimal(0), ""
        else:
            net = money(gross / (1 + Decimal(rate) / 100))
            tax, rate_s = gross - net, f"{rate}.0%"
        w.writerow([f"{day}, {time}", typ, trx, method, qty, desc, cat, sku, "EUR", fmt(before_d),
                    "" if disc is None else fmt(disc_d), fmt(gross), fmt(net), fmt(tax), rate_s,
                    ACCOUNT])
    print(write_bytes("sumup-sales-example.csv", buf.getvalue().encode("utf-8")), len(LINES), "rows")


if __name__ == "__main__":
    main()
