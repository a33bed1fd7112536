"""The validate stage: rendered XML against the target's XSD, before anything leaves.

xmlschema loads the schema and explains failures with element paths, which are mapped back
to the documents and source rows that produced them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from yukimap.errors import Problem, Where
from yukimap.render import Document
from yukimap.resources import schema_path

_INDEX = re.compile(r"/([A-Za-z_]+)(?:\[(\d+)\])?")
_NUMBERED = re.compile(r"\[\d+\]")


@cache
def load_schema(path: Path) -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(path))


def xsd_problems(xml: str, xsd: str, documents: Sequence[Document], file: str,
                 document_name: str, item_name: str) -> list[Problem]:
    """Every XSD violation of `xml`, located at the source rows that produced it."""
    schema = load_schema(schema_path(xsd))
    problems = []
    for error in schema.iter_errors(xml):
        where = _locate(error.path or "", documents, file, document_name, item_name)
        element = _NUMBERED.sub("", (error.path or "").rsplit("/", 1)[-1])
        problems.append(Problem(
            f"breaks Yuki's schema at {element}: {error.reason}",
            where, value=_value(error), hint="check the mapping of this field",
        ))
    return problems


def _value(error: Any) -> str | None:
    obj = getattr(error, "obj", None)
    text = getattr(obj, "text", None)
    return text if isinstance(text, str) else None


def _locate(path: str, documents: Sequence[Document], file: str, document_name: str,
            item_name: str) -> Where:
    """'/SalesInvoices/SalesInvoice[2]/InvoiceLines/InvoiceLine[1]/…' -> rows of that line."""
    steps = _INDEX.findall(path)
    if len(steps) < 2:
        return Where(file=file)
    doc_index = int(steps[1][1] or 1) - 1
    if doc_index >= len(documents):
        return Where(file=file, key=path)
    document = documents[doc_index]
    rows = document.rows
    for name, index in steps[2:]:
        if name.endswith(("Line", "Entry")):
            item_index = int(index or 1) - 1
            if item_index < len(document.item_rows):
                rows = (document.item_rows[item_index],)
            break
    key = document.context.get("Reference") or document.index + 1
    return Where(file=file, rows=tuple(rows), document=f"{document_name} {key}", key=path)
