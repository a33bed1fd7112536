"""yukimap init: a commented starter mapping for an export, from the file alone.

Golden files: tests/init/<example>.yaml is what init writes for each shipped example
(regenerate on purpose with --update-golden and review the diff); tests/init/accuracy.txt
holds init's guesses against the shipped mapping of each example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO, build_files, run_cli
from tests.test_golden import _compare
from yukimap.authoring.synonyms import guess_target, match, normalise
from yukimap.documents import DOCUMENT_TYPES
from yukimap.schema.json_schema import schema_text

EXAMPLES = sorted(p for p in (REPO / "examples").iterdir() if p.suffix in (".csv", ".xlsx"))
GOLDEN = REPO / "tests" / "init"


@pytest.fixture
def at_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def _source_block(text: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index("source:")
    return lines[start: lines.index("", start)]


# --- the header names -------------------------------------------------------------------


@pytest.mark.parametrize("header,key,included", [
    ("Bedrag (EUR)", "bedrag", None),
    ("Stukprijs incl. btw", "stukprijs", True),
    ("Price excl. VAT", "price", False),
    ("E-mail", "email", None),
    ("Btw %", "btw%", None),
    ("Référence", "reference", None),
    ("  Naam / Omschrijving ", "naamomschrijving", None),
])
def test_a_header_is_looked_up_without_case_accents_punctuation_and_qualifiers(
        header: str, key: str, included: bool | None) -> None:
    assert (normalise(header).key, normalise(header).vat_included) == (key, included)


def test_the_same_fields_by_dutch_and_english_names() -> None:
    dutch = ["Factuurnummer", "Datum", "Klant", "Omschrijving", "Aantal", "Prijs", "BTW"]
    english = ["Invoice number", "Date", "Customer", "Description", "Qty", "Price", "VAT %"]
    for headers in (dutch, english):
        assert list(match(headers, "sales_invoices")) == [
            "invoice.Reference", "invoice.Date", "invoice.Contact.FullName",
            "lines.ProductQuantity", "lines.Product.Description", "lines.Product.SalesPrice",
            "lines.Product.VATPercentage"]
    assert match(["Boekdatum", "Debet", "Credit", "Af/Bij", "Bedrag"], "journal") == {
        "entries.EntryDate": "Boekdatum", "entries.Amount@debit": "Debet",
        "entries.Amount@credit": "Credit", "entries.Amount@sign": "Af/Bij",
        "entries.Amount": "Bedrag"}


def test_the_target_is_guessed_and_how_sure_is_said() -> None:
    sure = guess_target(["Factuurnummer", "Datum", "Aantal", "Prijs", "Omschrijving"])
    assert (sure.target, sure.sure) == ("sales_invoices", True)
    unsure = guess_target(["Datum", "Kassa", "Betaalwijze", "Btw-tarief", "Omzet incl. btw"])
    assert (unsure.target, unsure.sure) == ("journal", False)


# --- how the file is laid out -----------------------------------------------------------

TITLED = ("Rekeningoverzicht Café Één\t\t\t\r\n"
          "Periode:\t01-11-2024\tt/m\t30-11-2024\r\n"
          "\t\t\t\r\n"
          "Datum\tOmschrijving\tBedrag\tAf/Bij\r\n"
          "15-11-2024\tCafé de Zon\t12,50\tAf\r\n"
          "16-11-2024\tVerkoop\t1.250,00\tBij\r\n")


def test_a_csv_below_title_rows_in_cp1252_with_tabs(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"bank.txt": TITLED.encode("cp1252")})
    result = run_cli("init", files["bank.txt"], "--output", "-")
    assert result.code == 0
    assert _source_block(result.stdout) == [
        "source:",
        "  encoding: cp1252                # not UTF-8; every byte reads as Windows' cp1252",
        '  delimiter: "\\t"                 # between the columns',
        "  header_row: 4                   # the column names; rows 1-3 above them",
        '  decimal_mark: ","               # 12,50 in Bedrag',
        '  thousands_separator: "."        # 1.250,00 in Bedrag',
        '  date_format: "%d-%m-%Y"         # Datum: 15-11-2024 is 2024-11-15',
    ]
    assert "  EntryDate: {column: Datum}" in result.stdout.splitlines()


def test_readings_that_remain_are_listed_not_chosen(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"e.csv": "Datum;Bedrag;Omschrijving;Grootboekrekening\n"
                                            "01-02-2024;1.000;Huur;4100\n"
                                            "03-04-2024;2.500;Huur;4100\n"})
    result = run_cli("init", files["e.csv"], "--output", "-")
    assert _source_block(result.stdout) == [
        "source:",
        "  encoding: utf-8                 # every byte reads as UTF-8",
        '  delimiter: ";"                  # between the columns',
        "  # decimal_mark: not stated: the numbers of Bedrag read both ways (1.000, 2.500: with"
        " '.'",
        "  # or ',' as the decimal mark); set the export's: decimal_mark: \",\" or \".\"",
        "  # date_format: not stated: Datum reads as dd-mm-yyyy or mm-dd-yyyy, and no value tells",
        '  # them apart; add the one the export uses, e.g. date_format: "%d-%m-%Y"',
    ]


# the first twenty values of each column ISO dates and whole numbers (init used to look for
# its example there, and ended in a traceback); a mark told only by its thousands
_LATE = "".join(f"2024-01-{1 + n:02d};{n}\n" for n in range(25))


@pytest.mark.parametrize("rows,said", [
    (_LATE + "13-01-2024;12,50\n14-01-2024;1.000.000\n",
     ["12,50", "1.000.000", "13-01-2024 is 2024-01-13"]),
    ("2024-01-31;1.000.000\n15-01-2024;2.000.000\n",
     ["1.000.000", "1.000.000", "15-01-2024 is 2024-01-15"]),
])
def test_a_mark_or_date_format_that_only_later_values_show_is_stated_with_them(
        rows: str, said: list[str], tmp_path: Path) -> None:
    files = build_files(tmp_path, {"g.csv": "Datum;Bedrag\n" + rows})
    result = run_cli("init", files["g.csv"], "--output", "-")
    assert _source_block(result.stdout)[-3:] == [
        f'  decimal_mark: ","               # {said[0]} in Bedrag',
        f'  thousands_separator: "."        # {said[1]} in Bedrag',
        f'  date_format: "%d-%m-%Y"         # Datum: {said[2]}',
    ]


def test_a_column_that_alone_reads_two_ways_is_read_as_another_one_shows(
        tmp_path: Path) -> None:
    files = build_files(tmp_path, {"f.csv": "Factuur;Datum;Vervaldatum;Bedrag\n"
                                            "F1;01-02-2024;15-02-2024;12,50\n"})
    result = run_cli("init", files["f.csv"], "--output", "-")
    assert _source_block(result.stdout)[-3:] == [
        '  date_format: "%d-%m-%Y"         # Vervaldatum: 15-02-2024 is 2024-02-15',
        "  # Datum alone reads as dd-mm-yyyy or mm-dd-yyyy; it is read as dd-mm-yyyy, as",
        "  # Vervaldatum shows",
    ]


def test_a_workbook_the_sheet_with_the_data_and_its_header_below_an_empty_row(
        tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    info = book.active
    info.title = "Info"
    info.append(["Gegenereerd door", "KassaPro 7.2"])
    data = book.create_sheet("Verkopen")
    data.append([])
    data.append(["Kassa-export Bakkerij, 18-11-2024"])
    data.append([])
    data.append(["Bonnummer", "Datum", "Omschrijving", "Aantal", "Prijs", "Btw %"])
    for n in range(3):
        data.append([f"B{n // 2}", "2024-11-18", "Brood", 1, 3.45, 9])
    book.save(tmp_path / "kassa.xlsx")
    result = run_cli("init", tmp_path / "kassa.xlsx", "--output", "-")
    assert result.code == 0, result.stderr
    assert _source_block(result.stdout) == [
        "source:",
        "  sheet: Verkopen                 # the data (of Info, Verkopen)",
        "  header_row: 4                   # the column names; rows 1-3 above them",
        '  decimal_mark: "."               # 3.45 in Prijs',
    ]


# --- the command ------------------------------------------------------------------------


def test_init_writes_the_mapping_next_to_where_it_runs_and_never_overwrites(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    export = REPO / "examples" / "cash-book.csv"
    result = run_cli("init", export)
    assert (result.code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        f"wrote cash-book.yaml: a starter mapping for {export}",
        "  target  petty_cash (guessed from the column names: sure)",
        '  read    CSV, utf-8, columns separated by ";", column names on row 1, 7 columns,'
        " 6 rows",
        "  used    7 of the 7 columns",
        "  TODO    6 to fill in, on lines 33, 41, 42, 43, 44, 45",
        f"next: fill in the TODOs, then: yukimap check cash-book.yaml --sample {export}",
        "wrote mapping.schema.json: the mapping format for editors (VS Code with the YAML"
        " extension completes keys and fields)",
    ]
    assert (tmp_path / "cash-book.yaml").read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=./mapping.schema.json\n")
    assert (tmp_path / "mapping.schema.json").read_text(encoding="utf-8") == schema_text()
    again = run_cli("init", export)
    assert (again.code, again.stdout) == (2, "")
    assert again.stderr == ("error: cash-book.yaml exists already: init never overwrites a"
                            " mapping\n  fix: give another name: --output cash-book-2.yaml\n")


def test_the_target_can_be_given(tmp_path: Path) -> None:
    result = run_cli("init", REPO / "examples" / "pos-daily.csv", "--target", "petty_cash",
                     "-o", "-")
    assert "target: petty_cash" in result.stdout.splitlines()
    assert "# The target, petty_cash (petty cash statements), as asked with --target." in \
        result.stdout


@pytest.mark.usefixtures("at_repo")
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_init_on_every_shipped_example(example: Path, update_golden: bool) -> None:
    relative = example.relative_to(REPO)
    result = run_cli("init", relative, "--output", "-")
    assert result.code == 0, result.stderr
    _compare(GOLDEN / f"{example.stem}.yaml", result.stdout, update_golden)
    todos = re.findall(r"(?<![\w'\"])TODO(?![\w'\"])",
                       "\n".join(line.split(" # ")[0] for line in result.stdout.splitlines()
                                 if not line.lstrip().startswith("#")))
    summary = result.stderr.splitlines()
    assert (f"  TODO    {len(todos)} to fill in" in result.stderr) == bool(todos), summary


# --- a person who has not seen yukimap --------------------------------------------------

# What such a person fills in for each TODO, in the order init writes them, and the
# date format a comment asks for: the export's own (the file cannot tell it).
FILLED = {
    "webshop-orders.csv": (["4"], '"%d-%m-%Y"'),
    "cash-book.csv": (['"1000"', '"8000"', '"4320"', '"1100"', '"4510"', '"4410"'],
                      '"%d-%m-%Y"'),
    "bank-ing.csv": (['"1100"', '"4100"', '"1200"', '"4310"', '"1600"', '"1550"', '"2100"',
                      '"2100"', '"4900"'], None),
    "pos-export.xlsx": (["Kassaklant", "true"], None),
    "memorial.xlsx": ([], None),
    "yuki-doc-example.csv": ([], None),
}


def _fill(text: str, values: list[str], date_format: str | None) -> str:
    lines = []
    for line in text.splitlines():
        code, hash_, note = line.partition(" # ")
        if "{column: TODO}" in code and values and not values[0].startswith('"'):
            code = code.replace("{column: TODO}", values.pop(0))  # a constant, as the note says
        while re.search(r"(?<![\w'\"])TODO(?![\w'\"])", code) and not code.lstrip().startswith("#"):
            code = re.sub(r"(?<![\w'\"])TODO(?![\w'\"])", values.pop(0), code, count=1)
        lines.append(code + hash_ + note)
        if line == "source:" and date_format:
            lines.append(f"  date_format: {date_format}")
    assert not values, "more values than TODOs"
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("name", sorted(FILLED))
def test_init_fill_in_the_todos_and_the_dry_run_passes(name: str, tmp_path: Path) -> None:
    export = REPO / "examples" / name
    mapping = tmp_path / "mine.yaml"
    assert run_cli("init", export, "-o", mapping).code == 0
    refused = run_cli("check", mapping)
    assert refused.code == (1 if FILLED[name][0] else 0)
    values, date_format = FILLED[name]
    mapping.write_text(_fill(mapping.read_text(encoding="utf-8"), list(values), date_format),
                       encoding="utf-8")
    result = run_cli("convert", export, "-m", mapping, "--dry-run")
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "  dry run: nothing written"


# --- how right init's guesses are, against the shipped mappings ---------------------------

SOURCE_KEYS = ("sheet", "header_row", "delimiter", "decimal_mark", "thousands_separator",
               "date_format")


def _columns_of(field: object, lets: dict[str, object]) -> frozenset[str]:
    """The columns a field as written in YAML reads, through the let: values it uses
    (TODOs and constants read none)."""
    from yukimap.expr import compile_expr

    if not isinstance(field, dict):
        return frozenset()
    found = {field.get(k) for k in ("column", "debit", "credit")}
    sign = field.get("sign")
    if isinstance(sign, dict):
        found.add(sign.get("column"))
    if isinstance(field.get("expr"), str):
        expr = compile_expr(field["expr"], frozenset(lets))
        found |= expr.columns
        for name in lets:
            if re.search(rf"\b{name}\b", field["expr"]):
                found |= _columns_of(lets[name], {k: v for k, v in lets.items() if k != name})
    return frozenset(str(c) for c in found if c not in (None, "TODO"))


def _fields(section: object, lets: dict[str, object], prefix: str = ""
            ) -> dict[str, frozenset[str]]:
    """Field path -> the columns it reads, over every item of a list of items."""
    out: dict[str, frozenset[str]] = {}
    for item in section if isinstance(section, list) else [section]:
        for key, value in (item or {}).items():
            if key == "when":
                continue
            nested = isinstance(value, dict) and key[:1].isupper() and not (
                {"column", "value", "expr", "debit", "credit", "map", "default"} & set(value))
            found = _fields(value, lets, f"{prefix}{key}.") if nested else {
                f"{prefix}{key}": _columns_of(value, lets)}
            for path, columns in found.items():
                out[path] = out.get(path, frozenset()) | columns
    return out


def _accuracy(example: Path) -> str:
    import yaml

    ours = yaml.safe_load(run_cli("init", example, "-o", "-").stdout)
    theirs = yaml.safe_load((REPO / "mappings" / f"{example.stem}.yaml").read_text("utf-8"))
    target = DOCUMENT_TYPES[theirs["target"]]
    found, shipped = {}, {}
    for section in (target.header_key, target.item_key):
        found |= {f"{section}.{k}": v for k, v in _fields(ours.get(section), {}).items()}
        shipped |= {f"{section}.{k}": v for k, v in
                    _fields(theirs.get(section), theirs.get("let") or {}).items()}
    read = {p: c for p, c in shipped.items() if c}
    right = sorted(p for p, c in read.items() if found.get(p) == c)
    other = sorted(f"{p} ({', '.join(sorted(found[p]))}; shipped {', '.join(sorted(c))})"
                   for p, c in read.items() if found.get(p) and found[p] != c)
    missed = sorted(p for p in read if not found.get(p))
    extra = sorted(p for p, c in found.items() if c and not shipped.get(p))
    source = [f"{k} {_source_value(ours, k) or 'not stated'} (shipped {_source_value(theirs, k)})"
              for k in SOURCE_KEYS if _source_value(ours, k) != _source_value(theirs, k)]
    todos = re.findall(r":\s*TODO\b", yaml.safe_dump(ours))
    return "\n".join([
        f"{example.name}: target {ours['target']}"
        f" ({'right' if ours['target'] == theirs['target'] else 'shipped: ' + theirs['target']}),"
        f" {len(todos)} TODO(s)",
        f"  fields read from the same columns as shipped: {len(right)} of {len(read)}",
        *(f"  other columns: {line}" for line in other),
        *(f"  not found: {path}" for path in missed),
        *(f"  more than shipped: {path}" for path in extra),
        f"  source: {'as shipped' if not source else '; '.join(source)}",
    ])


def _source_value(mapping: dict[str, object], key: str) -> object:
    """A source: key, its default filled in (ISO dates need no date_format)."""
    given = (mapping.get("source") or {}).get(key)  # type: ignore[union-attr]
    if isinstance(given, list):  # date_format: a list of formats
        given = tuple(given)
    return {("header_row", None): 1, ("date_format", "%Y-%m-%d"): None}.get((key, given), given)


def test_how_right_init_is_on_the_shipped_examples(update_golden: bool) -> None:
    report = "\n".join(_accuracy(example) for example in EXAMPLES) + "\n"
    _compare(GOLDEN / "accuracy.txt", report, update_golden)


def test_a_bank_export_whose_indicator_words_are_unknown(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"bank.csv": (
        "Datum;Rekening;Tegenrekening;Af/Bij;Bedrag;Omschrijving\n"
        "2024-11-01;NL12INGB0001234567;NL44RABO0123456789;Uitgaand;12.50;Huur\n"
        "2024-11-02;NL12INGB0001234567;;Inkomend;8.10;Rente\n")})
    result = run_cli("init", files["bank.csv"], "-o", tmp_path / "bank.yaml")
    text = (tmp_path / "bank.yaml").read_text(encoding="utf-8")
    assert text[text.index("\nentries:") + 1:].splitlines() == [
        "entries:",
        "  - EntryDate: {column: Datum}",
        "    GLAccount: TODO               # the GL account of this bank account, e.g. 1100",
        "    Amount: {column: Bedrag, sign: TODO}  # Af/Bij says + or -: Uitgaand, Inkomend",
        "    Description: {column: Omschrijving}",
        "  - EntryDate: {column: Datum}",
        "    GLAccount:",
        "      column: Tegenrekening",
        "      map:                        # which GL account each one is",
        "        NL44RABO0123456789: TODO",
        "      fallback: TODO              # any other account, e.g. 2100 (Vraagposten)",
        "      default: TODO               # rows without a Tegenrekening (bank charges?)",
        "    Amount: {column: Bedrag, sign: TODO, negate: true}  # the same amount, the other way",
        "    Description: {column: Omschrijving}",
    ]
    assert "  TODO    6 to fill in, on lines" in result.stdout
    assert run_cli("check", tmp_path / "bank.yaml").stderr.splitlines()[0].endswith(
        "6 problems in the mapping")


RABO = """\
"IBAN/BBAN","Munt","Volgnr","Datum","Bedrag","Saldo na trn","Tegenrekening IBAN/BBAN","Naam tegenpartij","Omschrijving-1"
"NL11RABO0101010101","EUR","000000000000001","2024-11-01","-12,50","+1.987,50","NL22INGB0002222222","Albert Heijn 1234","Boodschappen"
"NL11RABO0101010101","EUR","000000000000002","2024-11-02","+1.500,00","+3.487,50","NL33ABNA0333333333","Werkgever BV","Salaris november"
"NL11RABO0101010101","EUR","000000000000003","2024-11-03","-45,00","+3.442,50","","","Kosten"
"""  # noqa: E501 - a bank's export, as it comes


def test_an_export_init_has_not_seen_a_rabobank_csv(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"rabo.csv": RABO})
    mapping = tmp_path / "rabo.yaml"
    result = run_cli("init", files["rabo.csv"], "-o", mapping)
    assert result.stdout.splitlines()[1:2] == [
        "  target  journal (guessed from the column names: sure)"]
    filled = _fill(mapping.read_text(encoding="utf-8"),
                   ['"1100"', '"4000"', '"1000"', '"2100"', '"4900"'], None)
    mapping.write_text(filled, encoding="utf-8")
    dry_run = run_cli("convert", files["rabo.csv"], "-m", mapping, "--dry-run")
    assert dry_run.code == 0, dry_run.stderr
    assert "    2024-11-02        2  1,500.00  -1,500.00     0.00" in dry_run.stdout


def test_init_leaves_a_schema_already_beside_the_mapping_alone(tmp_path: Path) -> None:
    ours = build_files(tmp_path, {"mapping.schema.json": "{}\n"})["mapping.schema.json"]
    result = run_cli("init", REPO / "examples" / "cash-book.csv", "-o", tmp_path / "kas.yaml")
    assert (result.code, result.stderr) == (0, "")
    assert "mapping.schema.json" not in result.stdout
    assert ours.read_text(encoding="utf-8") == "{}\n"


def test_what_tells_a_journal_apart_when_names_do_not() -> None:
    """A payment provider's fees or payout tell a journal; without telling names (a file
    without column names, or names in another language) a column of IBANs tells a bank
    statement; names that tell another target win over IBANs in the values."""
    from yukimap.authoring.synonyms import guess_target

    assert guess_target(["Date", "Description", "Gross", "Fee", "Net", "Balance"]).target \
        == "journal"
    assert guess_target(["created_utc", "currency", "gross", "fee", "net", "description"]) \
        .target == "journal"
    headerless = ["A", "B", "C", "D"]
    assert guess_target(headerless).target != "journal"
    assert guess_target(headerless, ["B"]).target == "journal"
    sales = ["Factuurnummer", "Datum", "Klant", "IBAN", "Omschrijving", "Aantal", "Prijs"]
    assert guess_target(sales, ["IBAN"]).target == "sales_invoices"
