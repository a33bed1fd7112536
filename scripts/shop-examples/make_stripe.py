"""Writes stripe-balance-example.csv: Stripe's "Balance change from activity" itemized
report (report type balance_change_from_activity.itemized.3) with its DEFAULT columns, as
the Dashboard downloads it (Reports > Balance summary > Balance change from activity >
Download, "Itemized"), invented data for a Dutch shop settling in EUR.

Value forms (Stripe docs and many importers agree): amounts in major units with '.' and
two decimals, no thousands separator, '-' for money leaving the balance; `fee` is the fee
Stripe took on that line (positive = cost); net = gross - fee; currency lower case;
*_utc timestamps 'YYYY-MM-DD HH:MM:SS' in UTC. Header row of snake_case column ids.
Byte details not verified from a real download: written as UTF-8 without BOM, LF, quoting
only where needed.
"""
from __future__ import annotations

import csv
import io

from _common import write_bytes

HEADER = ["balance_transaction_id", "created_utc", "available_on_utc", "currency", "gross",
          "fee", "net", "reporting_category", "description"]

ROWS = [
    ("txn_3QJx8mLkdIwHu7ix0aB1cD2e", "2024-11-04 08:12:41", "2024-11-06 00:00:00", "eur", "35.35", "0.74", "34.61", "charge", "Bestelling #1041"),
    ("txn_3QJxCqLkdIwHu7ix1bC2dE3f", "2024-11-04 12:40:02", "2024-11-06 00:00:00", "eur", "31.50", "0.69", "30.81", "charge", "Bestelling #1042"),
    ("txn_3QKb9tLkdIwHu7ix2cD3eF4g", "2024-11-05 19:17:33", "2024-11-07 00:00:00", "eur", "38.20", "0.78", "37.42", "charge", "Bestelling #1043"),
    ("txn_3QKr1vLkdIwHu7ix3dE4fG5h", "2024-11-06 07:05:12", "2024-11-08 00:00:00", "eur", "36.45", "0.76", "35.69", "charge", "Bestelling #1044"),
    ("txn_1QKs7xLkdIwHu7ix4eF5gH6i", "2024-11-06 10:31:02", "2024-11-06 10:31:02", "eur", "-36.45", "0.00", "-36.45", "refund", "REFUND FOR CHARGE (Bestelling #1044)"),
    ("txn_3QLa2yLkdIwHu7ix5fG6hI7j", "2024-11-07 16:02:55", "2024-11-09 00:00:00", "eur", "27.81", "1.08", "26.73", "charge", "Order #1051, USD card (customer paid $30.00)"),
    ("txn_1QLb3zLkdIwHu7ix6gH7iJ8k", "2024-11-07 14:02:19", "2024-11-07 14:02:19", "eur", "-14.50", "0.00", "-14.50", "refund", "REFUND FOR CHARGE (Bestelling #1043)"),
    ("txn_1QLc4aLkdIwHu7ix7hI8jK9l", "2024-11-09 11:15:40", "2024-11-09 11:15:40", "eur", "-31.50", "20.00", "-51.50", "dispute", "Chargeback withdrawal for ch_3QJxCqLkdIwHu7ix1x2y3z4a"),
    ("txn_1QLd5bLkdIwHu7ix8iJ9kL0m", "2024-11-10 00:00:00", "2024-11-10 00:00:00", "eur", "-0.20", "0.00", "-0.20", "fee", "Radar (2024-11-09): Radar for Fraud Teams"),
    ("txn_1QLe6cLkdIwHu7ix9jK0lM1n", "2024-11-11 03:14:07", "2024-11-11 03:14:07", "eur", "-102.61", "0.00", "-102.61", "payout", "STRIPE PAYOUT"),
]


def main() -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(HEADER)
    for r in ROWS:
        assert abs(float(r[4]) - float(r[5]) - float(r[6])) < 0.005, r
        w.writerow(r)
    print(write_bytes("stripe-balance-example.csv", buf.getvalue().encode("utf-8")), len(ROWS), "rows")


if __name__ == "__main__":
    main()
