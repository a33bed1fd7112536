"""Golden files: every folder in tests/cases is one case.

A case has an input and a mapping (inline as input.* and mapping.yaml, or named in case.yaml
relative to the repository), optional command-line values in case.yaml (administration,
opening_balance), and the expected outputs: expected.xml (or expected.csv; one file per
document for journals split into several) and expected-summary.txt; a few cases also have
expected-summary.nl.txt, the summary in Dutch. Regenerate on purpose
with `pytest --update-golden`, then review the diff like any other change.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from yukimap import i18n
from yukimap.output import document_texts
from yukimap.pipeline import convert_file
from yukimap.report import format_summary
from yukimap.schema import apply_options, load_mapping

CASES_DIR = REPO / "tests" / "cases"
CASES = sorted(p for p in CASES_DIR.iterdir() if p.is_dir())


def _case(case: Path) -> tuple[Path, Path, dict[str, str]]:
    spec_file = case / "case.yaml"
    spec = yaml.safe_load(spec_file.read_text()) if spec_file.exists() else {}
    if "input" in spec:
        source = REPO / spec["input"]
    else:
        source = next(p for p in case.iterdir() if p.stem == "input")
    mapping = REPO / spec["mapping"] if "mapping" in spec else case / "mapping.yaml"
    return source, mapping, spec


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
    source, mapping_path, spec = _case(case)
    mapping = apply_options(load_mapping(mapping_path), spec.get("administration"),
                            spec.get("opening_balance"))
    result = convert_file(source, mapping)
    texts = document_texts(result)
    names = ["expected"] if len(texts) == 1 else [f"expected-{u.key}" for u in result.units]
    for name, text in zip(names, texts):
        _compare(case / f"{name}{result.extension}", text, update_golden)
    summary = format_summary(result.summary, source.name, mapping_path.name, "(golden test)")
    _compare(case / "expected-summary.txt", summary + "\n", update_golden)
    dutch = case / "expected-summary.nl.txt"
    if dutch.exists():  # the summary as a Dutch run says it (the file converted in Dutch)
        with i18n.speaking("nl"):
            said = convert_file(source, mapping).summary
            summary = format_summary(said, source.name, mapping_path.name, "(golden test)")
        _compare(dutch, summary + "\n", update_golden)


def test_every_shipped_mapping_has_an_example_and_a_golden_case() -> None:
    from yukimap.resources import shipped_mappings

    covered = {_case(case)[1].stem for case in CASES}
    assert set(shipped_mappings()) <= covered
    for name in shipped_mappings():
        assert list((REPO / "examples").glob(f"{name}.*")), f"no example for mapping {name}"
