"""`yukimap studio` in a real browser: Debian's headless Chromium, driven by Playwright,
against the real command serving a folder of exports. A shipped example loads and converts
with its totals; a broken mapping shows its error in the editor (the line) and in the grid
(the cell); fixed, the error is gone; a value shows its source rows, and clicked, its
explain trace and source cell; a cell shows the values it feeds; the output is approved as a
snapshot case that `yukimap test` passes; a new export starts from init's starter and is
timed to a validating dry run; the mapping is saved beside the export and the document
downloads; a workbook's header row is changed from the page; a dropped export opens; the hot
folders of the real daemon show a failed file, and Retry gives it back to the daemon. The
page asks nothing of any address but the studio's.

Screenshots of each screen are taken on the way; `make studio-screenshots` keeps them in
docs/studio/ (YUKIMAP_STUDIO_SHOTS)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import REPO
from tests.robustness.watch_harness import HEADER, Watch
from tests.sandbox_fixtures import Sandbox
from yukimap.studio.gate import FORBIDDEN

playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
EXPORTS = ("webshop-orders.csv", "pos-export.xlsx", "bank-ing.csv")
CONVERTS = "webshop-orders.csv: the mapping converts and validates; nothing written"


def chromium() -> str:
    found = os.environ.get("YUKIMAP_CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")
    if found:
        return found
    reason = "Chromium is not installed: `make test` installs it as root (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(reason)  # CI must run the browser tests
    pytest.skip(reason)


def start_studio(*args: str, env: dict[str, str] | None = None
                 ) -> tuple[subprocess.Popen[str], str]:
    """The real `yukimap studio` command with `args`; its process and the address it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "yukimap", "studio", *args, "--no-browser", "--port", "0"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    assert process.stdout is not None
    url = None
    for line in process.stdout:  # up to its last line, "Stop it with Ctrl+C." (in any language)
        found = re.search(r"(http://127\.0\.0\.1:\d+/\?token=\S+)", line)
        url = url or (found.group(1) if found else None)
        if "Ctrl+C" in line:
            break
    assert url, "the studio printed no address"
    return process, url


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The real command on a folder with copies of shipped examples: (address, folder)."""
    folder = tmp_path_factory.mktemp("exports")
    for name in EXPORTS:
        shutil.copy(REPO / "examples" / name, folder / name)
    process, url = start_studio(str(folder))
    yield url, folder
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium()
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, studio: tuple[str, Path]) -> Iterator[Any]:
    """A fresh browser context (no cookie yet), that lets no request leave the machine."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    elsewhere: list[str] = []
    errors: list[str] = []

    def only_here(route: Any) -> None:
        if route.request.url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_here)
    opened = context.new_page()
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.set_default_timeout(15_000)
    yield opened
    context.close()
    assert elsewhere == [], "the page asked for something outside the studio"
    assert errors == []


def open_studio(page: Any, studio: tuple[str, Path], file: str) -> None:
    page.goto(f"{studio[0]}#{quote('0/' + file, safe='')}")
    checked(page, 1)


def wait_until(page: Any, expression: str, seconds: float = 15) -> None:
    """Poll `expression` in the page until it is true. (Playwright's wait_for_function
    evaluates a string inside the page, which the studio's Content-Security-Policy forbids,
    as it should: the tests run the page under its real policy.)"""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {seconds} s: {expression}")
        page.wait_for_timeout(30)


def checked(page: Any, count: int) -> None:
    """Wait until the page has had `count` dry-run answers and shows the last."""
    wait_until(page, f"Number(document.body.dataset.checks) >= {count}"
                     " && document.body.dataset.state === 'done'")


def checks(page: Any) -> int:
    return int(page.evaluate("document.body.dataset.checks"))


def retype(page: Any, old: str, new: str) -> None:
    """Select `old` in the editor and put `new` in its place in one edit, as a person pastes
    it; then wait for the dry run that the pause after it starts. (Typed a key at a time, a
    loaded machine could leave a pause mid-word: the dry run of half a word was then the one
    waited for, and the page's answer to the whole word came after the test had read it.)"""
    before = checks(page)
    page.evaluate("""([old]) => {
        const view = window.studio.view;
        const from = view.state.doc.toString().indexOf(old);
        if (from < 0) throw new Error("not in the editor: " + old);
        view.dispatch({selection: {anchor: from, head: from + old.length}});
        view.focus();
    }""", [old])
    page.keyboard.insert_text(new)
    checked(page, before + 1)


def diagnostics(page: Any) -> list[dict[str, Any]]:
    return [d for d in page.evaluate("window.studio.diagnostics()") if d["source"] == "yukimap"]


def shot(page: Any, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("YUKIMAP_STUDIO_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name))


def text(page: Any, selector: str) -> str:
    return str(page.locator(selector).inner_text())


def test_a_shipped_example_converts_and_shows_its_totals(page: Any, studio: Any,
                                                         tmp_path: Path) -> None:
    open_studio(page, studio, "webshop-orders.csv")
    assert text(page, "#message") == CONVERTS
    assert text(page, "#mapping-name") == "webshop-orders.yaml (not saved; from webshop-orders)"
    totals = [text(page, f"#totals tbody td:nth-child({n})") for n in (1, 2, 3, 4)]
    assert totals == ["EUR", "1,251.01", "244.79", "1,495.80"]
    assert text(page, "#cell-2-B") == "02-11-2024"
    assert text(page, "#grid-table thead th:nth-child(2)") == "A"
    assert page.locator("#documents tbody tr").count() == 4
    shot(page, "1-example-converts.png", tmp_path)


def test_a_broken_mapping_shows_where_and_fixed_it_converts(page: Any, studio: Any,
                                                            tmp_path: Path) -> None:
    open_studio(page, studio, "webshop-orders.csv")
    retype(page, "Process: true", "Proces: true")
    assert text(page, "#status") == "1 error"
    group = page.locator("#problems li.group")
    assert group.count() == 1
    assert group.locator(".cause").inner_text() == ("ERROR unknown key 'Proces' in invoice (not"
                                                    " a field of an invoice)")
    assert group.locator(".mapping-where").inner_text() == "mapping line 30:11 invoice.Proces"
    assert group.locator(".hint").inner_text().startswith("fix: did you mean 'Process'?")
    assert [(d["line"], d["severity"]) for d in diagnostics(page)] == [(30, "error")]
    assert page.locator(".cm-lintRange-error").count() >= 1
    shot(page, "2-mapping-error.png", tmp_path)

    retype(page, "Proces: true", "Process: true")
    assert text(page, "#message") == CONVERTS
    assert diagnostics(page) == [] and page.locator("#problems li").count() == 0
    assert text(page, "#status") == "converts and validates"
    assert text(page, "#totals tbody td:nth-child(4)") == "1,495.80"


def test_a_data_problem_marks_its_cell_in_the_grid(page: Any, studio: Any,
                                                   tmp_path: Path) -> None:
    open_studio(page, studio, "webshop-orders.csv")
    retype(page, '"%d-%m-%Y"', '"%Y-%m-%d"')
    assert text(page, "#message") == "webshop-orders.csv: 2 problems in the data"
    assert "cell-error" in str(page.get_attribute("#cell-2-B", "class"))
    assert page.locator("td.cell-error").count() == 4  # every order's date, in column B
    assert {d["line"] for d in diagnostics(page)} == {31, 32}  # Date, and DueDate reading it
    assert text(page, "#status") == "2 errors"
    group = page.locator("#problems li.group").first
    assert group.locator(".cause").inner_text() == "ERROR not a date in the format yyyy-mm-dd"
    assert group.locator(".hint").count() == 1  # the fix once for the group, not per cell
    first = group.locator("li.place").first
    assert first.inner_text() == ("'02-11-2024' · mapping line 31:9 invoice.Date · row 2,"
                                  " column B (Besteldatum) · invoice 2024-1001")
    first.click()
    assert "source" in str(page.get_attribute("#cell-2-B", "class"))
    shot(page, "3-data-error-in-the-grid.png", tmp_path)

    retype(page, '"%Y-%m-%d"', '"%d-%m-%Y"')
    assert text(page, "#message") == CONVERTS
    assert page.locator("td.cell-error").count() == 0


def test_a_value_shows_its_source_rows(page: Any, studio: Any, tmp_path: Path) -> None:
    open_studio(page, studio, "webshop-orders.csv")
    page.locator("#documents tbody tr", has_text="2024-1004").locator("td.value").first.click()
    highlighted = page.locator("#grid-table tr.source")
    assert [highlighted.nth(i).get_attribute("data-row") for i in range(highlighted.count())
            ] == ["8", "9"]
    shot(page, "4-value-and-its-source.png", tmp_path)


def test_click_a_value_and_see_its_source_cell_and_each_step(page: Any, studio: Any,
                                                            tmp_path: Path) -> None:
    open_studio(page, studio, "webshop-orders.csv")
    doc = page.locator("#documents tbody tr", has_text="2024-1004")
    column = page.locator("#documents thead th").all_inner_texts().index("Date")
    doc.locator("td").nth(column).click()
    wait_until(page, "document.querySelectorAll('#why .trace').length === 1")
    assert text(page, "#why h3") == "why: invoice 2024-1004"
    assert text(page, "#why .trace-head") == "invoice.Date = '2024-11-04'"
    assert page.locator("#why .steps li").all_inner_texts() == [
        "column 'Besteldatum' (B), row 8: '04-11-2024'",
        "read as a date (%d-%m-%Y): '2024-11-04'"]
    assert "source" in str(page.get_attribute("#cell-8-B", "class"))
    assert page.locator("#grid-table td.source").count() == 1
    shot(page, "6-why-a-value.png", tmp_path)

    item = page.locator("#items tbody tr").nth(1)  # 2024-1001's second line, row 3
    prices = page.locator("#items thead th").all_inner_texts().index("Product.SalesPrice")
    item.locator("td").nth(prices).click()
    wait_until(page, "document.querySelector('#why .trace-head')?.textContent"
                     " === \"lines.Product.SalesPrice = '4.50' (line 2 (row 3))\"")
    assert "source" in str(page.get_attribute("#cell-3-R", "class"))


def test_click_a_cell_and_see_the_values_it_feeds(page: Any, studio: Any,
                                                  tmp_path: Path) -> None:
    open_studio(page, studio, "webshop-orders.csv")
    page.click("#cell-2-F")
    assert text(page, "#why h3") == "row 2, column F (Bedrijfsnaam) feeds"
    assert page.locator("#why .feeds li").all_inner_texts() == [
        "2024-1001 · Contact.FullName = 'De Groene Vlinder B.V.'",
        "2024-1001 · Contact.ContactType = 'Company'"]
    assert page.locator("#documents td.fed").count() == 2
    page.click("#cell-3-R")
    assert page.locator("#why .feeds li").all_inner_texts() == [
        "2024-1001 · lines.Product.SalesPrice = '4.50'"]
    assert page.locator("#items td.fed").count() == 1
    shot(page, "7-what-a-cell-feeds.png", tmp_path)


def test_approve_a_snapshot_and_yukimap_test_passes_on_it(page: Any, studio: Any,
                                                          tmp_path: Path) -> None:
    open_studio(page, studio, "webshop-orders.csv")
    folder = studio[1]
    try:
        page.click("#approve")
        wait_until(page, "document.getElementById('status').textContent.startsWith('kept')")
        assert text(page, "#status") == ("kept: test case webshop-orders.tests/webshop-orders;"
                                         " run yukimap test webshop-orders.yaml")
        assert text(page, "#mapping-name") == "webshop-orders.yaml"
        ran = subprocess.run([sys.executable, "-m", "yukimap", "test", "webshop-orders.yaml"],
                             cwd=folder, capture_output=True, text=True, timeout=120,
                             check=False)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        shot(page, "8-approved-as-test.png", tmp_path)
    finally:
        (folder / "webshop-orders.yaml").unlink(missing_ok=True)
        shutil.rmtree(folder / "webshop-orders.tests", ignore_errors=True)


def test_a_new_mapping_from_inits_starter_to_a_validating_dry_run(page: Any, studio: Any,
                                                                  tmp_path: Path) -> None:
    """The time a new mapping takes, as a person does it on the page: pick a new export (a
    webshop export under a name no shipped mapping has), start from `yukimap init`'s
    starter, fill in what the dry run asks for, until it converts and validates; save."""
    folder = studio[1]
    shutil.copy(REPO / "examples" / "webshop-orders.csv", folder / "orders-november.csv")
    try:
        open_studio(page, studio, "webshop-orders.csv")
        started, edits = time.monotonic(), 0
        before = checks(page)
        page.select_option("#file", "0/orders-november.csv")
        checked(page, before + 1)
        assert text(page, "#mapping-name") == ("orders-november.yaml (not saved; yukimap"
                                               " init's starter for sales invoices)")
        place = page.locator("#problems li.place").first
        assert place.inner_text() == "mapping line 82:35 lines.Product.VATType.map.0"
        shot(page, "10-new-mapping-from-init.png", tmp_path)
        place.click()  # the editor's cursor goes to the TODO
        retype(page, '"0": TODO', '"0": 4')  # Yuki's VAT type for 0%: 4, zero rate
        edits += 1
        assert text(page, "#problems .cause") == ("ERROR not a date in ISO format"
                                                  " (yyyy-mm-dd)")
        assert 'date_format: "%d-%m-%Y"' in text(page, "#problems .hint")
        retype(page, "# date_format: not stated: Besteldatum reads as dd-mm-yyyy or mm-dd-yyyy,"
                     " and no value", 'date_format: "%d-%m-%Y"')  # as the fix says
        edits += 1
        assert text(page, "#message") == ("orders-november.csv: the mapping converts and"
                                          " validates; nothing written")
        page.click("#save")
        wait_until(page, "document.getElementById('status').textContent.startsWith('saved')")
        took = time.monotonic() - started
        assert (folder / "orders-november.yaml").is_file()
        assert [text(page, f"#totals tbody td:nth-child({n})") for n in (2, 3, 4)] == [
            "1,278.33", "250.52", "1,528.85"]
        figure = (f"a new mapping for webshop-orders.csv from yukimap init's starter to a"
                  f" validating dry run, saved: {edits} edits, 3 clicks, {took:.1f} s of"
                  " the page's own time\n")
        shots = os.environ.get("YUKIMAP_STUDIO_SHOTS")
        if shots:
            (Path(shots) / "time-to-new-mapping.txt").write_text(figure)
        print(figure)
        assert edits == 2
    finally:
        (folder / "orders-november.csv").unlink()
        (folder / "orders-november.yaml").unlink(missing_ok=True)


def test_the_mapping_is_saved_beside_the_export_and_the_document_downloads(
        page: Any, studio: Any) -> None:
    open_studio(page, studio, "webshop-orders.csv")
    saved = studio[1] / "webshop-orders.yaml"
    try:
        page.click("#save")
        wait_until(page, "document.getElementById('status').textContent.startsWith('saved')")
        assert text(page, "#status") == "saved as webshop-orders.yaml"
        assert saved.read_text(encoding="utf-8") == (REPO / "mappings" /
                                                     "webshop-orders.yaml").read_text()
        with page.expect_download() as download:
            page.click("#download")
        assert download.value.suggested_filename == "webshop-orders.xml"
        document = Path(download.value.path()).read_text(encoding="utf-8")
        assert document.startswith("<?xml") and "<Reference>2024-1005</Reference>" in document
    finally:
        saved.unlink(missing_ok=True)


def test_a_workbooks_header_row_is_changed_from_the_page(page: Any, studio: Any,
                                                         tmp_path: Path) -> None:
    open_studio(page, studio, "pos-export.xlsx")
    assert page.locator("#opt-sheet").input_value() == "Verkopen"
    assert page.locator("#opt-header").input_value() == "3"
    assert page.locator("#grid-table tr.above").count() == 2
    shot(page, "5-workbook-grid.png", tmp_path)
    before = checks(page)
    page.fill("#opt-header", "2")
    page.dispatch_event("#opt-header", "change")
    checked(page, before + 1)
    assert "  header_row: 2\n" in page.evaluate("window.studio.view.state.doc.toString()")
    assert text(page, "#message").endswith("problem in the data") or page.locator(
        "#problems li").count() >= 1


def test_a_dropped_export_opens(page: Any, studio: Any) -> None:
    open_studio(page, studio, "webshop-orders.csv")
    before = checks(page)
    dropped = studio[1] / "dropped-orders.csv"
    try:
        page.set_input_files("#upload", files=[{"name": "dropped-orders.csv",
                                                "mimeType": "text/csv",
                                                "buffer": (REPO / "examples" /
                                                           "webshop-orders.csv").read_bytes()}])
        wait_until(page, "document.getElementById('file').value === '0/dropped-orders.csv'")
        checked(page, before + 1)
        assert dropped.read_bytes() == (REPO / "examples" / "webshop-orders.csv").read_bytes()
        assert text(page, "#grid-table tr.header td:nth-child(2)") == "Bestelnummer"
    finally:
        dropped.unlink(missing_ok=True)


def test_without_the_token_the_page_is_forbidden(page: Any, studio: Any) -> None:
    bare = studio[0].split("?")[0]
    answer = page.goto(bare)
    assert answer.status == 403
    assert page.locator("body").inner_text().strip() == FORBIDDEN.decode().strip()


@pytest.mark.slow
def test_see_a_failed_file_on_the_hot_folder_page_and_retry_it(
        page: Any, sandbox: Sandbox, tmp_path: Path) -> None:
    """The real daemon (as the hot-folder tests run it, against the sandbox) fails a file with
    bad dates; the page shows it with its reason; Retry moves it back, the daemon takes it up
    again (and, the dates still bad, fails it again)."""
    hot = Watch(tmp_path, sandbox, "polling")
    hot.start()
    studio = None
    try:
        hot.drop("bad-date.csv", HEADER + "501;31-31-2024;K;1;Mok;12,50;21\n")
        hot.wait_failed(1)
        studio, url = start_studio(str(tmp_path), "--watch", str(hot.config), env=hot.env())
        page.goto(url.replace("/?token=", "/watch?token="))
        wait_until(page, "document.querySelector('li[data-file=\"bad-date.csv\"]') !== null")
        route = page.locator("section.route[data-route=shop]")
        assert text(page, "#daemon .health").startswith("running: pid ")
        assert route.locator("h3").all_inner_texts() == ["waiting (0)", "failed (1)",
                                                         "archived (0)"]
        failed = route.locator("li[data-file='bad-date.csv']")
        assert failed.locator(".reason").inner_text() == (f"{hot.inbox}/processing/bad-date.csv:"
                                                          " 1 problem in the data")
        failed.locator("summary").click()
        assert "Stage:      mapping the data" in failed.locator("pre").inner_text()
        shot(page, "9-hot-folders.png", tmp_path)

        failed.locator("button.retry").click()
        wait_until(page, "document.getElementById('status').textContent !== ''")
        assert text(page, "#status") == ("bad-date.csv is back in the folder as bad-date.csv:"
                                         " the daemon takes it up")
        assert (hot.inbox / "failed" / "retried" / "bad-date.csv.error.txt").is_file()
        hot.wait_for(lambda: hot.states("bad-date.csv").count("FAILED") == 2,
                     "the retried file taken up again")
        wait_until(page, "document.querySelector('li[data-file=\"bad-date.csv\"]') !== null")
    finally:
        if studio is not None:
            studio.terminate()
            studio.wait(10)
        hot.kill()


def test_the_page_speaks_the_studios_language(page: Any, studio: Any, tmp_path: Path) -> None:
    """`yukimap studio` in Dutch (YUKIMAP_LANG, as `--lang nl` sets it): the page's own labels
    and the located error are Dutch; its worker speaks Dutch too (a text without Dutch would
    fail it: the tests run strict)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(REPO / "examples" / "webshop-orders.csv", folder / "webshop-orders.csv")
    dutch, url = start_studio(str(folder), env={**os.environ, "YUKIMAP_LANG": "nl"})
    try:
        page.goto(f"{url}#{quote('0/webshop-orders.csv', safe='')}")
        checked(page, 1)
        assert page.evaluate("document.documentElement.lang") == "nl"
        assert text(page, "#save") == "Mapping opslaan"
        assert text(page, "#message") == ("webshop-orders.csv: de mapping zet om en valideert;"
                                          " er is niets geschreven")
        assert text(page, "#status") == "zet om en valideert"
        assert str(page.locator("#summary-text").text_content()).startswith(
            "webshop-orders.csv -> verkoopfacturen (mapping ")
        retype(page, "Process: true", "Proces: true")
        assert text(page, "#status") == "1 fout"
        group = page.locator("#problems li.group")
        assert group.locator(".severity").inner_text() == "FOUT"
        assert group.locator(".mapping-where").inner_text() == "mapping regel 30:11 invoice.Proces"
        assert group.locator(".hint").inner_text().startswith("oplossing: ")
        shot(page, "11-in-dutch.png", tmp_path)
    finally:
        dutch.terminate()
        dutch.wait(10)
