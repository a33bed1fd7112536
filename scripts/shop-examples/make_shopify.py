"""Writes shopify-orders-example.csv: a Shopify admin "Export orders" CSV (current
79-column layout) with invented data for a Dutch shop whose prices include VAT.

Byte form copied from real exports (see shopify.md): UTF-8 without BOM, LF line ends,
comma delimiter, header unquoted; a value is quoted when it holds a comma, a quote or a
line break, and Shopify writes some empty values as "" (an empty string) where others
are plainly empty (no value). Which columns do which is copied column by column from the
real files. Order-level columns are filled only on an order's first row.
"""
from __future__ import annotations

from decimal import Decimal

from _common import money, vat_included, write_bytes

HEADER = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,"
    "Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,"
    "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,"
    "Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,"
    "Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,"
    "Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,"
    "Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,"
    "Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,"
    "Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,"
    "Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,"
    "Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,"
    "Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,"
    "Payment ID,Payment Terms Name,Next Payment Due At,Payment References"
).split(",")
assert len(HEADER) == 79

VENDOR = "Theehuis De Linde"
EMPTY_STR = object()  # Shopify's "" (an empty string, written quoted)


def cell(v) -> str:
    if v is EMPTY_STR:
        return '""'
    if v is None:
        return ""
    s = str(v)
    if any(c in s for c in ',"\n\r'):
        return '"' + s.replace('"', '""') + '"'
    return s


def order_rows(o: dict) -> list[dict]:
    """Rows of one order: order fields on the first row, line fields on every row."""
    lines = o["lines"]
    rate_tax: dict[str, Decimal] = {}
    subtotal = Decimal(0)
    for ln in lines:
        gross = Decimal(ln["price"]) * ln["qty"] - Decimal(ln.get("discount", "0"))
        subtotal += gross
        rate_tax[ln["rate"]] = rate_tax.get(ln["rate"], Decimal(0)) + vat_included(gross, ln["rate"].split()[-1].rstrip("%"))
    shipping = Decimal(o.get("shipping", "0"))
    if shipping:
        r = o.get("shipping_rate", "NL btw 21%")
        rate_tax[r] = rate_tax.get(r, Decimal(0)) + vat_included(shipping, r.split()[-1].rstrip("%"))
    total = subtotal + shipping
    taxes = sum(rate_tax.values(), Decimal(0))
    rows = []
    for i, ln in enumerate(lines):
        r = {h: None for h in HEADER}
        r["Name"] = o["name"]
        r["Email"] = o["email"]
        r["Created at"] = o["created"]
        r["Lineitem quantity"] = ln["qty"]
        r["Lineitem name"] = ln["title"]
        r["Lineitem price"] = ln["price"]
        r["Lineitem sku"] = ln.get("sku") or EMPTY_STR
        r["Lineitem requires shipping"] = "true"
        r["Lineitem taxable"] = "true"
        r["Lineitem fulfillment status"] = ln.get("status", o.get("line_status", "fulfilled"))
        r["Vendor"] = VENDOR
        r["Lineitem discount"] = ln.get("discount", "0.00")
        r["Lineitem compare at price"] = ln.get("compare") or (EMPTY_STR if i else None)
        if i == 0:
            r.update({
                "Financial Status": o["financial"],
                "Paid at": o.get("paid"),
                "Fulfillment Status": o["fulfillment"],
                "Fulfilled at": o.get("fulfilled"),
                "Accepts Marketing": o.get("marketing", "no"),
                "Currency": "EUR",
                "Subtotal": f"{money(subtotal)}",
                "Shipping": f"{money(shipping)}",
                "Taxes": f"{money(taxes)}",
                "Total": f"{money(total)}",
                "Discount Code": o.get("code") or EMPTY_STR,
                "Discount Amount": o.get("discount", "0.00"),
                "Shipping Method": o.get("method") or EMPTY_STR,
                "Billing Name": o["bill"]["name"],
                "Billing Street": o["bill"]["street"],
                "Billing Address1": o["bill"]["a1"],
                "Billing Address2": o["bill"].get("a2"),
                "Billing Company": o["bill"].get("company"),
                "Billing City": o["bill"]["city"],
                "Billing Zip": o["bill"]["zip"],
                "Billing Province": None,
                "Billing Country": o["bill"]["country"],
                "Billing Phone": o["bill"].get("phone") or EMPTY_STR,
                "Notes": o.get("notes", EMPTY_STR),
                "Note Attributes": o.get("note_attr") or EMPTY_STR,
                "Cancelled at": o.get("cancelled"),
                "Payment Method": o.get("gateway") or EMPTY_STR,
                "Payment Reference": o.get("payref") or EMPTY_STR,
                "Refunded Amount": o.get("refunded", "0.00"),
                "Outstanding Balance": o.get("outstanding", "0.00"),
                "Employee": o.get("employee"),
                "Location": o.get("location"),
                "Id": o["id"],
                "Tags": o.get("tags") or EMPTY_STR,
                "Risk Level": "Low",
                "Source": o.get("source", "web"),
                "Phone": o.get("phone"),
                "Payment ID": o.get("payref"),
                "Payment References": o.get("payrefs", o.get("payref")),
            })
            if o.get("ship"):
                s = o["ship"]
                r.update({"Shipping Name": s["name"], "Shipping Street": s["street"],
                          "Shipping Address1": s["a1"], "Shipping Address2": s.get("a2"),
                          "Shipping Company": s.get("company"), "Shipping City": s["city"],
                          "Shipping Zip": s["zip"], "Shipping Country": s["country"],
                          "Shipping Phone": s.get("phone") or EMPTY_STR})
            for n, (name, value) in enumerate(sorted(rate_tax.items()), start=1):
                r[f"Tax {n} Name"] = name
                r[f"Tax {n} Value"] = f"{money(value)}"
        elif o.get("phone_on_all_rows"):
            r["Phone"] = o.get("phone")
        rows.append(r)
    return rows


ADDR_UTRECHT = {"name": "Sanne de Vries", "street": "Kerkstraat 12", "a1": "Kerkstraat 12",
                "city": "Utrecht", "zip": "3511 AB", "country": "NL"}

ORDERS = [
    {  # paid, fulfilled, two VAT rates, shipping
        "name": "#1041", "email": "sanne.devries@example.nl", "financial": "paid",
        "paid": "2024-11-04 09:12:41 +0100", "fulfillment": "fulfilled",
        "fulfilled": "2024-11-05 10:03:17 +0100", "created": "2024-11-04 09:12:40 +0100",
        "method": "PostNL Standaard", "shipping": "4.95", "gateway": "Shopify Payments",
        "payref": "rX7kQm2Lp9TzA4cVb8NwE1sDf", "id": "6201458391041", "marketing": "yes",
        "bill": ADDR_UTRECHT, "ship": ADDR_UTRECHT,
        "lines": [
            {"qty": 2, "title": "Rooibos Vanille - 100 gram", "price": "7.95", "sku": "TH-ROO-100", "rate": "NL btw 9%"},
            {"qty": 1, "title": "Theeglas dubbelwandig 300 ml", "price": "14.50", "sku": "GL-DW-300", "rate": "NL btw 21%"},
        ],
    },
    {  # discount code, one line
        "name": "#1042", "email": "j.bakker@example.com", "financial": "paid",
        "paid": "2024-11-04 13:40:02 +0100", "fulfillment": "fulfilled",
        "fulfilled": "2024-11-05 10:03:55 +0100", "created": "2024-11-04 13:40:01 +0100",
        "method": "PostNL Standaard", "shipping": "4.95", "gateway": "Shopify Payments",
        "payref": "rM3nB8vC1xZ6lK0jH5gF2dS9a", "id": "6201458391042",
        "code": "WELKOM10", "discount": "2.95",
        "bill": {"name": "Joost Bakker", "street": "Dorpsweg 3", "a1": "Dorpsweg 3",
                 "city": "Groningen", "zip": "9711 AA", "country": "NL", "phone": "+31612345678"},
        "ship": {"name": "Joost Bakker", "street": "Dorpsweg 3", "a1": "Dorpsweg 3",
                 "city": "Groningen", "zip": "9711 AA", "country": "NL", "phone": "+31612345678"},
        "lines": [
            {"qty": 1, "title": "Sencha Kyoto - 250 gram", "price": "29.50", "sku": "TH-SEN-250",
             "rate": "NL btw 9%", "discount": "2.95", "compare": "32.50"},
        ],
    },
    {  # partially refunded: totals stay, Refunded Amount says how much went back
        "name": "#1043", "email": "femke@example.org", "financial": "partially_refunded",
        "paid": "2024-11-05 20:17:33 +0100", "fulfillment": "fulfilled",
        "fulfilled": "2024-11-06 09:41:08 +0100", "created": "2024-11-05 20:17:32 +0100",
        "method": "PostNL Standaard", "shipping": "4.95", "gateway": "iDEAL",
        "payref": "r0aS9dF8gH7jK6lZ5xC4vB3nM", "id": "6201458391043", "refunded": "14.50",
        "bill": {"name": "Femke Jansen", "street": "Lindelaan 88, 2e verdieping", "a1": "Lindelaan 88",
                 "a2": "2e verdieping", "city": "Zwolle", "zip": "8011 LK", "country": "NL"},
        "ship": {"name": "Femke Jansen", "street": "Lindelaan 88, 2e verdieping", "a1": "Lindelaan 88",
                 "a2": "2e verdieping", "city": "Zwolle", "zip": "8011 LK", "country": "NL"},
        "lines": [
            {"qty": 1, "title": "Theeglas dubbelwandig 300 ml", "price": "14.50", "sku": "GL-DW-300", "rate": "NL btw 21%"},
            {"qty": 3, "title": "Earl Grey Bio - 100 gram", "price": "6.25", "sku": "TH-EGB-100", "rate": "NL btw 9%"},
        ],
    },
    {  # cancelled after payment: refunded in full, Cancelled at set
        "name": "#1044", "email": "m.yilmaz@example.net", "financial": "refunded",
        "paid": "2024-11-06 08:05:12 +0100", "fulfillment": "unfulfilled",
        "created": "2024-11-06 08:05:11 +0100", "cancelled": "2024-11-06 11:30:46 +0100",
        "method": "PostNL Standaard", "shipping": "4.95", "gateway": "Shopify Payments",
        "payref": "rL2kJ3hG4fD5sA6pO7iU8yT9r", "id": "6201458391044", "refunded": "36.45",
        "line_status": "pending",
        "bill": {"name": "Mert Yılmaz", "street": "Havenstraat 7", "a1": "Havenstraat 7",
                 "city": "Rotterdam", "zip": "3024 AB", "country": "NL"},
        "ship": {"name": "Mert Yılmaz", "street": "Havenstraat 7", "a1": "Havenstraat 7",
                 "city": "Rotterdam", "zip": "3024 AB", "country": "NL"},
        "lines": [
            {"qty": 1, "title": "Matcha Uji ceremonieel - 30 gram", "price": "31.50", "sku": "TH-MAT-030", "rate": "NL btw 9%"},
        ],
    },
    {  # authorised, then cancelled before capture: voided, never paid
        "name": "#1045", "email": "lotte.smit@example.nl", "financial": "voided",
        "fulfillment": "unfulfilled", "created": "2024-11-07 22:48:09 +0100",
        "cancelled": "2024-11-08 07:55:31 +0100", "method": "PostNL Standaard", "shipping": "4.95",
        "gateway": "Klarna", "payref": "rQ1wE2rT3yU4iO5pA6sD7fG8h", "id": "6201458391045",
        "outstanding": "49.95", "line_status": "pending",
        "bill": {"name": "Lotte Smit", "street": "Brink 1", "a1": "Brink 1", "city": "Deventer",
                 "zip": "7411 BR", "country": "NL"},
        "ship": {"name": "Lotte Smit", "street": "Brink 1", "a1": "Brink 1", "city": "Deventer",
                 "zip": "7411 BR", "country": "NL"},
        "lines": [
            {"qty": 1, "title": "Theepot \"Linde\", gietijzer 0,8 l", "price": "45.00", "sku": "TP-LIN-08", "rate": "NL btw 21%"},
        ],
    },
    {  # Belgian company, OSS rate, three lines, multi-line note, numeric zip with apostrophe
        "name": "#1046", "email": "inkoop@example.be", "financial": "paid",
        "paid": "2024-11-08 10:22:47 +0100", "fulfillment": "partial",
        "created": "2024-11-08 10:22:46 +0100", "method": "bpost", "shipping": "9.95",
        "shipping_rate": "BE TVA 21%", "gateway": "Bancontact",
        "payref": "rZ9xC8vB7nM6lK5jH4gF3dS2a", "id": "6201458391046",
        "notes": "Graag leveren na 17:00.\nNiet aanbellen, achterom.",
        "note_attr": "btw-nummer: BE0123456749", "tags": "B2B, Belgie",
        "phone": "+32470112233", "phone_on_all_rows": True,
        "bill": {"name": "Els Peeters", "street": "Meir 25", "a1": "Meir 25",
                 "company": "Tearoom 't Pleintje BV", "city": "Antwerpen", "zip": "'2000",
                 "country": "BE", "phone": "+32470112233"},
        "ship": {"name": "Els Peeters", "street": "Meir 25", "a1": "Meir 25",
                 "company": "Tearoom 't Pleintje BV", "city": "Antwerpen", "zip": "'2000",
                 "country": "BE", "phone": "+32470112233"},
        "lines": [
            {"qty": 10, "title": "Rooibos Vanille - 100 gram", "price": "7.95", "sku": "TH-ROO-100", "rate": "BE TVA 6%"},
            {"qty": 5, "title": "Sencha Kyoto - 250 gram", "price": "29.50", "sku": "TH-SEN-250", "rate": "BE TVA 6%"},
            {"qty": 2, "title": "Theepot \"Linde\", gietijzer 0,8 l", "price": "45.00", "sku": "TP-LIN-08",
             "rate": "BE TVA 21%", "status": "pending"},
        ],
    },
    {  # manual payment (bank transfer), not yet paid
        "name": "#1047", "email": "info@example-kantoor.nl", "financial": "pending",
        "fulfillment": "unfulfilled", "created": "2024-11-09 15:03:27 +0100",
        "method": "PostNL Standaard", "shipping": "4.95", "gateway": "Bankoverschrijving",
        "id": "6201458391047", "outstanding": "68.75", "line_status": "pending",
        "bill": {"name": "Pieter van Dam", "street": "Stationsplein 4", "a1": "Stationsplein 4",
                 "company": "Van Dam Advies", "city": "Amersfoort", "zip": "3818 LE", "country": "NL"},
        "ship": {"name": "Pieter van Dam", "street": "Stationsplein 4", "a1": "Stationsplein 4",
                 "company": "Van Dam Advies", "city": "Amersfoort", "zip": "3818 LE", "country": "NL"},
        "lines": [
            {"qty": 2, "title": "Cadeaubox Theeproeverij (6 soorten)", "price": "31.90", "sku": "CB-PRO-06", "rate": "NL btw 9%"},
        ],
    },
    {  # sold at the shop's till (Shopify POS): location and staff member, no shipping
        "name": "#1048", "email": None, "financial": "paid", "paid": "2024-11-09 16:45:10 +0100",
        "fulfillment": "fulfilled", "fulfilled": "2024-11-09 16:45:10 +0100",
        "created": "2024-11-09 16:45:09 +0100", "gateway": "Cash", "payref": "c31820000041.1",
        "id": "6201458391048", "source": "pos", "location": "Winkel Utrecht", "employee": "Noor Visser",
        "bill": {"name": None, "street": None, "a1": None, "city": None, "zip": None, "country": None},
        "lines": [
            {"qty": 1, "title": "Earl Grey Bio - 100 gram", "price": "6.25", "sku": "TH-EGB-100", "rate": "NL btw 9%"},
            {"qty": 1, "title": "Thee-ei RVS", "price": "3.95", "sku": None, "rate": "NL btw 21%"},
        ],
    },
]


def main() -> None:
    out = [",".join(HEADER)]
    for o in ORDERS:
        for r in order_rows(o):
            out.append(",".join(cell(r[h]) for h in HEADER))
    data = ("\n".join(out) + "\n").encode("utf-8")
    print(write_bytes("shopify-orders-example.csv", data), len(out) - 1, "rows")


if __name__ == "__main__":
    main()
