"""`yukimap check --online`: pre-flight against the sandbox over real HTTP, from the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from tests.sandbox_fixtures import ADM_KORENAAR, Sandbox


def test_shipped_examples_pass_preflight(yuki_env: Sandbox) -> None:
    for mapping, example in (("webshop-orders", "webshop-orders.csv"),
                             ("bank-ing", "bank-ing.csv"), ("cash-book", "cash-book.csv")):
        result = run_cli("check", mapping, "--sample", REPO / "examples" / example, "--online",
                         "--administration", "Bakkerij De Korenaar B.V.")
        assert result.code == 0, result.stderr
        assert "pre-flight against Bakkerij De Korenaar B.V." in result.stdout
    # reference data is cached per day: one VAT and one GL lookup in all, whatever the runs
    assert yuki_env.count("ActiveVATCodesList") == 1
    assert yuki_env.count("GetGLAccountScheme") == 1
    assert yuki_env.store.sales_invoices() == [] and yuki_env.store.journals() == []


@pytest.mark.parametrize("slices", [None, "64"], ids=["whole", "in slices"])
def test_unknown_gl_account_and_impossible_vat_pair_are_caught_with_rows(
        yuki_env: Sandbox, tmp_path: Path, slices: str | None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The same, of a sample read whole and one read a slice at a time (64 bytes: what its
    documents use gathered slice by slice, with the rows)."""
    if slices:
        monkeypatch.setenv("YUKIMAP_SLICE_BYTES", slices)
    (tmp_path / "m.yaml").write_text("""
version: 1
target: sales_invoices
source: {delimiter: ";", decimal_mark: ","}
invoice: {Reference: {column: Order}}
lines:
  Product: {Description: {column: Item}, SalesPrice: {column: Price}, VATType: {column: Type},
            VATPercentage: {column: Pct}, GLAccountCode: {column: GL}}
""")
    (tmp_path / "in.csv").write_text("Order;Item;Price;Type;Pct;GL\n1;a;1,00;1;21;8000\n"
                                     "2;b;1,00;2;6;8000\n3;c;1,00;1;21;8888\n"
                                     + "".join(f"{n};d;1,00;1;21;8000\n" for n in range(4, 9))
                                     + "9;e;1,00;1;21;8888\n")
    result = run_cli("check", tmp_path / "m.yaml", "--sample", tmp_path / "in.csv", "--online",
                     "--administration", ADM_KORENAAR)
    assert result.code == 1
    assert result.stderr.startswith("error: pre-flight against Bakkerij De Korenaar B.V.: 2"
                                    " problems; Yuki would refuse this as it is (")
    assert "error: GL account does not exist in the administration" in result.stderr
    assert "rows 4, 10: '8888'" in result.stderr
    assert "error: no active VAT code with this type and percentage in the administration" \
        in result.stderr
    assert "row 3: 'VATType 2, VATPercentage 6'" in result.stderr
    assert yuki_env.count("ProcessSalesInvoices") == 0  # nothing was sent


def test_online_needs_a_sample() -> None:
    result = run_cli("check", "webshop-orders", "--online")
    assert result.code == 2
    assert result.stderr == ("error: --online checks what an export uses: give it with --sample"
                             " FILE\n")


def test_refresh_fetches_the_reference_data_again(yuki_env: Sandbox) -> None:
    args = ["check", "webshop-orders", "--sample", REPO / "examples/webshop-orders.csv",
            "--online", "--administration", ADM_KORENAAR]
    assert run_cli(*args).code == 0 and run_cli(*args).code == 0
    assert yuki_env.count("ActiveVATCodesList") == 1
    assert run_cli(*args, "--refresh").code == 0
    assert yuki_env.count("ActiveVATCodesList") == 2
