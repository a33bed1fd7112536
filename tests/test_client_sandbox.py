"""The client against the sandbox over real HTTP on 127.0.0.1: operations, faults, sessions,
budget, transport failures, hostile answers and secrets. No mocks of yukimap's own code."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.sandbox_fixtures import (
    ADM_KORENAAR,
    ADM_VAN_DIJK,
    ADM_VASTGOED,
    DOMAIN_KORENAAR,
    Sandbox,
    cash_statement,
    journal_document,
    sales_document,
    sales_invoice,
)
from tests.test_soap import BILLION_LAUGHS
from yukimap.client import StatementLine, YukiClient, with_retries
from yukimap.client.administrations import find
from yukimap.errors import (
    AccessDenied,
    AmbiguousOutcome,
    BudgetExhausted,
    DailyLimitExceeded,
    DocumentRejected,
    NoRights,
    SessionExpired,
    SettingsError,
    TransientError,
    UnreadableResponse,
    YukiFault,
)
from yukimap.sandbox import load_config
from yukimap.sandbox.config import AccessKeyConf
from yukimap.yuki_results import Administration

BALANCED = [("2025-03-31", "4100", "1250.00"), ("2025-03-31", "1100", "-1250.00")]


# --- every operation ---------------------------------------------------------------------


def test_general_operations(sandbox: Sandbox) -> None:
    with YukiClient(sandbox.settings("domain")) as yuki:
        admins = yuki.administrations()
        assert {a.id for a in admins} == {ADM_KORENAAR, ADM_VASTGOED}
        assert yuki.resolve_administration("bakkerij de korenaar b.v.").id == ADM_KORENAAR
        by_id = yuki.resolve_administration(ADM_VASTGOED.upper())
        assert by_id.name == "De Korenaar Vastgoed B.V."
        assert yuki.administration_id("De Korenaar Vastgoed B.V.") == ADM_VASTGOED
        assert [d.id for d in yuki.domains()] == [DOMAIN_KORENAAR]
        with pytest.raises(SettingsError, match="sees no administration"):
            yuki.resolve_administration("Fietsenmakerij Van Dijk V.O.F.")
    assert sandbox.count("Authenticate") == 1


def test_an_administration_by_its_chamber_of_commerce_number(sandbox: Sandbox) -> None:
    with YukiClient(sandbox.settings("domain")) as yuki:
        assert yuki.resolve_administration("23456789").id == ADM_VASTGOED
        assert yuki.administration_guid("12345678") == ADM_KORENAAR
        with pytest.raises(SettingsError, match="no administration with Chamber of Commerce"
                           " number 34567890"):
            yuki.administration_guid("34567890")  # Van Dijk's, another domain
    assert sandbox.count("Administrations") == 1


def test_a_chamber_of_commerce_number_of_two_administrations_is_refused() -> None:
    listed = [Administration(ADM_KORENAAR, "Bakkerij De Korenaar B.V.", coc_number="12345678"),
              Administration(ADM_VASTGOED, "De Korenaar Vastgoed B.V.", coc_number="12345678")]
    with pytest.raises(SettingsError) as caught:
        find(listed, "12345678")
    assert caught.value.message == (
        "the Chamber of Commerce number 12345678 belongs to 2 administrations: Bakkerij De"
        f" Korenaar B.V. ({ADM_KORENAAR}), De Korenaar Vastgoed B.V. ({ADM_VASTGOED})")
    assert caught.value.hint == "give the administration's ID (a GUID) instead"


def test_portal_key_sets_the_current_domain_once_per_session(sandbox: Sandbox) -> None:
    settings = sandbox.settings("portal", domain="Fietsenmakerij Van Dijk")
    with YukiClient(settings) as yuki:
        assert [a.id for a in yuki.administrations()] == [ADM_VAN_DIJK]
        assert len(yuki.gl_account_scheme(ADM_VAN_DIJK)) > 40
    with YukiClient(settings) as yuki:  # a second run reuses session and domain
        assert [a.id for a in yuki.administrations()] == [ADM_VAN_DIJK]
    setup = ("Authenticate", "Domains", "SetCurrentDomain")
    assert [sandbox.count(op) for op in setup] == [1, 1, 1]
    with YukiClient(sandbox.settings("portal", state="other")) as yuki:
        assert len(yuki.administrations()) == 3  # no domain chosen: the whole portal
        yuki.set_current_domain(DOMAIN_KORENAAR)
        assert {a.id for a in yuki.administrations()} == {ADM_KORENAAR, ADM_VASTGOED}


def test_reference_data(sandbox: Sandbox) -> None:
    with YukiClient(sandbox.settings("administration", administration=ADM_KORENAAR)) as yuki:
        codes = {(c.type, c.percentage) for c in yuki.active_vat_codes()}
        assert (1, Decimal("21.00")) in codes and (2, Decimal("9.00")) in codes
        assert (2, Decimal("6.00")) not in codes  # ended in 2018: not active
        scheme = {g.code: g for g in yuki.gl_account_scheme()}
        assert scheme["1000"].description == "Kas" and not scheme["8999"].is_enabled


def test_sales_invoices_one_bad_invoice_fails_alone(sandbox: Sandbox) -> None:
    document = sales_document(
        sales_invoice("F2025-001"),
        sales_invoice("F2025-002", vat_type=9, percentage="21.00"),
        sales_invoice("F2025-003", vat_type=2, percentage="9.00", gl="8100"),
        sales_invoice(None, process=True),
        sales_invoice("F2025-001"),  # the same reference again, in the same batch
    )
    with YukiClient(sandbox.settings("domain")) as yuki:
        result = yuki.process_sales_invoices(document, "Bakkerij De Korenaar B.V.")
    assert (result.total_succeeded, result.total_failed) == (2, 3)
    by_ref = [(i.reference, i.succeeded, i.message) for i in result.invoices]
    assert by_ref[0] == ("F2025-001", True, "")
    assert by_ref[1] == ("F2025-002", False, "No tax code for VATPercentage 21.00 & VATType 9")
    assert by_ref[2][1] is True
    assert "Reference is required" in by_ref[3][2]
    assert "already exists" in by_ref[4][2]
    stored = sandbox.store.sales_invoices(ADM_KORENAAR)
    assert [s.reference for s in stored] == ["F2025-001", "F2025-003"]
    assert stored[0].total == Decimal("242.00") and "<SalesInvoice" in stored[0].xml


def test_sales_document_failing_the_xsd_fails_every_invoice(sandbox: Sandbox) -> None:
    bad = sales_invoice("F-9").replace("<InvoiceLines>", "<Oops/><InvoiceLines>")
    with YukiClient(sandbox.settings("domain")) as yuki:
        result = yuki.process_sales_invoices(sales_document(sales_invoice("F-8"), bad),
                                             ADM_KORENAAR)
    assert (result.total_succeeded, result.total_failed) == (0, 2)
    assert all(i.message.startswith("XML validation failed") for i in result.invoices)
    assert sandbox.store.sales_invoices() == []


def test_journal_booked_and_rejected(sandbox: Sandbox) -> None:
    with YukiClient(sandbox.settings("domain")) as yuki:
        guid = yuki.process_journal(journal_document(BALANCED), ADM_KORENAAR)
        with pytest.raises(DocumentRejected, match="does not balance") as unbalanced:
            yuki.process_journal(journal_document([("2025-03-31", "4100", "10.00"),
                                                   ("2025-03-31", "1100", "-9.99")]),
                                 ADM_KORENAAR)
        with pytest.raises(DocumentRejected, match="dated 2025-03-30 do not balance"):
            yuki.process_journal(journal_document([
                ("2025-03-30", "4100", "10.00"), ("2025-03-31", "1100", "-10.00")]), ADM_KORENAAR)
        with pytest.raises(DocumentRejected, match="'7777' does not exist"):
            yuki.process_journal(journal_document([("2025-03-31", "7777", "1.00"),
                                                   ("2025-03-31", "1100", "-1.00")]),
                                 ADM_KORENAAR)
    assert unbalanced.value.yuki_message.startswith("The journal does not balance")
    assert [j.guid for j in sandbox.store.journals()] == [guid]


def test_petty_cash(sandbox: Sandbox) -> None:
    statement = cash_statement("1000;Kas;CI;4510;;03-03-2025;Koffie en melk;-12,50;487,50",
                               "1000;;;8000;;04-03-2025;Contante verkoop;100;587.50")
    with YukiClient(sandbox.settings("administration")) as yuki:
        doc_id = yuki.import_statement(statement, ADM_KORENAAR)
        assert doc_id
        with pytest.raises(DocumentRejected, match="Onbekende kas 1100: Bank"):
            yuki.import_statement(cash_statement("1100;Bank;;;;03-03-2025;x;-1;0"), ADM_KORENAAR)
        with pytest.raises(DocumentRejected, match="column headers"):
            yuki.import_statement("Kas;Datum\n1000;03-03-2025\n", ADM_KORENAAR)
        with pytest.raises(DocumentRejected, match="dd-mm-yyyy"):
            yuki.import_statement(cash_statement("1000;;;;;2025-03-03;x;-1;0"), ADM_KORENAAR)
        yuki.import_single_statement_line(StatementLine(
            "1010", date(2025, 3, 5), "Wisselgeld", Decimal("-50.00"), "WG"))
        with pytest.raises(DocumentRejected, match="Onbekende kas 4100"):
            yuki.import_single_statement_line(StatementLine(
                "4100", datetime(2025, 3, 5, 10, 0), "x", Decimal("1")))
    lines = sandbox.store.cash_lines(ADM_KORENAAR)
    assert [(c.account, c.amount, c.statement_id is None) for c in lines] == [
        ("1000", Decimal("-12.50"), False), ("1000", Decimal("100"), False),
        ("1010", Decimal("-50.00"), True)]
    assert sandbox.store.cash_statements()[0].document_id == doc_id


def test_check_outstanding_item_finds_a_booked_invoice(sandbox: Sandbox) -> None:
    with YukiClient(sandbox.settings("domain")) as yuki:
        yuki.process_sales_invoices(sales_document(sales_invoice("F-77")), ADM_KORENAAR)
        items = yuki.check_outstanding_item("F-77")
        assert [(i.reference, i.open_amount) for i in items] == [("F-77", Decimal("242.00"))]
        assert yuki.check_outstanding_item("F-77", ADM_VASTGOED) == []
        assert yuki.check_outstanding_item("F-78") == []


# --- faults --------------------------------------------------------------------------------


def test_bad_key(sandbox: Sandbox) -> None:
    with (YukiClient(sandbox.settings("not-a-sandbox-key")) as yuki,
          pytest.raises(AccessDenied, match="Invalid access key")):
        yuki.administrations()


def test_no_rights_for_the_webservice(sandbox: Sandbox) -> None:
    with YukiClient(sandbox.settings("read-only")) as yuki:
        assert yuki.gl_account_scheme(ADM_VAN_DIJK)  # AccountingInfo: allowed
        with pytest.raises(NoRights, match="Accounting webservice"):
            yuki.process_journal(journal_document(BALANCED, administration=ADM_VAN_DIJK),
                                 ADM_VAN_DIJK)
    assert sandbox.store.journals() == []


def test_daily_limit_of_the_domain(make_sandbox) -> None:  # noqa: ANN001
    sandbox = make_sandbox(daily_limit=2)
    with YukiClient(sandbox.settings("domain")) as yuki:
        yuki.administrations()  # Authenticate + Administrations: the limit is reached
        with pytest.raises(DailyLimitExceeded) as caught:
            yuki.domains()
        assert caught.value.resumes_at.hour == 0 and caught.value.resumes_at > datetime.now(
            caught.value.resumes_at.tzinfo)
        # Yuki said no for today: the local budget now stops further calls itself
        with pytest.raises(BudgetExhausted):
            yuki.domains()
    assert sandbox.count("Domains") == 1
    sandbox.advance(24 * 3600)  # the sandbox's next day: its limit starts again
    with YukiClient(sandbox.settings("domain", state="tomorrow")) as yuki:
        assert yuki.domains()  # (a fresh local state: this machine's own day is not over)


def test_forced_daily_limit_fault(sandbox: Sandbox) -> None:
    sandbox.inject(daily_limit=True)
    with (YukiClient(sandbox.settings("domain")) as yuki,
          pytest.raises(DailyLimitExceeded, match="Daily limit exceeded")):
        yuki.administrations()
    sandbox.control("faults", method="DELETE")


def test_other_fault(sandbox: Sandbox) -> None:
    sandbox.inject(operation="Administrations",
                   fault="Domain Bakkerij De Korenaar has no active database")
    with (YukiClient(sandbox.settings("domain")) as yuki,
          pytest.raises(YukiFault, match="has no active database") as caught):
        yuki.administrations()
    assert type(caught.value) is YukiFault and caught.value.operation == "Administrations"


# --- sessions --------------------------------------------------------------------------------


def test_two_runs_share_one_authenticate(sandbox: Sandbox) -> None:
    for _ in range(2):
        with YukiClient(sandbox.settings("domain")) as yuki:
            yuki.administrations()
    assert sandbox.count("Authenticate") == 1 and sandbox.count("Administrations") == 2


def test_expired_session_authenticates_again_and_retries_once(sandbox: Sandbox) -> None:
    with YukiClient(sandbox.settings("domain")) as yuki:
        yuki.administrations()
    sandbox.advance(25 * 3600)  # the sandbox's clock: the session is now 25 hours old
    with YukiClient(sandbox.settings("domain")) as yuki:  # the local cache still trusts it
        guid = yuki.process_journal(journal_document(BALANCED), ADM_KORENAAR)
    outcomes = [c.outcome for c in sandbox.store.calls("ProcessJournal")]
    assert outcomes == ["fault: Session expired.", f"ok: journal {guid}"]
    assert sandbox.count("Authenticate") == 2 and len(sandbox.store.journals()) == 1


def test_a_second_session_fault_propagates(sandbox: Sandbox) -> None:
    sandbox.inject(operation="Administrations", fault="Invalid session ID.", count=2)
    with YukiClient(sandbox.settings("domain")) as yuki, pytest.raises(SessionExpired):
        yuki.administrations()
    assert sandbox.count("Administrations") == 2 and sandbox.count("Authenticate") == 2


# --- the local budget -------------------------------------------------------------------------


def test_budget_stops_before_calling(sandbox: Sandbox) -> None:
    settings = sandbox.settings("domain", daily_budget=3)
    with YukiClient(settings) as yuki:
        yuki.administrations()
        yuki.domains()
        assert (yuki.calls_today(), yuki.remaining()) == (3, 0)
        received = sandbox.count()
        with pytest.raises(BudgetExhausted, match="3 of 3"):
            yuki.process_journal(journal_document(BALANCED), ADM_KORENAAR)
    assert sandbox.count() == received  # nothing reached the sandbox
    assert sandbox.store.journals() == []


# --- transport ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_connection_refused_is_transient_and_not_counted(sandbox: Sandbox) -> None:
    settings = sandbox.settings("domain", base_url=f"http://127.0.0.1:{_free_port()}/ws/")
    with YukiClient(settings) as yuki:
        with pytest.raises(TransientError, match="connection refused"):
            yuki.administrations()
        assert yuki.calls_today() == 0


def test_http_500_before_processing_is_transient_and_retried(sandbox: Sandbox) -> None:
    sandbox.inject(operation="ProcessJournal", http_error=2)
    delays: list[float] = []
    with YukiClient(sandbox.settings("domain")) as yuki:
        guid = with_retries(lambda: yuki.process_journal(journal_document(BALANCED),
                                                         ADM_KORENAAR),
                            attempts=3, base_delay=0.5, sleep=delays.append)
    assert [j.guid for j in sandbox.store.journals()] == [guid]
    assert sandbox.count("ProcessJournal") == 3 and len(delays) == 2
    assert 0.25 <= delays[0] <= 0.75 and 0.5 <= delays[1] <= 1.5  # backoff with jitter


def test_dropped_connection_after_processing_is_ambiguous_and_never_retried(
        sandbox: Sandbox) -> None:
    sandbox.inject(operation="ProcessSalesInvoices", drop_after=1)
    with YukiClient(sandbox.settings("domain")) as yuki:
        with pytest.raises(AmbiguousOutcome, match="may or may not"):
            with_retries(lambda: yuki.process_sales_invoices(
                sales_document(sales_invoice("F-500")), ADM_KORENAAR), attempts=5,
                base_delay=0, sleep=lambda _: None)
        assert sandbox.count("ProcessSalesInvoices") == 1  # sent once, not retried
        # the invoice did arrive: the caller reconciles instead of resending
        assert [i.reference for i in yuki.check_outstanding_item("F-500")] == ["F-500"]


def test_a_dropped_connection_on_a_lookup_is_safe_to_retry(sandbox: Sandbox) -> None:
    """A lookup changes nothing in Yuki: whether or not it arrived, asking again is safe."""
    with YukiClient(sandbox.settings("domain")) as yuki:
        yuki.authenticate()
        host = sandbox.url.split("/")[2]
        for operation, lookup in [
                ("Administrations", lambda: yuki.administrations()),
                ("GetGLAccountScheme", lambda: yuki.gl_account_scheme(ADM_KORENAAR)),
                ("CheckOutstandingItemAdmin",
                 lambda: yuki.check_outstanding_item("F-1", ADM_KORENAAR))]:
            sandbox.inject(operation=operation, drop_after=1)
            with pytest.raises(TransientError) as caught:
                lookup()
            assert caught.value.message == (
                f"{operation} went out to Yuki at {host} but the connection closed without a"
                f" complete answer; {operation} changes nothing in Yuki, so trying again is"
                " safe")
            assert caught.value.exit_code == 4
            sandbox.inject(operation=operation, drop_after=1)
            with_retries(lookup, sleep=lambda _: None)
            assert sandbox.count(operation) == 3


def test_a_dropped_lookup_exits_4_and_says_so(yuki_env: Sandbox) -> None:
    yuki_env.inject(operation="Administrations", drop_after=1)
    result = run_cli("administrations")
    assert (result.code, result.stdout) == (4, "")
    assert "changes nothing in Yuki, so trying again is safe" in result.stderr


def test_no_answer_while_opening_a_session_is_safe_to_retry(sandbox: Sandbox) -> None:
    sandbox.inject(operation="Authenticate", drop_after=1)
    with YukiClient(sandbox.settings("domain")) as yuki:
        with pytest.raises(TransientError, match="ProcessJournal was not sent"):
            yuki.process_journal(journal_document(BALANCED), ADM_KORENAAR)
        assert sandbox.count("ProcessJournal") == 0
        with_retries(lambda: yuki.process_journal(journal_document(BALANCED), ADM_KORENAAR),
                     sleep=lambda _: None)
    assert len(sandbox.store.journals()) == 1


def test_read_timeout_after_sending_is_ambiguous(sandbox: Sandbox) -> None:
    sandbox.inject(operation="ProcessJournal", latency=1.0)
    with YukiClient(sandbox.settings("domain")) as yuki:
        yuki.administrations()  # the session, cached for the client below
    with (YukiClient(sandbox.settings("domain", deadline_scale=0.0025)) as yuki,
          pytest.raises(AmbiguousOutcome, match="no complete answer came within 0.3 s")):
        yuki.process_journal(journal_document(BALANCED), ADM_KORENAAR)


def test_hostile_answer_fails_cleanly(sandbox: Sandbox) -> None:
    sandbox.inject(operation="Administrations", respond={"status": 200, "body": BILLION_LAUGHS})
    with (YukiClient(sandbox.settings("domain")) as yuki,
          pytest.raises(UnreadableResponse, match="DTD") as caught):
        yuki.administrations()
    assert isinstance(caught.value, AmbiguousOutcome)
    assert "lollol" not in caught.value.message  # shown as it came, never expanded


# --- secrets ----------------------------------------------------------------------------------

SECRET_KEY = "SECRET-KEY-7f3a9c-RECOGNISABLE"


def test_secrets_never_shown(make_sandbox, caplog: pytest.LogCaptureFixture) -> None:  # noqa: ANN001
    config = load_config()
    extra = AccessKeyConf(name="secret", key=SECRET_KEY, level="domain",
                          domain_id=DOMAIN_KORENAAR)
    sandbox = make_sandbox(replace(config, keys=config.keys + (extra,)), daily_limit=20)
    caplog.set_level(logging.DEBUG)
    errors: list[Exception] = []

    def attempt(action, settings=None) -> None:  # noqa: ANN001
        with YukiClient(settings or sandbox.settings(SECRET_KEY)) as yuki:
            texts = [repr(yuki), str(yuki)]
            try:
                action(yuki)
            except Exception as exc:  # noqa: BLE001 (collect every error path)
                errors.append(exc)
            assert all(SECRET_KEY not in t for t in texts)

    attempt(lambda y: y.administrations())  # a session, reused below
    session_id = sandbox.store.session_ids()[-1]
    sandbox.inject(operation="Domains", fault=f"Session {session_id} is invalid for key"
                   f" {SECRET_KEY}", count=2)
    attempt(lambda y: y.domains())  # SessionExpired twice, echoing both secrets
    sandbox.inject(operation="Administrations", fault=f"Weird failure for {SECRET_KEY}")
    attempt(lambda y: y.administrations())  # YukiFault
    attempt(lambda y: y.process_journal(journal_document([("2025-03-31", "4100", "1")]),
                                        ADM_KORENAAR))  # DocumentRejected
    sandbox.inject(operation="Administrations", http_error=1)
    attempt(lambda y: y.administrations())  # TransientError
    sandbox.inject(operation="Administrations", drop_after=1)
    attempt(lambda y: y.administrations())  # Dropped, a TransientError
    sandbox.inject(operation="ProcessJournal", drop_after=1)
    attempt(lambda y: y.process_journal(journal_document(BALANCED),
                                        ADM_KORENAAR))  # AmbiguousOutcome
    attempt(lambda y: y.administrations(), sandbox.settings(SECRET_KEY, daily_budget=1,
                                                            state="budget"))  # Budget
    attempt(lambda y: y.administrations(), sandbox.settings(SECRET_KEY + "-wrong"))  # denied
    attempt(lambda y: y.process_sales_invoices("<not xml", ADM_KORENAAR))
    sandbox.inject(daily_limit=True)
    attempt(lambda y: y.administrations())  # DailyLimitExceeded
    kinds = {type(e).__name__ for e in errors}
    assert kinds >= {"SessionExpired", "YukiFault", "DocumentRejected", "TransientError",
                     "AmbiguousOutcome", "BudgetExhausted", "AccessDenied", "DocumentError",
                     "DailyLimitExceeded"}, kinds
    session_ids = sandbox.store.session_ids()
    shown = [str(e) for e in errors] + [repr(e) for e in errors] + [
        str(getattr(e, "faultstring", "")) + str(getattr(e, "hint", "")) for e in errors]
    # the sandbox's own log shows the faults it answered (it plays Yuki); yukimap's must not
    shown += [r.getMessage() for r in caplog.records if not r.name.startswith("yukimap.sandbox")]
    for text in shown:
        assert SECRET_KEY not in text
        assert not any(sid in text for sid in session_ids), text
    assert any("***" in str(e) for e in errors)  # the echoed secrets were redacted


# --- a sandbox started by hand ----------------------------------------------------------------


def test_sandbox_as_a_subprocess_with_the_cli(tmp_path: Path) -> None:
    env = {**os.environ, "YUKIMAP_STATE": str(tmp_path / "state"),
           "YUKIMAP_CONFIG": str(tmp_path / "config.yaml"),
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    (tmp_path / "config.yaml").write_text("{}\n")
    db = tmp_path / "sandbox.sqlite"
    process = subprocess.Popen(
        [sys.executable, "-m", "yukimap", "sandbox", "--port", "0", "--db", str(db),
         "--daily-limit", "50"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
        text=True)
    try:
        url = None
        for line in process.stdout:  # type: ignore[union-attr]
            if line.startswith("URL:"):
                url = line.split()[1]
                break
        assert url and url.startswith("http://127.0.0.1:")
        env |= {"YUKI_BASE_URL": url, "YUKI_ACCESS_KEY": "5a4db0c5-0000-4e00-8000-00000000d001"}
        shown = subprocess.run([sys.executable, "-m", "yukimap", "administrations"], env=env,
                               capture_output=True, text=True, timeout=60)
        assert shown.returncode == 0, shown.stderr
        assert ADM_KORENAAR in shown.stdout and "This cost 2 calls" in shown.stdout
        status = subprocess.run([sys.executable, "-m", "yukimap", "status"], env=env,
                                capture_output=True, text=True, timeout=60)
        assert "2 used, 998 left of 1000" in status.stdout
        assert "5a4db0c5-0000-4e00-8000-00000000d001" not in status.stdout
    finally:
        process.terminate()
        process.wait(timeout=10)
    listed = subprocess.run([sys.executable, "-m", "yukimap", "sandbox", "--list", "--db",
                             str(db)], env=env, capture_output=True, text=True, timeout=60)
    assert "Calls received: 2 (2 counted)" in listed.stdout
