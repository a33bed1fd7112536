"""A CAMT.053 bank statement (ISO 20022 XML, camt.053.001.02 and .001.08) into the
statement table (`statement`): parsed by lxml without entities, DTDs or the network,
validated against its ISO XSD (shipped in yukimap/schemas/camt/), one row per transaction.

An entry (`Ntry`) is one row, or one row per `TxDtls` when it is a batch whose
transactions each carry their amount and add up to the entry's; its counterparty is the
debtor when money came in and the creditor when it went out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, cast

from lxml import etree

from yukimap.errors import Problem, SourceError, Where
from yukimap.frames import Table
from yukimap.i18n import N_, tr
from yukimap.read.files import read_bytes
from yukimap.read.statement import Record, amount_text, statement_table
from yukimap.resources import schema_path

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."
VERSIONS = ("02", "08")  # the versions whose XSD yukimap ships
_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
MAX_XSD_PROBLEMS = 20
_HINT = N_("export the statement from your bank again as CAMT.053; if it stays, tell your"
           " bank")


def camt_version(head: bytes) -> str | None:
    """The camt.053 version ("02") named in the first bytes of a file, or None."""
    found = re.search(rb"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d\d)", head)
    return found.group(1).decode() if found else None


def read_camt(path: Path, name: str) -> Table:
    content = read_bytes(path, name)
    root = _parse(content, name)
    version = _version(root, name)
    _validate(root, version, name)
    ns = {"c": NAMESPACE + version}
    records: list[tuple[int, Record]] = []
    for statement in root.iterfind("c:BkToCstmrStmt/c:Stmt", ns):
        records += _Statement(statement, ns).records()
    return statement_table(records, name, "CAMT.053")


def _parse(content: bytes, name: str) -> etree._Element:
    if _DECLARATION.search(content[:4096]):
        raise SourceError(tr("{name} declares a DOCTYPE or entities, which a CAMT.053 statement"
                             " never does; yukimap does not read it", name=name), hint=tr(_HINT))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        return etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise SourceError(tr("{name} is not well-formed XML at line {line}: {reason}",
                             name=name, line=line, reason=exc.msg),
                          hint=tr("the file may be incomplete or damaged; export the statement"
                                  " from your bank again as CAMT.053; if it stays, tell your"
                                  " bank"),
                          problems=[Problem(tr("not well-formed XML"),
                                            Where(file=name, rows=(line,)),
                                            value=str(exc.msg))]) from None


def _version(root: etree._Element, name: str) -> str:
    tag = etree.QName(root)
    namespace = tag.namespace or ""
    if not namespace.startswith(NAMESPACE) or tag.localname != "Document":
        raise SourceError(
            tr("{name} is XML but not a CAMT.053 statement (its root is {root} in {namespace})",
               name=name, root=repr(tag.localname),
               namespace=repr(namespace) if namespace else tr("no namespace")),
            hint=tr("export the statement as CAMT.053, or set format: under source: to what the"
                    " file is"))
    version = namespace[len(NAMESPACE):]
    if version not in VERSIONS:
        shown = " and ".join(f"camt.053.001.{v}" for v in VERSIONS)
        raise SourceError(tr("{name} is camt.053.001.{version}; yukimap reads {shown}",
                             name=name, version=version, shown=shown),
                          hint=tr("ask your bank for camt.053.001.02 (the Dutch banks' standard)"
                                  " or .001.08"))
    return version


@cache
def _schema(version: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schema_path(f"camt/camt.053.001.{version}.xsd"))))


def _validate(root: etree._Element, version: str, name: str) -> None:
    schema = _schema(version)
    if schema.validate(root):
        return
    errors = list(cast("Iterable[etree._LogEntry]", schema.error_log))
    problems = [Problem(tr("not as the CAMT.053 XSD says"), Where(file=name, rows=(e.line,)),
                        value=_xsd_message(e.message))
                for e in errors[:MAX_XSD_PROBLEMS]]
    first = errors[0]
    if len(errors) > 1:
        message = tr("{name} is not a valid camt.053.001.{version} statement: line {line}:"
                     " {reason} (and {more} more)", name=name, version=version, line=first.line,
                     reason=_xsd_message(first.message), more=len(errors) - 1)
    else:
        message = tr("{name} is not a valid camt.053.001.{version} statement: line {line}:"
                     " {reason}", name=name, version=version, line=first.line,
                     reason=_xsd_message(first.message))
    raise SourceError(message, hint=tr(_HINT), problems=problems)


def _xsd_message(message: str) -> str:
    """lxml's message without the namespace in braces on every element."""
    return re.sub(r"\{urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d\d\}", "", message)


class _Statement:
    """One `Stmt`: what each of its rows repeats, and its entries."""

    def __init__(self, element: etree._Element, ns: dict[str, str]) -> None:
        self.element, self.ns = element, ns
        self.common: Record = {
            "Account": self.text(element, "Acct/Id/IBAN") or self.text(element,
                                                                      "Acct/Id/Othr/Id"),
            "StatementId": self.text(element, "Id"),
            "StatementNumber": (self.text(element, "LglSeqNb")
                                or self.text(element, "ElctrncSeqNb")),
            "OpeningBalance": self.balance(("OPBD", "PRCD")),
            "ClosingBalance": self.balance(("CLBD",)),
        }
        self.currency = self.text(element, "Acct/Ccy")

    def find(self, element: etree._Element, path: str) -> list[etree._Element]:
        return list(element.iterfind("/".join(f"c:{step}" for step in path.split("/")),
                                     self.ns))

    def text(self, element: etree._Element, path: str) -> str | None:
        for found in self.find(element, path):
            if found.text and found.text.strip():
                return found.text.strip()
        return None

    def signed(self, element: etree._Element, amount_path: str, sign_path: str,
               sign: str | None = None) -> Decimal | None:
        amount = self.text(element, amount_path)
        if amount is None:
            return None
        debit = (self.text(element, sign_path) or sign) == "DBIT"
        return -Decimal(amount) if debit else Decimal(amount)

    def balance(self, codes: tuple[str, ...]) -> str | None:
        for code in codes:
            for balance in self.find(self.element, "Bal"):
                if self.text(balance, "Tp/CdOrPrtry/Cd") == code:
                    value = self.signed(balance, "Amt", "CdtDbtInd")
                    return None if value is None else amount_text(value)
        return None

    def records(self) -> list[tuple[int, Record]]:
        found: list[tuple[int, Record]] = []
        for entry in self.find(self.element, "Ntry"):
            found += self.entry(entry)
        return found

    def entry(self, entry: etree._Element) -> list[tuple[int, Record]]:
        sign = self.text(entry, "CdtDbtInd")
        amount = self.signed(entry, "Amt", "CdtDbtInd") or Decimal(0)
        common: Record = {
            **self.common,
            "Currency": _attribute(self.find(entry, "Amt"), "Ccy") or self.currency,
            "BookingDate": self.date(entry, "BookgDt"),
            "ValueDate": self.date(entry, "ValDt"),
            "BankReference": self.text(entry, "AcctSvcrRef") or self.text(entry, "NtryRef"),
            "TransactionCode": self.code(entry),
            "Information": self.text(entry, "AddtlNtryInf"),
        }
        details = self.find(entry, "NtryDtls/TxDtls")
        line = _line(entry)
        if len(details) > 1:
            amounts = [self.signed(d, "AmtDtls/TxAmt/Amt", "CdtDbtInd", sign)
                       if self.text(d, "AmtDtls/TxAmt/Amt")
                       else self.signed(d, "Amt", "CdtDbtInd", sign) for d in details]
            if all(a is not None for a in amounts) and sum(a or 0 for a in amounts) == amount:
                return [(_line(d) or line,
                         {**common, **self.details(d, a or Decimal(0))})
                        for d, a in zip(details, amounts)]
            texts = [t for d in details if (t := self.remittance(d))]
            return [(line, {**common, **_money(amount),
                            "Remittance": " ".join(texts) or None})]
        own = self.details(details[0], amount) if details else _money(amount)
        return [(line, {**common, **own})]

    def details(self, tx: etree._Element, amount: Decimal) -> Record:
        other = "Dbtr" if amount >= 0 else "Cdtr"
        if self.party(tx, other) == (None, None) and self.text(tx, "RtrInf/Rsn/Cd"):
            # a returned payment names the original parties: the other side is the one
            # that is not this account
            other = "Cdtr" if other == "Dbtr" else "Dbtr"
        name, iban = self.party(tx, other)
        e2e = self.text(tx, "Refs/EndToEndId")
        return {
            **_money(amount),
            "CounterpartyName": name,
            "CounterpartyIBAN": iban,
            "CounterpartyBIC": (self.text(tx, f"RltdAgts/{other}Agt/FinInstnId/BIC")
                                or self.text(tx, f"RltdAgts/{other}Agt/FinInstnId/BICFI")),
            "Remittance": self.remittance(tx),
            "EndToEndId": None if e2e == "NOTPROVIDED" else e2e,
            "MandateId": self.text(tx, "Refs/MndtId"),
            "CreditorId": (self.text(tx, "RltdPties/Cdtr/Id/PrvtId/Othr/Id")
                           or self.text(tx, "RltdPties/Cdtr/Pty/Id/PrvtId/Othr/Id")),
            "ReturnReason": self.text(tx, "RtrInf/Rsn/Cd"),
        }

    def party(self, tx: etree._Element, side: str) -> tuple[str | None, str | None]:
        """The name and account of the debtor or creditor (`side`) of a transaction."""
        name = (self.text(tx, f"RltdPties/{side}/Nm") or self.text(tx, f"RltdPties/{side}/Pty/Nm")
                or self.text(tx, f"RltdPties/Ultmt{side}/Nm")
                or self.text(tx, f"RltdPties/Ultmt{side}/Pty/Nm"))
        iban = (self.text(tx, f"RltdPties/{side}Acct/Id/IBAN")
                or self.text(tx, f"RltdPties/{side}Acct/Id/Othr/Id"))
        return name, iban

    def remittance(self, tx: etree._Element) -> str | None:
        lines = [t.text.strip() for t in self.find(tx, "RmtInf/Ustrd") if t.text and t.text.strip()]
        if lines:
            return " ".join(lines)
        refs = [t.text.strip() for t in self.find(tx, "RmtInf/Strd/CdtrRefInf/Ref")
                if t.text and t.text.strip()]
        return " ".join(refs) or None

    def date(self, entry: etree._Element, path: str) -> str | None:
        day = self.text(entry, f"{path}/Dt")
        if day:
            return day
        moment = self.text(entry, f"{path}/DtTm")
        return moment[:10] if moment else None

    def code(self, entry: etree._Element) -> str | None:
        parts = [self.text(entry, f"BkTxCd/Domn/{p}")
                 for p in ("Cd", "Fmly/Cd", "Fmly/SubFmlyCd")]
        if all(parts):
            return "/".join(p for p in parts if p)
        return self.text(entry, "BkTxCd/Prtry/Cd")


def _money(amount: Decimal) -> Record:
    """The amount as the account saw it. A reversal (RvslInd) changes nothing here: its
    CdtDbtInd already says which way the money went (ISO 20022's usage rule)."""
    return {"Amount": amount_text(amount), "CreditDebit": "D" if amount < 0 else "C"}


def _attribute(elements: list[etree._Element], name: str) -> str | None:
    return str(elements[0].get(name)) if elements and elements[0].get(name) else None


def _line(element: Any) -> int:
    """The line of an element in its file (lxml's stubs do not say it is an int)."""
    return int(element.sourceline or 0)
