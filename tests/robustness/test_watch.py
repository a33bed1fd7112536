"""`yukimap watch` end to end: the daemon as a real subprocess, the sandbox as Yuki, real
folders. The folder suite runs in both modes (native events and polling); the fault suite
follows hot-folder.md §4. After each test: no file lost, nothing accepted twice, every
failed file has its reason, no secret in the logs (Watch.check_invariants).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.robustness.watch_harness import HEADER, Watch, config_text, orders
from tests.sandbox_fixtures import ADM_KORENAAR, Sandbox

pytestmark = pytest.mark.slow


@pytest.fixture(params=["native", "polling"])
def watch(request: pytest.FixtureRequest, sandbox: Sandbox, tmp_path: Path) -> Iterator[Watch]:
    hot = Watch(tmp_path, sandbox, request.param)
    yield hot
    hot.kill()
    hot.check_invariants()


@pytest.fixture
def native(sandbox: Sandbox, tmp_path: Path) -> Iterator[Watch]:
    hot = Watch(tmp_path, sandbox, "native")
    yield hot
    hot.kill()
    hot.check_invariants()


def references(sandbox: Sandbox) -> list[str]:
    return sorted(str(i.reference) for i in sandbox.store.sales_invoices(ADM_KORENAAR))


# --- A: arrival ------------------------------------------------------------------------


def test_files_before_start_and_after(watch: Watch) -> None:
    """A8: files present before the start are taken (startup scan), then new drops."""
    for n in range(3):
        watch.drop(f"before-{n}.csv", orders([f"10{n}"]))
    watch.start()
    watch.wait_archived(3)
    watch.drop("after.csv", orders(["200", "201"]))
    watch.wait_archived(4)
    assert references(watch.sandbox) == ["100", "101", "102", "200", "201"]
    watch.wait_for(lambda: watch.states("after.csv") == ["CLAIMED", "ARCHIVED"], "the log")
    [last] = [p for p in watch.archived() if p.name == "after.csv"]
    month = time.strftime("%Y/%m")
    assert f"archive/{month}/" in str(last).replace(os.sep, "/")
    assert not list(watch.inbox.glob("*.csv")) and watch.processing() == []
    status = watch.status_text()
    assert "Hot-folder daemon (yukimap watch)" in status and "  health: ok" in status
    assert (f"  route shop ({watch.inbox}, {watch.mode}): 0 queued, 0 waiting, 0 failed,"
            " 4 archived") in status
    assert watch.stop() == 0
    assert "  health: the daemon is not running" in watch.status_text()


def test_a_file_written_slowly_is_taken_once_complete(watch: Watch) -> None:
    """A1: written in chunks over 1.5 s (each pause shorter than the 0.3 s window)."""
    watch.start()
    content = orders([str(n) for n in range(300, 330)]).encode()
    path = watch.inbox / "slow.csv"
    with open(path, "wb") as out:
        for first in range(0, len(content), len(content) // 15 + 1):
            out.write(content[first:first + len(content) // 15 + 1])
            out.flush()
            time.sleep(0.1)
    watch.dropped[hashlib.sha256(content).hexdigest()] += 1
    [archived] = watch.wait_archived(1)
    assert archived.read_bytes() == content
    assert len(references(watch.sandbox)) == 30
    watch.wait_for(lambda: watch.states("slow.csv") == ["CLAIMED", "ARCHIVED"], "the log")


def test_renamed_in_lock_and_temp_files_are_never_taken(watch: Watch) -> None:
    """A4, A5: a temporary name renamed into place; Excel/LibreOffice locks, partial
    downloads and system files are left alone and do not block the real file."""
    junk = ["~$orders.csv", ".~lock.orders.csv#", "orders.csv.part", "x.csv.crdownload",
            "Thumbs.db", ".DS_Store", "notes.tmp"]
    for name in junk:
        (watch.inbox / name).write_text("junk")
    watch.start()
    temp = watch.inbox / ".orders.csv.tmp"
    temp.write_text(orders(["400"]))
    os.replace(temp, watch.inbox / "orders.csv")
    watch.dropped[hashlib.sha256(orders(["400"]).encode()).hexdigest()] += 1
    watch.wait_archived(1)
    time.sleep(0.5)  # a few more scans: the junk stays where it is
    assert sorted(p.name for p in watch.inbox.iterdir() if p.is_file()
                  and not p.name.startswith(".yukimap")) == sorted(junk)
    assert references(watch.sandbox) == ["400"]


def test_a_burst_of_files(watch: Watch) -> None:
    """A9 (60 files here, to keep `make test` short; 500 in benchmarks/bench_watch.py)."""
    watch.start()
    for n in range(60):
        watch.drop(f"burst-{n:03}.csv", orders([f"B{n}"]))
    watch.wait_archived(60, timeout=90)
    assert len(references(watch.sandbox)) == 60
    claimed = [e["file"] for e in watch.events() if e.get("state") == "CLAIMED"]
    assert len(claimed) == 60  # each once
    # Files due together go in one send run: their invoices share calls (100 to a call),
    # whichever moment each file was claimed.
    assert watch.sandbox.count("ProcessSalesInvoices") < 60 // 2


def test_an_old_modification_time_is_still_taken(watch: Watch) -> None:
    """A3: a copy that keeps the old mtime (cp -p, an SMB copy) is picked up all the same."""
    watch.start()
    path = watch.drop("old.csv", orders(["420"]))
    os.utime(path, (946684800, 946684800))  # 2000-01-01
    watch.wait_archived(1)
    assert references(watch.sandbox) == ["420"]


def test_a_done_file_releases_its_export(watch: Watch) -> None:
    """A6: with done_file, nothing happens until NAME.done appears; then one send, and the
    done file is removed."""
    routes = [{"name": "shop", "folder": "inbox", "patterns": ["*.csv"], "mapping": "m.yaml",
               "administration": ADM_KORENAAR, "done_file": True}]
    watch.config.write_text(config_text(watch.mode, routes))
    watch.start()
    watch.drop("orders.csv", orders(["430"]))
    time.sleep(1.5)  # five stability windows and a rescan: still not taken
    assert watch.archived() == [] and watch.sandbox.count("ProcessSalesInvoices") == 0
    (watch.inbox / "orders.csv.done").write_text("")
    watch.wait_archived(1)
    assert references(watch.sandbox) == ["430"]
    watch.wait_for(lambda: not (watch.inbox / "orders.csv.done").exists(), "the done file")


def test_a_folder_dropped_in_is_left_whole_and_said_once(watch: Watch) -> None:
    """A11: subfolders are not taken (the default is not recursive): the folder and its files
    stay as they are, never half taken, and the log says so once."""
    watch.start()
    batch = watch.tmp / "batch"
    batch.mkdir()
    (batch / "a.csv").write_text(orders(["440"]))
    (batch / "b.csv").write_text(orders(["441"]))
    os.replace(batch, watch.inbox / "batch")
    watch.drop("orders.csv", orders(["442"]))
    watch.wait_archived(1)
    time.sleep(1.2)  # another rescan
    assert sorted(p.name for p in (watch.inbox / "batch").iterdir()) == ["a.csv", "b.csv"]
    assert references(watch.sandbox) == ["442"]
    said = [e for e in watch.events() if e["event"] == "folder-ignored"]
    assert [(e["folder"], e["why"]) for e in said] == [
        ("batch", "folders are not taken: move the files themselves into the folder")]


def test_a_file_removed_while_it_settles_is_forgotten(watch: Watch) -> None:
    """C4 (b): deleted during its stability window: forgotten, no error, the daemon goes on."""
    routes = [{"name": "shop", "folder": "inbox", "patterns": ["*.csv"], "mapping": "m.yaml",
               "administration": ADM_KORENAAR, "stable_seconds": 1.5}]
    watch.config.write_text(config_text(watch.mode, routes))
    watch.start()
    (watch.inbox / "oops.csv").write_text(orders(["450"]))
    time.sleep(0.5)
    (watch.inbox / "oops.csv").unlink()
    watch.drop("orders.csv", orders(["451"]))
    watch.wait_archived(1)
    assert references(watch.sandbox) == ["451"] and watch.failed() == []
    assert not [e for e in watch.events() if e.get("file") == "oops.csv"]


def test_names_with_spaces_accents_and_case(watch: Watch) -> None:
    """F8: spaces, Unicode in NFC and NFD, a long name, names differing only by case."""
    import unicodedata
    names = ["week 48 verkopen.csv", unicodedata.normalize("NFC", "café-é.csv"),
             unicodedata.normalize("NFD", "crème-è.csv"), "x" * 200 + ".csv",
             "Orders.csv", "orders.csv"]
    watch.start()
    for n, name in enumerate(names):
        watch.drop(name, orders([f"46{n}"]))
    watch.wait_archived(len(names))
    assert sorted(p.name for p in watch.archived()) == sorted(names)
    assert references(watch.sandbox) == [f"46{n}" for n in range(len(names))]


def test_a_restart_while_a_file_is_written_waits_for_it(watch: Watch) -> None:
    """E7: the start-up scan applies the same stability rule: a file still being written
    when the daemon starts is taken only once complete."""
    content = orders([str(n) for n in range(470, 490)]).encode()
    path = watch.inbox / "slow.csv"
    with open(path, "wb") as out:
        out.write(content[:40])
        out.flush()
        watch.start()
        for first in range(40, len(content), 60):
            time.sleep(0.15)
            out.write(content[first:first + 60])
            out.flush()
    watch.dropped[hashlib.sha256(content).hexdigest()] += 1
    [archived] = watch.wait_archived(1)
    assert archived.read_bytes() == content
    assert len(references(watch.sandbox)) == 20 and watch.failed() == []


def test_a_file_written_again_or_touched_while_it_is_sent(watch: Watch) -> None:
    """C5: the same name written again while the first is being sent is a new file after it,
    never mixed with it; C6: a touch on the claimed file (a virus scanner, an indexer) does
    not take it again."""
    watch.sandbox.inject(operation="ProcessSalesInvoices", latency=1.5)
    watch.start()
    watch.drop("orders.csv", orders(["490", "491"]))
    watch.wait_for(lambda: watch.processing(), "the file in processing/")
    [claimed] = watch.processing()
    os.utime(claimed)  # C6
    watch.drop("orders.csv", orders(["492"]))  # C5
    watch.wait_archived(2, timeout=30)
    assert references(watch.sandbox) == ["490", "491", "492"]
    contents = sorted(p.read_text() for p in watch.archived())
    assert contents == sorted([orders(["490", "491"]), orders(["492"])])
    claims = [e for e in watch.events() if e.get("state") == "CLAIMED"]
    assert len(claims) == 2  # each version once, the touched one not again


# --- B: bad input ----------------------------------------------------------------------


def test_bad_files_fail_with_reasons_and_the_daemon_goes_on(watch: Watch) -> None:
    """A7 (zero bytes), B1 (not UTF-8), B4 (a mapping failure: a bad date, in rows 2 and 4):
    each goes to failed/ with the reason; nothing is sent for them; the daemon goes on."""
    watch.start()
    watch.drop("empty.csv", b"")
    [empty] = watch.wait_failed(1)
    reason = empty.with_name("empty.csv.error.txt").read_text()
    assert "What:       the file is empty (0 bytes)" in reason.splitlines()
    assert json.loads(empty.with_name("empty.csv.error.json").read_text())["stage"] == "arrival"
    assert watch.sandbox.count("ProcessSalesInvoices") == 0
    watch.drop("cp1252.csv", (HEADER + "500;2024-11-01;Caf\xe9 \u20ac;1;Mok;12,50;21\n")
               .encode("cp1252"))
    watch.drop("bad-date.csv", HEADER + "501;31-31-2024;K;1;Mok;12,50;21\n"
               "502;2024-11-01;K;1;Mok;12,50;21\n503;gisteren;K;1;Mok;12,50;21\n")
    watch.wait_failed(3)
    watch.drop("good.csv", orders(["504"]))
    watch.wait_archived(1)
    encoding = (watch.inbox / "failed" / "cp1252.csv.error.txt").read_text()
    assert "Stage:      reading the file" in encoding.splitlines()
    dates = json.loads((watch.inbox / "failed" / "bad-date.csv.error.json").read_text())
    assert dates["stage"] == "mapping the data"
    assert sorted(r for p in dates["problems"] for r in p["rows"]) == [2, 4]
    assert "Next step:" in (watch.inbox / "failed" / "bad-date.csv.error.txt").read_text()
    assert references(watch.sandbox) == ["504"]


# --- C: claim and dedup ----------------------------------------------------------------


def test_the_same_file_twice_and_a_re_export(watch: Watch) -> None:
    """C1: identical bytes again -> archive with "nothing new", no call for documents.
    C2 / A12: a re-export under the same name with old and new invoices -> only the new."""
    watch.start()
    watch.drop("orders.csv", orders(["600", "601"]))
    watch.wait_archived(1)
    calls = watch.sandbox.count("ProcessSalesInvoices")
    watch.drop("orders.csv", orders(["600", "601"]))
    watch.wait_archived(2)
    assert watch.sandbox.count("ProcessSalesInvoices") == calls
    [second] = [p for p in watch.archived() if p.name == "orders (2).csv"]
    note = second.with_name("orders (2).csv.note.txt").read_text()
    assert note.startswith("orders.csv: nothing new: all 2 document(s) were sent before.")
    watch.drop("orders.csv", orders(["601", "602"]))
    watch.wait_archived(3)
    assert references(watch.sandbox) == ["600", "601", "602"]


def test_a_second_daemon_refuses_to_start(native: Watch) -> None:
    """C3: the second says which one runs, exit 4, and touches nothing."""
    first = native.start()
    second = subprocess.run([sys.executable, "-m", "yukimap", "watch", str(native.config)],
                            cwd=native.tmp, env=native.env(), capture_output=True, timeout=30,
                            check=False)
    assert second.returncode == 4
    assert f"(pid {first.pid}, started " in second.stderr.decode()
    assert "another yukimap watch is running on" in second.stderr.decode()


# --- D: Yuki's faults ------------------------------------------------------------------


def test_http_500_then_success(native: Watch) -> None:
    """D1: the file waits (retry, with backoff), then arrives; never failed."""
    native.sandbox.inject(operation="ProcessSalesInvoices", http_error=4)
    native.start()
    native.drop("orders.csv", orders(["700"]))
    native.wait_archived(1)
    states = native.wait_for(lambda: native.states("orders.csv")[-1:] == ["ARCHIVED"]
                             and native.states("orders.csv"), "the log")
    assert states[0] == "CLAIMED" and "WAITING" in states
    assert references(native.sandbox) == ["700"]


def test_an_ambiguous_drop_is_reconciled_not_resent(native: Watch) -> None:
    """D3: Yuki processed the call, the answer was lost: looked up, found, archived."""
    native.sandbox.inject(operation="ProcessSalesInvoices", drop_after=1)
    native.start()
    native.drop("orders.csv", orders(["710", "711"]))
    native.wait_archived(1)
    assert native.sandbox.count("ProcessSalesInvoices") == 1
    assert references(native.sandbox) == ["710", "711"]


def test_the_daily_limit_makes_files_wait_in_place(native: Watch) -> None:
    """D5: no retry storm; the file waits in processing/ with a note saying until when."""
    native.start()
    native.drop("first.csv", orders(["720"]))
    native.wait_archived(1)
    native.sandbox.inject(daily_limit=True)
    native.drop("second.csv", orders(["721"]))
    note = native.inbox / "processing" / "second.csv.waiting.txt"
    native.wait_for(note.exists, "the waiting note")
    calls = len(native.sandbox.store.calls())
    time.sleep(1.0)
    assert len(native.sandbox.store.calls()) == calls  # no storm
    lines = note.read_text().splitlines()
    assert lines[0].startswith("second.csv is waiting: ")
    assert lines[1].startswith("Next try:  ") and lines[2] == (
        "What to do: nothing to do: it goes on by itself")
    status = native.status_json()
    [waiting] = status["watch"]["routes"]["shop"]["waiting"]
    assert waiting["file"] == "second.csv" and waiting["wait"] == "limit"


def test_session_expiry_is_handled(make_sandbox: Callable[..., Sandbox], tmp_path: Path
                                   ) -> None:
    """D6: the session expires between two files: one more Authenticate, no failure."""
    sandbox = make_sandbox(session_lifetime=1.0)
    hot = Watch(tmp_path, sandbox, "native")
    try:
        hot.start()
        hot.drop("one.csv", orders(["730"]))
        hot.wait_archived(1)
        time.sleep(1.2)
        hot.drop("two.csv", orders(["731"]))
        hot.wait_archived(2)
        assert sandbox.count("Authenticate") == 2
    finally:
        hot.kill()
    hot.check_invariants()


def test_a_refused_key_holds_every_file_and_says_so(native: Watch) -> None:
    """D7: no retries per file, the files wait (not failed), status and /healthz say so."""
    (native.config).write_text(config_text("native", health={"port": 0}))
    native.start(key="5a4db0c5-0000-4e00-8000-0000000000ff")
    native.drop("orders.csv", orders(["740"]))
    note = native.inbox / "processing" / "orders.csv.waiting.txt"
    native.wait_for(note.exists, "the waiting note")
    assert "Yuki refused the access key" in note.read_text()
    status, body = native.http("/healthz")
    assert status == 503 and "Yuki refused the access key" in body
    assert native.failed() == []


# --- E: crash and restart --------------------------------------------------------------


def test_sigkill_during_a_send_then_restart(native: Watch) -> None:
    """E2: killed while the call is in flight (Yuki has it): the restart looks the invoices
    up instead of sending them again, and archives the file."""
    native.sandbox.inject(operation="ProcessSalesInvoices", latency=30)
    native.start()
    native.drop("orders.csv", orders(["800", "801"]))
    native.wait_for(lambda: native.sandbox.count("ProcessSalesInvoices") == 1, "the call")
    time.sleep(0.3)
    native.stop(signal.SIGKILL)
    native.sandbox.control("faults", method="DELETE")
    native.start()
    native.wait_archived(1)
    assert native.sandbox.count("ProcessSalesInvoices") == 1
    assert references(native.sandbox) == ["800", "801"]


@pytest.mark.parametrize("fault", ["kill-before-archive", "kill-before-rename"])
def test_sigkill_after_sent_before_the_move(native: Watch, fault: str) -> None:
    """E3, E4: the restart finishes the move without sending again."""
    native.start(fault=fault)
    native.drop("orders.csv", orders(["810"]))
    assert native.process is not None
    native.process.wait(timeout=20)
    native.process = None
    assert native.archived() == []
    native.start()
    native.wait_archived(1)
    assert native.sandbox.count("ProcessSalesInvoices") == 1
    assert references(native.sandbox) == ["810"]


def test_sigterm_during_a_send_finishes_it(native: Watch) -> None:
    """G1: SIGTERM stops the intake; the call in flight completes; exit 0 in time."""
    native.sandbox.inject(operation="ProcessSalesInvoices", latency=1.0)
    native.start()
    native.drop("orders.csv", orders(["820"]))
    native.wait_for(lambda: native.sandbox.count("ProcessSalesInvoices") == 1, "the call")
    started = time.monotonic()
    assert native.stop(signal.SIGTERM) == 0
    assert time.monotonic() - started < 10
    assert len(native.archived()) == 1 and references(native.sandbox) == ["820"]


# --- F: the watcher --------------------------------------------------------------------


def test_a_dead_watcher_is_restarted(native: Watch) -> None:
    """F3: the watcher's handler raises (watchdog #793): the watcher is restarted, files
    still arrive, /metrics counts the restart."""
    native.config.write_text(config_text("native", health={"port": 0}))
    native.start(fault="observer-crash")
    native.drop("crash-the-watcher.csv", orders(["900"]))
    native.wait_for(lambda: any(e["event"] == "watcher-restarted" for e in native.events()),
                    "the watcher's restart")
    native.drop("after.csv", orders(["901"]))
    native.wait_archived(2)
    status, metrics = native.http("/metrics")
    assert status == 200
    [restarts] = [line for line in metrics.splitlines()
                  if line.startswith("yukimap_watch_watcher_restarts_total ")]
    assert int(restarts.split()[1]) >= 1


def test_lost_events_are_made_up_by_the_rescan(native: Watch) -> None:
    """A10: no event arrives at all; the periodic rescan (1 s) finds the file."""
    native.config.write_text(config_text("native", health={"port": 0}))
    native.start(fault="no-events")
    native.drop("orders.csv", orders(["910"]))
    native.wait_archived(1, timeout=10)
    _, metrics = native.http("/metrics")
    assert "yukimap_watch_files_found_by_rescan_total 1" in metrics.splitlines()
    assert native.http("/healthz") == (200, "ok\n")


@pytest.mark.parametrize("damaged", ["watch.sqlite", "sends.sqlite"])
def test_a_damaged_state_refuses_the_start(native: Watch, damaged: str) -> None:
    """E6: the daemon's state or the send journal cannot be read: the start is refused with
    what to do, exit 1, never a new empty journal (which would send everything again); no
    file is touched. Done as the message says, the next start goes on, nothing sent twice."""
    native.start()
    native.drop("orders.csv", orders(["930"]))
    native.wait_archived(1)
    assert native.stop() == 0
    state = native.tmp / "state"
    (state / damaged).write_bytes(b"this is not a database" * 100)
    for stale in state.glob(damaged + "-*"):  # its WAL and shared memory
        stale.unlink()
    native.drop("more.csv", orders(["931"]))
    result = subprocess.run([sys.executable, "-m", "yukimap", "watch", str(native.config)],
                            cwd=native.tmp, env=native.env(), capture_output=True, timeout=30,
                            check=False)
    err = result.stderr.decode().splitlines()
    assert result.returncode == 1, err
    assert err[0].startswith("error: the ") and err[0].endswith(
        f"{(state / damaged).resolve()} is damaged (file is not a database); no file was"
        " touched"), err
    assert f"rename it to {damaged}.damaged" in err[1] and "Traceback" not in err
    assert (native.inbox / "more.csv").exists() and native.processing() == []
    (state / damaged).rename(state / (damaged + ".damaged"))
    native.start()
    native.wait_archived(2)
    assert references(native.sandbox) == ["930", "931"]


# --- G: operations ---------------------------------------------------------------------


def test_a_config_mistake_stops_the_start_and_touches_nothing(native: Watch) -> None:
    """G5: file:line:col, the allowed keys and the nearest name; the inbox is untouched."""
    native.drop("orders.csv", orders(["950"]))
    native.config.write_text("version: 1\nroutes:\n  - name: shop\n    folder: inbox\n"
                             "    mapping: m.yaml\n    stable_secnds: 2\n")
    result = subprocess.run([sys.executable, "-m", "yukimap", "watch", str(native.config)],
                            cwd=native.tmp, env=native.env(), capture_output=True, timeout=30,
                            check=False)
    assert result.returncode == 1
    assert ("error: watch.yaml:6:20 routes[0].stable_secnds: unknown key 'stable_secnds' in a"
            " route" in result.stderr.decode().splitlines())
    assert "did you mean 'stable_seconds'?" in result.stderr.decode()
    assert sorted(p.name for p in native.inbox.iterdir()) == ["orders.csv"]


def test_rejected_invoices_fail_with_their_rows_and_the_rest_is_booked(native: Watch) -> None:
    """D4 / B7: Yuki refuses one invoice (booked elsewhere before): the others are SENT and
    never resent; the refused rows are written beside the reason, ready to drop again."""
    _booked_elsewhere(native, "961")
    native.start()
    native.drop("orders.csv", orders(["960", "961", "962"]))
    native.wait_failed(1)
    rejected = native.inbox / "failed" / "orders.rejected.csv"
    assert rejected.read_text() == orders(["961"]).replace("2024-11-01", "2024-11-02")
    reason = (native.inbox / "failed" / "orders.csv.error.txt").read_text().splitlines()
    assert "What:       Yuki refused 1 of 3 document(s)" in reason
    assert "Rows:       4, 5" in reason
    assert references(native.sandbox) == ["960", "961", "962"]  # 961 from the other program


def test_a_big_file_s_fate_lists_what_needs_a_person_not_every_invoice(native: Watch) -> None:
    """The .error.json of a file of more documents than a fate lists (LISTED) names those
    not in Yuki, one by one, and counts every document by its state: a file of 200,000
    invoices listed them all (25 MB), and the daemon held 400 MB more to make it."""
    from yukimap.watch.fate import LISTED

    _booked_elsewhere(native, "20500")
    native.start()
    numbers = [str(n) for n in range(20000, 20000 + LISTED + 200)]
    native.drop("orders.csv", orders(numbers))
    native.wait_failed(1, timeout=120)
    told = json.loads((native.inbox / "failed" / "orders.csv.error.json").read_text())
    assert told["counts"] == {"SENT": LISTED + 199, "REJECTED": 1}
    assert [(d["label"], d["state"]) for d in told["documents"]] == [
        ("invoice 20500", "REJECTED")]
    reason = (native.inbox / "failed" / "orders.csv.error.txt").read_text().splitlines()
    assert f"What:       Yuki refused 1 of {LISTED + 200} document(s)" in reason


def _booked_elsewhere(native: Watch, number: str) -> None:
    """The invoice `number` booked by another program before: Yuki refuses it again."""
    from tests.robustness.watch_harness import MAPPING
    from yukimap.send import send_file

    (native.tmp / "other.csv").write_text(orders([number]))
    (native.tmp / "m2.yaml").write_text(MAPPING)
    send_file(native.tmp / "other.csv", str(native.tmp / "m2.yaml"),
              native.sandbox.settings("domain", state="other-state"),
              administration=ADM_KORENAAR)
