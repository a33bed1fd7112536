"""A Dutch run of every shipped example speaks Dutch: `check --sample` and `convert --dry-run`
with --lang nl print no English word (outside quoted values, file names, keys, field names
and the example's own data), and raise no KeyError (tests run with YUKIMAP_I18N_STRICT).
So does a broken mapping and a broken export of each target. The descriptions a message
quotes (a missing key's hint, a TODO's field) have their Dutch."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from tests.test_packs import EXAMPLES
from yukimap import documents, i18n
from yukimap.schema import keys
from yukimap.watch import config

# Words that are English and never Dutch (so not: in, is, per, over, was, of, die, regels,
# mapping, export, document, ...), as whole words in any case; not 'a' and 'no' (options,
# accepted values: "ja, j, yes, no"), nor the commands check, send, run.
ENGLISH = frozenset(re.findall(r"\w+", """
the an and or not with without which from should would could must has have been are
this that these those there their every each any some nothing none only than then when
row rows column columns cell cells date dates entry entries line lines invoice invoices
journal journals statement statements amount amounts total totals written read skipped
file files folder sheet value values empty missing unknown found error errors warning
warnings fix checked valid sent sending booked dry account accounts balance
contains starts matches equals needs given expected allowed here more
"""))

# Yuki's fields as a mapping names them (Date, Amount), written as they are.
FIELDS = frozenset(name for target in documents.DOCUMENT_TYPES.values()
                   for path, _element in documents.walk(target.header + target.items)
                   for name in path)
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`")
_NOT_WORDS = re.compile(
    r"\S*[/\\]\S*"  # paths
    r"|\S+\.(?:csv|xlsx|xls|ods|xml|sta|txt|tab|yaml|json)\b"  # file names
    r"|\b\w+(?:\[\d+\])*(?:\.\w+(?:\[\d+\])*)+|\b\w+\[\d+\]"  # entries.GLAccount, lines[0]
    r"|\b\w+:"  # keys as the mapping writes them: journal:, map:
    r"|\b[A-Z][a-z]+[A-Z]\w*|\b[A-Z0-9_]{2,}\b|\b\w*_\w*"  # SalesPrice, ID_OR_NAME, skip_rows
    r"|-{1,2}[\w-]+"  # options: --dry-run, -a
)


def english_words(text: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """The English words of a Dutch output, with the line each stands in."""
    found = []
    for line in text.splitlines():
        # a section a key path of the line starts with is a key there too: "statement.X:
        # unknown key 'X' in statement"
        keys = {k.lower() for k in re.findall(r"\b(\w+)(?=\.\w|\[\d)", line)}
        bare = _NOT_WORDS.sub(" ", _QUOTED.sub(" ", line))
        found += [f"{word!r} in {line.strip()!r}" for word in re.findall(r"[A-Za-z]+", bare)
                  if word.lower() in ENGLISH and word.lower() not in allowed | keys
                  and word not in FIELDS]
    return found


def data_words(example: Path) -> frozenset[str]:
    """The words of an example's data (its values may be English: a column 'Cancelled at')."""
    if example.suffix.lower() in (".xlsx", ".ods"):
        with zipfile.ZipFile(example) as z:
            text = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                            if n.endswith(".xml"))
    else:
        text = example.read_bytes().decode("utf-8", "replace")
    text = re.sub(r"<[^>]*>", " ", text)  # the values of XML, not its tags
    return frozenset(w.lower() for w in re.findall(r"[A-Za-z]+", text))


def test_the_check_finds_english() -> None:
    assert english_words("3 rows skipped") == ["'rows' in '3 rows skipped'",
                                               "'skipped' in '3 rows skipped'"]
    assert not english_words("rij 2: 'the value' in entries.GLAccount (skip_rows:) SalesPrice")
    assert not english_words("Cancelled at is niet leeg", frozenset({"cancelled", "at"}))
    assert not english_words("statement.X: onbekende sleutel 'X' in statement")
    assert not english_words("hier toegestaan: Date, Amount, Balance")


@pytest.mark.parametrize(("name", "example"), EXAMPLES,
                         ids=[f"{n}:{e.name}" for n, e in EXAMPLES])
def test_every_shipped_example_speaks_dutch(name: str, example: Path) -> None:
    allowed = data_words(example)
    checked = run_cli("--lang", "nl", "check", name, "--sample", example)
    assert checked.code == 0, checked.stderr
    assert "het voorbeeld wordt omgezet en gevalideerd; er is niets geschreven" in checked.stdout
    converted = run_cli("--lang", "nl", "convert", example, "--mapping", name, "--dry-run")
    assert converted.code == 0, converted.stderr
    assert converted.stdout.endswith("proefrun: er is niets geschreven\n")
    for result in (checked, converted):
        assert not english_words(result.stdout + result.stderr, allowed)


# Per target: a shipped mapping and example, the mapping broken, the example broken (each
# (English, replacement)), and lines the Dutch output holds exactly.
BROKEN = {
    "sales_invoices": (
        "webshop-orders", "webshop-orders.csv", "utf-8",
        [("Process: true ", "Process: maybe "),
         ("  Date: {column: Besteldatum, required: true}\n",
          "  Date: {column: Besteldatum, required: true}\n  Colour: {column: X}\n"),
         ("SalesPrice: {column: Stukprijs incl. btw, required: true}",
          "SalesPrice: {column: TODO}"),
         ("ProductQuantity: {column: Aantal, required: true}",
          "ProductQuantity: {column: Aantal, round: x}")],
        [("2024-1001;02-11-2024;", "2024-1001;31-02-2024;"), (";2;24,95;", ";twee;24,95;")],
        ["TODO: vul de kolom in die SalesPrice (prijs per stuk; hoogstens 2 decimalen) bevat",
         "  oplossing: corrigeer de waarde in de export"]),
    "journal": (
        "bank-rabobank", "bank-rabobank.csv", "cp1252",
        [('  - GLAccount: "1100"               # yours: your bank account\'s GL account\n'
          "    EntryDate", "  - EntryDate")],
        [('"2026-11-02","2026-11-02","-23,45"', '"2026-13-02","2026-11-02","-23,4x"')],
        ["entries[0]: entries: heeft GLAccount nodig (Yuki vereist het)",
         "  oplossing: de grootboekrekening, bijvoorbeeld 8000",
         "fout: geen geldige datum"]),
    "petty_cash": (
        "cash-book", "cash-book.csv", "utf-8",
        [("  Amount: {debit: Ontvangst, credit: Uitgave}",
          "  Amount: {debit: Ontvangst, credit: Uitgave, sign: {column: X}}"),
         ('CashAccount: "1000"', 'CashAcount: "1000"')],
        [("01-11-2024;K-0311;Contante verkoop winkel;412,35",
          "01-11-2024;K-0311;Contante verkoop winkel;412,3,5")],
        ["lines.Amount.sign: sign heeft de sleutel 'positive' nodig",
         "  oplossing: waarden die een positief bedrag betekenen",
         "  oplossing: bedoel je 'CashAccount'? (hier toegestaan: CashAccount, CashDescription,"
         " OpeningBalance)",
         "fout: geen getal met decimaalteken ','"]),
}


@pytest.mark.parametrize("target", sorted(BROKEN))
def test_a_broken_mapping_and_a_broken_export_are_told_in_dutch(target: str,
                                                                 tmp_path: Path) -> None:
    name, example, encoding, mapping_breaks, data_breaks, said = BROKEN[target]
    mapping = (REPO / "mappings" / f"{name}.yaml").read_text(encoding="utf-8")
    for english, broken in mapping_breaks:
        assert english in mapping
        mapping = mapping.replace(english, broken)
    data = (REPO / "examples" / example).read_text(encoding=encoding)
    for english, broken in data_breaks:
        assert english in data
        data = data.replace(english, broken)
    (tmp_path / "broken.yaml").write_text(mapping, encoding="utf-8")
    (tmp_path / example).write_text(data, encoding=encoding)
    checked = run_cli("--lang", "nl", "check", tmp_path / "broken.yaml", "--sample",
                      REPO / "examples" / example)
    converted = run_cli("--lang", "nl", "convert", tmp_path / example, "--mapping", name,
                        "--dry-run")
    assert (checked.code, converted.code) == (1, 1)
    assert "problemen in de mapping" in checked.stderr or "1 probleem in de mapping" in \
        checked.stderr
    assert "in de gegevens" in converted.stderr
    output = checked.stdout + checked.stderr + converted.stdout + converted.stderr
    lines = output.splitlines()
    for line in said:
        assert any(line in shown for shown in lines), (line, output)
    assert not english_words(output, data_words(REPO / "examples" / example))


def test_every_description_a_message_quotes_has_its_dutch() -> None:
    """A missing required key's hint is its description; a field's, too; a TODO quotes any
    field's description (the tables mark them with N_; test_i18n checks the templates)."""
    dutch = i18n.catalogue()
    tables = [keys.RULE_KEYS, keys.SIGN_KEYS, keys.BALANCING_KEYS, keys.TOP_KEYS,
              keys.CONDITION_KEYS, keys.RULE_CONDITION_KEYS, keys.ITEM_KEYS, keys.GROUP_KEYS,
              keys.FIELD_KEYS, keys.SOURCE_KEYS, config.TOP_KEYS, config.ROUTE_KEYS,
              config.HEALTH_KEYS, config.TIMING_KEYS,
              *(keys.top_keys(t) for t in documents.DOCUMENT_TYPES.values())]
    missing = [key.doc for table in tables for key in table if key.required and key.doc
               and key.doc not in dutch]
    missing += [element.doc for target in documents.DOCUMENT_TYPES.values()
                for _path, element in documents.walk(target.header + target.items)
                if element.doc and element.doc not in dutch]
    assert not missing
    # the target key's description names the targets as written out for N_
    assert keys.TOP_KEYS[1].doc == f"what to make: {', '.join(documents.DOCUMENT_TYPES)}"


def test_a_watch_configs_missing_key_is_hinted_in_dutch(tmp_path: Path) -> None:
    config_file = tmp_path / "watch.yaml"
    config_file.write_text("version: 1\nroutes:\n  - name: webshop\n    mapping: webshop-orders\n",
                           encoding="utf-8")
    result = run_cli("--lang", "nl", "watch", config_file, "--check")
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert any(line.endswith("routes[0]: een route heeft de sleutel 'folder' nodig")
               for line in lines), result.stderr
    assert "  oplossing: de map waarin bestanden worden neergezet" in lines
    assert not english_words(result.stdout + result.stderr)
