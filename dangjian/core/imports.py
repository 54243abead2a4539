"""The import framework: find the header row, map columns by their Chinese headers and
synonyms, normalise values, collect every problem with the row number, column header and value
as the user sees them, and produce a report workbook. The domain (e.g. orgs/imports.py) says
which columns exist, checks rows against the database, and writes through its services.

Flow: read_table → parse_table(table, columns) → domain checks add Problems → if any problem:
report (page + report_workbook), write nothing; else preview → confirm → write all in one
transaction with one audit entry."""

import datetime as dt
import functools
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from dangjian.core.spreadsheets import Table, _neutralise, is_blank, load_xlsx
from dangjian.core.validators import validate_id_number, validate_mobile

HEADER_SEARCH_ROWS = 20  # title rows and notes above the header are rarely more
IGNORED_HEADERS = {"序号", "问题说明"}  # a row counter; our own report column, re-uploaded
NOTE_HEADER = "问题说明"
PROBLEM_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
# A full (not read-only) openpyxl load keeps an object per cell, ~430 bytes each (measured):
# above this, the report is rebuilt from the rows read, without the file's formatting.
REPORT_COPY_MAX_CELLS = 200_000  # about 85 MB; a roster of 3,700 has ~75,000 cells


class CellError(ValueError):
    """Raised by a column's parser with a Chinese message about the value."""


@dataclass(frozen=True)
class Column:
    key: str  # the domain's field name, e.g. "id_number"
    header: str  # the header written in templates and exports, e.g. "身份证号"
    synonyms: tuple[str, ...] = ()  # other headers people use, e.g. ("公民身份号码",)
    parse: Callable[[Any], Any] | None = None  # raw cell → value; raises CellError. None: text
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
        cell = f"{self.column} {self.value}".rstrip() + "：" if self.column else ""
        return f"{where}{cell}{self.message}"


@dataclass
class ParsedRow:
    number: int  # row number as the user sees it
    values: dict[str, Any]  # column key → parsed value (None when blank); columns in the file
    raw: dict[str, Any]  # column key → the cell as read


@dataclass
class Parsed:
    header_row: int  # 0 when no header row was found
    headers: dict[str, str]  # column key → header as written in the file
    positions: dict[str, int]  # column key → 0-based column index in the file
    unknown_columns: list[str]  # headers no column claims (reported, ignored)
    rows: list[ParsedRow] = field(default_factory=list)  # rows whose every cell parsed
    problems: list[Problem] = field(default_factory=list)


def parse_table(table: Table, columns: list[Column]) -> Parsed:
    """Find the header row among the first rows (the one matching most columns; title rows
    and merged cells above it are skipped), map columns in any order, ignore a 序号 column,
    parse every cell, and report missing required columns, blank required cells and cells
    that do not parse, each as a Problem. While a required column is missing no row counts
    as good: every row would lack that value."""
    aliases = _aliases(columns)
    found = _find_header(table.rows, aliases)
    if found is None:
        return Parsed(0, {}, {}, [], problems=[_no_header_problem(table, columns)])
    index, (header_row, header_cells) = found
    parsed = Parsed(header_row, {}, {}, [])
    _map_columns(parsed, header_cells, aliases)
    by_key = {c.key: c for c in columns}
    for column in columns:
        if column.required and column.key not in parsed.positions:
            parsed.problems.append(Problem(0, column.header, "", _missing_message(column)))
    complete = not parsed.problems
    for number, cells in table.rows[index + 1 :]:
        row, problems = _parse_row(number, cells, parsed, by_key)
        parsed.problems += problems
        if row is not None and not problems and complete:
            parsed.rows.append(row)
    return parsed


def match_key(text: Any) -> str:
    """How headers and choices compare: NFKC (full-width → half-width), no whitespace or line
    breaks, case-insensitive."""
    text = unicodedata.normalize("NFKC", cell_text(text))
    return re.sub(r"\s+", "", text).casefold()


def _header_key(text: Any) -> str:
    """Templates mark required columns: "*姓名", "姓名*", "姓名（必填）"."""
    key = match_key(text).strip("*")
    for mark in ("(必填)", "(选填)"):
        key = key.removesuffix(mark)
    return key.strip("*")


def _aliases(columns: list[Column]) -> dict[str, tuple[Column, int]]:
    """Header key → (column, rank): rank 0 for the column's own header, then its synonyms."""
    aliases = {}
    for column in columns:
        for rank, header in enumerate((column.header, *column.synonyms)):
            aliases.setdefault(_header_key(header), (column, rank))
    return aliases


def _find_header(rows: list, aliases: dict) -> tuple[int, tuple[int, list]] | None:
    """(index in rows, row) of the row matching most columns; the first of equals wins."""
    best, best_score = None, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        matched = {aliases[k][0].key for k in map(_header_key, row[1]) if k in aliases}
        if len(matched) > best_score:
            best, best_score = (index, row), len(matched)
    return best


def _map_columns(parsed: Parsed, cells: list, aliases: dict) -> None:
    """Fill headers and positions. Two columns for one field: the own header beats a synonym,
    the other is reported as unknown; the same header twice is a problem."""
    ranks: dict[str, int] = {}
    for position, cell in enumerate(cells):
        text, key = cell_text(cell), _header_key(cell)
        if not key or key in IGNORED_HEADERS:
            continue
        if key not in aliases:
            parsed.unknown_columns.append(text)
            continue
        column, rank = aliases[key]
        if column.key in ranks and rank >= ranks[column.key]:
            if rank == ranks[column.key]:
                message = f"“{text}”列出现了不止一次，请删去多余的列"
                parsed.problems.append(Problem(0, text, "", message))
            else:
                parsed.unknown_columns.append(text)
            continue
        if column.key in ranks:
            parsed.unknown_columns.append(parsed.headers[column.key])
        ranks[column.key] = rank
        parsed.headers[column.key], parsed.positions[column.key] = text, position


def _missing_message(column: Column) -> str:
    message = f"缺少必填列“{column.header}”"
    if column.synonyms:
        message += f"（也可写作：{'、'.join(column.synonyms)}）"
    return message


def _no_header_problem(table: Table, columns: list[Column]) -> Problem:
    if not table.rows:
        return Problem(0, "", "", "文件中没有任何内容")
    names = "、".join(f"“{c.header}”" for c in columns[:4])
    return Problem(0, "", "", f"找不到表头：前{HEADER_SEARCH_ROWS}行中没有一行写着{names}等列名")


def _parse_row(number: int, cells: list, parsed: Parsed, by_key: dict) -> tuple:
    """(ParsedRow, problems); (None, []) for a row with nothing in the known columns, such as
    a template's pre-numbered 序号 rows."""
    raw = {k: cells[i] if i < len(cells) else None for k, i in parsed.positions.items()}
    if all(is_blank(value) for value in raw.values()):
        return None, []
    values, problems = {}, []
    for key, value in raw.items():
        column, header = by_key[key], parsed.headers[key]
        try:
            values[key] = None if is_blank(value) else (column.parse or parse_text)(value)
        except CellError as error:
            problems.append(Problem(number, header, cell_text(value), str(error)))
            continue
        if column.required and values[key] is None:
            problems.append(Problem(number, header, "", "不能为空"))
    return ParsedRow(number, values, raw), problems


# ---------------------------------------------------------------- the report workbook


def report_workbook(data: bytes, table: Table, parsed: Parsed, problems: list[Problem]) -> bytes:
    """A copy of the user's workbook (for .csv: its rows as an .xlsx) with every problem cell
    filled red and a 问题说明 column explaining each row's problems, plus a 问题清单 sheet
    listing every problem (including those about the file as a whole). Formulas come as their
    cached values. A very large .xlsx is rebuilt from its rows, without its formatting, to
    bound memory."""
    cells = sum(len(values) for _, values in table.rows)
    if table.kind == "xlsx" and cells <= REPORT_COPY_MAX_CELLS:
        workbook = load_xlsx(data, read_only=False)  # the same zip and XML checks as reading
        sheet = workbook.worksheets[0]
    else:
        workbook, sheet = _workbook_of_rows(table)
    _mark_problems(sheet, table, parsed, problems)
    _add_problem_list(workbook, problems)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _workbook_of_rows(table: Table) -> tuple[Workbook, Any]:
    """The rows at their own row numbers, so the report's numbers match the messages."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (table.sheet_name or "数据")[:31]
    for number, values in table.rows:
        for position, value in enumerate(values, start=1):
            _write(sheet.cell(number, position), value)
    return workbook, sheet


def _write(cell, value) -> None:
    """Text stays text: never a formula, and without the control characters xlsx forbids."""
    if isinstance(cell, MergedCell):  # only a merged range's first cell holds a value
        return
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
        _neutralise(cell)
    else:
        cell.value = value


def _mark_problems(sheet, table: Table, parsed: Parsed, problems: list[Problem]) -> None:
    positions = {parsed.headers[key]: i + 1 for key, i in parsed.positions.items()}
    header_row = parsed.header_row
    notes = defaultdict(list)
    for problem in problems:
        if problem.row <= header_row:  # about the file: only in the problem list
            continue
        notes[problem.row].append(
            f"{problem.column}：{problem.message}" if problem.column else problem.message
        )
        if problem.column in positions:
            sheet.cell(problem.row, positions[problem.column]).fill = PROBLEM_FILL
    if not header_row:
        return
    column = _note_column(sheet, table, header_row)
    header = sheet.cell(header_row, column)
    _write(header, NOTE_HEADER)
    header.font = Font(bold=True)
    sheet.column_dimensions[get_column_letter(column)].width = 60
    for row, texts in notes.items():
        _write(sheet.cell(row, column), "；".join(texts))


def _note_column(sheet, table: Table, header_row: int) -> int:
    """The file's own 问题说明 column (a report uploaded again), emptied; else the column after
    the last one used."""
    header_cells = dict(table.rows).get(header_row, [])
    for position, cell in enumerate(header_cells, start=1):
        if _header_key(cell) == NOTE_HEADER:
            for number, values in table.rows:
                if number > header_row and len(values) >= position:
                    _write(sheet.cell(number, position), None)
            return position
    return max((len(values) for _, values in table.rows), default=0) + 1


def _add_problem_list(workbook: Workbook, problems: list[Problem]) -> None:
    sheet = workbook.create_sheet("问题清单")
    for position, (header, width) in enumerate(
        (("行号", 8), ("列", 16), ("值", 24), ("问题", 60)), start=1
    ):
        _write(sheet.cell(1, position), header)
        sheet.cell(1, position).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(position)].width = width
    for number, problem in enumerate(problems, start=2):
        sheet.cell(number, 1).value = problem.row or None
        for position, text in enumerate((problem.column, problem.value, problem.message), 2):
            _write(sheet.cell(number, position), text)


# ---------------------------------------------------------------- cell parsers


def cell_text(value: Any) -> str:
    """A cell as text, as the user sees it: dates without a midnight time, whole numbers
    without ".0"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        # Excel keeps 15 significant digits: show 1.20116198503121E+17 as it shows it,
        # 120116198503121000, not as binary floating point spells it.
        return format(Decimal(f"{value:.15g}"), "f")
    return str(value).strip()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# Full-width digits and Latin letters become ASCII; Chinese punctuation such as （） stays as
# people wrote it (NFKC would turn it into ASCII and change organization names).
HALF_WIDTH = str.maketrans(
    {
        chr(c): chr(c - 0xFEE0)
        for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
    }
)


def parse_text(value: Any, *, max_length: int = 100) -> str | None:
    """Full-width digits and letters made ASCII, trimmed, runs of whitespace (line breaks and
    full-width spaces too) as one space; blank → None."""
    text = cell_text(value).translate(HALF_WIDTH)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > max_length:
        raise CellError(f"不能超过{max_length}个字")
    return text or None


# Excel shows a long number as 1.20116E+17, and a CSV saved from it keeps that text.
SCIENTIFIC = re.compile(r"\d(\.\d+)?E\+?\d+", re.IGNORECASE)
ID_AS_NUMBER = "身份证号被存成了数字，末几位已丢失，请把该列设为文本后重新填写"


def parse_id_number(value: Any) -> str | None:
    """Full-width digits, spaces and lower-case x normalised, then core.validators. A number
    cell has lost its last digits (Excel keeps 15): report it, never guess."""
    if _is_number(value):
        raise CellError(ID_AS_NUMBER)
    text = cell_text(value)
    if not text:
        return None
    if SCIENTIFIC.fullmatch(unicodedata.normalize("NFKC", text).strip()):
        raise CellError(ID_AS_NUMBER)
    return _validated(validate_id_number, text)


def parse_mobile(value: Any) -> str | None:
    """core.validators' mobile; a number cell is fine (Excel stores 13800138000 as one)."""
    text = cell_text(value)
    return _validated(validate_mobile, text) if text else None


def _validated(validate: Callable[[str], str], text: str) -> str:
    try:
        return validate(text)
    except ValidationError as error:
        raise CellError(error.messages[0]) from None


@dataclass(frozen=True)
class Day:
    """A date as the file gave it: `precision` "day", or "month" for 198503 / 1985年3月."""

    date: Any  # datetime.date (the 1st of the month for month precision)
    precision: str = "day"


DAY_PATTERNS = (
    re.compile(r"(\d{4})[.\-/](\d{1,2})[.\-/](\d{1,2})(?: \d{1,2}:\d{2}(?::\d{2})?)?"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
MONTH_PATTERNS = (
    re.compile(r"(\d{4})[.\-/](\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月?"),
    re.compile(r"(\d{4})(\d{2})"),
)
UNKNOWN_DATE = "无法识别的日期，请写成1985-03-12"


def parse_day(value: Any) -> Day | None:
    """Real Excel dates, or text 1985.03.12, 1985-3-12, 1985/03/12, 1985年3月12日; 198503,
    1985.03, 1985-03 and 1985年3月 keep month precision. Number cells 19850312 and 198503
    count as that text; 1985.03 typed into Excel becomes a number too."""
    if isinstance(value, dt.datetime):
        return Day(value.date())
    if isinstance(value, dt.date):
        return Day(value)
    if isinstance(value, float) and not value.is_integer():
        return _month_of_number(value)
    text = unicodedata.normalize("NFKC", cell_text(value)).strip()
    if not text:
        return None
    text = re.sub(r"\s+", " ", text)
    for patterns, precision in ((DAY_PATTERNS, "day"), (MONTH_PATTERNS, "month")):
        for pattern in patterns:
            if match := pattern.fullmatch(text):
                return _day(text, precision, *map(int, match.groups()))
    raise CellError(UNKNOWN_DATE)


def _day(text: str, precision: str, year: int, month: int, day: int = 1) -> Day:
    try:
        return Day(dt.date(year, month, day), precision)
    except ValueError:
        raise CellError(f"“{text}”不是有效日期") from None


def _month_of_number(value: float) -> Day:
    """1985.03 → March 1985. Excel drops the trailing zero of 1985.10, so 1985.1 could be
    January or October: ask, never guess."""
    text = repr(value)
    if not re.fullmatch(r"\d{4}\.\d{1,2}", text):
        raise CellError(UNKNOWN_DATE)
    if text.endswith(".1"):
        raise CellError(f"“{text}”可能是1月也可能是10月，请写成{text[:4]}-01或{text[:4]}-10")
    year, month = text.split(".")
    return _day(text, "month", int(year), int(month))


def parse_choice(value: Any, choices: dict[str, str]) -> str | None:
    """A label or synonym (e.g. "男", "正式党员") → its code; CellError lists the labels."""
    key = match_key(value)
    if not key:
        return None
    index, labels = _choice_index(tuple(choices.items()))
    if key not in index:
        raise CellError(f"只能填写：{'、'.join(labels)}")
    return index[key]


@functools.lru_cache(maxsize=64)
def _choice_index(items: tuple) -> tuple[dict[str, str], list[str]]:
    """Normalised text → code, and the labels (the first text given for each code). Cached:
    a column's choices are the same for every row."""
    index, labels = {}, {}
    for text, code in items:
        index.setdefault(match_key(text), code)
        labels.setdefault(code, text)
    return index, list(labels.values())
