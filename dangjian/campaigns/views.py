"""Pages of activities: list, detail with registration and roll call, editing, coverage, and
a member's own activities. Writes go through `campaigns.services`."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import (
    CHECK_IN,
    MANAGE_ACTIVITIES,
    VIEW_ORGS,
    has_perm,
    own_member_id,
    require_perm,
)
from dangjian.campaigns import printing, queries, services
from dangjian.campaigns.forms import (
    ActivityFilterForm,
    ActivityForm,
    CancelForm,
    CoverageForm,
    PhotoForm,
    SummaryForm,
    WalkInsForm,
)
from dangjian.campaigns.models import Activity, ActivityPhoto, Campaign, CheckIn, Registration
from dangjian.core.api import MAX_ID
from dangjian.core.errors import DomainError
from dangjian.core.forms import form_page
from dangjian.orgs.models import Member, Organization

LIST_RELATED = ("type", "place", "campaign")


def _organizers_prefetch():
    return Prefetch("organizers", queryset=Organization.objects.order_by("path"))


def _visible_activity(request, pk: int) -> Activity:
    return get_object_or_404(
        Activity.objects.visible_to(request.user)
        .select_related(*LIST_RELATED)
        .prefetch_related(_organizers_prefetch(), "invited_organizations", "target_sectors"),
        pk=pk,
    )


def _manageable_activity(request, pk: int, capability: str = MANAGE_ACTIVITIES) -> Activity:
    """The activity if visible (else 404) and the user holds `capability` over one of its
    organizers (else 403)."""
    activity = _visible_activity(request, pk)
    if not any(has_perm(request.user, capability, org) for org in activity.organizers.all()):
        raise PermissionDenied
    return activity


def _own_member(user) -> Member | None:
    member_id = own_member_id(user)
    if member_id is None:
        return None
    return Member.objects.select_related("organization").get(pk=member_id)


# ---------------------------------------------------------------- reading


@login_required
def activity_list(request):
    form = ActivityFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    activities = Activity.objects.visible_to(request.user)
    if filters.get("campaign"):
        activities = activities.filter(campaign=filters["campaign"])
    if filters.get("type"):
        activities = activities.filter(type=filters["type"])
    if filters.get("sector"):
        activities = activities.filter(
            pk__in=Activity.objects.filter(target_sectors=filters["sector"]).values("pk")
        )
    activities = queries.filter_by_phase(activities, filters.get("phase", ""))
    activities = (
        queries.with_attendance(activities)
        .select_related(*LIST_RELATED)
        .prefetch_related(_organizers_prefetch())
        .order_by("-starts_at", "-id")
    )
    page = Paginator(activities, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "campaigns/activity_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_create": has_perm(request.user, MANAGE_ACTIVITIES),
        },
    )


def _registration_status(activity: Activity, member: Member | None) -> dict:
    """The member's live registration and, when waiting, their place in the queue."""
    if member is None:
        return {}
    registration = (
        Registration.objects.filter(activity=activity, member=member)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )
    position = None
    if registration is not None and registration.status == Registration.Status.WAITING:
        position = (
            Registration.objects.filter(activity=activity, status=Registration.Status.WAITING)
            .filter(
                Q(created_at__lt=registration.created_at)
                | Q(created_at=registration.created_at, id__lt=registration.id)
            )
            .count()
            + 1
        )
    check_in = CheckIn.objects.filter(activity=activity, member=member).first()
    return {"registration": registration, "waiting_position": position, "my_check_in": check_in}


ROLL_CALL_PAGE_SIZE = 50


class RollCall:
    """One page of the roll call, searchable by name or organization and narrowable to those
    not yet checked in. Four queries whatever the page."""

    def __init__(self, request, activity: Activity, members):
        self.q = request.GET.get("q", "").strip()[:50]
        self.pending = request.GET.get("pending") == "1"
        self.checked_in = CheckIn.objects.filter(activity=activity).count()
        if self.q:
            members = members.filter(
                Q(name__contains=self.q)
                | Q(organization__name__contains=self.q)
                | Q(organization__short_name__contains=self.q)
            )
        if self.pending:
            members = members.exclude(check_ins__activity=activity)
        self.page = Paginator(members, ROLL_CALL_PAGE_SIZE).get_page(request.GET.get("roll_page"))
        ids = [m.pk for m in self.page]
        live = Registration.objects.filter(activity=activity, member__in=ids).exclude(
            status=Registration.Status.CANCELLED
        )
        registrations = {r.member_id: r for r in live}
        check_ins = {
            c.member_id: c for c in CheckIn.objects.filter(activity=activity, member__in=ids)
        }
        self.rows = [
            {"member": m, "registration": registrations.get(m.pk), "check_in": check_ins.get(m.pk)}
            for m in self.page
        ]

    @property
    def query(self) -> str:
        """The search as a query string, for the page links."""
        params = {"q": self.q, "pending": "1" if self.pending else ""}
        return urlencode({k: v for k, v in params.items() if v})


def _roll_call(request, activity: Activity) -> RollCall | None:
    members = queries.roll_call_members(request.user, activity)
    return None if members is None else RollCall(request, activity, members)


def _detail_context(request, activity: Activity) -> dict:
    member = _own_member(request.user)
    can_manage = any(
        has_perm(request.user, MANAGE_ACTIVITIES, o) for o in activity.organizers.all()
    )
    registrations = activity.registrations.values_list("status", flat=True)
    phase = activity.phase()
    return {
        "activity": activity,
        "phase": phase,
        "attendance": queries.attendance(activity),
        "registered_count": sum(1 for s in registrations if s == Registration.Status.REGISTERED),
        "waiting_count": sum(1 for s in registrations if s == Registration.Status.WAITING),
        "member": member,
        **_registration_status(activity, member),
        "roll_call": _roll_call(request, activity),
        "walk_ins_form": WalkInsForm(initial={"walk_ins": activity.walk_ins}),
        "can_manage": can_manage and activity.status != Activity.Status.CANCELLED,
        "can_report": can_manage and phase in (Activity.Phase.IN_PROGRESS, Activity.Phase.FINISHED),
        "photos": list(activity.photos.all()),
        "can_print": _may_print(request.user, activity),
    }


@login_required
def activity_detail(request, pk: int):
    activity = _visible_activity(request, pk)
    return render(request, "campaigns/activity_detail.html", _detail_context(request, activity))


def _may_print(user, activity: Activity) -> bool:
    """The attendance sheet is for those who take the roll or manage an organizer."""
    return any(
        has_perm(user, capability, org)
        for org in activity.organizers.all()
        for capability in (CHECK_IN, MANAGE_ACTIVITIES)
    )


@login_required
def activity_attendance_sheet(request, pk: int):
    """The printable 签到表 (PDF): registered members with a blank 签名 column, then blank
    lines for walk-ins."""
    activity = _visible_activity(request, pk)
    if not _may_print(request.user, activity):
        raise PermissionDenied
    response = HttpResponse(printing.attendance_sheet_pdf(activity), content_type="application/pdf")
    filename = f"attendance-sheet-{activity.pk}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def activity_invitation(request, pk: int):
    """A shareable, phone-friendly invitation (with Open Graph tags) for anyone who may see
    the activity; members register from it."""
    activity = _visible_activity(request, pk)
    member = _own_member(request.user)
    return render(
        request,
        "campaigns/invitation.html",
        {
            "activity": activity,
            "phase": activity.phase(),
            "member": member,
            **_registration_status(activity, member),
            "share_url": request.build_absolute_uri(),
        },
    )


@require_perm(VIEW_ORGS)
def coverage_matrix(request):
    """Six sectors × months, the campaign's totals, and each organization's attendance:
    who was reached, where, by how many activities."""
    form = CoverageForm(request.GET or None)
    campaign = form.cleaned_data.get("campaign") if form.is_valid() else None
    campaign = (
        campaign
        or Campaign.objects.filter(is_current=True).first()
        or Campaign.objects.order_by("-starts_on", "-id").first()
    )
    context = {"form": form, "campaign": campaign}
    if campaign is not None:
        context["form"] = CoverageForm(initial={"campaign": campaign})
        activities = Activity.objects.visible_to(request.user).filter(campaign=campaign)
        months = queries.months_between(campaign.starts_on, campaign.ends_on)
        matrix = queries.coverage_matrix(activities, months)
        context |= {
            "matrix": matrix,
            "rows": [(s, cells, matrix.totals.get(s.pk)) for s, cells in matrix.rows],
            "totals": queries.campaign_totals(activities),
            "organizations": _organization_page(request, activities),
            "query": urlencode({"campaign": campaign.pk}),
        }
    return render(request, "campaigns/coverage.html", context)


def _organization_page(request, activities):
    """The user's organizations with members, those reached most first; unreached at the end."""
    organizations = queries.with_organization_attendance(
        Organization.objects.visible_to(request.user).filter(
            Exists(Member.objects.filter(organization=OuterRef("pk")))
        ),
        activities,
    ).order_by("-attended_people", "path")
    return Paginator(organizations, settings.PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def my_activities(request):
    member = _own_member(request.user)
    context = {"member": member}
    if member is not None:
        ids = [int(part) for part in member.organization.path.split("/") if part]
        upcoming = (
            Activity.objects.filter(
                pk__in=Activity.objects.filter(
                    Q(organizers__in=ids) | Q(invited_organizations__in=ids)
                ).values("pk"),
                ends_at__gt=timezone.now(),
            )
            .exclude(status=Activity.Status.CANCELLED)
            .select_related(*LIST_RELATED)
            .order_by("starts_at", "id")
        )
        registrations = {
            r.activity_id: r
            for r in Registration.objects.filter(member=member).exclude(
                status=Registration.Status.CANCELLED
            )
        }
        context["upcoming"] = [(a, registrations.get(a.pk)) for a in upcoming[:50]]
        context["attended"] = (
            CheckIn.objects.filter(member=member)
            .select_related("activity__place", "activity__type")
            .order_by("-at")
        )
    return render(request, "campaigns/my_activities.html", context)


# ---------------------------------------------------------------- editing


@require_perm(MANAGE_ACTIVITIES)
def activity_create(request):
    form = ActivityForm(request.POST or None, user=request.user)

    def create(data):
        return services.create_activity(by=request.user, **data)

    return form_page(
        request,
        form,
        create,
        template="form.html",
        context={"title": "新建活动", "back": reverse("activity_list")},
        success_message="活动已创建",
        success_url=lambda a: reverse("activity_detail", args=[a.pk]),
    )


@require_perm(MANAGE_ACTIVITIES)
def activity_edit(request, pk: int):
    activity = _manageable_activity(request, pk)
    form = ActivityForm(request.POST or None, user=request.user, instance=activity)
    back = reverse("activity_detail", args=[activity.pk])
    return form_page(
        request,
        form,
        lambda _: services.update_activity(activity, by=request.user, **form.changes()),
        template="form.html",
        context={"title": f"编辑活动：{activity.title}", "back": back},
        success_message="已保存",
        success_url=lambda _: back,
    )


@require_perm(MANAGE_ACTIVITIES)
def activity_cancel(request, pk: int):
    activity = _manageable_activity(request, pk)
    form = CancelForm(request.POST or None)
    back = reverse("activity_detail", args=[activity.pk])
    return form_page(
        request,
        form,
        lambda data: services.cancel_activity(activity, by=request.user, reason=data["reason"]),
        template="form.html",
        context={"title": f"取消活动：{activity.title}", "back": back, "danger": True},
        success_message="活动已取消",
        success_url=lambda _: back,
    )


def _refused(request, activity: Activity, exc: DomainError):
    """The detail page again, with the service's refusal, answered with 400."""
    activity = _visible_activity(request, activity.pk)
    context = {**_detail_context(request, activity), "error": exc.message}
    return render(request, "campaigns/activity_detail.html", context, status=400)


@require_POST
@require_perm(MANAGE_ACTIVITIES)
def activity_open(request, pk: int):
    activity = _manageable_activity(request, pk)
    try:
        services.open_registration(activity, by=request.user)
    except DomainError as exc:
        return _refused(request, activity, exc)
    messages.success(request, "已开放报名")
    return redirect("activity_detail", pk=activity.pk)


def _back(request, activity: Activity) -> str:
    """Back to the page the button was on (my activities, the invitation), else the activity."""
    if request.POST.get("next") == "mine":
        return reverse("my_activities")
    if request.POST.get("next") == "invitation":
        return reverse("activity_invitation", args=[activity.pk])
    return reverse("activity_detail", args=[activity.pk])


@require_POST
@login_required
def activity_register(request, pk: int):
    activity = _visible_activity(request, pk)
    member = _own_member(request.user)
    if member is None:
        raise PermissionDenied("只有党员本人可以报名")
    try:
        registration = services.register(activity, member, by=request.user)
    except DomainError as exc:
        return _refused(request, activity, exc)
    if registration.status == Registration.Status.WAITING:
        messages.info(request, "名额已满，您已进入候补名单")
    else:
        messages.success(request, "报名成功")
    return redirect(_back(request, activity))


@require_POST
@login_required
def activity_unregister(request, pk: int):
    activity = _visible_activity(request, pk)
    member = _own_member(request.user)
    if member is None:
        raise PermissionDenied("只有党员本人可以取消报名")
    registration = (
        Registration.objects.filter(activity=activity, member=member)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )
    if registration is None:
        messages.info(request, "您尚未报名该活动")
    else:
        try:
            services.cancel_registration(registration, by=request.user)
        except DomainError as exc:
            return _refused(request, activity, exc)
        messages.success(request, "已取消报名")
    return redirect(_back(request, activity))


@require_POST
@require_perm(CHECK_IN)
def activity_check_in(request, pk: int):
    """Roll call: the secretary ticks one member of the organizers' subtrees."""
    activity = _manageable_activity(request, pk, CHECK_IN)
    members = queries.roll_call_members(request.user, activity)
    member = members.filter(pk=_int_or_none(request.POST.get("member"))).first()
    if member is None:
        exc = DomainError("请选择点名名单中的党员", "member_invalid", field="member")
        return _refused(request, activity, exc)
    try:
        check_in, created = services.check_in(
            activity, member, method=CheckIn.Method.ROLL_CALL, by=request.user
        )
    except DomainError as exc:
        return _refused(request, activity, exc)
    at = timezone.localtime(check_in.at).strftime("%m-%d %H:%M")
    if created:
        messages.success(request, f"{member.name} 签到成功（{at}）")
    else:
        messages.info(request, f"{member.name} 已签到（签到时间 {at}）")
    back = {k: request.POST.get(k, "")[:50] for k in ("q", "pending", "roll_page")}
    query = urlencode({k: v for k, v in back.items() if v})
    url = reverse("activity_detail", args=[activity.pk])
    return redirect(f"{url}?{query}#roll-call" if query else f"{url}#roll-call")


def _int_or_none(value) -> int | None:
    """A posted id, or None when it is not one (absurd numbers would overflow the driver)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID else None


@require_POST
@require_perm(CHECK_IN)
def activity_walk_ins(request, pk: int):
    activity = _manageable_activity(request, pk, CHECK_IN)
    form = WalkInsForm(request.POST)
    if not form.is_valid():
        message = "；".join(e for errors in form.errors.values() for e in errors)
        exc = DomainError(message, "walk_ins_invalid", field="walk_ins")
        return _refused(request, activity, exc)
    try:
        services.record_walk_ins(activity, form.cleaned_data["walk_ins"], by=request.user)
    except DomainError as exc:
        return _refused(request, activity, exc)
    messages.success(request, "已记录非党员参加人数")
    return redirect("activity_detail", pk=activity.pk)


# ---------------------------------------------------------------- after the activity


@require_perm(MANAGE_ACTIVITIES)
def activity_summary(request, pk: int):
    activity = _manageable_activity(request, pk)
    form = SummaryForm(request.POST or None, initial={"summary": activity.summary})
    back = reverse("activity_detail", args=[activity.pk]) + "#report"
    return form_page(
        request,
        form,
        lambda data: services.save_summary(activity, data["summary"], by=request.user),
        template="form.html",
        context={"title": f"活动总结：{activity.title}", "back": back},
        success_message="活动总结已保存",
        success_url=lambda _: back,
    )


@require_perm(MANAGE_ACTIVITIES)
def activity_photo_add(request, pk: int):
    activity = _manageable_activity(request, pk)
    form = PhotoForm(request.POST or None, request.FILES or None)
    back = reverse("activity_detail", args=[activity.pk]) + "#report"

    def add(data):
        return services.add_photo(activity, data["image"], caption=data["caption"], by=request.user)

    return form_page(
        request,
        form,
        add,
        template="form.html",
        context={"title": f"上传照片：{activity.title}", "back": back, "submit_label": "上传"},
        success_message="照片已上传",
        success_url=lambda _: back,
    )


@login_required
def activity_photo(request, pk: int, photo_pk: int):
    """A photo, for whoever may see the activity (photos are not public media files)."""
    activity = _visible_activity(request, pk)
    photo = get_object_or_404(ActivityPhoto, activity=activity, pk=photo_pk)
    try:
        image = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404("照片文件不存在") from None
    response = FileResponse(image, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_POST
@require_perm(MANAGE_ACTIVITIES)
def activity_photo_remove(request, pk: int, photo_pk: int):
    activity = _manageable_activity(request, pk)
    photo = get_object_or_404(ActivityPhoto, activity=activity, pk=photo_pk)
    try:
        services.remove_photo(photo, by=request.user)
    except DomainError as exc:
        return _refused(request, activity, exc)
    messages.success(request, "照片已删除")
    return redirect(reverse("activity_detail", args=[activity.pk]) + "#report")
