"""Which administration a person means, among those the access key sees."""

from __future__ import annotations

from collections.abc import Sequence

from yukimap.errors import SettingsError
from yukimap.yuki_results import Administration


def chosen(given: str | None, configured: str | None) -> str:
    """The administration asked for (default: the configured one), or the error that none is."""
    wanted = (given or configured or "").strip()
    if not wanted:
        raise SettingsError("no Yuki administration is chosen",
                            hint="give one by name or ID (--administration), or set"
                            " YUKI_ADMINISTRATION")
    return wanted


def find(listed: Sequence[Administration], wanted: str) -> Administration:
    """The administration by ID or by name (case-insensitive)."""
    for adm in listed:
        if adm.id.lower() == wanted.strip("{}").lower() or adm.name.lower() == wanted.lower():
            return adm
    names = ", ".join(f"{a.name} ({a.id})" for a in listed) or "none"
    raise SettingsError(f"the access key sees no administration {wanted!r}",
                        hint=f"administrations this key can see: {names}")
