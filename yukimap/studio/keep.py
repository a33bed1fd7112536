"""Keep it: the export and what the saved mapping makes of it now, approved as one of the
mapping's snapshot cases (`yukimap test`), as `yukimap test MAPPING --add EXPORT` does.

The case is named after the export. Approving again replaces that case's input with the
export as it is now and approves the output made now (as `yukimap test --update` would for
that one case), so the button always means "this output is right". Runs in the studio's
worker (worker.py) within its time bound; the caller saved the mapping first and checked
every path.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from yukimap.errors import MappingError, UserError
from yukimap.i18n import tr
from yukimap.schema import load_mapping
from yukimap.snapshots import (
    add_case,
    approve,
    case_files,
    cases_folder,
    default_case_name,
    find_cases,
    run_case,
)

Json = dict[str, Any]


def approve_case(file: str, mapping: str, template_ok: bool = True) -> Json:
    """Approve the export `file` as a case of the saved mapping `mapping` (paths relative to
    the worker's folder); the answer names the case, its files and what changed."""
    if not template_ok:
        return {"stage": "refused", "message": tr("the studio reads no template outside its"
                                                  " folders"), "hint": None}
    sample, path = Path(file), Path(mapping)
    name = default_case_name(sample)
    try:
        load_mapping(path)  # a broken mapping is fixed first, never kept as a case's answer
    except MappingError as exc:
        return {"stage": "refused",
                "message": tr("{message}: fix the mapping first", message=exc.message),
                "hint": tr("a case keeps what a working mapping makes of the export")}
    try:
        existing = next((c for c in find_cases(path) if c.name == name), None)
        if existing is None:
            outcome = add_case(path, sample, name, {})
            changed = [tr("{name} (new)", name=n) for n in sorted(outcome.now)]
        else:
            for old in existing.folder.glob("input.*"):
                old.unlink()
            shutil.copyfile(sample, existing.folder / f"input{sample.suffix.lower()}")
            [case] = [c for c in find_cases(path) if c.name == name]
            outcome = run_case(case, path)
            changed = approve(outcome)
    except UserError as exc:
        return {"stage": "refused", "message": exc.message, "hint": exc.hint}
    folder = cases_folder(path) / name
    return {"stage": "ok", "case": name, "folder": folder.as_posix(), "new": existing is None,
            "refused": "expected-error.txt" in outcome.now,
            "files": list(case_files(outcome.case)), "changed": changed,
            "command": f"yukimap test {path.as_posix()}"}

