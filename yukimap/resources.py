"""Where the shipped templates, mappings, examples and XSDs are.

In a checkout they sit at the top of the repository; a wheel carries them inside the
package under `_data/` (see pyproject.toml). Both layouts are looked up here, and only here.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def _data_root() -> Path:
    packaged = _PACKAGE / "_data"
    if (packaged / "templates").is_dir():
        return packaged
    return _PACKAGE.parent


def templates_dir() -> Path:
    return _data_root() / "templates"


def mappings_dir() -> Path:
    return _data_root() / "mappings"


def examples_dir() -> Path:
    return _data_root() / "examples"


# The JSON Schema of the mapping format, beside the shipped mappings, so that their first
# line (`# yaml-language-server: $schema=./mapping.schema.json`) finds it in a checkout and
# in a wheel alike. `yukimap schema` makes it; a test checks it is up to date.
MAPPING_SCHEMA = "mapping.schema.json"


def mapping_schema_path() -> Path:
    return mappings_dir() / MAPPING_SCHEMA


def schemas_dir() -> Path:
    """The XSDs: the user's official copies (YUKIMAP_SCHEMAS) win over the reconstructed ones."""
    override = os.environ.get("YUKIMAP_SCHEMAS")
    return Path(override) if override else _PACKAGE / "schemas"


def schema_path(name: str) -> Path:
    """Path of an XSD by file name, e.g. 'SalesInvoices.xsd'.

    A user with internet access can download Yuki's official XSDs into a folder and point
    YUKIMAP_SCHEMAS at it; a schema missing there falls back to the reconstructed one.
    """
    chosen = schemas_dir() / name
    return chosen if chosen.is_file() else _PACKAGE / "schemas" / name


def shipped_mappings() -> dict[str, Path]:
    """Shipped mapping files by name (file name without .yaml)."""
    folder = mappings_dir()
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}
