"""Safe reading and writing of the workbooks offices really use (.xlsx from Excel, WPS and
LibreOffice; .csv in UTF-8 with or without BOM, or GBK/GB18030).

Reading is judged by content, not by file name; size, zip entry count and unpacked size are
capped before anything is parsed; XML is parsed through defusedxml; formula cells are read as
their cached value and never evaluated. Writing neutralises cells that Excel would run."""

from dataclasses import dataclass, field

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
    """Read the first sheet of an .xlsx or a .csv. Raises SpreadsheetError in Chinese."""
    raise NotImplementedError


@dataclass
class Sheet:
    """One worksheet to write: a header row and data rows of plain values (str, int, date…)."""

    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # header → comment on the header cell
    choices: dict[str, list[str]] = field(default_factory=dict)  # header → drop-down values
    widths: dict[str, int] = field(default_factory=dict)  # header → column width


def write_workbook(sheets: list[Sheet]) -> bytes:
    """An .xlsx of the sheets. Text beginning with = + - @, a tab or a carriage return is
    written as text that Excel shows and never runs."""
    raise NotImplementedError
