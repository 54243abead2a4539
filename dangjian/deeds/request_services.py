"""Every write to a service request (群众诉求), from intake to follow-up. Pages, the API and
the demo call these; each validates, writes and audits in one transaction and raises
DomainError with a Chinese message naming the field.

Life of a request: submitted (待派单, or 待审核 when its phone is blocklisted or flooded) →
dispatched to a department (待签收) with a response and a resolution deadline in working days
→ accepted (办理中) or sent back to the operator with a reason → replies → closed (已办结)
with an outcome → rated by the requester (or from a phone follow-up) once per round; a
"不满意" in round 1 reopens it for round 2, and the last rating counts.

Each step locks the request and checks its state inside the transaction, so of two people
acting at once the second finds the state changed and gets `request_state_conflict` (409)."""

import datetime as dt
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from dangjian.core import audit, images, ratelimit
from dangjian.core.calendar import add_working_days
from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry, CalendarDay
from dangjian.core.validators import validate_mobile
from dangjian.deeds import services as deed_services
from dangjian.deeds.models import (
    BlockedPhone,
    Deed,
    RequestCategory,
    RequestEvent,
    RequestPhoto,
    RequestRating,
    ServiceRequest,
    Supervision,
)
from dangjian.orgs.models import Community, Department

S = ServiceRequest.Status
E = RequestEvent.Kind
TEXT_MAX = 2000
REPLY_MAX = 1000
TRACKING_REFUSED = "受理编号或手机号后四位不正确"


class RateLimited(DomainError):
    """Too many requests: the view answers 429 with Retry-After."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, "rate_limited")
        self.retry_after = retry_after


def _user(by):
    return by if by is not None and by.is_authenticated else None


# ---------------------------------------------------------------- intake (受理)


def submit_request(
    *,
    category: RequestCategory | None,
    text: str,
    phone: str,
    community: Community | None = None,
    enterprise_name: str = "",
    place: str = "",
    name: str = "",
    photos: Iterable = (),
    ip: str | None = None,
    submission: str | None = None,
) -> ServiceRequest:
    """A new request from anyone, no account needed. Refused with RateLimited past the limits;
    held for the operator's review when the phone is blocklisted or has been named in too many
    requests today. The same `submission` token twice (a double tap, a retried upload) gives
    the request made the first time, without counting against the limits."""
    submission = (submission or "").strip()[:64] or None
    if submission:
        earlier = ServiceRequest.objects.filter(submission=submission).first()
        if earlier is not None:
            return earlier
    fields = _clean_intake(category, text, phone, community, enterprise_name, place, name)
    cleaned = _clean_photos(photos)
    review_reason = _intake_limits(ip, fields["phone"])
    if BlockedPhone.objects.filter(phone=fields["phone"]).exists():
        review_reason = "手机号在黑名单中"
    with transaction.atomic():
        request = _create(fields, ip, review_reason, submission)
        for photo in cleaned:
            _keep_photo(request, photo)
        _event(request, E.SUBMITTED)
        if review_reason:
            _event(request, E.HELD, text=review_reason)
        audit.record(
            "deeds.request.submitted",
            request,
            details={"category": fields["category"].pk, "held": bool(review_reason)},
        )
    return request


def _clean_intake(category, text, phone, community, enterprise_name, place, name) -> dict:
    if category is None or not category.is_active:
        raise DomainError("请选择诉求类别", "category_required", field="category")
    text, enterprise_name = (text or "").strip(), (enterprise_name or "").strip()
    place, name = (place or "").strip(), (name or "").strip()
    if not text:
        raise DomainError("请填写诉求内容", "text_required", field="text")
    if len(text) > TEXT_MAX:
        raise DomainError(f"诉求内容不能超过{TEXT_MAX}字", "text_too_long", field="text")
    if community is None and not enterprise_name:
        raise DomainError("请选择所属社区或填写企业名称", "community_required", field="community")
    if len(enterprise_name) > 100:
        raise DomainError("企业名称不能超过100字", "enterprise_too_long", field="enterprise_name")
    if len(place) > 100:
        raise DomainError("具体地点不能超过100字", "place_too_long", field="place")
    if len(name) > 30:
        raise DomainError("姓名不能超过30字", "name_too_long", field="name")
    try:
        phone = validate_mobile(phone or "")
    except ValidationError as exc:
        raise DomainError(exc.messages[0], "phone_invalid", field="phone") from None
    return {
        "category": category,
        "text": text,
        "phone": phone,
        "community": community,
        "enterprise_name": enterprise_name,
        "place": place,
        "name": name,
    }


def _clean_photos(photos: Iterable) -> list:
    photos = [p for p in photos if p]
    if len(photos) > settings.REQUEST_PHOTOS_MAX:
        raise DomainError(
            f"最多上传{settings.REQUEST_PHOTOS_MAX}张照片", "photos_too_many", field="photos"
        )
    return [images.clean_photo(p, field="photos") for p in photos]


def _intake_limits(ip: str | None, phone: str) -> str:
    """Refuse past the per-address limits; return a review reason when the phone has been
    named too often today from anywhere.

    A phone is counted per address (phone + IP): its owner's own submissions are limited, but
    someone flooding requests that name it from other addresses uses up their own counters,
    not the owner's. The district-wide count of a phone only ever holds requests for review,
    never refuses them, so it cannot lock anyone out."""
    address = ip or "unknown"
    wait = ratelimit.hit(f"request-ip:{address}", *settings.REQUEST_IP_LIMIT)
    if wait is None:
        wait = ratelimit.hit(f"request-phone:{phone}:{address}", *settings.REQUEST_PHONE_LIMIT)
    if wait is not None:
        raise RateLimited("提交过于频繁，请稍后再试", retry_after=wait)
    if ratelimit.hit(f"request-phone:{phone}", *settings.REQUEST_PHONE_REVIEW_AFTER):
        return "同一手机号今日诉求过多"
    return ""


def _create(fields: dict, ip: str | None, review_reason: str, submission) -> ServiceRequest:
    status = S.REVIEW if review_reason else S.PENDING
    for _ in range(5):
        try:
            with transaction.atomic():
                return ServiceRequest.objects.create(
                    submission=submission,
                    tracking_number=_tracking_number(),
                    original_text=fields["text"],
                    ip=ip,
                    status=status,
                    review_reason=review_reason,
                    **fields,
                )
        except IntegrityError:  # the random tracking number was taken: draw again
            if submission and ServiceRequest.objects.filter(submission=submission).exists():
                raise DomainError("该诉求已提交，请勿重复提交", "submission_taken") from None
            continue
    raise DomainError("系统繁忙，请重试", "tracking_number_taken")


def _tracking_number() -> str:
    """The day and six random digits: short to read out on the phone, not guessable."""
    return f"{timezone.localdate():%Y%m%d}{secrets.randbelow(10**6):06d}"


def _keep_photo(request: ServiceRequest, photo) -> RequestPhoto:
    existing = request.photos.filter(sha256=photo.sha256).first()
    if existing is not None:
        return existing
    record = RequestPhoto(
        request=request, content_type="image/jpeg", extension=".jpg", sha256=photo.sha256
    )
    record.file.save("file", ContentFile(photo.data), save=False)
    try:
        record.save()
    except BaseException:
        record.file.delete(save=False)
        raise
    return record


def _event(request, kind, *, by=None, text="", department=None, at=None) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        kind=kind,
        round=request.round,
        at=at or timezone.now(),
        department=department,
        text=text,
        by=_user(by),
    )


# ---------------------------------------------------------------- tracking (查询)


def find_by_tracking(tracking_number: str, last_digits: str, *, ip: str | None) -> ServiceRequest:
    """The request with this tracking number whose phone ends in `last_digits`. A wrong number
    and wrong digits get the same answer; failures are limited per address."""
    key = f"request-tracking:{ip or 'unknown'}"
    limit = settings.REQUEST_TRACKING_FAILURE_LIMIT
    wait = ratelimit.retry_after(key, *limit)
    if wait is not None:
        raise RateLimited("查询失败次数过多，请稍后再试", retry_after=wait)
    number, digits = (tracking_number or "").strip(), (last_digits or "").strip()
    if not number:
        raise DomainError("请填写受理编号", "tracking_number_required", field="tracking_number")
    if len(digits) != 4 or not digits.isdigit():
        raise DomainError("请填写手机号后四位（4位数字）", "digits_invalid", field="digits")
    request = ServiceRequest.objects.filter(tracking_number=number, phone__endswith=digits).first()
    if request is None:
        ratelimit.hit(key, *limit)
        raise DomainError(TRACKING_REFUSED, "tracking_not_found", field="tracking_number")
    return request


# ---------------------------------------------------------------- handling (办理)


def _locked(request: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update().get(pk=request.pk)


def _require(request: ServiceRequest, *allowed: str) -> None:
    if request.status not in allowed:
        raise DomainError(
            f"该诉求当前状态为“{request.get_status_display()}”，不能进行此操作，请刷新页面",
            "request_state_conflict",
            field="status",
        )


def _save(request: ServiceRequest, **fields) -> None:
    for name, value in fields.items():
        setattr(request, name, value)
    request.version = F("version") + 1
    request.save(update_fields=[*fields, "version", "updated_at"])
    request.refresh_from_db(fields=["version"])


def _step(request: ServiceRequest, by, action: str, work):
    """Run `work(locked_request)` in a transaction; audit it, and a lost race after the
    rollback."""
    try:
        with transaction.atomic():
            locked = _locked(request)
            result = work(locked)
            audit.record(action, locked, actor=by, details={"status": locked.status})
    except DomainError as exc:
        if exc.code == "request_state_conflict":
            audit.record(
                action,
                request,
                actor=by,
                outcome=AuditEntry.Outcome.FAILURE,
                details={"code": exc.code},
            )
        raise
    return result


def review_request(
    request: ServiceRequest, *, by, release: bool, reason: str = ""
) -> ServiceRequest:
    """The operator releases a held request for dispatch, or dismisses it (不予受理)."""
    reason = (reason or "").strip()
    if not release and not reason:
        raise DomainError("请填写不予受理的原因", "reason_required", field="reason")

    def work(locked):
        _require(locked, S.REVIEW)
        _save(locked, status=S.PENDING if release else S.DISMISSED)
        _event(locked, E.RELEASED if release else E.DISMISSED, by=by, text=reason)
        return locked

    return _step(request, by, "deeds.request.reviewed", work)


def dispatch_request(
    request: ServiceRequest,
    *,
    by,
    department: Department | None,
    respond_days: int | None = None,
    resolve_days: int | None = None,
) -> ServiceRequest:
    """派单: to a department, with deadlines in working days from the category's defaults."""
    if department is None:
        raise DomainError("请选择承办单位", "department_required", field="department")
    respond_days = respond_days or request.category.respond_days
    resolve_days = resolve_days or request.category.resolve_days
    if not 1 <= respond_days <= resolve_days <= 365:
        raise DomainError(
            "响应时限应为1个工作日以上，且不超过办理时限", "days_invalid", field="respond_days"
        )

    def work(locked):
        _require(locked, S.PENDING)
        now = timezone.now()
        _save(
            locked,
            status=S.DISPATCHED,
            department=department,
            first_dispatched_at=locked.first_dispatched_at or now,
            dispatched_at=now,
            respond_by=add_working_days(now, respond_days),
            resolve_by=add_working_days(now, resolve_days),
        )
        _event(locked, E.DISPATCHED, by=by, department=department, at=now)
        return locked

    return _step(request, by, "deeds.request.dispatched", work)


def accept_request(request: ServiceRequest, *, by) -> ServiceRequest:
    """签收: the department takes the request on; the first acceptance is its response."""

    def work(locked):
        _require(locked, S.DISPATCHED)
        now = timezone.now()
        _save(locked, status=S.ACCEPTED, responded_at=locked.responded_at or now)
        _event(locked, E.ACCEPTED, by=by, department=locked.department, at=now)
        return locked

    return _step(request, by, "deeds.request.accepted", work)


def send_back_request(request: ServiceRequest, *, by, reason: str) -> ServiceRequest:
    """退回: not this department's; back to the operator to dispatch again."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写退回原因", "reason_required", field="reason")

    def work(locked):
        _require(locked, S.DISPATCHED)
        department = locked.department
        _save(locked, status=S.PENDING, department=None, respond_by=None, resolve_by=None)
        _event(locked, E.SENT_BACK, by=by, department=department, text=reason)
        return locked

    return _step(request, by, "deeds.request.sent_back", work)


def reply_to_request(request: ServiceRequest, *, by, text: str) -> ServiceRequest:
    """答复 the requester (shown on the tracking page). Replying to a request not yet
    accepted accepts it; the first reply or acceptance is the response."""
    text = _clean_reply(text, "请填写答复内容")

    def work(locked):
        _require(locked, S.DISPATCHED, S.ACCEPTED)
        now = timezone.now()
        _save(locked, status=S.ACCEPTED, responded_at=locked.responded_at or now)
        _event(locked, E.REPLIED, by=by, department=locked.department, text=text, at=now)
        return locked

    return _step(request, by, "deeds.request.replied", work)


def _clean_reply(text: str, required: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(required, "text_required", field="text")
    if len(text) > REPLY_MAX:
        raise DomainError(f"内容不能超过{REPLY_MAX}字", "text_too_long", field="text")
    return text


def close_request(request: ServiceRequest, *, by, outcome: str, text: str) -> ServiceRequest:
    """办结 with an outcome and a word to the requester on what was done."""
    if outcome not in ServiceRequest.Outcome.values:
        raise DomainError("请选择办理结果", "outcome_invalid", field="outcome")
    text = _clean_reply(text, "请填写办理情况")

    def work(locked):
        _require(locked, S.ACCEPTED)
        now = timezone.now()
        _save(locked, status=S.CLOSED, outcome=outcome, closed_at=now)
        label = ServiceRequest.Outcome(outcome).label
        _event(locked, E.CLOSED, by=by, department=locked.department, text=f"{label}：{text}")
        return locked

    return _step(request, by, "deeds.request.closed", work)


# ---------------------------------------------------------------- follow-up (回访)


def rate_request(
    request: ServiceRequest,
    *,
    value: str,
    comment: str = "",
    via: str = RequestRating.Via.WEB,
    by=None,
) -> RequestRating:
    """One rating per round, only once the request is closed. "不满意" in round 1 reopens it
    for round 2 with the same department; the last rating counts."""
    if value not in ServiceRequest.Rating.values:
        raise DomainError("请选择满意度", "rating_invalid", field="rating")
    comment = (comment or "").strip()[:200]
    with transaction.atomic():
        locked = _locked(request)
        if locked.ratings.filter(round=locked.round).exists():
            raise DomainError("本轮办理已评价，不能重复评价", "already_rated", field="rating")
        if locked.status != S.CLOSED:
            raise DomainError("诉求办结后才能评价", "not_closed", field="rating")
        now = timezone.now()
        rating = RequestRating.objects.create(
            request=locked,
            round=locked.round,
            value=value,
            comment=comment,
            via=via,
            recorded_by=_user(by),
            at=now,
        )
        label = ServiceRequest.Rating(value).label
        note = f"{label}（{RequestRating.Via(via).label}）"
        _event(locked, E.RATED, by=by, text=f"{note}：{comment}" if comment else note, at=now)
        _save(locked, rating=value, rated_at=now)
        if value == ServiceRequest.Rating.UNSATISFIED and locked.round == 1:
            _reopen(locked, by, now)
        audit.record("deeds.request.rated", locked, actor=by, details={"rating": value, "via": via})
    return rating


def _reopen(request: ServiceRequest, by, now: dt.datetime) -> None:
    _save(
        request,
        round=2,
        status=S.ACCEPTED,
        outcome="",
        closed_at=None,
        resolve_by=add_working_days(now, request.category.resolve_days),
    )
    _event(request, E.REOPENED, by=by, department=request.department, at=now)


def record_phone_rating(request: ServiceRequest, *, by, value: str, comment: str = ""):
    """A rating the requester gave in a phone follow-up (电话回访), recorded by the operator."""
    return rate_request(request, value=value, comment=comment, via=RequestRating.Via.PHONE, by=by)


# ---------------------------------------------------------------- the operator's other tools


def edit_request_text(request: ServiceRequest, *, by, text: str) -> ServiceRequest:
    """Edit the published wording (e.g. to remove a name); `original_text` is kept."""
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写诉求内容", "text_required", field="text")
    if len(text) > TEXT_MAX:
        raise DomainError(f"诉求内容不能超过{TEXT_MAX}字", "text_too_long", field="text")
    with transaction.atomic():
        locked = _locked(request)
        _save(locked, text=text)
        audit.record("deeds.request.edited", locked, actor=by)
    return locked


def block_phone(phone: str, *, by, reason: str) -> BlockedPhone:
    try:
        phone = validate_mobile(phone or "")
    except ValidationError as exc:
        raise DomainError(exc.messages[0], "phone_invalid", field="phone") from None
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写加入黑名单的原因", "reason_required", field="reason")
    with transaction.atomic():
        blocked, created = BlockedPhone.objects.get_or_create(
            phone=phone, defaults={"reason": reason[:100], "created_by": _user(by)}
        )
        if created:
            audit.record("deeds.blocklist.added", blocked, actor=by, details={"reason": reason})
    return blocked


def unblock_phone(blocked: BlockedPhone, *, by) -> None:
    with transaction.atomic():
        audit.record("deeds.blocklist.removed", blocked, actor=by)
        blocked.delete()


def supervise_request(request: ServiceRequest, *, by, message: str) -> Supervision:
    """督办 an open request; the department answers as it does for a deed."""
    from dangjian.deeds.request_queries import escalation_of

    message = (message or "").strip()
    if not message:
        raise DomainError("请填写督办要求", "message_required", field="message")
    with transaction.atomic():
        locked = _locked(request)
        if locked.status not in (S.DISPATCHED, S.ACCEPTED):
            raise DomainError("只能督办承办中的诉求", "status_invalid", field="status")
        level = escalation_of(locked, timezone.localdate())
        supervision = Supervision.objects.create(
            request=locked, level=level, message=message, issued_by=_user(by)
        )
        _event(locked, E.SUPERVISED, by=by, department=locked.department)
        audit.record(
            "deeds.request.supervised", locked, actor=by, details={"supervision": supervision.pk}
        )
    return supervision


def make_deed(
    request: ServiceRequest, *, by, title: str, owner: Department | None, deadline: dt.date
) -> Deed:
    """A request that needs a committed project becomes a deed in the ledger; the two stay
    linked and the tracking page shows the deed's progress."""
    from dangjian.deeds.request_queries import public_text

    source = Deed.Source.ENTERPRISE if request.enterprise_name else Deed.Source.RESIDENT
    with transaction.atomic():
        locked = _locked(request)
        if locked.deed_id is not None:
            raise DomainError("该诉求已转为实事项目", "deed_taken", field="title")
        _require(locked, S.PENDING, S.DISPATCHED, S.ACCEPTED, S.CLOSED)
        deed = deed_services.create_deed(
            by=by,
            title=title,
            source=source,
            owner=owner,
            deadline=deadline,
            # the deed is public once committed: the request's text as public pages show it
            description=public_text(locked),
            communities=[locked.community] if locked.community else [],
        )
        _save(locked, deed=deed)
        _event(locked, E.LINKED, by=by, department=owner, text=deed.title)
        audit.record("deeds.request.linked", locked, actor=by, details={"deed": deed.pk})
    return deed


# ---------------------------------------------------------------- retention (保存期限)


def forget_requesters(*, now: dt.datetime | None = None) -> int:
    """Delete the requester's personal data (name, phone, address, photos) from requests closed
    or dismissed more than REQUEST_RETENTION_YEARS ago, as the intake page's privacy notice
    promises. The request itself, its public text and its timeline stay for the statistics.
    Returns how many requests were cleared; run daily (`manage.py forget_requesters`)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=365 * settings.REQUEST_RETENTION_YEARS)
    ended = ServiceRequest.objects.exclude(phone="").filter(
        Q(status=S.CLOSED, closed_at__lt=cutoff) | Q(status=S.DISMISSED, updated_at__lt=cutoff)
    )
    with transaction.atomic():
        ids = list(ended.select_for_update().values_list("pk", flat=True))
        photos = list(RequestPhoto.objects.filter(request__in=ids))
        RequestPhoto.objects.filter(request__in=ids).delete()
        ServiceRequest.objects.filter(pk__in=ids).update(name="", phone="", ip=None)
        if ids:
            audit.record("deeds.request.forgotten", details={"requests": len(ids)})
    for photo in photos:  # after the commit: a rollback must not lose files still referenced
        photo.file.delete(save=False)
    return len(ids)


# ---------------------------------------------------------------- settings (类别与节假日)

CATEGORY_FIELDS = (
    "name",
    "respond_days",
    "resolve_days",
    "department",
    "for_enterprises",
    "position",
    "is_active",
)
CATEGORY_NAME_MAX = 30
DAYS_MAX = 365
POSITION_MAX = 9999


def save_category(category: RequestCategory | None, *, by, **fields) -> RequestCategory:
    """Create (`category` None) or change a request category. A category is never deleted:
    one no longer wanted is deactivated (`is_active=False`), which takes it off the intake
    form while the requests filed under it keep it. Fields not given keep their value."""
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise DomainError("不能修改这些字段", "field_invalid", field=sorted(unknown)[0])
    base = category if category is not None else RequestCategory()
    data = _clean_category({**{f: getattr(base, f) for f in CATEGORY_FIELDS}, **fields})
    taken = f"诉求类别名称“{data['name']}”已存在，请换一个名称或修改原有类别"
    with transaction.atomic():
        if category is not None:
            category = RequestCategory.objects.select_for_update().get(pk=category.pk)
        before = {f: getattr(category, f) for f in CATEGORY_FIELDS} if category else {}
        if RequestCategory.objects.filter(name=data["name"]).exclude(pk=base.pk).exists():
            raise DomainError(taken, "name_taken", field="name")
        saved = category or RequestCategory()
        for field, value in data.items():
            setattr(saved, field, value)
        try:
            with transaction.atomic():
                saved.save()
        except IntegrityError:  # someone else took the name at the same moment
            raise DomainError(taken, "name_taken", field="name") from None
        changes = {
            f: [_setting_shown(before.get(f)), _setting_shown(v)]
            for f, v in data.items()
            if not before or before[f] != v
        }
        audit.record(
            "deeds.category.saved",
            saved,
            actor=by,
            details={"created": not before, "changes": changes},
        )
    return saved


def _clean_category(data: dict) -> dict:
    name = (data["name"] or "").strip()
    if not name:
        raise DomainError("请填写诉求类别名称", "name_required", field="name")
    if len(name) > CATEGORY_NAME_MAX:
        raise DomainError(
            f"诉求类别名称不能超过{CATEGORY_NAME_MAX}字", "name_too_long", field="name"
        )
    respond, resolve = data["respond_days"], data["resolve_days"]
    if not isinstance(respond, int) or respond < 1:
        raise DomainError("响应时限至少为1个工作日", "days_invalid", field="respond_days")
    if not isinstance(resolve, int) or not 1 <= resolve <= DAYS_MAX:
        raise DomainError(
            f"办理时限应为1至{DAYS_MAX}个工作日", "days_invalid", field="resolve_days"
        )
    if respond > resolve:
        raise DomainError(
            f"响应时限（{respond}个工作日）不能超过办理时限（{resolve}个工作日）",
            "days_invalid",
            field="respond_days",
        )
    position = data["position"]
    if not isinstance(position, int) or not 0 <= position <= POSITION_MAX:
        raise DomainError(f"排序应为0至{POSITION_MAX}的整数", "position_invalid", field="position")
    department = data["department"]
    if department is not None and not isinstance(department, Department):
        raise DomainError("请选择默认承办单位", "department_invalid", field="department")
    return {
        **data,
        "name": name,
        "for_enterprises": bool(data["for_enterprises"]),
        "is_active": bool(data["is_active"]),
    }


def _setting_shown(value):
    """A value as the audit entry keeps it (a department by its name)."""
    return value if value is None or isinstance(value, bool | int) else str(value)


def set_calendar_day(date: dt.date, *, by, kind: str, name: str = "") -> CalendarDay:
    """Mark a date a holiday (节假日) or a worked weekend day (调休上班), replacing what the
    table said of it before. Deadlines already set keep their date: a request's working days
    are counted once, when it is dispatched."""
    if not isinstance(date, dt.date):
        raise DomainError("请填写日期", "date_required", field="date")
    if kind not in CalendarDay.Kind.values:
        raise DomainError("请选择类型：节假日或调休上班", "kind_invalid", field="kind")
    if kind == CalendarDay.Kind.WORKDAY and date.weekday() < 5:
        # Monday to Friday is worked anyway; such a row is almost always a mistyped date.
        raise DomainError(
            f"{date:%Y-%m-%d}是工作日（周一至周五），调休上班只能设在周六或周日",
            "date_invalid",
            field="date",
        )
    name = (name or "").strip()
    if len(name) > 30:
        raise DomainError("名称不能超过30字", "name_too_long", field="name")
    with transaction.atomic():
        before = CalendarDay.objects.select_for_update().filter(date=date).first()
        day, _ = CalendarDay.objects.update_or_create(
            date=date, defaults={"kind": kind, "name": name}
        )
        details = {"date": f"{date:%Y-%m-%d}", "kind": kind, "name": name}
        if before is not None:
            details["before"] = {"kind": before.kind, "name": before.name}
        audit.record("deeds.calendar.saved", day, actor=by, details=details)
    return day


def remove_calendar_day(day: CalendarDay, *, by) -> None:
    """The date becomes an ordinary day again (Monday to Friday worked, weekends off)."""
    with transaction.atomic():
        audit.record(
            "deeds.calendar.removed",
            day,
            actor=by,
            details={"date": f"{day.date:%Y-%m-%d}", "kind": day.kind, "name": day.name},
        )
        CalendarDay.objects.filter(pk=day.pk).delete()
