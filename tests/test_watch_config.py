"""The `yukimap watch` config: checked like a mapping (file:line:col, allowed keys, the
nearest name), every problem at once, and its JSON Schema generated from the same tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from yukimap.errors import MappingError
from yukimap.grouping import format_problems
from yukimap.watch.config import SCHEMA_FILE, load_config, schema_text
from yukimap.watch.scan import Tracker, choose_mode, ignored, mount_type


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "sales").mkdir(exist_ok=True)
    path = tmp_path / "watch.yaml"
    path.write_text(text)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(MappingError) as caught:
        load_config(path)
    return format_problems(caught.value.problems).replace(str(path), "watch.yaml").splitlines()


def test_a_config_with_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, """
version: 1
defaults: {stable_seconds: 0.5}
routes:
  - name: webshop
    folder: sales
    patterns: "*.csv"
    mapping: webshop-orders
    administration: Bakkerij De Vries
  - name: kassa
    folder: sales
    patterns: ["*.XLSX"]
    mapping: pos-export
    stable_seconds: 9
""")
    config = load_config(path)
    shop, till = config.routes
    assert shop.folder == tmp_path / "sales" and shop.patterns == ("*.csv",)
    assert (shop.stable_seconds, till.stable_seconds) == (0.5, 9.0)
    assert shop.rescan_seconds == 60.0 and shop.mode == "auto" and till.administration is None
    assert till.matches("Kassa.xlsx") and not till.matches("kassa.csv")
    assert config.health is None and config.log_format == "text"


def test_every_mistake_at_once_with_its_place(tmp_path: Path) -> None:
    path = write(tmp_path, """
version: 1
routes:
  - name: webshop
    folder: nowhere
    mapping: webshop-orders
    mode: polling-ish
    stable_secnds: 2
    rescan_seconds: -1
  - name: webshop
    folder: sales
    mapping: webshop-orders
""")
    assert problems(path) == [
        ("error: watch.yaml:8:20 routes[0].stable_secnds: unknown key 'stable_secnds' in a"
        " route"),
        ("  fix: did you mean 'stable_seconds'? (allowed here: name, folder, patterns, mapping,"
        " administration, domain, mode, stable_seconds, rescan_seconds, poll_seconds,"
        " done_file, batch_size, retry_seconds, retry_max_seconds, recheck_seconds,"
        " key_retry_seconds)"),
        ("error: watch.yaml:7:11 routes[0].mode: expected one of auto, native, polling"
        " (got 'polling-ish')"),
        "  fix: did you mean 'polling'?",
        ("error: watch.yaml:9:21 routes[0].rescan_seconds: expected a number of seconds, e.g."
        " 5 or 0.5 (got '-1')"),
    ]


def test_folders_and_overlapping_routes(tmp_path: Path) -> None:
    path = write(tmp_path, """
routes:
  - {name: a, folder: nowhere, mapping: webshop-orders}
  - {name: b, folder: sales, mapping: webshop-orders, patterns: ["*.csv"]}
  - {name: b, folder: sales, mapping: pos-export, patterns: ["orders-*.csv"]}
""")
    lines = problems(path)
    assert lines[0] == f"error: watch.yaml:3:23 routes[0].folder: the folder does not exist (got" \
                       f" '{tmp_path / 'nowhere'}')"
    assert "error: watch.yaml:5:12 routes[2].name: two routes are named 'b'" in lines
    assert (f"error: watch.yaml:5:61 routes[2].patterns: files matching orders-*.csv in"
            f" {tmp_path / 'sales'} would belong to two routes ('b' and 'b')") in lines


def test_the_shipped_json_schema_is_generated_from_the_key_tables() -> None:
    assert SCHEMA_FILE.read_text() == schema_text()
    schema = json.loads(schema_text())
    route = schema["properties"]["routes"]["items"]
    assert route["required"] == ["name", "folder", "mapping"]
    assert route["properties"]["mode"]["enum"] == ["auto", "native", "polling"]
    assert schema["additionalProperties"] is False


def test_ignored_names() -> None:
    for name in ("~$orders.xlsx", ".~lock.orders.xlsx#", "a.tmp", "a.csv.part", "a.crdownload",
                 ".hidden.csv", "Thumbs.db", ".DS_Store", "desktop.ini", "a.csv.done"):
        assert ignored(name), name
    for name in ("orders.csv", "Orders 2024.XLSX", "kassa~1.csv"):
        assert not ignored(name), name


def test_stability_uses_its_window_and_restarts_on_change() -> None:
    from yukimap.watch.scan import Entry

    tracker = Tracker(1.0)
    first = {"a.csv": Entry("a.csv", 10, 1)}
    assert tracker.update(first, 0.0) == []
    assert tracker.update(first, 0.9) == []
    grown = {"a.csv": Entry("a.csv", 20, 2)}
    assert tracker.update(grown, 1.0) == []  # changed: its window starts again
    tracker.touched("a.csv", 1.5)  # an event: again
    assert tracker.update(grown, 2.4) == []
    assert tracker.update(grown, 2.5) == [grown["a.csv"]]


def test_auto_mode_polls_network_file_systems(tmp_path: Path) -> None:
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\nserver:/export {tmp_path} nfs4 rw 0 0\n")
    assert mount_type(tmp_path / "inbox", mounts) == "nfs4"
    assert mount_type(Path("/usr"), mounts) == "ext4"
    path = write(tmp_path, "routes: [{name: a, folder: sales, mapping: webshop-orders}]\n")
    [route] = load_config(path).routes
    assert choose_mode(route)[0] in ("native", "polling")
