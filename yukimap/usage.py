"""What documents use in an administration: the GL accounts, VAT types and cash account.

The target rules say it for their documents (targets/); pre-flight (preflight.py) checks it
against the administration before anything is sent.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from yukimap.errors import NotInSlices


@dataclass(frozen=True)
class DocumentUsage:
    """What one document (or a batch) uses in the administration.

    The collections may be mappings from each code (or pair) to the spreadsheet rows that
    use it; the problems then name those rows.
    """

    gl_accounts: AbstractSet[str] | Mapping[str, tuple[int, ...]] = field(
        default_factory=frozenset)
    vat_pairs: AbstractSet[tuple[int, Decimal]] | Mapping[tuple[int, Decimal],
                                                          tuple[int, ...]] = field(
        default_factory=frozenset)
    petty_cash_account: str | None = None
    petty_cash_rows: tuple[int, ...] = ()


class Gathered:
    """What a big file's slices use, added up slice by slice (`add`): each code with the
    rows that use it in file order, packed (a million rows' numbers in 8 MB, not 36)."""

    def __init__(self) -> None:
        self._rows: dict[str, dict[Any, array[int]]] = {}

    def clear(self) -> None:
        """A reading of the file begins (again)."""
        self._rows = {}

    def add(self, usage: DocumentUsage) -> None:
        if usage.petty_cash_account is not None:  # a cash statement is converted whole
            raise NotInSlices("petty-cash")
        for name in ("gl_accounts", "vat_pairs"):
            used = getattr(usage, name)
            rows = self._rows.setdefault(name, {})
            for code in used:  # (codes without their rows: none to name, as whole)
                rows.setdefault(code, array("q")).extend(
                    used[code] if isinstance(used, Mapping) else ())

    def usage(self) -> DocumentUsage:
        return DocumentUsage(_Rows(self._rows.get("gl_accounts", {})),
                             _Rows(self._rows.get("vat_pairs", {})))


class _Rows(Mapping[Any, tuple[int, ...]]):
    """Each code with the rows that use it, packed; a tuple when asked."""

    def __init__(self, rows: dict[Any, array[int]]) -> None:
        self._rows = rows

    def __getitem__(self, key: Any) -> tuple[int, ...]:
        return tuple(self._rows[key])

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)
