"""The member roster import (rules in the package's docstring)."""

import copy
import hashlib
from dataclasses import dataclass

from django.db import transaction

from dangjian.accounts.permissions import MANAGE_MEMBERS, VIEW_ORGS, scope_for
from dangjian.core.errors import DomainError
from dangjian.core.imports import (
    Column,
    ParsedRow,
    parse_day,
    parse_id_number,
    parse_mobile,
    parse_table,
)
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.spreadsheets import read_table
from dangjian.orgs import queries, services
from dangjian.orgs.imports.common import (
    FIELD_COLUMNS,
    OrganizationNames,
    Plan,
    PlannedRow,
    at_row,
    changed_fields,
    choice_label,
    choice_parser,
    codes_by_label,
    day_label,
    knows_less,
    not_found,
    refuse_with_problems,
    text_parser,
    unless_same_text,
    without_duplicates,
)
from dangjian.orgs.models import Member, Organization

IMPORT_REASON = "名册导入"
OUTSIDE_SCOPE = "该身份证号已登记在您管理范围以外的党组织，请联系上级党组织办理转接"


GENDERS = {**codes_by_label(Member.Gender), "男性": "M", "女性": "F"}
EDUCATION = {
    **codes_by_label(Member.Education),
    "硕士": "postgraduate",
    "博士": "postgraduate",
    "硕士研究生": "postgraduate",
    "博士研究生": "postgraduate",
    "本科": "bachelor",
    "大专": "college",
    "专科": "college",
    "高中": "secondary",
    "中专": "secondary",
    "高中/中专": "secondary",
    "初中": "junior",
    "小学": "junior",
}
STATUSES = {**codes_by_label(Member.Status), "正式": "full", "预备": "probationary"}


# The template's and the export's layout, in this order (orgs.exports reuses it).
MEMBER_COLUMNS = [
    Column("name", "姓名", ("党员姓名",), text_parser(50), required=True, note="必填"),
    Column(
        "id_number",
        "身份证号",
        ("公民身份号码", "身份证号码"),
        parse_id_number,
        required=True,
        note="必填，18位。请把这一列设为“文本”格式，否则Excel会丢掉后几位",
    ),
    Column("gender", "性别", (), choice_parser(GENDERS), note="男或女；不填则按身份证号"),
    Column("ethnicity", "民族", (), text_parser(20), note="如“汉族”；新登记的党员不填则为汉族"),
    Column(
        "education",
        "学历",
        (),
        choice_parser(EDUCATION),
        note="研究生、大学本科、大学专科、中专/高中、初中及以下",
    ),
    Column(
        "phone",
        "手机号",
        ("手机", "手机号码", "联系电话"),
        parse_mobile,
        note="11位手机号，每名党员各不相同；党员用它登录",
    ),
    Column(
        "organization",
        "所在党组织",
        ("所属支部", "党支部", "所属党组织"),
        text_parser(100),
        required=True,
        note="必填，党组织全称或简称；与系统中不同即办理组织关系转接",
    ),
    Column(
        "joined_on",
        "入党日期",
        ("入党时间",),
        parse_day,
        note="如1985-03-12；只知道年月可填1985-03",
    ),
    Column("full_member_on", "转正日期", ("转正时间",), parse_day, note="预备党员不填"),
    Column(
        "status",
        "党员类别",
        ("人员类别", "党员状态"),
        choice_parser(STATUSES),
        note="正式党员或预备党员；新登记的党员不填则为正式党员",
    ),
    Column("post", "职务", (), text_parser(100), note="如“组织委员”，可不填"),
]


MEMBER_HEADERS = {c.key: c.header for c in MEMBER_COLUMNS}


class MemberPlan(Plan):
    def texts(self, values: dict) -> dict[str, str]:
        return member_texts(values)


MEMBER_TEXT_FIELDS = ("name", "id_number", "gender", "ethnicity", "education", "phone", "post")


def plan_member_import(data: bytes, filename: str, *, user) -> MemberPlan:
    """Everything the roster import would do, and every problem it finds; writes nothing.
    Raises SpreadsheetError when the file as a whole cannot be read."""
    table = read_table(data, filename=filename)
    parsed = parse_table(table, MEMBER_COLUMNS)
    plan = MemberPlan(table=table, parsed=parsed, problems=list(parsed.problems))
    rows = without_duplicates(plan, parsed.rows, "id_number", "身份证号")
    rows = without_duplicates(plan, rows, "phone", "手机号")
    visible = {o.name: o for o in Organization.objects.visible_to(user, VIEW_ORGS)}
    context = _MemberContext(
        orgs=visible,
        names=OrganizationNames(visible.values()),
        manageable=scope_for(user, MANAGE_MEMBERS),
        members=queries.members_by_id_number(r.values["id_number"] for r in rows),
        phones=queries.phone_holders(r.values["phone"] for r in rows if r.values.get("phone")),
    )
    for row in rows:
        try:
            plan.rows.append(_plan_member(row, context))
        except DomainError as exc:
            plan.add_problem(row, exc)
    plan.finish("党员")
    return plan


@dataclass
class _MemberContext:
    orgs: dict[str, Organization]  # the organizations the user sees, by full name
    names: OrganizationNames  # …found by full or short name
    manageable: object  # the user's Scope for can_manage_members
    members: dict[str, Member]  # existing members by ID number
    phones: dict[str, str]  # phone → ID number of the member who has it


def _plan_member(row: ParsedRow, context: _MemberContext) -> PlannedRow:
    values = row.values
    member = context.members.get(values["id_number"])
    if member is not None and not context.manageable.covers_path(member.organization.path):
        raise DomainError(OUTSIDE_SCOPE, "member_out_of_scope", field="id_number")
    org = _member_organization(values["organization"], context)
    current = {k: getattr(member, k) for k in services.MEMBER_FIELDS} if member else {}
    data = services.clean_member({**current, **_member_given(values, member)}, instance=member)
    holder = context.phones.get(data["phone"])
    if holder and holder != data["id_number"]:
        raise DomainError("该手机号已被其他党员使用", "phone_taken", field="phone")
    data["organization"] = org
    if member is None:
        services.check_new_member_status(data["status"])
        return PlannedRow(row.number, data)
    return PlannedRow(row.number, data, member, _member_changes(member, current, data))


def _member_organization(text: str, context: _MemberContext) -> Organization:
    org = context.orgs.get(context.names.find(text))
    if org is None:
        raise not_found(text, "organization")
    if not context.manageable.covers_path(org.path):
        raise DomainError(
            f"党组织“{text}”不在您的管理范围内", "organization_out_of_scope", field="organization"
        )
    return org


def _member_given(values: dict, member: Member | None) -> dict:
    """The member fields the file gives: non-blank cells only (a blank keeps the stored value)."""
    given = {k: values[k] for k in MEMBER_TEXT_FIELDS if values.get(k) not in (None, "")}
    if member is not None:
        given = unless_same_text(given, member)
    if values.get("status"):
        given["status"] = values["status"]
    for key in ("joined_on", "full_member_on"):
        day = values.get(key)
        stored = (getattr(member, key), getattr(member, f"{key}_precision")) if member else (None,)
        if day is not None and not knows_less(day, *stored):
            given[key], given[f"{key}_precision"] = day.date, day.precision
    return given


def _member_changes(member: Member, current: dict, data: dict) -> list:
    changed = [FIELD_COLUMNS.get(f, f) for f in services.MEMBER_FIELDS if data[f] != current[f]]
    if data["status"] != member.status:
        _check_import_status(member, data["status"])
    if data["organization"].pk != member.organization_id:
        changed.append("organization")
        services.check_transfer(_with_status(member, data["status"]), data["organization"])
    old = member_texts({**current, "organization": member.organization})
    return changed_fields(changed, MEMBER_HEADERS, old, member_texts(data))


def _with_status(member: Member, status: str) -> Member:
    """The member as the import leaves them: a status change comes before a transfer."""
    after = copy.copy(member)
    after.status = status
    return after


def _check_import_status(member: Member, status: str) -> None:
    if status not in Member.ACTIVE_STATUSES:
        raise DomainError(
            "名册导入不办理党员转出或去世，请在党员页面办理状态变更",
            "status_off_roster_by_import",
            field="status",
        )
    services.check_status_change(member, status, reason=IMPORT_REASON)


def member_texts(values: dict) -> dict[str, str]:
    """A member's fields as the preview shows them; ID number and phone masked."""
    org = values["organization"]
    return {
        "name": values["name"],
        "id_number": mask_id_number(values["id_number"]),
        "gender": choice_label(Member.Gender, values["gender"]),
        "ethnicity": values["ethnicity"],
        "education": choice_label(Member.Education, values["education"]),
        "phone": mask_phone(values["phone"]),
        "organization": org.name if org else "",
        "joined_on": day_label(values["joined_on"], values["joined_on_precision"]),
        "full_member_on": day_label(values["full_member_on"], values["full_member_on_precision"]),
        "status": choice_label(Member.Status, values["status"]),
        "post": values["post"],
    }


def commit_member_import(plan: MemberPlan, *, user, filename: str, data: bytes) -> dict:
    """Write a plan without problems in one transaction: updates, transfers and status changes
    first (a phone freed by an update may go to a new member), then the new members in one
    batch that writes the import's one audit entry. Returns the counts."""
    refuse_with_problems(plan)
    counts = plan.counts
    with transaction.atomic():
        for row in plan.updates:
            at_row(row, _update_member, row, by=user)
        services.create_members(
            [{**r.data, "row": r.number} for r in plan.creates],
            by=user,
            source=filename,
            audit_action="orgs.member.imported",
            details={"sha256": hashlib.sha256(data).hexdigest(), **counts},
        )
    return counts


def _update_member(row: PlannedRow, *, by) -> None:
    member, data = row.existing, row.data
    if data["status"] != member.status:
        member = services.change_member_status(
            member, data["status"], by=by, reason=IMPORT_REASON, on=data["full_member_on"]
        )
    own = {f: data[f] for f in services.MEMBER_FIELDS if f != "status"}
    member = services.update_member(member, by=by, **own)
    if data["organization"].pk != member.organization_id:
        services.transfer_member(member, data["organization"], by=by, reason=IMPORT_REASON)
