"""Sales invoices whose call's outcome is unknown, looked up in Yuki by their invoice number.

Found: it arrived (SENT). Not found proves nothing (a paid invoice is no longer
outstanding), so it stays UNKNOWN for a person to decide, and is not looked up again the
same day; all runs of a day share LOOKUPS_PER_DAY lookups. A lookup that cannot reach Yuki
(a TransientError: no connection, a dropped one, no answer within its time limit) ends the
lookups of this run: when Yuki hangs, the rest would each wait their whole time limit for
nothing, so they wait for the next run instead (none of them counts as tried). An answer
that cannot be read (AmbiguousOutcome) ends only that invoice's lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice

from yukimap.budget import yuki_day
from yukimap.errors import AmbiguousOutcome, TransientError
from yukimap.i18n import tr
from yukimap.send.plan import Planned
from yukimap.sendlog import SENT, SendLog
from yukimap.yuki_results import OutstandingItem

LOOKUPS_PER_DAY = 25  # unknown invoices looked up per day (one call each), all runs together

LookUp = Callable[[str], list[OutstandingItem]]  # the open items with this invoice number


def reconcile(log: SendLog, unknown: Iterable[Planned], look_up: LookUp) -> None:
    """Look up each of these invoices (those with an invoice number, not yet tried today)
    within the day's lookups, and record the ones Yuki has as SENT."""
    day = yuki_day().isoformat()
    used, tried = log.lookups(day)
    chosen = ((i, i.entry) for i in unknown if i.reference and i.entry
              and i.entry.id not in tried)
    for item, entry in islice(chosen, max(LOOKUPS_PER_DAY - used, 0)):
        try:
            found = look_up(item.reference or "")
        except TransientError:
            return
        except AmbiguousOutcome:
            continue
        hit = any(f.reference == item.reference for f in found)
        log.looked_up(entry.id, day)
        if hit:
            log.mark(item.run_id, [entry.id], SENT,
                     tr("its call's outcome was unknown; found in Yuki, so it arrived"),
                     yuki_ref=item.reference)
