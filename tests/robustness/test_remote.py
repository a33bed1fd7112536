"""Talking to Yuki within bounded time, through the real command line: hostile servers on
127.0.0.1 that never answer, trickle their answer a byte at a time, or answer nonsense.
The time limits are shrunk with YUKIMAP_DEADLINE_SCALE so each case takes a few seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.robustness.conftest import Bounded, Write
from tests.robustness.hostile import (
    Behaviour,
    Hostile,
    answer,
    echo_page,
    silent,
    trickle_body,
)
from tests.sandbox_fixtures import ADM_KORENAAR, Sandbox
from tests.test_send import MAPPING, orders

KEY = "SECRET-KEY-remote-4d1f-RECOGNISABLE"
SCALE = "0.05"  # a lookup may take 1.5 s, two sales invoices 3.15 s
QUICK = "0.02"  # Authenticate 0.6 s, when the server does not wait for the sandbox
SLOW = ("  fix: try again later; if Yuki is often this slow, set YUKIMAP_DEADLINE_SCALE=2 to"
        " give every call twice its time limit")


def yuki_env(server: Hostile, key: str = KEY, scale: str = SCALE) -> dict[str, str]:
    return {"YUKI_BASE_URL": server.url, "YUKI_ACCESS_KEY": key,
            "YUKIMAP_DEADLINE_SCALE": scale}


@pytest.fixture
def hostile() -> Iterator[Callable[..., Hostile]]:
    started: list[Hostile] = []

    def start(behaviours: dict[str, Behaviour], upstream: str | None = None) -> Hostile:
        server = Hostile(behaviours, upstream).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__()


@pytest.mark.parametrize("behaviour", [silent, trickle_body(0.2)],
                         ids=["never answers", "trickles the body"])
def test_administrations_ends_at_the_time_limit(bounded: Bounded, hostile: Callable[..., Hostile],
                                                behaviour: Behaviour) -> None:
    """(A server that trickles even its headers: test_remote_client.py.)"""
    server = hostile({"Authenticate": behaviour})
    outcome = bounded("administrations", codes=(4,), seconds=15,
                      env=yuki_env(server, scale=QUICK))
    assert outcome.stderr.splitlines() == [
        (f"error: Yuki at {server.host} gave no complete answer to Authenticate within 0.6 s,"
         " the time limit for opening a session; Authenticate changes nothing in Yuki, so"
         " trying again is safe"),
        SLOW,
    ]
    assert outcome.stdout == "" and server.calls == ["Authenticate"]
    assert outcome.seconds < 0.6 + 6  # the time limit, and the start of a Python process


LONG_PAGE = (b"<html><head><title>Onderhoud</title></head><body><h1>Yuki is even niet"
             b" bereikbaar</h1>\r\n\r\n<p>" + b"We werken aan de servers. " * 10
             + b"</p></body></html>")


def test_an_html_page_answered_to_authenticate_says_what_came_back(
        bounded: Bounded, hostile: Callable[..., Hostile]) -> None:
    """(Garbage, an empty body, SOAP without the result: test_remote_client.py.)"""
    server = hostile({"Authenticate": answer(200, "text/html; charset=utf-8", LONG_PAGE)})
    outcome = bounded("administrations", codes=(1,), env=yuki_env(server))
    assert outcome.stderr.splitlines() == [
        ("error: could not open a Yuki session, so Administrations was not sent: Yuki's answer"
         " to Authenticate (HTTP 200) is not a SOAP message; what came back: text/html;"
         ' charset=utf-8, 371 bytes: "<html><head><title>Onderhoud</title></head><body><h1>Yuki'
         " is even niet bereikbaar</h1> <p>We werken aan de servers. We werken aan de servers."
         ' We werken aan de servers. We werken aan de servers. We wer…"'),
        (f"  fix: check YUKI_BASE_URL (now {server.url}): it must be the folder of Yuki's"
         " webservices; if it is, Yuki has trouble: try again later"),
    ]


def test_an_answer_that_echoes_the_access_key_does_not_show_it(
        bounded: Bounded, hostile: Callable[..., Hostile]) -> None:
    server = hostile({"Authenticate": echo_page})
    outcome = bounded("administrations", codes=(1,), env=yuki_env(server))
    assert KEY not in outcome.output
    assert "<y:accessKey>***</y:accessKey>" in outcome.stderr


def test_send_whose_answer_trickles_is_reconciled_not_sent_twice(
        bounded: Bounded, hostile: Callable[..., Hostile], sandbox: Sandbox,
        write: Write) -> None:
    """Yuki books the invoices, but its answer never arrives in time: the call ends at its
    time limit, the documents are UNKNOWN, and the lookup by invoice number finds them."""
    server = hostile({"ProcessSalesInvoices": trickle_body(0.5)}, upstream=sandbox.url)
    write("m.yaml", MAPPING)
    write("orders.csv", orders(range(1001, 1003)))
    outcome = bounded("send", "orders.csv", "-m", "m.yaml", "-a", ADM_KORENAAR, codes=(0,),
                      seconds=20, env=yuki_env(server, sandbox.key("domain")))
    assert server.calls.count("ProcessSalesInvoices") == 1
    assert server.calls.count("CheckOutstandingItemAdmin") == 2
    assert sorted(i.reference for i in sandbox.store.sales_invoices(ADM_KORENAAR)) == [
        "1001", "1002"]
    assert outcome.stdout.splitlines() == [
        f"orders.csv -> sales invoices for {ADM_KORENAAR}",
        "  sent                              2",
        "  Yuki calls: 5 this run, 995 left today",
    ]
    assert sandbox.key("domain") not in outcome.output
