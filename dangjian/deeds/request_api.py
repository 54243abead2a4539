"""API of service requests (群众诉求): the same services, scopes and permissions as the pages.

Intake, tracking and rating need no account (`auth=None`). They are limited per address by
the services; past a limit the answer is 429 with Retry-After (`dangjian/api.py`). The
tracking answer is built here from public fields only: the text through
`request_queries.public_text`, never the requester's name, phone or IP.

Everything else is for staff who handle requests somewhere (else 403). Requests are fetched
through `request_queries.visible_requests`, so another department's request is a 404.
Reviewing, dispatching and recording a phone follow-up are for the dispatchers; accepting,
sending back, replying and closing for the request's department or a dispatcher. Of two
people acting on one request at once, the second gets 409. The requester's phone is masked
unless the user holds the personal-data right; a full phone shown is audited."""

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form, Path, Query, Router, Status, UploadedFile

from dangjian.accounts.permissions import HANDLE_REQUESTS, VIEW_PERSONAL_DATA, has_perm
from dangjian.core import audit
from dangjian.core.api import MAX_ID, Error, errors, forbidden, paginate
from dangjian.core.errors import DomainError
from dangjian.core.masking import mask_phone
from dangjian.core.middleware import client_ip
from dangjian.deeds import queries, request_queries, request_services
from dangjian.deeds.models import (
    RequestCategory,
    RequestEvent,
    RequestRating,
    ServiceRequest,
)
from dangjian.deeds.request_api_schemas import (
    CloseIn,
    DispatchIn,
    IntakeForm,
    IntakeOut,
    PhoneRatingIn,
    RateIn,
    RatesFilters,
    RatesOut,
    ReasonIn,
    ReplyIn,
    RequestDetail,
    RequestFilters,
    RequestPage,
    RequestPublic,
    ReviewIn,
    TrackIn,
)
from dangjian.orgs.models import Community, Department

router = Router()
PUBLIC = ["群众诉求（无需登录）"]
HANDLING = ["群众诉求办理"]
PHOTOS = {
    "title": "现场照片",
    "description": f"JPG、PNG 或 WebP，最多{settings.REQUEST_PHOTOS_MAX}张",
}


def _public_errors(*statuses: int) -> dict:
    """A public operation has no 401; 429 when the address or phone is over its limit."""
    return dict.fromkeys(sorted({422, 429, *statuses}), Error)


def _path_id():
    return Path(..., ge=1, le=MAX_ID, title="编号")


def _lookup(queryset, pk: int | None, field: str, label: str):
    if pk is None:
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise DomainError(f"{label}（编号 {pk}）不存在", f"{field}_unknown", field=field)
    return obj


# ---------------------------------------------------------------- public: intake, tracking


@router.post(
    "/requests/intake",
    auth=None,
    response={201: IntakeOut, **_public_errors(400, 409)},
    tags=PUBLIC,
    summary="提交诉求（无需登录；multipart，可附照片；同一地址、同一手机号提交过多时 429）",
)
def submit_request(
    request, form: Form[IntakeForm], photos: File[list[UploadedFile], PHOTOS] = None
):
    categories = RequestCategory.objects.filter(is_active=True)
    item = request_services.submit_request(
        category=_lookup(categories, form.category, "category", "诉求类别"),
        community=_lookup(Community.objects.all(), form.community, "community", "所属社区"),
        enterprise_name=form.enterprise_name,
        place=form.place,
        text=form.text,
        name=form.name,
        phone=form.phone,
        photos=photos or [],
        ip=client_ip(request),
        submission=form.submission,
    )
    body = {
        "tracking_number": item.tracking_number,
        "status": item.status,
        "status_label": item.get_status_display(),
    }
    return Status(201, body)


@router.post(
    "/requests/track",
    auth=None,
    response={200: RequestPublic, **_public_errors(400)},
    tags=PUBLIC,
    summary="查询办理进度（受理编号和手机号后四位；不显示诉求人个人信息）",
)
def track_request(request, payload: TrackIn):
    return _public_view(_tracked(request, payload))


@router.post(
    "/requests/track/rate",
    auth=None,
    response={200: RequestPublic, **_public_errors(400)},
    tags=PUBLIC,
    summary="评价办理结果（办结后每轮一次；“不满意”可重新办理一次）",
)
def rate_request(request, payload: RateIn):
    item = _tracked(request, payload)
    request_services.rate_request(item, value=payload.rating, comment=payload.comment)
    return _public_view(item)


def _tracked(request, payload: TrackIn) -> ServiceRequest:
    return request_services.find_by_tracking(
        payload.tracking_number, payload.digits, ip=client_ip(request)
    )


def _public_view(item: ServiceRequest) -> dict:
    """What the requester may read: no name, phone, IP or raw text."""
    item = ServiceRequest.objects.select_related("category", "community", "deed").get(pk=item.pk)
    events = item.events.select_related("department")
    return {
        "tracking_number": item.tracking_number,
        "category_name": item.category.name,
        "community_name": item.community.name if item.community_id else None,
        "status": item.status,
        "status_label": item.get_status_display(),
        "public_text": request_queries.public_text(item),
        "submitted_at": item.created_at,
        "respond_by": item.respond_by,
        "resolve_by": item.resolve_by,
        "closed_at": item.closed_at,
        "outcome": item.outcome,
        "outcome_label": item.get_outcome_display() if item.outcome else "",
        "rating": item.rating,
        "rating_label": item.get_rating_display() if item.rating else "",
        "round": item.round,
        "may_rate": request_queries.may_rate(item),
        "events": [_public_event(item, event) for event in events],
        "deed": _linked_deed(item),
    }


def _public_event(item: ServiceRequest, event: RequestEvent) -> dict:
    department = event.department
    text = request_queries.public_event_text(event, item)
    return {
        "kind": event.kind,
        "label": event.get_kind_display(),
        "at": event.at,
        "department_name": (department.short_name or department.name) if department else None,
        "text": text,
    }


def _linked_deed(item: ServiceRequest) -> dict | None:
    deed = item.deed
    if deed is None:
        return None
    return {
        "id": deed.pk,
        "title": request_queries.scrub(deed.title, item),
        "status": deed.status,
        "status_label": deed.get_status_display(),
        "progress": queries.progress_of(deed),
    }


# ---------------------------------------------------------------- staff: reading


def _require(allowed: bool) -> None:
    if not allowed:
        raise forbidden()


def _staff_requests(user):
    _require(has_perm(user, HANDLE_REQUESTS))
    requests = request_queries.visible_requests(user)
    requests = request_queries.with_escalation(requests, timezone.localdate())
    return requests.select_related("category", "community", "department")


def _visible(user, pk: int) -> ServiceRequest:
    return get_object_or_404(_staff_requests(user), pk=pk)


def _may_handle(user, item: ServiceRequest) -> bool:
    """The request's department or a dispatcher. (A request without a department is the
    dispatchers' alone: `has_perm` without an object would ask "anywhere?".)"""
    if request_queries.may_dispatch(user):
        return True
    return item.department_id is not None and has_perm(user, HANDLE_REQUESTS, item.department)


def _show_phones(user, items: list, obj=None) -> None:
    """Full phones for the personal-data right (and an audit entry), masked for everyone
    else."""
    full = has_perm(user, VIEW_PERSONAL_DATA)
    for item in items:
        item.shown_phone = item.phone if full else mask_phone(item.phone)
    if full and items:
        details = {"via": "api", "requests": [item.pk for item in items]}
        audit.record("deeds.request.viewed_personal", obj, actor=user, details=details)


def _detail(user, pk: int, *, scoped: bool = True) -> ServiceRequest:
    """The request with its timeline and ratings. `scoped=False` after a send-back, which
    takes the request out of the department's sight."""
    if scoped:
        requests = _staff_requests(user)
    else:
        requests = request_queries.with_escalation(
            ServiceRequest.objects.select_related("category", "community", "department"),
            timezone.localdate(),
        )
    requests = requests.prefetch_related(
        Prefetch("events", queryset=RequestEvent.objects.select_related("department", "by")),
        Prefetch("ratings", queryset=RequestRating.objects.select_related("recorded_by")),
        "photos",
    )
    item = get_object_or_404(requests, pk=pk)
    item.may_dispatch = request_queries.may_dispatch(user)
    item.may_handle = _may_handle(user, item)
    _show_phones(user, [item], obj=item)
    return item


@router.get(
    "/requests",
    response={200: RequestPage, **errors(400, 403)},
    tags=HANDLING,
    summary="诉求列表（管理员看全部，承办单位看本单位的；新的在前）",
)
def list_requests(request, filters: Query[RequestFilters]):
    user = request.user
    requests = _staff_requests(user)
    if filters.status:
        requests = requests.filter(status=filters.status)
    category = _lookup(RequestCategory.objects.all(), filters.category, "category", "诉求类别")
    if category is not None:
        requests = requests.filter(category=category)
    department = _lookup(Department.objects.all(), filters.department, "department", "承办单位")
    if department is not None:
        requests = requests.filter(department=department)
    page = paginate(requests, filters)
    _show_phones(user, page["items"])
    return page


@router.get(
    "/requests/rates",
    response={200: RatesOut, **errors(400, 403)},
    tags=HANDLING,
    summary="三率：响应率、解决率、满意率（按首次派单日期；可按承办单位或诉求类别分组）",
)
def request_rates(request, filters: Query[RatesFilters]):
    user = request.user
    _require(has_perm(user, HANDLE_REQUESTS))
    today = timezone.localdate()
    start, end = filters.start or today.replace(month=1, day=1), filters.end or today
    if start > end:
        raise DomainError("开始日期不能晚于结束日期", "period_invalid", field="start")
    requests = request_queries.visible_requests(user)
    rows = request_queries.request_rates(requests, start, end, by=filters.by)
    return {"start": start, "end": end, "by": filters.by, "rows": [_rates_row(r) for r in rows]}


def _rates_row(rates: request_queries.Rates) -> dict:
    return {
        **rates.__dict__,
        "response_rate": rates.response_rate,
        "resolution_rate": rates.resolution_rate,
        "satisfaction_rate": rates.satisfaction_rate,
    }


@router.get(
    "/requests/{request_id}",
    response={200: RequestDetail, **errors(403, 404)},
    tags=HANDLING,
    summary="诉求详情（办理记录、评价）",
)
def get_request(request, request_id: int = _path_id()):
    return _detail(request.user, request_id)


# ---------------------------------------------------------------- staff: handling

HANDLING_ERRORS = errors(400, 403, 404, 409)


@router.post(
    "/requests/{request_id}/review",
    response={200: RequestDetail, **HANDLING_ERRORS},
    tags=HANDLING,
    summary="审核待审核的诉求：通过后待派单，或不予受理（须说明原因；管理员）",
)
def review_request(request, payload: ReviewIn, request_id: int = _path_id()):
    user = request.user
    item = _visible(user, request_id)
    _require(request_queries.may_dispatch(user))
    request_services.review_request(item, by=user, release=payload.release, reason=payload.reason)
    return _detail(user, item.pk)


@router.post(
    "/requests/{request_id}/dispatch",
    response={200: RequestDetail, **HANDLING_ERRORS},
    tags=HANDLING,
    summary="派单（承办单位；响应和办理时限按工作日，默认为诉求类别的设置；管理员）",
)
def dispatch_request(request, payload: DispatchIn, request_id: int = _path_id()):
    user = request.user
    item = _visible(user, request_id)
    _require(request_queries.may_dispatch(user))
    department = _lookup(Department.objects.all(), payload.department, "department", "承办单位")
    request_services.dispatch_request(
        item,
        by=user,
        department=department,
        respond_days=payload.respond_days,
        resolve_days=payload.resolve_days,
    )
    return _detail(user, item.pk)


@router.post(
    "/requests/{request_id}/accept",
    response={200: RequestDetail, **HANDLING_ERRORS},
    tags=HANDLING,
    summary="签收（承办单位）",
)
def accept_request(request, request_id: int = _path_id()):
    user = request.user
    item = _visible(user, request_id)
    _require(_may_handle(user, item))
    request_services.accept_request(item, by=user)
    return _detail(user, item.pk)


@router.post(
    "/requests/{request_id}/send-back",
    response={200: RequestDetail, **HANDLING_ERRORS},
    tags=HANDLING,
    summary="退回（不属于本单位；须说明原因，由管理员重新派单）",
)
def send_back_request(request, payload: ReasonIn, request_id: int = _path_id()):
    user = request.user
    item = _visible(user, request_id)
    _require(_may_handle(user, item))
    request_services.send_back_request(item, by=user, reason=payload.reason)
    return _detail(user, item.pk, scoped=False)


@router.post(
    "/requests/{request_id}/reply",
    response={200: RequestDetail, **HANDLING_ERRORS},
    tags=HANDLING,
    summary="答复诉求人（在查询页显示；未签收的同时签收）",
)
def reply_to_request(request, payload: ReplyIn, request_id: int = _path_id()):
    user = request.user
    item = _visible(user, request_id)
    _require(_may_handle(user, item))
    request_services.reply_to_request(item, by=user, text=payload.text)
    return _detail(user, item.pk)


@router.post(
    "/requests/{request_id}/close",
    response={200: RequestDetail, **HANDLING_ERRORS},
    tags=HANDLING,
    summary="办结（已解决、已解释说明或不属于受理范围，并说明办理情况）",
)
def close_request(request, payload: CloseIn, request_id: int = _path_id()):
    user = request.user
    item = _visible(user, request_id)
    _require(_may_handle(user, item))
    request_services.close_request(item, by=user, outcome=payload.outcome, text=payload.text)
    return _detail(user, item.pk)


@router.post(
    "/requests/{request_id}/phone-rating",
    response={200: RequestDetail, **HANDLING_ERRORS},
    tags=HANDLING,
    summary="记录电话回访的评价（办结后每轮一次；管理员）",
)
def record_phone_rating(request, payload: PhoneRatingIn, request_id: int = _path_id()):
    user = request.user
    item = _visible(user, request_id)
    _require(request_queries.may_dispatch(user))
    request_services.record_phone_rating(
        item, by=user, value=payload.rating, comment=payload.comment
    )
    return _detail(user, item.pk)
