"""The client in-process against hostile servers on 127.0.0.1: every call ends at its time
limit, whatever the server does, and says what happened in the caller's terms."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.robustness.hostile import (
    Behaviour,
    Hostile,
    Request,
    answer,
    forward,
    silent,
    trickle_body,
    trickle_headers,
)
from tests.sandbox_fixtures import (
    ADM_KORENAAR,
    Sandbox,
    journal_document,
    sales_document,
    sales_invoice,
)
from yukimap.client import YukiClient
from yukimap.errors import (
    AmbiguousOutcome,
    SettingsError,
    TransientError,
    UnreadableResponse,
    YukiError,
)
from yukimap.settings import load_settings
from yukimap.soap import build_response
from yukimap.transport import time_limit

BALANCED = [("2025-03-31", "4100", "1250.00"), ("2025-03-31", "1100", "-1250.00")]


@contextmanager
def timed(at_most: float) -> Iterator[None]:
    started = time.monotonic()
    yield
    assert time.monotonic() - started < at_most


def test_the_time_limits_are_sized_to_the_operation() -> None:
    assert time_limit("Authenticate").seconds(0, 1.0) == 30
    assert time_limit("GetGLAccountScheme").seconds(0, 1.0) == 30
    assert time_limit("ProcessJournal").seconds(0, 1.0) == 120
    assert time_limit("ImportStatement").seconds(0, 1.0) == 120
    sales = time_limit("ProcessSalesInvoices")
    assert sales.seconds(1, 1.0) == 61.5
    assert sales.seconds(100, 1.0) == 210
    assert sales.seconds(1000, 1.0) == 900  # capped
    assert sales.seconds(100, 2.0) == 420
    assert sales.describe(1) == "1 sales invoice" and sales.describe(3) == "3 sales invoices"


def fail(sandbox: Sandbox, behaviours: dict[str, Behaviour],
         action: Callable[[YukiClient], object], **changes: Any) -> tuple[YukiError, Hostile]:
    """Run `action` on a client whose Yuki is the sandbox behind a hostile server; the error.
    The session is opened first at the usual time limits, unless Authenticate is under test."""
    with Hostile(behaviours, upstream=sandbox.url) as server:
        if "Authenticate" not in behaviours:
            with YukiClient(sandbox.settings("domain", base_url=server.url)) as yuki:
                yuki.authenticate()  # cached for the client below
        with YukiClient(sandbox.settings("domain", base_url=server.url, **changes)) as yuki:
            try:
                action(yuki)
            except YukiError as exc:
                return exc, server
    raise AssertionError("the call did not fail")


@pytest.mark.parametrize("behaviour", [silent, trickle_body(0.2), trickle_headers(0.2)],
                         ids=["never answers", "trickles the body", "trickles the headers"])
def test_a_lookup_ends_at_its_time_limit_and_is_safe_to_retry(
        sandbox: Sandbox, behaviour: Behaviour) -> None:
    with timed(0.6 + 2.0):
        error, server = fail(sandbox, {"Administrations": behaviour},
                             YukiClient.administrations, deadline_scale=0.02)
    assert type(error) is TransientError
    assert error.message == (
        f"Yuki at {server.host} gave no complete answer to Administrations within 0.6 s, the"
        " time limit for a lookup; Administrations changes nothing in Yuki, so trying again is"
        " safe")


def test_the_connection_cut_at_a_time_limit_is_not_used_again(sandbox: Sandbox) -> None:
    calls = []

    def silent_once(server: Hostile, sock: socket.socket, request: Request) -> bool:
        calls.append(request)
        return (silent if len(calls) == 1 else forward)(server, sock, request)

    with Hostile({"Administrations": silent_once}, upstream=sandbox.url) as server:
        settings = sandbox.settings("domain", base_url=server.url, deadline_scale=0.02)
        with YukiClient(settings) as yuki:
            with pytest.raises(TransientError):
                yuki.administrations()
            assert [a.id for a in yuki.administrations()][:1] == [ADM_KORENAAR]


def test_a_document_whose_answer_trickles_is_ambiguous(sandbox: Sandbox) -> None:
    with timed(1.2 + 2.0):
        error, server = fail(sandbox, {"ProcessJournal": trickle_body(0.2)},
                             lambda yuki: yuki.process_journal(journal_document(BALANCED),
                                                               ADM_KORENAAR),
                             deadline_scale=0.01)
    assert type(error) is AmbiguousOutcome
    assert error.message == (
        f"ProcessJournal went out to Yuki at {server.host} but no complete answer came within"
        " 1.2 s, the time limit for a journal: Yuki may or may not have processed it")
    arrived = time.monotonic() + 10  # it did arrive (hence UNKNOWN), in its own time
    while not sandbox.store.journals(ADM_KORENAAR) and time.monotonic() < arrived:
        time.sleep(0.05)
    assert len(sandbox.store.journals(ADM_KORENAAR)) == 1


def test_the_time_limit_of_sales_invoices_grows_with_the_batch(sandbox: Sandbox) -> None:
    document = sales_document(*(sales_invoice(f"F-{n}") for n in range(1, 4)))
    with timed(0.645 + 2.0):
        error, _ = fail(sandbox, {"ProcessSalesInvoices": silent},
                        lambda yuki: yuki.process_sales_invoices(document, ADM_KORENAAR),
                        deadline_scale=0.01)
    assert type(error) is AmbiguousOutcome
    assert "no complete answer came within 0.645 s, the time limit for 3 sales invoices:" in (
        error.message)


def test_a_malformed_answer_to_a_lookup_says_what_came_back(sandbox: Sandbox) -> None:
    page = answer(200, "text/html", b"<html><body>Proxy error</body></html>")
    error, _ = fail(sandbox, {"Administrations": page}, YukiClient.administrations)
    assert type(error) is UnreadableResponse
    assert error.message == (
        "Yuki's answer to Administrations (HTTP 200) is not a SOAP message; what came back:"
        ' text/html, 37 bytes: "<html><body>Proxy error</body></html>"')


@pytest.mark.parametrize(("content_type", "body", "problem"), [
    ("text/plain", b"garbage\x1b[31m red\x00",
     'is not a SOAP message; what came back: text/plain, 17 bytes: "garbage?[31m red?"'),
    ("", b"", "is not a SOAP message; what came back: no content type, an empty body"),
    ("text/xml; charset=utf-8", build_response("Administrations", "<Administration />"),
     ("could not be read safely: the answer holds no AuthenticateResponse; what came back:"
      ' text/xml; charset=utf-8, 401 bytes: "<?xml version="1.0" encoding="utf-8"?>'
      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"'
      ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
      ' xmlns:xsd="http://www.w3.org/2001/XMLS…"')),
], ids=["garbage", "an empty body", "SOAP without the result"])
def test_a_malformed_answer_while_opening_a_session_is_not_ambiguous(
        sandbox: Sandbox, content_type: str, body: bytes, problem: str) -> None:
    """Nothing was sent but Authenticate: a send must not mark its documents UNKNOWN."""
    error, server = fail(sandbox, {"Authenticate": answer(200, content_type, body)},
                         lambda yuki: yuki.process_journal(journal_document(BALANCED),
                                                           ADM_KORENAAR))
    assert type(error) is YukiError
    assert error.message == ("could not open a Yuki session, so ProcessJournal was not sent:"
                             f" Yuki's answer to Authenticate (HTTP 200) {problem}")
    assert error.hint == (f"check YUKI_BASE_URL (now {server.url}): it must be the folder of"
                          " Yuki's webservices; if it is, Yuki has trouble: try again later")
    assert server.calls == ["Authenticate"]


def test_an_http_error_page_says_what_came_back(sandbox: Sandbox) -> None:
    page = answer(503, "text/html", b"<h1>Service Unavailable</h1>")
    error, _ = fail(sandbox, {"Administrations": page}, YukiClient.administrations)
    assert type(error) is TransientError
    assert error.message == (
        "Yuki answered Administrations with HTTP 503 and no SOAP fault; it was refused before"
        " processing, so trying again is safe; what came back: text/html, 28 bytes:"
        ' "<h1>Service Unavailable</h1>"')


def test_the_deadline_scale_comes_from_the_environment_or_the_config_file(
        tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("yukimap_deadline_scale: 2.5\n")
    assert load_settings(env={}, config_path=config).deadline_scale == 2.5
    assert load_settings(env={"YUKIMAP_DEADLINE_SCALE": "0.5"},
                         config_path=config).deadline_scale == 0.5
    assert load_settings(env={}, config_path=config).sources["deadline_scale"] == str(config)
    config.write_text("yukimap_deadline_scale: -2\n")
    with pytest.raises(SettingsError) as caught:
        load_settings(env={}, config_path=config)
    assert caught.value.message == (
        f"the deadline scale from {config} is not a number above 0: '-2'")


@pytest.mark.parametrize("value", ["abc", "0", "-1", "inf", "nan", "1,5", ""])
def test_a_deadline_scale_must_be_a_number_above_0(value: str, tmp_path: Path) -> None:
    if not value:  # an empty variable is no setting: the default stays
        (tmp_path / "config.yaml").write_text("{}\n")
        assert load_settings(env={"YUKIMAP_DEADLINE_SCALE": value},
                             config_path=tmp_path / "config.yaml").deadline_scale == 1
        return
    with pytest.raises(SettingsError) as caught:
        load_settings(env={"YUKIMAP_DEADLINE_SCALE": value})
    assert caught.value.message == (
        f"the deadline scale from YUKIMAP_DEADLINE_SCALE is not a number above 0: {value!r}")
    assert caught.value.hint == ("it multiplies every time limit of a call to Yuki: 2 waits"
                                 " twice as long, 0.5 half (README: Sending to Yuki)")


def test_what_came_back_shows_no_secret_and_no_terminal_control(sandbox: Sandbox) -> None:
    key = sandbox.key("domain")
    page = answer(200, f"text/html; x=\x1b[2J{key}" + "y" * 300, f"<p>{key}\x1b[2J</p>".encode())
    error, _ = fail(sandbox, {"Administrations": page}, YukiClient.administrations)
    assert error.message == (
        "Yuki's answer to Administrations (HTTP 200) is not a SOAP message; what came back:"
        " text/html; x=?[2J***" + "y" * 80 + f'…, {len(key) + 11} bytes: "<p>***?[2J</p>"')
