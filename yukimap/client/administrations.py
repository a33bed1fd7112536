"""Which administration a person means, among those the access key sees: a GUID is its ID,
digits its Chamber of Commerce number (as for convert and check), anything else its name."""

from __future__ import annotations

from collections.abc import Sequence

from yukimap.documents import COC_NUMBER
from yukimap.errors import SettingsError
from yukimap.i18n import tr
from yukimap.yuki_results import Administration


def chosen(given: str | None, configured: str | None) -> str:
    """The administration asked for (default: the configured one), or the error that none is."""
    wanted = (given or configured or "").strip()
    if not wanted:
        raise SettingsError(tr("no Yuki administration is chosen"),
                            hint=tr("give one by name or ID (--administration), or set"
                                    " YUKI_ADMINISTRATION"))
    return wanted


def find(listed: Sequence[Administration], wanted: str) -> Administration:
    """The administration by ID, by Chamber of Commerce number, or by name (case-insensitive)."""
    if COC_NUMBER.match(wanted):
        return _by_coc_number(listed, wanted)
    for adm in listed:
        if adm.id.lower() == wanted.strip("{}").lower() or adm.name.lower() == wanted.lower():
            return adm
    names = ", ".join(f"{a.name} ({a.id})" for a in listed) or tr("none")
    raise SettingsError(tr("the access key sees no administration {wanted}", wanted=repr(wanted)),
                        hint=tr("administrations this key can see: {names}", names=names))


def _by_coc_number(listed: Sequence[Administration], number: str) -> Administration:
    found = [a for a in listed if a.coc_number.strip() == number]
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(f"{a.name} ({a.id})" for a in found)
        raise SettingsError(tr("the Chamber of Commerce number {number} belongs to"
                               " {count} administrations: {names}",
                               number=number, count=len(found), names=names),
                            hint=tr("give the administration's ID (a GUID) instead"))
    numbers = ", ".join(f"{a.name} ({a.coc_number.strip() or tr('none')})"
                        for a in listed) or tr("none")
    raise SettingsError(tr("the access key sees no administration with Chamber of Commerce"
                           " number {number}", number=number),
                        hint=tr("administrations this key can see, with their Chamber of"
                                " Commerce numbers: {numbers}", numbers=numbers))
