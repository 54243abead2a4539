"""Workbooks of members and organizations in the import layout, so an export is a valid import,
and the blank import templates. Columns come from orgs.imports: one layout for both ways."""

from django.db.models import QuerySet

from dangjian.accounts.permissions import VIEW_PERSONAL_DATA, scope_for
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.spreadsheets import Sheet, write_workbook
from dangjian.orgs.imports import MEMBER_COLUMNS, ORGANIZATION_COLUMNS
from dangjian.orgs.models import DatePrecision, Member, Organization, Sector

MEMBER_SHEET = "党员名册"
ORGANIZATION_SHEET = "党组织"
WIDE = {"身份证号": 22, "所在党组织": 36, "名称": 36, "上级党组织": 36, "所属单位": 30}


def day_text(day, precision: str = DatePrecision.DAY) -> str:
    """1985-03-12, or 1985-03 when only the month is known (what parse_day reads back)."""
    if day is None:
        return ""
    return f"{day:%Y-%m}" if precision == DatePrecision.MONTH else f"{day:%Y-%m-%d}"


def member_values(member: Member, *, full: bool) -> dict:
    return {
        "name": member.name,
        "id_number": member.id_number if full else mask_id_number(member.id_number),
        "gender": member.get_gender_display(),
        "ethnicity": member.ethnicity,
        "education": member.get_education_display() if member.education else "",
        "phone": (member.phone if full else mask_phone(member.phone)) or "",
        "organization": member.organization.name,
        "joined_on": day_text(member.joined_on, member.joined_on_precision),
        "full_member_on": day_text(member.full_member_on, member.full_member_on_precision),
        "status": member.get_status_display(),
        "post": member.post,
    }


def members_workbook(members: QuerySet[Member], *, user) -> tuple[bytes, int, int]:
    """The members as an import-layout workbook. ID numbers and phones are full only where the
    user holds the personal-data right; returns (bytes, rows, rows with full values)."""
    personal = scope_for(user, VIEW_PERSONAL_DATA)
    rows, full_rows = [], 0
    for member in members.select_related("organization").order_by(
        "organization__path", "name_pinyin", "id_number"
    ):
        full = personal.covers_path(member.organization.path)
        full_rows += full
        values = member_values(member, full=full)
        rows.append([values[c.key] for c in MEMBER_COLUMNS])
    sheet = _sheet(MEMBER_SHEET, MEMBER_COLUMNS, rows)
    return write_workbook([sheet]), len(rows), full_rows


def organization_values(org: Organization, names: dict[int, str]) -> dict:
    return {
        "name": org.name,
        "short_name": org.short_name,
        "kind": org.get_kind_display(),
        "sector": org.sector.name if org.sector else "",
        "parent": names.get(org.parent_id, ""),
        "unit": str(org.unit or ""),
        "is_two_new": "是" if org.is_two_new else "否",
        "founded_on": day_text(org.founded_on),
        "term_ends_on": day_text(org.term_ends_on),
    }


def organizations_workbook(orgs: QuerySet[Organization]) -> tuple[bytes, int]:
    """Organizations in tree order (parents before children), so the file imports as is."""
    orgs = list(
        orgs.select_related(
            "sector", "department", "community", "enterprise", "institution"
        ).order_by("depth", "path")
    )
    names = dict(Organization.objects.values_list("pk", "name"))
    rows = [[organization_values(o, names)[c.key] for c in ORGANIZATION_COLUMNS] for o in orgs]
    return write_workbook([_sheet(ORGANIZATION_SHEET, ORGANIZATION_COLUMNS, rows)]), len(rows)


def _sheet(title: str, columns, rows: list[list], choices: dict | None = None) -> Sheet:
    return Sheet(
        title=title,
        header=[c.header for c in columns],
        rows=rows,
        notes={c.header: c.note for c in columns if c.note},
        choices=choices or {},
        widths={c.header: WIDE.get(c.header, 14) for c in columns},
    )


# ---------------------------------------------------------------- templates

MEMBER_EXAMPLE = {
    "name": "张三",
    "id_number": "11010519491231002X",
    "gender": "女",
    "ethnicity": "汉族",
    "education": "大学本科",
    "phone": "13800000000",
    "joined_on": "1975-07-01",
    "full_member_on": "1976-07-01",
    "status": "正式党员",
    "post": "科员",
}


def member_template(organizations: QuerySet[Organization]) -> bytes:
    """Header, one example row, notes on the headers and drop-downs for gender, status and the
    organizations the user may import into."""
    names = list(organizations.order_by("path").values_list("name", flat=True))
    example = {**MEMBER_EXAMPLE, "organization": names[0] if names else ""}
    choices = {
        _header(MEMBER_COLUMNS, "gender"): list(Member.Gender.labels),
        _header(MEMBER_COLUMNS, "status"): ["正式党员", "预备党员"],
        _header(MEMBER_COLUMNS, "education"): list(Member.Education.labels),
        _header(MEMBER_COLUMNS, "organization"): names,
    }
    row = [example.get(c.key, "") for c in MEMBER_COLUMNS]
    return write_workbook([_sheet(MEMBER_SHEET, MEMBER_COLUMNS, [row], choices)])


def organization_template(parents: QuerySet[Organization]) -> bytes:
    names = list(parents.order_by("path").values_list("name", flat=True))
    example = {
        "name": "示例党支部",
        "short_name": "示例支部",
        "kind": "党支部",
        "sector": "企业",
        "parent": names[0] if names else "",
        "is_two_new": "是",
        "founded_on": "2021-07-01",
    }
    choices = {
        _header(ORGANIZATION_COLUMNS, "kind"): list(Organization.Kind.labels),
        _header(ORGANIZATION_COLUMNS, "sector"): list(
            Sector.objects.values_list("name", flat=True)
        ),
        _header(ORGANIZATION_COLUMNS, "parent"): names,
        _header(ORGANIZATION_COLUMNS, "is_two_new"): ["是", "否"],
    }
    row = [example.get(c.key, "") for c in ORGANIZATION_COLUMNS]
    return write_workbook([_sheet(ORGANIZATION_SHEET, ORGANIZATION_COLUMNS, [row], choices)])


def _header(columns, key: str) -> str:
    return next(c.header for c in columns if c.key == key)
