"""Streaming XSD validation with lxml (libxml2), fed a document piece by piece.

`python -m yukimap.validate.streaming XSD ROOT` validates what arrives on standard input and
prints one line: "ok", or "invalid<TAB>line<TAB>message". Run as a second process while
the first renders, so rendering and validation use both cores (lxml keeps the GIL while it
parses). `Streaming` is the same validator for use in-process.

Memory stays bounded: after each piece, the root's finished children (the SalesInvoices
or JournalEntries validated so far) are dropped in one go; only the root's own start event
reaches Python, so there is no Python work per element.
"""

from __future__ import annotations

import sys
from functools import cache

from lxml import etree

# The start of the failure of a document without its root, passed between processes and
# recognised by output.py, which words it for people.
NO_ROOT = "the template writes no"  # i18n: a marker between processes (output.py words it)


@cache
def _schema(xsd: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(xsd))


class Streaming:
    """Validate a document fed in pieces; `close()` -> None if valid, else (line, message)."""

    def __init__(self, xsd: str, root: str) -> None:
        self._parser = etree.XMLPullParser(events=("start",), schema=_schema(xsd),
                                           tag=f"{{*}}{root}", resolve_entities=False,
                                           no_network=True, huge_tree=True)
        self._root: etree._Element | None = None
        self._name = root
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
        if self._root is None:  # libxml2 lets some text without any element pass
            return ((self._failure or (1, ""))[0] or 1,
                    f"{NO_ROOT} <{self._name}> element")  # i18n: see NO_ROOT
        return self._failure

    def _drop_done(self) -> None:
        if self._root is None:
            for _, element in self._parser.read_events():
                if isinstance(element, etree._Element):  # a "start" event's, as asked
                    self._root = element
                    break
        elif len(self._root) > 1:
            del self._root[:-1]  # the last child may still be open


def main(argv: list[str]) -> int:
    xsd, root = argv
    check = Streaming(xsd, root)
    stream = sys.stdin.buffer
    while chunk := stream.read(1 << 16):
        check.feed(chunk)
    failure = check.close()
    if failure is None:
        print("ok")
    else:
        line, message = failure
        print(f"invalid\t{line}\t{message}")
    print(f"peak_kb={_peak_kb()}", file=sys.stderr)
    return 0


def _peak_kb() -> int:
    """This process's own peak memory (VmHWM: unlike ru_maxrss, not inherited from the
    parent through fork), for the benchmarks."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
