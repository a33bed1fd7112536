"""The legacy .xls container, an OLE compound file (CFB): whether it is cut short, which
calamine would meet with a panic rather than an error, and its workbook stream read safely
through olefile."""

from __future__ import annotations

import struct

from yukimap.errors import SourceError
from yukimap.i18n import tr
from yukimap.read.files import damaged

CFB_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_LAST_ID = 0xFFFFFFFA  # ids above are markers (free, end of chain, FAT, DIFAT)
_FREE = 0xFFFFFFFF


def cut_short(content: bytes) -> str | None:
    """Why an .xls (an OLE compound file) is cut short, or None.

    calamine panics when a sector lies beyond the end of the file, which is what a file
    still being copied looks like; the sector table says how long the file must be.
    """
    if len(content) < 512 or not content.startswith(CFB_MAGIC):
        return None
    shift = int.from_bytes(content[0x1E:0x20], "little")
    if shift not in (9, 12):
        return None
    size = 1 << shift
    fat_sectors = [i for i in struct.unpack_from("<109I", content, 0x4C) if i < _LAST_ID]
    difat, count = struct.unpack_from("<II", content, 0x44)
    for _ in range(count):  # big files list further FAT sectors in a chain
        if difat >= _LAST_ID:
            break
        if (difat + 2) * size > len(content):
            return tr("the file is cut short")
        ids = struct.unpack_from(f"<{size // 4}I", content, (difat + 1) * size)
        fat_sectors += [i for i in ids[:-1] if i < _LAST_ID]
        difat = ids[-1]
    used = -1
    for number, sector in enumerate(fat_sectors):
        if (sector + 2) * size > len(content):
            return tr("the file is cut short")
        entries = struct.unpack_from(f"<{size // 4}I", content, (sector + 1) * size)
        in_use = (i for i in range(len(entries) - 1, -1, -1) if entries[i] != _FREE)
        last = next(in_use, -1)
        if last >= 0:
            used = number * (size // 4) + last
    if (used + 2) * size > len(content):
        return tr("the file is cut short")
    return None


def workbook_stream(content: bytes, name: str) -> bytes | None:
    import olefile

    try:
        with olefile.OleFileIO(content) as ole:
            stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
            if stream is None:
                return None  # not a workbook: calamine says what it is
            if ole.get_size(stream) > len(content):
                raise damaged(name, tr("it declares a part larger than the file"))
            data: bytes = ole.openstream(stream).read()
            return data
    except SourceError:
        raise
    except Exception as exc:  # noqa: BLE001 - olefile raises OSError, ValueError, struct.error
        raise damaged(name, tr("its inner structure is damaged ({reason})", reason=exc)) from None
