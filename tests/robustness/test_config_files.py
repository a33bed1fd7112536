"""Hostile config files: the user's config (YUKIMAP_CONFIG) and the sandbox's (--config) are
read within the same bounds as a mapping file, and end in a clear exit 1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.robustness.conftest import Bounded

Write = Callable[[str, "str | bytes"], Path]


def _bomb(indent: str) -> str:
    """A billion laughs (9^9 values) as one list of anchors, each the next level's nine
    aliases: what str() of the value would try to write out."""
    levels = ['&a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'] + [
        f"&{name} [{', '.join(['*' + prev] * 9)}]" for prev, name in zip("abcdefgh", "bcdefghi")]
    return "".join(f"\n{indent}- {level}" for level in levels)


def _lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


def _bomb_lines(where: str) -> list[str]:
    return [
        "error: config.yaml goes over a limit of the YAML reader",
        "",
        f"error: config.yaml:{where} the aliases (*name) in this file repeat more than 10,000"
        " values",
        "  fix: an alias of a value that holds aliases multiplies them; write the values out",
    ]

DEVICE_LINES = [
    "error: config file /dev/zero is not a file (a folder, a device or a pipe)",
    "  fix: give the path of a YAML file",
]


def test_an_alias_bomb_in_the_users_config(bounded: Bounded, write: Write) -> None:
    write("config.yaml", "yuki_administration:" + _bomb("  ") + "\n")
    outcome = bounded("status", env={"YUKIMAP_CONFIG": "config.yaml"}, codes=(1,), seconds=10)
    assert _lines(outcome.stderr) == _bomb_lines("6:9")
    assert outcome.peak_mb < 200


def test_a_device_as_the_users_config(bounded: Bounded) -> None:
    outcome = bounded("status", env={"YUKIMAP_CONFIG": "/dev/zero"}, codes=(1,), seconds=10)
    assert _lines(outcome.stderr) == DEVICE_LINES


def test_an_alias_bomb_in_the_sandboxs_config(bounded: Bounded, write: Write) -> None:
    write("config.yaml", "domains:\n  - name: x\n    id:" + _bomb("      ") + "\n")
    outcome = bounded("sandbox", "--config", "config.yaml", "--db", "s.sqlite", "--list",
                      codes=(1,), seconds=10)
    assert _lines(outcome.stderr) == _bomb_lines("8:13")
    assert outcome.peak_mb < 200


def test_a_device_as_the_sandboxs_config(bounded: Bounded) -> None:
    outcome = bounded("sandbox", "--config", "/dev/zero", "--db", "s.sqlite", "--list",
                      codes=(1,), seconds=10)
    assert _lines(outcome.stderr) == DEVICE_LINES
