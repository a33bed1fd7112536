"""The mapping's JSON Schema, for the editor's completion, hover and live checks.

The same schema `yukimap schema` prints (yukimap.schema.json_schema, made from the
loader's own key tables and the Yuki documents), so the editor cannot suggest a key the
loader refuses. The loader stays the judge: the editor's schema only helps while typing,
every dry run is checked by load_mapping itself.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from yukimap.schema.json_schema import mapping_schema as _generated


@cache
def mapping_schema() -> dict[str, Any]:
    """The JSON Schema of a mapping file (draft 7, as the editor's library reads it)."""
    return _generated()
