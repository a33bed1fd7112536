"""The fixes messages offer, written as mapping text a user can copy.

A hint that says "add round: 2" to a field whose price Yuki multiplies by a quantity would
change what is booked without a word; so the hint for too many decimals names every way
out, with the exact mapping text for this mapping's own columns, and says which one changes
the amounts booked. Pure functions of the checked mapping.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Sequence
from decimal import Decimal

from yukimap.expr import FUNCTIONS
from yukimap.i18n import N_, tr
from yukimap.model import (
    Column,
    Constant,
    DebitCredit,
    Expression,
    FieldSpec,
    ItemSpec,
    ValueSource,
)
from yukimap.values import Locale

# Fields whose rounding changes an amount Yuki books (the targets warn with the difference).
BOOKED = frozenset({"Amount", "LineAmount", "LineVATAmount", "ProductQuantity", "SalesPrice"})
_PLAIN_YAML = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ .-]*(?<! )")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}
_SCALES = {
    10: N_("give the price per 10 and the quantity in tens (say so in the Description):"),
    100: N_("give the price per 100 and the quantity in hundreds (say so in the Description):"),
    1000: N_("give the price per 1,000 and the quantity in thousands (say so in the"
             " Description):"),
}
_LINE_AMOUNT = N_("book the exact amount as LineAmount, which Yuki books instead of\nquantity ×"
                  " price (Yuki advises against it: it bypasses its own calculation):")


def yaml_text(text: str) -> str:
    """A text as a YAML scalar: plain where yukimap's loader (which keeps scalars as text
    but true, false and null) reads it back as the same text, else quoted."""
    if _PLAIN_YAML.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def field_text(spec: FieldSpec, source: Locale, **changes: object) -> str:
    """A field as mapping text ({column: Price, round: 2}), with `changes` applied."""
    parts = _source_text(spec.source)
    if spec.sign is not None:
        sign = spec.sign
        parts["sign"] = (f"{{column: {yaml_text(sign.column)},"
                         f" positive: [{_listed(sign.positive)}],"
                         f" negative: [{_listed(sign.negative)}]}}")
    if spec.lookup is not None:
        parts["map"] = "{" + ", ".join(f"{yaml_text(k)}: {yaml_text(v)}"
                                       for k, v in spec.lookup.table.items()) + "}"
        if spec.lookup.ignore_case:
            parts["ignore_case"] = "true"
        if spec.lookup.fallback is not None:
            parts["fallback"] = yaml_text(spec.lookup.fallback)
    if spec.negate:
        parts["negate"] = "true"
    if spec.default is not None:
        parts["default"] = yaml_text(spec.default)
    if spec.required:
        parts["required"] = "true"
    if spec.locale.decimal_mark != source.decimal_mark and spec.locale.decimal_mark:
        parts["decimal_mark"] = json.dumps(spec.locale.decimal_mark)
    parts |= {k: str(v) for k, v in changes.items()}
    return "{" + ", ".join(f"{k}: {v}" for k, v in parts.items()) + "}"


def _source_text(source: ValueSource) -> dict[str, str]:
    if isinstance(source, Column):
        return {"column": yaml_text(source.name)}
    if isinstance(source, Expression):
        return {"expr": json.dumps(source.expr.source, ensure_ascii=False)}
    if isinstance(source, DebitCredit):
        return {k: yaml_text(v) for k, v in (("debit", source.debit), ("credit", source.credit))
                if v is not None}
    if isinstance(source, Constant):
        return {"value": yaml_text(source.text)}
    return {}


def _listed(words: Sequence[str]) -> str:
    return ", ".join(yaml_text(w) for w in words)


def operand(spec: FieldSpec | None, lets: frozenset[str]) -> str | None:
    """The field's value as an expression operand, or None when an expression cannot say
    it simply (a lookup table, a sign column, debit and credit)."""
    if spec is None or spec.lookup is not None or spec.sign is not None or spec.negate:
        return None
    if isinstance(spec.source, Column):
        return column_name(spec.source.name, lets)
    if isinstance(spec.source, Expression):
        return f"({spec.source.expr.source})"
    if isinstance(spec.source, Constant):
        return spec.source.text
    return None


def column_name(column: str, lets: frozenset[str]) -> str:
    """How an expression names a column: bare when it can, else col('...')."""
    if (column.isidentifier() and not keyword.iskeyword(column) and column not in FUNCTIONS
            and column not in lets and column not in ("True", "False", "None")):
        return column
    return f"col({column!r})"


def too_many_decimals(spec: FieldSpec, item: ItemSpec | None, values: Sequence[str],
                      source: Locale, lets: frozenset[str]) -> str:
    """The fix for values with more decimals than Yuki takes in this field."""
    element = spec.element
    assert element is not None and element.decimals is not None
    places = element.decimals
    rounded = f"{element.name}: {field_text(spec, source, round=places)}"
    quantity, price = _sibling(item, "ProductQuantity"), _sibling(item, "Product.SalesPrice")
    if element.name == "SalesPrice":
        return _either(
            tr("Yuki takes at most {places} decimals in SalesPrice (its documentation shows"
               " -68.1525\nrefused) and books quantity × SalesPrice, so a rounded price books"
               " another amount.", places=places),
            [_line_amount(quantity, spec, rounded, lets),
             _scaled_price(quantity, operand(spec, lets), values, lets),
             (tr("round the price and accept the change in the amounts booked (a warning shows"
                 " it):"), [rounded])])
    if element.name == "ProductQuantity":
        return _either(
            tr("Yuki takes at most {places} decimals in ProductQuantity and books quantity ×"
               " SalesPrice,\nso a rounded quantity books another amount.", places=places),
            [_line_amount(spec, price, rounded, lets),
             (tr("round the quantity and accept the change in the amounts booked (a warning"
                 " shows it):"), [rounded])])
    if element.name in BOOKED:
        return tr("Yuki takes at most {places} decimals in {element}; correct the export, or"
                  " round half-up\nand accept the change in the amounts booked (a warning shows"
                  " it):\n  {rounded}", places=places, element=element.name, rounded=rounded)
    return tr("Yuki takes at most {places} decimals in {element}; correct the export, or"
              " round half-up:\n  {rounded}", places=places, element=element.name,
              rounded=rounded)


Route = tuple[str, list[str]]  # what to do, and the mapping lines that do it


def _either(head: str, routes: list[Route | None]) -> str:
    given = [r for r in routes if r is not None]
    lines = [head]
    for index, (intro, texts) in enumerate(given):
        if len(given) == 1:
            intro = tr("Correct the export, or {route}", route=intro)
        elif index == 0:
            intro = tr("Either {route}", route=intro)
        else:
            intro = tr("or {route}", route=intro)
        lines += intro.split("\n") + [f"  {t}" for t in texts]
    return "\n".join(lines)


def _line_amount(quantity: FieldSpec | None, price: FieldSpec | None, rounded: str,
                 lets: frozenset[str]) -> Route | None:
    """LineAmount from the exact quantity and price; the rounded field then books nothing."""
    given = (operand(quantity, lets), operand(price, lets))
    if quantity is None or price is None or None in given:
        return None
    amount = json.dumps(f"round({given[0]} * {given[1]}, 2)", ensure_ascii=False)
    return (tr(_LINE_AMOUNT), [f"LineAmount: {{expr: {amount}}}", rounded])


def _scaled_price(quantity: FieldSpec | None, price: str | None, values: Sequence[str],
                  lets: frozenset[str]) -> Route | None:
    """A price per 10, 100 or 1,000 with the quantity scaled to match, when that brings
    every value within 2 decimals."""
    found = max((len(v.partition(".")[2]) for v in values), default=0)
    factor = 10 ** max(found - 2, 0)
    if price is None or factor not in _SCALES:
        return None
    if quantity is None:  # Yuki's default quantity is 1
        scaled = f"ProductQuantity: {format(Decimal(1) / factor, 'f')}"
    else:
        given = operand(quantity, lets)
        if given is None:
            return None
        scaled = f"ProductQuantity: {{expr: {json.dumps(f'{given} / {factor}')}}}"
    times = json.dumps(f"{price} * {factor}", ensure_ascii=False)
    return (tr(_SCALES[factor]), [f"SalesPrice: {{expr: {times}}}", scaled])


def _sibling(item: ItemSpec | None, name: str) -> FieldSpec | None:
    if item is None:
        return None
    return next((f for f in item.fields if f.name == name), None)
