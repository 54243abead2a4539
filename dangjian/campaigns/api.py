"""API of campaigns and activities: the same services, scopes and permissions as the pages.

Activities are fetched through `visible_to(user)`, so another scope's activity is a 404. A
member registers only themselves; roll call needs the check-in right over an organizer.
Refusals of the services are a 400 with their Chinese message."""

import datetime as dt
from contextlib import contextmanager
from typing import Literal

from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, File, Form, Path, Query, Router, Schema, Status, UploadedFile
from pydantic import ConfigDict

from dangjian.accounts.permissions import (
    CHECK_IN,
    MANAGE_ACTIVITIES,
    has_perm,
    own_member_id,
    scope_for,
)
from dangjian.campaigns import queries, services
from dangjian.campaigns.models import (
    Activity,
    ActivityPhoto,
    ActivityType,
    Campaign,
    CheckIn,
    Registration,
)
from dangjian.core.api import MAX_ID, APIError, Input, Paging, errors, forbidden, paginate
from dangjian.core.errors import DomainError
from dangjian.orgs.models import Member, Organization, Sector

router = Router()
CAMPAIGNS, ACTIVITIES = ["党史学习教育"], ["活动"]

Phase = Literal[tuple(Activity.Phase.values)]
PHASES = "upcoming 未开始 / in_progress 进行中 / finished 已结束 / cancelled 已取消"


def _path_id():
    return Path(..., ge=1, le=MAX_ID, title="编号")


# ---------------------------------------------------------------- schemas


class CampaignOut(Schema):
    id: int
    name: str
    theme: str
    goals: str
    starts_on: dt.date
    ends_on: dt.date
    department_id: int | None
    is_current: bool


class AttendanceOut(Schema):
    people: int = Field(description="签到的党员人数")
    organizations: int = Field(description="签到党员所在党组织数")
    walk_ins: int = Field(description="非党员参加人数")


class ActivityOut(Schema):
    id: int
    title: str
    campaign_id: int
    campaign_name: str
    type: str = Field(description="活动类型代码")
    type_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str | None = Field(None, description="地点名称")
    capacity: int | None = Field(None, description="名额；null 为不限")
    registration_required: bool
    status: str = Field(description="planned 筹备中 / open 报名中 / cancelled 已取消")
    status_label: str
    phase: str = Field(description=PHASES)
    phase_label: str
    organizer_ids: list[int]
    target_sectors: list[str] = Field(description="面向领域代码")
    attendance: AttendanceOut

    @staticmethod
    def resolve_campaign_name(activity: Activity) -> str:
        return activity.campaign.name

    @staticmethod
    def resolve_type(activity: Activity) -> str:
        return activity.type.code

    @staticmethod
    def resolve_type_name(activity: Activity) -> str:
        return activity.type.name

    @staticmethod
    def resolve_place(activity: Activity) -> str | None:
        return activity.place.name if activity.place_id else None

    @staticmethod
    def resolve_status_label(activity: Activity) -> str:
        return activity.get_status_display()

    @staticmethod
    def resolve_phase(activity: Activity) -> str:
        return activity.phase()

    @staticmethod
    def resolve_phase_label(activity: Activity) -> str:
        return activity.phase_label()

    @staticmethod
    def resolve_organizer_ids(activity: Activity) -> list[int]:
        return [org.pk for org in activity.organizers.all()]

    @staticmethod
    def resolve_target_sectors(activity: Activity) -> list[str]:
        return [sector.code for sector in activity.target_sectors.all()]

    @staticmethod
    def resolve_attendance(activity: Activity) -> dict:
        return {
            "people": activity.people,
            "organizations": activity.organizations,
            "walk_ins": activity.walk_ins,
        }


class PhotoOut(Schema):
    id: int
    caption: str
    width: int
    height: int
    uploaded_at: dt.datetime
    url: str = Field(description="照片（JPEG）的下载地址")

    @staticmethod
    def resolve_url(photo: ActivityPhoto) -> str:
        return reverse("api:get_activity_photo", args=[photo.activity_id, photo.pk])


class ReportOut(Schema):
    summary: str = Field(description="活动总结")
    summary_updated_at: dt.datetime | None
    photos: list[PhotoOut]

    @staticmethod
    def resolve_photos(activity: Activity) -> list:
        return list(activity.photos.all())


class SummaryIn(Input):
    model_config = ConfigDict(extra="forbid")

    summary: str = Field(max_length=5000, title="活动总结", description="空字符串清除总结")


class ActivityDetail(ActivityOut):
    description: str
    summary: str = Field(description="活动总结")
    photos: list[PhotoOut]
    cancel_reason: str
    invited_organization_ids: list[int]
    registered_count: int
    waiting_count: int

    @staticmethod
    def resolve_invited_organization_ids(activity: Activity) -> list[int]:
        return [org.pk for org in activity.invited_organizations.all()]

    @staticmethod
    def resolve_photos(activity: Activity) -> list:
        return list(activity.photos.all())


class ActivityFilters(Paging):
    campaign: int | None = Field(None, ge=1, le=MAX_ID, title="所属学习教育", description="编号")
    type: str | None = Field(None, max_length=30, title="活动类型", description="活动类型代码")
    sector: str | None = Field(None, max_length=20, title="面向领域", description="领域代码")
    phase: Phase | None = Field(None, title="阶段", description=PHASES)


class ActivityPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ActivityOut]


class RegistrationOut(Schema):
    id: int
    activity_id: int
    member_id: int
    status: str = Field(description="registered 已报名 / waiting 候补")
    status_label: str
    created_at: dt.datetime

    @staticmethod
    def resolve_status_label(registration: Registration) -> str:
        return registration.get_status_display()


class CheckInIn(Input):
    model_config = ConfigDict(extra="forbid")

    member_id: int = Field(ge=1, le=MAX_ID, title="党员", description="点名名单中党员的编号")
    nonce: str | None = Field(
        None, min_length=1, max_length=64, title="防重码", description="重试时带同一个码"
    )


class CheckInOut(Schema):
    id: int
    activity_id: int
    member_id: int
    at: dt.datetime = Field(description="签到时间；重复签到时为首次签到的时间")
    method: str
    registered: bool = Field(description="是否已报名")


# ---------------------------------------------------------------- helpers

# service field → API field (None: the request as a whole)
API_FIELDS = {"member": "member_id", "activity": None, "at": None}


@contextmanager
def _api_field_names():
    try:
        yield
    except DomainError as exc:
        exc.field = API_FIELDS.get(exc.field, exc.field)
        raise


def _activities(user):
    return (
        queries.with_attendance(Activity.objects.visible_to(user))
        .select_related("campaign", "type", "place")
        .prefetch_related(
            Prefetch("organizers", queryset=Organization.objects.order_by("path")),
            "target_sectors",
        )
    )


def _visible_activity(user, pk: int) -> Activity:
    return get_object_or_404(_activities(user), pk=pk)


def _own_member(user) -> Member:
    member_id = own_member_id(user)
    if member_id is None:
        raise APIError(403, "not_a_member", "只有党员本人可以报名或取消报名")
    return Member.objects.get(pk=member_id)


def _lookup_code(model, code: str | None, field: str, label: str):
    if not code:
        return None
    obj = model.objects.filter(code=code).first()
    if obj is None:
        raise DomainError(f"{label}“{code}”不存在", f"{field}_unknown", field=field)
    return obj


# ---------------------------------------------------------------- campaigns


@router.get(
    "/campaigns",
    response={200: list[CampaignOut], **errors()},
    tags=CAMPAIGNS,
    summary="学习教育列表",
)
def list_campaigns(request):
    return list(Campaign.objects.order_by("-starts_on", "-id"))


# ---------------------------------------------------------------- activities


@router.get(
    "/activities",
    response={200: ActivityPage, **errors(400)},
    tags=ACTIVITIES,
    summary="活动列表（含参加情况）",
)
def list_activities(request, filters: Query[ActivityFilters]):
    activities = _activities(request.user)
    if filters.campaign:
        activities = activities.filter(campaign_id=filters.campaign)
    activity_type = _lookup_code(ActivityType, filters.type, "type", "活动类型")
    if activity_type is not None:
        activities = activities.filter(type=activity_type)
    sector = _lookup_code(Sector, filters.sector, "sector", "领域")
    if sector is not None:
        activities = activities.filter(
            pk__in=Activity.objects.filter(target_sectors=sector).values("pk")
        )
    activities = queries.filter_by_phase(activities, filters.phase)
    return paginate(activities.order_by("-starts_at", "-id"), filters)


@router.get(
    "/activities/{activity_id}",
    response={200: ActivityDetail, **errors(404)},
    tags=ACTIVITIES,
    summary="活动详情（含参加情况）",
)
def get_activity(request, activity_id: int = _path_id()):
    activity = get_object_or_404(
        _activities(request.user).prefetch_related("invited_organizations"), pk=activity_id
    )
    statuses = list(activity.registrations.values_list("status", flat=True))
    activity.registered_count = statuses.count(Registration.Status.REGISTERED)
    activity.waiting_count = statuses.count(Registration.Status.WAITING)
    return activity


@router.post(
    "/activities/{activity_id}/registrations",
    response={201: RegistrationOut, 200: RegistrationOut, **errors(400, 403, 404)},
    tags=ACTIVITIES,
    summary="本人报名（名额已满时进入候补；已报名的返回原报名，200）",
)
def register(request, activity_id: int = _path_id()):
    user = request.user
    activity = _visible_activity(user, activity_id)
    member = _own_member(user)
    live = Registration.objects.filter(activity=activity, member=member).exclude(
        status=Registration.Status.CANCELLED
    )
    existed = live.exists()
    with _api_field_names():
        registration = services.register(activity, member, by=user)
    return Status(200 if existed else 201, registration)


@router.delete(
    "/activities/{activity_id}/registrations/mine",
    response={204: None, **errors(400, 403, 404)},
    tags=ACTIVITIES,
    summary="取消本人报名（未报名时同样返回 204）",
)
def unregister(request, activity_id: int = _path_id()):
    user = request.user
    activity = _visible_activity(user, activity_id)
    member = _own_member(user)
    registration = (
        Registration.objects.filter(activity=activity, member=member)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )
    if registration is not None:
        with _api_field_names():
            services.cancel_registration(registration, by=user)
    return Status(204, None)


@router.post(
    "/activities/{activity_id}/check-ins",
    response={201: CheckInOut, 200: CheckInOut, **errors(400, 403, 404)},
    tags=ACTIVITIES,
    summary="书记点名签到（新签到 201；已签到 200，返回首次签到时间）",
)
def check_in(request, payload: CheckInIn, activity_id: int = _path_id()):
    user = request.user
    if not has_perm(user, CHECK_IN):
        raise forbidden()
    activity = _visible_activity(user, activity_id)
    members = queries.roll_call_members(user, activity)
    if members is None:
        raise forbidden()
    member = members.filter(pk=payload.member_id).first()
    if member is None:
        raise DomainError("请选择点名名单中的党员", "member_invalid", field="member_id")
    with _api_field_names():
        record, created = services.check_in(
            activity, member, method=CheckIn.Method.ROLL_CALL, by=user, nonce=payload.nonce
        )
    return Status(201 if created else 200, record)


# ---------------------------------------------------------------- after the activity


def _managed_activity(user, activity_id: int) -> Activity:
    """Visible (else 404) and managed by the user through one of its organizers (else 403)."""
    if not has_perm(user, MANAGE_ACTIVITIES):
        raise forbidden()
    activity = _visible_activity(user, activity_id)
    if not any(has_perm(user, MANAGE_ACTIVITIES, org) for org in activity.organizers.all()):
        raise forbidden()
    return activity


@router.put(
    "/activities/{activity_id}/summary",
    response={200: ReportOut, **errors(400, 403, 404)},
    tags=ACTIVITIES,
    summary="填写活动总结（活动开始后；主办党组织的管理者）",
)
def save_summary(request, payload: SummaryIn, activity_id: int = _path_id()):
    activity = _managed_activity(request.user, activity_id)
    return services.save_summary(activity, payload.summary, by=request.user)


@router.post(
    "/activities/{activity_id}/photos",
    response={201: PhotoOut, 200: PhotoOut, **errors(400, 403, 404)},
    tags=ACTIVITIES,
    summary="上传活动照片（JPG/PNG/WebP；同一文件重复上传返回原照片，200）",
)
def add_photo(
    request,
    activity_id: int = _path_id(),
    image: File[UploadedFile] = None,
    caption: Form[str] = "",
):
    activity = _managed_activity(request.user, activity_id)
    if image is None:
        raise DomainError("请选择照片", "image_required", field="image")
    photo, created = services.add_photo(activity, image, caption=caption, by=request.user)
    return Status(201 if created else 200, photo)


@router.get(
    "/activities/{activity_id}/photos/{photo_id}",
    response={200: None, **errors(404)},
    tags=ACTIVITIES,
    summary="下载活动照片（JPEG）",
    openapi_extra={
        "responses": {
            "200": {
                "description": "JPEG",
                "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def get_activity_photo(request, activity_id: int = _path_id(), photo_id: int = _path_id()):
    activity = _visible_activity(request.user, activity_id)
    photo = get_object_or_404(ActivityPhoto, activity=activity, pk=photo_id)
    try:
        return FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    except FileNotFoundError:
        raise Http404 from None


@router.delete(
    "/activities/{activity_id}/photos/{photo_id}",
    response={204: None, **errors(400, 403, 404)},
    tags=ACTIVITIES,
    summary="删除活动照片",
)
def remove_photo(request, activity_id: int = _path_id(), photo_id: int = _path_id()):
    activity = _managed_activity(request.user, activity_id)
    photo = get_object_or_404(ActivityPhoto, activity=activity, pk=photo_id)
    services.remove_photo(photo, by=request.user)
    return Status(204, None)


# ---------------------------------------------------------------- QR check-in

ScanStatus = Literal["checked_in", "already_checked_in", "refused"]
SCAN_STATUSES = (
    "checked_in 签到成功 / already_checked_in 已签到（at 为首次签到时间）/ refused 被拒绝"
)
BATCH_MAX = 500


class ScanIn(Input):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, title="党员码", description="扫描或输入的党员码")
    nonce: str | None = Field(
        None, min_length=1, max_length=64, title="防重码", description="每次扫描一个；重传时不变"
    )
    at: dt.datetime | None = Field(
        None, title="扫描时间", description="离线扫描时记录的时间（带时区）；空为当前时间"
    )


class BatchIn(Input):
    model_config = ConfigDict(extra="forbid")

    items: list[ScanIn] = Field(min_length=1, max_length=BATCH_MAX, title="扫描记录")


class ScreenScanIn(Input):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, title="签到码", description="现场屏幕上的签到码")


class ScanResult(Schema):
    nonce: str | None = None
    status: ScanStatus = Field(description=SCAN_STATUSES)
    code: str = Field(description="机器可读的结果代码，如 checked_in、code_expired")
    message: str = Field(description="中文说明")
    member_id: int | None = None
    member_name: str | None = None
    organization: str | None = Field(None, description="党员所在党组织")
    at: dt.datetime | None = Field(None, description="签到时间")


class BatchOut(Schema):
    results: list[ScanResult]


def scan_result(check_in: CheckIn, created: bool, nonce: str | None = None) -> dict:
    """The answer to a scan that reached the check-in service."""
    member = check_in.member
    local = timezone.localtime(check_in.at).strftime("%H:%M")
    status = "checked_in" if created else "already_checked_in"
    return {
        "nonce": nonce,
        "status": status,
        "code": status,
        "message": "签到成功" if created else f"已签到（签到时间 {local}）",
        "member_id": member.pk,
        "member_name": member.name,
        "organization": member.organization.short_name or member.organization.name,
        "at": check_in.at,
    }


def _scanner_activity(user, activity_id: int) -> Activity:
    """The activity, when the user holds the check-in right over one of its organizers."""
    if not has_perm(user, CHECK_IN):
        raise forbidden()
    # Lean on purpose: this answers every scan at the door. A district-wide scanner sees every
    # activity, so it is not read here: the check-in service reads it (and answers 404).
    if scope_for(user, CHECK_IN).everything:
        return Activity(pk=activity_id)
    activities = Activity.objects.visible_to(user).only("title", "status", "starts_at", "ends_at")
    activity = get_object_or_404(activities, pk=activity_id)
    if not any(has_perm(user, CHECK_IN, org) for org in activity.organizers.all()):
        raise forbidden()
    return activity


@router.post(
    "/activities/{activity_id}/check-ins/scan",
    response={201: ScanResult, 200: ScanResult, **errors(400, 403, 404)},
    tags=ACTIVITIES,
    summary="扫党员码签到（工作人员；新签到 201，已签到 200，拒绝 400 附原因代码）",
)
def scan_member_code(request, payload: ScanIn, activity_id: int = _path_id()):
    activity = _scanner_activity(request.user, activity_id)
    check_in, created = services.check_in_by_member_code(
        activity, payload.code, by=request.user, at=payload.at, nonce=payload.nonce
    )
    return Status(201 if created else 200, scan_result(check_in, created, payload.nonce))


@router.post(
    "/activities/{activity_id}/check-ins/batch",
    response={200: BatchOut, **errors(400, 403, 404)},  # 400: a body that is not JSON
    tags=ACTIVITIES,
    summary=f"上传离线扫描记录（每次最多 {BATCH_MAX} 条，按扫描时间逐条判定并逐条答复）",
)
def scan_batch(request, payload: BatchIn, activity_id: int = _path_id()):
    activity = _scanner_activity(request.user, activity_id)
    return {"results": [_judge(activity, item, request.user) for item in payload.items]}


def _judge(activity: Activity, item: ScanIn, user) -> dict:
    try:
        check_in, created = services.check_in_by_member_code(
            activity, item.code, by=user, at=item.at, nonce=item.nonce
        )
    except DomainError as exc:
        return {"nonce": item.nonce, "status": "refused", "code": exc.code, "message": exc.message}
    return scan_result(check_in, created, item.nonce)


@router.post(
    "/activities/{activity_id}/check-ins/mine",
    response={201: ScanResult, 200: ScanResult, **errors(400, 403, 404)},
    tags=ACTIVITIES,
    summary="党员扫现场签到码本人签到（新签到 201，已签到 200）",
)
def scan_screen_code(request, payload: ScreenScanIn, activity_id: int = _path_id()):
    member_id = own_member_id(request.user)
    if member_id is None:
        raise APIError(403, "not_a_member", "只有党员本人可以扫码签到")
    activity = get_object_or_404(Activity, pk=activity_id)  # the code is the proof of presence
    member = Member.objects.select_related("organization").get(pk=member_id)
    check_in, created = services.check_in_by_screen_code(
        activity, member, payload.code, by=request.user
    )
    return Status(201 if created else 200, scan_result(check_in, created))
