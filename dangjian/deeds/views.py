"""Pages of the practical-deeds ledger (我为群众办实事台账): the list, a deed with its parts,
milestones, on-site visits, close-out and supervision, the forms that write through
`deeds.services`, the export, and the public ledger that needs no log-in.

Every deed is fetched through `queries.visible_deeds`, so another department's deed is a 404;
`deeds.access` decides who may do what with a deed they can see (else 403)."""

from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import (
    EXPORT,
    MANAGE_DEEDS,
    VIEW_PERSONAL_DATA,
    WORK_DEEDS,
    has_perm,
    scope_for,
)
from dangjian.campaigns.models import Activity
from dangjian.core import audit
from dangjian.core.errors import DomainError
from dangjian.core.forms import add_domain_error, form_page
from dangjian.core.forms import redirect as form_redirect
from dangjian.core.models import AuditEntry
from dangjian.core.spreadsheets import xlsx_response
from dangjian.deeds import exports, queries, services
from dangjian.deeds.access import may_edit_deed, may_manage, may_work_on, own_parts
from dangjian.deeds.forms import (
    PUBLIC_STATUSES,
    AnswerForm,
    CloseOutForm,
    CompleteMilestoneForm,
    DeedFilterForm,
    DeedForm,
    MilestoneForm,
    PartForm,
    PublicFilterForm,
    ReasonForm,
    ReviewForm,
    SupervisionForm,
    VisitForm,
    filter_deeds,
)
from dangjian.deeds.models import Deed, DeedFile, DeedPart, Milestone, SiteVisit, Supervision
from dangjian.orgs.models import Department

UPDATABLE = (Deed.Status.COMMITTED, Deed.Status.IN_PROGRESS, Deed.Status.AWAITING)
CLOSABLE = (Deed.Status.COMMITTED, Deed.Status.IN_PROGRESS)


def may_see_deeds(user) -> bool:
    """Deeds managers and department officers; everyone else has no ledger (403)."""
    return has_perm(user, MANAGE_DEEDS) or has_perm(user, WORK_DEEDS)


def deeds_required(view):
    """Log-in, then a deeds capability somewhere (else 403)."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not may_see_deeds(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _deed(request, pk: int) -> Deed:
    return get_object_or_404(queries.visible_deeds(request.user).select_related("owner"), pk=pk)


def _owner_choices(user):
    """Departments the user may create a deed for: any for a manager, else their own."""
    if may_manage(user) or scope_for(user, WORK_DEEDS).everything:
        return Department.objects.all()
    return Department.objects.filter(pk__in=queries.own_department_ids(user))


def _detail_url(deed: Deed, anchor: str = "") -> str:
    return reverse("deed_detail", args=[deed.pk]) + (f"#{anchor}" if anchor else "")


# ---------------------------------------------------------------- the ledger


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@deeds_required
def deed_list(request):
    form = DeedFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    visible = queries.visible_deeds(request.user)
    deeds = filter_deeds(queries.with_escalation(visible, today), filters)
    deeds = queries.in_ledger_order(
        queries.with_progress(deeds).select_related("owner"), request.user
    )
    page = Paginator(deeds, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    own = queries.own_department_ids(request.user)
    return render(
        request,
        "deeds/deed_list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "counts": queries.deed_counts(visible, today),
            "own": own,
            "can_create": _owner_choices(request.user).exists(),
            "can_export": has_perm(request.user, EXPORT),
            "today": today,
        },
    )


@deeds_required
def deed_export(request):
    """The list as filtered, in the 台账 layout; audited."""
    if not has_perm(request.user, EXPORT):
        raise PermissionDenied
    form = DeedFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    deeds = filter_deeds(
        queries.with_escalation(queries.visible_deeds(request.user), today), filters
    )
    deeds = queries.in_ledger_order(deeds, request.user)
    full = has_perm(request.user, VIEW_PERSONAL_DATA)
    data, count = exports.ledger_workbook(deeds, full_text=full)
    audit.record(
        "deeds.deed.exported",
        actor=request.user,
        details={
            "filters": {k: str(v) for k, v in filters.items() if v},
            "rows": count,
            "full_text": full,
        },
    )
    return xlsx_response(data, f"我为群众办实事台账-{timezone.localtime():%Y%m%d-%H%M}.xlsx")


# ---------------------------------------------------------------- one deed


def _detail_deed(request, pk: int) -> Deed:
    deeds = (
        queries.visible_deeds(request.user)
        .select_related("owner", "activity", "created_by", "submitted_by", "closed_by")
        .prefetch_related(
            "communities",
            "enterprises",
            Prefetch("parts", queryset=DeedPart.objects.select_related("department", "updated_by")),
            Prefetch("milestones", queryset=Milestone.objects.select_related("department")),
            Prefetch(
                "visits",
                queryset=SiteVisit.objects.select_related("department").prefetch_related("files"),
            ),
            Prefetch(
                "files",
                queryset=DeedFile.objects.filter(kind=DeedFile.Kind.EVIDENCE),
                to_attr="evidence_files",
            ),
            Prefetch(
                "supervisions",
                queryset=Supervision.objects.select_related("issued_by", "answered_by"),
            ),
        )
    )
    return get_object_or_404(deeds, pk=pk)


FIELD_LABELS = {
    "title": "实事项目",
    "description": "具体内容",
    "source": "来源",
    "leader": "责任领导",
    "beneficiaries": "受益群体",
    "deadline": "完成时限",
    "activity": "来源活动",
    "communities": "受益社区",
    "enterprises": "受益企业",
}


def _timeline_note(entry: AuditEntry, departments: dict) -> str:
    """A few words on what changed, from the entry's details."""
    d, action = entry.details or {}, entry.action.removeprefix("deeds.")
    if action == "part.updated":
        name = departments.get(d.get("department"), "")
        return f"{name}：进度{d.get('progress')}%"
    if action == "deed.updated":
        return "、".join(FIELD_LABELS.get(f, f) for f in d.get("fields", []))
    if action in ("deed.cancelled", "close_out.returned"):
        return d.get("reason", "")
    if action == "close_out.reviewed" and d.get("outcome") in Deed.Outcome.values:
        return Deed.Outcome(d["outcome"]).label
    if action == "milestone.added":
        return f"{d.get('title', '')}（计划 {d.get('planned_on', '')}）"
    if action == "milestone.completed":
        return f"完成于 {d.get('done_on', '')}"
    if action == "visit.recorded":
        photos = d.get("photos") or 0
        return d.get("place", "") + (f"，照片{photos}张" if photos else "")
    if action == "close_out.submitted" and d.get("files"):
        return f"附件{d['files']}个"
    if action == "supervision.issued" and d.get("level"):
        return f"{queries.LEVEL_LABELS.get(d['level'], '')}督办"
    return ""


def _timeline(deed: Deed, departments: dict) -> list[dict]:
    entries = AuditEntry.objects.filter(
        object_type=Deed._meta.label_lower,
        object_id=str(deed.pk),
        outcome=AuditEntry.Outcome.SUCCESS,
    ).order_by("at", "id")
    return [
        {
            "at": e.at,
            "who": e.actor_label,
            "what": audit.action_label(e.action),
            "note": _timeline_note(e, departments),
        }
        for e in entries
    ]


def _detail_context(request, deed: Deed, *, part_errors: dict | None = None) -> dict:
    user = request.user
    today = timezone.localdate()
    parts = list(deed.parts.all())
    mine = {p.pk for p in own_parts(user, deed)}
    my_departments = {p.department_id for p in parts if p.pk in mine}
    departments = {p.department_id: p.department.short_name or p.department.name for p in parts}
    editable, manager = may_edit_deed(user, deed), may_manage(user)
    is_open = deed.is_open
    activity_visible = (
        deed.activity_id is not None
        and Activity.objects.visible_to(user).filter(pk=deed.activity_id).exists()
    )
    part_errors = part_errors or {}
    return {
        "deed": deed,
        "progress": queries.progress_of(deed),
        "escalation": queries.escalation_of(deed, today),
        "parts": [
            {
                "part": p,
                "mine": p.pk in mine and deed.status in UPDATABLE,
                "error": part_errors.get(p.pk),
            }
            for p in parts
        ],
        "milestones": [
            {"milestone": m, "mine": is_open and m.department_id in my_departments}
            for m in deed.milestones.all()
        ],
        "today": today,
        "overdue_days": (today - deed.deadline).days,
        "is_public": deed.status in PUBLIC_STATUSES,
        "activity_visible": activity_visible,
        "can_edit": editable and is_open,
        "can_commit": manager and deed.status == Deed.Status.PROPOSED,
        "can_cancel": manager and is_open,
        "can_work": is_open and bool(mine),
        "can_close_out": editable and deed.status in CLOSABLE,
        "can_review": manager and deed.status == Deed.Status.AWAITING,
        "can_supervise": manager and is_open,
        "can_answer": editable,
        "timeline": _timeline(deed, departments),
    }


@deeds_required
def deed_detail(request, pk: int):
    deed = _detail_deed(request, pk)
    return render(request, "deeds/deed_detail.html", _detail_context(request, deed))


def _refused(request, deed: Deed, exc: DomainError, *, part: DeedPart | None = None):
    """The deed's page again with the refusal: 409 when someone saved in between, else 400."""
    status = 409 if exc.code.endswith("_version_conflict") else 400
    deed = _detail_deed(request, deed.pk)
    errors = {part.pk: exc.message} if part is not None else {}
    context = {**_detail_context(request, deed, part_errors=errors), "error": exc.message}
    return render(request, "deeds/deed_detail.html", context, status=status)


def _first_error(form) -> str:
    return next(e for errors in form.errors.values() for e in errors)


# ---------------------------------------------------------------- writing the deed


@deeds_required
def deed_create(request):
    owners = _owner_choices(request.user)
    if not owners.exists():
        raise PermissionDenied
    form = DeedForm(request.POST or None, user=request.user, owners=owners)
    return form_page(
        request,
        form,
        lambda _: services.create_deed(by=request.user, **form.fields_for_service()),
        template="form.html",
        context={"title": "新建实事项目", "back": reverse("deed_list")},
        success_message="实事项目已创建，等待承诺",
        success_url=lambda deed: _detail_url(deed),
    )


def _versioned_form_page(request, form, action, *, context: dict, success_message: str, back):
    """`core.forms.form_page` for a save based on a version: when someone saved in between,
    the form comes back as typed with the Chinese message, answered with 409."""
    if request.method == "POST" and form.is_valid():
        try:
            action(form.cleaned_data)
        except DomainError as exc:
            if not exc.code.endswith("_version_conflict"):
                add_domain_error(form, exc)
            else:
                form.add_error(None, exc.message)
                return render(request, "form.html", {**context, "form": form}, status=409)
        else:
            messages.success(request, success_message)
            return form_redirect(request, back)
    status = 400 if request.method == "POST" else 200
    return render(request, "form.html", {**context, "form": form}, status=status)


@deeds_required
def deed_edit(request, pk: int):
    deed = _deed(request, pk)
    if not may_edit_deed(request.user, deed):
        raise PermissionDenied
    form = DeedForm(request.POST or None, user=request.user, instance=deed)

    def save(data):
        return services.update_deed(
            deed, by=request.user, version=data["version"], **form.fields_for_service()
        )

    back = _detail_url(deed)
    return _versioned_form_page(
        request,
        form,
        save,
        context={"title": f"修改实事项目：{deed.title}", "back": back},
        success_message="已保存",
        back=back,
    )


@require_POST
@deeds_required
def deed_commit(request, pk: int):
    deed = _deed(request, pk)
    if not may_manage(request.user):
        raise PermissionDenied
    try:
        services.commit_deed(deed, by=request.user)
    except DomainError as exc:
        return _refused(request, deed, exc)
    messages.success(request, "已承诺，列入公开台账")
    return redirect(_detail_url(deed))


def _managed_form(request, pk: int, form_class, action, *, title: str, message: str, **kw):
    """A form page only a deeds manager may use (403 for others who see the deed)."""
    deed = _deed(request, pk)
    if not may_manage(request.user):
        raise PermissionDenied
    return _form(request, deed, form_class, action, title=title, message=message, **kw)


def _form(request, deed, form_class, action, *, title, message, form_kwargs=None, **context):
    form = form_class(request.POST or None, request.FILES or None, **(form_kwargs or {}))
    back = _detail_url(deed)
    return form_page(
        request,
        form,
        lambda data: action(deed, data),
        template="form.html",
        context={"title": f"{title}：{deed.title}", "back": back, **context},
        success_message=message,
        success_url=lambda _: back,
    )


@deeds_required
def deed_cancel(request, pk: int):
    return _managed_form(
        request,
        pk,
        ReasonForm,
        lambda deed, data: services.cancel_deed(deed, by=request.user, reason=data["reason"]),
        title="撤销实事项目",
        message="实事项目已撤销",
        form_kwargs={"label": "撤销原因"},
        submit_label="确认撤销",
    )


# ---------------------------------------------------------------- parts, milestones, visits


@require_POST
@deeds_required
def deed_part_update(request, pk: int, part_pk: int):
    """A department reports on its own part, based on the part's version."""
    deed = _deed(request, pk)
    part = get_object_or_404(DeedPart.objects.select_related("department"), deed=deed, pk=part_pk)
    if not may_work_on(request.user, part):
        raise PermissionDenied
    form = PartForm(request.POST)
    if not form.is_valid():
        exc = DomainError(_first_error(form), "part_invalid", field="progress")
        return _refused(request, deed, exc, part=part)
    data = form.cleaned_data
    try:
        services.update_part(
            part,
            by=request.user,
            version=data["version"],
            progress=data["progress"],
            note=data["note"],
        )
    except DomainError as exc:
        return _refused(request, deed, exc, part=part)
    messages.success(request, f"{part.department.short_name or part.department.name}的进展已报送")
    return redirect(_detail_url(deed, "parts"))


def _working_departments(request, deed: Deed):
    """The departments of the deed the user works for (403 when none)."""
    ids = [p.department_id for p in own_parts(request.user, deed)]
    if not ids:
        raise PermissionDenied
    return Department.objects.filter(pk__in=ids)


@deeds_required
def deed_milestone_add(request, pk: int):
    deed = _deed(request, pk)
    departments = _working_departments(request, deed)

    def add(deed, data):
        return services.add_milestone(deed, by=request.user, **data)

    return _form(
        request,
        deed,
        MilestoneForm,
        add,
        title="新增节点",
        message="节点已添加",
        form_kwargs={"departments": departments},
    )


@require_POST
@deeds_required
def deed_milestone_complete(request, pk: int, milestone_pk: int):
    deed = _deed(request, pk)
    milestone = get_object_or_404(Milestone, deed=deed, pk=milestone_pk)
    if milestone.department_id not in {p.department_id for p in own_parts(request.user, deed)}:
        raise PermissionDenied
    form = CompleteMilestoneForm(request.POST)
    if not form.is_valid():
        return _refused(request, deed, DomainError(_first_error(form), "done_on_invalid"))
    try:
        services.complete_milestone(
            milestone, by=request.user, done_on=form.cleaned_data["done_on"]
        )
    except DomainError as exc:
        return _refused(request, deed, exc)
    messages.success(request, f"节点“{milestone.title}”已完成")
    return redirect(_detail_url(deed, "milestones"))


@deeds_required
def deed_visit_add(request, pk: int):
    deed = _deed(request, pk)
    departments = _working_departments(request, deed)

    def record(deed, data):
        return services.record_visit(deed, by=request.user, **data)

    return _form(
        request,
        deed,
        VisitForm,
        record,
        title="记录现场办公",
        message="现场办公已记录",
        form_kwargs={"departments": departments},
        submit_label="保存",
    )


# ---------------------------------------------------------------- close-out and supervision


@deeds_required
def deed_close_out(request, pk: int):
    deed = _deed(request, pk)
    if not may_edit_deed(request.user, deed):
        raise PermissionDenied

    def submit(deed, data):
        return services.submit_close_out(
            deed, by=request.user, evidence=data["evidence"], files=data["files"]
        )

    return _form(
        request,
        deed,
        CloseOutForm,
        submit,
        title="申请销号",
        message="已申请销号，等待审核",
        submit_label="申请销号",
    )


@deeds_required
def deed_review(request, pk: int):
    def review(deed, data):
        return services.review_close_out(
            deed, by=request.user, outcome=data["outcome"], reason=data["reason"]
        )

    return _managed_form(
        request,
        pk,
        ReviewForm,
        review,
        title="审核销号",
        message="已销号",
        submit_label="确认销号",
    )


@deeds_required
def deed_return(request, pk: int):
    def send_back(deed, data):
        return services.return_close_out(deed, by=request.user, reason=data["reason"])

    return _managed_form(
        request,
        pk,
        ReasonForm,
        send_back,
        title="退回销号申请",
        message="已退回，请责任单位继续办理",
        form_kwargs={"label": "退回原因"},
        submit_label="退回",
    )


@deeds_required
def deed_supervise(request, pk: int):
    def issue(deed, data):
        return services.issue_supervision(deed, by=request.user, message=data["message"])

    return _managed_form(
        request,
        pk,
        SupervisionForm,
        issue,
        title="发出督办",
        message="督办已发出",
        submit_label="发出督办",
    )


@deeds_required
def deed_supervision_answer(request, pk: int, supervision_pk: int):
    deed = _deed(request, pk)
    supervision = get_object_or_404(Supervision, deed=deed, pk=supervision_pk)
    if not may_edit_deed(request.user, deed):
        raise PermissionDenied

    def answer(deed, data):
        return services.answer_supervision(supervision, by=request.user, answer=data["answer"])

    return _form(
        request,
        deed,
        AnswerForm,
        answer,
        title="督办反馈",
        message="已反馈",
        form_kwargs={"supervision": supervision},
        submit_label="提交反馈",
    )


@deeds_required
def deed_file(request, pk: int, file_pk: int):
    """A visit photo or an evidence file, for whoever may see the deed (never a public URL)."""
    deed = _deed(request, pk)
    item = get_object_or_404(DeedFile, deed=deed, pk=file_pk)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    response = FileResponse(handle, content_type=item.content_type)
    disposition = "inline" if item.is_photo else "attachment"
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"file{item.extension}\"; filename*=UTF-8''{quote(item.name)}"
    )
    response["Cache-Control"] = "private, max-age=86400"
    return response


# ---------------------------------------------------------------- the public ledger


def _milestone_count(**filters):
    counted = (
        Milestone.objects.filter(deed=OuterRef("pk"), **filters)
        .order_by()
        .values("deed")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def public_ledger(request):
    """Committed, in-progress, awaiting and closed-out deeds for anyone, without log-in. No
    personal data: no people's names, free text redacted. A fixed number of queries."""
    form = PublicFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    public = Deed.objects.filter(status__in=PUBLIC_STATUSES)
    deeds = filter_deeds(queries.with_progress(public), filters)
    closed_last = Case(
        When(status=Deed.Status.CLOSED, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    deeds = (
        deeds.select_related("owner")
        .only("pk", "title", "status", "outcome", "deadline", "owner__name", "owner__short_name")
        .annotate(
            milestones_total=_milestone_count(),
            milestones_done=_milestone_count(done_on__isnull=False),
        )
        .order_by(closed_last, "deadline", "id")
    )
    page = Paginator(deeds, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "deeds/public_ledger.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "counts": queries.deed_counts(public, timezone.localdate()),
        },
    )


def public_ledger_detail(request, pk: int):
    parts = DeedPart.objects.select_related("department").only(
        "deed", "department__name", "department__short_name", "task", "progress", "note"
    )
    deed = get_object_or_404(
        Deed.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related("owner", "activity")
        .prefetch_related(
            "communities",
            "enterprises",
            Prefetch("parts", queryset=parts),
            "milestones",
            "visits",
        ),
        pk=pk,
    )
    return render(
        request,
        "deeds/public_ledger_detail.html",
        {"deed": deed, "progress": queries.progress_of(deed)},
    )
