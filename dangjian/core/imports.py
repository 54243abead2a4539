"""The import framework: find the header row, map columns by their Chinese headers and
synonyms, normalise values, collect every problem with the row number, column header and value
as the user sees them, and produce a report workbook. The domain (e.g. orgs/imports.py) says
which columns exist, checks rows against the database, and writes through its services.

Flow: read_table → parse_table(table, columns) → domain checks add Problems → if any problem:
report (page + report_workbook), write nothing; else preview → confirm → write all in one
transaction with one audit entry."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dangjian.core.spreadsheets import Table


class CellError(ValueError):
    """Raised by a column's parser with a Chinese message about the value."""


@dataclass(frozen=True)
class Column:
    key: str  # the domain's field name, e.g. "id_number"
    header: str  # the header written in templates and exports, e.g. "身份证号"
    synonyms: tuple[str, ...] = ()  # other headers people use, e.g. ("公民身份号码",)
    parse: Callable[[Any], Any] | None = None  # raw cell → value; raises CellError
    required: bool = False  # the column must be present, and the cell must not be blank
    note: str = ""  # shown in the template as a comment on the header cell


@dataclass
class Problem:
    row: int  # row number as the user sees it (0 for the file as a whole)
    column: str  # the header as written in the user's file ("" when not about one cell)
    value: str  # the cell's value as text
    message: str  # Chinese

    def __str__(self) -> str:
        where = f"第{self.row}行 " if self.row else ""
        cell = f"{self.column} {self.value}：" if self.column else ""
        return f"{where}{cell}{self.message}"


@dataclass
class ParsedRow:
    number: int  # row number as the user sees it
    values: dict[str, Any]  # column key → parsed value (None when blank)
    raw: dict[str, Any]  # column key → the cell as read


@dataclass
class Parsed:
    header_row: int
    headers: dict[str, str]  # column key → header as written in the file
    positions: dict[str, int]  # column key → 0-based column index in the file
    unknown_columns: list[str]  # headers no column claims (reported, ignored)
    rows: list[ParsedRow] = field(default_factory=list)  # rows whose every cell parsed
    problems: list[Problem] = field(default_factory=list)


def parse_table(table: Table, columns: list[Column]) -> Parsed:
    """Find the header row among the first rows (the one matching most columns; title rows
    and merged cells above it are skipped), map columns in any order, ignore a 序号 column,
    parse every cell, and report missing required columns, blank required cells and cells
    that do not parse, each as a Problem."""
    raise NotImplementedError


def report_workbook(data: bytes, table: Table, parsed: Parsed, problems: list[Problem]) -> bytes:
    """A copy of the user's workbook (for .csv: its rows as an .xlsx) with every problem cell
    filled red and a 问题说明 column explaining each row's problems."""
    raise NotImplementedError


# ---------------------------------------------------------------- cell parsers


def parse_text(value: Any, *, max_length: int = 100) -> str | None:
    raise NotImplementedError


def parse_id_number(value: Any) -> str | None:
    """Full-width digits, spaces and lower-case x normalised, then core.validators. A number
    cell has lost its last digits (Excel keeps 15): report it, never guess."""
    raise NotImplementedError


def parse_mobile(value: Any) -> str | None:
    raise NotImplementedError


@dataclass(frozen=True)
class Day:
    """A date as the file gave it: `precision` "day", or "month" for 198503 / 1985年3月."""

    date: Any  # datetime.date (the 1st of the month for month precision)
    precision: str = "day"


def parse_day(value: Any) -> Day | None:
    """Real Excel dates, or text 1985.03.12, 1985-3-12, 1985/03/12, 1985年3月12日; 198503,
    1985.03, 1985-03 and 1985年3月 keep month precision."""
    raise NotImplementedError


def parse_choice(value: Any, choices: dict[str, str]) -> str | None:
    """A label or synonym (e.g. "男", "正式党员") → its code; CellError lists the labels."""
    raise NotImplementedError
