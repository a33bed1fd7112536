"""Every example in docs/ runs: the files it shows are written, the commands it shows are run
and what they print is what the page says, the files they make hold what the page shows.

The pages mark their examples with HTML comments, which a reader of the page does not see:

    <!-- example: NAME -->        a new example, in a folder of its own
    <!-- needs: TABLE.key -->     it needs a key the tables (yukimap/schema/keys.py) do not
                                  have yet: skipped, with the reason, until they have it
    <!-- file: PATH -->           the next block is a file of the example
    <!-- line: PATH -->           the next block is a line of that file, changed: it
                                  replaces the line that starts the same up to its ':'
    <!-- run -->                  the next block is commands ($ ...) and what they print
    <!-- run: exit N -->          ... and they end with exit code N
    <!-- run: part -->            ... and what they print holds these lines, in a row
                                  (the page leaves the rest out)
    <!-- workbook: PATH -->       the next block is the rows of an Excel file, cells split
                                  by ';' (numbers written as numbers)

A command with no lines after it prints what the page does not show: only its exit code is
checked.    <!-- expect: PATH -->         the next block is the whole of a file the commands made
    <!-- expect-part: PATH -->    the next block is a part of it (lines in a row)

A block that follows no marker is an illustration, not run; in the cookbook every `yaml`
block follows one.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from yukimap.schema import keys

DOCS = REPO / "docs"
PAGES = ("tutorial.md", "cookbook.md")
_MARKER = re.compile(
    r"^<!-- (example|needs|file|workbook|line|run|expect|expect-part)(?::\s*(.*?))? -->$")


@dataclass
class Step:
    kind: str
    argument: str
    block: str
    line: int


@dataclass
class Example:
    page: str
    name: str
    line: int
    needs: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)


def examples(page: str) -> list[Example]:
    """The examples of a page, in order."""
    lines = (DOCS / page).read_text(encoding="utf-8").splitlines()
    found: list[Example] = []
    pending: tuple[str, str, int] | None = None
    i = 0
    while i < len(lines):
        marker = _MARKER.match(lines[i].strip())
        if marker:
            kind, argument = marker.group(1), marker.group(2) or ""
            if kind == "example":
                found.append(Example(page, argument, i + 1))
            elif kind == "needs":
                found[-1].needs.append(argument)
            else:
                pending = (kind, argument, i + 1)
        elif lines[i].startswith("```"):
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            if pending is not None:
                found[-1].steps.append(Step(pending[0], pending[1],
                                            "\n".join(lines[i + 1:end]) + "\n", pending[2]))
                pending = None
            i = end
        i += 1
    return found


ALL = [example for page in PAGES for example in examples(page)]


def _missing(needs: list[str]) -> list[str]:
    missing = []
    for need in needs:
        table, key = need.split(".")
        if not any(k.name == key for k in getattr(keys, table, ())):
            missing.append(need)
    return missing


@pytest.mark.parametrize("example", ALL, ids=[f"{e.page}:{e.name}" for e in ALL])
def test_the_example_runs_as_the_page_says(example: Example, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    missing = _missing(example.needs)
    if missing:
        pytest.skip(f"{example.page}:{example.line} needs {', '.join(missing)} in"
                    " yukimap/schema/keys.py (issue 12: the language features); it runs once"
                    " the key is there")
    monkeypatch.chdir(tmp_path)
    for step in example.steps:
        where = f"{example.page}:{step.line}"
        if step.kind == "file":
            (tmp_path / step.argument).write_text(step.block, encoding="utf-8")
        elif step.kind == "workbook":
            _workbook(tmp_path / step.argument, step.block)
        elif step.kind == "line":
            _change_line(tmp_path / step.argument, step.block.rstrip("\n"), where)
        elif step.kind == "run":
            _run(step, where)
        else:
            made = (tmp_path / step.argument).read_text(encoding="utf-8")
            if step.kind == "expect":
                assert made == step.block, where
            else:
                assert _part_of(step.block, made), f"{where}: not in {step.argument}:\n{made}"


def _change_line(path: Path, new: str, where: str) -> None:
    start = new.split(":", 1)[0] + ":"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    matching = [i for i, line in enumerate(lines) if line.startswith(start)]
    assert len(matching) == 1, f"{where}: one line of {path.name} starts with {start!r}"
    lines[matching[0]] = new + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def _workbook(path: Path, rows: str) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Verkopen")
    for r, row in enumerate(rows.splitlines()):
        for c, cell in enumerate(row.split(";")):
            if re.fullmatch(r"-?\d+(\.\d+)?", cell):
                sheet.write_number(r, c, float(cell))
            elif cell:
                sheet.write_string(r, c, cell)
    book.close()


def _run(step: Step, where: str) -> None:
    part = step.argument == "part"
    code = 0 if part else int(step.argument.removeprefix("exit").strip() or 0)
    commands = re.split(r"^\$ ", step.block, flags=re.M)[1:]
    assert commands, f"{where}: no $ command"
    for command in commands:
        line, _, expected = command.partition("\n")
        words = shlex.split(line)
        assert words[0] == "yukimap", where
        result = run_cli(*words[1:])
        said = result.stdout + result.stderr
        if part:
            assert _part_of(expected, said), f"{where}: $ {line}\n{said}"
        elif expected:
            assert said == expected, f"{where}: $ {line}"
        assert result.code == code, f"{where}: $ {line}\n{said}"


def _part_of(part: str, whole: str) -> bool:
    want, have = part.splitlines(), whole.splitlines()
    return any(have[i:i + len(want)] == want for i in range(len(have) - len(want) + 1))


def test_every_page_has_examples_and_every_yaml_block_of_the_cookbook_is_one() -> None:
    for page in PAGES:
        assert examples(page), page
    lines = (DOCS / "cookbook.md").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("```yaml"):
            assert _MARKER.match(lines[i - 1].strip()), \
                f"cookbook.md:{i + 1}: a yaml block that no test runs"


def test_the_readme_links_to_the_docs() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for page in ("docs/reference.md", "docs/tutorial.md", "docs/cookbook.md", "docs/watch.md"):
        assert f"]({page})" in readme, page
