"""The send journal under hostile conditions, through the real command line: a closed pipe,
a busy state folder, a request that cannot be built, a lost, damaged or full state folder.
Real subprocesses, real files, and the Yuki sandbox over real HTTP."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.robustness.conftest import REPO, Bounded, Write, yuki
from tests.sandbox_fixtures import ADM_KORENAAR, Sandbox
from tests.test_send import MAPPING as ORDERS_MAPPING
from tests.test_send import orders
from yukimap.sendlog import SendLog


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`yukimap status | head -1`: the reader is gone before yukimap writes."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUKI")}
    env |= {"YUKIMAP_STATE": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path)}
    for command in (["status"], ["history"], ["mappings"],
                    ["convert", "examples/webshop-orders.csv", "-m", "webshop-orders"]):
        process = subprocess.run([sys.executable, "-m", "yukimap", *command], cwd=REPO,
                                 env=env, stdout=write_end, stderr=subprocess.PIPE,
                                 timeout=30, check=False)
        assert (process.returncode, process.stderr) == (141, b""), command
    os.close(write_end)


def test_a_real_pipe_into_head(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUKI")}
    env |= {"YUKIMAP_STATE": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path)}
    shell = subprocess.run(
        f"{sys.executable} -m yukimap status | head -1; echo \"${{PIPESTATUS[0]}}\"",
        shell=True, executable="/bin/bash", cwd=REPO, env=env, capture_output=True,
        text=True, timeout=30, check=False)
    assert shell.stdout.splitlines()[0] == "Settings"
    assert shell.stdout.splitlines()[1] in ("0", "141")
    assert "Traceback" not in shell.stderr and "Exception ignored" not in shell.stderr


# --- exit codes: 0 all in Yuki, 1 rejected or wrong, 4 try again later, 5 needs a person ----

def send_args(file: str | Path, mapping: str | Path = "m.yaml") -> list[str | Path]:
    return ["send", file, "-m", mapping, "-a", ADM_KORENAAR]


BANK = REPO / "examples/bank-ing.csv"


def test_an_unknown_outcome_is_5_and_stays_5_until_decided(
        bounded: Bounded, sandbox: Sandbox) -> None:
    sandbox.inject(operation="ProcessJournal", drop_after=1)
    first = bounded(*send_args(BANK, "bank-ing"), env=yuki(sandbox), codes=(5,))
    assert "outcome unknown                   1" in first.stdout
    again = bounded(*send_args(BANK, "bank-ing"), env=yuki(sandbox), codes=(5,))
    assert "awaiting a decision (not resent)  1" in again.stdout
    assert sandbox.count("ProcessJournal") == 1


def test_the_daily_limit_and_the_budget_are_4(bounded: Bounded, write: Write,
                                              make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(daily_limit=3)  # Authenticate, VAT codes, one invoice call
    write("m.yaml", ORDERS_MAPPING)
    write("orders.csv", orders(["1001", "1002"]))
    limited = bounded(*send_args("orders.csv"), "--batch-size", "1", env=yuki(sandbox),
                      codes=(4,))
    assert "not sent (the run stopped)        1" in limited.stdout
    budget = bounded(*send_args("orders.csv"), env=yuki(make_sandbox(), YUKIMAP_STATE="other",
                                                         YUKIMAP_DAILY_BUDGET="2"), codes=(4,))
    assert "yukimap's daily call budget" in budget.output


def test_rejected_wins_over_unknown(bounded: Bounded, write: Write, sandbox: Sandbox,
                                   tmp_path: Path) -> None:
    """1 > 5 > 4: a person must fix something, then decide, then it only needs time."""
    write("m.yaml", ORDERS_MAPPING)
    write("one.csv", orders(["1001"]))
    bounded(*send_args("one.csv"), env=yuki(sandbox, YUKIMAP_STATE=str(tmp_path / "other")),
            codes=(0,))
    write("orders.csv", orders(["1002", "1001"]))
    sandbox.inject(operation="ProcessSalesInvoices", drop_after=1)  # 1002: no answer
    sandbox.inject(operation="CheckOutstandingItemAdmin", http_error=9)  # lookups fail
    mixed = bounded(*send_args("orders.csv"), "--batch-size", "1", env=yuki(sandbox),
                    codes=(1,))
    assert "rejected                          1" in mixed.stdout
    assert "outcome unknown                   1" in mixed.stdout


def test_a_busy_state_folder_is_4_and_names_who_holds_it(
        bounded: Bounded, write: Write, sandbox: Sandbox, tmp_path: Path) -> None:
    write("m.yaml", ORDERS_MAPPING)
    write("orders.csv", orders(["1001"]))
    sandbox.inject(operation="ProcessSalesInvoices", latency=30)  # the first send hangs
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUKI")}
    env |= {**yuki(sandbox), "YUKIMAP_STATE": str(tmp_path / "state"),
            "XDG_CONFIG_HOME": str(tmp_path / "config")}
    first = subprocess.Popen([sys.executable, "-m", "yukimap", *map(str, send_args(
        "orders.csv"))], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while sandbox.count("ProcessSalesInvoices") < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        second = bounded(*send_args("orders.csv"), env=yuki(sandbox), codes=(4,))
        resolve = bounded("resolve", "1", "--sent", codes=(4,))
    finally:
        first.kill()
        first.wait()
    held = (f"error: another yukimap is working on the send journal in {tmp_path / 'state'}:"
            f" process {first.pid} (yukimap send orders.csv -m m.yaml -a {ADM_KORENAAR}),"
            " since ")
    for outcome in (second, resolve):
        [message, fix] = outcome.stderr.splitlines()
        assert message.startswith(held) and message.endswith(" UTC")
        assert fix == "  fix: wait until it has finished, then run this again"
    assert sandbox.count("ProcessSalesInvoices") == 1


# --- status, history, resolve: --state, times with their zone, rows cut with a count ------

TZ = {"TZ": "CET-1CEST,M3.5.0,M10.5.0/3"}  # Amsterdam's rule, without needing tzdata
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d CES?T"


def interleaved(first: str, second: str, rows: int) -> str:
    """Two orders whose rows alternate: each order's rows are not one block."""
    lines = [f"{(first, second)[i % 2]};2024-11-04;Klant;1;Mok;12,50;21\n" for i in range(rows)]
    return "Order;Date;Customer;Qty;Item;Price;VAT\n" + "".join(lines)


def two_unknown_invoices(bounded: Bounded, write: Write, sandbox: Sandbox,
                         state: str) -> None:
    write("m.yaml", ORDERS_MAPPING)
    write("orders.csv", interleaved("1001", "1002", 20))
    sandbox.inject(operation="ProcessSalesInvoices", drop_after=1)
    # the first lookup fails, so the other waits for the next run (no lookup of it now)
    sandbox.inject(operation="CheckOutstandingItemAdmin", http_error=1)
    bounded(*send_args("orders.csv"), "--state", state, env=yuki(sandbox), codes=(5,))


def test_status_and_history_take_state_show_zones_and_count_cut_rows(
        bounded: Bounded, write: Write, sandbox: Sandbox, tmp_path: Path) -> None:
    two_unknown_invoices(bounded, write, sandbox, "elsewhere")
    status = bounded("status", "--state", "elsewhere", env=TZ, codes=(0,)).stdout
    lost = (f"ProcessSalesInvoices went out to Yuki at {sandbox.url.split('/')[2]} but the"
            " connection closed without a complete answer: Yuki may or may not have processed"
            " it")
    assert status.split("Awaiting a decision (outcome unknown)\n")[1].split("\n\n")[0] == (
        f"  1: invoice 1001 from orders.csv (rows 2, 4, 6, 8, 10, 12, 14, 16 (+2 more)): {lost}\n"
        f"  2: invoice 1002 from orders.csv (rows 3, 5, 7, 9, 11, 13, 15, 17 (+2 more)): {lost}\n"
        "  check each in Yuki, then: yukimap resolve ID --sent (or --not-sent)")
    recent_sends = status.split("Recent sends (yukimap history for more)\n")[1]
    [recent] = recent_sends.split("\n\n")[0].splitlines()
    assert re.fullmatch(rf"  run 1 {STAMP}: orders.csv \(sales_invoices\): unknown 2", recent)
    assert "state folder:    " + str(tmp_path / "elsewhere") in status
    here = bounded("status", env=TZ, codes=(0,)).stdout  # YUKIMAP_STATE: another folder
    assert "Awaiting a decision (outcome unknown)\n  none\n" in here

    data = json.loads(bounded("status", "--json", "--state", "elsewhere", codes=(0,)).stdout)
    assert data["settings"]["state_folder"] == str(tmp_path / "elsewhere")
    assert data["settings"]["access_key"] is None
    assert [(d["id"], d["label"], d["rows"], d["file"], d["administration"])
            for d in data["awaiting_decision"]] == [
        (1, "invoice 1001", list(range(2, 21, 2)), "orders.csv", ADM_KORENAAR),
        (2, "invoice 1002", list(range(3, 22, 2)), "orders.csv", ADM_KORENAAR)]
    [run] = data["recent_sends"]
    assert run["documents"] == {"UNKNOWN": 2} and run["started"].endswith("+00:00")
    assert set(data["calls_today"]) == {"day", "resets_at", "budget", "domains"}

    [line] = bounded("history", "--state", "elsewhere", env=TZ, codes=(0,)).stdout.splitlines()
    assert re.fullmatch(rf"run 1  {STAMP}  orders.csv \(sales_invoices\) -> {ADM_KORENAAR}:"
                        r" unknown 2; 4 call\(s\); done", line), line
    document = bounded("history", "--document", "1", "--state", "elsewhere", env=TZ,
                       codes=(0,)).stdout.splitlines()
    assert [re.sub(STAMP, "WHEN", d)[:23] for d in document[2:]] == [
        "  WHEN  PENDING", "  WHEN  SENDING", "  WHEN  UNKNOWN: Proces"]


def test_every_command_on_the_state_folder_takes_state(bounded: Bounded) -> None:
    helps = {command: bounded(command, "--help", codes=(0,)).stdout
             for command in ("send", "status", "history", "resolve")}
    described = {command: re.sub(r"\s+", " ", text.split("--state DIR")[1].split("\n  -")[0])
                 for command, text in helps.items()}
    assert set(described.values()) == {(
        " The state folder (send journal, call counter); default: YUKIMAP_STATE or the"
        " platform's.")}


# --- a document is UNKNOWN only when bytes may have reached Yuki ----------------------------


def journal_states(state: Path) -> list[tuple[str, list[str]]]:
    """(state, its events) of every document the send journal knows."""
    with SendLog(state) as log:
        return [(e.state, [s for _, s, _ in log.history(e.id)])
                for e in (log.get(n) for n in range(1, 100)) if e is not None]


def test_a_text_yuki_cannot_carry_is_refused_before_any_request(
        bounded: Bounded, write: Write, sandbox: Sandbox, tmp_path: Path) -> None:
    text = (REPO / "examples/cash-book.csv").read_text().replace("Postzegels", "Post\x01zegels")
    write("cash.csv", text)
    failed = bounded(*send_args("cash.csv", "cash-book"), env=yuki(sandbox), codes=(1,))
    assert failed.stderr.splitlines()[:2] == [
        "error: cash.csv: 1 problem in the data", "",
    ]
    assert ("error: contains the control character U+0001, which a Yuki document cannot"
            " carry") in failed.stderr
    assert sandbox.count() == 0  # not even Authenticate
    assert journal_states(tmp_path / "state") == []  # never registered, never SENDING


def test_a_request_that_cannot_be_built_is_an_error_before_it_is_sent(sandbox: Sandbox) -> None:
    """The last defence behind the text policy: the client builds the whole request before
    a document is marked SENDING, and refuses one it cannot build."""
    from yukimap.client import YukiClient
    from yukimap.errors import DocumentError

    with YukiClient(sandbox.settings()) as client, pytest.raises(DocumentError) as refused:
        client.document_request("ImportStatement", "Post\x01zegels", ADM_KORENAAR)
    assert refused.value.message == ("the request to Yuki cannot be built: contains the"
                                     " control character U+0001, which a Yuki document cannot"
                                     " carry")
    assert sandbox.count() == 0


# --- losing the send journal never leads to a double booking -------------------------------

def booked(sandbox: Sandbox) -> tuple[int, int, int]:
    store = sandbox.store
    return (len(store.journals(ADM_KORENAAR)), len(store.cash_statements(ADM_KORENAAR)),
            len(store.sales_invoices(ADM_KORENAAR)))


def test_a_damaged_send_journal_is_a_clear_error_and_then_rebuilt(
        bounded: Bounded, sandbox: Sandbox, tmp_path: Path) -> None:
    bounded(*send_args(BANK, "bank-ing"), env=yuki(sandbox), codes=(0,))
    journal = tmp_path / "state/sends.sqlite"
    journal.write_bytes(b"this is not a database, it was overwritten by accident\n" * 200)
    for command in (send_args(BANK, "bank-ing"), ["status"], ["history"]):
        damaged = bounded(*command, env=yuki(sandbox), codes=(1,))
        assert damaged.stderr.splitlines() == [
            (f"error: the send journal {journal} is damaged (file is not a database); nothing"
             " was sent"),
            ("  fix: restore it from a backup, or move it aside (rename it to"
             " sends.sqlite.damaged) and run again: yukimap then rebuilds it from its ledger,"
             " sends.ledger")]
    journal.rename(tmp_path / "state/sends.sqlite.damaged")
    again = bounded(*send_args(BANK, "bank-ing"), env=yuki(sandbox), codes=(0,)).stdout
    assert (f"  send journal: sends.sqlite in {tmp_path / 'state'} was missing or empty;"
            " rebuilt from its ledger sends.ledger: 1 document(s), 1 of them sent") in again
    journal.write_bytes(journal.read_bytes()[:6000])  # half of it, as a bad copy leaves it
    half = bounded(*send_args(BANK, "bank-ing"), env=yuki(sandbox), codes=(1,))
    assert half.stderr.startswith(f"error: the send journal {journal} is damaged (")
    assert booked(sandbox) == (1, 0, 0)


FULL_DISK = """\
set -u
mount -t tmpfs -o size=2m tmpfs "$YUKIMAP_STATE"  # the state folder on a disk of its own
send() { "$PYTHON" -m yukimap send "$1" -m "$2" -a "$ADM" > "out-$3" 2>&1; echo $? > "code-$3"; }
send "$BANK" bank-ing 1
head -c 50M /dev/zero > "$YUKIMAP_STATE/filler" 2>/dev/null  # now the disk is full
send "$CASH" cash-book 2
rm "$YUKIMAP_STATE/filler"
send "$CASH" cash-book 3
cp -r "$YUKIMAP_STATE" kept
"""


def test_a_full_disk_is_a_clear_error_and_nothing_is_left_sending(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """A real full disk: the state folder on a 2 MB tmpfs in a mount namespace of its own
    (`unshare`, no root needed where user namespaces are allowed), filled up between runs."""
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True, check=False).returncode:
        pytest.skip("this machine allows no mount namespace (unshare -rm)")
    (tmp_path / "state").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUKI")}
    env |= {**yuki(sandbox), "YUKIMAP_STATE": str(tmp_path / "state"), "PYTHON": sys.executable,
            "PYTHONPATH": str(REPO), "XDG_CONFIG_HOME": str(tmp_path), "ADM": ADM_KORENAAR,
            "BANK": str(BANK), "CASH": str(REPO / "examples/cash-book.csv")}
    subprocess.run(["unshare", "-rm", "bash", "-c", FULL_DISK], cwd=tmp_path, env=env,
                   timeout=120, check=True)
    result = {n: ((tmp_path / f"code-{n}").read_text().strip(),
                  (tmp_path / f"out-{n}").read_text()) for n in (1, 2, 3)}
    assert result[1][0] == "0" and result[3][0] == "0"
    full = (f"error: the state folder is full: free space in {tmp_path / 'state'}, then run"
            " again; nothing was sent\n")
    assert result[2] == ("1", full)
    assert "  sent                              1" in result[3][1]
    assert journal_states(tmp_path / "kept") == [("SENT", ["PENDING", "SENDING", "SENT"])] * 2
    assert booked(sandbox) == (1, 1, 0)



FULL_TEMP = """\
set -u
mount -t tmpfs -o size=2m tmpfs "$TMPDIR"  # the temporary folder on a disk of its own
head -c 2030k /dev/zero > "$TMPDIR/filler"  # 18 KB left: a send's calls do not fit
send() {
  "$PYTHON" -m yukimap send orders.csv -m m.yaml -a "$ADM" > "out-$1" 2>&1; echo $? > "code-$1"
}
send 1
rm "$TMPDIR/filler"
send 2
"""


def test_a_full_temporary_folder_is_said_as_such(sandbox: Sandbox, tmp_path: Path) -> None:
    """Where a send keeps its calls (and a big file's slices, plan and receipts) is the
    temporary folder: when that disk is full and the state folder's is not, the error names
    the temporary folder and TMPDIR, not the state folder."""
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True, check=False).returncode:
        pytest.skip("this machine allows no mount namespace (unshare -rm)")
    (tmp_path / "temp").mkdir()
    (tmp_path / "m.yaml").write_text(ORDERS_MAPPING, encoding="utf-8")
    (tmp_path / "orders.csv").write_text(orders([str(n) for n in range(3000, 5000)]),
                                         encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUKI")}
    env |= {**yuki(sandbox), "YUKIMAP_STATE": str(tmp_path / "state"), "PYTHON": sys.executable,
            "PYTHONPATH": str(REPO), "XDG_CONFIG_HOME": str(tmp_path), "ADM": ADM_KORENAAR,
            "TMPDIR": str(tmp_path / "temp")}
    subprocess.run(["unshare", "-rm", "bash", "-c", FULL_TEMP], cwd=tmp_path, env=env,
                   timeout=120, check=True)
    result = {n: ((tmp_path / f"code-{n}").read_text().strip(),
                  (tmp_path / f"out-{n}").read_text()) for n in (1, 2)}
    assert result[1] == ("1", f"error: the temporary folder {tmp_path / 'temp'} is full: free"
                              " space in it, or set TMPDIR to a folder with room, then run"
                              " again; nothing was sent\n")
    assert result[2][0] == "0" and "  sent                              2000" in result[2][1]
    assert booked(sandbox) == (0, 0, 2000)

# --- resolve: many at once, shown first, confirmed on a terminal ----------------------------


def unknown_in_two_runs(bounded: Bounded, write: Write, sandbox: Sandbox) -> None:
    """Invoices 1001-1003 (run 1) and 2001 (run 2), each of unknown outcome."""
    write("m.yaml", ORDERS_MAPPING)
    write("orders.csv", orders(["1001", "1002", "1003"]))
    write("more.csv", orders(["2001"]))
    sandbox.inject(operation="ProcessSalesInvoices", drop_after=2)
    sandbox.inject(operation="CheckOutstandingItemAdmin", http_error=4)
    for name in ("orders.csv", "more.csv"):
        bounded(*send_args(name), env=yuki(sandbox), codes=(5,))


def test_resolve_decides_many_at_once_and_asks_on_a_terminal(
        bounded: Bounded, write: Write, sandbox: Sandbox, tmp_path: Path) -> None:
    unknown_in_two_runs(bounded, write, sandbox)
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUKI")}
    env |= {"YUKIMAP_STATE": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path)}

    def on_a_terminal(answer: bytes, *which: str) -> tuple[int, str]:
        leader, follower = pty.openpty()
        process = subprocess.Popen([sys.executable, "-m", "yukimap", "resolve", "--sent",
                                    *which], cwd=tmp_path, env=env, stdin=follower,
                                   stdout=follower, stderr=follower)
        os.close(follower)
        seen = b""
        with contextlib.suppress(OSError):  # EIO once the process has closed the terminal
            while b"[y/N]: " not in seen:
                seen += os.read(leader, 4096)
            os.write(leader, answer)  # typed once the question is there
            while chunk := os.read(leader, 4096):
                seen += chunk
        os.close(leader)
        return process.wait(timeout=30), seen.decode().replace("\r\n", "\n")

    assert on_a_terminal(b"n\n", "--all-unknown") == (1, (
        "to decide as SENT (it is in Yuki: never sent again):\n"
        "  1: invoice 1001 from orders.csv (rows 2-3)\n"
        "  2: invoice 1002 from orders.csv (rows 4-5)\n"
        "  3: invoice 1003 from orders.csv (rows 6-7)\n"
        "  4: invoice 2001 from more.csv (rows 2-3)\n"
        "Decide these 4 document(s) as SENT? [y/N]: n\nnothing was decided\n"))
    code, shown = on_a_terminal(b"y\n", "--run", "2")
    assert code == 0 and shown.endswith(
        "Decide these 1 document(s) as SENT? [y/N]: y\n"
        "invoice 2001 is now SENT; it will not be sent again\n")
    by_file = bounded("resolve", "--file", "orders.csv", "--not-sent", "--note", "not in Yuki",
                      codes=(0,)).stdout  # not a terminal: no question
    assert by_file.splitlines() == [
        "to decide as PENDING (it is not in Yuki: the next send sends it):",
        "  1: invoice 1001 from orders.csv (rows 2-3)",
        "  2: invoice 1002 from orders.csv (rows 4-5)",
        "  3: invoice 1003 from orders.csv (rows 6-7)",
        "3 document(s) are now PENDING; the next `send` of their files sends them"]
    nothing = bounded("resolve", "--all-unknown", "--sent", codes=(0,))
    assert nothing.stdout == "no document awaits a decision there\n"
    wrong = bounded("resolve", "1", "4", "99", "--sent", codes=(2,))
    assert wrong.stderr.splitlines() == [
        ("error: nothing was decided: invoice 1001 (1) is PENDING, not UNKNOWN; invoice 2001"
         " (4) is SENT, not UNKNOWN; the send journal has no document 99"),
        "  fix: `yukimap status` lists the documents awaiting a decision"]
    which = bounded("resolve", "--sent", codes=(2,))
    assert which.stderr.splitlines()[0] == (
        "error: say which documents: their IDs, --run N, --file NAME or --all-unknown")
