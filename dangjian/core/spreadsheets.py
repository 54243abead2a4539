"""Safe reading and writing of the workbooks offices really use (.xlsx from Excel, WPS and
LibreOffice; .csv in UTF-8 with or without BOM, or GBK/GB18030).

Reading is judged by content, not by file name; size, zip entry count and unpacked size are
capped before anything is parsed; XML is parsed through defusedxml, and a part declaring a DTD
is refused outright; formula cells are read as their cached value and never evaluated.
Writing neutralises cells that Excel would run."""

import csv
import io
import logging
import re
import struct
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO

from defusedxml import DefusedXmlException
from django.conf import settings
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from dangjian.core.errors import DomainError


class SpreadsheetError(DomainError):
    """The file as a whole cannot be read (wrong type, too big, damaged, malicious)."""

    def __init__(self, message: str, code: str):
        super().__init__(message, code, field="file")


@dataclass
class Table:
    """The first worksheet as rows of cell values, each with the row number the user sees in
    their spreadsheet (1-based, counting title and blank rows)."""

    kind: str  # "xlsx" | "csv"
    rows: list[tuple[int, list]]  # (row number, [cell value, …]); fully blank rows dropped
    sheet_name: str = ""


def read_table(data: bytes, *, filename: str = "") -> Table:
    """Read the first sheet of an .xlsx or a .csv. Raises SpreadsheetError in Chinese.

    The content decides the type; `filename` is never trusted for it (people rename files)."""
    _check_size(data)
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data)
    if data.startswith(OLE_MAGIC):
        raise SpreadsheetError(OLE_MESSAGE, "file_xls")
    return _read_csv(_decode_text(data))


# ---------------------------------------------------------------- reading: limits and messages

LIMITS = {  # each can be set in settings
    "IMPORT_MAX_BYTES": 20 * 1024 * 1024,
    "IMPORT_MAX_UNZIPPED_BYTES": 200 * 1024 * 1024,
    "IMPORT_MAX_ZIP_ENTRIES": 1000,
    "IMPORT_MAX_ROWS": 100_000,
    "IMPORT_MAX_CELLS": 3_000_000,
}
logger = logging.getLogger(__name__)
EXCEL_MAX_ROWS = 1_048_576
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .et, and password-protected .xlsx
# A central directory record is 46 bytes plus its name; an .xlsx's names are short. Bounding
# the directory's size bounds the objects zipfile builds before the entries can be counted.
MAX_DIRECTORY_RECORD = 1024
CHUNK = 1024 * 1024
# Parts of an .xlsx never declare a DTD; one that does is an entity attack (billion laughs,
# external entities). Looked for in the encodings XML allows without a declaration.
DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

NOT_A_TABLE = "文件不是Excel（.xlsx）或CSV文件"
OLE_MESSAGE = (
    "这是旧版Excel（.xls）文件或设置了密码的文件，无法读取。"
    "请在Excel或WPS中“另存为”Excel工作簿（.xlsx）、不设密码后再上传"
)
HTML_MESSAGE = (
    "这是网页或XML格式的表格（常见于一些系统导出的“.xls”），无法读取。"
    "请在Excel或WPS中打开后“另存为”Excel工作簿（.xlsx）再上传"
)
DAMAGED = "文件已损坏或不完整，无法打开。请在Excel或WPS中重新保存后再上传"
BOMB = "文件解压后过大，疑似压缩炸弹，已拒绝"
TOO_MANY_PARTS = "文件内部包含的部件过多，疑似压缩炸弹，已拒绝"
XML_ATTACK = "文件中含有不允许的XML实体定义，疑似恶意文件，已拒绝"


def limit(name: str) -> int:
    return getattr(settings, name, LIMITS[name])


def _check_size(data: bytes) -> None:
    if not data:
        raise SpreadsheetError("文件是空的（0字节），请检查是否选错了文件", "file_empty")
    cap = limit("IMPORT_MAX_BYTES")
    if len(data) > cap:
        raise SpreadsheetError(
            f"文件大小为{_size(len(data))}，超过了{_size(cap)}的上限，请分成几个文件导入",
            "file_too_big",
        )


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / 1024 / 1024:.1f} MB".replace(".0 MB", " MB")
    return f"{-(-count // 1024)} KB"


def _collect(numbered_rows) -> list[tuple[int, list]]:
    """The non-blank rows with their numbers, trailing blank cells trimmed, within the caps.
    Rows are counted as they stream in, so an oversized sheet stops early."""
    max_rows, max_cells = limit("IMPORT_MAX_ROWS"), limit("IMPORT_MAX_CELLS")
    rows, cells = [], 0
    for number, values in numbered_rows:
        if number > EXCEL_MAX_ROWS:
            raise SpreadsheetError(f"文件超过了Excel的最大行数（{EXCEL_MAX_ROWS}行）", "file_rows")
        values = _trim(list(values))
        if not values:
            continue
        rows.append((number, values))
        cells += len(values)
        if len(rows) > max_rows:
            raise SpreadsheetError(
                f"文件超过{max_rows}行（不计空行），请分成几个文件导入", "file_rows"
            )
        if cells > max_cells:
            raise SpreadsheetError(
                f"文件超过{max_cells}个单元格，请删去多余的列或分成几个文件导入", "file_cells"
            )
    return rows


def _trim(values: list) -> list:
    while values and is_blank(values[-1]):
        values.pop()
    return values


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------- reading: .csv


def _decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030, which contains GBK. Binary content (NUL
    bytes, undecodable, mostly control characters) is not a table."""
    if b"\x00" in data:
        raise SpreadsheetError(NOT_A_TABLE, "file_type")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding).removeprefix("\ufeff")
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SpreadsheetError(NOT_A_TABLE, "file_type")
    if len(CONTROL_CHARACTERS.findall(text)) > len(text) // 100:
        raise SpreadsheetError(NOT_A_TABLE, "file_type")
    if text.lstrip().startswith("<"):
        raise SpreadsheetError(HTML_MESSAGE, "file_type")
    return text


def _read_csv(text: str) -> Table:
    # Row numbers count records, not lines: Excel shows a quoted multi-line cell as one row.
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return Table("csv", _collect(enumerate(reader, start=1)))
    except csv.Error:
        raise SpreadsheetError(
            f"CSV文件第{reader.line_num}行的格式有误，无法读取", "file_damaged"
        ) from None


# ---------------------------------------------------------------- reading: .xlsx


def _read_xlsx(data: bytes) -> Table:
    workbook = load_xlsx(data)
    try:
        with _translated_errors():  # read-only sheets are parsed while the rows are iterated
            if not workbook.worksheets:
                raise SpreadsheetError("工作簿中没有工作表", "file_empty")
            sheet = workbook.worksheets[0]
            # The stored dimension may claim A1:XFD1048576; without it, rows are not padded
            # to that width.
            sheet.reset_dimensions()
            rows = _collect(enumerate(sheet.iter_rows(values_only=True), start=1))
            return Table("xlsx", rows, sheet.title)
    finally:
        workbook.close()


def load_xlsx(data: bytes, *, read_only: bool = True):
    """openpyxl's workbook of .xlsx bytes, after the zip checks; formulas give their cached
    value (data_only), never evaluated. Raises SpreadsheetError."""
    _check_zip(data)
    with _translated_errors(), warnings.catch_warnings():
        # openpyxl warns about features it drops (extensions, unknown parts): not our concern.
        warnings.simplefilter("ignore")
        return load_workbook(io.BytesIO(data), read_only=read_only, data_only=True)


@contextmanager
def _translated_errors():
    """Whatever a damaged file makes zipfile or openpyxl raise becomes one Chinese message;
    defusedxml's refusals (openpyxl parses through it) become the attack message."""
    try:
        yield
    except SpreadsheetError:
        raise
    except Exception as error:  # a damaged file can raise anything; the person needs one answer
        if _caused_by(error, DefusedXmlException):  # openpyxl wraps it in a ValueError
            raise SpreadsheetError(XML_ATTACK, "file_xml_entities") from None
        logger.info("unreadable workbook: %r", error)
        raise SpreadsheetError(DAMAGED, "file_damaged") from None


def _caused_by(error: BaseException | None, kind: type) -> bool:
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _check_zip(data: bytes) -> None:
    """Entry count, declared unpacked size, compression method and the real unpacked size of
    every entry, before openpyxl touches the file."""
    _check_directory_size(data)
    with _translated_errors(), zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        if "xl/workbook.xml" not in archive.namelist():
            raise SpreadsheetError(NOT_A_TABLE, "file_type")  # a .docx, .ods or plain zip
        if len(infos) > limit("IMPORT_MAX_ZIP_ENTRIES"):
            raise SpreadsheetError(TOO_MANY_PARTS, "file_bomb")
        budget = limit("IMPORT_MAX_UNZIPPED_BYTES")
        if sum(info.file_size for info in infos) > budget:
            raise SpreadsheetError(BOMB, "file_bomb")
        for info in infos:
            budget -= _check_entry(archive, info, budget)


def _check_directory_size(data: bytes) -> None:
    """Read the end record before zipfile builds an object per entry: a 20 MB file could
    list 400,000 of them."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if end < 0 or end + 22 > len(data):
        raise SpreadsheetError(DAMAGED, "file_damaged")  # truncated: the end record is gone
    entries, directory_size = struct.unpack_from("<HI", data, end + 10)
    cap = limit("IMPORT_MAX_ZIP_ENTRIES")
    if entries > cap or directory_size > cap * MAX_DIRECTORY_RECORD:
        raise SpreadsheetError(TOO_MANY_PARTS, "file_bomb")


def _check_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
    if info.flag_bits & 0x1:
        raise SpreadsheetError(OLE_MESSAGE, "file_encrypted")
    # bzip2 and lzma inflate a whole chunk at once, unbounded; Excel writes only these two.
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise SpreadsheetError(DAMAGED, "file_damaged")
    # Deflate never grows data by more than ~0.1%: a header claiming a smaller unpacked size
    # than its packed data lies, the mark of a crafted bomb.
    if info.compress_size > info.file_size + info.file_size // 1000 + 1024:
        raise SpreadsheetError(BOMB, "file_bomb")
    return _read_entry(archive, info, budget)


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
    """Unpack one entry chunk by chunk, counting the bytes that really come out (not what the
    header says) and looking for a DTD in the XML parts. Returns the unpacked size."""
    size, tail = 0, b""
    is_xml = info.filename.endswith((".xml", ".rels"))
    with archive.open(info) as entry:
        while chunk := entry.read(CHUNK):
            size += len(chunk)
            if size > budget:
                raise SpreadsheetError(BOMB, "file_bomb")
            window = tail + chunk  # a marker may straddle two chunks
            if is_xml and any(marker in window for marker in DTD_MARKERS):
                raise SpreadsheetError(XML_ATTACK, "file_xml_entities")
            tail = chunk[-32:]
    return size


@dataclass
class Sheet:
    """One worksheet to write: a header row and data rows of plain values (str, int, date…)."""

    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # header → comment on the header cell
    choices: dict[str, list[str]] = field(default_factory=dict)  # header → drop-down values
    widths: dict[str, int] = field(default_factory=dict)  # header → column width


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHOICES_SHEET = "选项"


def write_workbook(sheets: list[Sheet]) -> bytes:
    """An .xlsx of the sheets. Text beginning with = + - @, a tab or a carriage return is
    written as text that Excel shows and never runs."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        _write_sheet(workbook, sheet)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_sheet(workbook: Workbook, sheet: Sheet) -> None:
    ws = workbook.create_sheet(sheet.title[:31])
    ws.append(sheet.header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        if cell.value in sheet.notes:
            cell.comment = Comment(sheet.notes[cell.value], "党建工作平台")
    for number, row in enumerate(sheet.rows, start=2):  # ws.max_row would rescan every cell
        for column, value in enumerate(row, start=1):
            _neutralise(ws.cell(row=number, column=column, value=value))
    ws.freeze_panes = "A2"
    for index, header in enumerate(sheet.header, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = sheet.widths.get(header, max(10, 2 * len(header) + 2))
        if header in sheet.choices:
            _add_choices(workbook, ws, letter, sheet.choices[header])


def _neutralise(cell) -> None:
    """Text Excel would read as a formula stays text: a string cell with the quote prefix."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True


def _add_choices(workbook: Workbook, ws, letter: str, values: list[str]) -> None:
    """A drop-down for a whole column. The values live on a hidden sheet: an inline list is
    limited to 255 characters, too short for a list of organizations."""
    choices = (
        workbook[CHOICES_SHEET]
        if CHOICES_SHEET in workbook.sheetnames
        else workbook.create_sheet(CHOICES_SHEET)
    )
    choices.sheet_state = "hidden"
    column = choices.max_column + 1 if choices.max_row > 1 or choices["A1"].value else 1
    col = get_column_letter(column)
    for row, value in enumerate(values, start=1):
        choices.cell(row=row, column=column, value=value)
        _neutralise(choices.cell(row=row, column=column))
    rule = DataValidation(
        type="list",
        formula1=f"{quote_sheetname(CHOICES_SHEET)}!${col}$1:${col}${len(values)}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="请从下拉列表中选择",
        error="请从下拉列表中选择一项",
    )
    ws.add_data_validation(rule)
    rule.add(f"{letter}2:{letter}{max(ws.max_row, 1000)}")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str):
    """A download of an .xlsx under a Chinese file name (RFC 6266 `filename*`)."""
    from urllib.parse import quote

    from django.http import HttpResponse

    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Cache-Control"] = "no-store"
    return response
