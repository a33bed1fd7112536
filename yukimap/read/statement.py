"""What the bank statement readers (CAMT.053, MT940) share: the columns every statement
becomes, whatever its format or bank, and the `Table` made of its transactions.

One row per transaction, its row number the line of the file where the transaction starts
(CAMT: its `TxDtls`, or its `Ntry` without details; MT940: its `:61:` line), so a message
points at a line a user finds in a text editor. Every value is text: dates as yyyy-mm-dd,
amounts signed with a decimal point and no thousands separator ("-1234.56"), so one
mapping reads the statements of every bank.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import polars as pl

from yukimap.errors import SourceError, column_letter
from yukimap.frames import ROW, Table
from yukimap.i18n import tr
from yukimap.read.table import check_rows, finish, first_rows, make_table

# The columns of a statement, in order, and what each holds (docs/packs/*.md list them).
# i18n: documentation of the columns (docs/packs/*.md, tests), never shown in a run
COLUMNS: dict[str, str] = {
    "Account": "the statement's own account (IBAN, or the bank's account number)",
    "Currency": "the account's currency, e.g. EUR",
    "StatementId": "the statement's identification (CAMT Stmt/Id; MT940 :20:)",
    "StatementNumber": "the statement's sequence number (CAMT ElctrncSeqNb/LglSeqNb;"
                       " MT940 :28C:)",
    "BookingDate": "the date the bank booked the transaction, yyyy-mm-dd",
    "ValueDate": "the value (interest) date, yyyy-mm-dd",
    "Amount": "the amount with its sign: negative when money left the account, e.g. -12.50",
    "CreditDebit": "C when money came in, D when it went out (reversals included)",
    "CounterpartyName": "the other party's name",
    "CounterpartyIBAN": "the other party's account (IBAN, or as the bank gives it)",
    "CounterpartyBIC": "the other party's bank (BIC)",
    "Remittance": "the payment's description (unstructured lines joined, or the structured"
                  " reference such as the Dutch betalingskenmerk)",
    "EndToEndId": "the payer's end-to-end reference",
    "MandateId": "the direct debit mandate",
    "CreditorId": "the direct debit creditor's identification (incassant ID)",
    "ReturnReason": "the reason code of a returned payment, e.g. MD06",
    "BankReference": "the bank's own reference of the entry",
    "TransactionCode": "the bank's transaction code (CAMT Domn/Fmly/SubFmly, e.g."
                       " PMNT/RCDT/ESCT; MT940 the :61: type, e.g. NTRF)",
    "Information": "the entry's free text (CAMT AddtlNtryInf; MT940 the whole :86: text)",
    "OpeningBalance": "the statement's opening balance, signed",
    "ClosingBalance": "the statement's closing balance, signed",
}

Record = dict[str, str | None]


CENTS = Decimal("0.01")


def amount_text(value: Decimal) -> str:
    """An amount as every statement column writes it, with cents at least: "-1234.56",
    "500.00" (Knab writes 500), "0.00"."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        value = value.quantize(CENTS)
    return f"{value:f}" if value != 0 else f"{abs(value):f}"


def statement_table(records: Sequence[tuple[int, Record]], name: str, kind: str) -> Table:
    """The table of a statement's transactions, each record with its line in the file."""
    if not records:
        raise SourceError(tr("{name} is a {kind} file without any transactions", name=name,
                             kind=kind),
                          hint=tr("export the statement again, for a period with transactions"))
    check_rows(len(records), name)
    names = list(COLUMNS)
    letters = [column_letter(i) for i in range(len(names))]
    data: dict[str, list[str | None]] = {
        f"_{i}": [record.get(column) for _, record in records]
        for i, column in enumerate(names)}
    raw = pl.DataFrame({**data, ROW: [line for line, _ in records]},
                       schema={**{key: pl.String for key in data}, ROW: pl.Int64})
    frame = finish(raw, names, 0)
    preview = first_rows(iter([names, *([r.get(c) for c in names] for _, r in records)]))
    return make_table(frame, name, names, letters, 1, preview=preview)
