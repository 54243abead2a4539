"""What the roster and organization imports share: the plan, its rows and problems, and the
helpers that compare a file's values with the stored ones."""

import unicodedata
from dataclasses import dataclass, field
from functools import partial

from dangjian.core.errors import DomainError
from dangjian.core.imports import (
    Day,
    Parsed,
    ParsedRow,
    Problem,
    cell_text,
    parse_choice,
    parse_text,
    report_workbook,
)
from dangjian.core.spreadsheets import Table
from dangjian.orgs.models import DatePrecision, Organization

PREVIEW_ROWS = 500  # new rows a preview lists (all are counted)


def text_parser(max_length: int):
    return partial(parse_text, max_length=max_length)


def choice_parser(choices: dict[str, str]):
    return partial(parse_choice, choices=choices)


def codes_by_label(choices) -> dict[str, str]:
    return {label: code for code, label in choices.choices}


# A service's error names a model field; the problem names the column that holds it.
FIELD_COLUMNS = {
    "joined_on_precision": "joined_on",
    "full_member_on_precision": "full_member_on",
    "to_organization": "organization",
    **dict.fromkeys(Organization.UNIT_FIELDS, "unit"),
}


# ---------------------------------------------------------------- plans


@dataclass
class PlannedRow:
    number: int  # the row number the user sees
    data: dict  # the fields as the services' clean_* functions return them
    existing: object = None  # the member or organization this row matches, if any
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # header, old, new

    @property
    def action(self) -> str:
        if self.existing is None:
            return "create"
        return "update" if self.changes else "unchanged"


@dataclass
class Plan:
    table: Table
    parsed: Parsed
    problems: list[Problem] = field(default_factory=list)
    rows: list[PlannedRow] = field(default_factory=list)

    def _of(self, action: str) -> list[PlannedRow]:
        return [r for r in self.rows if r.action == action]

    @property
    def creates(self) -> list[PlannedRow]:
        return self._of("create")

    @property
    def updates(self) -> list[PlannedRow]:
        return self._of("update")

    @property
    def counts(self) -> dict[str, int]:
        actions = [r.action for r in self.rows]
        return {
            "created": actions.count("create"),
            "updated": actions.count("update"),
            "unchanged": actions.count("unchanged"),
        }

    @property
    def preview_creates(self) -> list[tuple[int, dict]]:
        """Row number and display texts (personal data masked) of the first new rows."""
        return [(r.number, self.texts(r.data)) for r in self.creates[:PREVIEW_ROWS]]

    def texts(self, values: dict) -> dict[str, str]:
        raise NotImplementedError

    def report(self, data: bytes) -> bytes:
        """The user's file with the problem cells filled red and a 问题说明 column."""
        return report_workbook(data, self.table, self.parsed, self.problems)

    def add_problem(self, row: ParsedRow, exc: DomainError) -> None:
        """A service's refusal as a problem on the cell of the field it names."""
        key = FIELD_COLUMNS.get(exc.field, exc.field)
        if key in self.parsed.headers:
            column, value = self.parsed.headers[key], cell_text(row.raw.get(key))
        else:
            column, value = "", ""
        self.problems.append(Problem(row.number, column, value, exc.message))

    def finish(self, noun: str) -> None:
        if not self.parsed.rows and not self.problems:
            self.problems.append(Problem(0, "", "", f"文件中没有{noun}数据"))
        self.problems.sort(key=lambda p: p.row)


def name_key(name: str) -> str:
    """Names compare as people mean them: full-width brackets and spaces do not matter."""
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def without_duplicates(plan: Plan, rows: list[ParsedRow], key: str, what: str) -> list:
    """Rows whose `key` value appears once; every occurrence of a repeated one is a problem."""
    seen: dict[str, list[ParsedRow]] = {}
    for row in rows:
        if row.values.get(key):
            seen.setdefault(name_key(str(row.values[key])), []).append(row)
    repeated = {k: rs for k, rs in seen.items() if len(rs) > 1}
    for same in repeated.values():
        numbers = "、".join(str(r.number) for r in same)
        for row in same:
            plan.add_problem(
                row, DomainError(f"{what}在文件中重复出现（第{numbers}行）", "", field=key)
            )
    bad = {r.number for rs in repeated.values() for r in rs}
    return [r for r in rows if r.number not in bad]


def day_label(day, precision: str = DatePrecision.DAY) -> str:
    if day is None:
        return ""
    if precision == DatePrecision.MONTH:
        return f"{day.year}年{day.month}月"
    return f"{day.year}年{day.month}月{day.day}日"


def knows_less(day: Day, stored, stored_precision: str = DatePrecision.DAY) -> bool:
    """The file gives only the month of a date stored to the day: not a change."""
    return (
        day.precision == DatePrecision.MONTH
        and stored_precision == DatePrecision.DAY
        and stored is not None
        and (stored.year, stored.month) == (day.date.year, day.date.month)
    )


def unless_same_text(given: dict, obj) -> dict:
    """Drop texts that differ from the stored ones only as the parser normalises them (full-width
    letters and brackets, spaces): reading a stored value back is no change."""
    return {
        k: v
        for k, v in given.items()
        if not (isinstance(v, str) and name_key(v) == name_key(str(getattr(obj, k) or "")))
    }


def changed_fields(
    keys: list[str], headers: dict, old: dict, new: dict
) -> list[tuple[str, str, str]]:
    return [(headers[k], old[k], new[k]) for k in headers if k in keys]


def refuse_with_problems(plan: Plan) -> None:
    if plan.problems:
        raise DomainError(
            f"文件中有{len(plan.problems)}处问题，未导入任何数据", "import_has_problems"
        )


# ---------------------------------------------------------------- organization names


class OrganizationNames:
    """Full names of organizations, found by full name or by a short name that names only one
    (a full name wins over another organization's short name)."""

    def __init__(self, orgs=()):
        self.names: dict[str, str] = {}
        self.shorts: dict[str, str | None] = {}  # None: two organizations use it
        for org in orgs:
            self.add(org.name, org.short_name)

    def add(self, name: str, short_name: str = "") -> None:
        self.names[name_key(name)] = name
        short = name_key(short_name)
        if short:
            self.shorts[short] = name if self.shorts.get(short, name) == name else None

    def find(self, text: str) -> str | None:
        key = name_key(text)
        return self.names.get(key) or self.shorts.get(key)


def not_found(text: str, field_name: str) -> DomainError:
    return DomainError(f"找不到党组织“{text}”", "organization_not_found", field=field_name)


def choice_label(choices, value) -> str:
    return dict(choices.choices).get(value, value or "")


def at_row(row: PlannedRow, action, *args, **kwargs):
    try:
        return action(*args, **kwargs)
    except DomainError as exc:
        raise DomainError(f"第{row.number}行：{exc.message}", exc.code, field=exc.field) from None
