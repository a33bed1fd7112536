"""Dutch and English: every text a user reads goes through `tr`.

The English text is the template and the key, as with gettext: the code reads as it did,
and the catalogue (`yukimap/locale/nl/*.yaml`, one file per part of the house) gives the
Dutch for each English template. Values go in by name, `tr("row {row}", row=5)`, so a
translation may put them in another order. A template without values is returned as is
(its braces need no escaping); with values it is filled in by `str.format_map`.

`tests/test_i18n.py` reads every `tr`, `plural` and `N_` call in the source and fails when
a template has no Dutch, when the Dutch names other values than the English, when a call
passes other values than its template names, or when the catalogue keeps a text nothing
uses. Templates are literal strings for that reason: a template kept in a constant is
marked with `N_` where it is written and translated with `tr` where it is used (never at
import time: the language is chosen after the modules are imported).

The language: `--lang`, else `YUKIMAP_LANG`, else the locale (`LC_ALL`, `LC_MESSAGES`,
`LANG`: Dutch when it starts with `nl`), else English. A process that starts others passes
it on in YUKIMAP_LANG.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

Language = Literal["en", "nl"]
LANGUAGES: tuple[Language, ...] = ("en", "nl")
CATALOGUES = Path(__file__).parent / "locale"

_language: Language | None = None  # chosen from the environment on first use
_catalogue: dict[str, str] | None = None  # the Dutch, loaded on first use


def tr(template: str, /, **values: object) -> str:
    """`template` in the current language, with `values` filled in by name."""
    return tr_in(language(), template, **values)


def tr_in(lang: Language, template: str, /, **values: object) -> str:
    """`template` in `lang`, with `values` filled in by name."""
    text = template
    if lang == "nl":
        text = _dutch().get(template, "") or _missing(template)
    return text.format_map(values) if values else text


def plural(count: int, one: str, many: str, /, **values: object) -> str:
    """`one` when `count` is 1, else `many` (both languages have these two forms), in the
    current language; `count` is there to fill in as `{count}`."""
    return tr(one if count == 1 else many, count=count, **values)


def _missing(template: str) -> str:
    """A template without Dutch: English rather than nothing, or, where YUKIMAP_I18N_STRICT is
    set (the tests), an error, so that a Dutch run finds what the source scan cannot."""
    if os.environ.get("YUKIMAP_I18N_STRICT"):
        raise KeyError(f"no Dutch for {template!r} in yukimap/locale/nl/")  # i18n: for developers
    return template


def N_(template: str) -> str:  # noqa: N802 (gettext's name for "translated where used")
    """Mark a template kept in a constant, so that the catalogue test finds it."""
    return template


def language() -> Language:
    global _language
    if _language is None:
        _language = choose_language()
    return _language


def set_language(lang: Language) -> None:
    """Speak `lang` from now on, in this process and in the processes it starts (the studio's
    workers, the daemon's): they read YUKIMAP_LANG."""
    global _language
    _language = lang
    os.environ["YUKIMAP_LANG"] = lang


def choose_language(option: str | None = None,
                    environ: Mapping[str, str] | None = None) -> Language:
    """The language a run speaks: `option` (--lang), else YUKIMAP_LANG, else the locale."""
    env = os.environ if environ is None else environ
    for value in (option, env.get("YUKIMAP_LANG"), env.get("LC_ALL"), env.get("LC_MESSAGES"),
                  env.get("LANG")):
        if value:
            return "nl" if value.strip().lower().startswith("nl") else "en"
    return "en"


def catalogue() -> dict[str, str]:
    """The Dutch catalogue: English template -> Dutch template (every file merged)."""
    return dict(_dutch())


def _dutch() -> dict[str, str]:
    global _catalogue
    if _catalogue is None:
        _catalogue = load_catalogue(CATALOGUES / "nl")
    return _catalogue


def load_catalogue(folder: Path) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        merged.update(load_catalogue_file(path))
    return merged


def load_catalogue_file(path: Path) -> dict[str, str]:
    """One file of the catalogue: a YAML mapping of English template to Dutch template."""
    import yaml

    with path.open(encoding="utf-8") as f:
        entries = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    return {str(english): str(dutch) for english, dutch in entries.items()}


@contextmanager
def speaking(lang: Language) -> Iterator[None]:
    """Speak `lang` for a while (e.g. English, for a text that is kept and compared, such as
    a `yukimap test` case, or matched, such as another module's hint), then as before."""
    before, environment = language(), os.environ.get("YUKIMAP_LANG")
    set_language(lang)
    try:
        yield
    finally:
        set_language(before)
        if environment is None:
            os.environ.pop("YUKIMAP_LANG", None)
        else:
            os.environ["YUKIMAP_LANG"] = environment
