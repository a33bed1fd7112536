"""The house as ARCHITECTURE.md draws it: layers that only point down, no circles, and
stages that do not import one another. The layer lists are read from ARCHITECTURE.md
itself, so the page and the code cannot drift apart."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "yukimap"
PAGE = REPO / "ARCHITECTURE.md"


def _names(text: str) -> list[str]:
    return re.findall(r"`([\w.]+)`", text)


@cache
def layers() -> list[list[str]]:
    """The `Modules:` list of each layer, in order, from ARCHITECTURE.md."""
    found = re.findall(r"^Modules: (.*?)\.$", PAGE.read_text(encoding="utf-8"), re.M | re.S)
    return [_names(block) for block in found]


def stages() -> list[list[str]]:
    """The groups of layer 2 that may import only within themselves."""
    block = re.search(r"^Stages: (.*?)\.$", PAGE.read_text(encoding="utf-8"), re.M | re.S)
    assert block, "ARCHITECTURE.md lists no Stages:"
    return [_names(group) for group in block.group(1).split(";")]


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name relative to it ('targets.sales')."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def room(module: str) -> str:
    """The top-level room a module belongs to: 'targets.sales' -> 'targets'."""
    return module.split(".")[0]


def imports(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every module of the package that `module` imports, anywhere in the file (inside a
    function or under TYPE_CHECKING too: a type that knows a higher layer depends on it)."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    if module == "__init__":
        package = []
    found: set[str] = set()

    def resolve(name: str) -> None:
        while name:
            if name in known:
                found.add(name)
                return
            name = name.rpartition(".")[0]

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("yukimap."):
                    resolve(alias.name.removeprefix("yukimap."))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.startswith("yukimap"):
                target = node.module.removeprefix("yukimap").lstrip(".")
            else:
                continue
            for alias in node.names:
                before = len(found)
                resolve(f"{target}.{alias.name}" if target else alias.name)
                if len(found) == before and target:
                    resolve(target)
    return found - {module}


@cache
def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


@cache
def layer_of() -> dict[str, int]:
    return {name: number for number, names in enumerate(layers()) for name in names}


def test_the_page_lists_five_layers_and_every_room_once() -> None:
    listed = [name for names in layers() for name in names]
    assert len(layers()) == 5
    assert len(listed) == len(set(listed)), "a room is listed twice"
    rooms = {room(m) for m in modules()}
    assert rooms - set(listed) == set(), "rooms that ARCHITECTURE.md does not place"
    assert set(listed) - rooms == set(), "rooms ARCHITECTURE.md names that do not exist"


@pytest.mark.parametrize("module", sorted(modules()))
def test_imports_point_down(module: str) -> None:
    place = layer_of()
    mine = place[room(module)]
    upward = sorted(f"{other} (layer {place[room(other)]})"
                    for other in graph()[module] if place[room(other)] > mine)
    assert not upward, f"{module} (layer {mine}) imports from above: {', '.join(upward)}"


def test_stages_do_not_import_each_other() -> None:
    group_of = {name: i for i, names in enumerate(stages()) for name in names}
    sideways = sorted(f"{a} -> {b}" for a, targets in graph().items() for b in targets
                      if room(a) in group_of and room(b) in group_of
                      and group_of[room(a)] != group_of[room(b)])
    assert not sideways


def test_no_import_circles() -> None:
    edges = graph()
    rooms: dict[str, set[str]] = {}
    for a, targets in edges.items():
        rooms.setdefault(room(a), set()).update(room(b) for b in targets if room(b) != room(a))
    circles = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(rooms.get(node, ())):
            if state.get(nxt) == 1:
                circles.append(" -> ".join(path[path.index(nxt):] + [node, nxt]))
            elif nxt not in state:
                visit(nxt, path + [node])
        state[node] = 2

    for start in sorted(rooms):
        if start not in state:
            visit(start, [])
    assert not circles


def test_the_graph_sees_real_imports() -> None:
    """The test itself: it finds an import inside a function and one of a submodule."""
    edges = graph()
    assert "frames" in edges["mapping"]
    assert "targets.sales" in edges["targets"]
