"""A hand-written f-string writer for sales invoices: the yardstick for the Jinja renderer.

It writes the same XML as templates/sales_invoices.xml.j2 from the same mapped frames, with
plain f-strings and str.translate for escaping, the way one would write it by hand for a
given export: only the columns the mapping gives are visited, rows are plain tuples. The
benchmark times both side by side; a test checks that their output is identical.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from yukimap.documents import SALES_INVOICE, Element
from yukimap.frames import DOC, Mapped
from yukimap.model import Mapping

HEAD = ('<?xml version="1.0" encoding="utf-8"?>\n<SalesInvoices xmlns="urn:xmlns:http://www.'
        'theyukicompany.com:salesinvoices" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n')
TAIL = "</SalesInvoices>\n"
_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": "&#13;"})

Plan = list[tuple[Any, ...]]  # ("leaf", index, name, escape, empty text) | ("group", name, Plan)


def _plan(elements: tuple[Element, ...], prefix: str, columns: list[str],
          empty: dict[str, str], indent: str) -> Plan:
    """The elements a row can give, in order: only mapped columns, decided once."""
    plan: Plan = []
    for e in elements:
        name = prefix + e.name
        if e.is_group:
            inner = _plan(e.children, name + ".", columns, empty, indent + "  ")
            if inner:
                plan.append(("group", e.name, inner, indent))
        elif name in columns:
            mode = empty.get(name, "omit")
            text = "" if mode == "omit" else (f"\n{indent}<{e.name} />" if mode == "clear"
                                              else f'\n{indent}<{e.name} xsi:nil="true" />')
            plan.append(("leaf", columns.index(name), e.name, e.kind == "text", text, indent))
    return plan


def _render(row: tuple[Any, ...], plan: Plan) -> str:
    out = []
    for step in plan:
        if step[0] == "group":
            inner = _render(row, step[2])
            if inner:
                out.append(f"\n{step[3]}<{step[1]}>{inner}\n{step[3]}</{step[1]}>")
            continue
        _, index, name, escape, empty, indent = step
        value = row[index]
        if value is None:
            out.append(empty)
        else:
            out.append(f"\n{indent}<{name}>{value.translate(_ESC) if escape else value}</{name}>")
    return "".join(out)


def write(mapped: Mapped, mapping: Mapping) -> Iterator[str]:
    docs, items = mapped.documents, mapped.items
    header = _plan(SALES_INVOICE.header, "", docs.columns,
                   {s.name: s.empty for s in mapping.header}, "    ")
    lines = _plan(SALES_INVOICE.items, "", items.columns,
                  {s.name: s.empty for s in mapping.items[0].fields}, "        ")
    doc_at = docs.columns.index(DOC)
    line_doc_at = items.columns.index(DOC)
    line_rows = items.iter_rows()
    pending = next(line_rows, None)
    yield HEAD
    for doc in docs.iter_rows():
        out = [f"  <SalesInvoice>{_render(doc, header)}\n    <InvoiceLines>\n"]
        while pending is not None and pending[line_doc_at] == doc[doc_at]:
            out.append(f"      <InvoiceLine>{_render(pending, lines)}\n      </InvoiceLine>\n")
            pending = next(line_rows, None)
        out.append("    </InvoiceLines>\n  </SalesInvoice>\n")
        yield "".join(out)
    yield TAIL
