"""At start, the state and the folders agree: what a killed run left is taken up again.

- A move recorded but not done is finished (or, done, it is recorded).
- A claimed file that a person took out of processing/ is gone.
- A file in processing/ that the state does not know (a claim not recorded) is recorded.
- The holds on sending that waiting files carry (daily limit, refused key) are restored.
"""

from __future__ import annotations

import json
from pathlib import Path

from yukimap.i18n import tr
from yukimap.watch import fate as fates
from yukimap.watch import files
from yukimap.watch.intake import Intake
from yukimap.watch.landing import Landing
from yukimap.watch.shared import Shared
from yukimap.watch.state import GONE, MOVING, FileRow


def reconcile(shared: Shared, intake: Intake, landing: Landing) -> None:
    """Make the state and the folders agree before anything else runs."""
    state = shared.db()
    known: set[str] = set()
    for row in state.open_files():
        rs = shared.routes.get(row.route)
        path = Path(row.path)
        known.add(str(path))
        if row.state == MOVING:
            _resume_move(shared, landing, row)
        elif rs is None:
            shared.log("file", route=row.route, file=row.name, state=row.state,
                       note=tr("its route is no longer in the config; it stays in"
                               " processing/"))
        elif not path.exists():
            state.update(row.id, state=GONE, reason=tr("taken out of processing/ by a person"))
            shared.log("file", route=row.route, file=row.name, state=GONE)
        elif row.wait == fates.LIMIT and row.until:
            landing.pause(rs.route, row.until, row.reason or tr("daily limit"))
        elif row.wait == fates.KEY and row.until:
            shared.key_hold = (row.until, row.reason or tr("the access key was refused"))
    for rs in shared.routes.values():
        for path in files.data_files(rs.route.folder / files.PROCESSING):
            if str(path) not in known and rs.route.matches(path.name):
                # Claimed by a run that was killed before it recorded the claim.
                intake.record_claim(rs, path, path.name,
                                    note=tr("found in processing/ at start"))
                known.add(str(path))


def _resume_move(shared: Shared, landing: Landing, row: FileRow) -> None:
    detail = json.loads(row.detail or "{}")
    source, target = Path(row.path), Path(detail["dest"])
    if source.exists():
        landing.finish(row, fates.Fate.from_dict(detail["fate"]), target)
    elif target.exists():
        done = shared.db().update(row.id, state=row.target, path=str(target))
        landing.count_final(done)
        shared.log("file", route=row.route, file=row.name, state=row.target, path=target)
    else:
        shared.db().update(row.id, state=GONE, reason=tr("not found at start"))
