"""The mapping file's keys, as data: one table per level of the file, each key with its
check, default and what it means. The order of a table is the order in which its keys are
checked and listed in messages ("allowed here: ...").
"""

from __future__ import annotations

import re
from typing import Any

from yukimap import documents
from yukimap.documents import DocumentType
from yukimap.i18n import N_, tr
from yukimap.model import Balancing
from yukimap.schema.check import (
    INVALID,
    Ctx,
    Key,
    Yaml,
    anything,
    as_text,
    check_map,
    date_formats,
    delimiter,
    flag,
    mark,
    one_of,
    sheet,
    text,
    text_list,
    whole,
)
from yukimap.values import BadValue, Locale, parse_decimal
from yukimap.yamlsrc import KeyPath

SOURCE_KEYS = (
    Key("format", one_of("csv", "excel", "camt053", "mt940"),
        doc="csv, excel, camt053 (ISO 20022 bank statement) or mt940 (SWIFT bank statement);"
            " default: from the file extension (and, for .xml and .txt, its first line)"),
    Key("delimiter", delimiter, doc="column separator; default: sniffed from the header"),
    Key("encoding", text, default="utf-8",
        doc="text encoding, e.g. cp1252 for a CSV Excel saved on Windows; default utf-8"),
    Key("quote", delimiter, default='"',
        doc="quote character around a text that holds the delimiter"),
    Key("sheet", sheet, doc="Excel sheet by name, or by position (1 = first)"),
    Key("header_row", whole(1), default=1,
        doc="row number of the column titles, counted from 1 as Excel does (1: the first row;"
            " title rows above it are skipped)"),
    Key("columns", text_list,
        doc="for a file without a row of column names: a name for each column, in order"
            " (columns: [Datum, Naam, Bedrag]); the first row of the file is then data, row 1"),
    Key("skip_last", whole(0), default=0,
        doc="rows at the end of the file to leave out (totals, a footer)"),
    Key("decimal_mark", mark, doc="'.' or ','; default: read from the file, never guessed"),
    Key("thousands_separator", mark, doc="'.', ',', ' ' or \"'\""),
    Key("date_format", date_formats, default=(), doc="e.g. \"%d-%m-%Y\", or a list"),
    Key("true_values", text_list, doc="words meaning yes"),
    Key("false_values", text_list, doc="words meaning no"),
)

# A column condition has exactly one of these tests (checked by conditions.py).
CONDITION_TESTS = ("equals", "not_equals", "in", "not_in", "matches", "contains",
                   "starts_with", "empty", "not_empty")
_TEST_DOCS = {  # an empty cell: as expr.OPERATORS["empty cells"] says, the same here
    "equals": "the value is this text (never an empty cell)",
    "not_equals": "the value is not this text (an empty cell matches too)",
    "in": "the value is one of these texts (never an empty cell)",
    "not_in": "the value is none of these texts (an empty cell matches too)",
    "matches": "a regular expression (RE2) found anywhere in the value (never an empty cell)",
    "contains": "the value contains this text (case matters unless ignore_case: true; never an"
                " empty cell)",
    "starts_with": "the value starts with this text (never an empty cell)",
    "empty": "write empty: true: the cell is empty",
    "not_empty": "write not_empty: true: the cell is not empty",
}


def condition_keys(ignore_case: bool) -> tuple[Key, ...]:
    """The keys of a condition; text is compared regardless of case by default in rules:
    tables (`ignore_case`), and exactly elsewhere."""
    where = "true in rules:" if ignore_case else "false; true in rules:"
    return (
        Key("column", text, doc="the column to test"),
        *(Key(test, anything, doc=_TEST_DOCS[test]) for test in CONDITION_TESTS),
        Key("any", anything,
            doc="a list of conditions: this condition holds when any one of them does"),
        Key("ignore_case", flag, default=ignore_case,
            doc=f"compare regardless of case (default {where})"),
        Key("expr", text, doc="an expression that is true for the rows meant"),
    )


CONDITION_KEYS = condition_keys(ignore_case=False)
RULE_CONDITION_KEYS = condition_keys(ignore_case=True)

# One rule of a field's rules: table.
RULE_KEYS = (
    Key("when", anything, required=True,
        doc=N_("a condition, or a list of conditions that must all hold (any: for either)")),
    Key("value", anything, required=True,
        doc=N_("the value the field gets when the rule holds")),
)

# The keys of a kind of item (an entry of lines: or entries:) beside its fields.
ITEM_KEYS = (
    Key("when", anything,
        doc="a condition, or a list that must all hold: the rows that make this kind of item"
            " (default: every row)"),
    Key("once", flag, default=False,
        doc="one item per document, from the first of its rows (that when: picks): a"
            " shipping cost or discount that stands on the document's first row"),
    Key("place", one_of("row", "last"), default="row",
        doc="row: items in the order of the rows (and of the kinds of item within a row);"
            " last: after the document's other items"),
)

GROUP_KEYS = (
    Key("column", text, doc="the column whose value identifies a document"),
    Key("expr", text, doc="or an expression giving that value, e.g. date(Boekdatum)"),
    Key("fill_down", flag, default=False, doc="an empty key continues the group above"),
    Key("on_conflict", one_of("error", "first"), default="error",
        doc="rows of one group disagree on a document field: error, or use the first row"),
)

FIELD_KEYS = (
    Key("column", text, doc="read the value from this column"),
    Key("value", anything, doc="a constant value"),
    Key("expr", text, doc="compute the value with an expression"),
    Key("default", anything, doc="used when the cell is empty"),
    Key("required", flag, default=False, doc="an empty value is an error"),
    Key("map", anything, doc="lookup table: value in the file -> value for Yuki"),
    Key("rules", anything,
        doc="a list of rules, each '{when: CONDITION, value: VALUE}': the first that holds"
            " for a row gives the value"),
    Key("fallback", anything,
        doc="for values not in map:, or rows no rule of rules: holds for (default: an error)"),
    Key("ignore_case", flag, default=False, doc="map: match regardless of case"),
    Key("type", one_of("text", "decimal", "integer", "date", "boolean"),
        doc="how to read the value"),
    Key("date_format", date_formats, doc="date format(s) for this field only"),
    Key("decimal_mark", mark, doc="decimal mark for this field only"),
    Key("thousands_separator", mark, doc="thousands separator for this field only"),
    Key("round", whole(0, 6), doc="round half-up to this many decimals"),
    Key("empty", one_of("omit", "clear", "nil"),
        doc="an empty value: omit the element (keep Yuki's value), clear it, or nil"),
    Key("truncate", flag, default=False, doc="cut text at Yuki's limit (with a warning)"),
    Key("debit", text, doc="amounts: column of debit amounts (positive)"),
    Key("credit", text, doc="amounts: column of credit amounts (made negative)"),
    Key("sign", anything,
        doc="amounts: {column: Af Bij, positive: Bij, negative: Af}: an indicator column"),
    Key("negate", flag, default=False, doc="amounts: flip the sign"),
)

SIGN_KEYS = (
    Key("column", text, required=True, doc=N_("the indicator column")),
    Key("positive", text_list, required=True, doc=N_("values meaning a positive amount")),
    Key("negative", text_list, required=True, doc=N_("values meaning a negative amount")),
    Key("ignore_case", flag, default=True, doc="match the values regardless of case"),
)

BALANCING_KEYS = (
    Key("GLAccount", text, required=True, doc=N_("the account of the balancing entry")),
    Key("Description", text, default="Balancing entry (yukimap)",
        doc="the description of the balancing entry"),
    Key("max", anything, required=True,
        doc=N_("the largest difference to balance; larger ones stay an error")),
)

# What a mapping reads, as yukimap mappings groups the shipped ones (in this order).
PACK_KINDS = ("bank", "webshop", "payment-provider", "till", "cash-book", "other")

# The top of a mapping file. The target's own sections (its document and its items) come
# after `source`, its options at the end: see top_keys().
TOP_KEYS = (
    Key("version", whole(1), required=True, doc=N_("the mapping format version: 1")),
    Key("target", one_of(*documents.DOCUMENT_TYPES), required=True,
        doc=N_("what to make: sales_invoices, journal, petty_cash")),  # DOCUMENT_TYPES
    Key("name", text, default="", doc="the mapping's name, shown by yukimap mappings"),
    Key("description", text, default="",
        doc="what the mapping is for; its first line is shown when it has no name"),
    Key("kind", one_of(*PACK_KINDS), default="other",
        doc="which export it reads, to list it by kind in yukimap mappings:"
            f" {', '.join(PACK_KINDS)}"),
    Key("source", anything, default={}, doc="how to read the input file"),
    Key("skip_rows", anything, doc="rows to leave out (any condition matches)"),
    Key("group_by", anything, doc="column whose value makes one document"),
    Key("skip_documents", anything,
        doc="documents to leave out, tested on their first row (any condition matches)"),
    Key("let", anything, doc="named values that expressions can use"),
    Key("template", text, doc="your own Jinja2 template, relative to the mapping"),
    Key("empty_fields", one_of("omit", "clear"), default="omit",
        doc="default for empty values: omit the element, or send it empty"),
)


def top_keys(target: DocumentType) -> tuple[Key, ...]:
    """The keys of a mapping file for this target."""
    # No doc on the item section: a missing required key's doc is its message's hint.
    sections = (Key(target.header_key, anything, default={},
                    doc=f"the fields of each {target.document}"),
                Key(target.item_key, anything, required=True))
    options = tuple(
        Key(option.name, balancing if option.kind == "balancing" else one_of(*option.choices),
            default=option.default, doc=option.doc)
        for option in target.options)
    return TOP_KEYS[:6] + sections + TOP_KEYS[6:] + options


def balancing(value: Yaml, path: KeyPath, ctx: Ctx) -> Any:
    """The journal's balancing: option, checked into a Balancing."""
    raw = check_map(value, path, ctx, BALANCING_KEYS, "balancing")
    if raw is INVALID or INVALID in raw.values():
        return INVALID
    try:
        limit = parse_decimal(as_text(raw["max"]), Locale(decimal_mark="."))
    except BadValue as exc:
        return ctx.fail(path + ("max",), tr("'{value}' is {cause}", value=raw["max"],
                                            cause=exc.cause))
    if not re.fullmatch(r"\d+", raw["GLAccount"]):
        return ctx.fail(path + ("GLAccount",), tr("not a plain account code"),
                        value=raw["GLAccount"], hint=tr("only the account number, e.g. 2000"))
    return Balancing(raw["GLAccount"], raw["Description"], limit)
