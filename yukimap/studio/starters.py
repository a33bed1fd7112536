"""Where a new mapping starts: a shipped mapping (a pack), or a starter for a target.

`yukimap init` will write a starter from the export's own columns; until it lands, a starter
is the few keys every mapping of a target has, with comments that say what comes next.
`starter_text` is the one function the page's starters come from.
"""

from __future__ import annotations

from typing import Any

from yukimap.documents import DOCUMENT_TYPES
from yukimap.resources import shipped_mappings
from yukimap.yamlsrc import load_yaml

STARTERS = tuple(DOCUMENT_TYPES)


def packs() -> list[dict[str, Any]]:
    """The shipped mappings, each with its name, title and target."""
    found = []
    for name, path in shipped_mappings().items():
        text = path.read_text(encoding="utf-8")
        try:
            data = load_yaml(text, str(path)).data
        except Exception:  # noqa: BLE001 -- a shipped mapping is tested; listed by name anyway
            data = {}
        data = data if isinstance(data, dict) else {}
        found.append({"name": name, "title": str(data.get("name") or name),
                      "target": str(data.get("target") or "")})
    return found


def pack_text(name: str) -> str | None:
    path = shipped_mappings().get(name)
    return None if path is None else path.read_text(encoding="utf-8")


def starter_text(target: str) -> str | None:
    kind = DOCUMENT_TYPES.get(target)
    if kind is None:
        return None
    required = [e.name for e in kind.header if e.required]
    header = "".join(f"  {name}: \n" for name in required) or "  # the document's own fields\n"
    items = "".join(f"  {e.name}: {{column: }}\n" for e in kind.items if e.required)
    return (f"version: 1\ntarget: {kind.name}\nname: \n\n"
            f"{'source:':<24}# how to read the file (see the grid)\n"
            "  header_row: 1\n\n"
            f"{kind.header_key}:\n{header}\n"
            f"{kind.item_key + ':':<24}# one {kind.item} per row\n"
            f"{items or '  # the fields of each ' + kind.item + chr(10)}")
