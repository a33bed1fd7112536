"""The packs: every shipped mapping's example goes through `check --sample` and
`convert --dry-run` as a user runs them, and every pack has a page that cites its sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from yukimap.resources import shipped_mappings

EXAMPLES = sorted((name, example) for name in shipped_mappings()
                  for example in (REPO / "examples").glob(f"{name}.*"))
PAGES = REPO / "docs" / "packs"

# The packs of issue 13, each with its page in docs/packs/.
PACK_PAGES = {"bank-camt053": "camt053.md", "bank-mt940": "mt940.md",
              "bank-ing": "ing.md", "bank-rabobank": "rabobank.md",
              "bank-abnamro": "abnamro.md", "bank-knab": "knab.md",
              "bank-volksbank": "volksbank.md", "bank-bunq": "bunq.md",
              "bank-triodos": "triodos.md", "bank-kbc": "kbc.md",
              "bank-bnp-fortis": "bnp-fortis.md", "bank-belfius": "belfius.md",
              "bank-belfius-fr": "belfius.md",
              "shopify-orders": "shopify.md", "mollie-settlement": "mollie.md",
              "woocommerce-orders": "woocommerce.md", "stripe-balance": "stripe.md",
              "paypal-activity": "paypal.md",
              "paypal-activity-en": "paypal.md", "sumup-sales": "sumup.md",
              "kasboek": "kasboek.md"}


@pytest.mark.parametrize(("name", "example"), EXAMPLES,
                         ids=[f"{n}:{e.name}" for n, e in EXAMPLES])
def test_every_shipped_example_checks_and_converts(name: str, example: Path) -> None:
    checked = run_cli("check", name, "--sample", example)
    assert checked.code == 0, checked.stderr
    assert "the sample converts and validates; nothing written" in checked.stdout
    converted = run_cli("convert", example, "--mapping", name, "--dry-run")
    assert converted.code == 0, converted.stderr
    assert converted.stdout.endswith("dry run: nothing written\n")


@pytest.mark.parametrize(("name", "page"), sorted(PACK_PAGES.items()))
def test_every_pack_has_a_page_that_cites_its_sources(name: str, page: str) -> None:
    text = (PAGES / page).read_text(encoding="utf-8")
    assert f"mappings/{name}.yaml" in text
    sources = text[text.index("## Sources"):]  # a page address, or a repository @ commit
    assert re.search(r"https?://|`[\w.-]+/[\w.-]+` @ [0-9a-f]{7}", sources), page
    assert f"]({page})" in (PAGES / "README.md").read_text(encoding="utf-8")


SHOP_PACKS = sorted(set(PACK_PAGES) - {"bank-camt053", "bank-mt940"})


@pytest.mark.parametrize("name", SHOP_PACKS)
def test_a_copy_of_a_pack_asks_for_the_values_that_are_yours(name: str, tmp_path: Path) -> None:
    example = next((REPO / "examples").glob(f"{name}.*"))
    out = tmp_path / "mine.yaml"
    started = run_cli("init", example, "--like", name, "-o", out)
    assert started.code == 0, started.stderr
    todos = re.search(r"TODO    (\d+) to fill in", started.stdout)
    assert todos, started.stdout
    lines = out.read_text(encoding="utf-8").splitlines()
    assert sum(": TODO" in line and "# yours:" in line for line in lines) == int(todos[1])
    pack = (REPO / "mappings" / f"{name}.yaml").read_text(encoding="utf-8")
    assert int(todos[1]) == pack.count("# yours:")  # every value marked yours, map keys too
    checked = run_cli("check", out, "--sample", example)
    assert checked.code != 0 and "TODO" in checked.stderr
