"""Writes woocommerce-orders-example.csv: the CSV of the "Advanced Order Export For
WooCommerce" plugin (algolplus, slug woo-order-export-lite) with its DEFAULT field set and
DEFAULT CSV settings, invented data for a Dutch shop whose catalogue prices include VAT.

How the plugin writes (from its source, see woocommerce.md):
- PHP fputcsv with ',' and '"': a field is quoted only when it holds a space, comma,
  quote, tab, CR, LF or backslash (so headers like "Order Number" are quoted, SKU is not);
- line ends CRLF (format_csv_linebreak '\\r\\n', applied by a stream filter to every LF, also
  inside quoted values), no BOM (format_csv_add_utf8_bom 0), UTF-8;
- one row per product ("Products" repeat 'rows'), order fields repeated on every product
  row (populate_other_columns 1); coupon rows are zipped beside the product rows;
- date "Y-m-d H:i"; money fields are WooCommerce's raw values (format_number_fields 0):
  '.' decimal mark, no thousands separator, floats lose trailing zeros ("12.5", "0");
- "stop CSV injection": a value starting with = + - @ gets a leading space (" +316...").
WooCommerce stores prices and shipping WITHOUT VAT even when they were entered with VAT,
so Item Cost, Order Subtotal Amount and Order Shipping Amount are net figures.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from _common import write_bytes

HEADER = [
    "Order Number", "Order Status", "Order Date", "Customer Note",
    "First Name (Billing)", "Last Name (Billing)", "Company (Billing)", "Address 1&2 (Billing)",
    "City (Billing)", "State Code (Billing)", "Postcode (Billing)", "Country Code (Billing)",
    "Email (Billing)", "Phone (Billing)",
    "First Name (Shipping)", "Last Name (Shipping)", "Address 1&2 (Shipping)", "City (Shipping)",
    "State Code (Shipping)", "Postcode (Shipping)", "Country Code (Shipping)",
    "SKU", "Item #", "Item Name", "Quantity", "Item Cost",
    "Coupon Code", "Discount Amount", "Discount Amount Tax",
    "Payment Method Title", "Cart Discount Amount", "Order Subtotal Amount",
    "Shipping Method Title", "Order Shipping Amount",
    "Order Refund Amount", "Order Total Amount", "Order Total Tax Amount",
]


def php_str(x) -> str:
    """How PHP prints a float: no trailing zeros, integers without a decimal point."""
    if isinstance(x, str):
        return x
    d = Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    s = format(d, "f")
    return "0" if s in ("-0", "0") else s


def dp2(x) -> str:
    """wc_format_decimal(x, 2): a string with exactly two decimals."""
    return f"{Decimal(x).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


def fputcsv_field(v: str) -> str:
    if v == "":
        return ""
    if any(c in v for c in ' ,"\t\r\n\\'):
        return '"' + v.replace('"', '""') + '"'
    return v


def injection_guard(v: str) -> str:
    return " " + v if v[:1] in ("=", "+", "-", "@") else v


def net(gross, rate):
    return Decimal(gross) / (1 + Decimal(rate) / 100)


SHIP_RATE = 21  # shipping taxed at the standard rate in this invented shop

ORDERS = [
    {
        "no": "2311", "status": "Voltooid", "date": "2024-11-04 09:12", "note": "",
        "bill": ("Sanne", "de Vries", "", "Kerkstraat 12", "Utrecht", "", "3511 AB", "NL",
                 "sanne.devries@example.nl", "0612345678"),
        "ship": ("Sanne", "de Vries", "Kerkstraat 12", "Utrecht", "", "3511 AB", "NL"),
        "items": [("TH-ROO-100", "Rooibos Vanille - 100 gram", 2, "7.95", 9),
                  ("GL-DW-300", "Theeglas dubbelwandig 300 ml", 1, "14.50", 21)],
        "coupons": [("welkom10", "10%")],
        "payment": "iDEAL", "ship_method": "PostNL", "ship_gross": "4.95", "refund": 0,
    },
    {
        "no": "2312", "status": "In behandeling", "date": "2024-11-04 13:40", "note": "",
        "bill": ("Pieter", "van Dam", "Van Dam Advies B.V.", "Stationsplein 4", "Amersfoort", "",
                 "3818 LE", "NL", "administratie@example-kantoor.nl", "033 123 45 67"),
        "ship": ("Pieter", "van Dam", "Stationsplein 4", "Amersfoort", "", "3818 LE", "NL"),
        "items": [("CB-PRO-06", "Cadeaubox Theeproeverij (6 soorten)", 4, "31.90", 9)],
        "coupons": [], "payment": "iDEAL", "ship_method": "Gratis verzending", "ship_gross": "0",
        "refund": 0,
    },
    {
        "no": "2313", "status": "Voltooid", "date": "2024-11-05 20:17",
        "note": "",
        "bill": ("Femke", "Jansen", "", "Lindelaan 88, 2e verdieping", "Zwolle", "", "8011 LK", "NL",
                 "femke@example.org", "0687654321"),
        "ship": ("Femke", "Jansen", "Lindelaan 88, 2e verdieping", "Zwolle", "", "8011 LK", "NL"),
        "items": [("GL-DW-300", "Theeglas dubbelwandig 300 ml", 1, "14.50", 21),
                  ("TH-EGB-100", "Earl Grey Bio - 100 gram", 3, "6.25", 9)],
        "coupons": [], "payment": "PayPal", "ship_method": "PostNL", "ship_gross": "4.95",
        "refund": "14.50",  # one glass arrived broken: partial refund, order stays Voltooid
    },
    {
        "no": "2314", "status": "In de wacht", "date": "2024-11-06 08:05", "note": "",
        "bill": ("Els", "Peeters", "Tearoom 't Pleintje", "Meir 25", "Antwerpen", "", "2000", "BE",
                 "inkoop@example.be", "+32470112233"),
        "ship": ("Els", "Peeters", "Meir 25", "Antwerpen", "", "2000", "BE"),
        "items": [("TH-SEN-250", "Sencha Kyoto - 250 gram", 5, "29.50", 9)],
        "coupons": [], "payment": "Bankoverschrijving", "ship_method": "bpost", "ship_gross": "9.95",
        "refund": 0,
    },
    {
        "no": "2315", "status": "Voltooid", "date": "2024-11-07 22:48",
        "note": "Cadeau voor mijn moeder, graag zonder prijskaartje.\nBezorgen bij de buren (nr. 5) als ik niet thuis ben.",
        "bill": ("Lotte", "Smit", "", "Brink 1", "Deventer", "", "7411 BR", "NL",
                 "lotte.smit@example.nl", "0611122233"),
        "ship": ("Ria", "Smit-Ödemiş", "Molenweg 3", "Hengelo", "", "7551 AB", "NL"),
        "items": [("TP-LIN-08", "Theepot \"Linde\", gietijzer 0,8 l", 1, "45.00", 21),
                  ("TH-MAT-030", "Matcha Uji ceremonieel - 30 gram", 1, "31.50", 9),
                  ("", "Cadeauverpakking", 1, "2.50", 21)],
        "coupons": [("herfst5", "5.00")],
        "payment": "Creditcard (Mollie)", "ship_method": "PostNL", "ship_gross": "4.95", "refund": 0,
    },
    {
        "no": "2316", "status": "In behandeling", "date": "2024-11-09 15:03", "note": "",
        "bill": ("Joost", "Bakker", "", "Dorpsweg 3", "Groningen", "", "9711 AA", "NL",
                 "j.bakker@example.com", ""),
        "ship": ("Joost", "Bakker", "Dorpsweg 3", "Groningen", "", "9711 AA", "NL"),
        "items": [("TH-EGB-100", "Earl Grey Bio - 100 gram", 1, "6.25", 9)],
        "coupons": [], "payment": "Afhalen en contant betalen", "ship_method": "Afhalen in de winkel",
        "ship_gross": "0", "refund": 0,
    },
]


def rows_of(o: dict) -> list[list[str]]:
    # discounts: percentage coupons act on each line; fixed coupons are spread by line value
    items = []
    for sku, name, qty, gross_price, rate in o["items"]:
        line_gross = Decimal(gross_price) * qty
        items.append({"sku": sku, "name": name, "qty": qty, "rate": rate,
                      "gross": line_gross, "net_before": net(line_gross, rate)})
    total_gross_items = sum(i["gross"] for i in items)
    coupon_rows = []
    for code, value in o["coupons"]:
        if value.endswith("%"):
            frac = Decimal(value[:-1]) / 100
            disc_gross = {id(i): i["gross"] * frac for i in items}
        else:
            disc_gross = {id(i): Decimal(value) * i["gross"] / total_gross_items for i in items}
        d_net = sum(net(disc_gross[id(i)], i["rate"]) for i in items)
        d_tax = sum(disc_gross[id(i)] - net(disc_gross[id(i)], i["rate"]) for i in items)
        for i in items:
            i["gross"] -= disc_gross[id(i)]
        coupon_rows.append((code, d_net, d_tax))
    subtotal_net = sum(i["net_before"] for i in items)
    cart_discount = sum(c[1] for c in coupon_rows)
    ship_net = net(o["ship_gross"], SHIP_RATE)
    ship_tax = Decimal(o["ship_gross"]) - ship_net
    items_tax = sum(i["gross"] - net(i["gross"], i["rate"]) for i in items)
    total_tax = items_tax + ship_tax
    total = sum(i["gross"] for i in items) + Decimal(o["ship_gross"])

    b, s = o["bill"], o["ship"]
    common = [o["no"], o["status"], o["date"], o["note"],
              b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
              s[0], s[1], s[2], s[3], s[4], s[5], s[6]]
    # Cart Discount Amount: order meta _cart_discount ("0" when none); Order Subtotal Amount:
    # wc_format_decimal(..., 2); Order Shipping Amount: get_shipping_total(); Order Refund
    # Amount: get_total_refunded() (a float: "14.5", "0"); Order Total Amount: get_total()
    # (stored with the shop's 2 decimals); Order Total Tax Amount: wc_round_tax_total() (float).
    tail = [o["payment"], php_str(cart_discount), dp2(subtotal_net), o["ship_method"],
            php_str(ship_net), php_str(Decimal(o["refund"])), dp2(total), php_str(total_tax)]
    out = []
    for n in range(max(len(items), len(coupon_rows))):
        prod = ["", "", "", "", ""]
        if n < len(items):
            i = items[n]
            # Item Cost = get_item_total($item, false, true): after discounts, excl. VAT, per unit
            prod = [i["sku"], str(n + 1), i["name"], str(i["qty"]), php_str(net(i["gross"], i["rate"]) / i["qty"])]
        coup = ["", "", ""]
        if n < len(coupon_rows):
            code, d_net, d_tax = coupon_rows[n]
            coup = [code, php_str(d_net), php_str(d_tax)]
        out.append(common + prod + coup + tail)
    return out


def main() -> None:
    lines = [",".join(fputcsv_field(h) for h in HEADER)]
    n = 0
    for o in ORDERS:
        for row in rows_of(o):
            assert len(row) == len(HEADER)
            lines.append(",".join(fputcsv_field(injection_guard(v)) for v in row))
            n += 1
    # fputcsv ends records with "\n"; the plugin's stream filter (WOE_Formatter_sv_crlf_filter)
    # then turns EVERY bare "\n" into "\r\n" - line breaks inside quoted values too.
    text = "\n".join(lines) + "\n"
    data = re.sub(r"(?<!\r)\n", "\r\n", text).encode("utf-8")
    print(write_bytes("woocommerce-orders-example.csv", data), n, "rows")


if __name__ == "__main__":
    main()
