"""yukimap test MAPPING [--update] [--add SAMPLE [--name NAME] [-a ID] [--opening-balance X]]"""

from __future__ import annotations

from pathlib import Path

import click

from yukimap.errors import UsageError, UserError


def run(mapping: str, update: bool = False, add: Path | None = None, name: str | None = None,
        administration: str | None = None, opening_balance: str | None = None) -> int:
    from yukimap.schema import resolve_mapping_path

    path = resolve_mapping_path(mapping)
    options = {k: v for k, v in (("administration", administration),
                                 ("opening_balance", opening_balance)) if v is not None}
    if add is None and (name or options):
        raise UsageError("--name, -a and --opening-balance go with --add: they make a case")
    if (add is not None or update) and not Path(mapping).exists():
        raise UsageError(f"{mapping} is a mapping that ships with yukimap: its tests would go"
                         " into yukimap's own folder",
                         hint=f"copy it and test the copy: cp {path} {path.name}")
    if add is not None:
        return _add(path, mapping, add, name, options)
    return _run_all(path, mapping, update)


def _add(path: Path, mapping: str, sample: Path, name: str | None,
         options: dict[str, str]) -> int:
    from yukimap.grouping import display_path
    from yukimap.snapshots import add_case, case_files

    outcome = add_case(path, sample, name, options)
    case = outcome.case
    made = [n for n in case_files(case) if n.startswith("expected")]
    click.echo(f"added the case {case.name}: {display_path(case.folder)}/"
               f" ({', '.join(case_files(case))})")
    click.echo(f"it holds what {mapping} makes of {sample.name} now: read"
               f" {' and '.join([', '.join(made[:-1]), made[-1]] if len(made) > 1 else made)},"
               " and if they are right, commit the folder")
    return 0


def _run_all(path: Path, mapping: str, update: bool) -> int:
    from yukimap.grouping import display_path
    from yukimap.snapshots import approve, cases_folder, differences, find_cases, run_case

    cases = find_cases(path)
    if not cases:
        folder = display_path(cases_folder(path))
        raise UserError(f"{mapping} has no test cases yet: a case is a folder in {folder}/ with"
                        " an input file and the output it should give",
                        hint=f"add one from a sample export: yukimap test {mapping} --add SAMPLE")
    outcomes = [run_case(case, path) for case in cases]
    changed = [o for o in outcomes if not o.ok]
    count = f"{len(cases)} case{'s' if len(cases) != 1 else ''}"
    for outcome in outcomes:
        if update and not outcome.ok:
            click.echo(f"approved {outcome.case.name}: {', '.join(approve(outcome))}")
        elif not update:
            mark = "ok" if outcome.ok else "NEW" if outcome.new else "CHANGED"
            click.echo(f"{mark:<8} {outcome.case.name}")
            for line in differences(outcome):
                click.echo(line)
    if update:
        click.echo(f"{len(changed)} of {count} approved anew" if changed
                   else f"{count}, all as approved: nothing to approve")
        return 0
    if not changed:
        click.echo(f"{count}, all as approved")
        return 0
    click.echo(f"{len(changed)} of {count} changed: if the new output is what you meant,"
               f" approve it: yukimap test {mapping} --update")
    return 1
