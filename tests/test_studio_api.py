"""The API behind `yukimap studio`'s page: the token on every route, the folder guard, the
dry run with its located problems and totals, saving, downloading, a dropped export, the
source options, and no secret in any answer. Run against the real app (Starlette's test
client) with its real worker process."""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import REPO
from yukimap.limits import limits
from yukimap.studio import Folders
from yukimap.studio.app import create_app
from yukimap.studio.gate import FORBIDDEN

TOKEN = "t0ken-for-the-tests-only-0123456789abcdef"
WEBSHOP = (REPO / "mappings" / "webshop-orders.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("exports")
    for name in ("webshop-orders.csv", "bank-ing.csv", "pos-export.xlsx"):
        shutil.copy(REPO / "examples" / name, root / name)
    return root


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder the studio was not given, with a file it must never read."""
    root = tmp_path_factory.mktemp("outside")
    (root / "secret.csv").write_text("Naam;Bedrag\ngeheim;1,00\n", encoding="utf-8")
    (root / "secret.yaml").write_text("version: 1\n", encoding="utf-8")
    (root / "evil.xml.j2").write_text("GEHEIM-TEMPLATE", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def client(folder: Path) -> Iterator[TestClient]:
    """A studio on `folder`, its cookie set by the token, as the page has it."""
    with TestClient(create_app(Folders([folder]), TOKEN)) as test_client:
        entered = test_client.get(f"/?token={TOKEN}", follow_redirects=False)
        assert entered.status_code == 303
        yield test_client


@pytest.fixture
def stranger(folder: Path) -> Iterator[TestClient]:
    """The same studio, reached without the token (another user, another site's page)."""
    with TestClient(create_app(Folders([folder]), TOKEN)) as test_client:
        yield test_client


def check(client: TestClient, text: str, file: str = "0/webshop-orders.csv",
          mapping: str = "0/webshop-orders.yaml") -> dict:
    answer = client.post("/api/check", json={"file": file, "mapping": mapping, "text": text})
    assert answer.status_code == 200, answer.text
    return answer.json()


# --- the token --------------------------------------------------------------------------

ROUTES = [
    ("GET", "/"), ("GET", "/static/studio.js"), ("GET", "/static/index.html"),
    ("GET", "/api/state"), ("GET", "/api/schema"),
    ("GET", "/api/mapping?file=0/webshop-orders.csv"),
    ("PUT", "/api/mapping?id=0/webshop-orders.yaml"), ("POST", "/api/check"),
    ("POST", "/api/document"), ("POST", "/api/source"), ("POST", "/api/explain"),
    ("POST", "/api/approve"), ("GET", "/watch"), ("GET", "/api/watch"),
    ("POST", "/api/watch/retry"),
    ("PUT", "/api/files?folder=0&name=new.csv"), ("GET", "/no/such/page"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_without_the_token_is_403(stranger: TestClient, method: str,
                                              path: str) -> None:
    answer = stranger.request(method, path, content=b"{}")
    assert (answer.status_code, answer.content) == (403, FORBIDDEN)
    assert FORBIDDEN.decode() == ("403 Forbidden: the studio needs its access token. Open the"
                                  " address that `yukimap studio` printed (it ends in"
                                  " ?token=...).\n")


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_wrong_token_or_cookie_is_403(stranger: TestClient, method: str, path: str) -> None:
    joined = "&" if "?" in path else "?"
    wrong = stranger.request(method, f"{path}{joined}token={TOKEN[:-1]}x", content=b"{}")
    assert wrong.status_code == 403
    stranger.cookies.set("yukimap-studio", TOKEN + "x")
    assert stranger.request(method, path, content=b"{}").status_code == 403


def test_the_token_once_then_the_cookie(stranger: TestClient) -> None:
    entered = stranger.get(f"/?token={TOKEN}&x=1", follow_redirects=False)
    assert entered.status_code == 303
    assert entered.headers["location"] == "/?x=1"  # the token leaves the address bar
    cookie = entered.headers["set-cookie"]
    assert cookie == f"yukimap-studio={TOKEN}; Path=/; HttpOnly; SameSite=Strict"
    page = stranger.get("/")
    assert page.status_code == 200 and "<title>yukimap studio</title>" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["referrer-policy"] == "no-referrer"


def test_a_request_from_another_site_is_refused(client: TestClient) -> None:
    answer = client.post("/api/source", headers={"origin": "http://evil.example"},
                         json={"text": "version: 1\n", "key": "header_row", "value": 2})
    assert answer.status_code == 403
    same = client.post("/api/source", headers={"origin": "http://testserver"},
                       json={"text": "version: 1\n", "key": "header_row", "value": 2})
    assert same.status_code == 200


# --- what the page lists ------------------------------------------------------------------


def test_the_state_lists_exports_and_mappings_but_no_links_or_hidden_files(
        client: TestClient, folder: Path, outside: Path) -> None:
    (folder / ".hidden.csv").write_text("a\n1\n")
    (folder / "link.csv").symlink_to(outside / "secret.csv")
    try:
        state = client.get("/api/state").json()
    finally:
        (folder / ".hidden.csv").unlink()
        (folder / "link.csv").unlink()
    names = [(f["id"], f["kind"]) for f in state["files"]]
    assert ("0/webshop-orders.csv", "export") in names
    assert ("0/pos-export.xlsx", "export") in names
    assert not any("hidden" in n or "link" in n for n, _ in names)
    assert {"name": "webshop-orders", "title": "Webshop order export (CSV, one row per order"
            " line)", "target": "sales_invoices"} in state["packs"]
    assert state["starters"] == ["sales_invoices", "journal", "petty_cash"]


def test_an_export_without_a_mapping_starts_from_the_shipped_one_of_its_name(
        client: TestClient) -> None:
    answer = client.get("/api/mapping", params={"file": "0/webshop-orders.csv"}).json()
    assert answer == {"mapping": "0/webshop-orders.yaml", "text": WEBSHOP, "origin": "pack",
                      "name": "webshop-orders"}
    starter = client.get("/api/mapping", params={"file": "0/webshop-orders.csv",
                                                 "starter": "journal"}).json()
    assert (starter["origin"], starter["name"]) == ("init", "journal")
    assert "\nversion: 1\ntarget: journal\n" in starter["text"]
    assert "  EntryDate: {column: TODO}       # the date of each entry\n" in starter["text"]
    unknown = client.get("/api/mapping", params={"file": "0/webshop-orders.csv",
                                                 "starter": "nope"})
    assert (unknown.status_code, unknown.json()) == (404, {"error": "no starter 'nope'"})


def test_a_new_export_starts_from_inits_starter_for_the_target_it_guesses(
        client: TestClient, folder: Path) -> None:
    shutil.copy(REPO / "examples" / "webshop-orders.csv", folder / "orders-november.csv")
    try:
        answer = client.get("/api/mapping", params={"file": "0/orders-november.csv"}).json()
    finally:
        (folder / "orders-november.csv").unlink()
    assert (answer["mapping"], answer["origin"], answer["name"]) == (
        "0/orders-november.yaml", "init", "sales_invoices")
    assert "# A starter mapping for orders-november.csv, written by yukimap init." in answer["text"]
    assert '      map: {"21": 1, "9": 2, "0": TODO}\n' in answer["text"]


def test_the_schema_knows_the_loaders_keys(client: TestClient) -> None:
    from yukimap.schema.keys import FIELD_KEYS, SOURCE_KEYS

    schema = client.get("/api/schema").json()
    assert schema["required"] == ["version", "target"]
    assert set(schema["properties"]["source"]["properties"]) == {k.name for k in SOURCE_KEYS}
    sales = next(rule["then"] for rule in schema["allOf"]
                 if rule["if"]["properties"]["target"]["const"] == "sales_invoices")
    invoice = sales["properties"]["invoice"]["properties"]
    assert invoice["Reference"]["description"] == ("The invoice number; needed when Process"
                                                   " is true (text)")
    assert invoice["Reference"]["then"] == {"$ref": "#/definitions/field"}
    field = schema["definitions"]["field"]["properties"]
    assert set(field) == {k.name for k in FIELD_KEYS}
    assert "Contact" in invoice and "FullName" in invoice["Contact"]["properties"]



def test_a_bank_statement_runs_like_any_export(tmp_path: Path) -> None:
    for name in ("bank-mt940.sta", "bank-camt053.xml"):
        shutil.copy(REPO / "examples" / name, tmp_path / name)
    with TestClient(create_app(Folders([tmp_path]), TOKEN)) as statements:
        statements.get(f"/?token={TOKEN}", follow_redirects=False)
        for name in ("bank-mt940.sta", "bank-camt053.xml"):
            pack = Path(name).stem
            answer = check(statements, (REPO / "mappings" / f"{pack}.yaml").read_text(
                encoding="utf-8"), file=f"0/{name}", mapping=f"0/{pack}.yaml")
            assert (answer["stage"], answer["message"]) == (
                "ok", f"{name}: the mapping converts and validates; nothing written")
            assert answer["grid"]["columns"][0]["name"] == "Account"

# --- the dry run --------------------------------------------------------------------------


def test_a_dry_run_of_a_shipped_example_gives_its_documents_and_totals(
        client: TestClient) -> None:
    answer = check(client, WEBSHOP)
    assert answer["stage"] == "ok"
    assert answer["message"] == ("webshop-orders.csv: the mapping converts and validates;"
                                 " nothing written")
    assert answer["problems"] == []
    summary = answer["summary"]
    assert summary["totals"] == [{"currency": "EUR", "excl": "1,251.01", "vat": "244.79",
                                  "incl": "1,495.80"}]
    assert (summary["documents"], summary["items"], summary["rows_read"],
            summary["skipped_documents"]) == (4, 10, 10, 1)
    assert summary["figures"] == {"invoice dates": "2024-11-02 to 2024-11-05",
                                  "due dates": "2024-11-16 to 2024-11-19"}
    assert summary["text"].splitlines()[0] == ("webshop-orders.csv -> sales invoices (mapping"
                                               " webshop-orders.yaml)")
    documents = answer["documents"]
    assert documents["columns"][:3] == ["Reference", "Subject", "PaymentMethod"]
    assert [(d["values"][0], d["rows"], d["lines"]) for d in documents["rows"]] == [
        ("2024-1001", [2, 3, 4], 4), ("2024-1002", [5], 1), ("2024-1004", [8, 9], 2),
        ("2024-1005", [10, 11], 3)]
    assert answer["items"]["total"] == 10 and answer["items"]["rows"][0]["row"] == 2


def test_the_grid_has_spreadsheet_rows_and_letters(client: TestClient) -> None:
    grid = check(client, WEBSHOP)["grid"]
    assert grid["columns"][:3] == [{"name": "Bestelnummer", "letter": "A"},
                                   {"name": "Besteldatum", "letter": "B"},
                                   {"name": "Status", "letter": "C"}]
    assert (grid["header_row"], grid["delimiter"], grid["total"]) == (1, ";", 10)
    assert grid["rows"][0]["row"] == 2 and grid["rows"][0]["cells"][:2] == ["2024-1001",
                                                                            "02-11-2024"]


def test_a_workbook_grid_shows_the_rows_above_its_header_and_its_sheets(
        client: TestClient) -> None:
    text = (REPO / "mappings" / "pos-export.yaml").read_text(encoding="utf-8")
    answer = check(client, text, "0/pos-export.xlsx", "0/pos-export.yaml")
    assert answer["stage"] == "ok", answer["problems"]
    grid = answer["grid"]
    assert (grid["sheet"], grid["header_row"]) == ("Verkopen", 3)
    assert "Verkopen" in grid["sheets"] and len(grid["sheets"]) >= 2
    assert [row["row"] for row in grid["above"]] == [1, 2]
    assert grid["rows"][0]["row"] == 4


def test_a_mapping_problem_is_located_at_its_line(client: TestClient) -> None:
    answer = check(client, WEBSHOP.replace("Process: true", "Proces: true"))
    assert answer["stage"] == "mapping"
    assert answer["message"] == "webshop-orders.yaml: 1 problem in the mapping"
    [problem] = answer["problems"]
    assert problem["text"] == "unknown key 'Proces' in invoice (not a field of an invoice)"
    assert problem["mapping"] == {"line": 30, "col": 11, "key": "invoice.Proces"}
    assert problem["hint"].startswith("did you mean 'Process'? (allowed here: Reference,")
    assert problem["cell"] is None
    assert answer["grid"]["columns"][0]["name"] == "Bestelnummer"  # the file still shows


def test_a_data_problem_is_located_in_the_grid_and_at_its_field(client: TestClient) -> None:
    answer = check(client, WEBSHOP.replace('date_format: "%d-%m-%Y"',
                                           'date_format: "%Y-%m-%d"'))
    assert answer["stage"] == "data"
    assert answer["message"] == "webshop-orders.csv: 2 problems in the data"
    first = answer["problems"][0]
    assert first["text"] == "not a date in the format yyyy-mm-dd: '02-11-2024'"
    assert first["cell"] == {"rows": [2], "column": "Besteldatum", "letter": "B",
                             "sheet": None}
    assert first["mapping"] == {"line": 31, "col": 9, "key": "invoice.Date"}
    assert first["document"] == "invoice 2024-1001"
    assert answer["report"].splitlines()[0] == "error: not a date in the format yyyy-mm-dd"
    assert answer["errors"] == 2  # as the message counts them: groups by cause and place
    assert [(g["text"], len(g["problems"])) for g in answer["groups"]] == [
        ("not a date in the format yyyy-mm-dd", 4),
        ("expression 'date(Besteldatum) + 14': column 'Besteldatum': not a date in the format"
         " yyyy-mm-dd", 4)]
    assert answer["groups"][0]["hint"].startswith("add the export's date format under source:")
    expression = answer["problems"][answer["groups"][1]["problems"][0]]
    assert expression["mapping"] == {"line": 32, "col": 12, "key": "invoice.DueDate"}
    assert expression["cell"] == {"rows": [2], "column": None, "letter": None, "sheet": None}


def test_a_yaml_syntax_error_is_located_and_the_file_still_shows(client: TestClient) -> None:
    answer = check(client, WEBSHOP.replace("group_by: Bestelnummer", "group_by: [Bestelnummer"))
    assert answer["stage"] == "mapping"
    [problem] = answer["problems"]
    assert problem["text"].startswith("YAML syntax error:")
    assert problem["mapping"]["line"] is not None
    assert answer["grid"]["delimiter"] == ";"


def test_an_export_that_cannot_be_read_says_why(client: TestClient, folder: Path) -> None:
    (folder / "empty.csv").write_text("")
    answer = check(client, WEBSHOP, "0/empty.csv", "0/empty.yaml")
    assert answer["stage"] == "file"
    assert answer["grid"] is None
    assert answer["problems"][0]["text"] == answer["message"]
    assert "empty.csv" in answer["message"]


def test_a_wide_long_file_shows_a_bounded_grid(client: TestClient, folder: Path) -> None:
    header = ";".join(f"k{i}" for i in range(500))
    rows = "\n".join(";".join(str(r) for _ in range(500)) for r in range(2000))
    (folder / "wide.csv").write_text(f"{header}\n{rows}\n")
    try:
        grid = check(client, "version: 1\n", "0/wide.csv", "0/wide.yaml")["grid"]
    finally:
        (folder / "wide.csv").unlink()
    assert (len(grid["columns"]), len(grid["rows"]), grid["total"]) == (500, 200, 2000)
    assert grid["columns"][-1] == {"name": "k499", "letter": "SF"}


def test_a_dry_run_that_takes_too_long_is_stopped(folder: Path) -> None:
    # A fresh worker process needs longer than this to import the stages: the dry run
    # is stopped, and the page gets an answer at once, not a hanging request.
    with TestClient(create_app(Folders([folder]), TOKEN, seconds=0.01)) as slow:
        slow.get(f"/?token={TOKEN}", follow_redirects=False)
        answer = check(slow, WEBSHOP)
        again = check(slow, WEBSHOP)
    assert answer["stage"] == again["stage"] == "stopped"
    assert answer["message"] == "the dry run took longer than 0.01 seconds and was stopped"
    assert answer["hint"] == ("check a smaller part of the file first, or run yukimap check"
                              " MAPPING --sample FILE, which has no time limit")


def test_a_dry_run_over_the_memory_bound_ends_its_worker_not_the_machine(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The worker reads an export whole: 100,000 rows take about 300 MB, over a bound of
    # 200; the page is told, the machine keeps its memory, and the next worker goes on.
    from benchmarks.generate import sales_export

    monkeypatch.setenv("YUKIMAP_MAX_DRY_RUN_MB", "200")
    limits.cache_clear()
    shutil.copy(sales_export(100_000), folder / "year.csv")
    mapping = (REPO / "benchmarks" / "sales-mapping.yaml").read_text(encoding="utf-8")
    try:
        with TestClient(create_app(Folders([folder]), TOKEN)) as bounded:
            bounded.get(f"/?token={TOKEN}", follow_redirects=False)
            year = check(bounded, mapping, "0/year.csv", "0/year.yaml")
            again = check(bounded, WEBSHOP)
    finally:
        (folder / "year.csv").unlink()
        monkeypatch.delenv("YUKIMAP_MAX_DRY_RUN_MB")
        limits.cache_clear()
    assert year["stage"] == "stopped"
    assert year["message"] == "the dry run stopped unexpectedly (out of memory?)"
    assert year["hint"] == ("a dry run here may use 200 MB (YUKIMAP_MAX_DRY_RUN_MB); check a"
                            " big file with yukimap check MAPPING --sample FILE, which reads it"
                            " a slice at a time")
    assert again["stage"] == "ok"


# --- the folder guard ---------------------------------------------------------------------


@pytest.mark.parametrize("file_id", [
    "0/../outside/secret.csv", "0//etc/passwd", "/etc/passwd", "1/webshop-orders.csv",
    "0/.hidden.csv", "x/webshop-orders.csv", "0/webshop-orders.exe", "0/sub/../../x.csv",
])
def test_a_path_outside_the_folders_is_refused(client: TestClient, file_id: str) -> None:
    for answer in (
        client.post("/api/check", json={"file": file_id, "mapping": "0/m.yaml", "text": ""}),
        client.get("/api/mapping", params={"file": file_id}),
        client.put("/api/mapping", params={"id": file_id}, content=b"version: 1\n"),
    ):
        assert answer.status_code == 403, (file_id, answer.text)
        assert set(answer.json()) == {"error"}


def test_a_symbolic_link_is_never_followed(client: TestClient, folder: Path,
                                           outside: Path) -> None:
    (folder / "link.csv").symlink_to(outside / "secret.csv")
    (folder / "linked").symlink_to(outside)
    (folder / "link.yaml").symlink_to(outside / "secret.yaml")
    try:
        answers = [
            client.post("/api/check", json={"file": "0/link.csv", "mapping": "0/m.yaml",
                                            "text": WEBSHOP}),
            client.post("/api/check", json={"file": "0/linked/secret.csv",
                                            "mapping": "0/m.yaml", "text": WEBSHOP}),
            client.get("/api/mapping", params={"file": "0/webshop-orders.csv",
                                               "open": "0/link.yaml"}),
            client.put("/api/mapping", params={"id": "0/link.yaml"}, content=b"x: 1\n"),
            client.put("/api/mapping", params={"id": "0/linked/new.yaml"}, content=b"x: 1\n"),
        ]
    finally:
        for name in ("link.csv", "linked", "link.yaml"):
            (folder / name).unlink()
    assert [a.status_code for a in answers] == [403] * 5
    assert answers[0].json() == {"error": "link.csv is a symbolic link: the studio does not"
                                          " follow links"}
    assert (outside / "secret.yaml").read_text() == "version: 1\n"
    assert not (outside / "new.yaml").exists()


def test_a_template_outside_the_folders_is_not_read(client: TestClient, outside: Path,
                                                    folder: Path) -> None:
    for template in (str(outside / "evil.xml.j2"), "../outside/evil.xml.j2"):
        text = WEBSHOP.replace("version: 1\n", f"version: 1\ntemplate: {template}\n")
        answer = check(client, text)
        assert answer["stage"] == "mapping"
        [problem] = answer["problems"]
        assert problem["text"] == "the studio reads no template outside its folders"
        assert problem["mapping"] == {"line": 6, "col": 11, "key": "template"}
        assert "GEHEIM" not in json.dumps(answer)
    (folder / "evil.xml.j2").symlink_to(outside / "evil.xml.j2")
    try:
        answer = check(client, WEBSHOP.replace("version: 1\n", "version: 1\ntemplate:"
                                                                " evil.xml.j2\n"))
    finally:
        (folder / "evil.xml.j2").unlink()
    assert answer["problems"][0]["text"] == "the studio reads no template outside its folders"


def test_a_folder_the_studio_was_not_given_is_unknown(client: TestClient) -> None:
    answer = client.post("/api/check", json={"file": "1/secret.csv", "mapping": "1/s.yaml",
                                             "text": ""})
    assert (answer.status_code, answer.json()) == (403, {"error": "no folder '1' in this"
                                                                  " studio"})


# --- keeping it -----------------------------------------------------------------------------


def test_the_mapping_is_saved_beside_the_export(client: TestClient, folder: Path) -> None:
    changed = WEBSHOP.replace("name: Webshop order export", "name: Mijn webshop")
    saved = client.put("/api/mapping", params={"id": "0/webshop-orders.yaml"},
                       content=changed.encode())
    try:
        assert saved.json() == {"saved": "0/webshop-orders.yaml", "name": "webshop-orders.yaml"}
        assert (folder / "webshop-orders.yaml").read_text(encoding="utf-8") == changed
        again = client.get("/api/mapping", params={"file": "0/webshop-orders.csv"}).json()
        assert (again["origin"], again["text"]) == ("saved", changed)
    finally:
        (folder / "webshop-orders.yaml").unlink()


def test_a_mapping_over_the_size_bound_is_not_saved(client: TestClient, folder: Path) -> None:
    big = b"#" * (limits().max_mapping_kb * 1024 + 1)
    answer = client.put("/api/mapping", params={"id": "0/big.yaml"}, content=big)
    assert answer.status_code == 413 and not (folder / "big.yaml").exists()


def test_the_rendered_document_downloads(client: TestClient) -> None:
    answer = client.post("/api/document", json={"file": "0/webshop-orders.csv",
                                                "mapping": "0/webshop-orders.yaml",
                                                "text": WEBSHOP})
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == 'attachment; filename="webshop-orders.xml"'
    assert answer.headers["content-type"] == "application/xml"
    assert answer.text.startswith("<?xml") and "<Reference>2024-1001</Reference>" in answer.text


def test_documents_that_go_one_per_call_download_as_a_zip(client: TestClient,
                                                          folder: Path) -> None:
    shutil.copy(REPO / "examples" / "pos-daily.csv", folder / "pos-daily.csv")
    text = (REPO / "mappings" / "pos-daily.yaml").read_text(encoding="utf-8")
    text = text.replace("journal:\n", 'journal:\n  AdministrationCoCNumber: "12345678"\n', 1)
    answer = client.post("/api/document", json={"file": "0/pos-daily.csv",
                                                "mapping": "0/pos-daily.yaml", "text": text})
    (folder / "pos-daily.csv").unlink()
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-disposition"] == 'attachment; filename="pos-daily.zip"'
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        names = archive.namelist()
        assert len(names) == 2 and all(n.endswith(".xml") for n in names)
        assert "<AdministrationCoCNumber>12345678" in archive.read(names[0]).decode()


def test_no_document_downloads_from_a_broken_mapping(client: TestClient) -> None:
    answer = client.post("/api/document", json={"file": "0/webshop-orders.csv",
                                                "mapping": "0/webshop-orders.yaml",
                                                "text": WEBSHOP.replace("Process", "Proces")})
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["mapping"]["line"] == 30


def test_a_dropped_export_lands_in_the_folder(client: TestClient, folder: Path) -> None:
    data = (folder / "webshop-orders.csv").read_bytes()
    made = client.put("/api/files", params={"folder": "0", "name": "dropped.csv"}, content=data)
    try:
        assert (made.status_code, made.json()) == (201, {"file": "0/dropped.csv",
                                                         "name": "dropped.csv"})
        assert (folder / "dropped.csv").read_bytes() == data
        twice = client.put("/api/files", params={"folder": "0", "name": "dropped.csv"},
                           content=b"x")
        assert twice.status_code == 409 and (folder / "dropped.csv").read_bytes() == data
    finally:
        (folder / "dropped.csv").unlink()
    for name, status in (("../up.csv", 400), ("a/b.csv", 400), ("run.sh", 403),
                         (".hidden.csv", 403)):
        answer = client.put("/api/files", params={"folder": "0", "name": name}, content=b"x")
        assert answer.status_code == status, name


def test_a_dropped_export_over_the_size_bound_is_refused(
        client: TestClient, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUKIMAP_MAX_FILE_MB", "1")
    limits.cache_clear()
    try:
        answer = client.put("/api/files", params={"folder": "0", "name": "huge.csv"},
                            content=b"a;b\n" * 300_000)
    finally:
        monkeypatch.delenv("YUKIMAP_MAX_FILE_MB")
        limits.cache_clear()
    assert answer.status_code == 413 and not (folder / "huge.csv").exists()


def test_a_source_option_is_written_into_the_mapping(client: TestClient) -> None:
    answer = client.post("/api/source", json={"text": WEBSHOP, "key": "delimiter",
                                              "value": ","})
    assert answer.json()["text"] == WEBSHOP.replace('delimiter: ";"', 'delimiter: ","')
    refused = client.post("/api/source", json={"text": "a: [", "key": "sheet", "value": "X"})
    assert refused.json() == {"error": "the mapping's text is not valid YAML yet: fix it first"}


# --- secrets --------------------------------------------------------------------------------


def test_no_secret_reaches_the_page(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                    tmp_path: Path) -> None:
    key = "SECRET-ACCESS-KEY-5a4db0c5"
    monkeypatch.setenv("YUKI_ACCESS_KEY", key)
    monkeypatch.setenv("YUKIMAP_STATE", str(tmp_path))
    (tmp_path / "session.json").write_text(json.dumps({"session": "SESSION-ID-777"}))
    bodies = []
    with TestClient(create_app(Folders([folder]), TOKEN)) as studio:
        studio.get(f"/?token={TOKEN}", follow_redirects=False)
        for method, path in ROUTES[:6]:
            bodies.append(studio.request(method, path).text)
        bodies.append(json.dumps(check(studio, WEBSHOP)))
        bodies.append(json.dumps(check(studio, "version: 1\ntarget: journal\n")))
    assert all(key not in body and "SESSION-ID-777" not in body for body in bodies)
    assert os.environ["YUKI_ACCESS_KEY"] == key  # read by nobody, changed by nobody
