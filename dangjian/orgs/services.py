"""Every write to organizations, members and units. Each function validates, writes and
audits in one transaction and raises DomainError with a Chinese message naming the field."""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from dangjian.core import audit
from dangjian.core.errors import DomainError
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.validators import (
    birth_date_from_id,
    gender_from_id,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
)
from dangjian.orgs.models import (
    Community,
    DatePrecision,
    Department,
    Enterprise,
    Grid,
    Institution,
    Member,
    MemberTransfer,
    Organization,
    Sector,
)
from dangjian.orgs.queries import chunks

MEMBER_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "education",
    "id_number",
    "phone",
    "joined_on",
    "full_member_on",
    "status",
    "post",
    "joined_on_precision",
    "full_member_on_precision",
)
ORGANIZATION_FIELDS = (
    "name",
    "short_name",
    "kind",
    "sector",
    "parent",
    "is_two_new",
    "founded_on",
    "term_ends_on",
    "secretary",
    "order",
    *Organization.UNIT_FIELDS,
)
# Personal data is written to the audit log masked.
MASKED_IN_AUDIT = {"id_number": mask_id_number, "phone": mask_phone}


def _checked(field: str, validator, value):
    try:
        return validator(value)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], exc.code or "invalid", field=field) from None


def name_pinyin(name: str) -> tuple[str, str]:
    """Full pinyin and initials, both lower case: 张三丰 → ("zhangsanfeng", "zsf")."""
    syllables = lazy_pinyin(name, errors="ignore")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(syllables).lower(), "".join(initials).lower()


# ---------------------------------------------------------------- members


def clean_member(data: dict, *, instance: Member | None = None) -> dict:
    """Validate and normalise member fields. Shared by single writes and batch imports."""
    data = dict(data)
    name = (data.get("name") or "").strip()
    if not name:
        raise DomainError("请填写姓名", "name_required", field="name")
    if len(name) > 50:
        raise DomainError("姓名不能超过50个字", "name_too_long", field="name")
    data["name"] = name
    data["id_number"] = _checked("id_number", validate_id_number, data.get("id_number"))
    phone = (data.get("phone") or "").strip()
    data["phone"] = _checked("phone", validate_mobile, phone) if phone else None
    _clean_gender(data)
    _clean_status(data)
    _clean_dates(data)
    for field in ("ethnicity", "post"):
        data[field] = (data.get(field) or "").strip() or ("汉族" if field == "ethnicity" else "")
    if data.get("education") and data["education"] not in Member.Education.values:
        raise DomainError("学历不在可选范围内", "education_invalid", field="education")
    data["education"] = data.get("education") or ""
    return data


def _clean_gender(data: dict) -> None:
    from_id = gender_from_id(data["id_number"])
    gender = data.get("gender") or from_id
    if gender not in Member.Gender.values:
        raise DomainError("性别只能是男或女", "gender_invalid", field="gender")
    if gender != from_id:
        raise DomainError("性别与身份证号不符", "gender_mismatch", field="gender")
    data["gender"] = gender


def _clean_status(data: dict) -> None:
    status = data.get("status") or Member.Status.FULL
    if status not in Member.Status.values:
        raise DomainError("党员状态不在可选范围内", "status_invalid", field="status")
    data["status"] = status


def _clean_dates(data: dict) -> None:
    today = timezone.localdate()
    born = birth_date_from_id(data["id_number"])
    joined, full = data.get("joined_on"), data.get("full_member_on")
    if joined:
        if joined > today:
            raise DomainError("入党日期不能晚于今天", "joined_future", field="joined_on")
        if joined < _add_years(born, 18):
            raise DomainError(
                "入党日期早于年满18周岁的日期，请核对", "joined_too_young", field="joined_on"
            )
    if full:
        if full > today:
            raise DomainError("转正日期不能晚于今天", "full_future", field="full_member_on")
        if joined and full < joined:
            raise DomainError(
                "转正日期不能早于入党日期", "full_before_joined", field="full_member_on"
            )
        if data["status"] == Member.Status.PROBATIONARY:
            raise DomainError(
                "预备党员不应有转正日期", "probationary_has_full_date", field="full_member_on"
            )
    data["joined_on"], data["full_member_on"] = joined or None, full or None
    for field in ("joined_on_precision", "full_member_on_precision"):
        precision = data.get(field) or DatePrecision.DAY
        if precision not in DatePrecision.values:
            raise DomainError("日期精度只能是日或月", "precision_invalid", field=field)
        data[field] = precision


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _check_member_unique(data: dict, *, exclude_pk=None) -> None:
    others = Member.objects.exclude(pk=exclude_pk)
    if others.filter(id_number=data["id_number"]).exists():
        raise DomainError(
            "该身份证号已登记为党员，请勿重复添加", "id_number_taken", field="id_number"
        )
    if data["phone"] and others.filter(phone=data["phone"]).exists():
        raise DomainError("该手机号已被其他党员使用", "phone_taken", field="phone")


def _save_unique(obj, *, message: str, code: str, field: str) -> None:
    """Save in a savepoint; a unique constraint lost to a concurrent write becomes a DomainError."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise DomainError(message, code, field=field) from None


def _require_organization(organization) -> Organization:
    if not isinstance(organization, Organization):
        raise DomainError("请选择所在党组织", "organization_required", field="organization")
    return organization


def create_member(*, by, organization: Organization, **fields) -> Member:
    data = clean_member({k: fields.get(k) for k in MEMBER_FIELDS})
    _require_organization(organization)
    check_new_member_status(data["status"])
    with transaction.atomic():
        _check_member_unique(data)
        member = Member(organization=organization, **data)
        member.name_pinyin, member.name_initials = name_pinyin(member.name)
        _save_unique(
            member, message="该身份证号或手机号已登记", code="member_taken", field="id_number"
        )
        audit.record(
            "orgs.member.created", member, actor=by, details={"organization": organization.name}
        )
    return member


def check_new_member_status(status: str) -> None:
    """A member enters the roster as a full or probationary member, never as one who left."""
    if status not in Member.ACTIVE_STATUSES:
        raise DomainError("新登记的党员应为正式党员或预备党员", "status_invalid", field="status")


def create_members(
    rows: Iterable[dict],
    *,
    by,
    source: str,
    audit_action: str = "orgs.member.batch_created",
    details: dict | None = None,
) -> list[Member]:
    """Create many members at once: every row is validated first, then all are written in one
    transaction with one audit entry. Rows carry an `organization` plus member fields, and may
    carry the `row` number their file shows (errors name it). A caller whose batch is part of a
    larger operation (a roster import) names the one entry's action and adds its details."""
    members, seen_ids, seen_phones = [], set(), set()
    for index, row in enumerate(rows, start=1):
        number = row.get("row") or index
        try:
            data = clean_member({k: row.get(k) for k in MEMBER_FIELDS})
            _require_organization(row.get("organization"))
            check_new_member_status(data["status"])
        except DomainError as exc:
            raise DomainError(f"第{number}行：{exc.message}", exc.code, field=exc.field) from None
        if data["id_number"] in seen_ids or (data["phone"] and data["phone"] in seen_phones):
            raise DomainError(
                f"第{number}行：身份证号或手机号与前面的行重复", "duplicate_row", field="id_number"
            )
        seen_ids.add(data["id_number"])
        seen_phones.add(data["phone"])
        member = Member(organization=row["organization"], **data)
        member.name_pinyin, member.name_initials = name_pinyin(member.name)
        members.append(member)
    with transaction.atomic():
        _check_batch_unique(seen_ids, seen_phones - {None})
        Member.objects.bulk_create(members, batch_size=500)
        audit.record(
            audit_action,
            actor=by,
            details={"source": source, "count": len(members), **(details or {})},
        )
    return members


def _check_batch_unique(id_numbers: set, phones: set) -> None:
    for chunk in chunks(id_numbers):
        taken = Member.objects.filter(id_number__in=chunk).values_list("id_number", flat=True)
        if taken:
            raise DomainError(
                f"身份证号 {mask_id_number(taken[0])} 已登记为党员",
                "id_number_taken",
                field="id_number",
            )
    for chunk in chunks(phones):
        taken = Member.objects.filter(phone__in=chunk).values_list("phone", flat=True)
        if taken:
            raise DomainError(
                f"手机号 {mask_phone(taken[0])} 已被其他党员使用", "phone_taken", field="phone"
            )


def update_member(member: Member, *, by, **changes) -> Member:
    """Edit a member's own data. Organization and status change through their own services."""
    forbidden = {"organization", "status"} & changes.keys()
    if forbidden:
        raise DomainError(
            "所在党组织和党员状态请通过组织关系转接或状态变更办理",
            "use_dedicated_service",
            field=forbidden.pop(),
        )
    current = {k: getattr(member, k) for k in MEMBER_FIELDS}
    data = clean_member({**current, **changes})
    changed = {k: v for k, v in data.items() if v != current[k]}
    if not changed:
        return member
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        _check_member_unique(data, exclude_pk=member.pk)
        for field, value in changed.items():
            setattr(member, field, value)
        member.name_pinyin, member.name_initials = name_pinyin(member.name)
        _save_unique(
            member, message="该身份证号或手机号已登记", code="member_taken", field="id_number"
        )
        audit.record(
            "orgs.member.updated",
            member,
            actor=by,
            details={"changed": _audit_changes(current, changed)},
        )
    return member


def _audit_changes(before: dict, changed: dict) -> dict:
    def show(field, value):
        mask = MASKED_IN_AUDIT.get(field)
        return mask(value) if mask else (str(value) if value is not None else "")

    return {f: [show(f, before.get(f)), show(f, v)] for f, v in changed.items()}


def check_transfer(member: Member, to_organization: Organization) -> None:
    """May `member` move to `to_organization`? For transfer_member and for imports that plan one."""
    if not member.is_active_member:
        raise DomainError(
            f"该党员状态为“{member.get_status_display()}”，不能转接",
            "member_inactive",
            field="status",
        )
    if member.organization_id == to_organization.pk:
        raise DomainError(
            "转入党组织与当前所在党组织相同", "same_organization", field="to_organization"
        )


def transfer_member(
    member: Member,
    to_organization: Organization,
    *,
    by,
    on: dt.date | None = None,
    reason: str = "",
) -> MemberTransfer:
    """Move a member to another organization in the district, keeping the history."""
    _require_organization(to_organization)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise DomainError("转接日期不能晚于今天", "transfer_future", field="transferred_on")
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        check_transfer(member, to_organization)
        transfer = MemberTransfer.objects.create(
            member=member,
            from_organization=member.organization,
            to_organization=to_organization,
            transferred_on=on,
            reason=reason.strip(),
            created_by=by if by and by.is_authenticated else None,
        )
        Organization.objects.filter(pk=member.organization_id, secretary=member).update(
            secretary=None
        )
        member.organization = to_organization
        member.save(update_fields=["organization", "updated_at"])
        audit.record(
            "orgs.member.transferred",
            member,
            actor=by,
            details={
                "from": transfer.from_organization.name,
                "to": to_organization.name,
                "on": on.isoformat(),
                "reason": transfer.reason,
            },
        )
    return transfer


STATUS_CHANGES = {
    Member.Status.PROBATIONARY: {
        Member.Status.FULL,
        Member.Status.TRANSFERRED_OUT,
        Member.Status.DECEASED,
    },
    Member.Status.FULL: {Member.Status.TRANSFERRED_OUT, Member.Status.DECEASED},
    Member.Status.TRANSFERRED_OUT: {Member.Status.FULL, Member.Status.PROBATIONARY},
    Member.Status.DECEASED: set(),
}


def check_status_change(member: Member, status: str, *, reason: str = "") -> None:
    """May `member` change to `status`? For change_member_status and for imports."""
    if status not in STATUS_CHANGES.get(member.status, set()):
        raise DomainError(
            f"不能从“{member.get_status_display()}”变更为“{_status_label(status)}”",
            "status_change_invalid",
            field="status",
        )
    if status != Member.Status.FULL and not reason.strip():
        raise DomainError("请填写变更原因", "reason_required", field="reason")


def change_member_status(
    member: Member, status: str, *, by, reason: str = "", on: dt.date | None = None
) -> Member:
    """Make a probationary member full, or take a member off the active roster. History stays."""
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        check_status_change(member, status, reason=reason)
        old = member.status
        member.status = status
        fields = ["status", "updated_at"]
        if old == Member.Status.PROBATIONARY and status == Member.Status.FULL:
            member.full_member_on = on or timezone.localdate()
            fields.append("full_member_on")
        member.save(update_fields=fields)
        if status not in Member.ACTIVE_STATUSES and member.user_id:
            # Off the roster, off the platform: the account stops logging in.
            get_user_model().objects.filter(pk=member.user_id).update(is_active=False)
        audit.record(
            "orgs.member.status_changed",
            member,
            actor=by,
            details={"from": old, "to": status, "reason": reason.strip()},
        )
    return member


def _status_label(status: str) -> str:
    return dict(Member.Status.choices).get(status, status)


# ---------------------------------------------------------------- organizations


def clean_organization(data: dict, *, instance: Organization | None = None) -> dict:
    data = dict(data)
    data["name"] = (data.get("name") or "").strip()
    data["short_name"] = (data.get("short_name") or "").strip()
    if not data["name"]:
        raise DomainError("请填写党组织名称", "name_required", field="name")
    if data.get("kind") not in Organization.Kind.values:
        raise DomainError("请选择党组织类型（党委、党总支或党支部）", "kind_invalid", field="kind")
    _clean_parent(data, instance)
    _clean_sector(data)
    units = [f for f in Organization.UNIT_FIELDS if data.get(f)]
    if len(units) > 1:
        raise DomainError("党组织只能隶属于一个单位", "multiple_units", field=units[1])
    if instance and data["kind"] == Organization.Kind.BRANCH and instance.children.exists():
        raise DomainError(
            "该党组织有下级党组织，不能改为党支部", "branch_with_children", field="kind"
        )
    founded, term_end = data.get("founded_on"), data.get("term_ends_on")
    if founded and founded > timezone.localdate():
        raise DomainError("成立日期不能晚于今天", "founded_future", field="founded_on")
    if founded and term_end and term_end < founded:
        raise DomainError("届满日期不能早于成立日期", "term_before_founded", field="term_ends_on")
    secretary = data.get("secretary")
    if secretary and (instance is None or secretary.organization_id != instance.pk):
        raise DomainError("书记须是本党组织的党员", "secretary_not_member", field="secretary")
    data["is_two_new"] = bool(data.get("is_two_new"))
    data["order"] = data.get("order") or 0
    return data


def _clean_parent(data: dict, instance: Organization | None) -> None:
    parent = data.get("parent")
    if parent is None:
        return
    if parent.kind == Organization.Kind.BRANCH:
        raise DomainError("党支部不能设下级党组织", "parent_is_branch", field="parent")
    if instance and (parent.pk == instance.pk or parent.path.startswith(instance.path)):
        raise DomainError("上级党组织不能是本组织或其下级组织", "parent_cycle", field="parent")


def _clean_sector(data: dict) -> None:
    sector, parent = data.get("sector"), data.get("parent")
    if sector is not None and not isinstance(sector, Sector):
        raise DomainError("请选择领域", "sector_invalid", field="sector")
    if sector is None and data["kind"] == Organization.Kind.BRANCH:
        if parent is None or parent.sector is None:
            raise DomainError("党支部须选择所属领域", "sector_required", field="sector")
        data["sector"] = parent.sector  # a branch inherits its parent's single sector


def _check_organization_unique(data: dict, *, exclude_pk=None) -> None:
    others = Organization.objects.exclude(pk=exclude_pk)
    if others.filter(name=data["name"]).exists():
        raise DomainError("已有同名党组织", "name_taken", field="name")
    if data["short_name"] and others.filter(short_name=data["short_name"]).exists():
        raise DomainError("已有党组织使用该简称", "short_name_taken", field="short_name")


def check_placement(user, parent: Organization | None) -> None:
    """Who may put an organization where: only a district-wide manager makes top-level
    organizations; others create and move organizations under ones they manage."""
    from dangjian.accounts.permissions import MANAGE_ORGANIZATIONS, has_perm, scope_for

    if parent is None and not scope_for(user, MANAGE_ORGANIZATIONS).everything:
        raise DomainError(
            "请选择上级党组织：您只能在所管理的党组织下新建或调整",
            "parent_required",
            field="parent",
        )
    if parent is not None and not has_perm(user, MANAGE_ORGANIZATIONS, parent):
        raise DomainError("所选上级党组织不在您的管理范围内", "parent_out_of_scope", field="parent")


def create_organization(*, by, **fields) -> Organization:
    data = clean_organization({k: fields.get(k) for k in ORGANIZATION_FIELDS})
    with transaction.atomic():
        _check_organization_unique(data)
        org = Organization(**data)
        _save_unique(org, message="已有同名党组织", code="name_taken", field="name")
        _set_path(org)
        audit.record(
            "orgs.organization.created",
            org,
            actor=by,
            details={"parent": org.parent.name if org.parent else ""},
        )
    return org


def _set_path(org: Organization) -> None:
    parent = org.parent
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.depth = parent.depth + 1 if parent else 0
    org.save(update_fields=["path", "depth"])


def update_organization(org: Organization, *, by, **changes) -> Organization:
    current = {k: getattr(org, k) for k in ORGANIZATION_FIELDS}
    data = clean_organization({**current, **changes}, instance=org)
    changed = {k: v for k, v in data.items() if v != current[k]}
    if not changed:
        return org
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        _check_organization_unique(data, exclude_pk=org.pk)
        old_path, old_depth = org.path, org.depth
        for field, value in changed.items():
            setattr(org, field, value)
        _save_unique(org, message="已有同名党组织", code="name_taken", field="name")
        if "parent" in changed:
            _set_path(org)
            _move_descendants(old_path, old_depth, org)
        audit.record(
            "orgs.organization.updated",
            org,
            actor=by,
            details={"changed": _audit_changes(current, changed)},
        )
    return org


def _move_descendants(old_path: str, old_depth: int, org: Organization) -> None:
    descendants = Organization.objects.filter(path__startswith=old_path).exclude(pk=org.pk)
    moved = []
    for child in descendants:
        child.path = org.path + child.path[len(old_path) :]
        child.depth = child.depth - old_depth + org.depth
        moved.append(child)
    Organization.objects.bulk_update(moved, ["path", "depth"])


# ---------------------------------------------------------------- units


def create_department(
    *, by, name: str, short_name: str = "", runs_campaign: bool = False, order: int = 0
) -> Department:
    name = name.strip()
    if not name:
        raise DomainError("请填写部门名称", "name_required", field="name")
    with transaction.atomic():
        if Department.objects.filter(name=name).exists():
            raise DomainError("已有同名部门", "name_taken", field="name")
        department = Department.objects.create(
            name=name, short_name=short_name.strip(), runs_campaign=runs_campaign, order=order
        )
        audit.record("orgs.department.created", department, actor=by)
    return department


def create_community(
    *, by, name: str, address: str = "", grids: Iterable[str] = (), order: int = 0
) -> Community:
    name = name.strip()
    if not name:
        raise DomainError("请填写社区名称", "name_required", field="name")
    grid_names = [g.strip() for g in grids if g.strip()]
    if len(set(grid_names)) != len(grid_names):
        raise DomainError("网格名称重复", "grid_duplicate", field="grids")
    with transaction.atomic():
        if Community.objects.filter(name=name).exists():
            raise DomainError("已有同名社区", "name_taken", field="name")
        community = Community.objects.create(name=name, address=address.strip(), order=order)
        Grid.objects.bulk_create(Grid(community=community, name=g) for g in grid_names)
        audit.record(
            "orgs.community.created", community, actor=by, details={"grids": len(grid_names)}
        )
    return community


def create_enterprise(
    *,
    by,
    name: str,
    credit_code: str,
    industry: str = "",
    community: Community | None = None,
    address: str = "",
) -> Enterprise:
    name = name.strip()
    if not name:
        raise DomainError("请填写企业名称", "name_required", field="name")
    code = _checked("credit_code", validate_credit_code, credit_code)
    with transaction.atomic():
        if Enterprise.objects.filter(credit_code=code).exists():
            raise DomainError("该统一社会信用代码已登记", "credit_code_taken", field="credit_code")
        enterprise = Enterprise.objects.create(
            name=name,
            credit_code=code,
            industry=industry.strip(),
            community=community,
            address=address.strip(),
        )
        audit.record("orgs.enterprise.created", enterprise, actor=by)
    return enterprise


def create_institution(*, by, name: str, kind: str) -> Institution:
    name = name.strip()
    if not name:
        raise DomainError("请填写单位名称", "name_required", field="name")
    if kind not in Institution.Kind.values:
        raise DomainError("请选择单位类型", "kind_invalid", field="kind")
    with transaction.atomic():
        if Institution.objects.filter(name=name).exists():
            raise DomainError("已有同名单位", "name_taken", field="name")
        institution = Institution.objects.create(name=name, kind=kind)
        audit.record("orgs.institution.created", institution, actor=by)
    return institution


def reveal_personal_data(member: Member, *, by) -> dict:
    """The full ID number and phone, for a viewer who holds the right; every look is audited.
    The caller checks the right (has_perm … can_view_personal_data)."""
    audit.record("orgs.member.personal_data_viewed", member, actor=by)
    return {"id_number": member.id_number, "phone": member.phone or ""}
