"""Every message exists in Dutch and English (yukimap/i18n.py says how it works).

Read from the source, not from runs: every `tr`, `plural` and `N_` call's template must
have its Dutch in the catalogue, both must name the same values, and each call must pass
the values its template names; the catalogue keeps nothing the source no longer says; and
no text meant for people is left outside `tr` (a text of three or more words in a module
that speaks to users, other than a docstring: one that is not for people says why with an
`# i18n: ...` comment on its statement or the line above).
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from yukimap import i18n

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "yukimap"
CALLS = {"tr": (0,), "plural": (1, 2), "N_": (0,)}

# Modules whose texts are documentation (the reference, the JSON Schema, --help) or are
# Yuki's own stand-in, not messages of yukimap: the scan for untranslated text skips them.
NOT_MESSAGES = {
    "yukimap/i18n.py": "the catalogue's own module",
    "yukimap/cli.py": "--help texts (English; the messages of a run are translated)",
    "yukimap/documents.py": "Yuki's fields described for the reference and the JSON Schema",
    "yukimap/schema/keys.py": "the mapping keys described for the reference and the JSON Schema",
    "yukimap/schema/reference.py": "docs/reference.md, written in English",
    "yukimap/schema/json_schema.py": "the JSON Schema's descriptions (English)",
    "yukimap/expr/_functions.py": "the functions described for the reference",
    "yukimap/sandbox": "the local stand-in for Yuki speaks as Yuki does",
}

WORDS = re.compile(r"[A-Za-z][a-z]+(?:[ '][a-z]+){2,}")


@dataclass(frozen=True)
class Call:
    path: str
    line: int
    name: str
    templates: tuple[str, ...]
    keywords: frozenset[str] | None  # None: values passed as **mapping


def _modules() -> Iterator[tuple[str, ast.Module, list[str]]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        yield str(path.relative_to(ROOT)), ast.parse(text), text.splitlines()


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _calls() -> list[Call]:
    found = []
    for path, tree, _lines in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _name(node.func) not in CALLS:
                continue
            name = _name(node.func)
            assert name is not None
            positions = CALLS[name]
            args = [node.args[i] for i in positions if i < len(node.args)]
            if name == "tr" and args and not isinstance(args[0], ast.Constant):
                continue  # a template marked with N_ where it is written
            assert len(args) == len(positions) and all(
                isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args
            ), f"{path}:{node.lineno}: {name}() takes a literal template (not an f-string)"
            spread = any(k.arg is None for k in node.keywords)
            keywords = None if spread else frozenset(k.arg for k in node.keywords if k.arg)
            if name == "plural" and keywords is not None:
                keywords = keywords | {"count"}
            found.append(Call(path, node.lineno, name,
                              tuple(str(a.value) for a in args if isinstance(a, ast.Constant)),
                              keywords))
    return found


def fields(template: str) -> list[str]:
    """The names a template fills in (a text with unbalanced braces: its braces as they are)."""
    try:
        return sorted({re.split(r"[.\[]", name)[0]
                       for _text, name, _spec, _conv in string.Formatter().parse(template)
                       if name is not None})
    except ValueError:
        return sorted(re.findall(r"[{}]", template))


CALLS_FOUND = _calls()
DUTCH = i18n.catalogue()


def test_the_source_has_templates() -> None:
    assert len(CALLS_FOUND) > 1000


def test_every_template_has_its_dutch() -> None:
    missing = sorted({f"{c.path}:{c.line}: {t!r}" for c in CALLS_FOUND for t in c.templates
                      if t not in DUTCH})
    assert not missing, "no Dutch in yukimap/locale/nl/ for:\n" + "\n".join(missing)


def test_dutch_names_the_same_values() -> None:
    wrong = [f"{en!r}: {fields(en)} but {nl!r}: {fields(nl)}"
             for en, nl in DUTCH.items() if fields(en) != fields(nl)]
    assert not wrong, "\n".join(wrong)


def test_every_call_passes_what_its_template_names() -> None:
    wrong = []
    for c in CALLS_FOUND:
        if c.keywords is None or c.name == "N_":
            continue
        for t in c.templates:
            named = set(fields(t))
            if not c.keywords and c.name == "tr":
                continue  # no values: the template is used as it is, braces and all
            if named != set(c.keywords) - ({"count"} if c.name == "plural" else set()) | (
                named & {"count"}
            ):
                wrong.append(f"{c.path}:{c.line}: {t!r} names {sorted(named)},"
                             f" the call passes {sorted(c.keywords)}")
    assert not wrong, "\n".join(wrong)


def test_the_catalogue_keeps_nothing_unused() -> None:
    used = {t for c in CALLS_FOUND for t in c.templates}
    stale = sorted(set(DUTCH) - used)
    assert not stale, "in the catalogue but not in the source:\n" + "\n".join(map(repr, stale))


def test_the_catalogue_files_do_not_disagree() -> None:
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for path in sorted((i18n.CATALOGUES / "nl").glob("*.yaml")):
        for en, nl in i18n.load_catalogue_file(path).items():
            if en in seen and seen[en][1] != nl:
                clashes.append(f"{en!r}: {seen[en][0]} says {seen[en][1]!r}, {path.name} {nl!r}")
            seen.setdefault(en, (path.name, nl))
    assert not clashes, "\n".join(clashes)


def _skipped(path: str) -> bool:
    return any(path == m or path.startswith(m + "/") for m in NOT_MESSAGES)


def _untranslated() -> list[str]:
    left = []
    for path, tree, lines in _modules():
        if _skipped(path):
            continue
        inside: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in CALLS:
                inside.update(id(n) for n in ast.walk(node))
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                first = node.body[0] if node.body else None
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                    inside.add(id(first.value))
        for stmt in ast.walk(tree):
            if not isinstance(stmt, ast.stmt) or isinstance(
                stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For,
                       ast.While, ast.With, ast.Try, ast.Match)
            ):
                continue
            first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
            pragma = any("# i18n:" in lines[i - 1] for i in range(max(first - 1, 1), last + 1))
            if pragma:
                continue
            for node in ast.walk(stmt):
                if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                        and id(node) not in inside and WORDS.search(node.value)):
                    left.append(f"{path}:{node.lineno}: {node.value[:70]!r}")
    return sorted(set(left))


def test_no_text_for_people_is_left_untranslated() -> None:
    left = _untranslated()
    assert not left, (f"{len(left)} texts outside tr() (translate them, or say why not with an"
                      " '# i18n: ...' comment):\n" + "\n".join(left))


@pytest.mark.parametrize(("value", "expected"), [
    ("nl", "nl"), ("nl_NL.UTF-8", "nl"), ("nl_BE", "nl"), ("NL", "nl"),
    ("en", "en"), ("en_GB.UTF-8", "en"), ("C.UTF-8", "en"), ("fr_BE.UTF-8", "en"),
])
def test_the_language_comes_from_the_option_or_the_environment(value: str, expected: str) -> None:
    assert i18n.choose_language(value, {}) == expected
    assert i18n.choose_language(None, {"YUKIMAP_LANG": value, "LANG": "xx"}) == expected
    assert i18n.choose_language(None, {"LANG": value}) == expected
    assert i18n.choose_language(None, {"LC_ALL": value, "LANG": "en_US"}) == expected


def test_the_option_wins_over_the_environment() -> None:
    assert i18n.choose_language("en", {"YUKIMAP_LANG": "nl"}) == "en"
    assert i18n.choose_language(None, {"YUKIMAP_LANG": "nl", "LANG": "en_US.UTF-8"}) == "nl"
    assert i18n.choose_language(None, {}) == "en"


def test_tr_fills_in_by_name_in_either_language() -> None:
    template = "row {row}: {column} is empty"
    assert i18n.tr_in("en", template, row=5, column="Datum") == "row 5: Datum is empty"
    assert i18n.tr_in("nl", "row {row}", row=5) == "rij 5"
    assert i18n.tr_in("en", "{not filled}") == "{not filled}"
