"""An .xlsx, .xlsm or .ods workbook as a zip file, read in bounded memory: its directory
(sizes and ratios, before anything is unpacked), then every part unpacked once as a stream
(its true size and CRC) into the scanner of its kind; and each .xlsx sheet's part by name."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import IO

from yukimap.errors import SourceError
from yukimap.i18n import tr
from yukimap.limits import MB, limits
from yukimap.read.extent import Extent, Extents, with_widest
from yukimap.read.files import damaged, refuse
from yukimap.read.odsscan import OdsScan
from yukimap.read.xlsxscan import SharedStrings, XlsxScan
from yukimap.read.xmltags import PREFIX, TAG_BODY, attribute_text, tag_attributes

_CHUNK = 4 * MB
_RATIO_FROM = MB  # small parts (styles, themes) compress well and inflate to little


# What zipfile raises on a damaged archive: its own error, zlib's, a cut-short stream, a
# version or method it does not know, an encrypted part, a bad structure or name.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
               RuntimeError, ValueError, struct.error)


def zip_extents(content: bytes, name: str) -> tuple[Extents, bool]:
    _check_directory(content, name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except _ZIP_ERRORS as exc:
        raise damaged(name, tr("it is not a complete zip file ({reason})", reason=exc)) from None
    with archive:
        members = archive.infolist()
        _check_sizes(members, name, len(content))
        if any(m.filename.lower().endswith("workbook.bin") for m in members):
            raise SourceError(tr("{name} is an Excel binary workbook (.xlsb), which yukimap does"
                                 " not read", name=name),
                              hint=tr("open it in Excel and save it as .xlsx"))
        extents: Extents = {}
        sheets: dict[str, XlsxScan] = {}
        shared = SharedStrings()
        counted = any(m.filename.lower().endswith("sharedstrings.xml") for m in members)
        for member in members:
            scan = _scanner(member.filename, shared, counted)
            _stream(archive, member, name, scan.feed if scan else None)
            if isinstance(scan, OdsScan):
                extents |= {table: (extent,) for table, extent in scan.tables.items()}
            elif isinstance(scan, XlsxScan):
                sheets[member.filename] = scan
        parts = {part: scan.extent(shared) for part, scan in sheets.items()}
        ods = bool(extents)
        extents |= _xlsx_sheets(archive, parts)
        return with_widest({**extents, "": tuple(parts.values())}), ods


def _check_directory(content: bytes, name: str) -> None:
    """Python's zipfile keeps an object per member: a huge directory is refused before."""
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 65_557))
    if end < 0 or end + 22 > len(content):
        return  # zipfile says what is wrong
    size = struct.unpack_from("<I", content, end + 12)[0]
    if size == 0xFFFFFFFF and content[end - 20: end - 16] == b"PK\x06\x07":
        at = struct.unpack_from("<Q", content, end - 12)[0]
        if content[at: at + 4] == b"PK\x06\x06" and at + 48 <= len(content):
            size = struct.unpack_from("<Q", content, at + 40)[0]
    bound = limits().zip_members
    if size > bound * 512:
        raise damaged(name, tr("its list of parts takes {size} bytes, more than a workbook of"
                               " {bound} parts needs", size=f"{size:,}", bound=f"{bound:,}"))


def _check_sizes(members: list[zipfile.ZipInfo], name: str, on_disk: int) -> None:
    bounds = limits()
    if len(members) > bounds.zip_members:
        raise damaged(name, tr("it holds {count} parts, more than {bound}",
                               count=f"{len(members):,}", bound=f"{bounds.zip_members:,}"))
    total = sum(m.file_size for m in members)
    if total > bounds.max_unpacked_mb * MB:
        refuse("max_unpacked_mb", tr("{name} unzipped", name=name),
               tr("{size} MB, from {disk} MB", size=f"{total / MB:,.0f}",
                  disk=f"{on_disk / MB:,.1f}"))
    for member in members:
        ratio = member.file_size // max(member.compress_size, 1)
        if member.file_size > _RATIO_FROM and ratio > bounds.max_zip_ratio:
            refuse("max_zip_ratio", tr("{part} in {name}", part=member.filename, name=name),
                   tr("it unzips {ratio} to 1", ratio=f"{ratio:,}"))


def _stream(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str,
            feed: Callable[[bytes], None] | None) -> None:
    """Unpack one part as a stream: zipfile stops at the declared size and checks the CRC,
    so a part that lies about its size is found here, not by calamine."""
    try:
        with archive.open(member) as stream:
            for chunk in _chunks(stream):
                if feed is not None:
                    feed(chunk)
    except _ZIP_ERRORS:
        raise damaged(name, tr("its part {part} is damaged", part=member.filename)) from None


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


def _scanner(part: str, shared: SharedStrings, counted: bool
             ) -> XlsxScan | OdsScan | SharedStrings | None:
    """How to read a part: `counted`, whether cells' shared strings are counted (a
    workbook without any has nothing for calamine to copy)."""
    if part == "content.xml":
        return OdsScan()
    if part.lower().endswith("sharedstrings.xml"):
        return shared
    if part.lower().endswith(".xml"):
        return XlsxScan(counted)
    return None


_SHEET = re.compile(rb"<" + PREFIX + rb"sheet(?=[\s/>])" + TAG_BODY)
_RELATIONSHIP = re.compile(rb"<" + PREFIX + rb"Relationship(?=[\s/>])" + TAG_BODY)


def _xlsx_sheets(archive: zipfile.ZipFile, parts: dict[str, Extent]) -> Extents:
    """Each sheet's extent by name, through xl/workbook.xml and its relationships."""
    found: Extents = {}
    try:
        book = archive.read("xl/workbook.xml")
        links = archive.read("xl/_rels/workbook.xml.rels")
    except (KeyError, *_ZIP_ERRORS):
        book = links = b""
    targets = {}
    for body in _RELATIONSHIP.findall(links):
        attributes = tag_attributes(body)
        target = attribute_text(attributes.get(b"Target", b""))
        targets[attributes.get(b"Id", b"")] = (target.lstrip("/") if target.startswith("/")
                                                else f"xl/{target}")
    for body in _SHEET.findall(book):
        attributes = tag_attributes(body)
        part = targets.get(attributes.get(b"id", b""))
        if part in parts:
            found[attribute_text(attributes.get(b"name", b""))] = (parts[part],)
    return found
