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
_ITEMS = {"lines": N_("lines"), "entries": N_("entries")}
_A_DOCUMENT = {"invoice": N_("an invoice"), "journal": N_("a journal"),
               "statement": N_("a statement")}


def _said(words: dict[str, str], word: str, otherwise: str | None = None) -> str:
    """`word` (documents.py's English) in the current language; one this module does not
    know as it is (or as `otherwise`)."""
    template = words.get(word)
    return tr(template) if template else (otherwise or word)


def title(target: DocumentType) -> str:
    """The documents of a target, plural: "sales invoices"."""
    return _said(_TITLES, target.title)


def document(target: DocumentType) -> str:
    """One document of a target: "invoice"."""
    return _said(_DOCUMENT, target.document)


def documents(target: DocumentType) -> str:
    """Documents of a target, plural: "invoices"."""
    return _said(_DOCUMENTS, target.document, target.document + "s")


def item(target: DocumentType) -> str:
    """One item of a target's documents: "line"."""
    return _said(_ITEM, target.item)


def items(target: DocumentType) -> str:
    """A target's items, plural, as its section's key says them: "lines"."""
    return _said(_ITEMS, target.item_key)


def label(document: str, key: object) -> str:
    """A document named for a person in a problem's place: "invoice 2024-001" (`document`
    is the DocumentType's word; the send journal keeps its own English label)."""
    return f"{_said(_DOCUMENT, document)} {key}"


def a_document(target: DocumentType) -> str:
    """One document with its article: "an invoice"."""
    return _said(_A_DOCUMENT, target.document, target.a_document)
