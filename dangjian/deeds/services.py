"""Every write to the deeds ledger. Each function validates, writes and audits in one
transaction, and raises DomainError with a Chinese message naming the field. Every change is
audited against the deed itself, so the deed's timeline is its audit entries.

Lost updates are prevented by versions: a save names the version it was based on, and the
update matches that version in its WHERE clause, which holds on SQLite and PostgreSQL alike.
The loser of a race gets `deed_version_conflict` (HTTP 409); its attempt is audited as
refused, outside the transaction that rolled back."""

import datetime as dt
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dangjian.core import audit, documents, images
from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry
from dangjian.deeds import queries
from dangjian.deeds.models import Deed, DeedFile, DeedPart, Milestone, SiteVisit, Supervision
from dangjian.orgs.models import Department

DEED_FIELDS = (
    "title",
    "description",
    "source",
    "leader",
    "beneficiaries",
    "deadline",
    "activity",
)
DEED_RELATIONS = ("communities", "enterprises")
CONFLICT = "该实事项目已被他人修改，请刷新页面后重试（您的修改未保存）"
PART_CONFLICT = "该分工已被他人修改，请刷新页面后重试（您的修改未保存）"
OPEN = (Deed.Status.COMMITTED, Deed.Status.IN_PROGRESS)


def _user(by):
    return by if by is not None and by.is_authenticated else None


def _locked(deed: Deed) -> Deed:
    return Deed.objects.select_for_update().get(pk=deed.pk)


# ---------------------------------------------------------------- the deed


def create_deed(
    *,
    by,
    title: str,
    source: str,
    owner: Department,
    deadline: dt.date,
    description: str = "",
    leader: str = "",
    beneficiaries: str = "",
    activity=None,
    communities: Iterable = (),
    enterprises: Iterable = (),
    co_departments: Iterable[tuple[Department, str]] = (),
    owner_task: str = "",
) -> Deed:
    """A proposed deed with a part for the owner and one for each co-department."""
    fields = _clean(
        {
            "title": title,
            "description": description,
            "source": source,
            "leader": leader,
            "beneficiaries": beneficiaries,
            "deadline": deadline,
            "activity": activity,
        }
    )
    if owner is None:
        raise DomainError("请选择责任单位", "owner_required", field="owner")
    co = [(d, (task or "").strip()) for d, task in co_departments if d != owner]
    if len({d.pk for d, _ in co}) != len(co):
        raise DomainError("协办单位重复", "co_departments_duplicate", field="co_departments")
    with transaction.atomic():
        deed = Deed.objects.create(owner=owner, created_by=_user(by), **fields)
        deed.communities.set(list(communities))
        deed.enterprises.set(list(enterprises))
        DeedPart.objects.create(deed=deed, department=owner, task=owner_task.strip())
        for department, task in co:
            DeedPart.objects.create(deed=deed, department=department, task=task)
        details = {"co_departments": [d.pk for d, _ in co]}
        audit.record("deeds.deed.created", deed, actor=by, details=details)
    return deed


def _clean(fields: dict) -> dict:
    fields = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    if not fields.get("title"):
        raise DomainError("请填写实事项目名称", "title_required", field="title")
    if fields.get("source") not in Deed.Source.values:
        raise DomainError("请选择来源", "source_invalid", field="source")
    if not isinstance(fields.get("deadline"), dt.date):
        raise DomainError("请填写完成时限", "deadline_required", field="deadline")
    return fields


def update_deed(deed: Deed, *, by, version: int, **changes) -> Deed:
    """Save the deed's own fields, based on `version`; refused with 409 when someone saved
    in between."""
    unknown = set(changes) - set(DEED_FIELDS) - set(DEED_RELATIONS)
    if unknown:
        raise DomainError("不能修改这些字段", "field_invalid", field=sorted(unknown)[0])
    fields = _clean({f: changes.get(f, getattr(deed, f)) for f in DEED_FIELDS})
    try:
        with transaction.atomic():
            current = _locked(deed)
            _check_not_ended(current)
            changed = [f for f in DEED_FIELDS if fields[f] != getattr(current, f)]
            updated = Deed.objects.filter(pk=deed.pk, version=version).update(
                **{f: fields[f] for f in changed},
                version=F("version") + 1,
                updated_at=timezone.now(),
            )
            if not updated:
                raise DomainError(CONFLICT, "deed_version_conflict", field="version")
            for name in DEED_RELATIONS:
                if name in changes:
                    getattr(current, name).set(list(changes[name]))
            details = {"fields": changed + [n for n in DEED_RELATIONS if n in changes]}
            audit.record("deeds.deed.updated", current, actor=by, details=details)
    except DomainError as exc:
        if exc.code == "deed_version_conflict":
            _record_conflict(deed, by, version)
        raise
    return Deed.objects.get(pk=deed.pk)


def _record_conflict(deed: Deed, by, version: int) -> None:
    audit.record(
        "deeds.deed.updated",
        deed,
        actor=by,
        outcome=AuditEntry.Outcome.FAILURE,
        details={"reason": "version_conflict", "based_on": version},
    )


def _check_not_ended(deed: Deed) -> None:
    if deed.status == Deed.Status.CLOSED:
        raise DomainError("实事项目已销号，不能再修改", "deed_closed", field="status")
    if deed.status == Deed.Status.CANCELLED:
        raise DomainError("实事项目已撤销，不能再修改", "deed_cancelled", field="status")


def commit_deed(deed: Deed, *, by) -> Deed:
    """Put a proposed deed on the public list of commitments (承诺)."""
    return _move(deed, by, Deed.Status.COMMITTED, {Deed.Status.PROPOSED}, "deeds.deed.committed")


def cancel_deed(deed: Deed, *, by, reason: str) -> Deed:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写撤销原因", "reason_required", field="reason")
    with transaction.atomic():
        deed = _locked(deed)
        _check_not_ended(deed)
        deed.status, deed.cancel_reason = Deed.Status.CANCELLED, reason
        deed.version += 1
        deed.save(update_fields=["status", "cancel_reason", "version", "updated_at"])
        audit.record("deeds.deed.cancelled", deed, actor=by, details={"reason": reason})
    return deed


def _move(deed: Deed, by, to: str, allowed: set, action: str, details=None, **fields) -> Deed:
    with transaction.atomic():
        deed = _locked(deed)
        if deed.status not in allowed:
            label = Deed.Status(deed.status).label
            raise DomainError(
                f"实事项目当前为“{label}”，不能进行此操作", "status_invalid", field="status"
            )
        deed.status = to
        if to == Deed.Status.COMMITTED:
            deed.committed_at = timezone.now()
            fields["committed_at"] = deed.committed_at
        for name, value in fields.items():
            setattr(deed, name, value)
        deed.version += 1
        deed.save(update_fields=["status", "version", "updated_at", *fields])
        audit.record(action, deed, actor=by, details={"status": to, **(details or {})})
    return deed


# ---------------------------------------------------------------- parts


def update_part(
    part: DeedPart, *, by, version: int, progress: int, note: str = "", task: str | None = None
) -> DeedPart:
    """A department reports on its own part. The first report starts the deed (推进中)."""
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        raise DomainError("进度应为0到100之间的整数", "progress_invalid", field="progress")
    note = (note or "").strip()
    try:
        with transaction.atomic():
            deed = _locked(part.deed)
            if deed.status not in (*OPEN, Deed.Status.AWAITING):
                raise DomainError("实事项目承诺后才能报送进展", "status_invalid", field="status")
            fields = {"progress": progress, "note": note, "updated_at": timezone.now()}
            if task is not None:
                fields["task"] = task.strip()
            updated = DeedPart.objects.filter(pk=part.pk, version=version).update(
                **fields, updated_by=_user(by), version=F("version") + 1
            )
            if not updated:
                raise DomainError(PART_CONFLICT, "part_version_conflict", field="version")
            if deed.status == Deed.Status.COMMITTED:
                deed.status = Deed.Status.IN_PROGRESS
                deed.save(update_fields=["status", "updated_at"])
            details = {"department": part.department_id, "progress": progress}
            audit.record("deeds.part.updated", deed, actor=by, details=details)
    except DomainError as exc:
        if exc.code == "part_version_conflict":
            details = {"department": part.department_id, "reason": "version_conflict"}
            audit.record(
                "deeds.part.updated",
                part.deed,
                actor=by,
                outcome=AuditEntry.Outcome.FAILURE,
                details=details,
            )
        raise
    return DeedPart.objects.get(pk=part.pk)


# ---------------------------------------------------------------- milestones and visits


def add_milestone(
    deed: Deed, *, by, title: str, planned_on: dt.date, department: Department
) -> Milestone:
    title = (title or "").strip()
    if not title:
        raise DomainError("请填写节点名称", "title_required", field="title")
    if not isinstance(planned_on, dt.date):
        raise DomainError("请填写计划日期", "planned_on_required", field="planned_on")
    with transaction.atomic():
        deed = _locked(deed)
        _check_not_ended(deed)
        _check_party(deed, department)
        milestone = Milestone.objects.create(
            deed=deed,
            title=title,
            planned_on=planned_on,
            department=department,
            created_by=_user(by),
        )
        details = {"milestone": milestone.pk, "title": title, "planned_on": planned_on.isoformat()}
        audit.record("deeds.milestone.added", deed, actor=by, details=details)
    return milestone


def complete_milestone(milestone: Milestone, *, by, done_on: dt.date) -> Milestone:
    if not isinstance(done_on, dt.date):
        raise DomainError("请填写实际完成日期", "done_on_required", field="done_on")
    if done_on > timezone.localdate():
        raise DomainError("实际完成日期不能晚于今天", "done_on_future", field="done_on")
    with transaction.atomic():
        deed = _locked(milestone.deed)
        _check_not_ended(deed)
        milestone.done_on = done_on
        milestone.save(update_fields=["done_on"])
        details = {"milestone": milestone.pk, "done_on": done_on.isoformat()}
        audit.record("deeds.milestone.completed", deed, actor=by, details=details)
    return milestone


def record_visit(
    deed: Deed,
    *,
    by,
    department: Department,
    visited_at: dt.datetime,
    place: str,
    visitors: str,
    observed: str,
    decided: str = "",
    photos: Iterable = (),
) -> SiteVisit:
    """An on-site visit (现场办公) with its photos, all or nothing."""
    fields = {"place": place, "visitors": visitors, "observed": observed, "decided": decided}
    fields = {k: (v or "").strip() for k, v in fields.items()}
    for name, label in (("place", "地点"), ("visitors", "参加人员"), ("observed", "现场查看情况")):
        if not fields[name]:
            raise DomainError(f"请填写{label}", f"{name}_required", field=name)
    if visited_at is None or timezone.is_naive(visited_at):
        raise DomainError("请填写时间", "visited_at_required", field="visited_at")
    if visited_at > timezone.now():
        raise DomainError("现场办公时间不能晚于现在", "visited_at_future", field="visited_at")
    cleaned = [images.clean_photo(p, field="photos") for p in photos]
    with transaction.atomic():
        deed = _locked(deed)
        _check_not_ended(deed)
        _check_party(deed, department)
        visit = SiteVisit.objects.create(
            deed=deed, department=department, visited_at=visited_at, recorded_by=_user(by), **fields
        )
        for photo in cleaned:
            _keep_file(deed, DeedFile.Kind.VISIT_PHOTO, photo, by, visit=visit)
        details = {"visit": visit.pk, "place": fields["place"], "photos": len(cleaned)}
        audit.record("deeds.visit.recorded", deed, actor=by, details=details)
    return visit


def _check_party(deed: Deed, department: Department) -> None:
    if not deed.parts.filter(department=department).exists():
        raise DomainError(
            "该单位不是此实事项目的责任或协办单位", "department_invalid", field="department"
        )


def _keep_file(deed: Deed, kind: str, item, by, *, visit=None) -> DeedFile:
    """Store a cleaned photo (`core.images.Photo`) or document (`core.documents.Document`)."""
    existing = DeedFile.objects.filter(deed=deed, kind=kind, sha256=item.sha256).first()
    if existing is not None:  # the same file twice is one file
        return existing
    record = DeedFile(
        deed=deed,
        visit=visit,
        kind=kind,
        name=getattr(item, "name", "") or "照片.jpg",
        content_type=getattr(item, "content_type", "image/jpeg"),
        extension=getattr(item, "extension", ".jpg"),
        sha256=item.sha256,
        uploaded_by=_user(by),
    )
    record.file.save("file", ContentFile(item.data), save=False)
    try:
        record.save()
    except BaseException:
        record.file.delete(save=False)
        raise
    return record


# ---------------------------------------------------------------- close-out (销号)


def submit_close_out(deed: Deed, *, by, evidence: str, files: Iterable = ()) -> Deed:
    """The owner department asks for close-out, with evidence: a written account is required,
    photos and documents may back it."""
    evidence = (evidence or "").strip()
    if not evidence:
        raise DomainError(
            "申请销号须提供销号材料（办理情况说明）", "evidence_required", field="evidence"
        )
    cleaned = [_clean_attachment(f) for f in files]
    with transaction.atomic():
        deed = _locked(deed)
        if deed.status not in OPEN:
            label = Deed.Status(deed.status).label
            raise DomainError(
                f"实事项目当前为“{label}”，不能申请销号", "status_invalid", field="status"
            )
        for item in cleaned:
            _keep_file(deed, DeedFile.Kind.EVIDENCE, item, by)
        deed.status, deed.evidence = Deed.Status.AWAITING, evidence
        deed.submitted_at, deed.submitted_by = timezone.now(), _user(by)
        deed.version += 1
        deed.save(
            update_fields=[
                "status",
                "evidence",
                "submitted_at",
                "submitted_by",
                "version",
                "updated_at",
            ]
        )
        audit.record("deeds.close_out.submitted", deed, actor=by, details={"files": len(cleaned)})
    return deed


def _clean_attachment(upload):
    """A photo is re-encoded; anything else must be a PDF, Word or Excel document."""
    if (getattr(upload, "content_type", "") or "").startswith("image/"):
        return images.clean_photo(upload, field="files")
    return documents.clean_document(upload, field="files")


def review_close_out(deed: Deed, *, by, outcome: str, reason: str = "") -> Deed:
    """The operator closes out (销号) with the outcome. 未解决 needs its reason and never
    counts as done (`queries.deed_counts`)."""
    if outcome not in Deed.Outcome.values:
        raise DomainError("请选择办结情况", "outcome_invalid", field="outcome")
    reason = (reason or "").strip()
    if outcome == Deed.Outcome.NOT_FIXED and not reason:
        raise DomainError("未解决的须说明原因", "reason_required", field="reason")
    with transaction.atomic():
        deed = _locked(deed)
        if deed.status != Deed.Status.AWAITING:
            raise DomainError("只有待销号的实事项目可以审核销号", "status_invalid", field="status")
        if not deed.evidence:
            raise DomainError("没有销号材料，不能销号", "evidence_required", field="evidence")
        deed.status, deed.outcome, deed.outcome_reason = Deed.Status.CLOSED, outcome, reason
        deed.closed_at, deed.closed_by = timezone.now(), _user(by)
        deed.version += 1
        deed.save(
            update_fields=[
                "status",
                "outcome",
                "outcome_reason",
                "closed_at",
                "closed_by",
                "version",
                "updated_at",
            ]
        )
        audit.record("deeds.close_out.reviewed", deed, actor=by, details={"outcome": outcome})
    return deed


def return_close_out(deed: Deed, *, by, reason: str) -> Deed:
    """Send a close-out request back (退回) to the department, with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写退回原因", "reason_required", field="reason")
    return _move(
        deed,
        by,
        Deed.Status.IN_PROGRESS,
        {Deed.Status.AWAITING},
        "deeds.close_out.returned",
        details={"reason": reason},
    )


# ---------------------------------------------------------------- supervision (督办)


def issue_supervision(deed: Deed, *, by, message: str) -> Supervision:
    message = (message or "").strip()
    if not message:
        raise DomainError("请填写督办要求", "message_required", field="message")
    with transaction.atomic():
        deed = _locked(deed)
        if not deed.is_open:
            raise DomainError("已销号或已撤销的实事项目不能督办", "status_invalid", field="status")
        level = queries.escalation_of(deed, timezone.localdate())
        supervision = Supervision.objects.create(
            deed=deed, level=level, message=message, issued_by=_user(by)
        )
        audit.record(
            "deeds.supervision.issued",
            deed,
            actor=by,
            details={"supervision": supervision.pk, "level": level},
        )
    return supervision


def answer_supervision(supervision: Supervision, *, by, answer: str) -> Supervision:
    answer = (answer or "").strip()
    if not answer:
        raise DomainError("请填写办理反馈", "answer_required", field="answer")
    with transaction.atomic():
        supervision = Supervision.objects.select_for_update().get(pk=supervision.pk)
        if supervision.answered_at is not None:
            raise DomainError("该督办已反馈", "already_answered", field="answer")
        supervision.answer, supervision.answered_at = answer, timezone.now()
        supervision.answered_by = _user(by)
        supervision.save(update_fields=["answer", "answered_at", "answered_by"])
        audit.record(
            "deeds.supervision.answered",
            supervision.deed or supervision.request,
            actor=by,
            details={"supervision": supervision.pk},
        )
    return supervision
