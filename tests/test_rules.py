"""Rules tables (rules: on a field): conditions over one or more columns, first match wins,
then the fallback; checked when the mapping loads; counted in the summary, as map: is."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import build_files, run_cli
from yukimap.errors import DataError, MappingError
from yukimap.mapping.context import Context
from yukimap.model import Condition
from yukimap.pipeline import ConversionResult, convert_file
from yukimap.report import format_summary
from yukimap.schema import load_mapping

RULES = """\
      rules:
        - {when: {column: Naam, contains: albert heijn}, value: "4000"}
        - when: [{column: Naam, contains: shell}, {column: Omschrijving, starts_with: pas}]
          value: "4100"
        - when: {any: [{column: Naam, contains: kpn}, {column: Omschrijving, matches: "tele(foon|com)"}]}
          value: "4200"
        - {when: {column: Naam, equals: Shell}, value: "4110"}
"""  # noqa: E501 -- a rule as a user writes it on one line
BANK = """version: 1
target: journal
source: {delimiter: ";", decimal_mark: ","}
journal: {AdministrationID: 5a4db0c5-ad01-4e00-8000-000000000001, JournalType: GeneralJournal}
entries:
  - GLAccount: "1100"
    EntryDate: {column: Datum}
    Amount: {column: Bedrag}
    Description: {column: Naam}
  - GLAccount:
""" + RULES + """      fallback: "9999"
    EntryDate: {column: Datum}
    Amount: {column: Bedrag, negate: true}
    Description: {column: Naam}
"""
CSV = """Datum;Naam;Omschrijving;Bedrag
2024-11-01;ALBERT HEIJN 1234;boodschappen;-12,50
2024-11-01;Shell Utrecht;pasbetaling;-60,00
2024-11-01;Shell;overschrijving;-5,00
2024-11-02;KPN B.V.;factuur;-30,00
2024-11-02;Odido;Telefoon november;-20,00
2024-11-03;Bakker;brood;-3,00
"""


def convert(tmp_path: Path, mapping: str = BANK, csv: str = CSV) -> ConversionResult:
    files = build_files(tmp_path, {"m.yaml": mapping, "in.csv": csv})
    return convert_file(files["in.csv"], files["m.yaml"])


def accounts(result: ConversionResult) -> list[str]:
    items = result.mapped.items
    return items.filter(items["__item__"] == 1)["GLAccount"].to_list()


def problems(tmp_path: Path, mapping: str) -> list[tuple[int | None, str, str | None]]:
    with pytest.raises(MappingError) as info:
        load_mapping(build_files(tmp_path, {"m.yaml": mapping})["m.yaml"])
    return [(p.where.line, p.cause, p.hint) for p in info.value.problems]


def test_the_first_rule_that_holds_gives_the_value_then_the_fallback(tmp_path: Path) -> None:
    # case is ignored by default in rules; a list of conditions must all hold; any: one
    assert accounts(convert(tmp_path)) == ["4000", "4100", "4110", "4200", "4200", "9999"]


def test_ignore_case_can_be_switched_off_per_condition(tmp_path: Path) -> None:
    mapping = BANK.replace("contains: albert heijn}", "contains: albert heijn, ignore_case: false}")
    assert accounts(convert(tmp_path, mapping))[0] == "9999"


def test_a_row_no_rule_matches_is_an_error_without_a_fallback(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        convert(tmp_path, BANK.replace('      fallback: "9999"\n', ""))
    [problem] = info.value.problems
    assert (problem.cause, problem.where.rows, problem.where.key, problem.hint) == (
        "no rule of rules: holds for this row", (7,), "entries.GLAccount",
        "add a rule that holds for it, or fallback: VALUE for rows no rule matches")


def test_the_summary_counts_the_rows_of_each_rule_and_the_fallback(tmp_path: Path) -> None:
    result = convert(tmp_path)
    text = format_summary(result.summary, "in.csv", "m.yaml", "(dry run)")
    start = text.index("  rows per rule")
    assert text[start:].splitlines()[:7] == [
        "  rows per rule of entries.GLAccount:",
        "    1: Naam contains 'albert heijn' -> 4000                                   1",
        "    2: Naam contains 'shell' and Omschrijving starts with 'pas' -> 4100       1",
        "    3: any of (Naam contains 'kpn'; Omschrijving matches 'tele(foon… -> 4200  2",
        "    4: Naam equals 'Shell' -> 4110                                            1",
        "    fallback -> 9999                                                          1",
        "  (dry run)",
    ]


def test_a_lookup_is_counted_too_and_all_rows_to_the_fallback_stands_out(
        tmp_path: Path) -> None:
    mapping = BANK.replace(RULES, """      column: Naam
      map: {Albert Heijn: "4000", Shell: "4100"}
""")
    text = format_summary(convert(tmp_path, mapping).summary, "in.csv", "m.yaml", "(dry run)")
    start = text.index("  rows per value")
    assert text[start:].splitlines()[:3] == [
        "  rows per value of entries.GLAccount (map: on 'Naam'):",
        "    Shell -> 4100     1",
        "    fallback -> 9999  5",
    ]
    nothing = mapping.replace("Shell: ", "Esso: ")
    text = format_summary(convert(tmp_path, nothing).summary, "in.csv", "m.yaml", "(dry run)")
    assert ("  note: every row of entries.GLAccount took the fallback (9999): check map: and"
            " the column 'Naam'") in text.splitlines()


def test_journal_summaries_total_each_gl_account(tmp_path: Path) -> None:
    text = format_summary(convert(tmp_path).summary, "in.csv", "m.yaml", "(dry run)")
    start = text.index("  totals per GL account:")
    assert text[start:].splitlines()[:8] == [
        "  totals per GL account:",
        "    account  entries  debit   credit  balance",
        "    1100           6   0.00  -130.50  -130.50",
        "    4000           1  12.50     0.00    12.50",
        "    4100           1  60.00     0.00    60.00",
        "    4110           1   5.00     0.00     5.00",
        "    4200           2  50.00     0.00    50.00",
        "    9999           1   3.00     0.00     3.00",
    ]


def test_rules_are_checked_when_the_mapping_loads(tmp_path: Path) -> None:
    mapping = BANK.replace('value: "4000"}', 'valeu: "4000"}').replace(
        "contains: shell}", "contain: shell}")
    found = problems(tmp_path, mapping)
    assert found[:2] == [
        (12, "unknown key 'valeu' in a rule", "did you mean 'value'? (allowed here: when, value)"),
        (12, "a rule needs the key 'value'", "the value the field gets when the rule holds"),
    ]
    assert (13, "unknown key 'contain' in a condition",
            "did you mean 'contains'? (allowed here: column, equals, not_equals, in, not_in,"
            " matches, contains, starts_with, empty, not_empty, any, ignore_case, expr)"
            ) in found


def test_a_rule_value_must_fit_the_field_and_rules_are_one_source(tmp_path: Path) -> None:
    mapping = BANK.replace("Amount: {column: Bedrag, negate: true}", """Amount:
      column: Bedrag
      rules: [{when: {column: Naam, empty: true}, value: twelve}]""")
    found = problems(tmp_path, mapping)
    assert (21, "use one of column:, value:, expr:, debit:/credit: or rules:, not column and"
                " rules", None) in found
    assert (22, "'twelve' is not a number with decimal mark ','",
            "correct the value in the export") in found


def test_a_rules_table_needs_rules_and_fallback_needs_map_or_rules(tmp_path: Path) -> None:
    start, end = BANK.index("      rules:"), BANK.index('      fallback: "9999"')
    mapping = BANK[:start] + "      rules: []\n" + BANK[end:]
    found = problems(tmp_path, mapping)
    assert (11, "rules: is a list of '- {when: CONDITION, value: VALUE}'", None) in found
    other = BANK.replace("Description: {column: Naam}\n  - GLAccount",
                         "Description: {column: Naam, fallback: x}\n  - GLAccount")
    assert (9, "fallback: goes with map: or rules:", None) in problems(tmp_path, other)


def test_any_needs_a_list_of_conditions_and_nothing_else(tmp_path: Path) -> None:
    mapping = BANK.replace("{any: [{column: Naam, contains: kpn},",
                           "{column: Naam, any: [{column: Naam, contains: kpn},")
    assert (15, "any: takes a list of conditions and nothing else beside it",
            "write {any: [CONDITION, CONDITION]}") in problems(tmp_path, mapping)


def test_a_column_a_rule_reads_must_be_in_the_file(tmp_path: Path) -> None:
    result = run_cli("convert", build_files(tmp_path, {"in.csv": CSV})["in.csv"], "-m",
                     build_files(tmp_path, {"m.yaml": BANK.replace(
                         "column: Omschrijving, starts_with", "column: Omschrijvng, starts_with")}
                                 )["m.yaml"], "--dry-run")
    assert result.code == 1
    assert "column 'Omschrijvng' is not in" in result.stderr


def test_two_tables_of_one_field_name_are_told_apart_by_their_line(tmp_path: Path) -> None:
    mapping = BANK.replace('  - GLAccount: "1100"\n',
                           '  - GLAccount: {column: Naam, map: {Bakker: "1110"},'
                           ' fallback: "1100"}\n')
    text = format_summary(convert(tmp_path, mapping).summary, "in.csv", "m.yaml", "(dry run)")
    titles = [line for line in text.splitlines() if line.startswith("  rows per ")]
    assert titles == [
        "  rows per value of entries.GLAccount (map: on 'Naam', m.yaml line 6):",
        "  rows per rule of entries.GLAccount (m.yaml line 11):",
    ]


@pytest.mark.parametrize("pattern", [
    "tele(foon|com)", "^factuur [0-9]+", "a.c", "[A-Z]{2}[0-9]{2}", "kpn|KPN b\\.v\\.",
    "é|ß", "^$", "x*", "Albert\\.Heijn", "[[:digit:]]+", "(?i)straße", "^[^0-9]+$",
    "ä{1,3}", "\\d+", "\\bkpn\\b"])
@pytest.mark.parametrize("ignore_case", [False, True])
def test_a_regular_expression_means_the_same_over_the_whole_column(pattern: str,
                                                                  ignore_case: bool) -> None:
    import polars as pl

    from yukimap.expr import compile_regex
    from yukimap.mapping.conditions import _regex_test

    texts = ["KPN B.V.", "kpn", "Telefoon", "telecom 12", "factuur 123", "Factuur 9", "ÄRGER",
             "ärger", "Straße", "STRASSE", "abc", "aXc", "NL12", "nl12", "Albert Heijn",
             "Albert.Heijn", "٣٤", "x", "İstanbul", "é", "É", None]
    regex = compile_regex(pattern, ignore_case)
    expected = [text is not None and regex.search(text) is not None for text in texts]
    got = _regex_test(pl.Series(texts, dtype=pl.String), pattern, ignore_case).to_list()
    assert got == expected


def test_a_rule_may_test_an_expression_and_a_document_field_counts_documents(
        tmp_path: Path) -> None:
    mapping = BANK.replace('        - {when: {column: Naam, equals: Shell}, value: "4110"}\n',
                           '        - {when: {expr: "Bedrag < -4"}, value: "4110"}\n').replace(
        "journal: {AdministrationID: 5a4db0c5-ad01-4e00-8000-000000000001,",
        "journal: {AdministrationID: 5a4db0c5-ad01-4e00-8000-000000000001, DocumentSubject:"
        " {rules: [{when: {column: Naam, contains: heijn}, value: Boodschappen}],"
        " fallback: Bank},")
    result = convert(tmp_path, mapping)
    assert accounts(result) == ["4000", "4100", "4110", "4200", "4200", "9999"]
    text = format_summary(result.summary, "in.csv", "m.yaml", "(dry run)").splitlines()
    start = text.index("  documents per rule of journal.DocumentSubject:")
    assert text[start:start + 3] == [
        "  documents per rule of journal.DocumentSubject:",
        "    1: Naam contains 'heijn' -> Boodschappen  1",
        "    fallback -> Bank                          0",
    ]
    assert "    4: expr 'Bedrag < -4' -> 4110                                             1" \
        in text


_TEXTS = ["kpn", "KPN", "pn", "k", "albert heijn", "heijn", "aa", "aaa", "é", "É", "straße", "ss",
          "\u212a", "i", "İ", ""]
_VALUES = ["KPN B.V.", "kpn", "Albert Heijn 12", "aaaa", "Café", "CAFÉ", "Straße", "STRASSE",
           "\u212aPN", "İstanbul", "", "x", None]


@st.composite
def _rules_tables(draw: st.DrawFn) -> list[tuple[Condition, ...]]:
    """Rules as a mapping may write them: contains: tests on two columns, any: of them,
    and now and then a rule of another kind, or of two conditions, between them."""
    def contains() -> Condition:
        return Condition("contains", draw(st.sampled_from(["a", "b"])),
                         draw(st.sampled_from(_TEXTS)), ignore_case=draw(st.booleans()))

    def rule() -> tuple[Condition, ...]:
        kind = draw(st.sampled_from(["contains", "any", "any", "equals", "both"]))
        if kind == "contains":
            return (contains(),)
        if kind == "any":
            return (Condition("any", parts=tuple(
                contains() for _ in range(draw(st.integers(0, 3))))),)
        if kind == "equals":
            return (Condition("equals", "a", draw(st.sampled_from(_TEXTS)),
                              ignore_case=draw(st.booleans())),)
        return (contains(), contains())
    return [rule() for _ in range(draw(st.integers(0, 12)))]


@settings(max_examples=300, deadline=None)
@given(rules=_rules_tables())
def test_rules_that_look_for_texts_are_found_together_as_one_by_one(
        rules: list[tuple[Condition, ...]]) -> None:
    """The texts of contains: rules, searched for all at once, choose the rule that testing
    each rule in turn chooses, for every row (overlapping texts, case, letters whose lower
    case is longer or is ASCII, empty texts and cells)."""
    import polars as pl

    from yukimap.mapping.conditions import Held, all_expr, evaluated, first_holding

    frame = pl.DataFrame({"a": _VALUES, "b": list(reversed(_VALUES))}, schema={
        "a": pl.String, "b": pl.String})
    ctx = cast(Context, None)  # only an expr: condition would read it
    held: Held = {}
    firsts = [pl.when(all_expr(ctx, when, frame, held)[0]).then(pl.lit(i, pl.UInt32))
              for i, when in enumerate(rules)]
    one_by_one = evaluated(frame, held, pl.coalesce(firsts) if firsts else
                           pl.lit(None, pl.UInt32)).to_series().to_list()
    held = {}
    together = evaluated(frame, held, first_holding(ctx, rules, frame, held)[0]).to_series()
    assert together.to_list() == one_by_one
