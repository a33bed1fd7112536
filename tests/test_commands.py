"""The command line as users meet it: every command's --help, `mappings` and `history`,
whole outputs asserted. The commands are taken from the click group, so a new command is
checked without a new test."""

from __future__ import annotations

import os
import shlex
import time
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from tests.conftest import REPO, build_files, run_cli
from tests.sandbox_fixtures import ADM_KORENAAR, Sandbox
from tests.test_send import MAPPING, orders
from yukimap.cli import cli

# A change to this text is a change users see: make it on purpose, here. (click's runner
# wraps help at 80 columns, whatever the terminal running the tests.)
TOP_HELP = """\
Usage: yukimap [OPTIONS] COMMAND [ARGS]...

  Turn CSV and Excel exports into Yuki documents: sales invoices, general
  journal entries and petty cash statements, described by a YAML mapping file.

  Start with:
    yukimap init export.csv     (a starter mapping for your own export)
    yukimap convert export.csv --mapping webshop-orders --dry-run
    yukimap check my-mapping.yaml --sample export.csv
    yukimap mappings            (the mappings that ship with yukimap)

Options:
  --version     Show the version and exit.
  --lang en|nl  The language of messages, summaries and reports: en (English) or
                nl (Nederlands); default: YUKIMAP_LANG, else the locale (LANG).
  -h, --help    Show this message and exit.

Commands:
  administrations  List the administrations the access key can see (costs 1...
  check            Check a mapping file, and optionally try it on a sample...
  convert          Convert FILE into a Yuki document as its mapping describes.
  explain          Show why each value of one document is what it is: the...
  history          Recent send runs and their outcome (costs no calls).
  init             Write a starter mapping for the export FILE, with comments.
  mappings         List the mappings that ship with yukimap.
  preview          Show the documents FILE makes, as tables: the first ones...
  resolve          Decide documents whose outcome is unknown (see `yukimap...
  sandbox          Run a local stand-in for Yuki's webservices (for demos...
  schema           Print the JSON Schema of the mapping format, for editors.
  send             Send FILE to Yuki: each document exactly once.
  status           Show the settings, the Yuki calls used today, the...
  studio           Open a page to build a mapping on an export and see it...
  test             Run a mapping's own tests: convert each case and compare...
  watch            Watch folders and send every export dropped into them to...
"""


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_the_top_level_help(flag: str) -> None:
    result = run_cli(flag)
    assert (result.code, result.stderr) == (0, "")
    assert result.stdout == TOP_HELP


def _flat(text: str) -> str:
    return " ".join(text.replace("\b", "").split())


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_its_usage_and_every_option(name: str) -> None:
    command = cli.commands[name]
    result = run_cli(name, "--help")
    assert (result.code, result.stderr) == (0, "")
    usage = result.stdout.splitlines()[0]
    arguments = [p.human_readable_name for p in command.params if isinstance(p, click.Argument)]
    assert usage == " ".join([f"Usage: yukimap {name} [OPTIONS]", *arguments])
    assert command.help, f"yukimap {name} has no help text"
    assert _flat(command.help.split("\n\n")[0]) in _flat(result.stdout)
    for option in command.params:
        if isinstance(option, click.Option):
            assert option.help, f"yukimap {name} {option.opts[-1]} has no help text"
            assert all(flag in result.stdout for flag in option.opts + option.secondary_opts)


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_an_example_that_uses_its_own_options(name: str) -> None:
    """Each --help ends with an example or a few: whole command lines, each option in them
    one the command has."""
    command = cli.commands[name]
    text = run_cli(name, "--help").stdout
    lines = text.splitlines()
    assert any(line in ("  Example:", "  Examples:") for line in lines), text
    examples = [line.strip() for line in lines if line.startswith(f"    yukimap {name}")]
    assert examples, text
    known = {flag for p in command.params for flag in [*p.opts, *p.secondary_opts]}
    for example in examples:
        words = shlex.split(example.split("  (")[0])
        assert words[:2] == ["yukimap", name]
        used = {w for w in words[2:] if w.startswith("-")}
        assert used <= known, f"{example}: {used - known}"


def test_mappings_lists_the_shipped_ones() -> None:
    result = run_cli("mappings")
    assert (result.code, result.stderr) == (0, "")
    assert result.stdout == (
        "Banks\n"
        "  bank-abnamro        journal         Bank export (ABN AMRO TXT, tab-separated, no"
        " header) as a general journal\n"
        "  bank-belfius-fr     journal         Bank export (Belfius CSV, Belgium, French) as"
        " a general journal\n"
        "  bank-belfius        journal         Bank export (Belfius CSV, Belgium, Dutch) as"
        " a general journal\n"
        "  bank-bnp-fortis     journal         Bank export (BNP Paribas Fortis CSV, Belgium,"
        " NL or FR) as a general journal\n"
        "  bank-bunq           journal         Bank export (bunq CSV, signed amounts) as a"
        " general journal\n"
        "  bank-camt053        journal         Bank statement (CAMT.053) as a general"
        " journal\n"
        "  bank-ing            journal         Bank export (ING CSV, Af/Bij) as a general"
        " journal\n"
        "  bank-kbc            journal         Bank export (KBC CSV, Belgium) as a general"
        " journal\n"
        "  bank-knab           journal         Bank export (Knab CSV, CreditDebet) as a"
        " general journal\n"
        "  bank-mt940          journal         Bank statement (MT940) as a general journal\n"
        "  bank-rabobank       journal         Bank export (Rabobank CSV, signed amounts) as"
        " a general journal\n"
        "  bank-triodos        journal         Bank export (Triodos CSV, no header,"
        " Debet/Credit) as a general journal\n"
        "  bank-volksbank      journal         Bank export (SNS, ASN Bank, RegioBank CSV, no"
        " header) as a general journal\n"
        "\n"
        "Webshops\n"
        "  shopify-orders      sales_invoices  Shopify orders export (CSV) as sales"
        " invoices\n"
        "  webshop-orders      sales_invoices  Webshop order export (CSV, one row per order"
        " line)\n"
        "  woocommerce-orders  sales_invoices  WooCommerce order export (Advanced Order"
        " Export, CSV) as sales invoices\n"
        "\n"
        "Payment providers\n"
        "  mollie-settlement   journal         Mollie settlement report (CSV) as a general"
        " journal\n"
        "  paypal-activity-en  journal         PayPal activity download (CSV, English) as a"
        " general journal\n"
        "  paypal-activity     journal         PayPal activity download (CSV, Dutch) as a"
        " general journal\n"
        "  stripe-balance      journal         Stripe balance report (itemized CSV) as a"
        " general journal\n"
        "\n"
        "Tills\n"
        "  pos-daily           journal         Point-of-sale daily summary (CSV) as journals"
        " with split entries\n"
        "  pos-export          sales_invoices  Point-of-sale export (Excel, one row per"
        " receipt line)\n"
        "  sumup-sales         journal         SumUp sales report (CSV) as a journal per"
        " day\n"
        "\n"
        "Cash books\n"
        "  cash-book           petty_cash      Cash book (CSV, receipts and payments"
        " columns, running balance)\n"
        "  kasboek             petty_cash      Cash book kept in Excel or LibreOffice"
        " (.xlsx, .ods) as a petty cash statement\n"
        "\n"
        "Others\n"
        "  memorial            journal         Memorial spreadsheet (Excel, debit and credit"
        " columns)\n"
        "  yuki-doc-example    sales_invoices  Yuki documentation example (all fields)\n"
        "\n"
        "Use one by name: yukimap convert FILE --mapping NAME; start your own from one:"
        " yukimap init FILE --like NAME; copy it to change it:"
        f" {REPO / 'mappings'}\n")


@pytest.fixture
def amsterdam_at_half_past_ten(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is Amsterdam's, and the send journal's clock stands at 09:30 UTC."""
    monkeypatch.setattr("yukimap.sendlog.store.now", lambda: "2024-11-04T09:30:00+00:00")
    before = os.environ.get("TZ")
    os.environ["TZ"] = "CET-1CEST,M3.5.0,M10.5.0/3"  # Amsterdam's rule, without tzdata
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.usefixtures("amsterdam_at_half_past_ten")
def test_history_of_the_runs_and_of_a_document(yuki_env: Sandbox, tmp_path: Path) -> None:
    assert run_cli("history").stdout == "nothing has been sent yet\n"
    files = build_files(tmp_path, {"m.yaml": MAPPING, "orders.csv": orders(range(1001, 1003))})
    for _ in range(2):  # the second run finds both invoices sent
        assert run_cli("send", files["orders.csv"], "-m", files["m.yaml"], "-a",
                       ADM_KORENAAR).code == 0
    run = f"2024-11-04 10:30 CET  orders.csv (sales_invoices) -> {ADM_KORENAAR}:"
    result = run_cli("history")
    assert (result.code, result.stderr) == (0, "")
    assert result.stdout == (f"run 2  {run} no documents; 0 call(s); done\n"
                             f"run 1  {run} sent 2; 3 call(s); done\n")
    assert run_cli("history", "--limit", "1").stdout == (
        f"run 2  {run} no documents; 0 call(s); done\n")
    assert run_cli("history", "--document", "1").stdout == (
        "document 1: invoice 1001 (invoice:1001), now SENT\n"
        f"  administration {ADM_KORENAAR}; from orders.csv, rows 2, 3\n"
        "  2024-11-04 10:30 CET  PENDING\n"
        "  2024-11-04 10:30 CET  SENDING\n"
        "  2024-11-04 10:30 CET  SENT\n")
    unknown = run_cli("history", "--document", "9")
    assert (unknown.code, unknown.stdout, unknown.stderr) == (
        2, "", "error: the send journal has no document 9\n")


@pytest.mark.parametrize("command", [
    ["check", str(REPO / "mappings" / "webshop-orders.yaml")], ["mappings"], ["status"],
    ["status", "--json"], ["history"], ["schema"]], ids=" ".join)
def test_a_command_that_reads_no_export_starts_without_polars(command: list[str],
                                                               tmp_path: Path) -> None:
    """Checking a mapping while it is written, `status` from a monitor: polars' import alone
    takes 0.3-0.45 s, more than the rest of such a command, so only what reads data
    imports it (as a process, from Python's own list of the modules it imported)."""
    imported = _imported(command, tmp_path)
    assert "yukimap.cli" in imported
    assert "polars" not in imported


def _imported(command: list[str], folder: Path) -> set[str]:
    """The modules `yukimap COMMAND` imports, run as a process in `folder` (with a state
    folder of its own), from Python's own list of them; it must succeed."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "yukimap", *command],
                          capture_output=True, text=True, cwd=folder,
                          env={**os.environ, "YUKIMAP_STATE": str(folder / "state")})
    assert done.returncode == 0, done.stderr[-3000:]
    return {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
            if line.startswith("import time:")}


def test_a_small_conversion_imports_only_what_it_uses(tmp_path: Path) -> None:
    """A one-row journal written to a file: no temporary folder (filelock), no contact
    number to check (python-stdnum, which imports ssl), no explanation of a failure
    (xmlschema), no state (sqlite3), each a part of a small file's start-up."""
    lines = (REPO / "examples" / "bank-ing.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "one.csv").write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    imported = _imported(["convert", "one.csv", "-m", "bank-ing", "-a", "12345678", "-o",
                          "one.xml"], tmp_path)
    assert {"polars", "yukimap.scratch"} <= imported
    assert not {"filelock", "ssl", "stdnum", "xmlschema", "sqlite3"} & imported
    assert (tmp_path / "one.xml").exists()


def test_an_output_the_disk_will_not_take_is_said_not_a_traceback(tmp_path: Path) -> None:
    # --output in a "folder" that is a file: it was an internal error (FileExistsError)
    (tmp_path / "report.txt").write_text("not a folder\n", encoding="utf-8")
    result = run_cli("convert", REPO / "examples" / "webshop-orders.csv", "-m",
                     "webshop-orders", "-o", tmp_path / "report.txt" / "out.xml")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: could not write {tmp_path / 'report.txt' / 'out.xml'}: File exists"
        f" ({tmp_path / 'report.txt'})\n  fix: give --output a file in a folder that can be"
        " made and written, on a disk with room\n")
    assert (tmp_path / "report.txt").read_text(encoding="utf-8") == "not a folder\n"
    # any command's file the system will not write: said where and why, in one place (cli)
    started = run_cli("init", REPO / "examples" / "webshop-orders.csv", "-o",
                      tmp_path / "report.txt" / "m.yaml")
    assert (started.code, started.stderr) == (1, (
        f"error: {tmp_path / 'report.txt'}: File exists\n  fix: check that the folders on"
        " that path exist (not as files) and can be written, and that the disk has room\n"))


def test_convert_as_a_process_ends_at_once_with_its_output_and_exit_code(tmp_path: Path) -> None:
    """The console script ends a conversion without the interpreter's teardown: the
    document piped to standard output and the summary arrive whole, the exit code as set."""
    import subprocess
    import sys

    from yukimap.output import document_text
    from yukimap.pipeline import convert_file

    lines = (REPO / "examples" / "webshop-orders.csv").read_bytes().splitlines(keepends=True)
    one = tmp_path / "one.csv"
    one.write_bytes(b"".join(lines[:2]))
    done = subprocess.run([sys.executable, "-m", "yukimap", "convert", str(one), "-m",
                           "webshop-orders"], capture_output=True, text=True, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, document_text(convert_file(one,
                                                                            "webshop-orders")))
    assert done.stderr.endswith("written to standard output\n")
    missing = subprocess.run([sys.executable, "-m", "yukimap", "convert", "none.csv", "-m",
                              "webshop-orders"], capture_output=True, text=True, cwd=tmp_path)
    assert (missing.returncode, missing.stdout) == (1, "")
    assert "none.csv" in missing.stderr


def test_leaving_at_once_flushes_and_waits_for_a_thread_that_is_not_a_daemon(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from yukimap import cli as cli_module

    left: list[int] = []
    monkeypatch.setattr(os, "_exit", left.append)  # records the code instead of leaving
    cli_module._leave_at_once(3)
    assert left == [3]
    release = threading.Event()
    busy = threading.Thread(target=release.wait)
    busy.start()
    try:
        with pytest.raises(SystemExit) as ordinary:
            cli_module._leave_at_once(0)
        assert ordinary.value.code == 0 and left == [3]
    finally:
        release.set()
        busy.join()
