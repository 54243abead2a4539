"""API of organizations and members: the same services, scopes and masking as the pages.

Objects are fetched through `visible_to(user)`, so another scope's object is a 404; one the
user sees but may not change is a 403. Ids in a body that name nothing the user can see are a
400 naming the field. Responses carry ID numbers and phones masked; the full values come only
from `/members/{id}/personal-data`, which is audited."""

import datetime as dt
from contextlib import contextmanager
from typing import Literal

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import ConfigDict

from dangjian.accounts.permissions import (
    MANAGE_MEMBERS,
    MANAGE_ORGANIZATIONS,
    VIEW_ORGS,
    VIEW_PERSONAL_DATA,
    capabilities,
    has_perm,
)
from dangjian.core.api import MAX_ID, Input, Paging, errors, forbidden, paginate
from dangjian.core.errors import DomainError
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.orgs import queries, services
from dangjian.orgs.models import (
    Community,
    Department,
    Enterprise,
    Institution,
    Member,
    Organization,
    Sector,
)

router = Router()
ORGS, MEMBERS = ["党组织"], ["党员"]

Kind = Literal[tuple(Organization.Kind.values)]
MemberStatus = Literal[tuple(Member.Status.values)]
Gender = Literal[tuple(Member.Gender.values)]
Education = Literal[tuple(Member.Education.values)]
KINDS = "committee 党委 / general_branch 党总支 / branch 党支部"


def _id(title: str, description: str = "", default=None):
    return Field(default, ge=1, le=MAX_ID, title=title, description=description or None)


def _path_id():
    return Path(..., ge=1, le=MAX_ID, title="编号")


# ---------------------------------------------------------------- schemas


class Strict(Input):
    """A request body: unknown fields are refused rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class OrganizationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str = Field(description=KINDS)
    kind_label: str
    sector: str | None = Field(None, description="领域代码")
    parent_id: int | None
    depth: int
    is_two_new: bool
    founded_on: dt.date | None
    term_ends_on: dt.date | None
    secretary_id: int | None
    department_id: int | None
    community_id: int | None
    enterprise_id: int | None
    institution_id: int | None
    order: int

    @staticmethod
    def resolve_kind_label(org: Organization) -> str:
        return org.get_kind_display()

    @staticmethod
    def resolve_sector(org: Organization) -> str | None:
        return org.sector.code if org.sector_id else None


class OrganizationPatch(Strict):
    """Only the fields sent are changed."""

    name: str | None = Field(None, max_length=100, title="名称")
    short_name: str | None = Field(None, max_length=50, title="简称")
    kind: Kind | None = Field(None, title="类型", description=KINDS)
    sector: str | None = Field(None, max_length=20, title="领域", description="领域代码")
    parent_id: int | None = _id("上级党组织", "编号；null 为顶级党组织")
    is_two_new: bool | None = Field(None, title="“两新”组织")
    founded_on: dt.date | None = Field(None, title="成立日期")
    term_ends_on: dt.date | None = Field(None, title="届满日期")
    secretary_id: int | None = _id("书记", "本党组织党员的编号")
    department_id: int | None = _id("所属部门")
    community_id: int | None = _id("所属社区")
    enterprise_id: int | None = _id("所属企业")
    institution_id: int | None = _id("所属单位")
    order: int | None = Field(None, ge=0, le=2**31 - 1, title="排序")


class OrganizationIn(OrganizationPatch):
    name: str = Field(max_length=100, title="名称")
    short_name: str = Field("", max_length=50, title="简称")
    kind: Kind = Field(title="类型", description=KINDS)
    is_two_new: bool = Field(False, title="“两新”组织")
    order: int = Field(0, ge=0, le=2**31 - 1, title="排序")


class OrganizationFilters(Paging):
    kind: Kind | None = Field(None, title="类型", description=KINDS)
    sector: str | None = Field(None, max_length=20, title="领域", description="领域代码")
    parent: int | None = _id("上级党组织", "只列其直属下级")
    q: str = Field("", max_length=50, title="搜索", description="名称或简称中的文字")


class OrganizationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[OrganizationOut]


class MemberOut(Schema):
    id: int
    name: str
    gender: str
    ethnicity: str
    education: str
    id_number: str = Field(description="脱敏的身份证号")
    phone: str = Field(description="脱敏的手机号")
    joined_on: dt.date | None
    full_member_on: dt.date | None
    status: str
    status_label: str
    organization_id: int
    organization_name: str
    sector: str | None = Field(None, description="所在党组织的领域代码")
    post: str

    @staticmethod
    def resolve_id_number(member: Member) -> str:
        return mask_id_number(member.id_number)

    @staticmethod
    def resolve_phone(member: Member) -> str:
        return mask_phone(member.phone)

    @staticmethod
    def resolve_status_label(member: Member) -> str:
        return member.get_status_display()

    @staticmethod
    def resolve_organization_name(member: Member) -> str:
        return member.organization.name

    @staticmethod
    def resolve_sector(member: Member) -> str | None:
        sector = member.organization.sector
        return sector.code if sector else None


class MemberPatch(Strict):
    """Only the fields sent are changed. Organization and status change through
    `/transfer` and `/status`."""

    name: str | None = Field(None, max_length=50, title="姓名")
    id_number: str | None = Field(None, max_length=30, title="身份证号")
    phone: str | None = Field(None, max_length=20, title="手机号")
    gender: Gender | None = Field(None, title="性别", description="M 男 / F 女；不填按身份证号")
    ethnicity: str | None = Field(None, max_length=20, title="民族")
    education: Education | None = Field(None, title="学历")
    joined_on: dt.date | None = Field(None, title="入党日期")
    full_member_on: dt.date | None = Field(None, title="转正日期")
    post: str | None = Field(None, max_length=100, title="职务")


class MemberIn(MemberPatch):
    name: str = Field(max_length=50, title="姓名")
    id_number: str = Field(max_length=30, title="身份证号")
    organization_id: int = _id("所在党组织", default=...)
    status: MemberStatus | None = Field(
        None, title="党员状态", description="full 正式党员（默认）或 probationary 预备党员"
    )


class MemberFilters(Paging):
    q: str = Field("", max_length=50, title="搜索", description="姓名、拼音首字母或身份证号后4位")
    organization: int | None = _id("党组织", "含其下级党组织")
    sector: str | None = Field(None, max_length=20, title="领域", description="领域代码")
    status: Literal["", "all", *Member.Status.values] = Field(
        "", title="党员状态", description="空为在册党员，all 为全部"
    )


class MemberPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MemberOut]


class TransferIn(Strict):
    to_organization_id: int = _id("转入党组织", default=...)
    transferred_on: dt.date | None = Field(None, title="转接日期", description="默认今天")
    reason: str = Field("", max_length=200, title="原因")


class TransferOut(Schema):
    id: int
    member_id: int
    from_organization_id: int
    to_organization_id: int
    transferred_on: dt.date
    reason: str


class StatusIn(Strict):
    status: MemberStatus = Field(title="变更为")
    reason: str = Field("", max_length=200, title="原因", description="除转为正式党员外必填")
    on: dt.date | None = Field(None, title="日期", description="转正日期，默认今天")


class PersonalData(Schema):
    id: int
    name: str
    id_number: str
    phone: str


# ---------------------------------------------------------------- body ids → objects


def _visible_organizations(user):
    return Organization.objects.visible_to(user)


def _all(model):
    return lambda user: model.objects.all()


# API field → (service field, Chinese label, where to look the id up for the user)
RELATIONS = {
    "parent_id": ("parent", "上级党组织", _visible_organizations),
    "organization_id": ("organization", "党组织", _visible_organizations),
    "to_organization_id": ("to_organization", "转入党组织", _visible_organizations),
    "secretary_id": ("secretary", "书记", lambda user: Member.objects.visible_to(user)),
    "department_id": ("department", "部门", _all(Department)),
    "community_id": ("community", "社区", _all(Community)),
    "enterprise_id": ("enterprise", "企业", _all(Enterprise)),
    "institution_id": ("institution", "单位", _all(Institution)),
}
API_FIELDS = {service_field: api_field for api_field, (service_field, *_) in RELATIONS.items()}


def _objects(user, data: dict) -> dict:
    """Body fields as the services take them: ids and sector codes become objects."""
    out = {}
    for key, value in data.items():
        if key == "sector":
            out["sector"] = _sector(value)
        elif key in RELATIONS:
            field, label, queryset = RELATIONS[key]
            out[field] = None if value is None else _lookup(queryset(user), value, key, label)
        else:
            out[key] = value
    return out


def _lookup(queryset, pk: int, field: str, label: str):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        code = f"{field.removesuffix('_id')}_unknown"
        raise DomainError(f"{label}（编号 {pk}）不存在或无权查看", code, field=field)
    return obj


def _sector(code: str | None) -> Sector | None:
    if not code:
        return None
    sector = Sector.objects.filter(code=code).first()
    if sector is None:
        raise DomainError(f"领域“{code}”不存在", "sector_unknown", field="sector")
    return sector


@contextmanager
def _api_field_names():
    """A service names a relation by its model field ("parent"); the API by its id field."""
    try:
        yield
    except DomainError as exc:
        exc.field = API_FIELDS.get(exc.field, exc.field)
        raise


def _require(user, capability: str, obj=None) -> None:
    if not has_perm(user, capability, obj):
        raise forbidden()


def _require_read(user) -> None:
    """Reading needs the right to view organizations somewhere, or a member's own record."""
    if VIEW_ORGS not in capabilities(user):
        raise forbidden()


# ---------------------------------------------------------------- organizations


@router.get(
    "/organizations",
    response={200: OrganizationPage, **errors(400, 403)},
    tags=ORGS,
    summary="党组织列表",
)
def list_organizations(request, filters: Query[OrganizationFilters]):
    _require_read(request.user)
    orgs = Organization.objects.visible_to(request.user).select_related("sector")
    if filters.kind:
        orgs = orgs.filter(kind=filters.kind)
    if filters.sector:
        orgs = orgs.filter(sector=_sector(filters.sector))
    if filters.parent:
        orgs = orgs.filter(parent_id=filters.parent)
    if filters.q.strip():
        q = filters.q.strip()
        orgs = orgs.filter(Q(name__contains=q) | Q(short_name__contains=q))
    return paginate(orgs.order_by("path"), filters)


@router.get(
    "/organizations/{organization_id}",
    response={200: OrganizationOut, **errors(403, 404)},
    tags=ORGS,
    summary="党组织详情",
)
def get_organization(request, organization_id: int = _path_id()):
    _require_read(request.user)
    return _visible_organization(request.user, organization_id)


def _visible_organization(user, pk: int) -> Organization:
    return get_object_or_404(Organization.objects.visible_to(user).select_related("sector"), pk=pk)


@router.post(
    "/organizations",
    response={201: OrganizationOut, **errors(400, 403, 409)},
    tags=ORGS,
    summary="新建党组织",
)
def create_organization(request, payload: OrganizationIn):
    user = request.user
    _require(user, MANAGE_ORGANIZATIONS)
    data = _objects(user, payload.dict())
    with _api_field_names():
        services.check_placement(user, data["parent"])
        org = services.create_organization(by=user, **data)
    return Status(201, org)


@router.patch(
    "/organizations/{organization_id}",
    response={200: OrganizationOut, **errors(400, 403, 404, 409)},
    tags=ORGS,
    summary="修改党组织",
)
def update_organization(request, payload: OrganizationPatch, organization_id: int = _path_id()):
    user = request.user
    org = _visible_organization(user, organization_id)
    _require(user, MANAGE_ORGANIZATIONS, org)
    changes = _objects(user, payload.dict(exclude_unset=True))
    with _api_field_names():
        if "parent" in changes and changes["parent"] != org.parent:
            services.check_placement(user, changes["parent"])
        return services.update_organization(org, by=user, **changes)


# ---------------------------------------------------------------- members


@router.get(
    "/members",
    response={200: MemberPage, **errors(400, 403)},
    tags=MEMBERS,
    summary="党员列表与搜索",
)
def list_members(request, filters: Query[MemberFilters]):
    user = request.user
    _require_read(user)
    organization = None
    if filters.organization:
        organization = _lookup(
            _visible_organizations(user), filters.organization, "organization", "党组织"
        )
    members = queries.search_members(
        filters.q,
        base=Member.objects.visible_to(user),
        organization=organization,
        sector=_sector(filters.sector),
        status=filters.status,
    )
    return paginate(members, filters)


@router.get(
    "/members/{member_id}",
    response={200: MemberOut, **errors(403, 404)},
    tags=MEMBERS,
    summary="党员详情（身份证号、手机号脱敏）",
)
def get_member(request, member_id: int = _path_id()):
    _require_read(request.user)
    return _visible_member(request.user, member_id)


def _visible_member(user, pk: int) -> Member:
    return get_object_or_404(
        Member.objects.visible_to(user).select_related("organization__sector"), pk=pk
    )


@router.post(
    "/members",
    response={201: MemberOut, **errors(400, 403, 409)},
    tags=MEMBERS,
    summary="登记党员",
)
def create_member(request, payload: MemberIn):
    user = request.user
    _require(user, MANAGE_MEMBERS)
    data = _objects(user, payload.dict())
    _require(user, MANAGE_MEMBERS, data["organization"])
    with _api_field_names():
        member = services.create_member(by=user, **data)
    return Status(201, member)


@router.patch(
    "/members/{member_id}",
    response={200: MemberOut, **errors(400, 403, 404, 409)},
    tags=MEMBERS,
    summary="修改党员信息",
)
def update_member(request, payload: MemberPatch, member_id: int = _path_id()):
    user = request.user
    member = _visible_member(user, member_id)
    _require(user, MANAGE_MEMBERS, member)
    with _api_field_names():
        return services.update_member(member, by=user, **payload.dict(exclude_unset=True))


@router.post(
    "/members/{member_id}/transfer",
    response={201: TransferOut, **errors(400, 403, 404)},
    tags=MEMBERS,
    summary="组织关系转接",
)
def transfer_member(request, payload: TransferIn, member_id: int = _path_id()):
    user = request.user
    member = _visible_member(user, member_id)
    _require(user, MANAGE_MEMBERS, member)
    target = _objects(user, {"to_organization_id": payload.to_organization_id})
    _require(user, MANAGE_MEMBERS, target["to_organization"])
    with _api_field_names():
        transfer = services.transfer_member(
            member,
            target["to_organization"],
            by=user,
            on=payload.transferred_on,
            reason=payload.reason,
        )
    return Status(201, transfer)


@router.post(
    "/members/{member_id}/status",
    response={200: MemberOut, **errors(400, 403, 404)},
    tags=MEMBERS,
    summary="党员状态变更（转正、转出、去世）",
)
def change_member_status(request, payload: StatusIn, member_id: int = _path_id()):
    user = request.user
    member = _visible_member(user, member_id)
    _require(user, MANAGE_MEMBERS, member)
    with _api_field_names():
        return services.change_member_status(
            member, payload.status, by=user, reason=payload.reason, on=payload.on
        )


@router.get(
    "/members/{member_id}/personal-data",
    response={200: PersonalData, **errors(403, 404)},
    tags=MEMBERS,
    summary="党员完整身份证号和手机号（须有查看个人信息权限；每次查看都记入审计日志）",
)
def member_personal_data(request, member_id: int = _path_id()):
    user = request.user
    member = _visible_member(user, member_id)
    _require(user, VIEW_PERSONAL_DATA, member)
    data = services.reveal_personal_data(member, by=user)
    return {"id": member.pk, "name": member.name, **data}
