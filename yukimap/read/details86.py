"""The `:86:` text of an MT940 statement line, split into the statement columns.

The SWIFT standard leaves `:86:` free; the Dutch banks fill it in their own ways:
- ING (MT940 Structured): `/EREF/e2e//MARF/mandate//CSID/creditor//CNTP/iban/bic/name/city///
  REMI/USTD//text/` (or `REMI/STRD/CUR/betalingskenmerk/`), `/RTRN/reason/`;
- Rabobank (MT940 Structured): `/EREF/…/BENM//NAME/name/REMI/text/ISDT/date` (money out) or
  `/ORDP//NAME/name/…` (money in); its counter account is on the `:61:` line's next line;
- ABN AMRO (slash form): `/TRTP/SEPA OVERBOEKING/IBAN/iban/BIC/bic/NAME/name/REMI/text/EREF/…`;
- Triodos: `000>10<counter account>>20<text>>21<text>…>31<own account>`: the account,
  and the texts of 20-29 joined;
- ABN AMRO's older form, SNS, Knab: free text, kept whole as the remittance, with
  `IBAN: …`, `REK: …`, `NAAM: …` picked out where the bank writes them.

A value runs from its `/KEY/` to the next known `/KEY/`. The banks wrap `:86:` at 65
characters, in the middle of a word: a full line goes on without a space; after a shorter
line (free text written line by line) a space stands between the lines.
"""

from __future__ import annotations

import re

from yukimap.read.statement import Record

KEYS = ("EREF", "MARF", "CSID", "CNTP", "REMI", "RTRN", "PURP", "PREF", "BENM", "ORDP",
        "NAME", "ADDR", "ISDT", "TRTP", "IBAN", "BIC", "IREF", "ULTC", "ULTD", "ULTB", "EXCH",
        "CHGS", "RTYP", "SVCL")
_KEY = re.compile(r"/(" + "|".join(KEYS) + r")/")
_IBAN = re.compile(r"\b([A-Z]{2}\d{2}[A-Z0-9]{10,30})\b")
_ACCOUNT = re.compile(r"^(?:[A-Z]{2}\d{2}[A-Z0-9]{10,30}|P?\d{6,10})$")
_LABELLED_IBAN = re.compile(r"(?:IBAN|REK)\s*:\s*([A-Z]{2}\d{2}[A-Z0-9]{10,30})")
_LABELLED_NAME = re.compile(r"(?:NAAM|NAME)\s*:\s*(.+?)(?=\s+[A-Z]{3,}\s*:|\s*/|$)")
_LABELLED_BIC = re.compile(r"BIC\s*:\s*([A-Z0-9]{8,11})\b")
LINE = 65  # the width of an MT940 line; a line this long was wrapped mid-word
_SPACES = re.compile(r"\s+")
_NUMBERED = re.compile(r">(\d\d)")  # Triodos


def joined(details: str) -> str:
    """The `:86:` text (without its tag) as one line: a full line goes on without a space
    (structured and numbered text always does), a shorter one with a space."""
    lines = details.replace("\r", "").split("\n")
    if details.lstrip().startswith("/") or re.match(r"\d{3}>", details.lstrip()):
        return "".join(lines).strip()
    text = lines[0]
    for before, line in zip([":86:" + lines[0], *lines[1:]], lines[1:]):
        text += line if len(before) >= LINE else " " + line
    return text.strip()


def split_details(details: str | None, extra: str | None, reference: str | None = None
                  ) -> Record:
    """The columns `:86:` gives, and the `:61:` line's supplementary details and reference."""
    text = joined(details or "")
    found = _structured(text) if text.startswith("/") else None
    if found:
        record = _from_keys(found)
    elif re.match(r"\d{3}>\d\d", text):
        record = _numbered(text)
    else:
        record = _free_text(text)
    for account in ((extra or "").strip().split(" ")[0], (reference or "").strip()):
        # Rabobank: the counter account on the line after the :61: (or, in its old
        # format, as the :61: reference, as SNS has it too)
        if not record.get("CounterpartyIBAN") and _ACCOUNT.match(account):
            record["CounterpartyIBAN"] = account
    record["Information"] = _SPACES.sub(" ", text) or None
    return record


def _structured(text: str) -> dict[str, str] | None:
    matches = list(_KEY.finditer(text))
    if not matches or matches[0].start() != 0:
        return None
    values: dict[str, str] = {}
    for match, following in zip(matches, [*matches[1:], None]):
        end = following.start() if following else len(text)
        value = text[match.end():end]
        values.setdefault(match.group(1), value[:-1] if value.endswith("/") else value)
    return values


def _from_keys(values: dict[str, str]) -> Record:
    iban = bic = name = None
    if "CNTP" in values:  # ING: iban/bic/name/city
        parts = values["CNTP"].split("/")
        iban, bic, name = (_clean(p) for p in (parts + ["", "", ""])[:3])
    remittance = _remittance(values.get("REMI"))
    e2e = _clean(values.get("EREF"))
    return {
        "CounterpartyName": name or _clean(values.get("NAME")),
        "CounterpartyIBAN": iban or _clean(values.get("IBAN")),
        "CounterpartyBIC": bic or _clean(values.get("BIC")),
        "Remittance": remittance,
        "EndToEndId": None if e2e == "NOTPROVIDED" else e2e,
        "MandateId": _clean(values.get("MARF")),
        "CreditorId": _clean(values.get("CSID")),
        "ReturnReason": _clean((values.get("RTRN") or "").split("/")[0]),
    }


def _remittance(value: str | None) -> str | None:
    if value is None:
        return None
    if value.startswith("USTD//"):
        return _clean(value[len("USTD//"):])
    if value.startswith("STRD/"):  # STRD/CUR/1234567890123456: the reference itself
        parts = [p for p in value.split("/") if p]
        return _clean(parts[-1]) if len(parts) > 1 else None
    return _clean(value)


def _numbered(text: str) -> Record:
    pieces = _NUMBERED.split(text)
    fields: dict[str, str] = {}
    for number, value in zip(pieces[1::2], pieces[2::2]):
        fields[number] = fields.get(number, "") + value
    remittance = "".join(fields.get(str(n), "") for n in range(20, 30))
    account = _clean(fields.get("10"))
    return {"CounterpartyIBAN": account if account and _ACCOUNT.match(account) else None,
            "Remittance": _clean(remittance)}


def _free_text(text: str) -> Record:
    iban = _LABELLED_IBAN.search(text)
    name = _LABELLED_NAME.search(text)
    bic = _LABELLED_BIC.search(text)
    return {
        "CounterpartyName": _clean(name.group(1)) if name else None,
        "CounterpartyIBAN": iban.group(1) if iban else None,
        "CounterpartyBIC": bic.group(1) if bic else None,
        "Remittance": _clean(text),
    }


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = _SPACES.sub(" ", value).strip().strip("/").strip()
    return value or None
