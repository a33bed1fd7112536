"""Streaming XSD validation with lxml (libxml2), fed a document piece by piece.

`Streaming` is lxml's validating parser, fed a document piece by piece: its verdict (the
line and the reason) is what people read (`verdict`, `verdict_of_file`). `Pushed` decides
beside the rendering: libxml2's own streaming validator (the libxml2 inside lxml, with the
schema lxml would build), which checks the parser's events without building a tree, in
half the time of `Streaming`, and without Python's lock, so that a thread of the converting
process feeds it while another renders. Where it cannot be reached (lxml's builds for other
platforms), `python -m yukimap.validate.streaming XSD ROOT` decides with `Streaming` in a
second process fed through a pipe (lxml keeps Python's lock while it parses), and prints
one word: "ok" or INVALID. Either only decides: the process that rendered the document
words a failure from the written document, so that what people read says where and why
the same way whichever validator found it.

Memory stays bounded: `Streaming` drops the root's finished children (the SalesInvoices or
JournalEntries validated so far) after each piece, in one go, and only the root's own start
event reaches Python, so there is no Python work per element; libxml2's own validator keeps
no tree at all.
"""

from __future__ import annotations

import ctypes
import io
import os
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


class Pushed:
    """libxml2's own streaming validator (see `pushed`), fed a document piece by piece in
    this process: each piece is parsed and checked while Python's lock is released (ctypes
    releases it around a foreign call), so a thread feeding it runs beside the rendering,
    with no second process and no pipe between them. Made by `pushed`; `close()` says
    whether the document is valid and frees what libxml2 holds for it."""

    def __init__(self, engine: Any, schema: Any, context: Any, parser: Any, plug: Any) -> None:
        self._engine, self._schema, self._context = engine, schema, context
        self._parser, self._plug = parser, plug
        self._failed = False

    def feed(self, data: bytes, start: int = 0, end: int | None = None) -> None:
        """Parse and check `data[start:end]`, read where it lies in `data` (no copy)."""
        if self._failed:
            return
        engine = self._engine
        stop = len(data) if end is None else end
        # the bytes' own buffer (a bytes object's never moves while `data` holds it)
        at = ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p).value
        assert at is not None
        if (engine.xmlParseChunk(self._parser, at + start, stop - start, 0)
                or engine.xmlSchemaIsValid(self._context) != 1):
            # not well-formed or not valid: the rest need not be read (each fault found
            # would call back into Python, which words none of them)
            self._failed = True

    def close(self) -> bool:
        engine = self._engine
        ended = self._failed or engine.xmlParseChunk(self._parser, None, 0, 1) != 0
        valid = not ended and engine.xmlSchemaIsValid(self._context) == 1
        engine.xmlSchemaSAXUnplug(self._plug)
        engine.xmlFreeParserCtxt(self._parser)
        engine.xmlSchemaFreeValidCtxt(self._context)
        engine.xmlSchemaFree(self._schema)
        return valid


class _SAXHandler(ctypes.Structure):
    """libxml2's xmlSAXHandler: no callback (the validator plugs in its own, so nothing is
    built), SAX2's mark, and a handler that drops the parser's messages."""

    _fields_ = [("callbacks", ctypes.c_void_p * 27), ("initialized", ctypes.c_uint),
                ("private", ctypes.c_void_p), ("start_element_ns", ctypes.c_void_p),
                ("end_element_ns", ctypes.c_void_p), ("serror", ctypes.c_void_p)]


_SAX2_MAGIC = 0xDEEDBEAF


def pushed(xsd: str, root: str) -> Pushed | None:
    """A `Pushed` validator for documents of `root` against `xsd`; None where it cannot be
    reached, or would decide with another root.

    It is the libxml2 that lxml links in (lxml's wheels for Linux export its functions),
    so it passes only what `Streaming` passes, whose parser plugs the same validator into
    the same parser (it may refuse more: an external entity it does not load). `Streaming`
    also asks for the root by name; this validator takes any global element of the schema
    as the root, so it is used only where `root` is the one (`reachable`).
    """
    if not reachable(xsd, root):
        return None
    engine = _engine()
    parser = engine.xmlSchemaNewParserCtxt(xsd.encode())
    schema = engine.xmlSchemaParse(parser) if parser else None
    engine.xmlSchemaFreeParserCtxt(parser)
    context = engine.xmlSchemaNewValidCtxt(schema) if schema else None
    if not context:
        if schema:
            engine.xmlSchemaFree(schema)
        return None
    # Its messages are not needed (Streaming words a failure): handlers that drop them.
    engine.xmlSchemaSetValidStructuredErrors(context, _IGNORE, None)
    handler = _SAXHandler(initialized=_SAX2_MAGIC,
                          serror=ctypes.cast(_IGNORE, ctypes.c_void_p).value)
    document = engine.xmlCreatePushParserCtxt(ctypes.byref(handler), None, None, 0, None)
    if not document:
        engine.xmlSchemaFreeValidCtxt(context)
        engine.xmlSchemaFree(schema)
        return None
    # A parser context starts with its SAX handler and the data passed to it: the
    # validator puts itself in between, as xmlSchemaValidateStream does.
    plug = engine.xmlSchemaSAXPlug(context, document, document + ctypes.sizeof(ctypes.c_void_p))
    return Pushed(engine, schema, context, document, plug)


_XS = "{http://www.w3.org/2001/XMLSchema}"


def reachable(xsd: str, root: str) -> bool:
    """libxml2's own validator can be called, and decides documents of `root` by `xsd`."""
    try:
        stat = os.stat(xsd)
    except OSError:  # no schema to decide by: lxml says why
        return False
    return _engine() is not None and _only_root(xsd, root, stat.st_mtime_ns, stat.st_size)


@cache
def _only_root(xsd: str, root: str, _mtime_ns: int, _size: int) -> bool:
    """The schema, on its own (no other schema included or imported), declares one global
    element, `root` (read once per version of the file: every big document asks)."""
    try:
        top = [child for child in etree.parse(xsd).getroot() if isinstance(child.tag, str)]
    except (OSError, etree.XMLSyntaxError):  # no schema to decide by: lxml says why
        return False
    names = [child.get("name") for child in top if child.tag == f"{_XS}element"]
    others = {f"{_XS}{tag}" for tag in ("include", "import", "redefine", "override")}
    return names == [root] and not others & {child.tag for child in top}


_ErrorHandler = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)
_IGNORE = _ErrorHandler(lambda _context, _error: None)


@cache
def _engine() -> Any:
    # The layouts this module relies on (_SAXHandler, a parser context that starts with its
    # handler and its data) are libxml2 2's: another major version is left to lxml.
    if etree.LIBXML_VERSION[0] != 2:
        return None
    try:
        engine = ctypes.CDLL(etree.__file__)
        functions = {
            "xmlSchemaNewParserCtxt": ([ctypes.c_char_p], ctypes.c_void_p),
            "xmlSchemaParse": ([ctypes.c_void_p], ctypes.c_void_p),
            "xmlSchemaFreeParserCtxt": ([ctypes.c_void_p], None),
            "xmlSchemaNewValidCtxt": ([ctypes.c_void_p], ctypes.c_void_p),
            "xmlSchemaSetValidStructuredErrors": (
                [ctypes.c_void_p, _ErrorHandler, ctypes.c_void_p], None),
            "xmlSchemaFreeValidCtxt": ([ctypes.c_void_p], None),
            "xmlSchemaFree": ([ctypes.c_void_p], None),
            "xmlSchemaIsValid": ([ctypes.c_void_p], ctypes.c_int),
            "xmlSchemaSAXPlug": ([ctypes.c_void_p] * 3, ctypes.c_void_p),
            "xmlSchemaSAXUnplug": ([ctypes.c_void_p], ctypes.c_int),
            "xmlCreatePushParserCtxt": ([ctypes.c_void_p] * 3 + [ctypes.c_int, ctypes.c_char_p],
                                        ctypes.c_void_p),
            "xmlParseChunk": ([ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_int],
                              ctypes.c_int),
            "xmlFreeParserCtxt": ([ctypes.c_void_p], None),
        }
        for name, (arguments, result) in functions.items():
            function = getattr(engine, name)
            function.argtypes, function.restype = arguments, result
    except (OSError, AttributeError):  # not exported (other platforms' builds)
        return None
    return engine


def main(argv: list[str]) -> int:
    xsd, root = argv
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


def decided(data: bytes, xsd: str, root: str) -> tuple[int, str] | None:
    """The verdict people read on the document `data` holds (`verdict`'s), decided by
    libxml2's own validator where it can be reached (`Pushed`: in half the time, and
    without Python's lock); only a document it does not find valid is read again by
    `verdict`, whose words (or finding it valid after all) stand."""
    check = pushed(xsd, root)
    if check is not None:
        check.feed(data)
        if check.close():
            return None
    return verdict(io.BytesIO(data), xsd, root)


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
