"""Values from outside the mapping that fill document fields: the administration (-a, or
the settings), the opening balance; and what the summary says about the administration."""

from __future__ import annotations

import re
import shlex
from dataclasses import replace
from decimal import Decimal

from yukimap.documents import (
    ADMINISTRATION_FIELDS,
    COC_NUMBER,
    GUID,
    NO_ADMINISTRATION,
    administration_problem,
)
from yukimap.errors import UsageError, Where
from yukimap.i18n import tr
from yukimap.model import Column, Constant, FieldSpec, Mapping
from yukimap.values import BadValue, Locale, format_decimal, parse_written_number


def with_header_constants(mapping: Mapping, constants: dict[str, str | None],
                          origin: str) -> Mapping:
    """The mapping with document fields set from outside it (e.g. the command line);
    a None value removes the field. `origin` says where the values came from."""
    header = [s for s in mapping.header if s.path[0] not in constants]
    for name, value in constants.items():
        element = mapping.target.header_element(name)
        if value is None or element is None or element.kind is None:
            continue
        header.append(FieldSpec(path=(name,), kind=element.kind, where=Where(key=origin),
                                source=Constant(value), element=element))
    order = [e.name for e in mapping.target.header]
    header.sort(key=lambda s: order.index(s.path[0]))
    return replace(mapping, header=tuple(header))


def administration_field(given: str) -> str:
    """Which field -a fills: a GUID is an ID, digits a CoC number; anything else is refused
    here, since only Yuki can look up a name (send and check --online do)."""
    if GUID.match(given):
        return "AdministrationID"
    if COC_NUMBER.match(given):
        return "AdministrationCoCNumber"
    meant = ("AdministrationID" if re.fullmatch(r"[0-9a-fA-F{}-]+", given) and "-" in given
             else "AdministrationCoCNumber" if re.fullmatch(r"[\d .]+", given) else None)
    problem = administration_problem(meant, given) if meant is not None else None
    if problem is not None:  # always, for a meant field: the text is not its shape
        cause, hint = problem
        raise UsageError(tr("-a {given} is {cause}", given=repr(given), cause=cause), hint=hint)
    raise UsageError(
        tr("the administration {given} is a name, and only Yuki can look it up",
           given=repr(given)),
        hint=tr("give its ID (a GUID) or its Chamber of Commerce number (`yukimap administrations`"
                "\nlists them), or let send or check --online look the name up:\n"
                "  yukimap send FILE -m MAPPING -a {name}", name=shlex.quote(given)))


def apply_options(mapping: Mapping, administration: str | None,
                  opening_balance: str | None) -> Mapping:
    """Command-line values that fill document fields: -a/--administration, --opening-balance."""
    target = mapping.target
    if administration is not None:
        if not target.administration_in_document:
            raise UsageError(tr("-a goes into the document only for journals; other documents"
                                " are given to an administration when they are sent"),
                             hint="yukimap send FILE -m MAPPING -a ID_OR_NAME")  # i18n: a command
        chosen = administration_field(administration)
        fields = {name: administration if name == chosen else None
                  for name in ADMINISTRATION_FIELDS}
        mapping = with_header_constants(mapping, fields, "-a")
    if opening_balance is not None:
        if target.header_element("OpeningBalance") is None:
            raise UsageError(tr("--opening-balance is for petty cash statements"))
        value = format_decimal(_option_amount("--opening-balance", opening_balance))
        mapping = with_header_constants(mapping, {"OpeningBalance": value}, "--opening-balance")
    return mapping


def dry_run_administration(mapping: Mapping) -> Mapping:
    """A journal that names no administration, for a dry run: rendered with a placeholder ID
    (nothing is written or sent), so that everything else is checked and summed up; the
    summary says that sending needs one (administration_used)."""
    if not mapping.target.administration_in_document or any(
            s.path[0] in ADMINISTRATION_FIELDS for s in mapping.header):
        return mapping
    return with_header_constants(mapping, {"AdministrationID": NO_ADMINISTRATION},
                                 tr("dry run"))


def _option_amount(option: str, text: str) -> Decimal:
    """An amount on the command line, with a dot or a comma (refused only when it reads
    two ways)."""
    try:
        return parse_written_number(text, Locale())
    except BadValue as exc:
        if exc.kind == "number":
            raise UsageError(tr("{option} {text} is not an amount like 1250.00 or 1250,00",
                                option=option, text=repr(text))) from None
        raise UsageError(tr("{option} {text} is {cause}", option=option, text=repr(text),
                            cause=exc.cause), hint=exc.hint) from None


def administration_used(mapping: Mapping, given: str | None, origin: str = "-a") -> str | None:
    """Which administration a journal carries and where it comes from, for the summary;
    `given` is the one from outside the mapping (-a, or the settings: `origin`)."""
    if not mapping.target.administration_in_document:
        return None
    own = next((s for s in mapping.header if s.path[0] in ADMINISTRATION_FIELDS), None)
    if given is not None:
        if own is not None:
            return tr("{given} ({field}, from {origin}; the mapping's {own} is not used)",
                      given=given, field=administration_field(given), origin=origin,
                      own=_described(own))
        return tr("{given} ({field}, from {origin})", given=given,
                  field=administration_field(given), origin=origin)
    if own is None:
        return tr("none given: sending needs one (-a ID_OR_NAME, or AdministrationID under"
                  " journal: in the mapping)")
    if isinstance(own.source, Constant):
        return tr("{value} ({field}, from the mapping)", value=own.source.text, field=own.name)
    return tr("{field} (from the mapping)", field=_described(own))


def _described(spec: FieldSpec) -> str:
    if isinstance(spec.source, Constant):
        return f"{spec.name} {spec.source.text}"
    if isinstance(spec.source, Column):
        return tr("{field} from the column '{column}'", field=spec.name, column=spec.source.name)
    return tr("{field} from an expression", field=spec.name)
