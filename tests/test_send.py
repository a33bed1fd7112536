"""`yukimap send` against the sandbox over real HTTP: each document exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from tests.sandbox_fixtures import ADM_KORENAAR, Sandbox
from yukimap.budget import yuki_day
from yukimap.client import YukiClient
from yukimap.send import ALREADY_SENT, AWAITING, LOOKUPS_PER_DAY, NOT_SENT, Receipt, send_file
from yukimap.sendlog import REJECTED, SENT, UNKNOWN, SendLog
from yukimap.settings import Settings

MAPPING = """
version: 1
target: sales_invoices
source: {delimiter: ";", decimal_mark: ","}
group_by: Order
invoice:
  Reference: {column: Order, required: true}
  Process: true
  Date: {column: Date}
  Contact: {FullName: {column: Customer}}
lines:
  ProductQuantity: {column: Qty}
  Product:
    Description: {column: Item}
    SalesPrice: {column: Price}
    VATPercentage: {column: VAT}
    VATIncluded: true
    VATType: {column: VAT, map: {"21": 1, "9": 2}}
"""
HEADER = "Order;Date;Customer;Qty;Item;Price;VAT\n"


def orders(numbers: range | list[str], item: str = "Mok") -> str:
    return HEADER + "".join(f"{n};2024-11-0{1 + i % 9};Klant {n};2;{item};12,50;21\n"
                            f"{n};;;1;Thee;4,50;9\n" for i, n in enumerate(numbers))


@pytest.fixture(params=["whole", "in slices"])
def setup(request: pytest.FixtureRequest, sandbox: Sandbox, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> tuple[Sandbox, Settings, Path]:
    """Each test's files sent whole, and in slices (of 64 bytes: an export of two invoices
    and more is read a slice at a time, its slices kept on disk until their calls go out:
    send/source.py)."""
    if request.param == "in slices":
        monkeypatch.setenv("YUKIMAP_SLICE_BYTES", "64")
    (tmp_path / "m.yaml").write_text(MAPPING)
    settings = sandbox.settings("domain", state="state")
    return sandbox, settings, tmp_path


def send(settings: Settings, path: Path, mapping: Path, **options: object) -> Receipt:
    options.setdefault("administration", ADM_KORENAAR)
    options.setdefault("retry_delay", 0.01)
    return send_file(path, str(mapping), settings, **options)  # type: ignore[arg-type]


def states(receipt: Receipt) -> dict[str, str]:
    return {o.key: o.state for o in receipt.documents}


def stored(sandbox: Sandbox) -> list[str]:
    return sorted(i.reference for i in sandbox.store.sales_invoices(ADM_KORENAAR))


def test_send_twice_makes_no_second_document_call(setup: tuple[Sandbox, Settings, Path]) -> None:
    sandbox, settings, tmp = setup
    (tmp / "orders.csv").write_text(orders(range(1001, 1006)))
    first = send(settings, tmp / "orders.csv", tmp / "m.yaml", batch_size=2)
    assert set(states(first).values()) == {SENT}
    assert sandbox.count("ProcessSalesInvoices") == 3  # 5 invoices, 2 a call
    calls = len(sandbox.store.calls())
    second = send(settings, tmp / "orders.csv", tmp / "m.yaml", batch_size=2)
    assert set(states(second).values()) == {ALREADY_SENT}
    assert len(sandbox.store.calls()) == calls  # no call at all, not even Authenticate
    assert second.calls_used == 0
    assert stored(sandbox) == [str(n) for n in range(1001, 1006)]


def test_a_renamed_re_export_is_not_resent(setup: tuple[Sandbox, Settings, Path]) -> None:
    sandbox, settings, tmp = setup
    (tmp / "orders.csv").write_text(orders(range(1001, 1004)))
    send(settings, tmp / "orders.csv", tmp / "m.yaml")
    (tmp / "export-tuesday.csv").write_text(orders(range(1002, 1006)))  # overlaps 1002-1003
    receipt = send(settings, tmp / "export-tuesday.csv", tmp / "m.yaml")
    assert states(receipt) == {"invoice:1002": ALREADY_SENT, "invoice:1003": ALREADY_SENT,
                               "invoice:1004": SENT, "invoice:1005": SENT}
    assert stored(sandbox) == ["1001", "1002", "1003", "1004", "1005"]


def test_one_bad_invoice_in_a_batch(setup: tuple[Sandbox, Settings, Path]) -> None:
    sandbox, settings, tmp = setup
    # invoice 1003 was already booked by another program: the sandbox refuses it alone
    (tmp / "other.csv").write_text(orders(["1003"]))
    send(replace(settings, state_dir=tmp / "other-state"), tmp / "other.csv", tmp / "m.yaml")
    (tmp / "orders.csv").write_text(orders(range(1001, 1006)))
    receipt = send(settings, tmp / "orders.csv", tmp / "m.yaml")
    assert states(receipt) == {"invoice:1001": SENT, "invoice:1002": SENT,
                               "invoice:1003": REJECTED, "invoice:1004": SENT,
                               "invoice:1005": SENT}
    [bad] = [o for o in receipt.documents if o.state == REJECTED]
    assert tuple(bad.rows) == (6, 7) and "1003" in (bad.message or "")
    # fixed (a new invoice number), the rerun sends only that one
    (tmp / "orders.csv").write_text(orders(["1001", "1002", "1003-B", "1004", "1005"]))
    rerun = send(settings, tmp / "orders.csv", tmp / "m.yaml")
    assert [o.key for o in rerun.documents if o.state == SENT] == ["invoice:1003-B"]
    assert sandbox.count("ProcessSalesInvoices") == 3  # other program, first run, rerun


def test_write_rejected_and_the_json_receipt(setup: tuple[Sandbox, Settings, Path],
                                             yuki_env: Sandbox) -> None:
    sandbox, settings, tmp = setup
    (tmp / "other.csv").write_text(orders(["1002"]))
    send(replace(settings, state_dir=tmp / "other-state"), tmp / "other.csv", tmp / "m.yaml")
    (tmp / "orders.csv").write_text(orders(range(1001, 1004)))
    result = run_cli("send", tmp / "orders.csv", "-m", tmp / "m.yaml", "-a", ADM_KORENAAR,
                     "--write-rejected", tmp / "fix.csv", "--receipt", tmp / "receipt.json")
    assert result.code == 1  # something was rejected
    assert "rejected                          1" in result.stdout
    assert (tmp / "fix.csv").read_text() == HEADER + "1002;2024-11-02;Klant 1002;2;Mok;12,50;21\n" \
        "1002;;;1;Thee;4,50;9\n"
    receipt = json.loads((tmp / "receipt.json").read_text())
    assert {d["key"]: d["state"] for d in receipt["documents"]} == {
        "invoice:1001": "SENT", "invoice:1002": "REJECTED", "invoice:1003": "SENT"}
    assert receipt["calls_used"] >= 1


def test_a_dropped_connection_is_reconciled_without_a_second_send(
        setup: tuple[Sandbox, Settings, Path]) -> None:
    sandbox, settings, tmp = setup
    (tmp / "orders.csv").write_text(orders(range(1001, 1004)))
    sandbox.inject(operation="ProcessSalesInvoices", drop_after=1)
    receipt = send(settings, tmp / "orders.csv", tmp / "m.yaml")
    assert set(states(receipt).values()) == {SENT}
    assert all("found in Yuki" in (o.message or "") for o in receipt.documents)
    assert sandbox.count("ProcessSalesInvoices") == 1
    assert sandbox.count("CheckOutstandingItemAdmin") == 3
    assert stored(sandbox) == ["1001", "1002", "1003"]


def test_an_unknown_journal_waits_for_a_person(setup: tuple[Sandbox, Settings, Path]) -> None:
    sandbox, settings, _ = setup
    sandbox.inject(operation="ProcessJournal", drop_after=1)
    first = send(settings, REPO / "examples/bank-ing.csv", REPO / "mappings/bank-ing.yaml")
    [outcome] = first.documents
    assert outcome.state == UNKNOWN
    again = send(settings, REPO / "examples/bank-ing.csv", REPO / "mappings/bank-ing.yaml")
    assert [o.state for o in again.documents] == [AWAITING]
    assert sandbox.count("ProcessJournal") == 1  # never resent blindly
    with SendLog(settings.state_dir) as log:
        assert [e.id for e in log.unknown()] == [outcome.log_id]


def test_http_500_before_processing_is_retried_once(setup: tuple[Sandbox, Settings, Path]) -> None:
    sandbox, settings, tmp = setup
    (tmp / "orders.csv").write_text(orders(range(1001, 1003)))
    sandbox.inject(operation="ProcessSalesInvoices", http_error=1)
    receipt = send(settings, tmp / "orders.csv", tmp / "m.yaml")
    assert set(states(receipt).values()) == {SENT}
    assert sandbox.count("ProcessSalesInvoices") == 2  # the refused one and the retry
    assert stored(sandbox) == ["1001", "1002"]


def test_the_daily_limit_stops_the_run_and_the_rest_goes_later(
        make_sandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(daily_limit=5)  # Authenticate, VAT codes, then 3 invoice calls
    settings = sandbox.settings("domain", state="state")
    (tmp_path / "m.yaml").write_text(MAPPING)
    (tmp_path / "orders.csv").write_text(orders(range(1001, 1006)))
    first = send(settings, tmp_path / "orders.csv", tmp_path / "m.yaml", batch_size=1)
    assert list(states(first).values()) == [SENT, SENT, SENT, NOT_SENT, NOT_SENT]
    assert "limit" in (first.stopped or "").lower() and "resets at midnight" in first.stopped
    assert first.calls_used == 6 and first.calls_left == 0  # 5 answered, the 6th refused
    assert stored(sandbox) == ["1001", "1002", "1003"]
    sandbox.advance(24 * 3600)  # the next day, for Yuki ...
    (settings.state_dir / "calls.sqlite").unlink()  # ... and for yukimap's own counter
    later = send(settings, tmp_path / "orders.csv", tmp_path / "m.yaml", batch_size=1)
    assert list(states(later).values()) == [ALREADY_SENT] * 3 + [SENT, SENT]
    assert stored(sandbox) == ["1001", "1002", "1003", "1004", "1005"]


def test_dry_run_calls_nothing_and_counts_the_calls(setup: tuple[Sandbox, Settings, Path]) -> None:
    sandbox, settings, tmp = setup
    (tmp / "orders.csv").write_text(orders(range(1001, 1011)))
    receipt = send(settings, tmp / "orders.csv", tmp / "m.yaml", dry_run=True, batch_size=4)
    assert receipt.calls_planned == 3 and len(sandbox.store.calls()) == 0
    assert {o.state for o in receipt.documents} == {"WOULD SEND"}


def test_force_sends_again_and_says_so(setup: tuple[Sandbox, Settings, Path]) -> None:
    sandbox, settings, tmp = setup
    (tmp / "orders.csv").write_text(orders(["1001"]))
    send(settings, tmp / "orders.csv", tmp / "m.yaml")
    forced = send(settings, tmp / "orders.csv", tmp / "m.yaml", force=True)
    [outcome] = forced.documents
    assert outcome.forced and sandbox.count("ProcessSalesInvoices") == 2


def test_resolve_decides_an_unknown_document(setup: tuple[Sandbox, Settings, Path],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox, settings, _ = setup
    sandbox.inject(operation="ProcessJournal", drop_after=1)
    [outcome] = send(settings, REPO / "examples/bank-ing.csv",
                     REPO / "mappings/bank-ing.yaml").documents
    monkeypatch.setenv("YUKIMAP_STATE", str(settings.state_dir))
    result = run_cli("resolve", str(outcome.log_id), "--not-sent", "--state",
                     settings.state_dir)
    assert result.code == 0 and "is now PENDING" in result.stdout
    again = send(settings, REPO / "examples/bank-ing.csv", REPO / "mappings/bank-ing.yaml")
    assert [o.state for o in again.documents] == [SENT]
    assert len(sandbox.store.journals(ADM_KORENAAR)) == 2  # the dropped one was stored too:
    # the person said it was not there, and the journal records that decision


def test_a_crash_during_a_send_loses_nothing_and_sends_nothing_twice(
        setup: tuple[Sandbox, Settings, Path]) -> None:
    sandbox, settings, tmp = setup
    (tmp / "orders.csv").write_text(orders(range(1001, 1007)))
    (tmp / "config.yaml").write_text("{}\n")
    env = {**os.environ, "PYTHONPATH": str(REPO), "YUKI_BASE_URL": sandbox.url,
           "YUKI_ACCESS_KEY": sandbox.key("domain"), "YUKIMAP_STATE": str(settings.state_dir),
           "YUKIMAP_CONFIG": str(tmp / "config.yaml")}
    sandbox.inject(operation="ProcessSalesInvoices", latency=30)  # answers only after 30 s
    process = subprocess.Popen(
        [sys.executable, "-m", "yukimap", "send", str(tmp / "orders.csv"), "-m",
         str(tmp / "m.yaml"), "-a", ADM_KORENAAR, "--batch-size", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while sandbox.count("ProcessSalesInvoices") < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sandbox.count("ProcessSalesInvoices") == 1, process.communicate(timeout=5)
    time.sleep(0.3)  # the sandbox has processed and stored the batch; no answer yet
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    sandbox.control("faults", method="DELETE")
    with SendLog(settings.state_dir) as log:
        in_flight = log.lookup(ADM_KORENAAR, ["invoice:1001", "invoice:1002"])
        assert {e.state for e in in_flight.values()} == {"SENDING"}
    after = send(settings, tmp / "orders.csv", tmp / "m.yaml", batch_size=2)
    assert set(states(after).values()) == {SENT}
    assert stored(sandbox) == [str(n) for n in range(1001, 1007)]  # each exactly once
    assert sandbox.count("ProcessSalesInvoices") == 3  # the killed call, then two batches


def test_dry_run_with_an_unknown_administration_name_calls_nothing(
        setup: tuple[Sandbox, Settings, Path]) -> None:
    sandbox, settings, tmp = setup
    (tmp / "orders.csv").write_text(orders(["1001"]))
    receipt = send(settings, tmp / "orders.csv", tmp / "m.yaml", dry_run=True,
                   administration="Bakkerij De Korenaar B.V.")
    assert len(sandbox.store.calls()) == 0 and receipt.calls_planned == 2
    assert "looks it up" in (receipt.stopped or "")
    real = send(settings, tmp / "orders.csv", tmp / "m.yaml",
                administration="Bakkerij De Korenaar B.V.")
    assert real.file_seen_before is None  # the dry run wrote nothing
    assert [o.state for o in real.documents] == [SENT]


def test_digits_are_a_chamber_of_commerce_number(setup: tuple[Sandbox, Settings, Path],
                                                  yuki_env: Sandbox) -> None:
    """As for convert and check: a GUID is an ID, digits a Chamber of Commerce number (found
    in Yuki's Administrations list once, then remembered), anything else a name."""
    sandbox, settings, tmp = setup
    (tmp / "orders.csv").write_text(orders(["1001"]))
    receipt = send(settings, tmp / "orders.csv", tmp / "m.yaml", administration="12345678")
    assert (receipt.administration, receipt.administration_name) == (ADM_KORENAAR, "12345678")
    assert [o.state for o in receipt.documents] == [SENT] and stored(sandbox) == ["1001"]
    assert sandbox.count("Administrations") == 1
    (tmp / "orders.csv").write_text(orders(["1002"]))
    again = send(settings, tmp / "orders.csv", tmp / "m.yaml", administration="12345678")
    assert [o.state for o in again.documents] == [SENT] and sandbox.count("Administrations") == 1
    journal = run_cli("send", REPO / "examples/bank-ing.csv", "-m", REPO / "mappings/bank-ing.yaml",
                      "-a", "12345678")
    assert journal.code == 0, journal.stderr
    assert len(sandbox.store.journals(ADM_KORENAAR)) == 1


def test_a_chamber_of_commerce_number_yuki_does_not_know(
        setup: tuple[Sandbox, Settings, Path], yuki_env: Sandbox) -> None:
    sandbox, settings, tmp = setup
    (tmp / "orders.csv").write_text(orders(["1001"]))
    result = run_cli("send", tmp / "orders.csv", "-m", tmp / "m.yaml", "-a", "99999999")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == (
        "error: the access key sees no administration with Chamber of Commerce number"
        " 99999999\n"
        "  fix: administrations this key can see, with their Chamber of Commerce numbers:"
        " Bakkerij De Korenaar B.V. (12345678), De Korenaar Vastgoed B.V. (23456789)\n")
    assert sandbox.count("ProcessSalesInvoices") == 0


# --- losing the send journal never leads to a double booking (real files, real sends) -----

BANK = (REPO / "examples/bank-ing.csv", REPO / "mappings/bank-ing.yaml")
CASH = (REPO / "examples/cash-book.csv", REPO / "mappings/cash-book.yaml")


def booked(sandbox: Sandbox) -> tuple[int, int, int]:
    store = sandbox.store
    return (len(store.journals(ADM_KORENAAR)), len(store.cash_statements(ADM_KORENAAR)),
            len(store.sales_invoices(ADM_KORENAAR)))


def send_three(settings: Settings, tmp: Path) -> list[Receipt]:
    """A journal, a petty cash statement and three sales invoices."""
    (tmp / "orders.csv").write_text(orders(range(1001, 1004)))
    return [send(settings, *BANK), send(settings, *CASH),
            send(settings, tmp / "orders.csv", tmp / "m.yaml")]


def test_a_deleted_or_emptied_journal_is_rebuilt_from_its_ledger(
        setup: tuple[Sandbox, Settings, Path]) -> None:
    sandbox, settings, tmp = setup
    send_three(settings, tmp)
    journal = settings.state_dir / "sends.sqlite"
    for lose in (journal.unlink, lambda: journal.write_bytes(b"")):
        lose()
        bank, cash, invoices = send_three(settings, tmp)
        assert bank.journal == (f"sends.sqlite in {settings.state_dir} was missing or empty;"
                                " rebuilt from its ledger sends.ledger: 5 document(s), 5 of"
                                " them sent")
        assert cash.journal is None and invoices.journal is None
        assert {o.state for r in (bank, cash, invoices) for o in r.documents} == {ALREADY_SENT}
    assert booked(sandbox) == (1, 1, 3)
    assert sandbox.count("ProcessJournal") == sandbox.count("ImportStatement") == 1


def test_each_answer_of_a_call_is_its_documents_own_in_the_journal_and_its_ledger(
        setup: tuple[Sandbox, Settings, Path]) -> None:
    """A call's answers are written together (one commit, one sync of the ledger), each
    document with its own state, message and Yuki ID: a journal rebuilt from the ledger
    holds the same."""
    _, settings, tmp = setup
    (tmp / "other.csv").write_text(orders(["1003"]))  # booked by another program
    send(replace(settings, state_dir=tmp / "other-state"), tmp / "other.csv", tmp / "m.yaml")
    (tmp / "orders.csv").write_text(orders(range(1001, 1006)))
    send(settings, tmp / "orders.csv", tmp / "m.yaml")
    keys = [f"invoice:{n}" for n in range(1001, 1006)]

    def known() -> list[tuple[str, str | None, str | None]]:
        with SendLog(settings.state_dir) as log:
            log.check_ledger()
            found = log.lookup(ADM_KORENAAR, keys)
            return [(found[k].state, found[k].message, found[k].yuki_ref) for k in keys]

    before = known()
    assert [state for state, _, _ in before] == [SENT, SENT, REJECTED, SENT, SENT]
    assert [ref for state, _, ref in before if state == SENT] == ["1001", "1002", "1004", "1005"]
    assert "1003" in (before[2][1] or "")
    (settings.state_dir / "sends.sqlite").unlink()
    assert known() == before


def test_an_older_copy_of_the_journal_is_brought_up_to_date(
        setup: tuple[Sandbox, Settings, Path]) -> None:
    sandbox, settings, tmp = setup
    (tmp / "orders.csv").write_text(orders(["1001"]))
    send(settings, tmp / "orders.csv", tmp / "m.yaml")
    journal = settings.state_dir / "sends.sqlite"
    older = journal.read_bytes()
    send(settings, *BANK)
    send(settings, *CASH)
    journal.write_bytes(older)
    bank = send(settings, *BANK)
    assert bank.journal == (f"sends.sqlite in {settings.state_dir} was behind its ledger (an"
                            " older copy?); brought up to date from sends.ledger: 4 change(s)")
    assert [o.state for o in [*bank.documents, *send(settings, *CASH).documents]] == [
        ALREADY_SENT] * 2
    assert booked(sandbox) == (1, 1, 1)


def test_journal_and_ledger_lost_the_call_counter_holds_what_may_be_in_yuki(
        setup: tuple[Sandbox, Settings, Path]) -> None:
    sandbox, settings, tmp = setup
    send_three(settings, tmp)
    for name in ("sends.sqlite", "sends.ledger"):
        (settings.state_dir / name).unlink()
    calls = len(sandbox.store.calls())
    [dry] = send(settings, *BANK, dry_run=True).documents  # says so, and calls nothing
    assert dry.state == AWAITING and len(sandbox.store.calls()) == calls
    bank, cash, invoices = send_three(settings, tmp)
    received = datetime.fromisoformat(sandbox.store.journals(ADM_KORENAAR)[0].received_at)
    day = yuki_day(received if received.tzinfo else received.replace(tzinfo=UTC))
    counter = ("yukimap's call counter shows document calls to this administration that the"
               f" send journal does not know (the last on {day})")
    assert bank.journal == (f"{counter} (were the journal and its ledger lost?): the 1"
                            " document(s) it does not know await a decision (yukimap status)")
    assert [(o.state, o.message) for o in [*bank.documents, *cash.documents]] == [
        (UNKNOWN, f"{counter}: it may be in Yuki already")] * 2
    assert {o.state for o in invoices.documents} == {SENT}  # looked up: found in Yuki
    assert booked(sandbox) == (1, 1, 3)
    (tmp / "new.csv").write_text(orders(["2001"]))  # new to the journal: held too
    [new] = send(settings, tmp / "new.csv", tmp / "m.yaml").documents
    assert new.state == UNKNOWN and sandbox.count("ProcessSalesInvoices") == 1
    with SendLog(settings.state_dir) as log:  # a person decides every held document ...
        log.mark(None, [e.id for e in log.unknown()], SENT, "decided by hand")
    (tmp / "later.csv").write_text(orders(["2002"]))  # ... and from then on all is normal
    assert [o.state for o in send(settings, tmp / "later.csv", tmp / "m.yaml").documents] == [
        SENT]


def test_a_journal_from_another_state_folder_holds_what_the_ledger_knows(
        setup: tuple[Sandbox, Settings, Path]) -> None:
    sandbox, settings, tmp = setup
    send(settings, *BANK)
    other = replace(settings, state_dir=tmp / "other")
    send(other, *CASH)
    (other.state_dir / "sends.sqlite").replace(settings.state_dir / "sends.sqlite")
    held = send(settings, *BANK)
    [ledger] = [p.name for p in settings.state_dir.glob("sends.ledger.*")]
    assert held.journal == (
        f"sends.sqlite in {settings.state_dir} and the ledger sends.ledger belong to different"
        " journals; 1 document(s) that the ledger knows as sent, or maybe sent, now await a"
        f" decision (yukimap status); that ledger was kept as {ledger}")
    [outcome] = held.documents
    assert outcome.state == AWAITING
    assert (outcome.message or "").startswith("the ledger of another send journal says SENT on")
    assert [o.state for o in send(settings, *CASH).documents] == [ALREADY_SENT]
    assert booked(sandbox) == (1, 1, 0)


# --- UNKNOWN at scale: lookups budgeted per day, decisions many at once --------------------


def unknown_invoices(settings: Settings, tmp: Path, numbers: range) -> None:
    """Invoices whose call's outcome was unknown, that Yuki does not have (so a lookup does
    not find them): recorded as a run that lost its answers would have left them."""
    (tmp / "orders.csv").write_text(orders(numbers))
    with SendLog(settings.state_dir) as log:
        file_id, _ = log.file("0" * 64, "orders.csv", 1)
        run = log.start_run(file_id, "orders.csv", "m.yaml", "sales_invoices", ADM_KORENAAR)
        ids = log.register(run, file_id, ADM_KORENAAR, [
            (f"invoice:{n}", "sales_invoices", f"invoice {n}", (2,), "") for n in numbers])
        log.mark(run, list(ids.values()), UNKNOWN, "no answer")


def test_lookups_are_budgeted_per_day_not_per_run(setup: tuple[Sandbox, Settings, Path]) -> None:
    sandbox, settings, tmp = setup
    unknown_invoices(settings, tmp, range(1001, 1031))
    first = send(settings, tmp / "orders.csv", tmp / "m.yaml")
    assert sandbox.count("CheckOutstandingItemAdmin") == LOOKUPS_PER_DAY == 25
    assert {o.state for o in first.documents} == {AWAITING}
    again = send(settings, tmp / "orders.csv", tmp / "m.yaml")  # not again today
    assert sandbox.count("CheckOutstandingItemAdmin") == 25
    assert {o.state for o in again.documents} == {AWAITING}
    assert again.calls_used == 0


def test_lookups_stop_at_the_first_that_cannot_reach_yuki(
        setup: tuple[Sandbox, Settings, Path]) -> None:
    """Yuki hangs: one lookup runs out of time, the rest wait for the next run (not 25
    lookups of 30 s each), and none of them counts as tried today."""
    sandbox, settings, tmp = setup
    unknown_invoices(settings, tmp, range(1001, 1006))
    with YukiClient(settings) as yuki:
        yuki.authenticate()  # the session, cached for the run below
    sandbox.inject(operation="CheckOutstandingItemAdmin", latency=1.0)
    hanging = send(replace(settings, deadline_scale=0.01), tmp / "orders.csv", tmp / "m.yaml")
    assert sandbox.count("CheckOutstandingItemAdmin") == 1
    assert {o.state for o in hanging.documents} == {AWAITING}
    sandbox.inject(operation="CheckOutstandingItemAdmin", latency=0)
    send(settings, tmp / "orders.csv", tmp / "m.yaml")
    assert sandbox.count("CheckOutstandingItemAdmin") == 1 + 5


# --- several files in one run, each call's document rendered once ---------------------------


def test_files_of_one_run_share_their_calls(setup: tuple[Sandbox, Settings, Path]) -> None:
    """Three files of 20 invoices each go out in one call of 60: calls are counted per
    invoice, not per file; each file gets its own receipt."""
    from yukimap.send import send_files

    sandbox, settings, tmp = setup
    paths = []
    for n in range(3):
        paths.append(tmp / f"orders-{n}.csv")
        paths[-1].write_text(orders(range(2000 + 20 * n, 2020 + 20 * n)))
    receipts = send_files(paths, str(tmp / "m.yaml"), settings, administration=ADM_KORENAAR)
    assert [set(states(r).values()) for r in receipts] == [{SENT}] * 3  # type: ignore[arg-type]
    assert [len(r.documents) for r in receipts] == [20, 20, 20]  # type: ignore[union-attr]
    assert sandbox.count("ProcessSalesInvoices") == 1
    assert len(stored(sandbox)) == 60
    with SendLog(settings.state_dir) as log:
        runs = log.recent(5)
    assert sorted(r["file"] for r in runs) == ["orders-0.csv", "orders-1.csv", "orders-2.csv"]


def test_a_document_in_two_files_of_one_run_is_sent_once(
        setup: tuple[Sandbox, Settings, Path]) -> None:
    """A re-export beside the export it repeats (the daemon takes both in one run): the
    invoice both hold goes once; the second file's receipt says it was sent before, never
    that Yuki refused it (found by `make soak`: both files failed, one invoice booked)."""
    from yukimap.send import send_files

    sandbox, settings, tmp = setup
    first, again = tmp / "orders.csv", tmp / "orders-again.csv"
    first.write_text(orders(range(4000, 4003)))
    again.write_text(orders([4002, 4003]))
    receipts = send_files([first, again], str(tmp / "m.yaml"), settings,
                          administration=ADM_KORENAAR)
    assert states(receipts[0]) == {  # type: ignore[arg-type]
        "invoice:4000": SENT, "invoice:4001": SENT, "invoice:4002": SENT}
    assert states(receipts[1]) == {  # type: ignore[arg-type]
        "invoice:4002": ALREADY_SENT, "invoice:4003": SENT}
    assert stored(sandbox) == ["4000", "4001", "4002", "4003"]


def test_a_bad_file_fails_alone(setup: tuple[Sandbox, Settings, Path]) -> None:
    """A file the administration does not know what of (an unknown VAT type) fails with its
    own error; the other files of the run are sent."""
    from yukimap.errors import DataError
    from yukimap.send import send_files

    sandbox, settings, tmp = setup
    good, bad = tmp / "good.csv", tmp / "bad.csv"
    good.write_text(orders(range(3000, 3003)))
    bad.write_text(HEADER + "3100;2024-11-01;Klant;1;Mok;12,50;7\n")  # 7% is no VAT rate
    (tmp / "m.yaml").write_text(MAPPING.replace('{"21": 1, "9": 2}', '{"21": 1, "9": 2, "7": 2}'))
    outcomes = send_files([bad, good], str(tmp / "m.yaml"), settings,
                          administration=ADM_KORENAAR)
    assert isinstance(outcomes[0], DataError)
    assert "pre-flight against the administration" in outcomes[0].message
    assert set(states(outcomes[1]).values()) == {SENT}  # type: ignore[arg-type]
    assert stored(sandbox) == ["3000", "3001", "3002"]


def test_each_call_is_rendered_once(setup: tuple[Sandbox, Settings, Path],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """send renders and validates what each call carries once, before the first call, and
    hands exactly those bytes to the SOAP client (the documents already sent are not
    rendered at all)."""
    import yukimap.output as output

    renderings: list[int] = []
    real = output.render

    def counted(template: object, context: dict[str, object]) -> str:
        text = real(template, context)  # type: ignore[arg-type]
        renderings.append(text.count("<SalesInvoice>"))  # the documents it rendered
        return text

    monkeypatch.setattr(output, "render", counted)
    sandbox, settings, tmp = setup
    (tmp / "orders.csv").write_text(orders(range(4000, 4005)))
    send(settings, tmp / "orders.csv", tmp / "m.yaml", batch_size=2)
    assert renderings == [2, 2, 1]
    (tmp / "more.csv").write_text(orders(range(4000, 4007)))
    renderings.clear()
    send(settings, tmp / "more.csv", tmp / "m.yaml", batch_size=2)
    assert renderings == [2]  # only the two new invoices, once
    assert stored(sandbox) == [str(n) for n in range(4000, 4007)]
