"""The commands in Dutch (`--lang nl`): their summaries, reports and messages, `init`'s
starter mapping, and `yukimap test`, whose cases stay the same in either language.

The tests run strict (tests/conftest.py): a text without Dutch fails the run with a
KeyError, so each run's exit code says that every text it met has its Dutch."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, build_files, run_cli
from tests.test_snapshots import MAPPING, NOVEMBER


@pytest.fixture
def kas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The petty cash mapping and export of the snapshot tests, in a folder of their own."""
    monkeypatch.chdir(tmp_path)
    return build_files(tmp_path, {"kas.yaml": MAPPING, "november.csv": NOVEMBER})


def test_the_dry_runs_summary_in_dutch(kas: dict[str, Path]) -> None:
    result = run_cli("--lang", "nl", "convert", "november.csv", "-m", "kas.yaml", "--dry-run")
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "november.csv -> kasafschriften (mapping kas.yaml)",
        "  rijen gelezen   2",
        "  kasafschriften  1",
        "  regels          2",
    ]
    assert "  rijen per waarde van lines.OffsetAccount (map: op 'Categorie'):" in lines
    assert lines[-1] == "  proefrun: er is niets geschreven"


def test_a_usage_mistake_in_dutch(kas: dict[str, Path]) -> None:
    result = run_cli("--lang", "nl", "convert", "november.csv", "-m", "kas.yaml", "--dry-run",
                     "--output", "uit.csv")
    assert result.code == 2
    assert result.stderr == ("fout: --dry-run schrijft niets; laat --output weg, of laat"
                             " --dry-run weg\n")


def test_yukimap_test_in_dutch_keeps_its_case_in_english(kas: dict[str, Path]) -> None:
    none_yet = run_cli("--lang", "nl", "test", "kas.yaml")
    assert none_yet.code == 1
    assert none_yet.stderr.splitlines()[0] == (
        "fout: kas.yaml heeft nog geen testgevallen: een testgeval is een map in kas.tests/ met"
        " een invoerbestand en de uitvoer die het moet geven")
    added = run_cli("--lang", "nl", "test", "kas.yaml", "--add", "november.csv")
    assert added.code == 0, added.stderr
    assert added.stdout.splitlines()[0] == ("testgeval november toegevoegd: kas.tests/november/"
                                            " (input.csv, expected.csv, expected-summary.txt)")
    # the case is the same file whichever language approved it: English runs pass on it
    kept = Path("kas.tests/november/expected-summary.txt").read_text(encoding="utf-8")
    assert kept.startswith("input.csv -> petty cash statements (mapping kas.yaml)\n")
    assert run_cli("test", "kas.yaml").stdout == "ok       november\n1 case, all as approved\n"
    dutch = run_cli("--lang", "nl", "test", "kas.yaml")
    assert (dutch.code, dutch.stdout) == (0, "ok       november\n1 testgeval, alle zoals"
                                             " goedgekeurd\n")


def test_init_writes_dutch_comments_and_its_todos_still_count(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    monkeypatch.chdir(tmp_path)
    build_files(tmp_path, {"kas.csv": "Datum;Omschrijving;Bedrag\n01-11-2024;Verkoop;12,50\n"
                                      "02-11-2024;Postzegels;-3,10\n"})
    result = run_cli("--lang", "nl", "init", "kas.csv", "--target", "petty_cash")
    assert result.code == 0, result.stderr
    said = result.stdout.splitlines()
    assert said[0] == "kas.yaml geschreven: een startmapping voor kas.csv"
    assert said[1] == "  doel      petty_cash (zoals gevraagd)"
    assert said[-2:] == [
        "volgende stap: vul de TODO's in, dan: yukimap check kas.yaml --sample kas.csv",
        "mapping.schema.json geschreven: het mappingformaat voor editors (VS Code met de"
        " YAML-extensie vult sleutels en velden aan)"]
    text = Path("kas.yaml").read_text(encoding="utf-8")
    assert "# Een startmapping voor kas.csv, geschreven door yukimap init." in text
    assert "# the GL account of the cash" not in text
    assert "de grootboekrekening van de kas, bijvoorbeeld 1000" in text
    # the TODO marker is the same in either language: the loader refuses the mapping
    checked = run_cli("--lang", "nl", "check", "kas.yaml")
    assert checked.code == 1
    assert "TODO" in checked.stderr


def test_status_and_history_in_dutch(tmp_path: Path) -> None:
    history = run_cli("--lang", "nl", "history", "--state", tmp_path)
    assert (history.code, history.stdout) == (0, "er is nog niets verstuurd\n")
    status = run_cli("--lang", "nl", "status", "--state", tmp_path)
    assert status.code == 0, status.stderr
    lines = status.stdout.splitlines()
    assert lines[0] == "Instellingen"
    assert lines[3] == "  administratie:    (geen; geef er een per opdracht)"
    assert "Recent verstuurd (yukimap history voor meer)" in lines
    assert "  nog niets verstuurd" in lines


def test_preview_in_dutch() -> None:
    example = REPO / "examples" / "webshop-orders.csv"
    result = run_cli("--lang", "nl", "preview", example, "-m", "webshop-orders", "--limit", "1")
    assert result.code == 0, result.stderr
    assert "… en nog 3 verkoopfacturen (de samenvatting telt ze allemaal)" in result.stdout
    assert "  voorbeeld: de eerste 1 van 4 getoond; er is niets geschreven of verstuurd" in (
        result.stdout.splitlines())
