"""API of the practical-deeds ledger: the same services, scopes and permissions as the pages.

Reading or changing deeds needs a deeds right somewhere (the district's deeds managers, or a
department officer), else 403. Deeds are fetched through `queries.visible_deeds(user)`, so
another department's deed is a 404. Who may change what is answered by `deeds.access`: the
owner department edits the deed's own fields, each co-department only its own part and the
milestones and visits of its part; committing, reviewing a close-out, cancelling and
supervising are for the managers. A save based on an old `version` is a 409 with a Chinese
message to reload."""

import datetime as dt
from contextlib import contextmanager

from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form, Path, Query, Router, Status, UploadedFile

from dangjian.accounts.permissions import MANAGE_DEEDS, WORK_DEEDS, has_perm
from dangjian.campaigns.models import Activity
from dangjian.core.api import MAX_ID, errors, forbidden, paginate
from dangjian.core.errors import DomainError
from dangjian.deeds import access, queries, services
from dangjian.deeds.api_schemas import (
    AnswerIn,
    CloseOutForm,
    CompleteIn,
    CountFilters,
    CountsOut,
    DeedDetail,
    DeedFilters,
    DeedIn,
    DeedPage,
    DeedPatch,
    MilestoneIn,
    MilestoneOut,
    PartOut,
    PartPatch,
    ReasonIn,
    ReturnIn,
    ReviewIn,
    SupervisionIn,
    SupervisionOut,
    VisitForm,
    VisitOut,
)
from dangjian.deeds.models import Deed, DeedFile, DeedPart, Milestone, SiteVisit, Supervision
from dangjian.orgs.models import Community, Department, Enterprise

router = Router()
DEEDS = ["实事项目"]
WORK = ["实事项目办理"]
CLOSE_OUT = ["销号与督办"]

PHOTOS = {"title": "现场照片", "description": "JPG、PNG 或 WebP，可多张"}
EVIDENCE_FILES = {
    "title": "附件",
    "description": "照片（JPG、PNG、WebP）或 PDF、Word、Excel 文档，可多个",
}


def _path_id():
    return Path(..., ge=1, le=MAX_ID, title="编号")


# ---------------------------------------------------------------- helpers

# service field → API field
API_FIELDS = {
    "owner": "owner_id",
    "department": "department_id",
    "activity": "activity_id",
    "communities": "community_ids",
    "enterprises": "enterprise_ids",
}


@contextmanager
def _api_field_names():
    try:
        yield
    except DomainError as exc:
        exc.field = API_FIELDS.get(exc.field, exc.field)
        raise


def _require_deeds(user) -> None:
    """Any deeds right somewhere: a manager's, or a department officer's."""
    if not (has_perm(user, MANAGE_DEEDS) or has_perm(user, WORK_DEEDS)):
        raise forbidden()


def _deeds(user):
    """The user's visible deeds with progress and escalation, for lists and details."""
    deeds = queries.visible_deeds(user)
    deeds = queries.with_escalation(queries.with_progress(deeds), timezone.localdate())
    parts = Prefetch("parts", queryset=DeedPart.objects.select_related("department"))
    return deeds.select_related("owner").prefetch_related(parts, "communities", "enterprises")


def _visible_deed(user, pk: int, *, detail: bool = False) -> Deed:
    _require_deeds(user)
    deeds = _deeds(user)
    if detail:
        deeds = deeds.prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.select_related("department")),
            Prefetch(
                "visits",
                queryset=SiteVisit.objects.select_related("department").prefetch_related("files"),
            ),
            "files",
            "supervisions",
        )
    return get_object_or_404(deeds, pk=pk)


def _detail(user, pk: int) -> Deed:
    deed = _visible_deed(user, pk, detail=True)
    for part in deed.parts.all():
        part.deed = deed
        part.may_update = access.may_work_on(user, part)
    deed.may_edit = access.may_edit_deed(user, deed)
    deed.may_manage = access.may_manage(user)
    return deed


def _require(allowed: bool) -> None:
    if not allowed:
        raise forbidden()


def _lookup(queryset, pk: int | None, field: str, label: str):
    if pk is None:
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        code = f"{field.removesuffix('_ids').removesuffix('_id')}_unknown"
        raise DomainError(f"{label}（编号 {pk}）不存在或无权查看", code, field=field)
    return obj


def _lookup_all(queryset, pks: list[int], field: str, label: str) -> list:
    found = {obj.pk: obj for obj in queryset.filter(pk__in=pks)}
    for pk in pks:
        if pk not in found:
            _lookup(queryset.none(), pk, field, label)
    return [found[pk] for pk in dict.fromkeys(pks)]


def _activity(user, pk: int | None):
    return _lookup(Activity.objects.visible_to(user), pk, "activity_id", "来源活动")


def _relations(user, data: dict) -> dict:
    """Body ids as the services take them."""
    out = {}
    for key, value in data.items():
        if key == "activity_id":
            out["activity"] = _activity(user, value)
        elif key == "community_ids":
            out["communities"] = _lookup_all(Community.objects.all(), value or [], key, "受益社区")
        elif key == "enterprise_ids":
            out["enterprises"] = _lookup_all(Enterprise.objects.all(), value or [], key, "受益企业")
        elif key in ("description", "leader", "beneficiaries"):
            out[key] = value or ""
        else:
            out[key] = value
    return out


def _filter_by_department(deeds, department: Department | None):
    if department is None:
        return deeds
    ids = DeedPart.objects.filter(department=department).values("deed_id")
    return deeds.filter(pk__in=ids)


def _filter_by_community(deeds, community: Community | None):
    if community is None:
        return deeds
    return deeds.filter(pk__in=Deed.objects.filter(communities=community).values("pk"))


def _own_department(user, deed: Deed, department_id: int | None) -> Department:
    """The department a milestone or visit is recorded for: the one named (it must be a part
    the user works on), else the user's own part (the owner's first)."""
    parts = list(deed.parts.select_related("department"))
    if department_id is not None:
        part = next((p for p in parts if p.department_id == department_id), None)
        if part is None:
            raise DomainError(
                "该单位不是此实事项目的责任或协办单位", "department_invalid", field="department_id"
            )
        _require(access.may_work_on(user, part))
        return part.department
    own = [p for p in parts if access.may_work_on(user, p)]
    _require(bool(own))
    own.sort(key=lambda p: p.department_id != deed.owner_id)
    return own[0].department


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


# ---------------------------------------------------------------- the ledger


@router.get(
    "/deeds",
    response={200: DeedPage, **errors(400, 403)},
    tags=DEEDS,
    summary="实事项目台账（含综合进度和督办等级；本单位的在前，红色在前）",
)
def list_deeds(request, filters: Query[DeedFilters]):
    user = request.user
    _require_deeds(user)
    deeds = _deeds(user)
    if filters.status:
        deeds = deeds.filter(status=filters.status)
    if filters.escalation:
        level = "" if filters.escalation == "none" else filters.escalation
        deeds = deeds.filter(escalation=level)
    department = _lookup(Department.objects.all(), filters.department, "department", "单位")
    community = _lookup(Community.objects.all(), filters.community, "community", "受益社区")
    deeds = _filter_by_community(_filter_by_department(deeds, department), community)
    return paginate(queries.in_ledger_order(deeds, user), filters)


@router.get(
    "/deeds/counts",
    response={200: CountsOut, **errors(400, 403)},
    tags=DEEDS,
    summary="实事项目统计（未解决的不计入办结）",
)
def count_deeds(request, filters: Query[CountFilters]):
    user = request.user
    _require_deeds(user)
    department = _lookup(Department.objects.all(), filters.department, "department", "单位")
    community = _lookup(Community.objects.all(), filters.community, "community", "受益社区")
    deeds = _filter_by_community(
        _filter_by_department(queries.visible_deeds(user), department), community
    )
    return queries.deed_counts(deeds, timezone.localdate()).__dict__


@router.get(
    "/deeds/{deed_id}",
    response={200: DeedDetail, **errors(403, 404)},
    tags=DEEDS,
    summary="实事项目详情（分工、节点、现场办公、附件、督办、办结情况）",
)
def get_deed(request, deed_id: int = _path_id()):
    return _detail(request.user, deed_id)


@router.post(
    "/deeds",
    response={201: DeedDetail, **errors(400, 403)},
    tags=DEEDS,
    summary="新建实事项目（拟办；责任单位或区级管理者）",
)
def create_deed(request, payload: DeedIn):
    user = request.user
    _require_deeds(user)
    data = payload.dict()
    owner = _lookup(Department.objects.all(), data.pop("owner_id"), "owner_id", "责任单位")
    _require(access.may_manage(user) or has_perm(user, WORK_DEEDS, owner))
    co = [
        (_lookup(Department.objects.all(), c["department_id"], "co_departments", "协办单位"), c)
        for c in data.pop("co_departments")
    ]
    with _api_field_names():
        deed = services.create_deed(
            by=user,
            owner=owner,
            co_departments=[(department, c["task"]) for department, c in co],
            **_relations(user, data),
        )
    return Status(201, _detail(user, deed.pk))


@router.patch(
    "/deeds/{deed_id}",
    response={200: DeedDetail, **errors(400, 403, 404, 409)},
    tags=DEEDS,
    summary="修改实事项目（带 version；他人已修改时 409，请刷新后重试）",
)
def update_deed(request, payload: DeedPatch, deed_id: int = _path_id()):
    user = request.user
    deed = _visible_deed(user, deed_id)
    _require(access.may_edit_deed(user, deed))
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    with _api_field_names():
        services.update_deed(deed, by=user, version=version, **_relations(user, changes))
    return _detail(user, deed.pk)


@router.post(
    "/deeds/{deed_id}/commit",
    response={200: DeedDetail, **errors(400, 403, 404)},
    tags=DEEDS,
    summary="承诺实事项目（列入清单；区级管理者）",
)
def commit_deed(request, deed_id: int = _path_id()):
    user = request.user
    deed = _visible_deed(user, deed_id)
    _require(access.may_manage(user))
    services.commit_deed(deed, by=user)
    return _detail(user, deed.pk)


@router.post(
    "/deeds/{deed_id}/cancel",
    response={200: DeedDetail, **errors(400, 403, 404)},
    tags=DEEDS,
    summary="撤销实事项目（须说明原因；区级管理者）",
)
def cancel_deed(request, payload: ReasonIn, deed_id: int = _path_id()):
    user = request.user
    deed = _visible_deed(user, deed_id)
    _require(access.may_manage(user))
    services.cancel_deed(deed, by=user, reason=payload.reason)
    return _detail(user, deed.pk)


# ---------------------------------------------------------------- parts, milestones, visits


@router.patch(
    "/deeds/{deed_id}/parts/{part_id}",
    response={200: PartOut, **errors(400, 403, 404, 409)},
    tags=WORK,
    summary="报送本单位分工进展（带 version；只能报送本单位的分工）",
)
def update_part(request, payload: PartPatch, deed_id: int = _path_id(), part_id: int = _path_id()):
    user = request.user
    deed = _visible_deed(user, deed_id)
    part = get_object_or_404(DeedPart.objects.select_related("department"), deed=deed, pk=part_id)
    _require(access.may_work_on(user, part))
    changes = payload.dict(exclude_unset=True)
    progress = changes.get("progress")
    note = changes.get("note")
    with _api_field_names():
        updated = services.update_part(
            part,
            by=user,
            version=payload.version,
            progress=part.progress if progress is None else progress,
            note=part.note if note is None else note,
            task=changes.get("task"),
        )
    updated.deed, updated.may_update = deed, True
    return updated


@router.post(
    "/deeds/{deed_id}/milestones",
    response={201: MilestoneOut, **errors(400, 403, 404)},
    tags=WORK,
    summary="新增节点（本单位分工的节点）",
)
def add_milestone(request, payload: MilestoneIn, deed_id: int = _path_id()):
    user = request.user
    deed = _visible_deed(user, deed_id)
    department = _own_department(user, deed, payload.department_id)
    with _api_field_names():
        milestone = services.add_milestone(
            deed, by=user, title=payload.title, planned_on=payload.planned_on, department=department
        )
    return Status(201, milestone)


@router.post(
    "/deeds/{deed_id}/milestones/{milestone_id}/complete",
    response={200: MilestoneOut, **errors(400, 403, 404)},
    tags=WORK,
    summary="节点完成（填写实际完成日期，默认今天）",
)
def complete_milestone(
    request, payload: CompleteIn, deed_id: int = _path_id(), milestone_id: int = _path_id()
):
    user = request.user
    deed = _visible_deed(user, deed_id)
    milestone = get_object_or_404(
        Milestone.objects.select_related("department"), deed=deed, pk=milestone_id
    )
    _require(access.may_manage(user) or has_perm(user, WORK_DEEDS, milestone.department))
    with _api_field_names():
        return services.complete_milestone(
            milestone, by=user, done_on=payload.done_on or timezone.localdate()
        )


@router.post(
    "/deeds/{deed_id}/visits",
    response={201: VisitOut, **errors(400, 403, 404)},
    tags=WORK,
    summary="记录现场办公（现场查看、现场办公、现场解决；multipart，可附照片）",
)
def record_visit(
    request,
    form: Form[VisitForm],
    deed_id: int = _path_id(),
    photos: File[list[UploadedFile], PHOTOS] = None,
):
    user = request.user
    deed = _visible_deed(user, deed_id)
    department = _own_department(user, deed, form.department_id)
    with _api_field_names():
        visit = services.record_visit(
            deed,
            by=user,
            department=department,
            visited_at=_aware(form.visited_at),
            place=form.place,
            visitors=form.visitors,
            observed=form.observed,
            decided=form.decided,
            photos=photos or [],
        )
    visit = (
        SiteVisit.objects.select_related("department").prefetch_related("files").get(pk=visit.pk)
    )
    return Status(201, visit)


@router.get(
    "/deeds/{deed_id}/files/{file_id}",
    response={200: None, **errors(403, 404)},
    tags=WORK,
    summary="下载附件（现场照片或销号材料）",
    openapi_extra={
        "responses": {
            "200": {
                "description": "照片（JPEG）或文档（PDF、Word、Excel）",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def get_deed_file(request, deed_id: int = _path_id(), file_id: int = _path_id()):
    deed = _visible_deed(request.user, deed_id)
    item = get_object_or_404(DeedFile, deed=deed, pk=file_id)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, content_type=item.content_type, filename=item.name)


# ---------------------------------------------------------------- close-out and supervision


@router.post(
    "/deeds/{deed_id}/close-out",
    response={200: DeedDetail, **errors(400, 403, 404)},
    tags=CLOSE_OUT,
    summary="申请销号（multipart：办理情况说明必填，可附照片和 PDF、Word、Excel 材料）",
)
def submit_close_out(
    request,
    form: Form[CloseOutForm],
    deed_id: int = _path_id(),
    files: File[list[UploadedFile], EVIDENCE_FILES] = None,
):
    user = request.user
    deed = _visible_deed(user, deed_id)
    _require(access.may_edit_deed(user, deed))
    services.submit_close_out(deed, by=user, evidence=form.evidence, files=files or [])
    return _detail(user, deed.pk)


@router.post(
    "/deeds/{deed_id}/close-out/review",
    response={200: DeedDetail, **errors(400, 403, 404)},
    tags=CLOSE_OUT,
    summary="审核销号（记录办结情况：已解决、部分解决、未解决须说明原因；区级管理者）",
)
def review_close_out(request, payload: ReviewIn, deed_id: int = _path_id()):
    user = request.user
    deed = _visible_deed(user, deed_id)
    _require(access.may_manage(user))
    services.review_close_out(deed, by=user, outcome=payload.outcome, reason=payload.reason)
    return _detail(user, deed.pk)


@router.post(
    "/deeds/{deed_id}/close-out/return",
    response={200: DeedDetail, **errors(400, 403, 404)},
    tags=CLOSE_OUT,
    summary="退回销号申请（须说明原因；区级管理者）",
)
def return_close_out(request, payload: ReturnIn, deed_id: int = _path_id()):
    user = request.user
    deed = _visible_deed(user, deed_id)
    _require(access.may_manage(user))
    services.return_close_out(deed, by=user, reason=payload.reason)
    return _detail(user, deed.pk)


@router.post(
    "/deeds/{deed_id}/supervisions",
    response={201: SupervisionOut, **errors(400, 403, 404)},
    tags=CLOSE_OUT,
    summary="发出督办（按当前督办等级；区级管理者）",
)
def issue_supervision(request, payload: SupervisionIn, deed_id: int = _path_id()):
    user = request.user
    deed = _visible_deed(user, deed_id)
    _require(access.may_manage(user))
    return Status(201, services.issue_supervision(deed, by=user, message=payload.message))


@router.post(
    "/deeds/{deed_id}/supervisions/{supervision_id}/answer",
    response={200: SupervisionOut, **errors(400, 403, 404)},
    tags=CLOSE_OUT,
    summary="督办反馈（责任单位）",
)
def answer_supervision(
    request, payload: AnswerIn, deed_id: int = _path_id(), supervision_id: int = _path_id()
):
    user = request.user
    deed = _visible_deed(user, deed_id)
    supervision = get_object_or_404(Supervision, deed=deed, pk=supervision_id)
    _require(access.may_edit_deed(user, deed))
    return services.answer_supervision(supervision, by=user, answer=payload.answer)
