"""Dutch for reading files and checking mappings: a wrong delimiter, a mapping with an
unknown key, a date that does not parse, a workbook refused by a bound, an expression
error, a starter mapping's TODO, a YAML error. Each runs the real command with --lang nl (a
text without Dutch would raise: the tests run with YUKIMAP_I18N_STRICT) and reads the
Dutch exactly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, CliResult, run_cli
from tests.robustness.workbooks import sheet_xml, table_rows, xlsx

MAPPING = """\
version: 1
target: sales_invoices
source: {SOURCE}
invoice:
  Reference: {column: Naam}
lines:
  Product:
    Description: {column: Naam}
    SalesPrice: {PRICE}
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # messages then show the short file names a user types


def mapping(source: str = "{}", price: str = "{column: Bedrag}") -> str:
    text = MAPPING.replace("{SOURCE}", source).replace("{PRICE}", price)
    Path("m.yaml").write_text(text, encoding="utf-8")
    return "m.yaml"


def dutch(*args: str) -> CliResult:
    return run_cli("--lang", "nl", *args)


def headline(line: str) -> str:
    """A run's first line without its mark: the command that prints it says "error:" or
    "fout:" as its own part of the house has it."""
    return line.removeprefix("error: ").removeprefix("fout: ")


def test_a_wrong_delimiter_in_dutch() -> None:
    Path("semi.csv").write_text("Naam;Bedrag\nJan;12,50\nPiet;3,00\n", encoding="utf-8")
    result = dutch("convert", "semi.csv", "-m", mapping('{delimiter: ","}'), "--dry-run")
    assert result.code == 1, result.stderr
    lines = result.stderr.splitlines()
    assert headline(lines[0]) == "2 rijen van semi.csv hebben meer velden dan de kopregel (1)"
    assert lines[1] == ('  oplossing: dit bestand gebruikt ";" tussen de kolommen: zet'
                        ' delimiter: ";" onder source:')


def test_a_delimiter_that_cannot_be_told_in_dutch() -> None:
    Path("two.csv").write_text("Naam;Bedrag,x\nJan;12,50\n", encoding="utf-8")
    result = dutch("convert", "two.csv", "-m", mapping(), "--dry-run")
    assert result.code == 1, result.stderr
    lines = result.stderr.splitlines()
    assert headline(lines[0]) == ("kan niet bepalen welk teken de kolommen van two.csv scheidt:"
                                  " ';' en ',' verdelen de kopregel en de rijen elk in 2"
                                  " kolommen")
    assert lines[1:] == ['  oplossing: zet delimiter: ";" onder source: (met het teken dat je'
                         " bestand gebruikt)"]


def test_an_unknown_key_names_the_nearest_in_dutch() -> None:
    name = mapping()
    Path(name).write_text(Path(name).read_text(encoding="utf-8").replace(
        "target:", "groupby: Naam\ntarget:"), encoding="utf-8")
    result = dutch("check", name)
    assert result.code == 1, result.stderr
    lines = result.stderr.splitlines()
    assert headline(lines[0]) == "m.yaml: 1 probleem in de mapping"
    assert lines[2] == "fout: m.yaml:2:10 groupby: onbekende sleutel 'groupby' in de mapping"
    assert lines[3].startswith("  oplossing: bedoel je 'group_by'? (hier toegestaan: version,"
                               " target, name,")


def test_a_constant_that_is_not_a_date_and_a_wrong_delimiter_setting_in_dutch() -> None:
    name = mapping('{delimiter: "ab"}')
    text = Path(name).read_text(encoding="utf-8").replace(
        "invoice:\n", "invoice:\n  Date: {value: gisteren}\n")
    Path(name).write_text(text, encoding="utf-8")
    result = dutch("check", name)
    assert result.code == 1, result.stderr
    lines = result.stderr.splitlines()
    assert headline(lines[0]) == "m.yaml: 2 problemen in de mapping"
    assert lines[2:] == [
        "fout: m.yaml:3:21 source.delimiter: verwacht één teken, bijvoorbeeld \";\", \",\" of tab"
        " (gegeven: 'ab')",
        "fout: m.yaml:5:17 invoice.Date.value: 'gisteren' is geen datum in ISO-notatie"
        " (jjjj-mm-dd) (gegeven: 'gisteren')",
        '  oplossing: zet de notatie van de export onder source:, bijvoorbeeld date_format:'
        ' "%d-%m-%Y"']


def test_a_date_in_the_file_that_does_not_parse_in_dutch() -> None:
    Path("data.csv").write_text("Naam;Bedrag;Datum\nJan;12,50;gisteren\n", encoding="utf-8")
    name = mapping('{delimiter: ";", date_format: "%d-%m-%Y"}')
    text = Path(name).read_text(encoding="utf-8").replace(
        "invoice:\n", "invoice:\n  Date: {column: Datum}\n")
    Path(name).write_text(text, encoding="utf-8")
    result = dutch("convert", "data.csv", "-m", name, "--dry-run")
    assert result.code == 1, result.stderr
    lines = result.stderr.splitlines()
    assert "fout: geen datum in de notatie dd-mm-jjjj" in lines
    assert "  oplossing: corrigeer de waarde, of voeg de notatie toe aan date_format onder" \
           " source:" in lines


def test_an_expression_error_in_dutch() -> None:
    result = dutch("check", mapping(price='{expr: "rond(Bedrag, 2)"}'))
    assert result.code == 1, result.stderr
    lines = result.stderr.splitlines()
    assert lines[2] == ("fout: m.yaml:9:24 lines.Product.SalesPrice.expr: onbekende functie"
                        " rond() (gegeven: 'rond(Bedrag, 2)')")
    assert lines[3] == "  oplossing: bedoel je round()?"
    result = dutch("check", mapping(price='{expr: "Bedrag in [1, 2] + [3]"}'))
    assert ("fout: m.yaml:9:24 lines.Product.SalesPrice.expr: een lijst [...] kan alleen na"
            " 'in' staan, zoals in: Code in ['A', 'B'] (gegeven: 'Bedrag in [1, 2] + [3]')"
            ) in result.stderr.splitlines()


def test_a_starter_mappings_todo_and_a_yaml_error_in_dutch() -> None:
    result = dutch("check", mapping(price="{column: TODO}"))
    assert result.code == 1, result.stderr
    lines = result.stderr.splitlines()
    # the element's description is Yuki's (documentation, in English)
    assert lines[2] == ("fout: m.yaml:9:26 lines.Product.SalesPrice.column: TODO: vul de kolom"
                        " in die SalesPrice (prijs per stuk; hoogstens 2 decimalen) bevat")
    assert lines[3] == ("  oplossing: vervang TODO door de naam van de kolom zoals de kopregel"
                        " van de export die schrijft (yukimap init zette de kolommen bovenaan de"
                        " mapping); of verwijder de regel: SalesPrice is optioneel")
    Path("m.yaml").write_text("version: 1\ntarget: journal\ntarget: journal\n",
                              encoding="utf-8")
    result = dutch("check", "m.yaml")
    lines = result.stderr.splitlines()
    assert headline(lines[0]) == "m.yaml heeft dubbele sleutels"
    assert lines[1:] == [
        "",
        "fout: m.yaml:3:1 target: sleutel 'target' komt twee keer voor (eerst op regel 2)",
        "  oplossing: houd er één; YAML zou stilzwijgend de laatste gebruiken"]


def test_a_workbook_refused_by_a_bound_in_dutch(tmp_path: Path) -> None:
    mapping()
    xlsx(tmp_path / "wide.xlsx", {"Data": sheet_xml(table_rows(("Naam", "Bedrag", "Extra"),
                                                               ("Jan", "1", "x")))})
    env = {**os.environ, "YUKIMAP_LANG": "nl", "YUKIMAP_MAX_COLUMNS": "2",
           "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "yukimap", "convert", "wide.xlsx", "-m",
                             "m.yaml", "--dry-run"], capture_output=True, text=True, env=env,
                            check=False)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert headline(lines[0]) == ("werkblad 'Data' van wide.xlsx gaat over de grens van yukimap"
                                  " van 2 kolommen (het heeft cellen tot en met kolom C: 3"
                                  " kolommen)")
    assert lines[1:] == [
        "  oplossing: als het bestand klopt, verhoog dan de grens: zet YUKIMAP_MAX_COLUMNS op"
        " een hoger getal (README: Limits)"]


def test_a_file_that_is_not_there_and_an_encoding_in_dutch() -> None:
    result = dutch("convert", "nergens.csv", "-m", mapping(), "--dry-run")
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert headline(lines[0]) == "kan nergens.csv niet vinden"
    assert lines[1:] == ["  oplossing: controleer de bestandsnaam en de map"]
    Path("land.csv").write_bytes("Naam;Bedrag\nJan;1\nEthiopië;2\n".encode("cp1252"))
    result = dutch("convert", "land.csv", "-m", mapping('{encoding: utf-8}'), "--dry-run")
    assert result.code == 1
    assert headline(result.stderr.splitlines()[0]) == (
        "land.csv is geen geldige UTF-8: de bytes EB op byte-positie 25 (regel 3) zijn"
        " niet te lezen, in: Ethiopi[EB];2")
