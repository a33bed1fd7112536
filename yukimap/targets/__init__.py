"""What is particular to each Yuki document, beyond its shape (documents.py).

Each target module offers `rules(mapped, mapping, file) -> problems` (Yuki's rules that an
XSD does not show), `finish(mapped, mapping) -> (mapped, problems)` (what is computed over
a whole document: balancing entries, running balances), `summarize(mapped, summary)` and
`usage(mapped)` (the accounts and VAT codes the documents use, for pre-flight).
All are pure and run before rendering, so problems still know their source rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from yukimap.errors import Problem

if TYPE_CHECKING:
    from yukimap.mapping import Mapped
    from yukimap.preflight import DocumentUsage
    from yukimap.model import Mapping
    from yukimap.summary import Summary


def _no_rules(mapped: Mapped, mapping: Mapping, file: str) -> list[Problem]:
    return []


def _no_finish(mapped: Mapped, mapping: Mapping) -> tuple[Mapped, list[Problem]]:
    return mapped, []


@dataclass(frozen=True)
class Logic:
    rules: Callable[[Mapped, Mapping, str], list[Problem]] = _no_rules
    finish: Callable[[Mapped, Mapping], tuple[Mapped, list[Problem]]] = _no_finish
    summarize: Callable[[Mapped, Summary], None] | None = None
    usage: Callable[[Mapped], DocumentUsage] | None = None


def logic(target: str) -> Logic:
    from yukimap.targets import journal, petty_cash, sales

    modules = {"sales_invoices": sales, "journal": journal, "petty_cash": petty_cash}
    module = modules[target]
    return Logic(module.rules, getattr(module, "finish", _no_finish), module.summarize,
                 module.usage)
