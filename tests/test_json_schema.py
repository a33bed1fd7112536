"""The JSON Schema of the mapping format (`yukimap schema`), for editors: made from the same
tables as the loader, shipped beside the mappings, named by each mapping's first line; it
accepts every shipped mapping, and it refuses what the loader refuses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import REPO, build_files, run_cli
from yukimap.authoring import SCHEMA_URL
from yukimap.errors import MappingError
from yukimap.resources import mapping_schema_path, shipped_mappings
from yukimap.schema import load_mapping
from yukimap.schema.json_schema import mapping_schema, schema_text

MODELINE = f"# yaml-language-server: $schema={SCHEMA_URL}"


class _Yaml12(yaml.SafeLoader):
    """YAML as an editor's language server reads it (YAML 1.2): a date stays text and only
    true/false are booleans."""


_Yaml12.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Yaml12.add_implicit_resolver("tag:yaml.org,2002:bool", __import__("re").compile(
    r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _editor_errors(text: str) -> list[str]:
    """What is wrong, each where it is most precisely: of the alternatives a value could be
    (a constant or a set of keys, one item or a list), the mistake found deepest in it."""
    data = yaml.load(text, Loader=_Yaml12)  # noqa: S506 -- a SafeLoader
    validator = jsonschema.Draft7Validator(mapping_schema())
    found = []
    for error in validator.iter_errors(data):
        leaves = list(_leaves(error))
        depth = max(len(e.absolute_path) for e in leaves)
        found += [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in leaves
                  if len(e.absolute_path) == depth]
    return sorted(set(found))


def _leaves(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    if not error.context:
        return [error]
    return [leaf for sub in error.context for leaf in _leaves(sub)]


def test_the_schema_is_a_valid_draft_07_schema() -> None:
    jsonschema.Draft7Validator.check_schema(mapping_schema())


def test_the_shipped_schema_is_the_generated_one() -> None:
    assert mapping_schema_path() == REPO / "mappings" / "mapping.schema.json"
    assert mapping_schema_path().read_text(encoding="utf-8") == schema_text(), \
        "remake it: yukimap schema --output mappings/mapping.schema.json"


def test_yukimap_schema_prints_it_or_writes_it(tmp_path: Path) -> None:
    printed = run_cli("schema")
    assert (printed.code, printed.stderr) == (0, "")
    assert json.loads(printed.stdout) == mapping_schema()
    out = tmp_path / "mapping.schema.json"
    written = run_cli("schema", "--output", out)
    assert (written.code, written.stderr) == (0, "")
    assert written.stdout == (
        f"wrote {out}: the JSON Schema of the mapping format; a mapping next to it names it on"
        " its first line: # yaml-language-server: $schema=./mapping.schema.json\n")
    assert out.read_text(encoding="utf-8") == schema_text()


@pytest.mark.parametrize("name", sorted(shipped_mappings()))
def test_every_shipped_mapping_names_the_schema_beside_it_and_fits_it(name: str) -> None:
    path = shipped_mappings()[name]
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == MODELINE
    assert (path.parent / SCHEMA_URL).resolve() == mapping_schema_path().resolve()
    assert _editor_errors(text) == []
    load_mapping(path)


# A mapping the loader takes, for each target; the cases below change one thing in it.
GOOD = {
    "sales_invoices": """\
version: 1
target: sales_invoices
source: {delimiter: ";", decimal_mark: ",", header_row: 2, date_format: "%d-%m-%Y"}
group_by: Order
skip_rows: [{column: Order, starts_with: Totaal}, {column: Qty, empty: true}]
invoice:
  Reference: {column: Order, required: true}
  Date: {column: Date}
  Process: true
  PaymentMethod: {column: Pay, map: {ideal: iDeal}, fallback: Unspecified, ignore_case: true}
  Contact: {FullName: {expr: "coalesce(Company, Name)"}, CountryCode: NL}
lines:
  - ProductQuantity: {column: Qty}
    Product: {Description: {column: Item}, SalesPrice: {column: Price, round: 2}}
  - when: {column: Shipping, not_empty: true}
    ProductQuantity: 1
    Product: {Description: Verzending, SalesPrice: {column: Shipping}, Category: 13}
""",
    "journal": """\
version: 1
target: journal
let: {net: {expr: "Bedrag * 1"}}
journal: {JournalType: GeneralJournal, DocumentSubject: Bank}
entries:
  GLAccount: "1100"
  EntryDate: {column: Datum}
  Amount: {column: Bedrag, sign: {column: Af Bij, positive: Bij, negative: [Af, D]}}
balancing: {GLAccount: "8990", max: 0.05}
""",
    "petty_cash": """\
version: 1
target: petty_cash
statement: {CashAccount: "1000", OpeningBalance: "250.00"}
lines:
  Date: {column: Datum}
  Amount: {debit: In, credit: Uit}
amount_decimal_mark: "."
""",
}


@pytest.mark.parametrize("target", sorted(GOOD))
def test_the_good_mappings_fit_the_schema_and_load(target: str, tmp_path: Path) -> None:
    assert _editor_errors(GOOD[target]) == []
    load_mapping(build_files(tmp_path, {"m.yaml": GOOD[target]})["m.yaml"])


# (target, text replaced, by, what the editor says): the loader refuses each too.
WRONG = [
    ("sales_invoices", "group_by: Order", "grop_by: Order",
     ": Additional properties are not allowed ('grop_by' was unexpected)"),
    ("sales_invoices", "Reference: {column", "Referense: {column",
     "invoice: Additional properties are not allowed ('Referense' was unexpected)"),
    ("sales_invoices", "Date: {column: Date}", "Date: {colum: Date}",
     "invoice.Date: Additional properties are not allowed ('colum' was unexpected)"),
    ("sales_invoices", "header_row: 2", "header_row: second",
     "source.header_row: 'second' is not of type 'integer'"),
    ("sales_invoices", "round: 2", "round: 9",
     "lines.0.Product.SalesPrice.round: 9 is greater than the maximum of 6"),
    ("sales_invoices", "ignore_case: true", "ignore_case: ja",
     "invoice.PaymentMethod.ignore_case: 'ja' is not of type 'boolean'"),
    ("sales_invoices", "empty: true", "empty: ja",
     "skip_rows.1.empty: True was expected"),
    ("sales_invoices", "version: 1\n", "",
     ": 'version' is a required property"),
    ("sales_invoices", "target: sales_invoices", "target: invoices",
     "target: 'invoices' is not one of ['sales_invoices', 'journal', 'petty_cash']"),
    ("sales_invoices", 'decimal_mark: ","', 'decimal_mark: ";"',
     "source.decimal_mark: ';' is not one of ['.', ',', ' ', \"'\"]"),
    ("journal", "JournalType: GeneralJournal, ", "",
     "journal: 'JournalType' is a required property"),
    ("journal", '"Bedrag * 1"}', '"Bedrag * 1", type: money}',
     "let.net.type: 'money' is not one of ['text', 'decimal', 'integer', 'date', 'boolean']"),
    ("sales_invoices", "group_by: Order", "group_by: {column: Order, on_conflict: last}",
     "group_by.on_conflict: 'last' is not one of ['error', 'first']"),
    ("journal", "negative: [Af, D]", "negatief: [Af, D]",
     "entries.Amount.sign: 'negative' is a required property"),
    ("journal", ", max: 0.05", "",
     "balancing: 'max' is a required property"),
    ("journal", "let: {net:", "let: {1net:",
     "let: '1net' does not match '^[A-Za-z_][A-Za-z0-9_]*$'"),
    ("petty_cash", "CashAccount: \"1000\", ", "",
     "statement: 'CashAccount' is a required property"),
    ("petty_cash", 'amount_decimal_mark: "."', 'amount_decimal_mark: ";"',
     "amount_decimal_mark: ';' is not one of [',', '.']"),
    ("petty_cash", "  Date: {column: Datum}\n", "",
     "lines: 'Date' is a required property"),
]


@pytest.mark.parametrize("target,old,new,said", WRONG, ids=[w[2] or w[1] for w in WRONG])
def test_the_schema_and_the_loader_refuse_the_same_mistakes(target: str, old: str, new: str,
                                                            said: str, tmp_path: Path) -> None:
    assert old in GOOD[target]
    text = GOOD[target].replace(old, new, 1)
    assert said in _editor_errors(text)
    with pytest.raises(MappingError):
        load_mapping(build_files(tmp_path, {"m.yaml": text})["m.yaml"])


def test_every_field_and_key_has_its_description_in_the_schema() -> None:
    """What an editor shows on hover: every property of every section says what it is."""
    missing: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                if "description" not in prop and name != "target":
                    missing.append(f"{path}.{name}")
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    walk(mapping_schema(), "")
    assert missing == []
