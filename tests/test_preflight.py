"""Pre-flight: unknown GL accounts, impossible VAT pairs and unknown cash accounts are caught
before a document is sent, from reference data fetched at most once a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.sandbox_fixtures import ADM_KORENAAR, Sandbox
from yukimap.client import YukiClient
from yukimap.preflight import ReferenceCache, check_usage, preflight
from yukimap.usage import DocumentUsage
from yukimap.yuki_results import GLAccount, VATCode

VAT = [VATCode("BTW hoog 21%", 1, "BTW hoog", Decimal("21.00")),
       VATCode("BTW laag 9%", 2, "BTW laag", Decimal("9.00")),
       VATCode("BTW verlegd", 17, "Verlegd", Decimal("0.00"))]
GL = [GLAccount("1000", 1, 1, True, "Kas"), GLAccount("8000", 2, 0, True, "Omzet hoog"),
      GLAccount("8100", 2, 0, True, "Omzet laag"), GLAccount("8999", 2, 0, False, "Oud")]


def test_everything_known_is_fine() -> None:
    usage = DocumentUsage({"8000", "8100"}, {(1, Decimal("21")), (2, Decimal("9.00"))}, "1000")
    assert check_usage(usage, VAT, GL) == []


def test_each_kind_of_problem() -> None:
    usage = DocumentUsage(gl_accounts={"8001", "8999"},
                          vat_pairs={(9, Decimal("21.00")), (1, Decimal("9.00")),
                                     (5, Decimal("6.00"))},
                          petty_cash_account="570004")
    problems = {(p.cause, p.value): p.hint for p in check_usage(usage, VAT, GL)}
    assert len(problems) == 6
    unknown = problems[("GL account does not exist in the administration", "8001")]
    assert "8000 (Omzet hoog)" in unknown
    assert ("GL account is disabled in the administration", "8999 (Oud)") in problems
    cause = "no active VAT code with this type and percentage in the administration"
    assert "21.00% is VAT type 1" in problems[(cause, "VATType 9, VATPercentage 21.00")]
    assert "VAT type 1 is 21.00%" in problems[(cause, "VATType 1, VATPercentage 9.00")]
    assert "type 2 = 9.00%" in problems[(cause, "VATType 5, VATPercentage 6.00")]
    assert "Onbekende kas 570004" in problems[
        ("petty cash account does not exist in the administration", "570004")]


def test_unchecked_reference_data_gives_no_problems() -> None:
    usage = DocumentUsage({"9999"}, {(9, Decimal("1"))})
    assert check_usage(usage, None, None) == []


def test_preflight_catches_problems_without_sending_the_document(sandbox: Sandbox) -> None:
    usage = DocumentUsage(gl_accounts={"8000", "8050"}, vat_pairs={(1, Decimal("21.00")),
                                                                    (2, Decimal("21.00"))})
    with YukiClient(sandbox.settings("domain")) as yuki:
        problems = preflight(yuki, usage, "Bakkerij De Korenaar B.V.")
    assert [(p.cause, p.value) for p in problems] == [
        ("GL account does not exist in the administration", "8050"),
        ("no active VAT code with this type and percentage in the administration",
         "VATType 2, VATPercentage 21.00")]
    assert sandbox.count("ProcessSalesInvoices") == 0
    assert [sandbox.count(op) for op in ("ActiveVATCodesList", "GetGLAccountScheme")] == [1, 1]


def test_reference_data_costs_two_calls_a_day(sandbox: Sandbox) -> None:
    clock = [datetime(2025, 3, 3, 9, tzinfo=UTC)]
    settings = sandbox.settings("domain")
    usage = DocumentUsage({"8000"}, {(1, Decimal("21"))}, "1000")
    for _ in range(3):  # three runs on one day
        cache = ReferenceCache(settings.state_dir, clock=lambda: clock[0])
        with YukiClient(settings) as yuki:
            assert preflight(yuki, usage, ADM_KORENAAR, cache=cache) == []
    assert [sandbox.count(op) for op in ("ActiveVATCodesList", "GetGLAccountScheme")] == [1, 1]
    clock[0] += timedelta(days=1)
    with YukiClient(settings) as yuki:
        preflight(yuki, usage, ADM_KORENAAR,
                  cache=ReferenceCache(settings.state_dir, clock=lambda: clock[0]))
    assert [sandbox.count(op) for op in ("ActiveVATCodesList", "GetGLAccountScheme")] == [2, 2]


def test_only_what_is_needed_is_fetched(sandbox: Sandbox) -> None:
    with YukiClient(sandbox.settings("domain")) as yuki:
        problems = preflight(yuki, DocumentUsage(petty_cash_account="1100"), ADM_KORENAAR)
        assert problems == []  # it exists; whether it is a cash account is not knowable here
        problems = preflight(yuki, DocumentUsage(petty_cash_account="5700"), ADM_KORENAAR)
    assert [p.value for p in problems] == ["5700"]
    assert [sandbox.count(op) for op in ("ActiveVATCodesList", "GetGLAccountScheme")] == [0, 1]
