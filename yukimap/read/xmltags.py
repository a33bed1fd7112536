"""Tags of an XML part found in a stream, with regular expressions rather than a parser (a
parser would hold what a hostile part declares): whole tags fed on, and their attributes
as calamine (quick-xml) reads them."""

from __future__ import annotations

import html
import re


class Tokens:
    """Feeds whole tags to `handle`: a chunk is cut before its last `<`, and the rest is
    carried to the next one."""

    def __init__(self) -> None:
        self.carry = b""

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk
        cut = data.rfind(b"<")
        self.carry, data = (data[cut:], data[:cut]) if cut >= 0 else (b"", data)
        self.handle(data)

    def handle(self, data: bytes) -> None:
        raise NotImplementedError


# A start tag whose attribute values may hold ">": quick-xml reads them so, and so must we.
TAG_BODY = rb"((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
PREFIX = rb"(?:[\w.-]+:)?"
_ATTRIBUTE = re.compile(rb"\s(" + PREFIX + rb"[\w.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def tag_attributes(body: bytes) -> dict[bytes, bytes]:
    """Attributes by local name; with a repeated name the largest value counts (calamine
    might take either)."""
    found: dict[bytes, bytes] = {}
    for key, double, single in _ATTRIBUTE.findall(body):
        local = key.rsplit(b":", 1)[-1]
        value = double or single
        old = found.get(local)
        found[local] = value if old is None else max(old, value, key=lambda v: (len(v), v))
    return found


def attribute_text(value: bytes) -> str:
    """An attribute's text as calamine gives it: "R&amp;D" is the sheet R&D."""
    return html.unescape(value.decode("utf-8", "replace"))
