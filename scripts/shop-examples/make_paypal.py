"""Writes paypal-example.csv (Dutch account) and paypal-en-example.csv (English headers):
PayPal's current "Activity download" CSV (Activity > Statements / Reports > Activity
download, "All transactions" / balance affecting), invented data for a Dutch webshop.

Dutch header texts and their order, the trailing blanks in "Bruto " and "Kosten ", the UTF-8
BOM, the month/day/year date without leading zeros, the IANA time zone and the Dutch
amounts ("-8,10", comma decimal) are copied from an anonymised real NL export (2026, see
paypal.md); the English header from OCA's PayPal fixtures. PayPal quotes every field; both
files do. Line ends of the real download are not verified: LF here.
"""
from __future__ import annotations

from decimal import Decimal

from _common import en_amount, money, nl_amount, write_bytes

NL_HEADER = ["Datum", "Tijd", "Tijdzone", "Omschrijving", "Valuta", "Bruto ", "Kosten ", "Netto",
             "Saldo", "Transactiereferentie", "Van e-mailadres", "Naam", "Naam bank",
             "Bankrekening", "Verzendkosten", "Btw", "Factuurreferentie", "Reference Txn ID"]
EN_HEADER = ["Date", "Time", "Time Zone", "Description", "Currency", "Gross", "Fee", "Net",
             "Balance", "Transaction ID", "From Email Address", "Name", "Bank Name",
             "Bank Account", "Shipping and Handling Amount", "Sales Tax", "Invoice ID",
             "Reference Txn ID"]

# event types: (NL, EN). NL strings marked * were seen in the real NL export; the others
# follow PayPal's English names (OCA fixtures) translated the way the seen ones are.
T_EXPRESS = ("Express Checkout-betaling", "Express Checkout Payment")          # * NL seen
T_WEBSITE = ("Algemene betaling", "General Payment")
T_REFUND = ("Terugbetaling", "Payment Refund")
T_FX = ("Algemene valutaomrekening", "General Currency Conversion")             # * NL seen
T_WITHDRAW = ("Algemene opname - bankrekening", "General Withdrawal - Bank Account")
T_HOLD = ("Betaling in de wacht gezet voor geschilonderzoek", "Hold on Balance for Dispute Investigation")

SHOP = "verkoop@example-theehuis.nl"

# (day, time, type, currency, gross, fee, txid, from email, name, bank name, bank acct,
#  invoice id, reference txid)
EVENTS = [
    ("2024-11-04", "09:12:41", T_EXPRESS, "EUR", "35.35", "-1.23", "5TY12345AB678901C", "sanne.devries@example.nl", "Sanne de Vries", "", "", "1041", ""),
    ("2024-11-05", "20:17:33", T_EXPRESS, "EUR", "38.20", "-1.30", "7KL23456BC789012D", "femke@example.org", "Femke Jansen", "", "", "1043", ""),
    ("2024-11-06", "11:02:10", T_WEBSITE, "EUR", "1250.00", "-31.48", "9MN34567CD890123E", "inkoop@example-hotel.nl", "Hotel Zeezicht B.V.", "", "", "F2024-0457", ""),
    ("2024-11-07", "14:02:19", T_REFUND, "EUR", "-14.50", "0.36", "1PQ45678DE901234F", "femke@example.org", "Femke Jansen", "", "", "1043", "7KL23456BC789012D"),
    ("2024-11-07", "16:02:55", T_EXPRESS, "USD", "30.00", "-1.37", "3RS56789EF012345G", "j.miller@example.com", "Jamie Miller", "", "", "1051", ""),
    ("2024-11-07", "16:02:55", T_FX, "USD", "-28.63", "0.00", "4TU67890FG123456H", "", "", "", "", "1051", "3RS56789EF012345G"),
    ("2024-11-07", "16:02:55", T_FX, "EUR", "25.98", "0.00", "6VW78901GH234567J", "", "", "", "", "1051", "3RS56789EF012345G"),
    ("2024-11-12", "10:45:30", T_HOLD, "EUR", "-38.20", "0.00", "8XY89012HJ345678K", "", "", "", "", "1043", "7KL23456BC789012D"),
    ("2024-11-13", "08:00:04", T_EXPRESS, "EUR", "17.90", "-0.79", "2ZA90123JK456789L", "noor.o@example.nl", "Noor Öztürk", "", "", "1052", ""),
    ("2024-11-15", "09:30:00", T_WITHDRAW, "EUR", "-1000.00", "0.00", "5BC01234KL567890M", "", "", "ING Bank N.V.", "4588", "", ""),
]

OPENING = {"EUR": Decimal("112.40"), "USD": Decimal("0.00")}


def quote_all(values: list[str]) -> str:
    return ",".join('"' + v.replace('"', '""') + '"' for v in values)


def nl_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{int(m)}/{int(d)}/{y}"          # month/day/year, no leading zeros (as seen)


def en_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{int(m)}/{int(d)}/{y}"          # OCA's English fixture: M/D/YYYY


def build(lang: str) -> bytes:
    header = NL_HEADER if lang == "nl" else EN_HEADER
    amt = nl_amount if lang == "nl" else en_amount
    tz = "Europe/Amsterdam" if lang == "nl" else "Europe/Amsterdam"
    balance = dict(OPENING)
    lines = [quote_all(header)]
    for (day, time, typ, cur, gross, fee, txid, email, name, bank, acct, inv, ref) in EVENTS:
        g, f = Decimal(gross), Decimal(fee)
        n = g + f
        balance[cur] += n
        desc = typ[0] if lang == "nl" else typ[1]
        date = nl_date(day) if lang == "nl" else en_date(day)
        lines.append(quote_all([date, time, tz, desc, cur, amt(g), amt(f), amt(n),
                                amt(money(balance[cur])), txid, email, name, bank, acct,
                                amt(0), amt(0), inv, ref]))
    text = "\n".join(lines) + "\n"
    return ("\ufeff" + text).encode("utf-8")


def main() -> None:
    print(write_bytes("paypal-example.csv", build("nl")), len(EVENTS), "rows")
    print(write_bytes("paypal-en-example.csv", build("en")), len(EVENTS), "rows")


if __name__ == "__main__":
    main()
