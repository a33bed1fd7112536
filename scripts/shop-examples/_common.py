"""Small helpers shared by the make_*.py scripts in this folder.

Everything the examples contain is invented: names, e-mail addresses, IBANs, amounts,
order numbers and ids. IBANs are built with correct ISO 13616 check digits; Dutch
account numbers also pass the old "elfproef", so strict validators accept them.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _iban_check(country: str, bban: str) -> str:
    digits = "".join(str(int(c, 36)) for c in (bban + country + "00").upper())
    return f"{98 - int(digits) % 97:02d}"


def iban(country: str, bban: str) -> str:
    """A valid IBAN for `country` and `bban` (check digits computed)."""
    return f"{country}{_iban_check(country, bban)}{bban}"


def nl_account(seed: int) -> str:
    """A 10-digit Dutch account number that passes the elfproef, derived from `seed`."""
    n = 1_000_000_000 + seed % 9_000_000_000
    while True:
        acc = f"{n % 10**10:010d}"
        if acc[0] != "0" and sum(int(d) * w for d, w in zip(acc, range(10, 0, -1))) % 11 == 0:
            return acc
        n += 1


def nl_iban(bank: str, seed: int) -> str:
    return iban("NL", bank + nl_account(seed))


def be_iban(seed: int) -> str:
    """A valid Belgian IBAN (national check: first 10 digits mod 97)."""
    base = seed % 10**10
    chk = base % 97 or 97
    return iban("BE", f"{base:010d}{chk:02d}")


def iban_ok(value: str) -> bool:
    value = value.replace(" ", "")
    digits = "".join(str(int(c, 36)) for c in value[4:] + value[:4])
    return int(digits) % 97 == 1


def money(x) -> Decimal:
    return Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def vat_included(gross, rate) -> Decimal:
    """VAT inside a gross (VAT-inclusive) amount, rounded to cents."""
    gross = Decimal(gross)
    return money(gross * Decimal(rate) / (100 + Decimal(rate)))


def nl_amount(x, thousands: str = ".") -> str:
    """1234.5 -> '1.234,50' (Dutch form); negative keeps a leading minus."""
    return _amount(x, thousands, ",")


def en_amount(x, thousands: str = ",") -> str:
    """1234.5 -> '1,234.50' (English form); negative keeps a leading minus."""
    return _amount(x, thousands, ".")


def _amount(x, thousands: str, mark: str) -> str:
    d = money(x)
    sign = "-" if d < 0 else ""
    whole, frac = f"{abs(d):.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}{thousands.join(groups)}{mark}{frac}"


def write_bytes(name: str, data: bytes) -> Path:
    path = HERE / name
    path.write_bytes(data)
    return path


if __name__ == "__main__":
    for i in (nl_iban("RABO", 1234567), nl_iban("INGB", 7654321), be_iban(539007547)):
        assert iban_ok(i), i
        print(i)
