"""Hostile workbooks, written by hand with zipfile (and xlwt for .xls), as small as they can be.

Each builder writes a file a hot folder might receive: well-formed enough for calamine to
start on it, and built to make it allocate, inflate or loop far beyond what the file's
size suggests.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from yukimap.errors import column_letter

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

Cell = tuple[str | None, str]  # (reference such as "B2", or None for "next column"; text)


def sheet_xml(rows: Iterable[tuple[int | None, Sequence[Cell]]], dimension: str | None = None,
              padding: int = 0) -> str:
    """A worksheet part: rows of inline-string cells; `padding` spaces inside sheetData."""
    parts = [f"{_XML}<worksheet xmlns=\"{_MAIN}\">"]
    if dimension:
        parts.append(f'<dimension ref="{dimension}"/>')
    parts.append("<sheetData>" + " " * padding)
    for number, cells in rows:
        parts.append(f'<row r="{number}">' if number else "<row>")
        for ref, text in cells:
            where = f' r="{ref}"' if ref else ""
            parts.append(f'<c{where} t="inlineStr"><is><t>{text}</t></is></c>')
        parts.append("</row>")
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


def table_rows(*rows: Sequence[str]) -> list[tuple[int | None, list[Cell]]]:
    """Plain rows from row 1, column A."""
    return [(r + 1, [(f"{column_letter(c)}{r + 1}", v) for c, v in enumerate(row) if v])
            for r, row in enumerate(rows)]


def _package(sheets: dict[str, str]) -> dict[str, str]:
    """Every part of a minimal .xlsx around the given worksheet XML."""
    names = list(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(len(names)))
    return {
        "[Content_Types].xml": (
            f'{_XML}<Types xmlns="{_PKG}/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>"),
        "_rels/.rels": (
            f'{_XML}<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1"'
            f' Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            + "".join(f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                      for i, n in enumerate(names))
            + "</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
            + "".join(f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet"'
                      f' Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(names)))
            + "</Relationships>"),
        **{f"xl/worksheets/sheet{i + 1}.xml": sheets[n] for i, n in enumerate(names)},
    }


def xlsx(path: Path, sheets: dict[str, str]) -> Path:
    """A workbook of the given worksheets ({name: sheet_xml(...)})."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, text in _package(sheets).items():
            archive.writestr(part, text)
    return path


def far_cell_xlsx(path: Path, ref: str = "XFD1048576") -> Path:
    """2 KB: a header in A1 and one more cell far away; calamine allocates the rectangle."""
    return xlsx(path, {"Data": sheet_xml([(1, [("A1", "Naam")]), (None, [(ref, "x")])])})


def wide_xlsx(path: Path, columns: int, references: bool = True) -> Path:
    """One header row of `columns` cells, with or without their r="..." references."""
    cells = [(f"{column_letter(i)}1" if references else None, f"k{i}") for i in range(columns)]
    return xlsx(path, {"Data": sheet_xml([(1, cells)])})


def bomb_xlsx(path: Path, megabytes: int, declared: int | None = None) -> Path:
    """A worksheet of `megabytes` MB of spaces, deflated to about a thousandth of that.

    Built from one compressed block repeated (each ends with a full flush, so it stands
    alone), so writing a 2 GB bomb takes milliseconds. `declared` lies about the unpacked
    size in the zip's directory. The CRC is only right when the data is small enough to
    hash here quickly; a reader must refuse a bomb before it gets that far.
    """
    head = f'{_XML}<worksheet xmlns="{_MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr">' \
           "<is><t>Naam</t></is></c></row>"
    tail = "</sheetData></worksheet>"
    block_size = 1024 * 1024
    spaces = b" " * block_size
    one = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = one.compress(spaces) + one.flush(zlib.Z_FULL_FLUSH)
    ends = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = ends.compress(head.encode()) + ends.flush(zlib.Z_FULL_FLUSH)
    body += block * megabytes
    body += ends.compress(tail.encode()) + ends.flush(zlib.Z_FINISH)
    size = len(head) + megabytes * block_size + len(tail)
    crc = 0
    if megabytes <= 64:
        crc = zlib.crc32(head.encode())
        for _ in range(megabytes):
            crc = zlib.crc32(spaces, crc)
        crc = zlib.crc32(tail.encode(), crc)
    parts = _package({"Data": ""})
    del parts["xl/worksheets/sheet1.xml"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, text in parts.items():
            archive.writestr(part, text)
    _append_raw_member(path, "xl/worksheets/sheet1.xml", body, size if declared is None
                       else declared, crc)
    return path


def _append_raw_member(path: Path, name: str, deflated: bytes, size: int, crc: int) -> None:
    """Add a member whose compressed bytes, size and CRC are given as they are."""
    with zipfile.ZipFile(path, "a") as archive:
        info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.file_size, info.compress_size, info.CRC = size, len(deflated), crc
        info.header_offset = archive.fp.tell()  # type: ignore[union-attr]
        archive.fp.write(info.FileHeader(zip64=size > 0xFFFFFFFF))  # type: ignore[union-attr]
        archive.fp.write(deflated)  # type: ignore[union-attr]
        archive.filelist.append(info)
        archive.NameToInfo[name] = info
        archive.start_dir = archive.fp.tell()  # type: ignore[union-attr]
        archive._didModify = True  # type: ignore[attr-defined]


_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
    ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/"'
    ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def ods_cell(text: str, repeat: int = 1) -> str:
    times = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (f'<table:table-cell office:value-type="string"{times}><text:p>{text}</text:p>'
            "</table:table-cell>")


def ods_row(*cells: str, repeat: int = 1) -> str:
    times = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{times}>{''.join(cells)}</table:table-row>"


def ods(path: Path, tables: dict[str, str]) -> Path:
    """An OpenDocument spreadsheet of {table name: its rows' XML}."""
    body = "".join(f'<table:table table:name="{n}">{rows}</table:table>'
                   for n, rows in tables.items())
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS}'
               f' office:version="1.2"><office:body><office:spreadsheet>{body}'
               "</office:spreadsheet></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"),
                         "application/vnd.oasis.opendocument.spreadsheet",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
    return path


def xls(path: Path, cells: dict[tuple[int, int], str], sheet: str = "Data") -> Path:
    """An .xls written by xlwt: {(row, column), 0-based: text}."""
    import xlwt  # type: ignore[import-untyped]

    book = xlwt.Workbook()
    page = book.add_sheet(sheet)
    for (row, column), text in cells.items():
        page.write(row, column, text)
    book.save(str(path))
    return path


LABELSST = 0x00FD
DIMENSIONS = 0x0200


def patch_xls(path: Path, record: int, old: bytes, new: bytes) -> Path:
    """Overwrite the data of the first BIFF record `record` whose data starts with `old`."""
    data = bytearray(path.read_bytes())
    at = data.find(struct.pack("<H", record) + struct.pack("<H", _length(data, record, old)) + old)
    assert at >= 0, "record not found"
    data[at + 4: at + 4 + len(new)] = new
    path.write_bytes(bytes(data))
    return path


def _length(data: bytearray, record: int, old: bytes) -> int:
    for length in range(len(old), 64):
        if data.find(struct.pack("<HH", record, length) + old) >= 0:
            return length
    raise AssertionError("record not found")


def shared_strings_xlsx(path: Path, cells: int, length: int) -> Path:
    """One shared string of `length` characters, in `cells` cells: calamine copies it into
    every one (300 KB on disk, 2 GB in memory for 60,000 cells of 32,000 characters)."""
    sheet = (f"{_XML}<worksheet xmlns=\"{_MAIN}\"><sheetData>"
             + "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>{min(r - 1, 1)}</v></c></row>'
                       for r in range(1, cells + 2))
             + "</sheetData></worksheet>")
    parts = _package({"Data": sheet})
    parts["xl/sharedStrings.xml"] = (
        f'{_XML}<sst xmlns="{_MAIN}" count="2" uniqueCount="2"><si><t>Naam</t></si>'
        f"<si><t>{'x' * length}</t></si></sst>")
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        "</Relationships>", f'<Relationship Id="rId99" Type="{_REL}/sharedStrings"'
        ' Target="sharedStrings.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, text in parts.items():
            archive.writestr(part, text)
    return path
