"""yukimap test MAPPING [--update] [--add SAMPLE [--name NAME] [-a ID] [--opening-balance X]]"""

from __future__ import annotations

from pathlib import Path

import click

from yukimap.errors import UsageError, UserError
from yukimap.i18n import plural, tr


def run(mapping: str, update: bool = False, add: Path | None = None, name: str | None = None,
        administration: str | None = None, opening_balance: str | None = None) -> int:
    from yukimap.schema import resolve_mapping_path

    path = resolve_mapping_path(mapping)
    options = {k: v for k, v in (("administration", administration),
                                 ("opening_balance", opening_balance)) if v is not None}
    if add is None and (name or options):
        raise UsageError(tr("--name, -a and --opening-balance go with --add: they make a case"))
    if (add is not None or update) and not Path(mapping).exists():
        raise UsageError(tr("{mapping} is a mapping that ships with yukimap: its tests would go"
                            " into yukimap's own folder", mapping=mapping),
                         hint=tr("copy it and test the copy: cp {path} {name}", path=path,
                                 name=path.name))
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
    click.echo(tr("added the case {name}: {folder}/ ({files})", name=case.name,
                  folder=display_path(case.folder), files=", ".join(case_files(case))))
    files = (tr("{files} and {last}", files=", ".join(made[:-1]), last=made[-1])
             if len(made) > 1 else " and ".join(made))
    click.echo(tr("it holds what {mapping} makes of {sample} now: read {files}, and if they are"
                  " right, commit the folder", mapping=mapping, sample=sample.name, files=files))
    return 0


def _run_all(path: Path, mapping: str, update: bool) -> int:
    from yukimap.grouping import display_path
    from yukimap.snapshots import approve, cases_folder, differences, find_cases, run_case

    cases = find_cases(path)
    if not cases:
        folder = display_path(cases_folder(path))
        raise UserError(tr("{mapping} has no test cases yet: a case is a folder in {folder}/ with"
                           " an input file and the output it should give", mapping=mapping,
                           folder=folder),
                        hint=tr("add one from a sample export: yukimap test {mapping} --add"
                                " SAMPLE", mapping=mapping))
    outcomes = [run_case(case, path) for case in cases]
    changed = [o for o in outcomes if not o.ok]
    count = plural(len(cases), "1 case", "{count} cases")
    for outcome in outcomes:
        if update and not outcome.ok:
            click.echo(tr("approved {name}: {files}", name=outcome.case.name,
                          files=", ".join(approve(outcome))))
        elif not update:
            mark = tr("ok") if outcome.ok else tr("NEW") if outcome.new else tr("CHANGED")
            click.echo(f"{mark:<8} {outcome.case.name}")
            for line in differences(outcome):
                click.echo(line)
    if update:
        click.echo(tr("{changed} of {cases} approved anew", changed=len(changed), cases=count)
                   if changed else tr("{cases}, all as approved: nothing to approve", cases=count))
        return 0
    if not changed:
        click.echo(tr("{cases}, all as approved", cases=count))
        return 0
    click.echo(tr("{changed} of {cases} changed: if the new output is what you meant, approve it:"
                  " yukimap test {mapping} --update", changed=len(changed), cases=count,
                  mapping=mapping))
    return 1
