"""How the input file is read (source:), and how its values are written: the locale, which
a field may change for itself."""

from __future__ import annotations

from yukimap.model import Source
from yukimap.schema.check import INVALID, Ctx, Yaml, check_map
from yukimap.schema.keys import SOURCE_KEYS
from yukimap.values import Locale
from yukimap.yamlsrc import KeyPath


def check_source(value: Yaml, path: KeyPath, ctx: Ctx) -> Source | None:
    raw = check_map(value, path, ctx, SOURCE_KEYS, "source")
    if raw is INVALID:
        return None
    locale = check_locale(raw, path, ctx, Locale())
    return Source(
        format=raw["format"], delimiter=raw["delimiter"], encoding=raw["encoding"],
        quote=raw["quote"], sheet=raw["sheet"], header_row=raw["header_row"],
        skip_last=raw["skip_last"], locale=locale,
    )


def check_locale(raw: dict[str, Yaml], path: KeyPath, ctx: Ctx, base: Locale) -> Locale:
    """The locale that checked keys (of source: or of a field) give, over `base`."""
    decimal_mark = raw.get("decimal_mark") or base.decimal_mark
    thousands = raw.get("thousands_separator") or base.thousands_separator
    if decimal_mark and thousands and decimal_mark == thousands:
        ctx.fail(path + ("thousands_separator",),
                 "the thousands separator cannot be the decimal mark too", value=thousands)
    if thousands and not decimal_mark:
        ctx.fail(path + ("thousands_separator",),
                 "a thousands separator needs a decimal_mark too", value=thousands)
    true_words, false_words = raw.get("true_values"), raw.get("false_values")
    return Locale(
        decimal_mark=decimal_mark,
        thousands_separator=thousands,
        date_formats=raw.get("date_format") or base.date_formats,
        true_words=_lower(true_words) if true_words else base.true_words,
        false_words=_lower(false_words) if false_words else base.false_words,
    )


def _lower(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(w.lower() for w in words)
