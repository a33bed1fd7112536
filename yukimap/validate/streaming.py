"""Streaming XSD validation with lxml (libxml2), fed a document piece by piece.

`python -m yukimap.validate.streaming XSD ROOT` validates what arrives on standard input and
prints one word: "ok" or INVALID. Run as a second process while the first renders, so
rendering and validation use both cores. It checks with libxml2's own streaming validator
(`valid_stream`): the libxml2 inside lxml, with the schema lxml would build, checking the
parser's events without building a tree, in half the time of `Streaming`, which it falls
back to where that validator cannot be reached. It only decides: the process that fed it
words a failure from the written document (`verdict_of_file`), so that what people read
says where and why the same way whichever validator found it.

`Streaming` is the validator for use in-process, fed a document piece by piece (lxml keeps
the GIL while it parses).

Memory stays bounded: `Streaming` drops the root's finished children (the SalesInvoices or
JournalEntries validated so far) after each piece, in one go, and only the root's own start
event reaches Python, so there is no Python work per element; libxml2's own validator keeps
no tree at all.
"""

from __future__ import annotations

import ctypes
import sys
from functools import cache
from typing import Any, cast

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


# What the process answers when the document is invalid.
INVALID = "invalid"


def valid_stream(xsd: str, root: str, fd: int) -> bool | None:
    """Whether the document read from `fd` to its end is valid against `xsd`, checked by
    libxml2's streaming validator (no tree is built); None when that cannot be reached, or
    when the schema lets a document have another root than `root`.

    It is the libxml2 that lxml links in (lxml's wheels for Linux export its functions),
    so it passes only what `Streaming` passes, whose parser plugs the same validator into
    the same parser (it may refuse more: an external entity it does not load). `Streaming`
    also asks for the root by name; this validator takes any global element of the schema
    as the root, so it is used only where `root` is the one.
    """
    engine = _engine()
    if engine is None or not _only_root(xsd, root):
        return None
    parser = engine.xmlSchemaNewParserCtxt(xsd.encode())
    schema = engine.xmlSchemaParse(parser) if parser else None
    engine.xmlSchemaFreeParserCtxt(parser)
    context = engine.xmlSchemaNewValidCtxt(schema) if schema else None
    if not context:
        return None
    # Its messages are not needed (Streaming words a failure): a handler that drops them
    # keeps them off standard error, whose pipe nobody reads until the end.
    engine.xmlSchemaSetValidStructuredErrors(context, _IGNORE, None)
    source = engine.xmlParserInputBufferCreateFd(fd, 0)  # 0: the encoding the text declares
    return bool(source) and engine.xmlSchemaValidateStream(context, source, 0, None, None) == 0


_XS = "{http://www.w3.org/2001/XMLSchema}"


def _only_root(xsd: str, root: str) -> bool:
    """The schema, on its own (no other schema included or imported), declares one global
    element, `root`."""
    top = [child for child in etree.parse(xsd).getroot() if isinstance(child.tag, str)]
    names = [child.get("name") for child in top if child.tag == f"{_XS}element"]
    others = {f"{_XS}{tag}" for tag in ("include", "import", "redefine", "override")}
    return names == [root] and not others & {child.tag for child in top}


_ErrorHandler = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)
_IGNORE = _ErrorHandler(lambda _context, _error: None)


@cache
def _engine() -> Any:
    try:
        engine = ctypes.CDLL(etree.__file__)
        functions = {
            "xmlSchemaNewParserCtxt": ([ctypes.c_char_p], ctypes.c_void_p),
            "xmlSchemaParse": ([ctypes.c_void_p], ctypes.c_void_p),
            "xmlSchemaFreeParserCtxt": ([ctypes.c_void_p], None),
            "xmlSchemaNewValidCtxt": ([ctypes.c_void_p], ctypes.c_void_p),
            "xmlSchemaSetValidStructuredErrors": (
                [ctypes.c_void_p, _ErrorHandler, ctypes.c_void_p], None),
            "xmlParserInputBufferCreateFd": ([ctypes.c_int, ctypes.c_int], ctypes.c_void_p),
            "xmlSchemaValidateStream": ([ctypes.c_void_p] * 2 + [ctypes.c_int]
                                        + [ctypes.c_void_p] * 2, ctypes.c_int),
        }
        for name, (arguments, result) in functions.items():
            function = getattr(engine, name)
            function.argtypes, function.restype = arguments, result
    except (OSError, AttributeError):  # not exported (other platforms' builds)
        return None
    return engine


def main(argv: list[str]) -> int:
    xsd, root = argv
    valid = valid_stream(xsd, root, sys.stdin.fileno())
    if valid is None:  # libxml2's own validator cannot be reached: Streaming decides
        valid = _check(xsd, root, sys.stdin.buffer) is None
    print("ok" if valid else INVALID)
    print(f"peak_kb={_peak_kb()}", file=sys.stderr)
    return 0


def _check(xsd: str, root: str, stream: Any) -> tuple[int, str] | None:
    """`Streaming`'s verdict on what `stream` (binary) holds."""
    check = Streaming(xsd, root)
    while chunk := stream.read(1 << 16):
        check.feed(chunk)
    return check.close()


def verdict_of_file(path: str, xsd: str, root: str) -> tuple[int, str] | None:
    """The verdict people read on a written document (see `verdict`)."""
    with open(path, "rb") as stream:
        return verdict(stream, xsd, root)


def verdict(stream: Any, xsd: str, root: str) -> tuple[int, str] | None:
    """The verdict people read on the document a binary `stream` (seekable) holds:
    `Streaming`'s, or, when the text is no well-formed XML, where and why the parser stopped.
    (With the schema plugged in, lxml loses the parser's own words for that and says "no
    element found", line 0.)"""
    failure = _check(xsd, root, stream)
    if failure is None or failure[1].startswith(NO_ROOT):
        return failure
    stream.seek(0)
    return _syntax_error(stream) or failure


class _Events:
    """A parser target that takes no events: the parser builds nothing and calls nothing."""

    def close(self) -> None:
        return None


def _syntax_error(stream: Any) -> tuple[int, str] | None:
    """Where and why the parser stops in the text `stream` holds, if it does."""
    # lxml calls only the methods a target has; the stubs' protocol asks for all of them.
    events = cast("etree.ParserTarget", _Events())
    parser = etree.XMLParser(target=events, resolve_entities=False, no_network=True,
                             huge_tree=True)
    try:
        while chunk := stream.read(1 << 16):
            parser.feed(chunk)
        parser.close()
    except etree.XMLSyntaxError as exc:
        return exc.lineno or 0, exc.msg
    return None


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
