"""Snapshot tests that live next to a user's mapping (`yukimap test`).

A mapping `kas.yaml` has its cases in `kas.tests/`, a folder per case, as the project's own
golden cases are kept: an input file (`input.csv`, `input.xlsx`, ...), optional
command-line values (`case.yaml`: administration, opening_balance), and the output the
mapping made when the case was approved: `expected.xml` or `expected.csv` (one file per
document, `expected-<key>.xml`, when a file makes several), `expected-summary.txt` (the
summary and the warnings); or `expected-error.txt` for an input that must be refused.
A case is run as `convert --dry-run` runs a file: journals without an administration get
the dry run's placeholder.
"""

from __future__ import annotations

import difflib
import io
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from yukimap import i18n
from yukimap.atomic import write_atomically
from yukimap.errors import UsageError, UserError
from yukimap.grouping import display_path, format_problems
from yukimap.i18n import plural, tr
from yukimap.read.files import check_file, read_bytes
from yukimap.report import format_summary, print_user_error
from yukimap.yamlsrc import load_yaml_file

OUTCOME = "(yukimap test)"  # the summary's last line in a case
EXPECTED = re.compile(r"^expected(-.+)?\.(xml|csv|txt)$")
_DIFF_LINES = 200  # of one file's difference, shown
_DIFF_SIZE = 20_000  # lines of a file above which only the first difference is shown


@dataclass(frozen=True)
class Case:
    name: str
    folder: Path
    input: Path
    options: dict[str, str]


@dataclass
class Outcome:
    """A case run: its files as approved and as made now."""

    case: Case
    approved: dict[str, str]
    now: dict[str, str]
    changed: list[str] = field(default_factory=list)  # the names of the files that differ

    @property
    def ok(self) -> bool:
        return not self.changed

    @property
    def new(self) -> bool:
        return not self.approved


def cases_folder(mapping: Path) -> Path:
    return mapping.with_name(mapping.stem + ".tests")


def find_cases(mapping: Path) -> list[Case]:
    folder = cases_folder(mapping)
    if not folder.is_dir():
        return []
    return [case for path in sorted(folder.iterdir()) if (case := _case(path)) is not None]


def _case(folder: Path) -> Case | None:
    inputs = sorted(p for p in folder.glob("input.*") if p.is_file()) if folder.is_dir() else []
    if not inputs:
        return None
    return Case(folder.name, folder, inputs[0], _options(folder / "case.yaml"))


CASE_KEYS = ("administration", "opening_balance")


def _options(spec: Path) -> dict[str, str]:
    """A case's command-line values, from its case.yaml (read within a mapping's bounds)."""
    if not spec.exists():
        return {}
    data = load_yaml_file(spec).data or {}
    if not isinstance(data, dict) or set(data) - set(CASE_KEYS):
        raise UserError(tr("{file} is not a case's options", file=display_path(spec)),
                        hint=tr("it holds {keys} only, e.g. administration: 12345678",
                                keys=" and ".join(k + ":" for k in CASE_KEYS)))
    return {k: str(v) for k, v in data.items() if v is not None}


def run_case(case: Case, mapping: Path) -> Outcome:
    approved = {p.name: read_bytes(p, display_path(p)).decode("utf-8", "replace")
                for p in sorted(case.folder.iterdir()) if EXPECTED.match(p.name) and p.is_file()}
    now = made(case, mapping)
    changed = sorted(n for n in approved.keys() | now.keys() if approved.get(n) != now.get(n))
    return Outcome(case, approved, now, changed)


def made(case: Case, mapping: Path) -> dict[str, str]:
    """The files the mapping makes of the case's input now, by name. They are made in
    English whatever language the run speaks: a case approved in one language must not
    change when it is run in the other (a mistake in the command is said in the run's)."""
    try:
        with i18n.speaking("en"):
            return _made(case, mapping)
    except UsageError:
        return _made(case, mapping)  # raises it again, in the run's language


def _made(case: Case, mapping: Path) -> dict[str, str]:
    from yukimap.output import document_texts
    from yukimap.pipeline import convert_file
    from yukimap.schema import apply_options, dry_run_administration, load_mapping

    try:
        loaded = apply_options(load_mapping(mapping), case.options.get("administration"),
                               case.options.get("opening_balance"))
        result = convert_file(case.input, dry_run_administration(loaded))
        texts = document_texts(result)
    except UserError as exc:
        if isinstance(exc, UsageError):
            raise
        return {"expected-error.txt": _error_text(exc, case)}
    names = ["expected"] if len(texts) == 1 else [f"expected-{u.key}" for u in result.units]
    files = {f"{name}{result.extension}": text for name, text in zip(names, texts)}
    summary = format_summary(result.summary, case.input.name, mapping.name, OUTCOME) + "\n"
    if result.warnings:
        summary += "\n" + format_problems(result.warnings) + "\n"
    return files | {"expected-summary.txt": summary}


def _error_text(exc: UserError, case: Case) -> str:
    stream = io.StringIO()
    print_user_error(exc, stream)
    return stream.getvalue().replace(str(case.input), case.input.name)


def approve(outcome: Outcome) -> list[str]:
    """Write the files made now as the approved ones; what changed, for people."""
    said = []
    for name in outcome.changed:
        path = outcome.case.folder / name
        if name not in outcome.now:
            path.unlink()
            said.append(tr("{name} (gone)", name=name))
            continue
        write_atomically(path, outcome.now[name])
        before = outcome.approved.get(name)
        said.append(tr("{name} (new)", name=name) if before is None else
                    f"{name} ({_changed_lines(before, outcome.now[name])})")
    return said


def _changed_lines(before: str, after: str) -> str:
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(),
                                      autojunk=False)
    count = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
                if tag != "equal")
    return plural(count, "1 line changed", "{count} lines changed")


def differences(outcome: Outcome) -> list[str]:
    """Unified diffs of the files that changed, approved against now; long ones cut."""
    lines: list[str] = []
    for name in outcome.changed:
        where = display_path(outcome.case.folder / name)
        before = outcome.approved.get(name, "").splitlines()
        after = outcome.now.get(name, "").splitlines()
        lines += _diff(before, after, where)
    return lines


def _diff(before: list[str], after: list[str], where: str) -> list[str]:
    head = ["--- " + tr("{file} (approved)", file=where), "+++ " + tr("{file} (now)", file=where)]
    if max(len(before), len(after)) > _DIFF_SIZE:
        at = next((n for n, (a, b) in enumerate(zip(before, after)) if a != b),
                  min(len(before), len(after)))
        return head + [tr("(too long to compare line by line: the first difference is on line"
                          " {line})", line=at + 1)]
    body = list(difflib.unified_diff(before, after, lineterm="", n=3))[2:]
    if len(body) > _DIFF_LINES:
        body = body[:_DIFF_LINES] + [plural(len(body) - _DIFF_LINES,
                                            "… and 1 more line of difference",
                                            "… and {count} more lines of difference")]
    return head + body


def add_case(mapping: Path, sample: Path, name: str | None,
             options: dict[str, str]) -> Outcome:
    """A new case from a sample export, approved as the mapping converts it now."""
    check_file(sample, str(sample))
    case_name = name or default_case_name(sample)
    folder = cases_folder(mapping) / case_name
    if folder.exists():
        raise UsageError(tr("{folder} exists already", folder=display_path(folder)),
                         hint=tr("give the case another name: --name NAME"))
    folder.mkdir(parents=True)
    try:
        shutil.copyfile(sample, folder / f"input{sample.suffix.lower()}")
        if options:
            write_atomically(folder / "case.yaml", yaml.safe_dump(options))
        case = _case(folder)
        assert case is not None
        outcome = run_case(case, mapping)
        approve(outcome)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return outcome


def default_case_name(sample: Path) -> str:
    """The case a sample export is added as without --name: its name, file-safe."""
    return _slug(sample.stem)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "case"


def case_files(case: Case) -> Iterable[str]:
    """The files of a case, the input and options first."""
    names = [p.name for p in case.folder.iterdir() if p.is_file()]
    return sorted(names, key=lambda n: (not n.startswith("input."), n != "case.yaml",
                                        n == "expected-summary.txt", n))
