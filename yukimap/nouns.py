"""The words for a target's documents in a message, in the current language: the
DocumentType's own words (documents.py) are English, and stay so where they label a document
stored in the send journal ("invoice 2024-001")."""

from __future__ import annotations

from yukimap.documents import DocumentType
from yukimap.i18n import N_, tr

# i18n: the keys are documents.py's English words, looked up (not shown)
_TITLES = {"sales invoices": N_("sales invoices"), "journals": N_("journals"),
           "petty cash statements": N_("petty cash statements")}
_DOCUMENT = {"invoice": N_("invoice"), "journal": N_("journal"), "statement": N_("statement")}
_DOCUMENTS = {"invoice": N_("invoices"), "journal": N_("journals"),
              "statement": N_("statements")}
_ITEM = {"line": N_("line"), "entry": N_("entry")}
_A_DOCUMENT = {"invoice": N_("an invoice"), "journal": N_("a journal"),
               "statement": N_("a statement")}


def title(target: DocumentType) -> str:
    """The documents of a target, plural: "sales invoices"."""
    template = _TITLES.get(target.title)
    return tr(template) if template else target.title


def document(target: DocumentType) -> str:
    """One document of a target: "invoice"."""
    template = _DOCUMENT.get(target.document)
    return tr(template) if template else target.document


def documents(target: DocumentType) -> str:
    """Documents of a target, plural: "invoices"."""
    template = _DOCUMENTS.get(target.document)
    return tr(template) if template else target.document + "s"


def item(target: DocumentType) -> str:
    """One item of a target's documents: "line"."""
    template = _ITEM.get(target.item)
    return tr(template) if template else target.item


def label(document: str, key: object) -> str:
    """A document named for a person in a problem's place: "invoice 2024-001" (`document`
    is the DocumentType's word; the send journal keeps its own English label)."""
    template = _DOCUMENT.get(document)
    return f"{tr(template) if template else document} {key}"


def a_document(target: DocumentType) -> str:
    """One document with its article: "an invoice"."""
    template = _A_DOCUMENT.get(target.document)
    return tr(template) if template else target.a_document
