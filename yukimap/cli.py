"""The command line: a thin layer over the library.

Each command parses its options, calls one library function and returns an exit code.
Errors become messages and exit codes in one place, `_run`. Heavy modules (polars,
xmlschema, requests) are imported inside the commands so that `yukimap --help` is fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from yukimap import __version__
from yukimap.errors import EXIT_BUG, EXIT_INTERRUPTED, UserError
from yukimap.i18n import LANGUAGES

EXIT_PIPE = 141  # 128 + SIGPIPE: the reader of stdout left (`| head`), as a shell reports it


class Finished(SystemExit):
    """The exit of a command that leaves nothing running behind it (no thread, no server,
    no child process): the console script may end the process at once (`main`)."""


def _run(command: Callable[..., int], **kwargs: Any) -> None:
    """Run a command function; turn every outcome into an exit code."""
    try:
        code = command(**kwargs)
        sys.stdout.flush()  # a reader that left shows here, not in the interpreter's exit
    except BrokenPipeError:
        code = _reader_gone()
    except UserError as exc:
        from yukimap.report import print_user_error

        print_user_error(exc)
        code = exc.exit_code
    except OSError as exc:
        if not exc.filename:  # not a file of the user's: a bug, below
            raise
        from yukimap.report import print_user_error

        print_user_error(_on_disk(exc))
        code = 1
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        code = EXIT_INTERRUPTED
    except Exception:  # a bug in yukimap, never the user's fault
        import traceback

        click.echo(
            "yukimap hit an internal error. This is a bug in yukimap, not in your data;"
            " please report it with the text below.",
            err=True,
        )
        traceback.print_exc()
        code = EXIT_BUG
    sys.exit(code)


def _on_disk(exc: OSError) -> UserError:
    """A file the system would not read or write (an --output under a file, a full disk, a
    folder without rights): where and why, for the person to fix."""
    from yukimap.i18n import tr

    return UserError(tr("{path}: {reason}", path=exc.filename, reason=exc.strerror or exc),
                     hint=tr("check that the folders on that path exist (not as files) and"
                             " can be written, and that the disk has room"))


def _reader_gone() -> int:
    """stdout is a pipe whose reader has left (`yukimap history | head -1`): stop quietly,
    as other command-line tools do. Nothing more can be written there, so stdout is pointed
    at the null device, or the interpreter's last flush would complain."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())
    os.close(null)
    return EXIT_PIPE


# Every command that reads the state folder takes it the same way.
_state_option = click.option(
    "--state", type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
    help="The state folder (send journal, call counter); default: YUKIMAP_STATE or the"
         " platform's.")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="yukimap")
@click.option("--lang", type=click.Choice(LANGUAGES), metavar="|".join(LANGUAGES),
              help="The language of messages, summaries and reports: en (English) or nl"
                   " (Nederlands); default: YUKIMAP_LANG, else the locale (LANG).")
def cli(lang: str | None) -> None:
    """Turn CSV and Excel exports into Yuki documents: sales invoices, general journal
    entries and petty cash statements, described by a YAML mapping file.

    \b
    Start with:
      yukimap init export.csv     (a starter mapping for your own export)
      yukimap convert export.csv --mapping webshop-orders --dry-run
      yukimap check my-mapping.yaml --sample export.csv
      yukimap mappings            (the mappings that ship with yukimap)
    """
    from yukimap.i18n import choose_language, set_language

    set_language(choose_language(lang))


@cli.command(epilog="""\b
Examples:
  yukimap convert orders.csv -m my-shop.yaml --dry-run   (check everything, write nothing)
  yukimap convert orders.csv -m my-shop.yaml -o invoices.xml
  yukimap convert bank.csv -m bank-ing -a 12345678        (a journal for this administration)
""")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-m", "--mapping", required=True, metavar="MAPPING",
              help="Mapping file, or the name of a shipped mapping (see `yukimap mappings`).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the document here (default: standard output).")
@click.option("--dry-run", is_flag=True,
              help="Check everything and print a summary; write nothing.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--opening-balance", metavar="AMOUNT",
              help="Petty cash: the cash balance before the first line (e.g. 1250.00).")
@click.option("-a", "--administration", metavar="ID",
              help="Journals: the administration's ID (a GUID) or Chamber of Commerce number"
                   " (a name needs Yuki to look it up: send or check --online).")
def convert(**kwargs: Any) -> None:
    """Convert FILE into a Yuki document as its mapping describes.

    The document is validated (XSD and Yuki's own rules) before it is written. Exit codes:
    0 ok, 1 the data or the mapping is wrong, 2 the command line is wrong.
    """
    from yukimap.commands import convert as command

    try:
        _run(command.run, **kwargs)
    except SystemExit as done:
        raise Finished(done.code) from None


@cli.command(epilog="""\b
Examples:
  yukimap check my-shop.yaml
  yukimap check my-shop.yaml --sample orders.csv
  yukimap check my-shop.yaml --sample orders.csv --online   (also with Yuki)
""")
@click.argument("mapping", metavar="MAPPING")
@click.option("--sample", type=click.Path(path_type=Path, dir_okay=False),
              help="Also convert this export with the mapping, without writing anything.")
@click.option("--online", is_flag=True,
              help="Also check with Yuki that the GL accounts, VAT codes and cash account the"
                   " sample uses exist (at most two calls a day per administration).")
@click.option("-a", "--administration", metavar="ID_OR_NAME",
              help="The administration: its ID (a GUID) or Chamber of Commerce number; a name"
                   " with --online (default: YUKI_ADMINISTRATION).")
@click.option("--refresh", is_flag=True,
              help="Fetch Yuki's GL accounts and VAT codes again instead of today's copy.")
def check(**kwargs: Any) -> None:
    """Check a mapping file, and optionally try it on a sample export (and with Yuki)."""
    from yukimap.commands import check as command

    _run(command.run, **kwargs)


@cli.command(epilog="""\b
Examples:
  yukimap init orders.csv                  (writes orders.yaml)
  yukimap init kassa.xlsx --target sales_invoices --output kassa.yaml
  yukimap init statement.xml --like bank-camt053   (from a shipped mapping)
""")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--target", type=click.Choice(["sales_invoices", "journal", "petty_cash"]),
              help="The kind of Yuki document to make; default: guessed from the column names.")
@click.option("--like", metavar="PACK",
              help="Start from this shipped mapping (yukimap mappings lists them): its text with"
                   " FILE's layout where it differs, and TODO where you must decide.")
@click.option("-o", "--output", metavar="MAPPING",
              help="Write the mapping here (default: FILE's name with .yaml, in this folder);"
                   " - for standard output. An existing file is never overwritten.")
def init(**kwargs: Any) -> None:
    """Write a starter mapping for the export FILE, with comments.

    It finds the file's encoding, delimiter, sheet and row of column names, reads every
    column (a date format or decimal mark is stated only when the whole column admits one
    reading), and matches the column names to Yuki's fields by their Dutch and English
    names. Where a person must decide, it writes TODO: `yukimap check` refuses the mapping
    until every TODO is filled in.
    """
    from yukimap.commands import init as command

    _run(command.run, **kwargs)


@cli.command(epilog="""\b
Examples:
  yukimap preview orders.csv -m my-shop.yaml
  yukimap preview bank.csv -m bank-ing --limit 1 --lines 50
""")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-m", "--mapping", required=True, metavar="MAPPING",
              help="Mapping file, or the name of a shipped mapping.")
@click.option("--limit", type=click.IntRange(1, 1000), default=5, show_default=True,
              help="How many documents to show.")
@click.option("--lines", type=click.IntRange(1, 10000), default=20, show_default=True,
              help="How many lines (entries) of each document to show.")
@click.option("--opening-balance", metavar="AMOUNT",
              help="Petty cash: the cash balance before the first line (e.g. 1250.00).")
def preview(**kwargs: Any) -> None:
    """Show the documents FILE makes, as tables: the first ones with their lines, the
    totals, the date range and the warnings. Nothing is written or sent."""
    from yukimap.commands import preview as command

    _run(command.run, **kwargs)


@cli.command(epilog="""\b
Examples:
  yukimap explain orders.csv -m my-shop.yaml --document 2024-0042
  yukimap explain bank.csv -m bank-ing --row 17 --field GLAccount
""")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-m", "--mapping", required=True, metavar="MAPPING",
              help="Mapping file, or the name of a shipped mapping.")
@click.option("--document", metavar="REF",
              help="The document's key: what group_by reads (an invoice number), or the row"
                   " number of a document made from one row.")
@click.option("--row", type=click.IntRange(1), metavar="N",
              help="The spreadsheet row: its document, and only the lines (entries) it"
                   " makes.")
@click.option("--field", metavar="PATH",
              help="Only this field, e.g. Contact.FullName or lines.SalesPrice.")
def explain(**kwargs: Any) -> None:
    """Show why each value of one document is what it is: the cell it comes from (row,
    column, the text in the file) and each step applied (the map: table, reading as a
    number or a date, the sign column, negate, the default, rounding, Yuki's limits)."""
    from yukimap.commands import explain as command

    _run(command.run, **kwargs)


@cli.command(epilog="""\b
Examples:
  yukimap schema --output mapping.schema.json      (next to your mappings)
  yukimap schema --reference --output reference.md (the reference, as docs/reference.md)
""")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Write it to FILE (default: standard output); a file there is replaced.")
@click.option("--reference", is_flag=True,
              help="The reference of the mapping format in Markdown (docs/reference.md)"
                   " instead of the JSON Schema.")
def schema(**kwargs: Any) -> None:
    """Print the JSON Schema of the mapping format, for editors.

    With it, an editor that runs yaml-language-server (VS Code with Red Hat's YAML
    extension) completes keys and fields, shows what each one means and marks mistakes
    while you type. A mapping names the file on its first line:

    \b
      # yaml-language-server: $schema=./mapping.schema.json
    """
    from yukimap.commands import schema as command

    _run(command.run, **kwargs)


@cli.command(epilog="""\b
Example:
  yukimap mappings
""")
def mappings() -> None:
    """List the mappings that ship with yukimap."""
    from yukimap.commands import mappings as command

    _run(command.run)


@cli.command(epilog="""\b
Examples:
  yukimap sandbox          (prints its URL and keys: set YUKI_BASE_URL to the URL)
  yukimap sandbox --list   (what it has received)
""")
@click.option("--port", type=int, default=8765, show_default=True,
              help="Port to listen on; 0 picks a free one (printed).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Sandbox YAML (administrations, keys, GL accounts, VAT codes);"
                   " default: the shipped Dutch example.")
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False),
              help="SQLite file of what the sandbox received (default: in the state folder).")
@click.option("--session-lifetime", type=float, metavar="SECONDS",
              help="How long a session ID stays valid (default 86400, like Yuki).")
@click.option("--daily-limit", type=int, metavar="N",
              help="Calls per domain per day (default 1000, like Yuki).")
@click.option("--list", "list_", is_flag=True,
              help="Print what the sandbox received (from --db) and exit.")
def sandbox(**kwargs: Any) -> None:
    """Run a local stand-in for Yuki's webservices (for demos and tests; fake keys).

    It speaks the same SOAP as Yuki at http://HOST:PORT/ws/<Service>.asmx and prints its
    URL and sandbox access keys. Point yukimap at it with YUKI_BASE_URL.
    """
    from yukimap.commands import sandbox as command

    _run(command.run, **kwargs)


@cli.command(epilog="""\b
Examples:
  yukimap status
  yukimap status --json
""")
@click.option("--json", "as_json", is_flag=True,
              help="Print it as JSON, for scripts and monitoring (times in UTC, ISO 8601).")
@_state_option
def status(**kwargs: Any) -> None:
    """Show the settings, the Yuki calls used today, the documents awaiting a decision, the
    recent sends and the hot-folder daemon (calls Yuki: no). Times are local, with their
    zone."""
    from yukimap.commands import status as command

    _run(command.run, **kwargs)


@cli.command(epilog="""\b
Example:
  yukimap administrations
""")
def administrations() -> None:
    """List the administrations the access key can see (costs 1 call, 2 without a session)."""
    from yukimap.commands import administrations as command

    _run(command.run)


@cli.command(epilog="""\b
Examples:
  yukimap send orders.csv -m my-shop.yaml --dry-run   (what would be sent, and the calls)
  yukimap send orders.csv -m my-shop.yaml -a "Bakkerij De Korenaar"
  yukimap send bank.csv -m bank-ing --write-rejected fix-these.csv
""")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-m", "--mapping", required=True, metavar="MAPPING",
              help="Mapping file, or the name of a shipped mapping.")
@click.option("-a", "--administration", metavar="ID_OR_NAME",
              help="The Yuki administration (default: YUKI_ADMINISTRATION).")
@click.option("--dry-run", is_flag=True,
              help="Check everything and show what would be sent and the calls it would cost;"
                   " call nothing.")
@click.option("--batch-size", type=click.IntRange(1, 1000), default=100, show_default=True,
              help="Sales invoices per call.")
@click.option("--force", is_flag=True,
              help="Send documents again even if they were sent before (recorded as forced).")
@click.option("--write-rejected", type=click.Path(path_type=Path, dir_okay=False),
              metavar="FILE", help="Write the rows of rejected documents here, in the file's"
              " own format, to fix and send again.")
@click.option("--receipt", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
              metavar="FILE", help="Also write the receipt of this run as JSON; - for standard"
              " output (the receipt for people then goes to standard error).")
@click.option("--state", type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
              help="The state folder (send journal, call counter); default: YUKIMAP_STATE or"
                   " the platform's.")
def send(**kwargs: Any) -> None:
    """Send FILE to Yuki: each document exactly once.

    Everything is checked locally first (and against the administration); a document sent
    before is never sent again, unless --force.

    \b
    Exit code, the first that applies:
      1  something was rejected, or the data, mapping or a setting is wrong
      5  a document's outcome is unknown: it waits for a decision (yukimap resolve)
      4  stopped early: Yuki's daily limit, the call budget, Yuki unreachable, or another
         yukimap busy with the state folder; run it again later
      0  every document is in Yuki (sent now or before)
    """
    from yukimap.commands import send as command

    _run(command.run, **kwargs)


@cli.command("test", epilog="""\b
Examples:
  yukimap test my-shop.yaml --add orders-november.csv   (a case: the output approved now)
  yukimap test my-shop.yaml                             (after a change: what differs)
  yukimap test my-shop.yaml --update                    (approve the new output)
""")
@click.argument("mapping", metavar="MAPPING")
@click.option("--update", is_flag=True,
              help="Approve what the mapping makes now: write it as each case's expected"
                   " output, and say what changed.")
@click.option("--add", type=click.Path(path_type=Path, dir_okay=False), metavar="SAMPLE",
              help="Make a case of this export: copy it into the mapping's tests folder with"
                   " what the mapping makes of it now.")
@click.option("--name", help="With --add: the case's name (default: the sample's name).")
@click.option("-a", "--administration", metavar="ID",
              help="With --add: the administration the case converts for (journals).")
@click.option("--opening-balance", metavar="AMOUNT",
              help="With --add: the opening balance the case converts with (petty cash).")
def test_(**kwargs: Any) -> None:
    """Run a mapping's own tests: convert each case and compare with the output approved
    before.

    The cases live beside the mapping, in a folder named after it (orders.tests/ for
    orders.yaml). A case is a folder with an input file and its approved output (expected.xml or
    expected.csv, expected-summary.txt; expected-error.txt for an input that must be
    refused). A difference is shown line by line and exits 1, so a change to the mapping is
    seen before it goes live.
    """
    from yukimap.commands import test as command

    _run(command.run, **kwargs)


@cli.command(epilog="""\b
Examples:
  yukimap watch watch.yaml --check   (check the config and its mappings)
  yukimap watch watch.yaml
""")
@click.argument("config", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--log-format", type=click.Choice(["text", "json"]),
              help="One line per file state change, as text or JSON (default: the config's).")
@click.option("--state", type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
              help="The state folder (send journal, call counter); default: the config's,"
                   " YUKIMAP_STATE or the platform's.")
@click.option("--stop-timeout", type=click.FloatRange(0), default=30.0, show_default=True,
              metavar="SECONDS", help="On SIGTERM, how long the file being sent may take.")
@click.option("--check", is_flag=True, help="Check the config and its mappings; start nothing.")
def watch(**kwargs: Any) -> None:
    """Watch folders and send every export dropped into them to Yuki (the hot-folder daemon).

    CONFIG routes folders and file name patterns to a mapping and an administration
    (docs/watch.md). Files move to processing/, then archive/YYYY/MM/ or failed/ with a
    reason beside them. Exit codes: 0 stopped cleanly, 1 the config is wrong, 4 another
    daemon runs on these folders.
    """
    from yukimap.commands import watch as command

    _run(command.run, **kwargs)


@cli.command(epilog="""\b
Examples:
  yukimap history
  yukimap history --document 42
""")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True,
              help="How many runs to show.")
@click.option("--document", type=int, metavar="ID", help="The history of one document.")
@_state_option
def history(**kwargs: Any) -> None:
    """Recent send runs and their outcome (costs no calls). Times are local, with their
    zone."""
    from yukimap.commands import history as command

    _run(command.run, **kwargs)


@cli.command(epilog="""\b
Examples:
  yukimap resolve 42 43 --sent --note "seen in Yuki"
  yukimap resolve --run 7 --not-sent
""")
@click.argument("documents", type=int, nargs=-1, metavar="[ID]...")
@click.option("--sent", is_flag=True, help="They are in Yuki: never send them again.")
@click.option("--not-sent", is_flag=True, help="They are not in Yuki: the next send sends them.")
@click.option("--run", "run_id", type=int, metavar="N",
              help="Every document of run N that awaits a decision (yukimap history).")
@click.option("--file", metavar="NAME", help="Every document of this file that awaits a"
              " decision.")
@click.option("--all-unknown", is_flag=True, help="Every document that awaits a decision.")
@click.option("--yes", is_flag=True, help="Do not ask (it asks only on a terminal).")
@click.option("--note", help="Why, for the history.")
@_state_option
def resolve(**kwargs: Any) -> None:
    """Decide documents whose outcome is unknown (see `yukimap status`): by ID, a run's, a
    file's, or all at once. It shows what it will decide, and asks on a terminal."""
    from yukimap.commands import resolve as command

    _run(command.run, **kwargs)


@cli.command(epilog="""\b
Examples:
  yukimap studio
  yukimap studio exports/ --port 0 --no-browser
""")
@click.argument("folders", nargs=-1, metavar="[FOLDER]...",
                type=click.Path(path_type=Path, file_okay=False))
@click.option("--port", type=click.IntRange(0, 65535), default=8766, show_default=True,
              help="Port on 127.0.0.1; 0 picks a free one.")
@click.option("--no-browser", is_flag=True, help="Print the address only; open no browser.")
@click.option("--watch", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              metavar="CONFIG", help="Also show the hot folders of this `yukimap watch` config"
              " (page /watch): waiting, failed and archived files, a Retry for failed ones.")
@click.option("--state", type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
              help="With --watch: the daemon's state folder; default: the config's,"
                   " YUKIMAP_STATE or the platform's.")
def studio(**kwargs: Any) -> None:
    """Open a page to build a mapping on an export and see it work: the file as a grid, the
    mapping in an editor, a dry run on every pause in typing; with --watch, a page with the
    hot folders of a running `yukimap watch`.

    It serves on 127.0.0.1 only, behind an access token in the address it prints, and
    reads and writes files only inside the FOLDERs (default: the current folder) and, with
    --watch, moves failed files back into their route's folder (it never sends anything).
    """
    from yukimap.commands import studio as command

    _run(command.run, **kwargs)


def main() -> None:
    try:
        cli(prog_name="yukimap")
    except Finished as done:
        _leave_at_once(done.code)


def _leave_at_once(code: object) -> NoReturn:
    """End the process without the interpreter's teardown, which frees every object and
    module one by one: about 0.1 s after a big conversion (polars' frames and some 500
    modules), for memory the system takes back anyway. What of the teardown matters is done
    here: the standard streams flushed, logging's handlers closed. The ordinary exit where
    a thread other than a daemon is still running or a stream cannot be flushed."""
    import logging
    import threading

    others = [t for t in threading.enumerate()
              if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        raise SystemExit(code) from None
    if others or not isinstance(code, int | None):  # a text code is printed by the exit
        raise SystemExit(code)
    logging.shutdown()
    os._exit(code or 0)


if __name__ == "__main__":
    main()
