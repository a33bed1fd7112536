"""Where a new mapping starts: a shipped mapping (a pack), or a starter for a target.

A starter is what `yukimap init` writes for the export (`init_starter`: its columns read,
the fields matched by their names, a TODO wherever a person must decide), for the target
asked or the one init guesses from the column names. It reads the export, so it runs in the
studio's worker (worker.py) within its time bound. When init cannot make one (a file it
cannot read, a target it cannot guess), `starter_text` gives the few keys every mapping of a
target has, with comments that say what comes next.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from yukimap.documents import DOCUMENT_TYPES
from yukimap.errors import UserError
from yukimap.i18n import tr
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
    header = ("".join(f"  {name}: \n" for name in required)
              or "  # " + tr("the document's own fields") + "\n")
    items = "".join(f"  {e.name}: {{column: }}\n" for e in kind.items if e.required)
    each, fields = ((tr("one entry per row"), tr("the fields of each entry"))
                    if kind.item == "entry" else
                    (tr("one line per row"), tr("the fields of each line")))
    return (f"version: 1\ntarget: {kind.name}\nname: \n\n"
            f"{'source:':<24}# " + tr("how to read the file (see the grid)") + "\n"
            "  header_row: 1\n\n"
            f"{kind.header_key}:\n{header}\n"
            f"{kind.item_key + ':':<24}# {each}\n"
            f"{items or '  # ' + fields + chr(10)}")


def init_starter(file: str, mapping: str, target: str | None = None) -> dict[str, Any]:
    """`yukimap init`'s starter for the export `file`, to be saved as `mapping` (paths
    relative to the worker's folder): {"stage": "ok", "text", "target"}, or why there is none."""
    from yukimap.authoring import starter_mapping

    try:
        starter = starter_mapping(Path(file), target, Path(mapping).name)
    except UserError as exc:
        return {"stage": "refused", "message": exc.message, "hint": exc.hint}
    if not starter.target:
        return {"stage": "refused",
                "message": tr("init cannot tell the target from the columns"), "hint": None}
    return {"stage": "ok", "text": starter.text, "target": starter.target}
