"""Shared test helpers: files built inline (`build_files`), the command line run in this
process (`run_cli`), golden-file updates. tests/robustness adds its subprocess harness."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
# English unless a test asks for Dutch, whatever the machine's locale; a Dutch run that meets
# a text without Dutch fails (yukimap/i18n.py). Commands run as subprocesses inherit both.
os.environ["YUKIMAP_LANG"] = "en"
os.environ["YUKIMAP_I18N_STRICT"] = "1"
pytest_plugins = ["tests.sandbox_fixtures"]  # the `sandbox` and `make_sandbox` fixtures


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite the expected files of golden tests from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def build_files(root: Path, files: dict[str, str | bytes]) -> dict[str, Path]:
    """Write {relative name: text or bytes} under root and return their paths. Text is
    written as UTF-8 exactly as given: line numbers, line ends and blank lines are what the
    test says, as the messages that name them expect."""
    paths = {}
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        paths[name] = path
    return paths


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path) -> CliResult:
    """`yukimap ARGS` in this process (click's runner), named as a user calls it."""
    from yukimap.cli import cli

    # The language a command chose (--lang) is given back with the environment afterwards.
    result = CliRunner().invoke(cli, [str(a) for a in args], prog_name="yukimap",
                                catch_exceptions=False,
                                env={"YUKIMAP_LANG": os.environ.get("YUKIMAP_LANG")})
    return CliResult(result.exit_code, result.stdout, result.stderr)


@pytest.fixture(autouse=True)
def _english_again() -> object:
    """A test that ran a command with --lang nl leaves the next one in English."""
    yield
    from yukimap import i18n

    if i18n.language() != "en":
        i18n.set_language("en")
