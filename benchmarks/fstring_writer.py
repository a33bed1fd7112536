"""A hand-written f-string writer for sales invoices: the yardstick for the Jinja renderer.

It writes the same XML as templates/sales_invoices.xml.j2 from the same mapped frames,
element by element with plain f-strings, the way one would without a template engine.
The benchmark times both side by side; a test checks that their output is identical.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from yukimap.documents import SALES_INVOICE, Element
from yukimap.mapping import DOC, Mapped
from yukimap.model import Mapping

HEAD = ('<?xml version="1.0" encoding="utf-8"?>\n<SalesInvoices xmlns="urn:xmlns:http://www.'
        'theyukicompany.com:salesinvoices" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n')
TAIL = "</SalesInvoices>\n"
_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": "&#13;"})


def _elements(row: dict[str, Any], elements: tuple[Element, ...], prefix: str, indent: str,
              empty: dict[str, str]) -> tuple[str, dict[str, str], str]:
    """(leaves before the first group, each group's leaves, leaves after the last group)"""
    head, groups, tail = "", {}, ""
    seen_group = False
    for e in elements:
        name = prefix + e.name
        if e.is_group:
            groups[e.name] = _elements(row, e.children, name + ".", indent + "  ", empty)[0]
            seen_group = True
            continue
        value = row.get(name)
        if value is None:
            mode = empty.get(name, "omit")
            text = "" if mode == "omit" else (f"\n{indent}<{e.name} />" if mode == "clear"
                                              else f'\n{indent}<{e.name} xsi:nil="true" />')
        else:
            text = f"\n{indent}<{e.name}>{value.translate(_ESC)}</{e.name}>"
        if seen_group:
            tail += text
        else:
            head += text
    return head, groups, tail


def write(mapped: Mapped, mapping: Mapping) -> Iterator[str]:
    header_empty = {s.name: s.empty for s in mapping.header}
    line_empty = {s.name: s.empty for s in mapping.items[0].fields}
    yield HEAD
    lines_by_doc: dict[int, list[dict[str, Any]]] = {}
    for line in mapped.items.iter_rows(named=True):
        lines_by_doc.setdefault(line[DOC], []).append(line)
    for doc in mapped.documents.iter_rows(named=True):
        head, groups, _ = _elements(doc, SALES_INVOICE.header, "", "    ", header_empty)
        out = [f"  <SalesInvoice>{head}\n"]
        for group in ("Contact", "ContactPerson"):
            if groups[group]:
                out.append(f"    <{group}>{groups[group]}\n    </{group}>\n")
        out.append("    <InvoiceLines>\n")
        for line in lines_by_doc.get(doc[DOC], []):
            lhead, lgroups, ltail = _elements(line, SALES_INVOICE.items, "", "        ",
                                              line_empty)
            out.append(f"      <InvoiceLine>{lhead}\n")
            if lgroups["Product"]:
                out.append(f"        <Product>{lgroups['Product']}\n        </Product>\n")
            if ltail:
                out.append(f"{ltail[1:]}\n")
            out.append("      </InvoiceLine>\n")
        out.append("    </InvoiceLines>\n  </SalesInvoice>\n")
        yield "".join(out)
    yield TAIL
