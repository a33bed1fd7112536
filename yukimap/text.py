"""The one text policy: which characters a Yuki document can carry, and how text is written
into XML and into Yuki's cash CSV.

A document carries every character but the control characters (Unicode category Cc) other
than tab, line feed and carriage return, and the few that XML 1.0 cannot carry at all
(surrogates, U+FFFE, U+FFFF). XML cannot hold most control characters; DEL and the C1
controls it can, but in an export they are damage (often a file read in the wrong encoding),
not data. Such a character is never dropped or replaced silently, which would change what
is booked: the map stage refuses it, located (`forbidden_in`), so `convert` and `send`
refuse alike before anything is sent; the scalar escapers raise `ForbiddenCharacter`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from yukimap.i18n import tr

if TYPE_CHECKING:  # polars is imported by the functions that use it: soap.py needs none of it
    import polars as pl

# (first, last) code points a document cannot carry.
_FORBIDDEN = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F), (0xD800, 0xDFFF),
              (0xFFFE, 0xFFFF))
_PATTERN = re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in _FORBIDDEN) + "]")
# polars (Rust regex) strings are UTF-8, which has no surrogates to look for.
_POLARS_PATTERN = "[" + "".join(f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in _FORBIDDEN
                                if a != 0xD800) + "]"

_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
_TABLE = str.maketrans(dict(_ESCAPES))
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
LINE_BREAK = "&#13;"  # how Yuki's documentation writes a line break in element text
# xml_text's replacements for polars' one pass: CRLF listed before CR, which leftmost
# matching then prefers where both start, as the regex's alternation does.
_POLARS_REPLACED = (("\r\n", LINE_BREAK), ("\r", LINE_BREAK), ("\n", LINE_BREAK), *_ESCAPES)


class ForbiddenCharacter(ValueError):
    """Text holds a character that a Yuki document cannot carry."""

    def __init__(self, char: str) -> None:
        super().__init__(control_cause(char))
        self.char = char


def control_cause(char: str) -> str:
    """Why a text with `char` cannot go into a document, in the user's language."""
    return tr("contains the control character {char}, which a Yuki document cannot carry",
              char=shown(char))


def forbidden(value: str) -> str | None:
    """The first character of `value` that a document cannot carry, or None."""
    found = _PATTERN.search(value)
    return found.group() if found else None


def forbidden_in(series: pl.Series) -> pl.Series:
    """Per value: does it hold a character that a document cannot carry (null: no)."""
    return series.str.contains(_POLARS_PATTERN).fill_null(False)


def any_forbidden(series: pl.Series) -> bool:
    """Does any value hold a character that a document cannot carry (`forbidden_in` for
    the usual answer, no, in one query)."""
    return bool(series.str.contains(_POLARS_PATTERN).any())


# Bytes of UTF-8 text that are no control character (but tab, line feed, carriage return).
_CARRIED_BYTES = bytes(b for b in range(256) if not ((b < 0x20 and b not in (9, 10, 13))
                                                     or b == 0x7F))


def surely_carried(data: bytes) -> bool:
    """Whether UTF-8 `data` surely holds no character a document cannot carry, as a quick
    look at its bytes tells (a big file's slice: a few ms for 4 MB): no control byte, and
    no first byte of the other characters refused (C2: U+0080-U+009F; EF: U+FFFE and
    U+FFFF). False where it may hold one: then each value is looked at (`forbidden_in`)."""
    return not data.translate(None, _CARRIED_BYTES) and b"\xc2" not in data \
        and b"\xef" not in data


def shown(char: str) -> str:
    """A character as people can read it in a message: U+0001."""
    return f"U+{ord(char):04X}"


def allowed(value: str) -> str:
    """`value` itself, or ForbiddenCharacter."""
    char = forbidden(value)
    if char is not None:
        raise ForbiddenCharacter(char)
    return value


def escaped(value: str) -> str:
    """&, < and > as entities, the rest as it is (refused when a document cannot carry it)."""
    return allowed(value).translate(_TABLE)


def xml_text(value: str) -> str:
    """Element text of a document: escaped, each line break as &#13;, as Yuki documents it."""
    text = escaped(value)
    if "\n" in text or "\r" in text:
        text = _LINE_BREAK.sub(LINE_BREAK, text)
    return text


def xml_text_expr(column: pl.Expr) -> pl.Expr:
    """`xml_text` for a whole column at once. It cannot raise per value: the map stage has
    refused what a document cannot carry (and the validator would refuse it again)."""
    return column.str.replace_many([old for old, _ in _POLARS_REPLACED],
                                   [new for _, new in _POLARS_REPLACED], leftmost=True)


def csv_field(value: str, separator: str = ";") -> str:
    """A field of Yuki's cash CSV: quoted only when it holds the separator, a quote or a
    line break."""
    text = allowed(value)
    if separator in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def removal_hint(char: str, column: str | None, computed: bool) -> str:
    """How to get rid of `char`: in the export, or with the mapping's replace(). The C1
    controls (U+0080-U+009F) are what a file read in the wrong 8-bit encoding shows where
    cp1252 has its signs (€, ‘, ”), so that cause is named first."""
    if 0x80 <= ord(char) <= 0x9F:
        return tr("this is what a file read as latin-1 shows where cp1252 has signs such as €:"
                  " set encoding: cp1252 under source: (or the file's own encoding)")
    code = f"'\\\\x{ord(char):02x}'" if ord(char) < 0x100 else f"'\\\\u{ord(char):04x}'"
    if column is not None:
        source = column if column.isidentifier() else f"col('{column}')"
        return tr("remove it from the export, or let the mapping drop it:"
                  " expr: \"replace({source}, {code}, '')\"", source=source, code=code)
    if computed:
        return tr("remove it from the export, or wrap the expression: replace(..., {code}, '')",
                  code=code)
    return tr("remove it from the value in the mapping")
