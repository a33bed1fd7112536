"""An MT940 bank statement (SWIFT customer statement, the Dutch banks' "MT940 Structured")
into the statement table (`statement`), parsed by the `mt-940` package: one row per `:61:`
statement line, numbered by its line in the file, its `:86:` split by `details86`.
Several statements (`:20:` blocks, accounts or days) in one file are read alike.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import mt940

from yukimap.errors import Problem, SourceError, Where
from yukimap.frames import Table
from yukimap.i18n import N_, tr
from yukimap.read.details86 import split_details
from yukimap.read.files import read_bytes
from yukimap.read.statement import Record, amount_text, statement_table

# mt-940 logs every pattern it tries on a line it cannot read; yukimap says it once, itself.
logging.getLogger("mt940").addHandler(logging.NullHandler())
logging.getLogger("mt940").propagate = False

_OPTIONS = mt940.Options(reversal_sign=True, case_insensitive_marks=True,
                         unbounded_details=True, strip_bom=True)
_HINT = N_("export the statement again as MT940 (Structured); if it stays, tell your bank")
# ING's IBAN, Rabobank's old account number, with the currency after it
_IBAN_CURRENCY = re.compile(r"^([A-Z]{2}\d{2}[A-Z0-9]{10,30}?|[\d.]+)([A-Z]{3})$")
_TRCD = re.compile(r"/TRCD/([^/]+)/")


def looks_like_mt940(head: bytes) -> bool:
    """The first bytes of an MT940 file: a SWIFT envelope, ":20:", or Rabobank's ":940:"."""
    start = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    return start.startswith((b":20:", b"{1:", b":940:")) or b"\n:20:" in head[:512]


def read_mt940(path: Path, name: str) -> Table:
    text = _decode(read_bytes(path, name))
    statements = _parse(text, name)
    all_lines = text.split("\n")
    lines = [n for n, line in enumerate(all_lines, 1) if line.startswith(":61:")]
    records: list[tuple[int, Record]] = []
    for statement in statements:
        common = _common(statement.data)
        for transaction in statement:
            line = lines[len(records)] if len(records) < len(lines) else 0
            details = _details(all_lines, line) if line else None
            records.append((line, {**common, **_transaction(transaction.data, details)}))
    if not statements:
        raise SourceError(tr("{name} holds no MT940 statement: no line starts with :20:",
                             name=name),
                          hint=tr("give the MT940 file itself (.sta, .940, .swi), or set"
                                  " format: under source: to what the file is"))
    return statement_table(records, name, "MT940")


def _decode(content: bytes) -> str:
    """SWIFT's character set is ASCII; banks write UTF-8 or Latin-1 beyond it."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _parse(text: str, name: str) -> list[Any]:
    try:
        return list(mt940.parse_statements(text, options=_OPTIONS))
    except (RuntimeError, ValueError, KeyError, IndexError, TypeError) as exc:
        fragment = exc.args[2] if len(exc.args) > 2 and isinstance(exc.args[2], str) else ""
        line = _line_of(text, fragment)
        tag = getattr(exc.args[1], "id", None) if len(exc.args) > 1 else None
        if tag and line:
            message = tr("cannot read {name} as MT940: its :{tag}: field at line {line} is not"
                         " as SWIFT describes it", name=name, tag=tag, line=line)
        elif tag:
            message = tr("cannot read {name} as MT940: its :{tag}: field is not as SWIFT"
                         " describes it", name=name, tag=tag)
        elif line:
            message = tr("cannot read {name} as MT940: a field at line {line} is not as SWIFT"
                         " describes it", name=name, line=line)
        else:
            message = tr("cannot read {name} as MT940: a field is not as SWIFT describes it",
                         name=name)
        raise SourceError(
            message,
            hint=tr(_HINT),
            problems=[Problem(tr("a field that is not as SWIFT describes it"),
                              Where(file=name, rows=(line,) if line else ()),
                              value=fragment.splitlines()[0][:80] if fragment else None)],
        ) from None


def _line_of(text: str, fragment: str) -> int:
    first = fragment.splitlines()[0] if fragment.strip() else ""
    at = text.find(first) if first else -1
    return text.count("\n", 0, at) + 1 if at >= 0 else 0


def _common(data: dict[str, Any]) -> Record:
    account = str(data.get("account_identification") or "").strip()
    own = _IBAN_CURRENCY.match(account)  # NL69INGB0123456789EUR, 1291.99.348EUR
    number = data.get("statement_number")
    sequence = data.get("sequence_number")
    return {
        "Account": own.group(1) if own else account or None,
        "StatementId": data.get("transaction_reference"),
        "StatementNumber": f"{number}/{sequence}" if number and sequence else number,
        "OpeningBalance": _balance(data.get("final_opening_balance")
                                   or data.get("intermediate_opening_balance")),
        "ClosingBalance": _balance(data.get("final_closing_balance")
                                   or data.get("intermediate_closing_balance")),
    }


def _balance(balance: Any) -> str | None:
    return amount_text(balance.amount.amount) if balance is not None else None


_TAG = re.compile(r"^:\d\d[A-Z]?:|^-\}?\s*$|^\{")


def _details(lines: list[str], line: int) -> str | None:
    """The :86: after the :61: on `line` as the file has it (mt-940 strips the spaces at
    the ends of its lines, which are the spaces between words where a line wraps)."""
    at = line  # the line after the :61: (lines are 1-based)
    while at < len(lines) and not _TAG.match(lines[at]):
        at += 1  # the :61: line's supplementary details
    if at >= len(lines) or not lines[at].startswith(":86:"):
        return None
    found = [lines[at][4:]]
    at += 1
    while at < len(lines) and not _TAG.match(lines[at]):
        found.append(lines[at])
        at += 1
    return "\n".join(found)


def _transaction(data: dict[str, Any], details: str | None) -> Record:
    amount = data["amount"].amount
    extra = data.get("extra_details") or ""
    code = data.get("id")
    trcd = _TRCD.search(extra)
    record: Record = {
        "Currency": data["amount"].currency,
        "BookingDate": _day(data.get("entry_date") or data.get("date")),
        "ValueDate": _day(data.get("date")),
        "Amount": amount_text(amount),
        "CreditDebit": "D" if amount < 0 else "C",
        "BankReference": (data.get("bank_reference") or "").strip() or None,
        "TransactionCode": f"{code}/{trcd.group(1)}" if code and trcd else code,
        **split_details(details if details is not None else data.get("transaction_details"),
                        extra, data.get("customer_reference")),
    }
    return record


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
