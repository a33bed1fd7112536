"""What documents use in an administration: the GL accounts, VAT types and cash account.

The target rules say it for their documents (targets/); pre-flight (preflight.py) checks it
against the administration before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import Decimal


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
