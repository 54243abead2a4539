"""Every write to campaigns, activities, registrations and check-ins. Each function validates,
writes and audits in one transaction and raises DomainError with a Chinese message naming the
field. Correctness under concurrency rests on database constraints (one live registration and
one check-in per member per activity) and on locking the activity row before counting places
(`select_for_update` on PostgreSQL; SQLite's IMMEDIATE transactions take the write lock at
BEGIN)."""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dangjian.campaigns import codes
from dangjian.campaigns.models import (
    Activity,
    ActivityPhoto,
    ActivityType,
    Campaign,
    CheckIn,
    MemberCode,
    Place,
    Registration,
)
from dangjian.core import audit, images
from dangjian.core.errors import DomainError
from dangjian.orgs.models import Department, Member, Organization, Sector

ACTIVITY_FIELDS = (
    "type",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "capacity",
    "registration_required",
)
ACTIVITY_RELATIONS = ("organizers", "invited_organizations", "target_sectors")
CAMPAIGN_FIELDS = ("name", "theme", "goals", "starts_on", "ends_on", "department")
PLACE_FIELDS = ("name", "address", "is_red_resource", "description")
CAMPAIGN_NAME_TAKEN = "已有同名的党史学习教育"
PLACE_NAME_TAKEN = "已有同名的活动地点"


# ---------------------------------------------------------------- campaigns


def create_campaign(
    *,
    by,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    theme: str = "",
    goals: str = "",
    department: Department | None = None,
    is_current: bool = False,
) -> Campaign:
    name = _required_name(name, "请填写名称")
    _check_period(starts_on, ends_on)
    with transaction.atomic():
        _check_name_free(Campaign, name, CAMPAIGN_NAME_TAKEN)
        campaign = Campaign.objects.create(
            name=name,
            theme=theme.strip(),
            goals=goals.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            department=department,
        )
        audit.record("campaigns.campaign.created", campaign, actor=by)
        if is_current:
            campaign = set_current_campaign(campaign, by=by)
    return campaign


def _check_period(starts_on, ends_on) -> None:
    if starts_on is None:
        raise DomainError("请填写开始日期", "starts_on_required", field="starts_on")
    if ends_on is None:
        raise DomainError("请填写结束日期", "ends_on_required", field="ends_on")
    if ends_on < starts_on:
        raise DomainError("结束日期不能早于开始日期", "period_invalid", field="ends_on")


def set_current_campaign(campaign: Campaign, *, by) -> Campaign:
    """Make `campaign` the one current campaign (the previous one stops being current)."""
    with transaction.atomic():
        list(Campaign.objects.select_for_update().filter(is_current=True))
        Campaign.objects.filter(is_current=True).exclude(pk=campaign.pk).update(is_current=False)
        Campaign.objects.filter(pk=campaign.pk).update(is_current=True)
        campaign.is_current = True
        audit.record("campaigns.campaign.set_current", campaign, actor=by)
    return campaign


def update_campaign(campaign: Campaign, *, by, **changes) -> Campaign:
    """Change a campaign's own fields; which one is current changes only through
    `set_current_campaign`."""
    data = _merged(campaign, changes, CAMPAIGN_FIELDS)
    data["name"] = _required_name(data["name"], "请填写名称")
    data["theme"], data["goals"] = (data["theme"] or "").strip(), (data["goals"] or "").strip()
    _check_period(data["starts_on"], data["ends_on"])
    with transaction.atomic():
        campaign, changed = _save_changes(campaign, data, taken=CAMPAIGN_NAME_TAKEN)
        if changed:
            details = {"changed": changed}
            audit.record("campaigns.campaign.updated", campaign, actor=by, details=details)
    return campaign


# ---------------------------------------------------------------- places


def create_place(
    *, by, name: str, address: str = "", is_red_resource: bool = False, description: str = ""
) -> Place:
    name = _required_name(name, "请填写地点名称")
    with transaction.atomic():
        _check_name_free(Place, name, PLACE_NAME_TAKEN)
        place = Place.objects.create(
            name=name,
            address=address.strip(),
            is_red_resource=is_red_resource,
            description=description.strip(),
        )
        audit.record("campaigns.place.created", place, actor=by)
    return place


def update_place(place: Place, *, by, **changes) -> Place:
    data = _merged(place, changes, PLACE_FIELDS)
    data["name"] = _required_name(data["name"], "请填写地点名称")
    data["address"] = (data["address"] or "").strip()
    data["description"] = (data["description"] or "").strip()
    data["is_red_resource"] = bool(data["is_red_resource"])
    with transaction.atomic():
        place, changed = _save_changes(place, data, taken=PLACE_NAME_TAKEN)
        if changed:
            audit.record("campaigns.place.updated", place, actor=by, details={"changed": changed})
    return place


# ---------------------------------------------------------------- shared by campaigns and places


def _required_name(name: str, message: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(message, "name_required", field="name")
    return name


def _check_name_free(model, name: str, message: str, *, exclude_pk=None) -> None:
    if model.objects.filter(name=name).exclude(pk=exclude_pk).exists():
        raise DomainError(message, "name_taken", field="name")


def _merged(obj, changes: dict, fields: tuple[str, ...]) -> dict:
    """The object's `fields`, overridden by `changes` (which may name no other field)."""
    unknown = set(changes) - set(fields)
    if unknown:
        raise DomainError("不能修改这些字段", "field_invalid", field=sorted(unknown)[0])
    return {f: changes.get(f, getattr(obj, f)) for f in fields}


def _save_changes(obj, data: dict, *, taken: str) -> tuple:
    """Save the validated `data` of a campaign or place where it differs from the (locked)
    row, refusing a name another row holds. Returns the row and {field: [before, after]}.
    Call inside a transaction."""
    model = type(obj)
    obj = model.objects.select_for_update().get(pk=obj.pk)
    before = {f: getattr(obj, f) for f in data}
    changed = {f: v for f, v in data.items() if v != before[f]}
    if not changed:
        return obj, {}
    if "name" in changed:
        _check_name_free(model, changed["name"], taken, exclude_pk=obj.pk)
    for field, value in changed.items():
        setattr(obj, field, value)
    try:
        with transaction.atomic():
            obj.save(update_fields=[*changed, "updated_at"])
    except IntegrityError:  # a simultaneous write took the name
        raise DomainError(taken, "name_taken", field="name") from None
    return obj, {f: [_shown(before[f]), _shown(v)] for f, v in changed.items()}


def _shown(value):
    return value if value is None or isinstance(value, bool | int) else str(value)


# ---------------------------------------------------------------- activities


def create_activity(
    *,
    by,
    campaign: Campaign,
    type: ActivityType,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    organizers: Iterable[Organization],
    invited_organizations: Iterable[Organization] = (),
    target_sectors: Iterable[Sector] = (),
    place: Place | None = None,
    capacity: int | None = None,
    registration_required: bool = False,
    description: str = "",
) -> Activity:
    fields = clean_activity(
        {
            "type": type,
            "title": title,
            "description": description,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "place": place,
            "capacity": capacity,
            "registration_required": registration_required,
        }
    )
    relations = _clean_relations(organizers, invited_organizations, target_sectors)
    with transaction.atomic():
        activity = Activity.objects.create(campaign=campaign, created_by=_user(by), **fields)
        for name, values in relations.items():
            getattr(activity, name).set(values)
        audit.record("campaigns.activity.created", activity, actor=by)
    return activity


def clean_activity(data: dict) -> dict:
    """Validate and normalise an activity's own fields (shared by create and update)."""
    data = dict(data)
    data["title"] = (data.get("title") or "").strip()
    if not data["title"]:
        raise DomainError("请填写活动名称", "title_required", field="title")
    if data.get("type") is None:
        raise DomainError("请选择活动类型", "type_required", field="type")
    data["description"] = (data.get("description") or "").strip()
    _check_times(data.get("starts_at"), data.get("ends_at"))
    capacity = data.get("capacity")
    if capacity is not None and capacity < 1:
        raise DomainError("名额至少为1人，不限名额请留空", "capacity_invalid", field="capacity")
    return data


def _check_times(starts_at, ends_at) -> None:
    for field, value, label in (("starts_at", starts_at, "开始"), ("ends_at", ends_at, "结束")):
        if value is None:
            raise DomainError(f"请填写{label}时间", f"{field}_required", field=field)
        if timezone.is_naive(value):
            raise DomainError(f"{label}时间缺少时区", f"{field}_naive", field=field)
    if ends_at <= starts_at:
        raise DomainError("结束时间必须晚于开始时间", "period_invalid", field="ends_at")


def _clean_relations(organizers, invited_organizations, target_sectors) -> dict:
    organizers = list(organizers or ())
    if not organizers:
        raise DomainError("请至少选择一个主办党组织", "organizers_required", field="organizers")
    return {
        "organizers": organizers,
        "invited_organizations": list(invited_organizations or ()),
        "target_sectors": list(target_sectors or ()),
    }


def update_activity(activity: Activity, *, by, **changes) -> Activity:
    """Change an activity's fields and relations; a larger capacity promotes waiting entries."""
    unknown = set(changes) - set(ACTIVITY_FIELDS) - set(ACTIVITY_RELATIONS)
    if unknown:
        raise DomainError("不能修改这些字段", "field_invalid", field=sorted(unknown)[0])
    with transaction.atomic():
        activity = _locked(activity)
        _check_not_cancelled(activity)
        fields = {f: changes.get(f, getattr(activity, f)) for f in ACTIVITY_FIELDS}
        fields = clean_activity(fields)
        _check_capacity_holds(activity, fields["capacity"])
        relations = _changed_relations(activity, changes)
        changed = [f for f in ACTIVITY_FIELDS if fields[f] != getattr(activity, f)]
        for field in changed:
            setattr(activity, field, fields[field])
        activity.save(update_fields=[*changed, "updated_at"])
        for name, values in relations.items():
            getattr(activity, name).set(values)
        audit.record(
            "campaigns.activity.updated",
            activity,
            actor=by,
            details={"fields": changed + list(relations)},
        )
        _promote_waiting(activity, by=by)
    return activity


def _changed_relations(activity: Activity, changes: dict) -> dict:
    current = {
        "organizers": list(activity.organizers.all()),
        "invited_organizations": list(activity.invited_organizations.all()),
        "target_sectors": list(activity.target_sectors.all()),
    }
    merged = _clean_relations(*(changes.get(name, current[name]) for name in ACTIVITY_RELATIONS))
    return {n: merged[n] for n in ACTIVITY_RELATIONS if n in changes}


def _check_capacity_holds(activity: Activity, capacity: int | None) -> None:
    registered = _registered_count(activity)
    if capacity is not None and capacity < registered:
        message = f"名额不能少于已报名人数（{registered}人）"
        raise DomainError(message, "capacity_below_registered", field="capacity")


def open_registration(activity: Activity, *, by) -> Activity:
    with transaction.atomic():
        activity = _locked(activity)
        _check_not_cancelled(activity)
        if activity.phase() == Activity.Phase.FINISHED:
            raise DomainError("活动已结束", "activity_finished", field="activity")
        if activity.status != Activity.Status.OPEN:
            activity.status = Activity.Status.OPEN
            activity.save(update_fields=["status", "updated_at"])
            audit.record("campaigns.activity.registration_opened", activity, actor=by)
    return activity


def cancel_activity(activity: Activity, *, by, reason: str) -> Activity:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写取消原因", "reason_required", field="reason")
    with transaction.atomic():
        activity = _locked(activity)
        _check_not_cancelled(activity)
        activity.status = Activity.Status.CANCELLED
        activity.cancel_reason = reason[:200]
        activity.save(update_fields=["status", "cancel_reason", "updated_at"])
        audit.record("campaigns.activity.cancelled", activity, actor=by, details={"reason": reason})
    return activity


def record_walk_ins(activity: Activity, count: int, *, by) -> Activity:
    """Set the number of attendees who are not members (residents at a community activity)."""
    if count is None or count < 0:
        raise DomainError("非党员参加人数不能为负数", "walk_ins_invalid", field="walk_ins")
    with transaction.atomic():
        activity = _locked(activity)
        _check_not_cancelled(activity)
        before = activity.walk_ins
        activity.walk_ins = count
        activity.save(update_fields=["walk_ins", "updated_at"])
        audit.record(
            "campaigns.activity.walk_ins_recorded",
            activity,
            actor=by,
            details={"from": before, "to": count},
        )
    return activity


def _locked(activity: Activity) -> Activity:
    """The activity's row, locked until the transaction ends (PostgreSQL; SQLite's IMMEDIATE
    transaction already holds the database's write lock)."""
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _check_not_cancelled(activity: Activity) -> None:
    if activity.status == Activity.Status.CANCELLED:
        raise DomainError("活动已取消", "activity_cancelled", field="activity")


def _user(by):
    return by if by is not None and by.is_authenticated else None


# ---------------------------------------------------------------- registration


def register(activity: Activity, member: Member, *, by) -> Registration:
    """Sign `member` up: registered while places last, else on the waiting list. A member who
    already holds a live registration gets it back."""
    _check_member_active(member)
    with transaction.atomic():
        activity = _locked(activity)
        _check_registration_open(activity)
        existing = _live_registration(activity, member)
        if existing is not None:
            return existing
        status = _next_status(activity)
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    activity=activity, member=member, status=status
                )
        except IntegrityError:  # a simultaneous sign-up of the same member won
            return _live_registration(activity, member)
        audit.record(
            "campaigns.registration.created",
            registration,
            actor=by,
            details={"status": status, "member": member.pk},
        )
    return registration


def _check_member_active(member: Member) -> None:
    if not member.is_active_member:
        raise DomainError("该党员已转出或去世，不能报名或签到", "member_inactive", field="member")


def _check_registration_open(activity: Activity) -> None:
    _check_not_cancelled(activity)
    if activity.phase() == Activity.Phase.FINISHED:
        raise DomainError("活动已结束，不能报名", "activity_finished", field="activity")
    if activity.status != Activity.Status.OPEN:
        raise DomainError("活动尚未开放报名", "registration_closed", field="activity")


def _live_registration(activity: Activity, member: Member) -> Registration | None:
    return (
        Registration.objects.filter(activity=activity, member=member)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )


def _registered_count(activity: Activity) -> int:
    return activity.registrations.filter(status=Registration.Status.REGISTERED).count()


def _free_places(activity: Activity) -> int | None:
    """Places left (None: unlimited). Call with the activity row locked."""
    if activity.capacity is None:
        return None
    return max(activity.capacity - _registered_count(activity), 0)


def _next_status(activity: Activity) -> str:
    free = _free_places(activity)
    if free is None or free > 0:
        return Registration.Status.REGISTERED
    return Registration.Status.WAITING


def cancel_registration(registration: Registration, *, by) -> Registration:
    """Cancel a sign-up; a freed place goes to the earliest waiting entry, in the same
    transaction. Cancelling twice changes nothing."""
    with transaction.atomic():
        activity = _locked(registration.activity)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED:
            return registration
        if activity.phase() == Activity.Phase.FINISHED:
            raise DomainError("活动已结束，不能取消报名", "activity_finished", field="activity")
        was = registration.status
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        audit.record(
            "campaigns.registration.cancelled", registration, actor=by, details={"was": was}
        )
        if was == Registration.Status.REGISTERED:
            _promote_waiting(activity, by=by)
    return registration


def _promote_waiting(activity: Activity, *, by) -> list[Registration]:
    """Fill free places from the waiting list in sign-up order. Call with the row locked."""
    free = _free_places(activity)
    waiting = activity.registrations.filter(status=Registration.Status.WAITING).order_by(
        "created_at", "id"
    )
    promoted = list(waiting if free is None else waiting[:free])
    now = timezone.now()
    for registration in promoted:
        registration.status = Registration.Status.REGISTERED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        audit.record("campaigns.registration.promoted", registration, actor=by)
    return promoted


# ---------------------------------------------------------------- check-in


def check_in(
    activity: Activity,
    member: Member,
    *,
    method: str,
    by,
    at: dt.datetime | None = None,
    nonce: str | None = None,
) -> tuple[CheckIn, bool]:
    """Record that `member` attended. Returns (check-in, created); a member already checked in
    gets the original check-in back (created False), so callers answer "已签到" with its time.
    Every check-in method (roll call, QR codes, paper sheet) goes through here."""
    activity = get_object_or_404(Activity.objects.only(*ACTIVITY_CHECK_FIELDS), pk=activity.pk)
    return _check_in(activity, member, method=method, by=by, at=at, nonce=nonce)


def _check_in(activity, member, *, method, by, at, nonce) -> tuple[CheckIn, bool]:
    """`check_in` on an activity just read (`ACTIVITY_CHECK_FIELDS`). The reads happen before
    the transaction, so that SQLite's write lock is held only for the writes."""
    at = at or timezone.now()
    _check_check_in_input(method, at)
    _check_member_active(member)
    _check_check_in_open(activity, at)
    check_in = CheckIn(
        activity=activity, member=member, method=method, by=_user(by), at=at, nonce=nonce or None
    )
    with transaction.atomic():
        if not _insert_new(check_in):  # checked in before, or the nonce is someone else's
            existing = _existing_check_in(activity, member, nonce)
            if existing is None:
                raise DomainError("签到码已被使用", "nonce_used", field="nonce")
            return existing, False
        audit.record(
            "campaigns.check_in.created",
            check_in,
            actor=by,
            details={"method": method, "member": member.pk, "registered": check_in.registered},
        )
    return check_in, True


def _check_check_in_input(method: str, at: dt.datetime) -> None:
    if method not in CheckIn.Method.values:
        raise DomainError("签到方式不在可选范围内", "method_invalid", field="method")
    if timezone.is_naive(at):
        raise DomainError("签到时间缺少时区", "at_naive", field="at")


def _check_check_in_open(activity: Activity, at: dt.datetime) -> None:
    _check_not_cancelled(activity)
    if not activity.check_in_open(at):
        raise DomainError("不在签到时间内（开始前30分钟至结束）", "check_in_closed", field="at")


def _existing_check_in(activity: Activity, member: Member, nonce: str | None) -> CheckIn | None:
    """The member's check-in at this activity, if any (one query, with the nonce's). A nonce
    already used for anyone or anything else is refused."""
    condition = Q(activity=activity, member=member)
    if nonce:
        condition |= Q(nonce=nonce)
    found = list(CheckIn.objects.filter(condition)[:2])
    if nonce and any(
        c.nonce == nonce and (c.member_id, c.activity_id) != (member.pk, activity.pk) for c in found
    ):
        raise DomainError("签到码已被使用", "nonce_used", field="nonce")
    mine = next((c for c in found if c.member_id == member.pk), None)
    if mine is not None:
        mine.member = member  # callers name the member in their answer
    return mine


CHECK_IN_COLUMNS = ("activity", "member", "at", "method", "by", "nonce")


def _insert_new(check_in: CheckIn) -> bool:
    """Insert unless a unique constraint (one check-in per member per activity, one use per
    nonce) already holds a row: INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING, on SQLite
    (3.35+) and PostgreSQL alike, with `registered` read from the member's registration in the
    same statement. One statement, and no savepoint, for the scan that is new, which is nearly
    every scan at the door; a simultaneous duplicate waits for the first and inserts nothing.
    True when inserted (then `pk` and `registered` are set)."""
    fields = [CheckIn._meta.get_field(name) for name in CHECK_IN_COLUMNS]
    values = [f.get_db_prep_save(getattr(check_in, f.attname), connection) for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    registration = Registration._meta.db_table
    # Names come from the models, values are parameters. "WHERE 1 = 1" tells SQLite's parser
    # that ON CONFLICT belongs to the INSERT, not to a join.
    sql = (
        f"INSERT INTO {quote(CheckIn._meta.db_table)} ({columns}, {quote('registered')}) "  # noqa: S608
        f"SELECT {', '.join(['%s'] * len(fields))}, EXISTS(SELECT 1 FROM {quote(registration)} "
        f"WHERE activity_id = %s AND member_id = %s AND status = %s) WHERE 1 = 1 "
        f"ON CONFLICT DO NOTHING RETURNING {quote('id')}, {quote('registered')}"
    )
    registered = [check_in.activity_id, check_in.member_id, Registration.Status.REGISTERED]
    with connection.cursor() as cursor:
        cursor.execute(sql, values + registered)
        row = cursor.fetchone()
    if row is None:
        return False
    check_in.pk, check_in.registered = row[0], bool(row[1])
    check_in._state.adding, check_in._state.db = False, "default"
    return True


# ---------------------------------------------------------------- after the activity

SUMMARY_MAX_CHARS = 5000


def _check_held(activity: Activity) -> None:
    """Summaries and photos tell what happened: not before the start, not when cancelled."""
    _check_not_cancelled(activity)
    if activity.phase() == Activity.Phase.UPCOMING:
        raise DomainError("活动尚未开始，开始后才能填写总结和上传照片", "activity_not_held")


def save_summary(activity: Activity, summary: str, *, by) -> Activity:
    """The organizer's account of the activity (活动总结); later briefings quote it."""
    summary = (summary or "").strip()
    if len(summary) > SUMMARY_MAX_CHARS:
        message = f"活动总结不能超过{SUMMARY_MAX_CHARS}字"
        raise DomainError(message, "summary_too_long", field="summary")
    with transaction.atomic():
        activity = _locked(activity)
        _check_held(activity)
        if summary == activity.summary:
            return activity
        activity.summary = summary
        activity.summary_updated_at = timezone.now()
        activity.summary_updated_by = _user(by)
        activity.save(
            update_fields=["summary", "summary_updated_at", "summary_updated_by", "updated_at"]
        )
        audit.record("campaigns.activity.summary_saved", activity, actor=by)
    return activity


def add_photo(activity: Activity, upload, *, by, caption: str = "") -> tuple[ActivityPhoto, bool]:
    """Keep a photo of a held activity, cleaned by `core.images`. The same file sent twice (a
    double tap, a retry) is one photo: the second call returns the first, created False."""
    caption = (caption or "").strip()
    if len(caption) > 100:
        raise DomainError("照片说明不能超过100字", "caption_too_long", field="caption")
    photo = images.clean_photo(upload, field="image")
    with transaction.atomic():
        activity = _locked(activity)
        _check_held(activity)
        existing = activity.photos.filter(sha256=photo.sha256).first()
        if existing is not None:
            return existing, False
        if activity.photos.count() >= settings.PHOTOS_PER_ACTIVITY:
            message = f"每个活动最多上传{settings.PHOTOS_PER_ACTIVITY}张照片"
            raise DomainError(message, "photos_full", field="image")
        record = ActivityPhoto(
            activity=activity,
            caption=caption,
            width=photo.width,
            height=photo.height,
            sha256=photo.sha256,
            uploaded_by=_user(by),
        )
        record.image.save("photo.jpg", ContentFile(photo.data), save=False)
        try:
            record.save()
            details = {"photo": record.pk}
            audit.record("campaigns.activity.photo_added", activity, actor=by, details=details)
        except BaseException:  # no row, no file
            record.image.delete(save=False)
            raise
    return record, True


def remove_photo(photo: ActivityPhoto, *, by) -> None:
    with transaction.atomic():
        activity = _locked(photo.activity)
        _check_not_cancelled(activity)
        name = photo.image.name
        details = {"photo": photo.pk, "caption": photo.caption}
        photo.delete()
        audit.record("campaigns.activity.photo_removed", activity, actor=by, details=details)
        transaction.on_commit(lambda: default_storage.delete(name))


# ---------------------------------------------------------------- QR check-in

# What a check-in needs of the activity: its window and whether it was cancelled.
ACTIVITY_CHECK_FIELDS = ("title", "status", "starts_at", "ends_at")
# What a scan needs of the member, their organization and their member code's version (NULL:
# never issued). Every scan at the door runs it, so it is written out by hand: the ORM spent
# several times longer building this join than the database spends answering it (bench/).
SCANNED_MEMBER_SQL = """
    SELECT m.id, m.name, m.status, m.organization_id,
           o.name AS organization_name, o.short_name AS organization_short_name,
           o.path AS organization_path, c.version AS code_version
    FROM orgs_member m
    JOIN orgs_organization o ON o.id = m.organization_id
    LEFT JOIN campaigns_membercode c ON c.member_id = m.id
    WHERE m.id = %s"""
# A scanner's clock may run a little ahead of the server's; beyond this a scan time is refused.
SCAN_CLOCK_SKEW = dt.timedelta(minutes=2)


def current_member_code(member: Member) -> str:
    """The member's personal check-in code (党员码), issued on first use."""
    record, _ = MemberCode.objects.get_or_create(member=member)
    return codes.member_code(member.pk, record.version)


def reissue_member_code(member: Member, *, by) -> str:
    """A new member code; every earlier one is refused from now on (a lost or shared phone)."""
    with transaction.atomic():
        record, created = MemberCode.objects.select_for_update().get_or_create(member=member)
        if not created:
            record.version += 1
            record.issued_at = timezone.now()
            record.save(update_fields=["version", "issued_at"])
        audit.record(
            "campaigns.member_code.reissued", member, actor=by, details={"version": record.version}
        )
    return codes.member_code(member.pk, record.version)


def member_for_code(code: str) -> Member:
    """The active member whose current code this is; refused when tampered with, revoked, of
    nobody, or of someone no longer on the roster."""
    member_id, version = codes.read_member_code(code)
    member = next(iter(Member.objects.raw(SCANNED_MEMBER_SQL, [member_id])), None)
    if member is None:
        raise DomainError("党员码对应的党员不存在", "member_not_found", field="code")
    if member.code_version != version:  # None: never issued
        raise DomainError(*codes.REVOKED, field="code")
    _check_member_active(member)
    member.organization = _loaded(
        Organization,
        id=member.organization_id,
        name=member.organization_name,
        short_name=member.organization_short_name,
        path=member.organization_path,
    )
    return member


def _loaded(model, **values):
    """An instance of `model` as read from the database with `values`; its other fields are
    deferred (read from the database if used), never silently left at their defaults."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])


def check_in_by_member_code(
    activity: Activity, code: str, *, by, at: dt.datetime | None = None, nonce: str | None = None
) -> tuple[CheckIn, bool]:
    """Staff scanned (or typed) a member's code, now or offline at `at`."""
    at = _scan_time(at)
    member = member_for_code(code)
    return check_in(activity, member, method=CheckIn.Method.MEMBER_CODE, by=by, at=at, nonce=nonce)


def check_in_by_screen_code(
    activity: Activity, member: Member, code: str, *, by, at: dt.datetime | None = None
) -> tuple[CheckIn, bool]:
    """The member scanned the venue's screen code at `at` (when the code reached the server,
    which may be before they logged in)."""
    at = _scan_time(at)
    codes.check_screen_code(code, activity.pk, at)
    return check_in(activity, member, method=CheckIn.Method.QR_SCREEN, by=by, at=at)


def _scan_time(at: dt.datetime | None) -> dt.datetime:
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        raise DomainError("扫描时间缺少时区", "at_naive", field="at")
    if at > now + SCAN_CLOCK_SKEW:
        raise DomainError("扫描时间晚于服务器当前时间，请校准设备时间", "at_in_future", field="at")
    return at
