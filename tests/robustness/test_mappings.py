"""Hostile mapping files: alias bombs, runaway nesting, devices, huge files, odd YAML.

Each is run through the real command line (`yukimap check M`, and `yukimap convert F -m M
--dry-run` where it reads the mapping the same way) and must end quickly with exit 1 and a
message that says where and why. The last tests feed the YAML loader random text.
"""

from __future__ import annotations

import io
import math
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import REPO
from tests.robustness.conftest import Bounded, Write
from yukimap.errors import MappingError
from yukimap.limits import limits
from yukimap.report import print_user_error
from yukimap.yamlsrc import (
    _QUICK,
    _QUICK_TYPED,
    _SCALAR_TAGS,
    _TYPED_TAGS,
    Located,
    _Converter,
    _Loader,
    _TypedLoader,
    load_yaml,
    load_yaml_file,
)

DATA = "Nr;Text\n1;a\n"

# The classic "billion laughs": nine aliases of nine aliases of ... (72 aliases in all,
# under the alias count's bound), which expands to 9^9 values.
BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi"))


def _lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


def test_an_alias_bomb_stops_at_the_alias_that_copies_too_much(bounded: Bounded,
                                                               write: Write) -> None:
    write("bomb.yaml", BOMB)
    write("data.csv", DATA)
    for args in (["check", "bomb.yaml"], ["convert", "data.csv", "-m", "bomb.yaml", "--dry-run"]):
        outcome = bounded(*args, codes=(1,), seconds=10)
        assert _lines(outcome.stderr) == [
            "error: bomb.yaml goes over a limit of the YAML reader",
            "",
            ("error: bomb.yaml:5:8 the aliases (*name) in this file repeat more than 10,000"
             " values"),
            "  fix: an alias of a value that holds aliases multiplies them; write the values out",
        ]
        assert outcome.peak_mb < 200


def test_ten_thousand_levels_of_nesting_stop_at_the_bound(bounded: Bounded,
                                                          write: Write) -> None:
    write("deep.yaml", "a: " + "[" * 10_000 + "]" * 10_000 + "\n")
    outcome = bounded("check", "deep.yaml", codes=(1,), seconds=10)
    assert _lines(outcome.stderr) == [
        "error: deep.yaml goes over a limit of the YAML reader",
        "",
        "error: deep.yaml:1:35 YAML nested more than 32 levels deep",
        "  fix: a mapping needs only a few levels: check the brackets and the indentation",
    ]


def test_a_device_is_not_read(bounded: Bounded, write: Write) -> None:
    write("data.csv", DATA)
    for args in (["check", "/dev/zero"], ["convert", "data.csv", "-m", "/dev/zero", "--dry-run"]):
        outcome = bounded(*args, codes=(1,), seconds=10)
        assert _lines(outcome.stderr) == [
            "error: mapping file /dev/zero is not a file (a folder, a device or a pipe)",
            "  fix: give the path of a YAML file",
        ]
        assert outcome.peak_mb < 200


def test_a_huge_mapping_is_refused_before_it_is_read(bounded: Bounded, write: Write) -> None:
    # Written line by line, never held whole here: the child's peak (wait4) counts this
    # process's high-water mark at the fork, so a 54 MB string here would be counted there.
    line = "      code{:08d}: some value\n"
    path = write("huge.yaml", "version: 1\ntarget: journal\nentries:\n  - GLAccount:\n      map:\n")
    with open(path, "a", encoding="utf-8") as out:
        for first in range(0, 50 * 1024 * 1024 // len(line), 10_000):
            out.write("".join(line.format(i) for i in range(first, first + 10_000)))
    outcome = bounded("check", "huge.yaml", codes=(1,), seconds=10)
    assert outcome.seconds < 5 and outcome.peak_mb < 200
    assert _lines(outcome.stderr) == [
        ("error: mapping file huge.yaml is over yukimap's limit of 1,024 KB"
         f" ({math.ceil(path.stat().st_size / 1024):,} KB)"),
        ("  fix: if the file is right, raise the limit: set YUKIMAP_MAX_MAPPING_KB to a higher"
         " number (README: Limits)"),
    ]


# --- more of the same, in this process (each subprocess costs half a second) --------------


def _printed(error: MappingError) -> list[str]:
    out = io.StringIO()
    print_user_error(error, out)
    return _lines(out.getvalue())


def _refused(text: str, file: str) -> list[str]:
    with pytest.raises(MappingError) as info:
        load_yaml(text, file)
    return _printed(info.value)


def test_more_aliases_than_the_bound_is_an_error() -> None:
    assert _refused("a: &a x\nb: [" + ", ".join(["*a"] * 101) + "]\n", "many.yaml")[2:] == [
        "error: many.yaml:2:405 more than 100 aliases (*name) in one file",
        "  fix: write the values out instead of repeating them with aliases",
    ]


def test_aliases_cannot_nest_deeper_than_the_bound() -> None:
    # Each alias is shallow where it stands, but repeats a deep value inside another.
    text = "a: &a " + "[" * 20 + "]" * 20 + "\nb: " + "[" * 20 + "*a" + "]" * 20 + "\n"
    assert _refused(text, "alias-deep.yaml")[2] == (
        "error: alias-deep.yaml:2:24 YAML nested more than 32 levels deep")


def test_an_alias_inside_its_own_anchor_is_an_error() -> None:
    assert _refused("version: 1\na: &x [1, *x]\n", "loop.yaml")[2:] == [
        "error: loop.yaml:2:11 the alias *x is used inside its own anchor &x",
        "  fix: an alias repeats a value written before it, not the value it is part of",
    ]


def test_a_folder_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "folder.yaml").mkdir()
    with pytest.raises(MappingError) as info:
        load_yaml_file(tmp_path / "folder.yaml")
    assert info.value.message == (f"mapping file {tmp_path / 'folder.yaml'} is not a file"
                                  " (a folder, a device or a pipe)")


def test_the_size_bound_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("a: b\n" * 3000)
    monkeypatch.setenv("YUKIMAP_MAX_MAPPING_KB", "10")
    limits.cache_clear()
    try:
        with pytest.raises(MappingError) as info:
            load_yaml_file(path, "config file")
    finally:
        limits.cache_clear()
    assert info.value.message == f"config file {path} is over yukimap's limit of 10 KB (15 KB)"


def test_yaml_that_cannot_become_plain_data_is_a_located_error() -> None:
    text = "version: 1\nb: !mytag x\nc: {[1, 2]: x}\nd: !!int 1" + "0" * 5000 + "\n"
    assert _refused("version: 1\na: \"bell \x07\"\n" + text, "odd.yaml") == [
        "error: odd.yaml is not valid YAML",
        "",
        "error: odd.yaml:2:10 YAML does not allow the character U+0007 in a file",
        "  fix: remove it: of the control characters, YAML allows only tabs and line breaks",
    ]
    assert _refused(text, "odd.yaml") == [
        "error: odd.yaml has values yukimap cannot read",
        "",
        "error: odd.yaml:2:4 b: the YAML tag !mytag is not supported",
        "  fix: remove the tag: yukimap reads the value as text and converts it as the key needs",
        "error: odd.yaml:3:5 c: a key must be a plain value, not a list or a set of keys",
        "  fix: write the key as text",
        "error: odd.yaml:4:4 d: the YAML tag !!int does not fit this value",
        "  fix: remove the tag: yukimap reads the value as text and converts it as the key needs",
    ]


# --- the loader on random input --------------------------------------------------------

_PIECES = ["a", "b", ":", ": ", "- ", "-", "\n", "  ", "    ", "\t", "[", "]", "{", "}", ",",
           "&x ", "*x", "&y ", "*y", "<<: ", "? ", "!!int ", "!!str ", "!t ", "'", '"', "#",
           "---\n", "...\n", "|\n", ">\n", "1", "0x1F", "~", "null", "true", "%YAML 1.1\n",
           "\\", "\x00", "\x07", "é", "\ufeff", "1e999", "key", "version: 1\n", "*"]


def _check_loaded(text: str) -> None:
    started = time.monotonic()
    try:
        located = load_yaml(text, "fuzz.yaml")
    except MappingError as exc:
        assert exc.problems and all(p.where.file == "fuzz.yaml" for p in exc.problems)
    else:
        assert isinstance(located, Located)
    assert time.monotonic() - started < 2


@given(st.lists(st.sampled_from(_PIECES), max_size=60).map("".join))
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_yaml_ish_text_loads_or_is_a_mapping_error(text: str) -> None:
    _check_loaded(text)


@given(st.text(max_size=200))
def test_any_text_loads_or_is_a_mapping_error(text: str) -> None:
    _check_loaded(text)


@given(st.binary(max_size=200))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_bytes_load_or_are_a_mapping_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(data)
    try:
        load_yaml_file(path)
    except MappingError as exc:
        assert str(path) in exc.message or all(p.where.file == str(path) for p in exc.problems)


# --- libyaml's events, PyYAML's composer ----------------------------------------------------

def _read_by(loader: type[_Loader], text: str, typed: bool) -> tuple[object, object] | None:
    """(data, positions) as `loader` reads `text`, None where it refuses it."""
    reader = loader(text)
    try:
        node = reader.get_single_node()
    except Exception:  # noqa: BLE001 -- which error is PyYAML's to tell (load_yaml)
        return None
    finally:
        reader.dispose()
    converter = _Converter("x.yaml", _TYPED_TAGS if typed else _SCALAR_TAGS)
    return (converter.value(node, ()) if node is not None else None), converter.positions


def _read_alike(text: str, typed: bool = False) -> bool:
    """libyaml's reading of `text` is PyYAML's, or libyaml leaves it to PyYAML; never does
    libyaml read what PyYAML refuses. Whether libyaml read it."""
    assert _QUICK is not None and _QUICK_TYPED is not None  # PyYAML's wheels have libyaml
    try:
        _Loader(text)
    except yaml.reader.ReaderError:
        return False  # refused before either reads it
    if "\t" in text or "\ufeff" in text:
        return False  # left to PyYAML (_composed)
    quick = _read_by(_QUICK_TYPED if typed else _QUICK, text, typed)
    own = _read_by(_TypedLoader if typed else _Loader, text, typed)
    assert quick is None or quick == own
    return quick is not None


_SHIPPED = sorted(p for folder in ("mappings", "examples", "tests", "benchmarks")
                  for p in (REPO / folder).rglob("*.yaml"))


@pytest.mark.parametrize("path", _SHIPPED, ids=lambda p: str(p.relative_to(REPO)))
def test_every_yaml_file_yukimap_ships_or_tests_reads_alike_by_libyaml(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert _read_alike(text) or "\t" in text
    _read_alike(text, typed=True)


# Texts libyaml reads and PyYAML refuses (found by the test below and a longer search):
# a '?' in a plain text in brackets, a comment right after a block text's indicators, tags
# libyaml scans otherwise.
_LIBYAML_ONLY = ["[a? ]", "{a?b: c}", "x: [a, b?]", "key: |#x\n", ">#", "- >-#a\n",
                 "a: |2#c\n  x\n", '! |#}a"b? }', '!:!: b"\n  *a', "!&: |#` #\"]"]


@pytest.mark.parametrize("text", _LIBYAML_ONLY)
def test_what_pyyaml_refuses_is_refused_though_libyaml_reads_it(text: str) -> None:
    assert _read_by(_Loader, text, False) is None
    assert not _read_alike(text) and not _read_alike(text, typed=True)
    with pytest.raises(MappingError):
        load_yaml(text, "m.yaml")


@given(st.lists(st.sampled_from(_PIECES), max_size=80).map("".join))
@settings(max_examples=2000, suppress_health_check=[HealthCheck.too_slow])
def test_yaml_ish_text_reads_alike_by_libyaml_or_is_left_to_pyyaml(text: str) -> None:
    _read_alike(text)
    _read_alike(text, typed=True)
