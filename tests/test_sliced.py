"""A big file converted a slice at a time (yukimap/sliced.py) says exactly what the whole file
says: the same documents, byte for byte, and the same summary; and where it could not, it hands
the file back to be converted whole, which then answers as always.

The slices are made small (YUKIMAP_SLICE_BYTES) so that the golden cases and small generated
files go in many slices; `read_slices` is checked against `read_table` on generated CSV text
with quotes, line breaks and delimiters inside its cells in tests/robustness/test_slices.py.
"""

from __future__ import annotations

import csv
import random
import re
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import REPO, run_cli
from tests.test_golden import CASES, _case
from yukimap import i18n
from yukimap.errors import DataError, Problem
from yukimap.explain import SHOWN_ROWS
from yukimap.model import Mapping
from yukimap.pipeline import slug, unique_names
from yukimap.preview import sums
from yukimap.report import format_summary
from yukimap.schema import apply_options, load_mapping
from yukimap.sliced import (
    Previewed,
    Warned,
    convert_in_slices,
    document_slice,
    preview_in_slices,
    spanning_row,
)

# The golden cases a slice at a time: these go in slices (sales exports, bank exports as one
# journal of the file, in UTF-8 or an 8-bit code page, and journals per group, a file each);
# every other case is handed back (cash statements; workbooks, bank statement formats and other
# layouts; warnings; a file of one journal per group that makes only one). UTF-16 and a
# footer go in slices too (test_a_utf16_export_in_slices_is_the_case,
# test_a_footer_left_out_is_left_out_of_the_last_slice).
IN_SLICES = {"shopify-orders", "webshop-orders", "woocommerce-orders", "yuki-doc-example",
             "bank-bunq", "bank-ing", "bank-ing-current", "stripe-balance", "pos-daily",
             "bank-knab", "bank-belfius", "bank-belfius-fr", "bank-rabobank", "paypal-activity",
             "paypal-activity-en"}


@pytest.mark.parametrize(("mark", "codec", "encoding"), [
    (b"\xff\xfe", "utf-16-le", None), (b"\xfe\xff", "utf-16-be", None),
    (b"", "utf-16-le", "utf-16-le"), (b"", "utf-16-be", "utf-16-be")])
def test_a_utf16_export_in_slices_is_the_case(mark: bytes, codec: str, encoding: str | None,
                                              tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Excel's "Unicode text" (UTF-16, with its byte order mark, or without and told by
    `encoding:`) goes in slices, made UTF-8 as it is read: the golden case's documents."""
    monkeypatch.setenv("YUKIMAP_SLICE_BYTES", "200")
    case = REPO / "tests" / "cases" / "webshop-orders"
    source, mapping_path, _ = _case(case)
    export = tmp_path / "orders.txt"
    export.write_bytes(mark + source.read_text(encoding="utf-8-sig").encode(codec))
    mapping = load_mapping(mapping_path)
    if encoding:
        mapping = replace(mapping, source=replace(mapping.source, encoding=encoding))
    assert convert_in_slices(export, mapping, tmp_path / "out.xml") is not None
    assert (tmp_path / "out.xml").read_text(encoding="utf-8") == (
        case / "expected.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize("size", [200, 1000])
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_a_golden_case_in_slices_is_the_case(case: Path, size: int, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUKIMAP_SLICE_BYTES", str(size))
    source, mapping_path, spec = _case(case)
    mapping = apply_options(load_mapping(mapping_path), spec.get("administration"),
                            spec.get("opening_balance"))
    each = mapping.target.per_call and mapping.group is not None  # a file per document
    out = tmp_path / ("out" if each else "out.xml")
    summary = convert_in_slices(source, mapping, out)
    # a file of two slices or less is converted whole: slices are for big files
    expected = case.name in IN_SLICES and source.stat().st_size > 2 * size
    if summary is None:
        assert not expected
        assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # nothing left behind
        return
    assert expected
    if each:
        wanted = {p.name.removeprefix("expected-"): p.read_text(encoding="utf-8")
                  for p in case.glob("expected-*.xml")}
        assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == wanted
    else:
        assert out.read_text(encoding="utf-8") == (case / "expected.xml").read_text(
            encoding="utf-8")
    said = format_summary(summary, source.name, mapping_path.name, "(golden test)")
    assert said + "\n" == (case / "expected-summary.txt").read_text(encoding="utf-8")
    dutch = case / "expected-summary.nl.txt"
    if dutch.exists():  # the summary added up in Dutch (its spans, its counts' conditions)
        with i18n.speaking("nl"):
            summary = convert_in_slices(source, mapping, out)
            assert summary is not None
            said = format_summary(summary, source.name, mapping_path.name, "(golden test)")
        assert said + "\n" == dutch.read_text(encoding="utf-8")


# --- a generated webshop export, many slices long ------------------------------------------

WEBSHOP = REPO / "mappings" / "webshop-orders.yaml"
SMALL = "2048"  # bytes a slice: the export below makes about 40
WHOLE = str(10 ** 12)


def _orders(count: int, late: str = "") -> str:
    """`count` orders like those of examples/webshop-orders.csv, numbered 2024-10000 on,
    and `late` lines at the end."""
    header, *rows = (REPO / "examples" / "webshop-orders.csv").read_text(
        encoding="utf-8-sig").splitlines()
    orders: dict[str, list[str]] = {}
    for row in rows:
        number, rest = row.split(";", 1)
        orders.setdefault(number, []).append(rest)
    shapes = list(orders.values())
    lines = [f"2024-{10000 + n};{rest}" for n in range(count) for rest in shapes[n % 5]]
    return "\n".join([header, *lines]) + "\n" + late


def _write(path: Path, rows: list[list[str]]) -> None:
    """`rows` as a CSV export with ";" between cells."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)


def _both(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str,
          mapping: Path = WEBSHOP) -> list[tuple[int, str, str]]:
    """The dry run of `text` with small slices and whole: (code, output, errors) each."""
    (tmp_path / "orders.csv").write_text(text, encoding="utf-8")
    said = []
    for size in (SMALL, WHOLE):
        monkeypatch.setenv("YUKIMAP_SLICE_BYTES", size)
        result = run_cli("convert", tmp_path / "orders.csv", "-m", mapping, "--dry-run")
        said.append((result.code, result.stdout, result.stderr))
    return said


@pytest.mark.parametrize("kind", ["sales", "journal", "journals per day", "strict"])
def test_standard_output_gets_from_the_slices_what_it_gets_whole(
        kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`convert` without --output (standard output, written once it is valid) goes in
    slices too, through a file of its own: the same document, summary and exit code; a
    file of many documents, which standard output cannot take, gets the whole file's
    answer; with --strict and a warning, nothing."""
    header, *rows = csv.reader(_orders(120).splitlines(), delimiter=";")
    mapping, options = WEBSHOP, []
    if kind == "journal":
        header, *rows = csv.reader(_entries(150).splitlines(), delimiter=";")
        mapping = _journal(tmp_path)
    if kind == "journals per day":
        header, *rows = _days(60)
        mapping, options = POS, ["-a", "5a4db0c5-ad01-4e00-8000-000000000001"]
    if kind == "strict":
        rows[200][17], mapping, options = "", _unpriced(tmp_path), ["--strict"]
    _write(tmp_path / "orders.csv", [header, *rows])
    said = []
    for size in (SMALL, WHOLE):
        monkeypatch.setenv("YUKIMAP_SLICE_BYTES", size)
        result = run_cli("convert", tmp_path / "orders.csv", "-m", mapping, *options)
        said.append((result.code, result.stdout, result.stderr))
    assert said[0] == said[1]
    code, document, summary = said[0]
    if kind in ("sales", "journal"):
        assert code == 0 and document.startswith("<?xml") and "standard output" in summary
    elif kind == "journals per day":
        assert code == 2 and document == "" and "standard output takes only one" in summary
    else:
        assert code == 1 and document == "" and "--strict: nothing was written" in summary


def _sliced(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mapping: Path = WEBSHOP) -> bool:
    """Whether the export goes in slices (else it is handed back, to be converted whole)."""
    monkeypatch.setenv("YUKIMAP_SLICE_BYTES", SMALL)
    return convert_in_slices(tmp_path / "orders.csv", load_mapping(mapping), None) is not None


def _from_slices(path: Path, mapping: Mapping, size: str, out: Path | None = None,
                 warned: Warned | None = None) -> str | None:
    """How `path` in slices of `size` bytes is answered: "summary" (it passes), "problems"
    (DataError), both said from its slices; None: handed back, to be converted whole."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("YUKIMAP_SLICE_BYTES", size)
        try:
            return "summary" if convert_in_slices(path, mapping, out, warned=warned) else None
        except DataError:
            return "problems"


def _written_alike(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """orders.csv converted in small slices and whole writes the same bytes."""
    for size in (SMALL, WHOLE):
        monkeypatch.setenv("YUKIMAP_SLICE_BYTES", size)
        assert run_cli("convert", tmp_path / "orders.csv", "-m", WEBSHOP, "-o",
                       tmp_path / f"{size}.xml").code == 0
    assert (tmp_path / f"{SMALL}.xml").read_bytes() == (tmp_path / f"{WHOLE}.xml").read_bytes()


def test_a_file_that_passes_goes_in_slices_and_says_what_the_whole_says(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sliced, whole = _both(monkeypatch, tmp_path, _orders(120))
    assert sliced == whole
    assert sliced[0] == 0 and "  sales invoices          96\n" in sliced[1]
    assert _sliced(monkeypatch, tmp_path)
    _written_alike(monkeypatch, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["orders.csv", f"{SMALL}.xml", f"{WHOLE}.xml"])  # no temporary file left


def test_a_problem_in_a_late_slice_is_said_as_the_whole_says_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = _orders(120).replace("2024-10119;05-11-2024", "2024-10119;31-02-2024")
    sliced, whole = _both(monkeypatch, tmp_path, bad)
    assert sliced == whole
    assert sliced[0] == 1 and "31-02-2024" in sliced[2]
    with pytest.raises(DataError):  # said from the slices, not handed back to be read whole
        _sliced(monkeypatch, tmp_path)


@pytest.mark.parametrize("what", ["an error", "a warning and --strict", "journals per day"])
def test_a_file_not_written_leaves_no_folder_behind(
        what: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUKIMAP_SLICE_BYTES", SMALL)
    header, *rows = csv.reader(_orders(120).splitlines(), delimiter=";")
    mapping, options = WEBSHOP, []
    if what == "an error":
        rows[200][1] = "31-02-2024"
    if what == "a warning and --strict":
        rows[200][17], mapping, options = "", _unpriced(tmp_path), ["--strict"]
    if what == "journals per day":
        header, *rows = _days(60)
        rows[150][4] = "12,3x"
        mapping, options = POS, ["-a", "5a4db0c5-ad01-4e00-8000-000000000001"]
    _write(tmp_path / "in.csv", [header, *rows])
    made = tmp_path / "new" / "deeper" / ("journals/" if mapping == POS else "out.xml")
    result = run_cli("convert", tmp_path / "in.csv", "-m", mapping, "-o", made, *options)
    assert result.code == 1
    assert not (tmp_path / "new").exists()


def test_an_order_whose_rows_are_far_apart_is_one_invoice_as_in_the_whole_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the last line belongs to the first order, 500 rows up: the whole file makes one
    # invoice of them, which no slice alone can
    late = "2024-10000;;;;;;;;;;;;;;0087-MK;Mok keramiek;5;12,50;21;\n"
    sliced, whole = _both(monkeypatch, tmp_path, _orders(120, late))
    assert sliced == whole and sliced[0] == 0
    assert "  sales invoices          96\n" in sliced[1]
    spill = tmp_path / "spill"
    spill.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spill))
    # its rows put together on disk, then in slices: not handed back to be read whole
    assert _sliced(monkeypatch, tmp_path)
    _written_alike(monkeypatch, tmp_path)
    assert list(spill.iterdir()) == []  # the rows put on disk are gone


def test_rows_the_disk_cannot_take_are_converted_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    late = "2024-10000;;;;;;;;;;;;;;0087-MK;Mok keramiek;5;12,50;21;\n"
    (tmp_path / "orders.csv").write_text(_orders(120, late), encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))  # no folder to write in
    assert not _sliced(monkeypatch, tmp_path)  # handed back, to be converted whole
    _written_alike(monkeypatch, tmp_path)
    # standard output, whose document waits in the temporary folder until it is valid:
    # nothing printed, and what to do (it was a traceback, whole or in slices)
    printed = run_cli("convert", tmp_path / "orders.csv", "-m", WEBSHOP)
    assert (printed.code, printed.stdout) == (1, "")
    assert printed.stderr.startswith("error: could not write the temporary file of the"
                                     " document: No such file or directory (")
    assert printed.stderr.endswith(f"  fix: the temporary folder ({tmp_path / 'gone'}) must be"
                                   " writable and have room (set TMPDIR to another), or give"
                                   " --output\n")


def test_a_footer_left_out_is_left_out_of_the_last_slice(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # skip_last: 2 (a total and a "made by" line, a blank line between them), which the
    # slices hold back until the file's end shows they are the footer
    mapping = tmp_path / "webshop.yaml"
    mapping.write_text(WEBSHOP.read_text(encoding="utf-8").replace(
        "source:\n", "source:\n  skip_last: 2\n"), encoding="utf-8")
    assert "skip_last: 2" in mapping.read_text(encoding="utf-8")
    footer = "Totaal;;;;;;;;;;;;;;;;;12.345,60;;\n;;\nGemaakt door Webshop;;\n"
    sliced, whole = _both(monkeypatch, tmp_path, _orders(120, footer), mapping)
    assert sliced == whole and sliced[0] == 0
    assert "  sales invoices          96\n" in sliced[1]
    assert _sliced(monkeypatch, tmp_path, mapping)
    wrong = tmp_path / "wrong.yaml"  # a footer of one row leaves a line Yuki would refuse
    wrong.write_text(mapping.read_text(encoding="utf-8").replace("skip_last: 2",
                                                                  "skip_last: 1"))
    sliced, whole = _both(monkeypatch, tmp_path, _orders(120, footer), wrong)
    assert sliced == whole and sliced[0] == 1


def test_the_decimal_mark_found_late_in_the_file_is_the_whole_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # without decimal_mark, the file tells it: here only its last order ("4,50")
    mapping = tmp_path / "webshop.yaml"
    mapping.write_text(WEBSHOP.read_text(encoding="utf-8").replace(
        'decimal_mark: ","', "").replace('thousands_separator: "."', ""), encoding="utf-8")
    text = re.sub(r",\d\d(?=;|$)", "", _orders(120), flags=re.MULTILINE).replace("1.249", "1249")
    text += "2024-20000;05-11-2024;voltooid;iDEAL;;;Jan;Jansen;;;;;NL;;0450-TH;Thee;2;4,50;9;\n"
    sliced, whole = _both(monkeypatch, tmp_path, text, mapping)
    assert sliced == whole and sliced[0] == 0
    assert "decimal mark ','" in sliced[1]
    assert not _sliced(monkeypatch, tmp_path, mapping)


def test_an_invoice_number_in_two_slices_is_said_as_the_whole_says_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the last order's number is made the first's: two invoices with one number, far apart
    mapping = tmp_path / "webshop.yaml"
    mapping.write_text(WEBSHOP.read_text(encoding="utf-8").replace(
        "Reference: {column: Bestelnummer, required: true}",
        "Reference: {expr: \"replace(Bestelnummer, '2024-2', '2024-1')\"}"), encoding="utf-8")
    late = "2024-20000;05-11-2024;voltooid;iDEAL;;;Jan;Jansen;;;;;NL;;0450-TH;Thee;2;4,50;9;\n"
    sliced, whole = _both(monkeypatch, tmp_path, _orders(120, late), mapping)
    assert sliced == whole
    assert sliced[0] == 1 and "the same invoice number (Reference)" in sliced[2]
    assert not _sliced(monkeypatch, tmp_path, mapping)


def test_a_slice_size_that_is_no_number_is_said(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUKIMAP_SLICE_BYTES", "4MB")
    result = run_cli("convert", REPO / "examples" / "webshop-orders.csv", "-m", WEBSHOP,
                     "--dry-run")
    assert (result.code, result.stderr) == (1, (
        "error: YUKIMAP_SLICE_BYTES='4MB' is not a whole number of 1 or more\n"
        "  fix: unset it to use the default\n"))


@pytest.mark.parametrize("shape", ["crlf", "bom", "no final newline", "blank lines"])
def test_the_shapes_of_a_csv_file_go_in_slices_as_whole(shape: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    text = _orders(120)
    text = {"crlf": text.replace("\n", "\r\n"), "bom": "\ufeff" + text,
            "no final newline": text.rstrip("\n"),
            "blank lines": text.replace("\n", "\n\n", 40)}[shape]
    sliced, whole = _both(monkeypatch, tmp_path, text)
    assert sliced == whole and sliced[0] == 0
    assert _sliced(monkeypatch, tmp_path)


# --- one journal of the whole file, many slices long --------------------------------------

JOURNAL = """\
version: 1
target: journal
source: {delimiter: ";", decimal_mark: ",", date_format: "%d-%m-%Y"}
journal:
  DocumentSubject:
    rules:
      - when: {column: Text, contains: "boeking"}
        value: Memoriaal
    fallback: Overig
  JournalType: GeneralJournal
  AdministrationID: 5a4db0c5-ad01-4e00-8000-000000000001
entries:
  EntryDate: {column: Date}
  GLAccount: {column: GL, map: {"4000": "4000", "1000": "1000", "4300": "4300"}}
  Amount: {column: Amount}
  Description: {column: Text}
"""


def _entries(count: int) -> str:
    """`count` pairs of entries that balance each other, ten pairs a date: a date's entries
    and a pair's two rows fall in different slices of SMALL bytes."""
    lines = ["Date;GL;Amount;Text"]
    for n in range(count):
        date = f"{1 + n // 10:02d}-11-2024"
        amount = f"{n % 97 + 1},{n % 100:02d}"
        text = "huur" if n % 3 == 0 else f"boeking {n} & <co>"
        account = "4300" if text == "huur" else "4000"
        lines += [f"{date};{account};{amount};{text}", f"{date};1000;-{amount};tegen {n}"]
    return "\n".join(lines) + "\n"


def _a_cent_off(text: str) -> str:
    """The entries with the last date's last entry one cent off."""
    off = text.replace("15-11-2024;1000;-53,49;", "15-11-2024;1000;-53,48;")
    assert off != text
    return off


def _journal(tmp_path: Path, template: str | None = None, balancing: bool = False) -> Path:
    mapping = tmp_path / "journal.yaml"
    text = JOURNAL + ("balancing: {GLAccount: '8990', max: 0.05}\n" if balancing else "")
    if template is not None:
        (tmp_path / "mine.xml.j2").write_text(template, encoding="utf-8")
        text += "template: mine.xml.j2\n"
    mapping.write_text(text, encoding="utf-8")
    return mapping


def test_a_journal_of_the_whole_file_goes_in_slices_and_says_what_the_whole_says(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mapping = _journal(tmp_path)
    sliced, whole = _both(monkeypatch, tmp_path, _entries(150), mapping)
    assert sliced == whole and sliced[0] == 0
    assert "  entries         300\n" in sliced[1]
    assert "Memoriaal -> " not in sliced[1]  # the journal's own field: one document
    assert _sliced(monkeypatch, tmp_path, mapping)
    for size in (SMALL, WHOLE):  # written: the same bytes
        monkeypatch.setenv("YUKIMAP_SLICE_BYTES", size)
        assert run_cli("convert", tmp_path / "orders.csv", "-m", mapping, "-o",
                       tmp_path / f"{size}.xml").code == 0
    assert (tmp_path / f"{SMALL}.xml").read_bytes() == (tmp_path / f"{WHOLE}.xml").read_bytes()


def test_a_journal_told_a_slice_at_a_time_counts_its_own_fields_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mapping = _journal(tmp_path)
    (tmp_path / "orders.csv").write_text(_entries(150), encoding="utf-8")
    monkeypatch.setenv("YUKIMAP_SLICE_BYTES", SMALL)
    summary = convert_in_slices(tmp_path / "orders.csv", load_mapping(mapping), None)
    assert summary is not None and summary.documents == 1
    subject = next(t for t in summary.tallies if t.field == "journal.DocumentSubject")
    assert (subject.rows, subject.unit, subject.fallback) == (1, "documents", ("Overig", 1))
    accounts = next(t for t in summary.tallies if t.field == "entries.GLAccount")
    assert accounts.rows == 300
    assert accounts.counts == (("4000 -> 4000", 100), ("1000 -> 1000", 150),
                               ("4300 -> 4300", 50))


def test_a_date_that_balances_only_across_slices_passes_and_one_that_does_not_is_said(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mapping = _journal(tmp_path)
    text = _entries(150)
    (tmp_path / "orders.csv").write_text(text, encoding="utf-8")
    assert _sliced(monkeypatch, tmp_path, mapping)  # the pairs split by slices balance
    off = _a_cent_off(text)
    sliced, whole = _both(monkeypatch, tmp_path, off, mapping)
    assert sliced == whole and sliced[0] == 1
    assert "the entries of 2024-11-15 do not sum to 0.00" in sliced[2]
    # said from the slices: the sums per date, and the rows of the date read again
    assert _from_slices(tmp_path / "orders.csv", load_mapping(mapping), SMALL) == "problems"


@pytest.mark.parametrize("wrong", [
    "late",  # an amount that is no number, in a late slice (both entries of a pair)
    "first",  # in the first slice, which gives the journal's own fields
    "two slices",  # one account code not in the map: in two slices, one problem
    "unbalanced",  # one entry of a pair wrong: its date does not balance without it
])
def test_a_problem_in_a_journal_of_the_whole_file_is_said_as_the_whole_says_it(
        wrong: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mapping = _journal(tmp_path)
    lines = _entries(150).splitlines(keepends=True)
    rows = {"late": (270, 271), "first": (2, 3), "two slices": (21, 251),
            "unbalanced": (271,)}[wrong]
    for row in rows:  # spreadsheet rows: the header is row 1
        lines[row - 1] = lines[row - 1].replace(";1000;", ";1000 Kas;") \
            if wrong == "two slices" else lines[row - 1].replace(",", ",5x", 1)
    sliced, whole = _both(monkeypatch, tmp_path, "".join(lines), mapping)
    assert sliced == whole and sliced[0] == 1
    assert {"late": "    row 270: '38,5x34'\n    row 271: '-38,5x34'\n",
            "first": "    row 2: '1,5x00'\n    row 3: '-1,5x00'\n",
            "two slices": "    rows 21, 251: '1000 Kas'\n",
            "unbalanced": "    row 271: '-38,5x34'\n"}[wrong] in sliced[2]
    # a date that does not balance without the error too: told from the slices' sums
    assert _from_slices(tmp_path / "orders.csv", load_mapping(mapping), SMALL) == "problems"


@pytest.mark.parametrize("balancing", [False, True])
def test_what_round_changes_in_a_journal_of_the_whole_file_is_said_as_whole(
        balancing: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Amounts of three decimals, rounded by the mapping, in pairs that still balance, in
    slices far apart: the warnings (their fix the whole file's change), the summary and the
    journal as the whole file says and writes them, from the slices."""
    mapping = _journal(tmp_path, balancing=balancing)
    mapping.write_text(mapping.read_text(encoding="utf-8").replace(
        "Amount: {column: Amount}", "Amount: {column: Amount, round: 2}"), encoding="utf-8")
    lines = _entries(150).splitlines(keepends=True)
    for row in (40, 41, 250, 251):  # both entries of two pairs: 38,372 and -38,372
        lines[row - 1] = lines[row - 1].replace(",", ",3", 1)
    # the first pair a cent: alone (the journal's fields come from its first row), within
    # balancing: max, which a part of the journal must not be given an entry for
    lines[1:3] = [lines[1].replace("1,00", "0,01"), lines[2].replace("-1,00", "-0,01")]
    sliced, whole = _both(monkeypatch, tmp_path, "".join(lines), mapping)
    assert sliced == whole and sliced[0] == 0
    assert "round: changes the amounts Yuki books" in sliced[2]
    assert "changed by round:" in sliced[1]
    monkeypatch.setenv("YUKIMAP_SLICE_BYTES", SMALL)
    told: list[list[Problem]] = []
    assert convert_in_slices(tmp_path / "orders.csv", load_mapping(mapping), None,
                             warned=lambda warnings: told.append(warnings) or True)
    assert [sorted(row for p in warnings for row in p.where.rows) for warnings in told] == [
        [40, 41, 250, 251]]


@pytest.mark.parametrize("also", ["nothing", "an error", "a date off beyond max"])
def test_a_balancing_entry_is_added_as_the_whole_adds_it(
        also: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A date a cent off, which balancing: makes up: the whole file adds the entry (handed
    back to it); with an error, or a date off by more than max, the whole file fails and
    adds none, and the slices say it (the balance told from their sums)."""
    mapping = _journal(tmp_path, balancing=True)
    off = _a_cent_off(_entries(150))
    if also == "an error":
        off = off.replace("02-11-2024;1000;-11,10;", "02-11-2024;1000;-11,1x;")
    if also == "a date off beyond max":
        off = off.replace("03-11-2024;1000;-21,20;", "03-11-2024;1000;-21,90;")
    assert off.count("-11,1x") + off.count("-21,90") == (also != "nothing")
    sliced, whole = _both(monkeypatch, tmp_path, off, mapping)
    assert sliced == whole and sliced[0] == (also != "nothing")
    assert ("added a balancing entry of -0.01 on 2024-11-15" in sliced[2]) is (
        also == "nothing")
    assert ("the entries of 2024-11-03 do not sum to 0.00" in sliced[2]) is (
        also == "a date off beyond max")
    assert _from_slices(tmp_path / "orders.csv", load_mapping(mapping), SMALL) == (
        None if also == "nothing" else "problems")


@pytest.mark.parametrize(("template", "slices"), [
    # the entries one by one, in order: still a slice at a time
    ("<Journal>{{ document.xml }}{% for e in document.entries %}<JournalEntry>{{ e.xml }}"
     "</JournalEntry>{% endfor %}</Journal>", True),
    # how many, one by its place, twice: the whole file answers
    ("<Journal>{{ document.xml }}<!-- {{ document.entries|length }} -->"
     "{% for b in document.entries.blocks %}{{ b }}{% endfor %}</Journal>", False),
    ("<Journal>{{ document.xml }}<!-- {{ document.entries[3].Amount }} -->"
     "{% for b in document.entries.blocks %}{{ b }}{% endfor %}</Journal>", False),
    ("<Journal>{{ document.xml }}{% for b in document.entries.blocks %}{{ b }}{% endfor %}"
     "<!--{% for e in document.entries %}{{ e.Amount }}{% endfor %}--></Journal>", False),
    # entries left unwritten: their rows are still the whole file's to check
    ("<Journal>{{ document.xml }}<JournalEntry>{{ (document.entries|first).xml }}"
     "</JournalEntry></Journal>", False),
])
def test_a_template_that_needs_the_whole_journal_gets_it(
        template: str, slices: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = template.replace("<Journal>", '<?xml version="1.0" encoding="utf-8"?>\n<Journal'
                                ' xmlns="urn:xmlns:http://www.theyukicompany.com:journal">')
    mapping = _journal(tmp_path, template)
    sliced, whole = _both(monkeypatch, tmp_path, _entries(150), mapping)
    assert sliced == whole
    assert _sliced(monkeypatch, tmp_path, mapping) is slices
    for size in (SMALL, WHOLE):
        monkeypatch.setenv("YUKIMAP_SLICE_BYTES", size)
        run_cli("convert", tmp_path / "orders.csv", "-m", mapping, "-o", tmp_path / f"{size}.xml")
    assert (tmp_path / f"{SMALL}.xml").read_bytes() == (tmp_path / f"{WHOLE}.xml").read_bytes()


@pytest.mark.parametrize("kind", ["sales", "journal", "sales with an error"])
def test_check_with_a_big_sample_says_what_the_whole_says(
        kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mapping = _journal(tmp_path) if kind == "journal" else WEBSHOP
    text = _entries(150) if kind == "journal" else _orders(120)
    wrong = kind == "sales with an error"
    if wrong:
        text = text.replace("2024-10119;05-11-2024", "2024-10119;31-02-2024")
    (tmp_path / "orders.csv").write_text(text, encoding="utf-8")
    said = []
    for size in (SMALL, WHOLE):
        monkeypatch.setenv("YUKIMAP_SLICE_BYTES", size)
        result = run_cli("check", mapping, "--sample", tmp_path / "orders.csv")
        said.append((result.code, result.stdout, result.stderr))
    assert said[0] == said[1] and said[0][0] == wrong
    if wrong:  # said from the slices
        assert "row 240: '31-02-2024'" in said[0][2]
        with pytest.raises(DataError):
            _sliced(monkeypatch, tmp_path, mapping)
        return
    assert "the sample converts and validates; nothing written" in said[0][1]
    assert _sliced(monkeypatch, tmp_path, mapping)


# --- journals per group: a file each, the same in slices as whole ------------------------

POS = REPO / "mappings" / "pos-daily.yaml"


def _days(count: int) -> list[list[str]]:
    """A till's daily export: four rows a day (cash and card, two VAT rates)."""
    return [["Datum", "Kassa", "Betaalwijze", "Btw-tarief", "Omzet incl. btw"]] + [
        [f"{1 + n % 28:02d}-{1 + n // 28 % 12:02d}-{2020 + n // 336}", "K1", way, rate,
         f"{(n * 7 + len(way) + int(rate)) % 900 + 1},{n % 100:02d}"]
        for n in range(count) for way in ("Contant", "PIN") for rate in ("9", "21")]


@pytest.mark.parametrize("wrong", ["nothing", "an error", "unbalanced days",
                                   "a balancing entry", "days apart"])
def test_journals_per_group_go_in_slices_a_file_each_as_whole(
        wrong: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _days(60)
    mapping = POS
    if wrong == "days apart":  # cash first, then card: each day's rows half a file apart
        rows = rows[:1] + sorted(rows[1:], key=lambda row: row[2])
    if wrong == "an error":
        rows[150][4] = "12,3x"  # no amount, on a late day
    if wrong in ("unbalanced days", "a balancing entry"):  # amounts rounded: days off
        mapping = tmp_path / "pos.yaml"
        mapping.write_text(POS.read_text(encoding="utf-8").replace(
            'Amount: {expr: "gross"}', 'Amount: {expr: "gross", round: 1}') + (
            "balancing: {GLAccount: '8990', max: 0.50}\n" if wrong == "a balancing entry"
            else ""), encoding="utf-8")
    failing = wrong in ("an error", "unbalanced days")
    (tmp_path / "days").mkdir()
    said = []
    for size in (SMALL, WHOLE):
        monkeypatch.setenv("YUKIMAP_SLICE_BYTES", size)
        _write(tmp_path / "days" / "in.csv", rows)
        folder = tmp_path / f"out-{size}"
        result = run_cli("convert", tmp_path / "days" / "in.csv", "-m", mapping, "-a",
                         "5a4db0c5-ad01-4e00-8000-000000000001", "-o", f"{folder}/")
        files = {p.name: p.read_bytes() for p in folder.iterdir()} if folder.exists() else {}
        checked = run_cli("convert", tmp_path / "days" / "in.csv", "-m", mapping, "-a",
                          "5a4db0c5-ad01-4e00-8000-000000000001", "--dry-run")
        said.append((result.code, result.stdout, result.stderr.replace(str(folder), "OUT"),
                     files, checked.code, checked.stdout, checked.stderr))
    assert said[0] == said[1]
    assert said[0][0] == failing
    assert len(said[0][3]) == (0 if failing else 60)
    monkeypatch.setenv("YUKIMAP_SLICE_BYTES", SMALL)
    loaded = apply_options(load_mapping(mapping), "5a4db0c5-ad01-4e00-8000-000000000001", None)
    # said from the slices, balancing entries and rounding warnings too (their fix gives
    # the whole file's change: the journals with them, converted whole at the end, say it)
    answer = _from_slices(tmp_path / "days" / "in.csv", loaded, SMALL, tmp_path / "again",
                          warned=lambda warnings: True)
    assert answer == "summary" or (answer == "problems" and failing)


@pytest.mark.parametrize(("off", "error"), [((), False), ((41, 150), False),
                                            ((3, 41, 150, 236), False), ((3, 41), True)])
def test_balancing_entries_of_journals_per_group_are_added_and_told_as_whole(
        off: tuple[int, ...], error: bool, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A till's takings a cent over its revenue on some days (rows `off`), which the
    mapping's balancing: entries make up: each journal gets its entry in slices as whole,
    the same warnings are told, and it is said from the slices; with an error in a later
    slice, which the whole file says without them (no entry is added to a file that fails),
    said from the slices too."""
    rows = [[*row, row[4]] for row in _days(60)]
    rows[0][5] = "Ontvangen"
    for row in off:  # one cent more
        euros, cents = rows[row - 1][4].split(",")
        rows[row - 1][5] = f"{euros},{int(cents) + 1:02d}"
    if error:
        rows[200][4] = "12,3x"  # no amount, on a late day
    mapping = tmp_path / "pos.yaml"
    mapping.write_text(POS.read_text(encoding="utf-8").replace(
        'Amount: {expr: "gross"}', "Amount: {column: Ontvangen}")
        + "balancing: {GLAccount: '8990', max: 0.05}\n", encoding="utf-8")
    (tmp_path / "days").mkdir()
    _write(tmp_path / "days" / "in.csv", rows)
    said = []
    for size in (SMALL, WHOLE):
        monkeypatch.setenv("YUKIMAP_SLICE_BYTES", size)
        folder = tmp_path / f"out-{size}"
        result = run_cli("convert", tmp_path / "days" / "in.csv", "-m", mapping, "-a",
                         "5a4db0c5-ad01-4e00-8000-000000000001", "-o", f"{folder}/")
        said.append((result.code, result.stdout, result.stderr.replace(str(folder), "OUT"),
                     {p.name: p.read_bytes() for p in folder.iterdir()}
                     if folder.exists() else {}))
    assert said[0] == said[1]
    assert said[0][0] == error and len(said[0][3]) == (0 if error else 60)
    assert said[0][2].count("added a balancing entry of -0.01") == (0 if error else len(off))
    assert sum(b"<GLAccount>8990</GLAccount>" in xml for xml in said[0][3].values()) == (
        0 if error else len(off))
    monkeypatch.setenv("YUKIMAP_SLICE_BYTES", SMALL)
    loaded = apply_options(load_mapping(mapping), "5a4db0c5-ad01-4e00-8000-000000000001", None)
    told: list[list[Problem]] = []
    answer = _from_slices(tmp_path / "days" / "in.csv", loaded, SMALL, tmp_path / "again",
                          warned=lambda warnings: told.append(warnings) or True)
    assert answer == ("problems" if error else "summary")
    assert [len(warnings) for warnings in told] == ([len(off)] if off and not error else [])


@pytest.mark.parametrize("names", [("K/{}", "K {}", "k-{}"), ("R{}", "r{}")])
def test_journals_whose_keys_make_one_file_name_each_keep_a_file(
        names: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """'K/1', 'K 1' and 'k-1' all make the file name K-1 (the last where a file system
    ignores case): each journal gets its own file, named alike in slices and whole (a
    journal written over another was lost without a word)."""
    rows = _days(60)
    for row in rows[1:]:  # one register's name a day, named in turn each way
        day = int(row[0][:2]) + 28 * (int(row[0][3:5]) - 1)
        row[1] = names[day % len(names)].format(day // len(names))
    mapping = tmp_path / "pos.yaml"
    mapping.write_text(POS.read_text(encoding="utf-8").replace("group_by: Datum",
                                                                "group_by: Kassa"),
                       encoding="utf-8")
    assert "group_by: Kassa" in mapping.read_text(encoding="utf-8")
    (tmp_path / "days").mkdir()
    _write(tmp_path / "days" / "in.csv", rows)
    written = []
    # 2048: a day's name taken in an earlier slice (the whole file answers); 3000: every
    # day and the one named like it in one slice (the slices answer, naming them)
    for size in (SMALL, "3000", WHOLE):
        monkeypatch.setenv("YUKIMAP_SLICE_BYTES", size)
        folder = tmp_path / f"out-{size}"
        result = run_cli("convert", tmp_path / "days" / "in.csv", "-m", mapping, "-a",
                         "5a4db0c5-ad01-4e00-8000-000000000001", "-o", f"{folder}/")
        assert result.code == 0, result.stderr
        assert f"({len(list(folder.iterdir()))} files)" in result.stderr
        written.append({p.name: p.read_bytes() for p in folder.iterdir()})
    assert written[0] == written[1] == written[2]
    assert len(written[0]) == 60
    if len(names) == 2:
        monkeypatch.setenv("YUKIMAP_SLICE_BYTES", "3000")
        loaded = apply_options(load_mapping(mapping), "5a4db0c5-ad01-4e00-8000-000000000001",
                               None)
        assert convert_in_slices(tmp_path / "days" / "in.csv", loaded, tmp_path / "again",
                                 warned=lambda warnings: True) is not None
        assert {p.name: p.read_bytes() for p in (tmp_path / "again").iterdir()} == written[0]
    assert ({"K-1.xml", "K-1-2.xml", "k-1-3.xml"} if len(names) == 3  # days 3, 4 and 5
            else {"R1.xml", "r1-2.xml"}) <= set(written[0])
    assert len({name.casefold() for name in written[0]}) == 60


def test_a_key_makes_a_file_name_every_system_shows_and_keeps() -> None:
    assert [slug(key) for key in ("K/1", "18-11-2024", ".K1", "..", "nul", "COM1", "con.1",
                                  "CONSOLE", "", "//", "Café Noël", "Straße", "Ελλάδα")] == [
        "K-1", "18-11-2024", "K1", "document", "_nul", "_COM1", "_con.1", "CONSOLE",
        "document", "document", "Cafe-Noel", "Stra-e", "document"]


def test_unique_names_never_give_one_name_twice() -> None:
    assert unique_names(["K-1", "K-1", "k-1", "K-1-2", "a-2", "a", "a"]) == [
        "K-1", "K-1-2", "k-1-3", "K-1-2-2", "a-2", "a", "a-3"]
    # keys in a script the names keep nothing of all make "document": each number tried
    # once, not from 2 again for every journal (20,000 of them: 86 s that way, here)
    many = unique_names(["document"] * 20_000)
    assert many[-1] == "document-20000" and len(set(many)) == 20_000


# --- any journal of the whole file: the same outcome in slices as whole ------------------

_TEXTS = st.text(alphabet=st.sampled_from(["a", "é", " ", "&", "<", '"', "'", "1"]), max_size=8)


def _unpriced(folder: Path) -> Path:
    """The webshop mapping with the price not required: a line without one is a warning."""
    mapping = folder / "webshop.yaml"
    mapping.write_text(WEBSHOP.read_text(encoding="utf-8").replace(
        "SalesPrice: {column: Stukprijs incl. btw, required: true}",
        "SalesPrice: {column: Stukprijs incl. btw}"), encoding="utf-8")
    return mapping


def test_a_warning_whose_row_fails_is_left_out_as_the_whole_leaves_it_out(
        tmp_path: Path) -> None:
    """Lines without a price in an early and a late slice, the late one's quantity no
    number: the whole file says the error and leaves the warning out (one for all its rows,
    one of which failed); the slices say the same."""
    header, *rows = csv.reader(_orders(120).splitlines(), delimiter=";")
    rows[10][17] = rows[200][17] = ""
    rows[200][16] = "drie"
    mapping = _unpriced(tmp_path)
    said = _converted(tmp_path, [header, *rows], mapping, 2048)
    assert said[0] == said[1] and said[0][0] == 1
    assert "'drie'" in said[0][2] and "price" not in said[0][2]
    assert _from_slices(tmp_path / "orders.csv", load_mapping(mapping), SMALL,
                        warned=lambda warnings: True) == "problems"


@pytest.mark.parametrize("strict", [False, True])
def test_warnings_are_said_from_the_slices_as_whole_and_strict_writes_nothing(
        strict: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    header, *rows = csv.reader(_orders(120).splitlines(), delimiter=";")
    rows[1][17] = rows[201][17] = ""  # two lines without a price, in slices far apart
    mapping = _unpriced(tmp_path)
    said = _converted(tmp_path, [header, *rows], mapping, int(SMALL), *(
        ["--strict"] if strict else []))
    assert said[0] == said[1]
    assert "warning: a line gives only some of SalesPrice" in said[0][2]
    assert "rows 3, 203" in said[0][2]
    assert said[0][0] == strict and (said[0][3] is None) is strict
    monkeypatch.setenv("YUKIMAP_SLICE_BYTES", SMALL)
    told: list[list[Problem]] = []
    assert convert_in_slices(tmp_path / "orders.csv", load_mapping(mapping), None,
                             warned=lambda warnings: told.append(warnings) or True)
    assert [p.where.rows for p in told[0]] == [(3, 203)]
    assert not _sliced(monkeypatch, tmp_path, mapping)  # told to no one: the whole file says them


@pytest.mark.parametrize("error", [False, True])
def test_what_round_changes_is_said_from_the_slices_as_whole(
        error: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Prices of three decimals in slices far apart, rounded to cents by the mapping: the
    warnings give the whole file's change in their fix, the summary adds up what changed,
    as the whole file says them; with an error too, the same answer as whole."""
    header, *rows = csv.reader(_orders(120).splitlines(), delimiter=";")
    rows[1][17], rows[201][17], rows[230][17] = "24,955", "3,333", "1,004"
    if error:
        rows[150][16] = "drie"  # no quantity
    mapping = tmp_path / "webshop.yaml"
    mapping.write_text(WEBSHOP.read_text(encoding="utf-8").replace(
        "SalesPrice: {column: Stukprijs incl. btw, required: true}",
        "SalesPrice: {column: Stukprijs incl. btw, required: true, round: 2}"),
        encoding="utf-8")
    said = _converted(tmp_path, [header, *rows], mapping, int(SMALL))
    assert said[0] == said[1]
    assert said[0][0] == error and (said[0][3] is None) is error
    assert "    invoice 2024-10100, row 203: '9.99 instead of 9.999 (-0.009)'\n" in said[0][2]
    assert "  fix: in the whole file -0.002 (+0.015 and -0.017);\n" in said[0][2]
    assert error or ("  changed by round:       -0.002 (+0.015 and -0.017) in the line amounts"
                     " of 3 invoices (see the warning)\n") in said[0][2]
    # said from the slices, not handed back to be read whole
    answer = _from_slices(tmp_path / "orders.csv", load_mapping(mapping), SMALL,
                          warned=lambda warnings: True)
    assert answer == "summary" or (answer == "problems" and error)


def _converted(folder: Path, rows: list[list[str]], mapping: Path, size: int,
               *options: str) -> list[tuple[int, str, str, bytes | None]]:
    """`rows` written as orders.csv and converted in slices of `size` bytes and whole:
    (code, output, errors, the bytes written) each."""
    _write(folder / "orders.csv", rows)
    said = []
    with pytest.MonkeyPatch.context() as monkeypatch:
        for slice_size in (str(size), WHOLE):
            monkeypatch.setenv("YUKIMAP_SLICE_BYTES", slice_size)
            written = folder / f"{slice_size}.xml"
            result = run_cli("convert", folder / "orders.csv", "-m", mapping, "-o", written,
                             *options)
            said.append((result.code, result.stdout,
                         result.stderr.replace(str(written), "OUT"),
                         written.read_bytes() if written.exists() else None))
    return said


@settings(max_examples=15, deadline=None)
@given(pairs=st.lists(st.tuples(st.integers(1, 28), st.integers(1, 99_999), _TEXTS,
                                st.booleans()), min_size=20, max_size=120),
       off=st.booleans(), size=st.integers(100, 400))
def test_any_journal_in_slices_is_the_journal_whole(
        pairs: list[tuple[int, int, str, bool]], off: bool, size: int,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Entries in pairs that balance, dates in any order, texts with characters XML
    escapes, and now and then a cent off: in slices of any size, `convert` says and writes
    what it says and writes of the file whole."""
    folder = tmp_path_factory.mktemp("journal")
    mapping = _journal(folder)
    rows = [["Date", "GL", "Amount", "Text"]]
    for day, cents, text, hired in pairs:
        amount = f"{cents // 100},{cents % 100:02d}"
        rows += [[f"{day:02d}-11-2024", "4300" if hired else "4000", amount, text],
                 [f"{day:02d}-11-2024", "1000", f"-{amount}", f"tegen {text}"]]
    if off:
        rows[-1][2] = rows[-1][2].replace("-", "-1", 1)
    said = _converted(folder, rows, mapping, size)
    assert said[0] == said[1]
    assert said[0][0] == (1 if off else 0)
    # it went in slices; a date off is told from their sums and the date's rows read again
    assert _from_slices(folder / "orders.csv", load_mapping(mapping), str(size)) == (
        "problems" if off else "summary")


@pytest.mark.parametrize("cell", ["huur\x01", "huur\x85 (latin-1 read as UTF-8)", "\x7f"])
def test_a_character_a_document_cannot_carry_is_found_in_a_slice(
        cell: str, tmp_path: Path) -> None:
    """A slice whose bytes are not surely carried has each text looked at: the character
    refused as the whole file refuses it, and said from the slices."""
    mapping = _journal(tmp_path)
    header, *rows = csv.reader(_entries(60).splitlines(), delimiter=";")
    rows[101][3] = cell  # in the last of the slices
    said = _converted(tmp_path, [header, *rows], mapping, 400)
    assert said[0] == said[1]
    assert said[0][0] == 1 and "cannot carry" in said[0][2]
    assert _from_slices(tmp_path / "orders.csv", load_mapping(mapping), "400") == "problems"


# a cell of a journal's entry made wrong: (column, value); the amount's: of both entries
_WRONG_ENTRY = st.sampled_from([
    (0, "31-02-2024"),  # no such date
    (1, "1000 Kas"),  # an account the map: table does not know
    (2, "12,5x"),  # no amount
    (3, "huur\x01"),  # a control character
    (0, ""),  # no date
])


@settings(max_examples=12, deadline=None)
@given(wrong=st.lists(st.tuples(st.integers(0, 59), _WRONG_ENTRY, st.booleans()), min_size=1,
                      max_size=5),
       size=st.integers(150, 600))
def test_any_journal_with_problems_is_said_from_its_slices_as_whole(
        wrong: list[tuple[int, tuple[int, str], bool]], size: int,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Wrong cells in a journal of the whole file, in one entry of a pair or both: in slices
    of any size, `convert` says what it says of the file whole (nothing written); and it is
    said from the slices, a date that does not balance without a wrong entry too."""
    folder = tmp_path_factory.mktemp("journal")
    mapping = _journal(folder)
    header, *rows = csv.reader(_entries(60).splitlines(), delimiter=";")
    for pair, (column, value), both in wrong:
        for row in rows[2 * pair: 2 * pair + (2 if both else 1)]:
            row[column] = f"-{value}" if column == 2 and row[2].startswith("-") else value
    said = _converted(folder, [header, *rows], mapping, size)
    assert said[0] == said[1]
    assert said[0][0] == 1 and said[0][3] is None
    # an amount or a date that fails in one entry of a pair leaves a date unbalanced: told
    # from the slices' sums too
    assert _from_slices(folder / "orders.csv", load_mapping(mapping), str(size)) == "problems"


# --- any export with problems: said from the slices as the whole file says it -----------

# (column, value): a cell made wrong on an order's first row, or on any row (None: either)
_WRONG = st.sampled_from([
    (1, "31-02-2024"),  # no such date; on a later row of an order, a date that disagrees
    (16, "drie"),  # no quantity
    (17, "12,5x"),  # no price
    (18, "19"),  # a VAT rate the map: table does not know
    (13, "NL12345"),  # no VAT number (a rule of the target's)
    (15, "Mok\x01"),  # a control character
    (0, ""),  # no order number
    (17, ""),  # no price, where the mapping does not require one: a warning
])


@settings(max_examples=12, deadline=None)
@given(wrong=st.lists(st.tuples(st.integers(0, 119), _WRONG), min_size=1, max_size=6),
       repeated=st.booleans(), size=st.integers(1500, 4000))
def test_any_export_with_problems_is_said_from_its_slices_as_whole(
        wrong: list[tuple[int, tuple[int, str]]], repeated: bool, size: int,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Wrong cells anywhere, the same value in several rows and slices, now and then an
    order number used again far away: in slices of any size, `convert` says and writes what
    it says and writes of the file whole (with an error, nothing); and it is said from the
    slices (an order used again far away: its rows put together on disk first) unless an
    order has no number."""
    folder = tmp_path_factory.mktemp("orders")
    mapping = _unpriced(folder)
    header, *rows = csv.reader(_orders(60).splitlines(), delimiter=";")
    for row, (column, value) in wrong:
        rows[row][column] = value
    if repeated:
        rows[-1][0] = "2024-10000"
    said = _converted(folder, [header, *rows], mapping, size)
    assert said[0] == said[1]
    assert (said[0][3] is None) is (said[0][0] == 1)  # with an error, nothing written
    answered = _from_slices(folder / "orders.csv", load_mapping(mapping), str(size),
                            warned=lambda warnings: True) is not None
    # a warning of the target's is one for all its rows, which an error on one of them
    # silences in the whole file but not in a slice without it: said from the slices too
    assert answered or any(column == 0 for _, (column, _) in wrong)


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**32), wrong=st.lists(st.tuples(st.integers(0, 119), _WRONG),
                                                  max_size=3),
       size=st.integers(1500, 4000))
def test_any_export_whose_orders_are_mixed_is_said_from_its_slices_as_whole(
        seed: int, wrong: list[tuple[int, tuple[int, str]]], size: int,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """The rows of the orders mixed (each order's rows in their order, but far apart, as an
    export of order lines by time has them), now and then a wrong cell: in slices of any
    size, `convert` says and writes what it says and writes of the file whole; and it is
    said from the slices (the rows put together on disk first) unless an order has no
    number."""
    folder = tmp_path_factory.mktemp("orders")
    mapping = _unpriced(folder)
    header, *rows = csv.reader(_orders(60).splitlines(), delimiter=";")
    for row, (column, value) in wrong:
        rows[row][column] = value
    orders: dict[str, list[list[str]]] = {}
    for row in rows:
        orders.setdefault(row[0], []).append(row)
    waiting, mixed, pick = list(orders.values()), [], random.Random(seed)
    while waiting:
        order = pick.choice(waiting)
        mixed.append(order.pop(0))
        waiting = [order for order in waiting if order]
    said = _converted(folder, [header, *mixed], mapping, size)
    assert said[0] == said[1]
    assert (said[0][3] is None) is (said[0][0] == 1)
    answered = _from_slices(folder / "orders.csv", load_mapping(mapping), str(size),
                            warned=lambda warnings: True) is not None
    assert answered or any(column == 0 for _, (column, _) in wrong)


# --- a big file's preview: its first documents and its summary, from its slices ---------

def _previews(monkeypatch: pytest.MonkeyPatch, folder: Path, rows: list[list[str]],
              mapping: Path, *options: str, command: str = "preview"
              ) -> list[tuple[int, str, str]]:
    """`rows` as orders.csv, previewed (or `command`) in slices of SMALL bytes and whole:
    (code, output, errors) each."""
    _write(folder / "orders.csv", rows)
    said = []
    for size in (SMALL, WHOLE):
        monkeypatch.setenv("YUKIMAP_SLICE_BYTES", size)
        result = run_cli(command, folder / "orders.csv", "-m", mapping, *options)
        said.append((result.code, result.stdout, result.stderr))
    return said


def _previewed(monkeypatch: pytest.MonkeyPatch, folder: Path, mapping: Path,
               limit: int = 5, lines: int = 20) -> Previewed | None:
    """orders.csv previewed from slices of SMALL bytes (None: handed back, read whole)."""
    monkeypatch.setenv("YUKIMAP_SLICE_BYTES", SMALL)
    loaded = load_mapping(mapping)
    return preview_in_slices(folder / "orders.csv", loaded, limit, lines,
                             sums(loaded.target.name), warned=lambda warnings: True)


@pytest.mark.parametrize("limit", [1, 5, 40])
def test_a_big_files_preview_is_made_from_its_slices_as_the_whole_file_makes_it(
        limit: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first documents, of the first slice or of several (numbered apart), each with
    its lines and totals, and the summary of them all: the whole file's preview."""
    rows = list(csv.reader(_orders(120).splitlines(), delimiter=";"))
    sliced, whole = _previews(monkeypatch, tmp_path, rows, WEBSHOP, "--limit", str(limit))
    assert sliced == whole
    assert sliced[0] == 0 and f"preview: the first {limit} of 96 shown" in sliced[1]
    previewed = _previewed(monkeypatch, tmp_path, WEBSHOP, limit)
    assert previewed is not None and previewed.documents.height == limit
    assert previewed.summary.documents == 96
    assert previewed.documents["__doc__"].n_unique() == limit


@pytest.mark.parametrize("case", ["a warning", "an error", "an order far apart"])
def test_a_big_files_preview_with_problems_or_rows_far_apart_is_the_whole_files(
        case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warning (shown after the summary), an error (the file's problems, nothing shown),
    an order whose last line is 500 rows down (its rows put together on disk): the whole
    file's preview, and said from the slices."""
    header, *rows = csv.reader(_orders(120).splitlines(), delimiter=";")
    mapping = _unpriced(tmp_path)
    if case == "a warning":
        rows[200][17] = ""  # no price, which the mapping does not require
    if case == "an error":
        rows[200][1] = "31-02-2024"
    if case == "an order far apart":
        rows.append(["2024-10000", *[""] * 13, "0087-MK", "Mok keramiek", "5", "12,50", "21",
                     ""])
    sliced, whole = _previews(monkeypatch, tmp_path, [header, *rows], mapping, "--limit", "2")
    assert sliced == whole
    assert sliced[0] == (1 if case == "an error" else 0)
    assert (case == "a warning") is ("row 202" in sliced[1])
    assert (case == "an error") is ("31-02-2024" in sliced[2])
    if case == "an error":
        with pytest.raises(DataError):  # said from the slices, not handed back
            _previewed(monkeypatch, tmp_path, mapping)
    else:
        assert _previewed(monkeypatch, tmp_path, mapping) is not None


@pytest.mark.parametrize("lines", [1, 20, 400])
def test_a_journal_of_the_whole_file_is_previewed_from_its_slices_as_whole(
        lines: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One journal of the whole file (300 entries): its fields from the first row, its rows
    from all the slices, its first entries (of one slice, of several, all of them), and its
    debit and credit over all of them: the whole file's preview."""
    mapping = _journal(tmp_path)
    rows = list(csv.reader(_entries(150).splitlines(), delimiter=";"))
    sliced, whole = _previews(monkeypatch, tmp_path, rows, mapping, "--lines", str(lines))
    assert sliced == whole and sliced[0] == 0
    assert "(rows 2-301)" in sliced[1]
    assert (lines < 300) is ("more entries" in sliced[1])
    previewed = _previewed(monkeypatch, tmp_path, mapping, lines=lines)
    assert previewed is not None and previewed.spanning is not None
    assert previewed.spanning[0] == 300 and previewed.items.height == min(lines, 300)


def test_a_journal_of_the_whole_file_off_by_a_cent_is_previewed_as_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A date that does not balance: the whole file's problems, said from the slices."""
    mapping = _journal(tmp_path)
    rows = list(csv.reader(_a_cent_off(_entries(150)).splitlines(), delimiter=";"))
    sliced, whole = _previews(monkeypatch, tmp_path, rows, mapping)
    assert sliced == whole and sliced[0] == 1
    with pytest.raises(DataError):
        _previewed(monkeypatch, tmp_path, mapping)


# --- explain of a big file: the slice that holds the document ------------------------------

_LATE = ["2024-10000", *[""] * 13, "0087-MK", "Mok keramiek", "5", "12,50", "21", ""]


@pytest.mark.parametrize("which", [
    ["--document", "2024-10050"], ["--document", "2024-10119"], ["--row", "2"],
    ["--row", "203"], ["--row", "203", "--field", "Contact.FullName"],
    ["--document", "2024-10000", "late"], ["--row", "2", "late"], ["--row", "{last}", "late"],
    ["--document", "2024-99999"], ["--row", "9999"], ["--row", "203", "--field", "Nothing"]],
    ids=" ".join)
def test_a_big_files_document_is_explained_from_its_slice_as_the_whole_file_explains_it(
        which: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The document a key or a row names, in a slice of its own (so in memory that does not
    grow with the file): its explanation is the whole file's. A document whose last line is
    500 rows down, one that is not there, a row past the end, a field the mapping lacks:
    the whole file is read, and says it."""
    header, *rows = csv.reader(_orders(120).splitlines(), delimiter=";")
    late = which[-1] == "late"
    options = [o.replace("{last}", str(len(rows) + 2)) for o in which[:-1 if late else None]]
    if late:
        rows.append(_LATE)
    said = _previews(monkeypatch, tmp_path, [header, *rows], WEBSHOP, *options,
                     command="explain")
    assert said[0] == said[1]
    fails = which[1] in ("2024-99999", "9999") or "Nothing" in which
    assert said[0][0] == (2 if fails else 0)
    monkeypatch.setenv("YUKIMAP_SLICE_BYTES", SMALL)
    reference = options[1] if options[0] == "--document" else None
    row = int(options[1]) if options[0] == "--row" else None
    part = document_slice(tmp_path / "orders.csv", load_mapping(WEBSHOP), reference, row)
    assert (part is None) is (late or which[1] in ("2024-99999", "9999"))
    if part is not None:  # one slice of the many
        assert part[0].frame.height < len(rows) / 4


@pytest.mark.parametrize("told", ["early", "late"])
def test_a_big_files_decimal_mark_is_the_whole_files_in_an_explanation(
        told: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without decimal_mark, the file tells it: in every slice (the slice's explanation says
    the whole file's mark), or only in its last order (then the whole file is read)."""
    mapping = tmp_path / "webshop.yaml"
    mapping.write_text(WEBSHOP.read_text(encoding="utf-8").replace(
        'decimal_mark: ","', "").replace('thousands_separator: "."', ""), encoding="utf-8")
    text = _orders(120)
    if told == "late":
        text = re.sub(r",\d\d(?=;|$)", "", text, flags=re.MULTILINE).replace("1.249", "1249")
        text += "2024-20000;05-11-2024;voltooid;iDEAL;;;Jan;Jansen;;;;;NL;;0450-TH;Thee;2;4,50;9;\n"
    (tmp_path / "orders.csv").write_text(text, encoding="utf-8")
    said = []
    for size in (SMALL, WHOLE):
        monkeypatch.setenv("YUKIMAP_SLICE_BYTES", size)
        result = run_cli("explain", tmp_path / "orders.csv", "-m", mapping, "--row", "203",
                         "--field", "lines.Product.SalesPrice")
        said.append((result.code, result.stdout, result.stderr))
    assert said[0] == said[1] and said[0][0] == 0
    assert "read as a number (decimal mark ',')" in said[0][1]
    monkeypatch.setenv("YUKIMAP_SLICE_BYTES", SMALL)
    part = document_slice(tmp_path / "orders.csv", load_mapping(mapping), None, 203)
    assert (part is None) is (told == "late")



@pytest.mark.parametrize("which", [
    ["--row", "2"], ["--row", "150"], ["--row", "301"], ["--row", "150", "--field", "Amount"],
    ["--row", "151", "--field", "DocumentSubject"], ["--row", "150", "skipped"],
    ["--row", "152", "skipped"], ["--row", "9999"], ["--row", "150", "--field", "Nothing"]],
    ids=" ".join)
def test_a_row_of_a_journal_of_the_whole_file_is_explained_from_its_slices_as_whole(
        which: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One journal of the whole file (300 entries): a row's entries from its slice, numbered
    by the entries of the slices before it (some of whose rows are skipped), the journal's
    fields from the file's first row, its rows counted over all slices: the whole file's
    explanation. A row skipped or past the end, a field the mapping lacks: the whole says
    it."""
    skipped = which[-1] == "skipped"
    options = which[:-1] if skipped else which
    mapping = _journal(tmp_path)
    if skipped:  # the huur rows make no entry (rows 2, 8, ..., 152, ...)
        mapping.write_text(mapping.read_text(encoding="utf-8")
                           + "skip_rows: {column: Text, equals: huur}\n", encoding="utf-8")
    rows = list(csv.reader(_entries(150).splitlines(), delimiter=";"))
    said = _previews(monkeypatch, tmp_path, rows, mapping, *options, command="explain")
    assert said[0] == said[1]
    fails = options[1] == "9999" or "Nothing" in options or (skipped and options[1] == "152")
    assert said[0][0] == (2 if fails else 0)
    if not fails:
        head = said[0][1].splitlines()[0]
        assert head.startswith("journal orders.csv (rows " + ("3, 4," if skipped else "2, 3,"))
        assert head.endswith("(+250 more))" if not skipped else "(+200 more))")
    monkeypatch.setenv("YUKIMAP_SLICE_BYTES", SMALL)
    spanned = spanning_row(tmp_path / "orders.csv", load_mapping(mapping), int(options[1]),
                           SHOWN_ROWS)
    assert (spanned is None) is (options[1] == "9999" or (skipped and options[1] == "152"))
    if spanned is not None:  # a slice of the many, and the journal's rows counted
        assert spanned.part.frame.height < len(rows) / 4
        assert spanned.count == (250 if skipped else 300)
