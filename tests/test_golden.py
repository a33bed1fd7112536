"""Golden files: every folder in tests/cases is one case.

A case has an input and a mapping (inline as input.* and mapping.yaml, or named in case.yaml
relative to the repository), and the expected outputs: expected.xml (or expected.csv) and
expected-summary.txt. Regenerate on purpose with `pytest --update-golden`, then review the
diff like any other change.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from yukimap.pipeline import convert_file
from yukimap.report import format_summary

CASES_DIR = REPO / "tests" / "cases"
CASES = sorted(p for p in CASES_DIR.iterdir() if p.is_dir())


def _case_files(case: Path) -> tuple[Path, Path]:
    spec_file = case / "case.yaml"
    spec = yaml.safe_load(spec_file.read_text()) if spec_file.exists() else {}
    if "input" in spec:
        source = REPO / spec["input"]
    else:
        source = next(p for p in case.iterdir() if p.stem == "input")
    mapping = REPO / spec["mapping"] if "mapping" in spec else case / "mapping.yaml"
    return source, mapping


def _compare(expected: Path, actual: str, update: bool) -> None:
    if update or not expected.exists():
        expected.write_text(actual, encoding="utf-8")
        if not update:
            pytest.fail(f"{expected} did not exist; written now, review and commit it")
        return
    wanted = expected.read_text(encoding="utf-8")
    if wanted != actual:
        diff = "".join(difflib.unified_diff(
            wanted.splitlines(keepends=True), actual.splitlines(keepends=True),
            fromfile=str(expected), tofile="actual"))
        pytest.fail(f"output differs from {expected.name}:\n{diff}")


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_golden(case: Path, update_golden: bool) -> None:
    source, mapping = _case_files(case)
    result = convert_file(source, mapping)
    suffix = ".csv" if result.mapping.target.xsd is None else ".xml"
    _compare(case / f"expected{suffix}", result.text, update_golden)
    summary = format_summary(result.summary, source.name, mapping.name, "(golden test)")
    _compare(case / "expected-summary.txt", summary + "\n", update_golden)
