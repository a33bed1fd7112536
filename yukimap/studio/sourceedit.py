"""The source options the page edits (sheet, header row, delimiter, ...) written into the
mapping's text, as a person would: one line under `source:`, the rest of the text as it was.

The grid is read the way the mapping's `source:` says; changing an option in the page
changes that line, so the mapping and the grid never disagree. Only plain lines are edited:
a `source:` written in flow style (`{...}`) or an option that is a list is left to the
editor, with a message that says so.
"""

from __future__ import annotations

import json
import re

from yukimap.errors import UserError
from yukimap.i18n import tr
from yukimap.schema.keys import SOURCE_KEYS
from yukimap.yamlsrc import load_yaml

EDITABLE = tuple(k.name for k in SOURCE_KEYS)


class NotEditable(Exception):
    """The option cannot be set in this text by the page; the message says why."""


def set_source_option(text: str, key: str, value: str | int | None) -> str:
    """`text` with `source: {key: value}` set (None: the line removed)."""
    if key not in EDITABLE:
        raise NotEditable(tr("{key} is not an option of source:", key=repr(key)))
    try:
        doc = load_yaml(text, "mapping")
    except UserError:
        raise NotEditable(tr("the mapping's text is not valid YAML yet: fix it first")) from None
    data = doc.data if isinstance(doc.data, dict) else None
    if data is None:
        raise NotEditable(tr("the mapping is not a set of 'key: value' lines yet"))
    lines = text.splitlines(keepends=True)
    line = _written(value)
    source = data.get("source")
    if "source" not in data or source is None:
        return _new_block(lines, doc.positions, data, key, line)
    if not isinstance(source, dict):
        raise NotEditable(tr("source: is not a set of 'key: value' lines"))
    first = doc.positions[("source",)]
    if lines[first[0] - 1][first[1] - 1:].lstrip().startswith("{"):
        raise NotEditable(tr("source: is written on one line ({...}): change it in the editor"))
    if key in source:
        return _replace(lines, doc.positions[("source", key)][0], key, line)
    if line is None:
        return text
    last = max(pos[0] for path, pos in doc.positions.items() if path[:1] == ("source",))
    indent = re.match(r"\s*", lines[first[0] - 1]).group(0)  # type: ignore[union-attr]
    lines.insert(last, f"{indent}{key}: {line}\n")
    return "".join(_ended(lines))


def _written(value: str | int | None) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)  # a double-quoted YAML scalar


def _replace(lines: list[str], number: int, key: str, value: str | None) -> str:
    found = re.match(rf"(\s*){re.escape(key)}\s*:\s*(.*?)(\s+#.*)?$",
                     lines[number - 1].rstrip("\n"))
    if not found or found.group(2) in ("", "|", ">") or found.group(2).startswith(("[", "{")):
        raise NotEditable(tr("source.{key} is not written on one line: change it in the editor",
                             key=key))
    if value is None:
        del lines[number - 1]
    else:
        lines[number - 1] = f"{found.group(1)}{key}: {value}{found.group(3) or ''}\n"
    return "".join(_ended(lines))


def _new_block(lines: list[str], positions: dict, data: dict, key: str,  # type: ignore[type-arg]
               value: str | None) -> str:
    if value is None:
        return "".join(lines)
    block = ["source:\n", f"  {key}: {value}\n"]
    if "source" in data:  # `source:` with nothing under it
        number = next(i for i, line in enumerate(lines)
                      if re.match(r"source\s*:\s*(~|null)?\s*(#.*)?$", line.rstrip("\n")))
        lines[number: number + 1] = block
    else:
        after = positions[("target",)][0] if "target" in data else len(lines)
        lines[after:after] = block
    return "".join(_ended(lines))


def _ended(lines: list[str]) -> list[str]:
    """Every line ends with a line break (an inserted line may follow a last line without)."""
    return [line if line.endswith("\n") else line + "\n" for line in lines]
