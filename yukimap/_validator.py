"""Streaming XSD validation with lxml (libxml2), fed a document piece by piece.

`python -m yukimap._validator XSD ELEMENT` validates what arrives on standard input and
prints one line: "ok", or "invalid<TAB>line<TAB>message". Run as a second process while
the first renders, so rendering and validation use both cores (lxml keeps the GIL while it
parses). `Streaming` is the same validator for use in-process.

Memory stays bounded: each finished ELEMENT (a SalesInvoice, a JournalEntry) is cleared
and dropped as soon as it has been validated.
"""

from __future__ import annotations

import sys
from functools import cache
from typing import Any

from lxml import etree


@cache
def _schema(xsd: str) -> Any:
    return etree.XMLSchema(etree.parse(xsd))


class Streaming:
    """Validate a document fed in pieces; `close()` -> None if valid, else (line, message)."""

    def __init__(self, xsd: str, element: str) -> None:
        self._parser = etree.XMLPullParser(events=("end",), schema=_schema(xsd),
                                           tag=f"{{*}}{element}", resolve_entities=False,
                                           no_network=True, huge_tree=True)
        self._failure: tuple[int, str] | None = None

    def feed(self, data: bytes | str) -> None:
        if self._failure is not None:
            return
        try:
            self._parser.feed(data)
            self._drop_done()
        except etree.XMLSyntaxError as exc:
            self._failure = (exc.lineno or 0, exc.msg)

    def close(self) -> tuple[int, str] | None:
        if self._failure is None:
            try:
                self._parser.close()
                self._drop_done()
            except etree.XMLSyntaxError as exc:
                self._failure = (exc.lineno or 0, exc.msg)
        return self._failure

    def _drop_done(self) -> None:
        for _, element in self._parser.read_events():
            element.clear()
            parent = element.getparent()
            while element.getprevious() is not None and parent is not None:
                del parent[0]


def main(argv: list[str]) -> int:
    xsd, element = argv
    check = Streaming(xsd, element)
    stream = sys.stdin.buffer
    while chunk := stream.read(1 << 16):
        check.feed(chunk)
    failure = check.close()
    if failure is None:
        print("ok")
    else:
        line, message = failure
        print(f"invalid\t{line}\t{message}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
