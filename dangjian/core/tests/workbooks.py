"""Workbooks for the import tests. Ordinary ones come from openpyxl; crafted and malicious ones
are put together part by part, because openpyxl cannot write a formula's cached value, a DTD,
or a zip header that lies."""

import functools
import io
import struct
import zipfile
import zlib

from openpyxl import Workbook
from openpyxl.styles import PatternFill

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET = "xl/worksheets/sheet1.xml"


def xlsx(rows: list[list], *, merge: str = "", styled_blanks: str = "") -> bytes:
    """A workbook whose first sheet has `rows` from row 1 ([] is a blank row); `merge` merges a
    range (a title row); `styled_blanks` gives a range of empty cells a fill, as people leave
    formatted but empty columns."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    if styled_blanks:
        for line in sheet[styled_blanks]:
            for cell in line:
                cell.fill = PatternFill("solid", start_color="FFFF00", end_color="FFFF00")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_parts(data: bytes, parts: dict[str, bytes]) -> bytes:
    """The workbook `data` with some parts replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = parts.get(info.filename, source.read(info))
            target.writestr(info.filename, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def sheet_xml(rows: str, *, prolog: str = "") -> bytes:
    """A worksheet part with the given <row> elements."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


# ---------------------------------------------------------------- malicious files


def billion_laughs() -> bytes:
    """Ten nested entities of ten references each: 10⁹ "lol"s, 3 GB, if ever expanded."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    workbook = (
        f'<?xml version="1.0"?><!DOCTYPE workbook [{entities}]>'
        f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
        f'<sheet name="&lol9;" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ).encode()
    return with_parts(xlsx([["姓名"]]), {"xl/workbook.xml": workbook})


def external_entity(path: str) -> bytes:
    """A cell whose text is an external entity naming a file on the server."""
    prolog = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{path}">]>'
    rows = f'<row r="1">{text_cell("A1", "&xxe;")}</row>'
    return with_parts(xlsx([["姓名"]]), {SHEET: sheet_xml(rows, prolog=prolog)})


@functools.cache
def _spaces_deflated(mib: int) -> tuple[bytes, int]:
    """`mib` MiB of spaces as raw deflate, and their CRC-32, built from one compressed MiB:
    after a full flush the compressor starts afresh, so the same input gives the same bytes."""
    chunk = b" " * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    return block * mib + compressor.flush(), crc


def zip_bomb(*, declared: int | None = None) -> bytes:
    """A workbook whose sheet unpacks to 1 GiB. `declared`: the unpacked size its headers claim
    (default: the truth)."""
    packed, crc = _spaces_deflated(1024)
    size = 1 << 30 if declared is None else declared
    entries = _parts_of(xlsx([["姓名"]]), skip=SHEET)
    return raw_zip([*entries, (SHEET, packed, crc, size, zipfile.ZIP_DEFLATED)])


def many_entries(count: int, *, claimed: int | None = None) -> bytes:
    """A workbook with `count` extra tiny parts; `claimed` lies about the count in the end
    record."""
    entries = _parts_of(xlsx([["姓名"]]))
    extra = [(f"xl/media/p{i}.bin", b"x", zlib.crc32(b"x"), 1, 0) for i in range(count)]
    data = raw_zip(entries + extra)
    if claimed is not None:
        end = data.rfind(b"PK\x05\x06")
        data = data[: end + 8] + struct.pack("<HH", claimed, claimed) + data[end + 12 :]
    return data


def _parts_of(data: bytes, *, skip: str = "") -> list[tuple]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [
            (i.filename, archive.read(i), zlib.crc32(archive.read(i)), i.file_size, 0)
            for i in archive.infolist()
            if i.filename != skip
        ]


def raw_zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip written field by field: (name, packed bytes, CRC-32, unpacked size as declared,
    method 0 stored / 8 deflated)."""
    out, directory = io.BytesIO(), io.BytesIO()
    for name, packed, crc, size, method in entries:
        offset, encoded = out.tell(), name.encode()
        fields = (20, 0, method, 0, 33, crc, len(packed), size, len(encoded), 0)
        out.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", *fields) + encoded + packed)
        directory.write(
            struct.pack("<4sH", b"PK\x01\x02", 20)
            + struct.pack("<5H3I5H2I", *fields, 0, 0, 0, 0, offset)
            + encoded
        )
    start, listing = out.tell(), directory.getvalue()
    end = struct.pack(
        "<4s4H2IH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(listing), start, 0
    )
    return out.getvalue() + listing + end
