"""The administration a send run goes to: by ID, or by Chamber of Commerce number or name
(looked up once, then remembered in the journal, so later runs make no call for it)."""

from __future__ import annotations

from collections.abc import Callable

from yukimap.client import is_guid
from yukimap.errors import SettingsError
from yukimap.i18n import tr
from yukimap.sendlog import SendLog

# A dry run calls nothing, so an administration named for the first time stays unresolved.
UNRESOLVED = "00000000-0000-0000-0000-000000000000"


def choose(wanted: str | None, journal: SendLog, base_url: str,
           resolve: Callable[[str], str] | None) -> tuple[str, str]:
    """The administration's ID and what it was given by. `resolve` looks a Chamber of
    Commerce number or a name up in Yuki; None (a dry run calls nothing): one not known here
    yet stays UNRESOLVED."""
    if not wanted:
        raise SettingsError(tr("no Yuki administration is chosen"),
                            hint=tr("give one by name or ID (--administration), or set"
                                    " YUKI_ADMINISTRATION; `yukimap administrations` lists"
                                    " them"))
    if is_guid(wanted):
        return wanted.strip("{}"), wanted
    known = journal.administration_id(base_url, wanted)
    if known is None and resolve is not None:
        known = resolve(wanted)
        journal.remember_administration(base_url, wanted, known)
    return known or UNRESOLVED, wanted
