"""The studio's "see why" and "keep it" API: the explain trace of a clicked value with the
cells it reads, which fields read which columns, and a snapshot case approved from the page
that `yukimap test` then passes. The real app (Starlette's test client) and its worker."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import REPO
from yukimap.studio import Folders
from yukimap.studio.app import create_app

TOKEN = "t0ken-for-the-why-tests-0123456789abcdef"
WEBSHOP = (REPO / "mappings" / "webshop-orders.yaml").read_text(encoding="utf-8")
FILE, MAPPING = "0/webshop-orders.csv", "0/webshop-orders.yaml"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("exports")
    shutil.copy(REPO / "examples" / "webshop-orders.csv", root / "webshop-orders.csv")
    return root


@pytest.fixture(scope="module")
def client(folder: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Folders([folder]), TOKEN)) as test_client:
        test_client.get(f"/?token={TOKEN}", follow_redirects=False)
        yield test_client


def explain(client: TestClient, text: str = WEBSHOP, **asked: object) -> tuple[int, dict]:
    answer = client.post("/api/explain", json={"file": FILE, "mapping": MAPPING, "text": text,
                                               **asked})
    return answer.status_code, answer.json()


# --- see why --------------------------------------------------------------------------------


def test_a_documents_value_is_explained_step_by_step_with_its_source_cell(
        client: TestClient) -> None:
    status, answer = explain(client, document="2024-1001", field="Date")
    assert status == 200
    assert answer == {"stage": "ok", "document": "invoice 2024-1001", "sheet": None,
                      "rows": [2, 3, 4], "traces": [{
                          "name": "invoice.Date", "place": "document", "value": "2024-11-02",
                          "problems": [], "steps": [
                              {"what": "column 'Besteldatum' (B), row 2", "value": "02-11-2024",
                               "cell": {"row": 2, "column": "Besteldatum", "letter": "B"}},
                              {"what": "read as a date (%d-%m-%Y)", "value": "2024-11-02",
                               "cell": None}]}]}


def test_an_expression_names_every_cell_it_reads(client: TestClient) -> None:
    _, answer = explain(client, document="2024-1001", field="Contact.FullName")
    [trace] = answer["traces"]
    assert [s["cell"]["letter"] for s in trace["steps"] if s["cell"]] == ["H", "F", "G"]
    assert trace["steps"][-1] == {"what": "the expression gives",
                                  "value": "De Groene Vlinder B.V.", "cell": None}


def test_an_items_value_is_explained_for_its_own_row_and_item(client: TestClient) -> None:
    _, both = explain(client, document="2024-1001", field="lines.Product.SalesPrice", row=2)
    assert [(t["place"], t["value"]) for t in both["traces"]] == [
        ("line 1 (row 2)", "24.95"), ("line 4 (row 2)", "6.95")]  # shipping: place: last
    _, second = explain(client, document="2024-1001", field="lines.Product.SalesPrice", row=2,
                        item=4)
    [trace] = second["traces"]
    assert trace["steps"][0]["cell"] == {"row": 2, "column": "Verzendkosten incl. btw",
                                         "letter": "T"}


def test_a_documents_value_is_found_by_its_first_row_as_the_page_asks(
        client: TestClient) -> None:
    """Not every document has a reference: the page names a document by its first row."""
    _, by_row = explain(client, row=8, field="invoice.Date")
    _, by_reference = explain(client, document="2024-1004", field="Date")
    assert by_row == by_reference
    assert by_row["traces"][0]["steps"][0]["cell"] == {"row": 8, "column": "Besteldatum",
                                                       "letter": "B"}


def test_a_value_that_cannot_be_explained_says_why(client: TestClient) -> None:
    status, answer = explain(client, row=2, field="lines.Product.SalesPrice", item=9)
    assert (status, answer) == (422, {
        "stage": "refused", "message": "invoice 2024-1001: its item 9 is not made from a row"
        " of the file with that field", "hint": "Yuki's rules add some (e.g. a balancing"
        " entry); their values have no source cell"})
    status, answer = explain(client, document="2024-9999", field="Date")
    assert (status, answer) == (422, {
        "stage": "refused", "message": "webshop-orders.csv: no invoice '2024-9999'",
        "hint": "the first invoices are '2024-1001', '2024-1002', '2024-1004'"})
    status, answer = explain(client, text="version: 1\n", document="2024-1001")
    assert status == 422 and answer["stage"] == "refused"
    status, answer = explain(client, document="2024-1001", field="Date", row=0)
    assert (status, answer) == (400, {"error": "row: a number from 1"})
    status, answer = explain(client)
    assert (status, answer) == (400, {"error": "the request needs 'document' or 'row'"})


def test_the_dry_run_says_which_fields_read_which_columns(client: TestClient) -> None:
    answer = client.post("/api/check", json={"file": FILE, "mapping": MAPPING,
                                             "text": WEBSHOP}).json()
    reads = answer["reads"]
    assert reads["documents"]["Date"] == ["Besteldatum"]
    assert reads["documents"]["Contact.FullName"] == ["Achternaam", "Bedrijfsnaam", "Voornaam"]
    assert [kind["Product.SalesPrice"] for kind in reads["items"]] == [
        ["Stukprijs incl. btw"], ["Verzendkosten incl. btw"]]
    assert answer["documents"]["rows"][0]["key"] == "2024-1001"


# --- keep it --------------------------------------------------------------------------------


def approve(client: TestClient, text: str = WEBSHOP) -> tuple[int, dict]:
    answer = client.post("/api/approve", json={"file": FILE, "mapping": MAPPING, "text": text})
    return answer.status_code, answer.json()


def yukimap_test(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "yukimap", "test", "webshop-orders.yaml"],
                          cwd=folder, capture_output=True, text=True, timeout=120, check=False)


def test_approve_saves_the_mapping_keeps_a_case_and_yukimap_test_passes_on_it(
        client: TestClient, folder: Path, request: pytest.FixtureRequest) -> None:
    status, answer = approve(client)
    request.addfinalizer(lambda: shutil.rmtree(folder / "webshop-orders.tests"))
    assert status == 200, answer
    assert answer == {
        "stage": "ok", "case": "webshop-orders", "new": True, "refused": False,
        "folder": "webshop-orders.tests/webshop-orders",
        "files": ["input.csv", "expected.xml", "expected-summary.txt"],
        "changed": ["expected-summary.txt (new)", "expected.xml (new)"],
        "command": "yukimap test webshop-orders.yaml"}
    assert (folder / "webshop-orders.yaml").read_text(encoding="utf-8") == WEBSHOP
    case = folder / "webshop-orders.tests" / "webshop-orders"
    assert (case / "input.csv").read_bytes() == (folder / "webshop-orders.csv").read_bytes()
    ran = yukimap_test(folder)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    # A change to the mapping: the case fails on the command line until approved again.
    changed = WEBSHOP.replace("Webshopbestelling", "Bestelling")
    (folder / "webshop-orders.yaml").write_text(changed, encoding="utf-8")
    assert yukimap_test(folder).returncode != 0
    status, again = approve(client, changed)
    assert (status, again["new"], again["changed"]) == (200, False,
                                                        ["expected.xml (4 lines changed)"])
    assert yukimap_test(folder).returncode == 0


def test_approve_refuses_a_mapping_path_outside_the_folders(client: TestClient) -> None:
    answer = client.post("/api/approve", json={"file": FILE, "mapping": "0/../x.yaml",
                                               "text": WEBSHOP})
    assert answer.status_code == 403


def test_a_broken_mapping_is_not_kept_as_a_case(client: TestClient, folder: Path) -> None:
    status, answer = approve(client, WEBSHOP.replace("Process: true", "Proces: true"))
    assert (status, answer) == (422, {
        "stage": "refused", "message": "webshop-orders.yaml: 1 problem in the mapping: fix the"
        " mapping first", "hint": "a case keeps what a working mapping makes of the export"})
    assert not (folder / "webshop-orders.tests").exists()
    (folder / "webshop-orders.yaml").unlink()


def test_approve_writes_nothing_for_an_export_in_another_folder(client: TestClient,
                                                                folder: Path) -> None:
    saved = folder / "webshop-orders.yaml"
    before = saved.read_text(encoding="utf-8") if saved.exists() else None
    answer = client.post("/api/approve", json={"file": "1/x.csv", "mapping": MAPPING,
                                               "text": "version: 1\n"})
    assert (answer.status_code, answer.json()) == (403, {"error": "no folder '1' in this"
                                                                  " studio"})
    assert (saved.read_text(encoding="utf-8") if saved.exists() else None) == before
