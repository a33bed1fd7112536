"""The studio's parts on their own: the source options written into a mapping's text, the
key of a problem back to its place in the mapping, and `yukimap studio` as a user starts it
(a real process: the address it prints, 127.0.0.1 only, the token)."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from yukimap.studio.dryrun import key_path
from yukimap.studio.sourceedit import NotEditable, set_source_option

MAPPING = """\
version: 1
target: journal

source:
  delimiter: ";"   # the bank's own
  header_row: 1

journal:
  JournalType: GeneralJournal
"""


def test_an_option_is_replaced_on_its_line_keeping_its_comment() -> None:
    assert set_source_option(MAPPING, "delimiter", ",") == MAPPING.replace(
        'delimiter: ";"   # the bank\'s own', 'delimiter: ","   # the bank\'s own')
    assert set_source_option(MAPPING, "header_row", 3) == MAPPING.replace(
        "header_row: 1", "header_row: 3")


def test_a_new_option_goes_under_source() -> None:
    assert set_source_option(MAPPING, "sheet", "Verkopen") == MAPPING.replace(
        "  header_row: 1\n", '  header_row: 1\n  sheet: "Verkopen"\n')


def test_an_option_set_to_nothing_is_removed() -> None:
    assert set_source_option(MAPPING, "delimiter", None) == MAPPING.replace(
        '  delimiter: ";"   # the bank\'s own\n', "")


def test_a_mapping_without_source_gets_one_after_its_target() -> None:
    text = "version: 1\ntarget: journal\njournal: {}\n"
    assert set_source_option(text, "header_row", 2) == (
        "version: 1\ntarget: journal\nsource:\n  header_row: 2\njournal: {}\n")
    empty = "version: 1\nsource:\ntarget: journal\n"
    assert set_source_option(empty, "sheet", 2) == (
        "version: 1\nsource:\n  sheet: 2\ntarget: journal\n")


@pytest.mark.parametrize(("text", "key", "message"), [
    ("version: 1\nsource: {delimiter: ';'}\n", "delimiter",
     "source: is written on one line ({...}): change it in the editor"),
    ("source:\n  date_format:\n    - '%d-%m-%Y'\n", "date_format",
     "source.date_format is not written on one line: change it in the editor"),
    ("source: [\n", "sheet", "the mapping's text is not valid YAML yet: fix it first"),
    ("version: 1\n", "sheets", "'sheets' is not an option of source:"),
])
def test_what_the_page_cannot_edit_is_said(text: str, key: str, message: str) -> None:
    with pytest.raises(NotEditable) as caught:
        set_source_option(text, key, "x")
    assert str(caught.value) == message


def test_a_problem_key_leads_back_to_its_place() -> None:
    assert key_path("lines[0].Product.SalesPrice") == ("lines", 0, "Product", "SalesPrice")
    assert key_path("invoice.Date") == ("invoice", "Date")
    assert key_path("source") == ("source",)


def test_studio_needs_folders() -> None:
    result = run_cli("studio", "no-such-folder", "--no-browser")
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == ("error: no-such-folder is not a folder\n"
                             "  fix: give the folders with your exports: yukimap studio"
                             " FOLDER\n")


def test_studio_with_a_broken_watch_config_says_where_and_starts_nothing(
        tmp_path: Path) -> None:
    config = tmp_path / "watch.yaml"
    config.write_text("version: 1\nroutes: []\nbogus: 1\n")
    result = run_cli("studio", str(tmp_path), "--watch", str(config), "--no-browser")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == f"error: {config}: 2 problems in the watch config"
    assert f"error: {config}:3:8 bogus: unknown key 'bogus' in the watch config" in (
        result.stderr.splitlines())


@pytest.mark.slow
def test_studio_prints_its_address_with_a_token_and_serves_on_loopback(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "yukimap", "studio", str(tmp_path), "--no-browser",
         "--port", "0"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(4)]
        assert lines[0] == f"yukimap studio for {tmp_path}\n"
        assert lines[1] == "Open this address in your browser (it carries the access token):\n"
        found = re.fullmatch(r"    http://127\.0\.0\.1:(\d+)/\?token=([\w-]{43})\n", lines[2])
        assert found, lines[2]
        port, token = found.groups()
        assert lines[3] == "Stop it with Ctrl+C.\n"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/state", timeout=10)
        assert refused.value.code == 403
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        page = browser.open(f"http://127.0.0.1:{port}/?token={token}", timeout=10)
        assert (page.status, page.url) == (200, f"http://127.0.0.1:{port}/")  # cookie set
        assert browser.open(f"http://127.0.0.1:{port}/api/state", timeout=10).status == 200
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True,
                                   text=True)
        if listening.returncode == 0:
            assert f"127.0.0.1:{port}" in listening.stdout
            assert f"0.0.0.0:{port}" not in listening.stdout
    finally:
        process.terminate()
        process.wait(10)
