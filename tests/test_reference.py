"""docs/reference.md is made from the tables the loader checks a mapping with: it is the
committed file, and everything in the tables has a description to show in it."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO, run_cli
from yukimap import documents
from yukimap.expr import FUNCTIONS
from yukimap.schema import keys
from yukimap.schema.check import Key, flag
from yukimap.schema.reference import every_key, example_result, reference

REFERENCE = REPO / "docs" / "reference.md"
REMAKE = "remake it: yukimap schema --reference --output docs/reference.md"


def test_the_committed_reference_is_the_generated_one() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == reference(), REMAKE


def test_yukimap_schema_reference_prints_it() -> None:
    result = run_cli("schema", "--reference")
    assert (result.code, result.stderr) == (0, "")
    assert result.stdout == reference()


def test_every_key_has_a_description() -> None:
    missing = [f"{table}: {key.name}" for table, key in every_key() if not key.doc.strip()]
    assert missing == [], "add doc= to these keys in yukimap/schema/keys.py"


def test_every_field_of_every_document_has_a_description() -> None:
    missing = [f"{target.name}: {'.'.join(path)}"
               for target in documents.DOCUMENT_TYPES.values()
               for section in (target.header, target.items)
               for path, element in _every_element(section) if not element.doc.strip()]
    assert missing == [], "add a description to these elements in yukimap/documents.py"


def _every_element(elements: tuple[documents.Element, ...], prefix: tuple[str, ...] = (),
                   ) -> list[tuple[tuple[str, ...], documents.Element]]:
    out = []
    for element in elements:
        out.append((prefix + (element.name,), element))
        out += _every_element(element.children, prefix + (element.name,))
    return out


def test_every_function_says_what_it_does_with_empty_values_and_has_an_example() -> None:
    for function in FUNCTIONS.values():
        assert function.doc.strip(), function.name
        assert function.empty.strip(), function.name
        assert re.match(rf"^\w*\(?\s*{function.name}\(", function.example) or (
            f"{function.name}(" in function.example), function.name
        assert example_result(function)  # it runs


def test_the_reference_lists_every_key_field_and_function() -> None:
    text = reference()
    for _, key in every_key():
        assert f"| `{key.name}` |" in text, key.name
    for target in documents.DOCUMENT_TYPES.values():
        for section in (target.header, target.items):
            for path, _ in _every_element(section):
                assert f"`{'.'.join(path)}`" in text, path
    for function in FUNCTIONS.values():
        assert f"| `{function.signature()}` |" in text


def test_the_reference_answers_what_new_users_had_to_find_out() -> None:
    """The questions of issue 12's trial ("Seen when tried"), each with the line that
    answers it."""
    text = reference()
    answers = [
        "| `header_row` |  | `1` | a whole number, 1 or more | row number of the column titles,"
        " counted from 1 as Excel does (1: the first row; title rows above it are skipped) |",
        "| `skip_last` |  | `0` | a whole number, 0 or more | rows at the end of the file to"
        " leave out (totals, a footer) |",
        "| `sheet` |  |  | a sheet's name, or its number (1 = the first) | Excel sheet by name, or"
        " by position (1 = first) |",
        "| `CashDescription` | text |  |  |  | omit, clear | optional; must equal the cash"
        " account's description in Yuki |",
        "  field). A `+` or `-` sign before the number is read, and so are `(12,50)` and"
        " `12,50-`",
        "Sent with Yuki's `ProcessJournal`. Yuki takes at most 2 decimals in `Amount`: more is an"
        " error that shows the ways out, or `round:`.",
        "- **The petty cash statement** is written in Yuki's cash CSV: UTF-8, `;` between the",
        "| `contains(value, part)` | true when the text contains part; case matters:"
        " contains(lower(Naam), 'albert heijn') ignores it | an empty value counts as the empty"
        " text (every text contains the empty text) | `contains('Albert Heijn 1234', 'Heijn')`"
        " → `true` |",
        "| `join(separator, values...)` | the values joined with the separator between them (the"
        " separator comes first) | empty values are left out, so no double separators |"
        " `join(' ', 'Jan', '', 'Jansen')` → `'Jan Jansen'` |",
        "| `lower(value)` | the text in small letters; accents stay (É becomes é, nothing is"
        " stripped) | an empty value counts as the empty text | `lower('ÉCOLE Noord')` →"
        " `'école noord'` |",
        "| `left(value, n)` | the first n characters (all of a shorter text); the text comes"
        " first, then n | an empty value counts as the empty text | `left('INV-2024-001', 3)` →"
        " `'INV'` |",
    ]
    lines = text.splitlines()
    for answer in answers:
        assert answer in lines, answer
    assert "`line.Remarks`" in text and '`el("Subject", invoice.Subject)`' in text


def test_a_table_added_to_the_keys_appears_in_the_reference_by_itself(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A key table another part of yukimap adds (rules:, say) is listed at the next
    generation, under a title made from its name, with every key's description."""
    monkeypatch.setattr(keys, "RULE_KEYS", (Key("when", flag, required=True,
                                                doc="the condition of the rule"),), raising=False)
    lines = reference().splitlines()
    at = lines.index("## Rule keys")
    assert lines[at:at + 5] == [
        "## Rule keys",
        "",
        "| key | required | default | takes | what it means |",
        "| --- | --- | --- | --- | --- |",
        "| `when` | yes |  | true or false | the condition of the rule |",
    ]
    assert ("RULE_KEYS", "when") in [(table, key.name) for table, key in every_key()]
