"""Writes mollie-settlement-example.csv: one Mollie settlement (payout) as the classic
Mollie Dashboard "settlement" CSV, invented data.

The column list and the row model (one row per payment / refund / chargeback / capture,
refunds and chargebacks negative, and at the end one row per Mollie invoice with the
"Withheld transaction fees", gross, negative) come from fjbender/settlement2csv, which
"approximates the actual Mollie Settlement Export from the Dashboard" from the API; a second,
independent importer reads the same headers. Quoting, line ends and the date form of the
real dashboard file are NOT verified (see mollie.md); this file follows the approximation:
header unquoted, rows written like PHP fputcsv (quoted when a value holds a space, comma or
quote), LF, no BOM, dates as the API gives them (ISO 8601 with offset), amounts with '.'.
"""
from __future__ import annotations

from decimal import Decimal

from _common import money, nl_iban, write_bytes

HEADER = ("Date,Payment method,Currency,Amount,Status,ID,Description,Consumer name,"
          "Consumer bank account,Consumer BIC,Settlement currency,Settlement amount,"
          "Settlement reference,Amount refunded")

REF = "1234567.2411.02"          # <organisation>.<yymm>.<sequence>, invented
INVOICE = "MI2024-0112345"       # invented Mollie invoice reference

# (date, method, currency, amount, status, id, description, name, account, bic,
#  settlement amount (EUR), amount refunded)
ROWS = [
    ("2024-11-04T08:12:41+00:00", "ideal", "EUR", "35.35", "paid", "tr_7UhSN1zuXS",
     "Bestelling 1041", "S. de Vries", nl_iban("RABO", 3012345), "RABONL2U", "35.35", "0.00"),
    ("2024-11-04T12:40:02+00:00", "creditcard", "EUR", "31.50", "paid", "tr_Kz4QeW8bNa",
     "Bestelling 1042", "", "", "", "31.50", "0.00"),
    ("2024-11-05T19:17:33+00:00", "ideal", "EUR", "38.20", "paid", "tr_p2LmXc9RtY",
     "Bestelling 1043", "F. Jansen", nl_iban("INGB", 4409876), "INGBNL2A", "38.20", "14.50"),
    ("2024-11-06T07:05:12+00:00", "ideal", "EUR", "36.45", "paid", "tr_Hq8VvB3sLe",
     "Bestelling 1044", "M. Yılmaz", nl_iban("ABNA", 5501234), "ABNANL2A", "36.45", "36.45"),
    ("2024-11-06T09:44:50+00:00", "paypal", "EUR", "12.40", "paid", "tr_Wd5FgT1xZo",
     "Bestelling 1049 - losse thee", "Kees Mulder", "kees.mulder@example.nl", "", "12.40", "0.00"),
    ("2024-11-08T09:22:47+00:00", "bancontact", "EUR", "326.95", "paid", "tr_Bn6JkL2pQr",
     "Bestelling 1046", "E. Peeters", "", "", "326.95", "0.00"),
    ("2024-11-08T15:31:09+00:00", "creditcard", "GBP", "20.00", "paid", "tr_Gx3CvN7mUk",
     "Order 1050 (United Kingdom)", "", "", "", "23.37", "0.00"),
    ("2024-11-06T10:31:02+00:00", "refund", "EUR", "-36.45", "refunded", "re_4KrTbZ9qWn",
     "Terugbetaling bestelling 1044 (geannuleerd)", "", "", "", "-36.45", ""),
    ("2024-11-07T14:02:19+00:00", "refund", "EUR", "-14.50", "refunded", "re_9PsDfG4hJk",
     "Terugbetaling bestelling 1043: theeglas kapot aangekomen, excuses", "", "", "", "-14.50", ""),
    ("2024-11-09T11:15:40+00:00", "chargeback", "EUR", "-31.50", "", "chb_xFzwAm2Lt",
     "", "", "", "", "-31.50", ""),
]

# Mollie fees withheld in this settlement, per invoice, gross (net + 21% VAT): invented rates
FEES_NET = {
    "ideal": Decimal("0.32"), "creditcard": None, "paypal": Decimal("0.10"),
    "bancontact": Decimal("0.39"), "refund": Decimal("0.25"), "chargeback": Decimal("15.00"),
}


def fee_net(method: str, settled: Decimal) -> Decimal:
    if method == "creditcard":
        return money(Decimal("0.25") + abs(settled) * Decimal("0.018"))
    return FEES_NET[method]


def fputcsv(values: list[str]) -> str:
    out = []
    for v in values:
        if v == "":
            out.append("")
        elif any(c in v for c in ' ,"\t\r\n\\'):
            out.append('"' + v.replace('"', '""') + '"')
        else:
            out.append(v)
    return ",".join(out)


def main() -> None:
    lines = [HEADER]
    fees_net = Decimal(0)
    total = Decimal(0)
    for (date, method, cur, amount, status, tid, desc, name, acct, bic, settled, refunded) in ROWS:
        lines.append(fputcsv([date, method, cur, amount, status, tid, desc, name, acct, bic,
                              "EUR", settled, REF, refunded]))
        fees_net += fee_net(method, Decimal(settled))
        total += Decimal(settled)
    fees_gross = money(fees_net * Decimal("1.21"))
    lines.append(fputcsv(["2024-11-11T05:00:12+00:00", "", "EUR", f"-{fees_gross}", "", "",
                          f"Withheld transaction fees {INVOICE}", "", "", "", "EUR",
                          f"-{fees_gross}", REF, ""]))
    total -= fees_gross
    data = ("\n".join(lines) + "\n").encode("utf-8")
    print(write_bytes("mollie-settlement-example.csv", data), len(lines) - 1, "rows;",
          "fees net", money(fees_net), "VAT", money(fees_gross - money(fees_net)),
          "gross", fees_gross, "payout", money(total))


if __name__ == "__main__":
    main()
