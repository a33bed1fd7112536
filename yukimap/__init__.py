"""yukimap: CSV and Excel exports into Yuki documents, described by a YAML mapping file.

The library API (the CLI is a thin layer over it)::

    from yukimap import convert_file, load_mapping, load_settings, send_file, write_documents
    mapping = load_mapping("mappings/webshop-orders.yaml")
    result = convert_file("examples/webshop-orders.csv", mapping)
    write_documents(result, Path("out.xml"))
    receipt = send_file(Path("orders.csv"), mapping, load_settings(), administration="...")

Names are imported lazily so that `yukimap --help` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what the lazy names are, for type checkers
    from yukimap.errors import UserError
    from yukimap.pipeline import ConversionResult, convert_file
    from yukimap.schema import load_mapping
    from yukimap.send import Receipt, send_file
    from yukimap.settings import load_settings
    from yukimap.sliced import convert_in_slices

__version__ = "0.1.0"

__all__ = ["__version__", "convert_file", "load_mapping", "load_settings", "send_file",
           "send_files", "write_documents", "check_documents", "convert_in_slices",
           "ConversionResult", "Receipt", "UserError"]

_LAZY = {
    "load_mapping": "yukimap.schema",
    "convert_file": "yukimap.pipeline",
    "ConversionResult": "yukimap.pipeline",
    "write_documents": "yukimap.output",
    "check_documents": "yukimap.output",
    "convert_in_slices": "yukimap.sliced",
    "send_file": "yukimap.send",
    "send_files": "yukimap.send",
    "Receipt": "yukimap.send",
    "load_settings": "yukimap.settings",
    "UserError": "yukimap.errors",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        # i18n: Python's own wording of a missing attribute, for developers
        raise AttributeError(f"module 'yukimap' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
