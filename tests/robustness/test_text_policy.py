"""One text policy for XML and CSV (yukimap/text.py): a character that a Yuki document cannot
carry is a located error in the map stage, for `convert` and `send` alike, before anything
is sent; text is escaped one way, as one scalar and one vectorised rule that agree."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.robustness.conftest import REPO, Bounded, Write, yuki
from tests.sandbox_fixtures import ADM_KORENAAR, Sandbox
from tests.test_send import HEADER, MAPPING
from yukimap import text
from yukimap.sendlog import SendLog

CASH_ROWS = (REPO / "examples/cash-book.csv").read_text(encoding="utf-8").splitlines(True)
CASH_WITH_SOH = "".join(CASH_ROWS[:2] + [CASH_ROWS[2].replace("Postzegels", "Post\x01zegels")]
                        + CASH_ROWS[3:])
CASH_PROBLEM = [
    "error: cash.csv: 1 problem in the data",
    "",
    "error: contains the control character U+0001, which a Yuki document cannot carry",
    "  in cash.csv, column 'Omschrijving' (C), for lines.Description",
    "    row 3: 'Post\\x01zegels'",
    ("  fix: remove it from the export, or let the mapping drop it:"
     " expr: \"replace(Omschrijving, '\\\\x01', '')\""),
]

# test_send's mapping, with a column name that an expression writes as col('...')
SALES_MAPPING = MAPPING.replace("{column: Customer}", "{column: Customer name}")
SALES_ROWS = (HEADER.replace("Customer", "Customer name") + "1;2024-11-01;Jan\x7f;2;Mok;12,50;21\n"
              "2;2024-11-02;Piet;1;Th\x0bee;4,50;9\n")
SALES_PROBLEMS = [
    "error: in.csv: 2 problems in the data",
    "",
    "error: contains the control character U+007F, which a Yuki document cannot carry",
    "  in in.csv, column 'Customer name' (C), for invoice.Contact.FullName",
    "    invoice 1, row 2: 'Jan\\x7f'",
    ("  fix: remove it from the export, or let the mapping drop it:"
     " expr: \"replace(col('Customer name'), '\\\\x7f', '')\""),
    "error: contains the control character U+000B, which a Yuki document cannot carry",
    "  in in.csv, column 'Item' (E), for lines.Product.Description",
    "    row 3: 'Th\\x0bee'",
    ("  fix: remove it from the export, or let the mapping drop it:"
     " expr: \"replace(Item, '\\\\x0b', '')\""),
]


def test_a_control_character_in_a_cash_description_is_a_located_error(
        bounded: Bounded, write: Write) -> None:
    write("cash.csv", CASH_WITH_SOH)
    outcome = bounded("convert", "cash.csv", "-m", "cash-book", "--dry-run", codes=(1,))
    assert outcome.stderr.splitlines() == CASH_PROBLEM


def test_the_fix_the_message_gives_works(here: Bounded, write: Write) -> None:
    write("cash.csv", CASH_WITH_SOH)
    mapping = (REPO / "mappings/cash-book.yaml").read_text(encoding="utf-8").replace(
        "Description: {column: Omschrijving}",
        "Description: {expr: \"replace(Omschrijving, '\\\\x01', '')\"}")
    write("m.yaml", mapping)
    outcome = here("convert", "cash.csv", "-m", "m.yaml", codes=(0,))
    assert ";Postzegels;" in outcome.stdout


def test_control_characters_in_sales_invoice_fields_are_located_errors(
        bounded: Bounded, write: Write) -> None:
    write("m.yaml", SALES_MAPPING)
    write("in.csv", SALES_ROWS)
    outcome = bounded("convert", "in.csv", "-m", "m.yaml", "--dry-run", codes=(1,))
    assert outcome.stderr.splitlines() == SALES_PROBLEMS


@pytest.mark.parametrize("case", ["cash", "sales"])
def test_send_refuses_alike_before_anything_is_sent(
        case: str, bounded: Bounded, write: Write, sandbox: Sandbox, tmp_path: Path) -> None:
    if case == "cash":
        write("cash.csv", CASH_WITH_SOH)
        args, expected = ("cash.csv", "-m", "cash-book"), CASH_PROBLEM
    else:
        write("m.yaml", SALES_MAPPING)
        write("in.csv", SALES_ROWS)
        args, expected = ("in.csv", "-m", "m.yaml"), SALES_PROBLEMS
    outcome = bounded("send", *args, "-a", ADM_KORENAAR, env=yuki(sandbox),
                      codes=(1,))
    assert outcome.stderr.splitlines() == expected
    assert sandbox.count() == 0  # not even a session: nothing left the machine
    with SendLog(tmp_path / "state") as log:
        assert log.unknown() == []


# --- the rules themselves ----------------------------------------------------------------

FORBIDDEN = [chr(c) for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20),
                              *range(0x7F, 0xA0), 0xFFFE, 0xFFFF)]
CARRIED = ["\t", "\n", "\r", " ", "~", "\xa0", "é", "€", "\u2028", "\ufeff", "\U0001F600"]


def test_which_characters_a_document_can_carry() -> None:
    assert [c for c in FORBIDDEN if text.forbidden(f"a{c}b") != c] == []
    assert [c for c in CARRIED if text.forbidden(f"a{c}b") is not None] == []
    assert text.forbidden("\ud800") == "\ud800"  # a lone surrogate (no UTF-8 at all)
    assert [text.shown(c) for c in ("\x01", "\x7f", "\ufffe")] == ["U+0001", "U+007F", "U+FFFE"]


def test_the_polars_check_finds_the_same_characters() -> None:
    values = [f"x{c}" for c in FORBIDDEN + CARRIED] + [None]
    found = text.forbidden_in(pl.Series(values, dtype=pl.String)).to_list()
    assert found == [True] * len(FORBIDDEN) + [False] * len(CARRIED) + [False]
    # and the one query that says whether any value holds one, null or not
    assert [text.any_forbidden(pl.Series([v, None], dtype=pl.String)) for v in values] == found


def test_escaping_refuses_what_it_cannot_carry_instead_of_dropping_it() -> None:
    assert text.xml_text("Jansen & Zn <b>\r\nregel 2\n") == \
        "Jansen &amp; Zn &lt;b&gt;&#13;regel 2&#13;"
    with pytest.raises(text.ForbiddenCharacter, match=re.escape(
            "contains the control character U+0001, which a Yuki document cannot carry")):
        text.xml_text("Post\x01zegels")
    with pytest.raises(text.ForbiddenCharacter):
        text.csv_field("Post\x01zegels")


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40))
def test_the_scalar_and_the_vectorised_escaping_agree(value: str) -> None:
    vectorised = pl.select(text.xml_text_expr(pl.lit(value, dtype=pl.String))).item()
    if text.forbidden(value) is None:
        assert vectorised == text.xml_text(value)
    else:  # the map stage refuses these; neither rule ever drops them silently
        with pytest.raises(text.ForbiddenCharacter):
            text.xml_text(value)
        assert text.forbidden(vectorised) is not None


@given(st.text(alphabet="a&<>;\r\n", max_size=40))
def test_the_scalar_and_the_vectorised_escaping_agree_on_what_they_replace(value: str) -> None:
    """Line ends of every kind side by side (CRLF is one break, CR and LF one each) and the
    escaped characters, which a general alphabet seldom puts next to each other."""
    vectorised = pl.select(text.xml_text_expr(pl.lit(value, dtype=pl.String))).item()
    assert vectorised == text.xml_text(value)


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40))
def test_the_csv_field_rule(value: str) -> None:
    if text.forbidden(value) is not None:
        with pytest.raises(text.ForbiddenCharacter):
            text.csv_field(value)
        return
    field = text.csv_field(value)
    if any(c in value for c in ';"\r\n'):
        assert field == '"' + value.replace('"', '""') + '"'
    else:
        assert field == value


def test_the_rendered_cash_csv_is_held_to_the_same_policy(here: Bounded, write: Write) -> None:
    template = (REPO / "templates/petty_cash.csv.j2").read_text(encoding="utf-8")
    # a Jinja escape: the template file itself may not hold the character (test_templates.py)
    write("cash.csv.j2", template.replace("{{ document.CashDescription|csv }}",
                                          "{{ 'Kas\\x01' }}"))
    mapping = (REPO / "mappings/cash-book.yaml").read_text(encoding="utf-8")
    write("m.yaml", mapping + "template: cash.csv.j2\n")
    write("cash.csv", "".join(CASH_ROWS[:3]))
    outcome = here("convert", "cash.csv", "-m", "m.yaml", "--dry-run", codes=(1,))
    assert outcome.stderr.splitlines() == [
        "error: cash.csv: 2 problems in the rendered documents",
        "",
        ("error: the cash statement CSV: contains the control character U+0001, which a Yuki"
         " document cannot carry"),
        "  in cash.csv, line 2",
        ("    statement cash.csv, row 2: '1000;Kas\\x01;K-0311;8000;Omzet;01-11-2024;Contante"
         " verkoop winkel;412,35;1662,35'"),
        ("error: the cash statement CSV: contains the control character U+0001, which a Yuki"
         " document cannot carry"),
        "  in cash.csv, line 3",
        ("    statement cash.csv, row 3: '1000;Kas\\x01;K-0312;4320;Porti;02-11-2024;Postzegels;"
         "-12,60;1649,75'"),
    ]


def test_a_quick_look_at_the_bytes_is_sure_only_of_text_a_document_carries() -> None:
    """A big file's slice whose bytes surely hold nothing refused skips the look at each
    value: never for a character refused, and for the usual letters it is sure."""
    assert [c for c in FORBIDDEN if text.surely_carried(f"a{c}b".encode())] == []
    sure = ["\t", "\n", "\r", " ", "~", "é", "ë", "€", "ł", "\u2028", "\U0001F600"]
    assert [c for c in sure if not text.surely_carried(f"a{c}b".encode())] == []


@given(st.text(st.characters(blacklist_categories=("Cs",))))
def test_a_quick_look_is_never_sure_of_text_with_a_character_refused(value: str) -> None:
    if text.surely_carried(value.encode()):
        assert text.forbidden(value) is None
