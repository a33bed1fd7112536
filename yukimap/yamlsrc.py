"""Load a YAML file into plain data plus the line:column of every key.

Mapping files are written by people who do not program, so the loader is strict where
PyYAML is lenient: a duplicated key is an error instead of "last one wins", and scalars
stay text unless they are `true`, `false` or empty. YAML 1.1 would turn `NO` (Norway),
`yes`, `010` (octal 8) and `21.00` (21.0) into something else; the mapping schema converts
text to the type each key needs and says so when it cannot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from yukimap.errors import MappingError, Problem, Where

KeyPath = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


@dataclass(frozen=True)
class Located:
    """Parsed YAML data and the position of each node, by key path."""

    data: Any
    file: str
    positions: dict[KeyPath, tuple[int, int]]

    def where(self, path: KeyPath) -> Where:
        """The location of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            pos = self.positions.get(path[:end])
            if pos:
                return Where(file=self.file, line=pos[0], col=pos[1], key=dotted(path))
        return Where(file=self.file, key=dotted(path))


def dotted(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def load_yaml(text: str, file: str) -> Located:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise MappingError(
            f"{file} is not valid YAML", problems=[_syntax_problem(exc, file)]
        ) from None
    finally:
        loader.dispose()
    positions: dict[KeyPath, tuple[int, int]] = {}
    problems: list[Problem] = []
    data = _convert(node, (), loader, positions, problems, file) if node is not None else None
    if problems:
        raise MappingError(f"{file} has duplicated keys", problems=problems)
    return Located(data, file, positions)


def load_yaml_file(path: Path) -> Located:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MappingError(f"mapping file {path} does not exist") from None
    except UnicodeDecodeError as exc:
        raise MappingError(
            f"{path} is not UTF-8 text (byte {exc.start})",
            hint="save the mapping file as UTF-8",
        ) from None
    return load_yaml(text, str(path))


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
    cause = exc.problem or "syntax error"
    if exc.context:
        cause = f"{exc.context}: {cause}"
    hint = "check the indentation and the quotes around this line"
    if "\t" in cause or "\\t" in cause:
        hint = "YAML does not allow tabs for indentation; use spaces"
    return Problem(f"YAML syntax error: {cause}", Where(file=file, line=line, col=col), hint=hint)


def _convert(
    node: yaml.Node,
    path: KeyPath,
    loader: _Loader,
    positions: dict[KeyPath, tuple[int, int]],
    problems: list[Problem],
    file: str,
) -> Any:
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key = _key_text(key)
            if key in result:
                first = positions[path + (key,)]
                problems.append(
                    Problem(
                        f"key '{key}' appears twice (first on line {first[0]})",
                        Where(file=file, line=key_node.start_mark.line + 1,
                              col=key_node.start_mark.column + 1, key=dotted(path + (key,))),
                        hint="keep one of them; YAML would silently use the last",
                    )
                )
                continue
            result[key] = _convert(value_node, path + (key,), loader, positions, problems, file)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, path + (i,), loader, positions, problems, file)
            for i, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


def _key_text(key: Any) -> Any:
    if key is None:
        return ""
    if isinstance(key, bool):
        return "true" if key else "false"
    return key
