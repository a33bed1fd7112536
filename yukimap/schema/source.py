"""How the input file is read (source:), and how its values are written: the locale, which
a field may change for itself."""

from __future__ import annotations

from difflib import get_close_matches

from yukimap.errors import Problem
from yukimap.i18n import language, tr
from yukimap.model import Mapping, Source
from yukimap.schema.check import INVALID, Ctx, Yaml, check_map
from yukimap.schema.keys import SOURCE_KEYS
from yukimap.values import Locale
from yukimap.yamlsrc import KeyPath


def check_source(value: Yaml, path: KeyPath, ctx: Ctx) -> Source | None:
    raw = check_map(value, path, ctx, SOURCE_KEYS, "source")  # i18n: the key's name
    if raw is INVALID:
        return None
    locale = check_locale(raw, path, ctx, Locale())
    columns = _columns(raw["columns"], value, path, ctx)
    return Source(
        format=raw["format"], delimiter=raw["delimiter"], encoding=raw["encoding"],
        quote=raw["quote"], sheet=raw["sheet"],
        header_row=0 if columns else raw["header_row"],
        skip_last=raw["skip_last"], locale=locale, columns=columns,
    )


def _columns(names: tuple[str, ...] | None, value: Yaml, path: KeyPath,
             ctx: Ctx) -> tuple[str, ...]:
    """columns: for a file without a header row: a name for each column, each once."""
    if names is None:
        return ()
    where = path + ("columns",)
    seen: dict[str, int] = {}
    for number, name in enumerate(names, start=1):
        if not name.strip():
            ctx.fail(where, tr("the {nth} column has no name in columns:", nth=_nth(number)),
                     hint=tr("give each column a name"))
        elif name in seen:
            ctx.fail(where, tr("'{name}' is named twice in columns: (the {first} and {second}"
                               " column)", name=name, first=_nth(seen[name]),
                               second=_nth(number)),
                     hint=tr("give each column its own name"))
        seen.setdefault(name, number)
    if isinstance(value, dict) and "header_row" in value:
        ctx.fail(path + ("header_row",), tr("header_row: goes with a row of column names; with"
                                            " columns:, the file has none"),
                 hint=tr("remove header_row:; the first row of the file is data"))
    return tuple(name.strip() for name in names)


def _nth(number: int) -> str:
    """1st, 2nd, 3rd; in Dutch 1e, 2e, 3e."""
    if language() == "nl":
        return f"{number}e"
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
        number % 10, "th")
    return f"{number}{suffix}"


def check_named_columns(mapping: Mapping, ctx: Ctx) -> None:
    """A file without a header row: every column the mapping reads is one columns: names,
    said at the place in the mapping that reads it."""
    named = mapping.source.columns
    if not named:
        return
    for name in sorted(mapping.columns - set(named)):
        near = get_close_matches(name, named, n=len(named), cutoff=0.0)
        shown = ", ".join(f"'{c}'" for c in near[:12])
        ctx.problems.append(Problem(
            tr("column '{name}' is not in columns: under source:", name=name),
            mapping.first_use(name),
            hint=tr("the columns named there, nearest first: {columns}; or add it to columns: at"
                    " its place in the file", columns=shown)))


def check_locale(raw: dict[str, Yaml], path: KeyPath, ctx: Ctx, base: Locale) -> Locale:
    """The locale that checked keys (of source: or of a field) give, over `base`."""
    decimal_mark = raw.get("decimal_mark") or base.decimal_mark
    thousands = raw.get("thousands_separator") or base.thousands_separator
    if decimal_mark and thousands and decimal_mark == thousands:
        ctx.fail(path + ("thousands_separator",),
                 tr("the thousands separator cannot be the decimal mark too"), value=thousands)
    if thousands and not decimal_mark:
        ctx.fail(path + ("thousands_separator",),
                 tr("a thousands separator needs a decimal_mark too"), value=thousands)
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
