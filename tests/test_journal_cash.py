"""General journals and petty cash statements: balance rules, sign conventions, limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import build_files, run_cli
from yukimap import output
from yukimap.errors import DataError, DocumentError
from yukimap.output import check_documents, document_text, write_documents
from yukimap.pipeline import ConversionResult, convert_file
from yukimap.schema import apply_options, load_mapping

ADMIN = "5a4db0c5-ad01-4e00-8000-000000000001"
JOURNAL = """
version: 1
target: journal
source: {delimiter: ";", decimal_mark: ",", date_format: "%d-%m-%Y"}
journal: {DocumentSubject: Test, JournalType: GeneralJournal}
entries:
  EntryDate: {column: Date}
  GLAccount: {column: GL}
  Amount: {column: Amount}
  Description: {column: Text}
"""
HEADER = "Date;GL;Amount;Text;Debit;Credit;AfBij\n"


def convert(tmp_path: Path, mapping: str, rows: str, *, administration: str | None = ADMIN,
            opening: str | None = None) -> ConversionResult:
    files = build_files(tmp_path, {"m.yaml": mapping, "in.csv": HEADER + rows})
    loaded = apply_options(load_mapping(files["m.yaml"]), administration, opening)
    return convert_file(files["in.csv"], loaded)


def problems(tmp_path: Path, mapping: str, rows: str, **kw: str | None) -> list[tuple]:
    with pytest.raises(DataError) as info:
        convert(tmp_path, mapping, rows, **kw)
    return [(p.cause, p.where.rows, p.value, p.severity) for p in info.value.problems]


def test_a_balanced_journal(tmp_path: Path) -> None:
    result = convert(tmp_path, JOURNAL, "01-11-2024;1100;-10,00;a;;;\n01-11-2024;4100;10,00;b;;;\n")
    assert ("<AdministrationID>5a4db0c5-ad01-4e00-8000-000000000001</AdministrationID>"
            in document_text(result))
    assert result.summary.table[1] == ("2024-11-01", "2", "10.00", "-10.00", "0.00")


def test_unbalanced_per_date_and_in_total(tmp_path: Path) -> None:
    rows = ("01-11-2024;1100;-10,00;a;;;\n01-11-2024;4100;9,00;b;;;\n"  # date off by -1.00
            "02-11-2024;1100;5,00;c;;;\n02-11-2024;4100;-4,00;d;;;\n"  # date off by +1.00
            "03-11-2024;1100;2,00;e;;;\n")  # date and total off by +2.00
    found = problems(tmp_path, JOURNAL, rows)
    assert found == [
        ("the entries of 2024-11-01 do not sum to 0.00 (Yuki requires each date to)", (2, 3),
         "debit 9.00, credit -10.00, difference -1.00", "error"),
        ("the entries of 2024-11-02 do not sum to 0.00 (Yuki requires each date to)", (4, 5),
         "debit 5.00, credit -4.00, difference 1.00", "error"),
        ("the entries of 2024-11-03 do not sum to 0.00 (Yuki requires each date to)", (6,),
         "debit 2.00, credit 0.00, difference 2.00", "error"),
        ("the journal's entries do not sum to 0.00, so Yuki rejects all of it", (2, 3, 4, 5, 6),
         "debit 16.00, credit -14.00, difference 2.00", "error"),
    ]


def test_dates_that_offset_each_other_still_fail(tmp_path: Path) -> None:
    rows = "01-11-2024;1100;-10,00;a;;;\n02-11-2024;4100;10,00;b;;;\n"
    causes = [f[0] for f in problems(tmp_path, JOURNAL, rows)]
    assert len(causes) == 2 and all("do not sum to 0.00 (Yuki requires" in c for c in causes)


def test_balancing_entry_within_the_limit_is_added_and_reported(tmp_path: Path) -> None:
    mapping = JOURNAL + "balancing: {GLAccount: '8990', Description: Afronding, max: 0.05}\n"
    result = convert(tmp_path, mapping, "01-11-2024;1100;-10,00;a;;;\n01-11-2024;4100;9,98;b;;;\n")
    assert [w.cause for w in result.warnings] == [
        "added a balancing entry of 0.02 on 2024-11-01 to GL account 8990 (the mapping's"
        " balancing:)"]
    assert "<GLAccount>8990</GLAccount>\n    <Amount>0.02</Amount>\n" \
           "    <Description>Afronding</Description>" in document_text(result)


def test_balancing_does_not_hide_a_larger_difference(tmp_path: Path) -> None:
    mapping = JOURNAL + "balancing: {GLAccount: '8990', max: 0.05}\n"
    found = problems(tmp_path, mapping, "01-11-2024;1100;-10,00;a;;;\n01-11-2024;4100;9,00;b;;;\n")
    assert found[0][0].startswith("the entries of 2024-11-01 do not sum to 0.00")


def test_debit_and_credit_columns(tmp_path: Path) -> None:
    mapping = JOURNAL.replace("Amount: {column: Amount}", "Amount: {debit: Debit, credit: Credit}")
    result = convert(tmp_path, mapping,
                     "01-11-2024;4100;;a;12,50;;\n01-11-2024;1100;;b;0,00;12,50;\n")
    assert [d["Amount"] for d in next(result.documents()).context["entries"]] == ["12.50",
                                                                                "-12.50"]


def test_debit_and_credit_both_filled_is_an_error(tmp_path: Path) -> None:
    mapping = JOURNAL.replace("Amount: {column: Amount}", "Amount: {debit: Debit, credit: Credit}")
    found = problems(tmp_path, mapping, "01-11-2024;4100;;a;12,50;3,00;\n"
                                        "01-11-2024;1100;;b;;12,50;\n")
    assert found[0][:2] == ("both the debit column 'Debit' and the credit column 'Credit' are"
                            " filled", (2,))


def test_indicator_column_and_unknown_indicator(tmp_path: Path) -> None:
    mapping = JOURNAL.replace("Amount: {column: Amount}", "Amount: {column: Amount, sign:"
                              " {column: AfBij, positive: [Bij, C], negative: [Af, D]}}")
    result = convert(tmp_path, mapping,
                     "01-11-2024;1100;12,50;a;;;af\n01-11-2024;4100;12,50;b;;;Bij\n")
    assert [d["Amount"] for d in next(result.documents()).context["entries"]] == ["-12.50",
                                                                                "12.50"]
    found = problems(tmp_path, mapping,
                     "01-11-2024;1100;12,50;a;;;Af\n01-11-2024;4100;12,50;b;;;X\n")
    assert found[0][:3] == ("not one of the sign values (bij, c, af, d)", (3,), "X")


TWO_ENTRIES = JOURNAL[:JOURNAL.index("entries:")] + """entries:
  - {EntryDate: {column: Date}, GLAccount: "1100", Amount: {column: Amount, sign: SIGN}}
  - {EntryDate: {column: Date}, GLAccount: {column: GL}, Amount: OTHER}
"""
AF_BIJ = "{column: AfBij, positive: [Bij], negative: [Af]}"


@pytest.mark.parametrize(("other", "words"), [
    ("{column: Amount, sign: " + AF_BIJ + ", negate: true}", ["bij, af"]),  # a bank's sides
    ("{column: Amount, sign: {column: AfBij, positive: [Af], negative: [Bij]}}",
     ["bij, af", "af, bij"])])
def test_two_entries_sign_one_amount_each_as_its_own_sign_says(
        tmp_path: Path, other: str, words: list[str]) -> None:
    """Two entries of one amount, each signed by the sign column (worked out once where
    the two signs are the same): each as its own sign and negate say."""
    mapping = TWO_ENTRIES.replace("SIGN", AF_BIJ).replace("OTHER", other)
    rows = "01-11-2024;4100;12,50;a;;;Af\n01-11-2024;8000;3,00;b;;;Bij\n"
    entries = next(convert(tmp_path, mapping, rows).documents()).context["entries"]
    assert [e["Amount"] for e in entries] == ["-12.50", "12.50", "3.00", "-3.00"]
    found = problems(tmp_path, mapping, rows + "01-11-2024;4100;1,00;c;;;X\n")
    assert [f[:3] for f in found if f[0].startswith("not one")] == [
        (f"not one of the sign values ({w})", (4,), "X") for w in words]


def test_negate_flips_the_sign(tmp_path: Path) -> None:
    mapping = JOURNAL.replace("Amount: {column: Amount}", "Amount: {column: Amount, negate: true}")
    result = convert(tmp_path, mapping, "01-11-2024;1100;-1,00;a;;;\n01-11-2024;4100;1,00;b;;;\n")
    assert [d["Amount"] for d in next(result.documents()).context["entries"]] == ["1.00", "-1.00"]


def test_gl_account_must_be_a_plain_code(tmp_path: Path) -> None:
    found = problems(tmp_path, JOURNAL,
                     "01-11-2024;8000 Omzet;-1,00;a;;;\n01-11-2024;80.00;1,00;b;;;\n")
    assert [(f[0], f[1], f[2]) for f in found] == [
        ("not a plain GL account code", (2,), "8000 Omzet"),
        ("not a plain GL account code", (3,), "80.00")]


def test_the_administration_is_needed_once(tmp_path: Path) -> None:
    rows = "01-11-2024;1100;-1,00;a;;;\n01-11-2024;4100;1,00;b;;;\n"
    assert problems(tmp_path, JOURNAL, rows, administration=None)[0][0] == (
        "a journal needs AdministrationID or AdministrationCoCNumber")
    both = JOURNAL.replace("journal: {", f"journal: {{AdministrationID: {ADMIN},"
                           " AdministrationCoCNumber: '123', ")
    assert problems(tmp_path, both, rows, administration=None)[0][0] == (
        "a journal gives both AdministrationID and AdministrationCoCNumber")
    result = convert(tmp_path, both, rows, administration="12345678")  # the command line wins
    assert "<AdministrationCoCNumber>12345678</AdministrationCoCNumber>" in document_text(result)
    assert "AdministrationID" not in document_text(result)


def test_required_entry_fields_are_checked_at_load(tmp_path: Path) -> None:
    mapping = JOURNAL.replace("  GLAccount: {column: GL}\n", "")
    result = run_cli("check", build_files(tmp_path, {"m.yaml": mapping})["m.yaml"])
    assert result.code == 1
    assert "entries: needs GLAccount (Yuki requires it)" in result.stderr


def test_several_journals_need_an_output_folder(tmp_path: Path) -> None:
    mapping = JOURNAL + "group_by: Date\n"
    rows = "01-11-2024;1100;-1,00;a;;;\n01-11-2024;4100;1,00;b;;;\n02-11-2024;1100;-2,00;c;;;\n" \
           "02-11-2024;4100;2,00;d;;;\n"
    result = convert(tmp_path, mapping, rows)
    written = write_documents(result, tmp_path / "out")
    assert [p.name for p in written] == ["01-11-2024.xml", "02-11-2024.xml"]
    assert written[1].read_text().count("<JournalEntry>") == 2


def test_many_journals_are_made_in_one_pass_and_each_written_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # each journal looked up anew went through every journal before it: 3,000 daily
    # journals took 100 s; their contexts are now made in one pass over the file
    days = [f"{day:02d}-{month:02d}-2024" for month in (10, 11) for day in range(1, 29)]
    rows = "".join(f"{d};1100;-{n},00;a{n};;;\n{d};4100;{n},00;b{n};;;\n"
                   for n, d in enumerate(days, start=1))
    result = convert(tmp_path, JOURNAL + "group_by: Date\n", rows)
    made: list[int] = []
    passes = output.contexts

    def counted(*args: object, **kwargs: object) -> object:
        made.append(1)
        return passes(*args, **kwargs)

    monkeypatch.setattr(output, "contexts", counted)
    written = write_documents(result, tmp_path / "out")
    assert len(made) == 1
    assert [p.name for p in written] == [f"{d}.xml" for d in days]
    for n, path in enumerate(written, start=1):
        text = path.read_text(encoding="utf-8")
        assert text.count("<JournalEntry>") == 2
        assert f"<Amount>-{n}.00</Amount>" in text and f"<Description>b{n}</Description>" in text


CASH = """
version: 1
target: petty_cash
source: {delimiter: ";", decimal_mark: ",", date_format: "%d-%m-%Y"}
statement: {CashAccount: "1000"}
lines:
  Date: {column: Date}
  Amount: {column: Amount}
  Description: {column: Text}
  OffsetAccount: {column: GL}
"""


def test_petty_cash_from_an_opening_balance(tmp_path: Path) -> None:
    result = convert(tmp_path, CASH,
                     "01-11-2024;8000;100,00;verkoop;;;\n02-11-2024;4320;-12,6;porti;;;\n",
                     administration=None, opening="1250")
    assert document_text(result).splitlines()[1:] == [
        "1000;;;8000;;01-11-2024;verkoop;100,00;1350,00",
        "1000;;;4320;;02-11-2024;porti;-12,60;1337,40"]
    assert result.summary.table[1][-1] == "1,337.40"


def test_petty_cash_dot_decimal_mark_is_a_setting(tmp_path: Path) -> None:
    mapping = CASH + 'amount_decimal_mark: "."\n'
    result = convert(tmp_path, mapping, "01-11-2024;8000;100,00;verkoop;;;\n", administration=None,
                     opening="0")
    assert document_text(result).splitlines()[1].endswith(";100.00;100.00")


def test_petty_cash_needs_a_balance(tmp_path: Path) -> None:
    found = problems(tmp_path, CASH, "01-11-2024;8000;100,00;verkoop;;;\n", administration=None)
    assert found[0][0] == "a petty cash statement needs the cash balance (Saldo kas)"


def test_opening_balance_that_disagrees_with_the_balance_column(tmp_path: Path) -> None:
    mapping = CASH + "  Balance: {column: Debit}\n"
    rows = "01-11-2024;8000;100,00;a;1350,00;;\n02-11-2024;4320;-10,00;b;1345,00;;\n"
    found = problems(tmp_path, mapping, rows, administration=None, opening="1250")
    assert found == [("the cash balance (Saldo kas) does not agree with the amounts", (3,),
                      "the file says 1,345.00; 1,350.00 plus -10.00 is 1,340.00", "error")]
    wrong_opening = problems(tmp_path, mapping, rows.replace("1345,00", "1340,00"),
                             administration=None, opening="1000")
    assert wrong_opening[0][1:3] == ((2,), "the file says 1,350.00; 1,000.00 plus 100.00 is"
                                           " 1,100.00")


def test_balance_column_without_opening_balance(tmp_path: Path) -> None:
    mapping = CASH + "  Balance: {column: Debit}\n"
    result = convert(tmp_path, mapping, "01-11-2024;8000;100,00;a;1350,00;;\n", administration=None)
    assert result.summary.table[1][2:] == ("1,250.00", "100.00", "0.00", "1,350.00")


def test_texts_longer_than_yuki_allows(tmp_path: Path) -> None:
    name = "Groothandel in bakkerijgrondstoffen Van der Molen"  # 49 characters
    mapping = CASH + "  OffsetName: {column: Debit}\n"
    found = problems(tmp_path, mapping, f"01-11-2024;8000;1,00;a;{name};;\n", administration=None,
                     opening="0")
    assert found == [("longer than 34 characters", (2,), name, "error")]
    cut = mapping.replace("OffsetName: {column: Debit}",
                          "OffsetName: {column: Debit, truncate: true}")
    result = convert(tmp_path, cut, f"01-11-2024;8000;1,00;a;{name};;\n", administration=None,
                     opening="0")
    assert document_text(result).splitlines()[1].split(";")[4] == name[:34]
    assert [w.cause for w in result.warnings] == [
        "longer than 34 characters; cut as the mapping says (truncate: true)"]


def test_separators_in_cash_texts_are_errors(tmp_path: Path) -> None:
    found = problems(tmp_path, CASH, '01-11-2024;8000;1,00;"koffie; thee";;;\n',
                     administration=None, opening="0")
    assert found[0][0] == ("contains a ';' or a line break, which Yuki's cash statement CSV"
                           " cannot carry")


def test_a_users_cash_template_is_checked_like_the_xsd_checks_xml(tmp_path: Path) -> None:
    (tmp_path / "cash.csv.j2").write_text(
        "Grootboekrekening kas;Datum\n{% for line in document.lines %}1000;{{ line.Date }}\n"
        "{% endfor %}")
    mapping = CASH + "template: cash.csv.j2\n"
    result = convert(tmp_path, mapping, "01-11-2024;8000;1,00;a;;;\n", administration=None,
                     opening="0")
    with pytest.raises(DocumentError) as info:
        check_documents(result)
    assert info.value.problems[0].cause == ("the cash statement CSV: the first line is not"
                                            " Yuki's cash statement header")
