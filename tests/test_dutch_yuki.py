"""Dutch on the Yuki side, as a user asks for it (--lang nl, YUKIMAP_LANG=nl): settings, the
daily limit, what a send records and reports, a refused document, and the hot-folder
daemon's reason files. Real commands (the daemon a real subprocess) against the sandbox;
each run must end as it does in English (no text without Dutch: YUKIMAP_I18N_STRICT)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from tests.robustness.watch_harness import Watch
from tests.sandbox_fixtures import ADM_KORENAAR, Sandbox
from tests.test_send import MAPPING, orders


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "m.yaml").write_text(MAPPING)
    return tmp_path


def test_no_access_key(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (files / "config.yaml").write_text("{}\n")
    monkeypatch.setenv("YUKIMAP_CONFIG", str(files / "config.yaml"))
    monkeypatch.setenv("YUKIMAP_STATE", str(files / "state"))
    monkeypatch.delenv("YUKI_ACCESS_KEY", raising=False)
    (files / "orders.csv").write_text(orders(["1001"]))
    result = run_cli("--lang", "nl", "send", files / "orders.csv", "-m", files / "m.yaml",
                     "-a", ADM_KORENAAR)
    assert result.code == 1
    # (the "error:"/"fix:" labels are the command line's, translated there)
    assert result.stderr.splitlines()[0].endswith(": er is geen Yuki-toegangssleutel ingesteld")
    assert ("zet YUKI_ACCESS_KEY, of zet yuki_access_key in" in result.stderr
            and "Maak een sleutel in Yuki onder Instellingen > Webservices" in result.stderr)


def test_a_bad_daily_budget(files: Path, yuki_env: Sandbox,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUKIMAP_DAILY_BUDGET", "20000")
    (files / "orders.csv").write_text(orders(["1001"]))
    result = run_cli("--lang", "nl", "send", files / "orders.csv", "-m", files / "m.yaml",
                     "-a", ADM_KORENAAR)
    assert result.code == 1
    first, hint = result.stderr.splitlines()
    assert first.endswith(": het dagbudget uit YUKIMAP_DAILY_BUDGET moet tussen 1 en 10000"
                          " liggen")
    assert hint.endswith(": Yuki staat 1000 aanroepen per dag per domein toe, 5000 of 10000"
                         " met een betaalde add-on")


def test_the_daily_limit(make_sandbox: Callable[..., Sandbox], files: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox = make_sandbox(daily_limit=3)  # Authenticate, VAT codes, one invoice call
    monkeypatch.setenv("YUKI_BASE_URL", sandbox.url)
    monkeypatch.setenv("YUKI_ACCESS_KEY", sandbox.key("domain"))
    monkeypatch.setenv("YUKIMAP_STATE", str(files / "state"))
    (files / "config.yaml").write_text("{}\n")
    monkeypatch.setenv("YUKIMAP_CONFIG", str(files / "config.yaml"))
    (files / "orders.csv").write_text(orders(["1001", "1002"]))
    result = run_cli("--lang", "nl", "send", files / "orders.csv", "-m", files / "m.yaml",
                     "-a", ADM_KORENAAR, "--batch-size", "1", "--receipt", files / "r.json")
    assert result.code == 4  # the rest goes later
    receipt = json.loads((files / "r.json").read_text())
    assert [d["state"] for d in receipt["documents"]] == ["SENT", "NOT SENT"]  # codes: English
    assert receipt["stopped"].startswith(
        "de daglimiet van Yuki voor dit domein is bereikt (Daily limit exceeded); die begint"
        " opnieuw om middernacht Amsterdamse tijd, ")
    [waiting] = [d for d in receipt["documents"] if d["state"] == "NOT SENT"]
    assert waiting["message"].startswith("niet verstuurd: de daglimiet van Yuki")
    again = run_cli("--lang", "nl", "send", files / "orders.csv", "-m", files / "m.yaml",
                    "-a", ADM_KORENAAR, "--batch-size", "1")
    assert again.code == 4  # Yuki said no for today: the local budget is spent too
    assert (f"het dagelijkse aanroepbudget van yukimap voor key {_fingerprint(sandbox)} is op:"
            " 1000 van 1000 aanroepen vandaag. Er is niets verstuurd. De teller begint opnieuw om"
            " middernacht Amsterdamse tijd (") in again.stdout


def _fingerprint(sandbox: Sandbox) -> str:
    from yukimap.settings import Secret

    return Secret(sandbox.key("domain")).fingerprint()


def test_a_refused_journal_keeps_yukis_words(files: Path, yuki_env: Sandbox) -> None:
    yuki_env.inject(operation="ProcessJournal", fault="Journal is not in balance")
    result = run_cli("--lang", "nl", "send", REPO / "examples/bank-ing.csv", "-m",
                     REPO / "mappings/bank-ing.yaml", "-a", ADM_KORENAAR, "--receipt",
                     files / "r.json")
    assert result.code == 1
    [refused] = json.loads((files / "r.json").read_text())["documents"]
    assert (refused["state"], refused["message"]) == ("REJECTED", "Journal is not in balance")


def test_a_damaged_ledger(files: Path, yuki_env: Sandbox) -> None:
    (files / "orders.csv").write_text(orders(["1001"]))
    assert run_cli("send", files / "orders.csv", "-m", files / "m.yaml", "-a",
                   ADM_KORENAAR).code == 0
    ledger = files / "state" / "sends.ledger"
    ledger.write_bytes(ledger.read_bytes() + b"{not json\n")
    (files / "more.csv").write_text(orders(["1002"]))
    result = run_cli("--lang", "nl", "send", files / "more.csv", "-m", files / "m.yaml", "-a",
                     ADM_KORENAAR)
    assert result.code == 1
    assert result.stderr.splitlines()[0].endswith(
        f": het logboek {ledger} is beschadigd aan het eind: een regel is geen JSON;"
        " er is niets verstuurd")


class DutchWatch(Watch):
    """The hot-folder harness, its daemon (and `yukimap status`) started in Dutch."""

    def env(self, **extra: str) -> dict[str, str]:
        return {**super().env(**extra), "YUKIMAP_LANG": "nl"}


@pytest.fixture
def dutch_watch(sandbox: Sandbox, tmp_path: Path) -> Iterator[Watch]:
    hot = DutchWatch(tmp_path, sandbox, "native")
    yield hot
    hot.kill()
    hot.check_invariants()


@pytest.mark.slow
def test_the_daemon_writes_dutch_reason_files(dutch_watch: Watch) -> None:
    dutch_watch.start()
    dutch_watch.drop("empty.csv", b"")
    [empty] = dutch_watch.wait_failed(1)
    reason = empty.with_name("empty.csv.error.txt").read_text()
    lines = reason.splitlines()
    assert lines[0] == "yukimap kon empty.csv niet in Yuki boeken."
    assert "Fase:           aankomst" in lines
    assert "Wat:            het bestand is leeg (0 bytes)" in lines
    assert ("Volgende stap:  exporteer het bestand opnieuw; is de export echt leeg,"
            " verwijder hem dan") in lines
    facts = json.loads(empty.with_name("empty.csv.error.json").read_text())
    assert (facts["stage"], facts["error"]) == ("arrival", "EmptyFile")  # codes stay English
    assert facts["reason"] == "het bestand is leeg (0 bytes)"
    dutch_watch.drop("orders.csv", orders(["1001"]))
    [archived] = dutch_watch.wait_archived(1)
    dutch_watch.drop("again.csv", orders(["1001"]))
    dutch_watch.wait_archived(2)
    note = next(p for p in archived.parent.iterdir() if p.name.endswith(".note.txt"))
    assert note.read_text().splitlines()[0] == (
        "again.csv: niets nieuws: het ene document is al eerder verstuurd.")
    assert not (archived.parent / "orders.csv.note.txt").exists()  # sent: no note


@pytest.mark.slow
def test_the_daemon_says_in_dutch_what_yuki_refused(dutch_watch: Watch) -> None:
    from yukimap.send import send_file

    (dutch_watch.tmp / "other.csv").write_text(orders(["961"]))
    send_file(dutch_watch.tmp / "other.csv", str(dutch_watch.tmp / "m.yaml"),
              dutch_watch.sandbox.settings("domain", state="other-state"),
              administration=ADM_KORENAAR)
    dutch_watch.start()
    dutch_watch.drop("orders.csv", orders(["960", "961", "962"]))
    dutch_watch.wait_failed(1)
    reason = (dutch_watch.inbox / "failed" / "orders.csv.error.txt").read_text().splitlines()
    assert "Fase:           versturen: Yuki heeft documenten geweigerd" in reason
    assert "Wat:            Yuki heeft 1 van 3 documenten geweigerd" in reason
    assert "Rijen:          4, 5" in reason
    assert "Geweigerde rijen, klaar om te verbeteren: orders.rejected.csv" in reason
    facts = json.loads((dutch_watch.inbox / "failed" / "orders.csv.error.json").read_text())
    assert facts["stage"] == "sending: Yuki refused documents"  # a code: English
    status = [line.strip() for line in dutch_watch.status_text()]
    assert any(line.startswith("route shop (") and line.endswith(
        "): 0 in de rij, 0 wachtend, 1 mislukt, 0 gearchiveerd") for line in status)
    assert "mislukt: orders.csv: Yuki heeft 1 van 3 documenten geweigerd" in status
