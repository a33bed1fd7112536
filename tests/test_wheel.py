"""An installed wheel (not the checkout) finds its templates, schemas, mappings and examples."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(root / "dist"), str(REPO)], check=True)
    [wheel] = (root / "dist").glob("yukimap-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                    str(root / "site"), str(wheel)], check=True)
    return root


def _run(installed: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(installed / "site")}
    return subprocess.run([sys.executable, *args], cwd=installed, env=env, text=True,
                          capture_output=True)


@pytest.mark.slow
def test_wheel_carries_its_data(installed: Path) -> None:
    where = _run(installed, "-c", "import yukimap.resources as r, yukimap;"
                 "print(yukimap.__file__); print(r.templates_dir()); print(r.schema_path("
                 "'SalesInvoices.xsd')); print(sorted(r.shipped_mappings()))")
    assert where.returncode == 0, where.stderr
    lines = where.stdout.splitlines()
    site = str(installed / "site")
    assert all(line.startswith(site) for line in lines[:3]), lines
    assert "webshop-orders" in lines[3]


@pytest.mark.slow
def test_wheel_converts_a_shipped_example(installed: Path) -> None:
    example = installed / "site" / "yukimap" / "_data" / "examples" / "webshop-orders.csv"
    result = _run(installed, "-m", "yukimap", "convert", str(example), "--mapping",
                  "webshop-orders", "--output", "out.xml")
    assert result.returncode == 0, result.stderr
    xml = (installed / "out.xml").read_text()
    assert "<Reference>2024-1001</Reference>" in xml and "Traceback" not in result.stderr


def test_the_public_api_resolves() -> None:
    import yukimap

    for name in yukimap.__all__:
        assert getattr(yukimap, name) is not None


@pytest.mark.slow
def test_wheel_carries_the_studio_page(installed: Path) -> None:
    """The page's assets ship inside the wheel: the studio fetches nothing at run time."""
    static = installed / "site" / "yukimap" / "studio" / "static"
    assert sorted(p.name for p in static.iterdir()) == ["index.html", "studio.css", "studio.js",
                                                        "watch.html", "watch.js"]
    for name in ("index.html", "watch.html"):
        page = (static / name).read_text()
        assert "http://" not in page and "https://" not in page


def test_wheel_mappings_find_their_schema_beside_them(installed: Path) -> None:
    """The shipped mappings' first line names ./mapping.schema.json: in the wheel too."""
    mappings = installed / "site" / "yukimap" / "_data" / "mappings"
    schema = mappings / "mapping.schema.json"
    assert schema.read_text(encoding="utf-8") == (REPO / "mappings" / "mapping.schema.json"
                                                  ).read_text(encoding="utf-8")
    for mapping in mappings.glob("*.yaml"):
        first = mapping.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=./mapping.schema.json", mapping
