"""The studio's hot-folder API: each route's waiting, failed and archived files, the calls
today and the daemon's health, read from the state and folders as the daemon keeps them;
Retry moves a failed file back (path-guarded); the token on every route. The folders and the
state are laid out here through the daemon's own WatchState and file functions; the browser
test (test_studio_browser.py) runs the real daemon."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.robustness.watch_harness import MAPPING, config_text
from yukimap.budget import CallBudget
from yukimap.studio import Folders
from yukimap.studio.app import create_app
from yukimap.studio.hotfolders import HotFolders
from yukimap.watch.config import load_config
from yukimap.watch.report import watch_status
from yukimap.watch.state import ARCHIVED, FAILED, GONE, WAITING, WatchState

TOKEN = "t0ken-for-the-hot-folder-tests-0123456789"
REASON = "mapping the data: 2 problems (rows 2, 4)"
ERROR_TXT = "bad-date.csv failed\nStage:      mapping the data\nWhat:       not a date\n"


@pytest.fixture
def hot(tmp_path: Path) -> HotFolders:
    """A route `shop` (inbox/) with one failed, one waiting and one archived file, and a
    daemon's heartbeat (this process's pid, so it counts as running)."""
    inbox = tmp_path / "inbox"
    for folder in ("failed", "processing", "archive/2026/12"):
        (inbox / folder).mkdir(parents=True)
    (tmp_path / "m.yaml").write_text(MAPPING)
    (tmp_path / "watch.yaml").write_text(config_text("polling"))
    state_dir = tmp_path / "state"
    state = WatchState(state_dir)
    failed = inbox / "failed" / "bad-date.csv"
    failed.write_text("Bestelnummer\n501\n")
    failed.with_name("bad-date.csv.error.txt").write_text(ERROR_TXT)
    failed.with_name("bad-date.csv.error.json").write_text('{"stage": "mapping the data"}')
    row = state.add("shop", "bad-date.csv", inbox / "processing" / "bad-date.csv", None, 17)
    state.update(row.id, state=FAILED, reason=REASON, path=str(failed))
    waiting = inbox / "processing" / "later.csv"
    waiting.write_text("x\n")
    row = state.add("shop", "later.csv", waiting, None, 2)
    state.update(row.id, state=WAITING, wait="retry", reason="Yuki did not answer",
                 until=2_000_000_000.0)
    archived = inbox / "archive" / "2026" / "12" / "good.csv"
    archived.write_text("ok\n")
    row = state.add("shop", "good.csv", inbox / "processing" / "good.csv", None, 3)
    state.update(row.id, state=ARCHIVED, path=str(archived))
    state.beat(os.getpid(), "2026-12-01T20:00:00+00:00", {
        "routes": {"shop": {"folder": str(inbox), "mapping": "m.yaml", "mode": "polling",
                            "last_scan_age": 0.5}}, "problems": [], "paused": {}})
    state.close()
    budget = CallBudget(state_dir)
    budget.reserve("shop.example", "ProcessSalesInvoices")
    budget.close()
    return HotFolders(load_config(tmp_path / "watch.yaml"), state_dir)


@pytest.fixture
def client(hot: HotFolders, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Folders([tmp_path]), TOKEN, hot=hot)) as test_client:
        test_client.get(f"/?token={TOKEN}", follow_redirects=False)
        yield test_client


def test_the_page_shows_each_routes_files_the_calls_and_the_health(
        client: TestClient, hot: HotFolders) -> None:
    assert "<title>yukimap studio: hot folders</title>" in client.get("/watch").text
    assert client.get("/api/state").json()["watch"] is True
    answer = client.get("/api/watch").json()
    assert answer["config"] == "watch.yaml"
    daemon = answer["daemon"]
    assert (daemon["running"], daemon["healthy"], daemon["pid"]) == (True, True, os.getpid())
    [route] = answer["routes"]
    assert (route["name"], route["mapping"], route["mode"]) == ("shop", "m.yaml", "polling")
    assert route["counts"] == {"CLAIMED": 0, "WAITING": 1, "ARCHIVED": 1, "FAILED": 1}
    assert route["waiting"] == [{"file": "later.csv", "wait": "retry",
                                 "reason": "Yuki did not answer",
                                 "until": route["waiting"][0]["until"]}]
    [failed] = route["failed"]
    assert {k: failed[k] for k in ("file", "name", "reason", "error")} == {
        "file": "bad-date.csv", "name": "bad-date.csv", "reason": REASON, "error": ERROR_TXT}
    assert [a["file"] for a in route["archived"]] == ["good.csv"]
    assert route["last_scan_seconds_ago"] is not None
    assert answer["calls"]["domains"] == {"shop.example": {"used": 1, "left": 999}}


def test_retry_moves_the_file_back_and_its_reasons_aside(client: TestClient,
                                                         hot: HotFolders) -> None:
    inbox = hot.config.routes[0].folder
    answer = client.post("/api/watch/retry", json={"route": "shop", "file": "bad-date.csv"})
    assert answer.status_code == 200
    assert answer.json() == {"route": "shop", "file": "bad-date.csv",
                             "moved_to": "bad-date.csv",
                             "reasons_moved_to": ["failed/retried/bad-date.csv.error.txt",
                                                  "failed/retried/bad-date.csv.error.json"]}
    assert (inbox / "bad-date.csv").read_text() == "Bestelnummer\n501\n"
    assert sorted(p.name for p in (inbox / "failed").iterdir()) == ["retried"]
    assert (inbox / "failed" / "retried" / "bad-date.csv.error.txt").read_text() == ERROR_TXT
    status = watch_status(hot.state_dir)
    assert status is not None and status["routes"]["shop"]["failed"] == []
    assert status["routes"]["shop"]["counts"]["FAILED"] == 0
    state = WatchState(hot.state_dir)
    [gone] = state.recent(GONE)
    state.close()
    assert gone.reason == "retried from the studio: moved back into the folder as bad-date.csv"
    again = client.post("/api/watch/retry", json={"route": "shop", "file": "bad-date.csv"})
    assert (again.status_code, again.json()) == (
        404, {"error": "bad-date.csv is not in failed/ (any more)"})


def test_a_retried_file_never_overwrites_one_of_its_name(client: TestClient,
                                                         hot: HotFolders) -> None:
    inbox = hot.config.routes[0].folder
    (inbox / "bad-date.csv").write_text("a newer export\n")
    answer = client.post("/api/watch/retry", json={"route": "shop", "file": "bad-date.csv"})
    assert answer.json()["moved_to"] == "bad-date (2).csv"
    assert (inbox / "bad-date.csv").read_text() == "a newer export\n"


@pytest.mark.parametrize("file", ["../m.yaml", "retried/x.csv", ".hidden.csv", "..",
                                  "bad-date.csv.error.txt", "/etc/passwd", ""])
def test_retry_takes_only_a_failed_files_name(client: TestClient, file: str) -> None:
    answer = client.post("/api/watch/retry", json={"route": "shop", "file": file})
    assert answer.status_code in (400, 403), answer.text
    assert set(answer.json()) == {"error"}


def test_retry_follows_no_link_and_knows_only_the_configs_routes(
        client: TestClient, hot: HotFolders, tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text("not the daemon's\n")
    (hot.config.routes[0].folder / "failed" / "link.csv").symlink_to(outside)
    answer = client.post("/api/watch/retry", json={"route": "shop", "file": "link.csv"})
    assert (answer.status_code, answer.json()) == (
        403, {"error": "link.csv is a symbolic link: the studio does not follow links"})
    assert outside.exists()
    answer = client.post("/api/watch/retry", json={"route": "nope", "file": "bad-date.csv"})
    assert (answer.status_code, answer.json()) == (404, {"error": "no route 'nope' in"
                                                                  " watch.yaml"})


def test_without_a_watch_config_there_are_no_hot_folders(tmp_path: Path) -> None:
    with TestClient(create_app(Folders([tmp_path]), TOKEN)) as studio:
        studio.get(f"/?token={TOKEN}", follow_redirects=False)
        assert studio.get("/api/state").json()["watch"] is False
        for answer in (studio.get("/api/watch"), studio.get("/watch"),
                       studio.post("/api/watch/retry", json={"route": "a", "file": "b"})):
            assert (answer.status_code, answer.json()) == (
                404, {"error": "no hot folders here: start the studio with --watch CONFIG"})


def test_no_secret_reaches_the_hot_folder_page(hot: HotFolders, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    key = "SECRET-ACCESS-KEY-hot-91c2"
    monkeypatch.setenv("YUKI_ACCESS_KEY", key)
    with TestClient(create_app(Folders([tmp_path]), TOKEN, hot=hot)) as studio:
        studio.get(f"/?token={TOKEN}", follow_redirects=False)
        body = json.dumps(studio.get("/api/watch").json())
    assert key not in body


def test_retry_moves_the_rejected_rows_aside_with_the_reasons(client: TestClient,
                                                              hot: HotFolders) -> None:
    """A partly refused file's rows file (named in its .error.json) goes aside with its
    reasons: once the whole file is sent again, those rows are no longer to fix."""
    failed = hot.config.routes[0].folder / "failed"
    (failed / "bad-date.csv.error.json").write_text(
        '{"stage": "sending", "rejected_file": "bad-date.rejected.csv"}')
    (failed / "bad-date.rejected.csv").write_text("Bestelnummer\n501\n")
    answer = client.post("/api/watch/retry", json={"route": "shop", "file": "bad-date.csv"})
    assert answer.status_code == 200
    assert answer.json()["reasons_moved_to"] == [
        "failed/retried/bad-date.csv.error.txt", "failed/retried/bad-date.csv.error.json",
        "failed/retried/bad-date.rejected.csv"]
    assert sorted(p.name for p in failed.iterdir()) == ["retried"]


def test_retry_moves_no_file_the_error_json_names_outside_failed(client: TestClient,
                                                                 hot: HotFolders) -> None:
    failed = hot.config.routes[0].folder / "failed"
    (failed / "bad-date.csv.error.json").write_text('{"rejected_file": "../../m.yaml"}')
    answer = client.post("/api/watch/retry", json={"route": "shop", "file": "bad-date.csv"})
    assert answer.status_code == 200
    assert (failed.parent.parent / "m.yaml").is_file()
    assert "failed/retried/m.yaml" not in answer.json()["reasons_moved_to"]
