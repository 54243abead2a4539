"""Staff pages of service requests (群众诉求): the list (with the review queue as its 待审核
tab), one request with every action its viewer may take, the blocklist, the three rates and
the export. Every write goes through `deeds.request_services`.

Requests are fetched through `request_queries.visible_requests`, so another department's
request is a 404. Dispatchers (`may_dispatch`, the operator) review, dispatch, supervise,
record phone follow-ups and make deeds; the request's department (and dispatchers) accept,
send back, reply, close and answer supervision notices. Anyone else who sees it gets 403."""

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import (
    EXPORT,
    HANDLE_REQUESTS,
    MANAGE_DEEDS,
    VIEW_PERSONAL_DATA,
    WORK_DEEDS,
    has_perm,
    scope_for,
)
from dangjian.core import audit
from dangjian.core.errors import DomainError
from dangjian.core.forms import add_domain_error
from dangjian.core.spreadsheets import xlsx_response
from dangjian.deeds import request_exports
from dangjian.deeds import request_services as services
from dangjian.deeds.models import (
    BlockedPhone,
    RequestEvent,
    RequestPhoto,
    RequestRating,
    ServiceRequest,
    Supervision,
)
from dangjian.deeds.request_forms import (
    BlockForm,
    CloseForm,
    DispatchForm,
    MakeDeedForm,
    PeriodForm,
    PhoneRatingForm,
    RequestFilterForm,
    ReviewForm,
    TextForm,
    default_period,
    filter_requests,
)
from dangjian.deeds.request_queries import (
    IN_HAND,
    escalation_of,
    may_dispatch,
    status_counts,
    visible_requests,
    with_escalation,
)
from dangjian.deeds.request_queries import request_rates as rates_of
from dangjian.deeds.services import answer_supervision
from dangjian.orgs.models import Community, Department

S = ServiceRequest.Status
LINKABLE = (S.PENDING, S.DISPATCHED, S.ACCEPTED, S.CLOSED)  # may become a deed


def requests_required(view):
    """Log-in, then the right to handle requests somewhere (else 403)."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not has_perm(request.user, HANDLE_REQUESTS):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def may_handle(user, item: ServiceRequest) -> bool:
    """Accept, send back, reply, close, answer supervision: the request's department and the
    dispatchers."""
    if may_dispatch(user):
        return True
    return item.department_id is not None and has_perm(user, HANDLE_REQUESTS, item.department)


def may_see_personal(user, item: ServiceRequest) -> bool:
    """The full phone: the personal-data right over the request's department (district-wide
    for a request no department holds)."""
    if item.department_id is not None:
        return has_perm(user, VIEW_PERSONAL_DATA, item.department)
    return scope_for(user, VIEW_PERSONAL_DATA).everything


def _request(request, pk: int) -> ServiceRequest:
    return get_object_or_404(
        visible_requests(request.user).select_related("category", "community", "department"),
        pk=pk,
    )


def _detail_url(item: ServiceRequest, anchor: str = "") -> str:
    return reverse("request_detail", args=[item.pk]) + (f"#{anchor}" if anchor else "")


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _department_choices(user):
    """A dispatcher filters by any department; an officer by their own."""
    if may_dispatch(user):
        return Department.objects.all()
    return Department.objects.filter(pk__in=scope_for(user, HANDLE_REQUESTS).department_ids)


def _filtered(request, form):
    filters = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    requests = with_escalation(visible_requests(request.user), today)
    return filter_requests(requests, filters), filters


# ---------------------------------------------------------------- the list


@requests_required
def request_list(request):
    """Every request the user may see, overdue first; the 待审核 tab is the review queue."""
    user = request.user
    form = RequestFilterForm(request.GET or None, departments=_department_choices(user))
    requests, _ = _filtered(request, form)
    requests = requests.select_related("category", "community", "department").order_by(
        "escalation_rank", "-created_at", "-id"
    )
    page = Paginator(requests, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    counts = status_counts(visible_requests(user))
    return render(
        request,
        "deeds/requests/request_list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "counts": [
                {"status": value, "label": label, "count": counts[value]}
                for value, label in S.choices
            ],
            "status": request.GET.get("status", ""),
            "dispatcher": may_dispatch(user),
            "can_export": has_perm(user, EXPORT),
            # The printable QR posters that open the intake form for each community.
            "poster_communities": Community.objects.order_by("name") if may_dispatch(user) else [],
        },
    )


@requests_required
def request_export(request):
    """The list as filtered, masked (no name, no phone, phones and ID numbers in the text
    masked); audited with the row count."""
    if not has_perm(request.user, EXPORT):
        raise PermissionDenied
    form = RequestFilterForm(request.GET or None, departments=_department_choices(request.user))
    requests, filters = _filtered(request, form)
    data, count = request_exports.requests_workbook(requests.order_by("created_at", "id"))
    audit.record(
        "deeds.request.exported",
        actor=request.user,
        details={"filters": {k: str(v) for k, v in filters.items() if v}, "rows": count},
    )
    return xlsx_response(data, f"群众诉求-{timezone.localtime():%Y%m%d-%H%M}.xlsx")


# ---------------------------------------------------------------- one request


def _detail_request(request, pk: int) -> ServiceRequest:
    requests = (
        visible_requests(request.user)
        .select_related("category__department", "community", "department", "deed")
        .prefetch_related(
            "photos",
            Prefetch("events", queryset=RequestEvent.objects.select_related("department", "by")),
            Prefetch("ratings", queryset=RequestRating.objects.select_related("recorded_by")),
            Prefetch(
                "supervisions",
                queryset=Supervision.objects.select_related("issued_by", "answered_by"),
            ),
        )
    )
    return get_object_or_404(requests, pk=pk)


def _actions(user, item: ServiceRequest, bound: dict, rated: bool, blocked: bool) -> dict:
    """The forms the viewer may use now, by name (a bound form that was refused replaces the
    blank one)."""
    dispatcher, handler, status = may_dispatch(user), may_handle(user, item), item.status
    offered = {
        "review": (dispatcher and status == S.REVIEW, ReviewForm),
        "dispatch": (dispatcher and status == S.PENDING, lambda: DispatchForm(request=item)),
        "accept": (handler and status == S.DISPATCHED, forms.Form),
        "send_back": (
            handler and status == S.DISPATCHED,
            lambda: TextForm(label="退回原因"),
        ),
        "reply": (handler and status in IN_HAND, lambda: TextForm(label="答复内容")),
        "close": (handler and status == S.ACCEPTED, CloseForm),
        "supervise": (dispatcher and status in IN_HAND, lambda: TextForm(label="督办要求")),
        "phone_rating": (dispatcher and status == S.CLOSED and not rated, PhoneRatingForm),
        "make_deed": (
            dispatcher and item.deed_id is None and status in LINKABLE,
            lambda: MakeDeedForm(request=item),
        ),
        "edit_text": (dispatcher, lambda: TextForm(label="公开内容", initial_text=item.text)),
        "block": (dispatcher and not blocked, lambda: BlockForm(with_phone=False)),
    }
    shown = {name: bound.get(name) or make() for name, (ok, make) in offered.items() if ok}
    for name, form in shown.items():
        form.auto_id = f"id_{name}_%s"  # several forms on one page: ids must not collide
    return shown


def _detail_context(request, item: ServiceRequest, *, bound=None, error="", full=False) -> dict:
    user = request.user
    bound = bound or {}
    ratings = list(item.ratings.all())
    rated = any(r.round == item.round for r in ratings)
    blocked = BlockedPhone.objects.filter(phone=item.phone).exists()
    handler = may_handle(user, item)
    supervisions = []
    for s in item.supervisions.all():
        form = None
        if handler and s.answered_at is None:
            form = bound.get(f"answer-{s.pk}") or TextForm(label="办理反馈")
            form.auto_id = f"id_answer{s.pk}_%s"
        supervisions.append({"supervision": s, "form": form})
    return {
        "item": item,
        "escalation": escalation_of(item, timezone.localdate()),
        "ratings": ratings,
        "supervisions": supervisions,
        "actions": _actions(user, item, bound, rated, blocked),
        "blocked": blocked,
        "error": error,
        "full_phone": item.phone if full else "",
        "can_reveal": may_see_personal(user, item),
        "can_see_deed": has_perm(user, MANAGE_DEEDS) or has_perm(user, WORK_DEEDS),
    }


@requests_required
def request_detail(request, pk: int):
    item = _detail_request(request, pk)
    return render(request, "deeds/requests/request_detail.html", _detail_context(request, item))


@require_POST
@requests_required
def request_personal_data(request, pk: int):
    """The deliberate "查看完整信息" action: the full phone, audited (as orgs does)."""
    item = _detail_request(request, pk)
    if not may_see_personal(request.user, item):
        raise PermissionDenied
    audit.record("deeds.request.viewed_personal", item, actor=request.user)
    context = _detail_context(request, item, full=True)
    return render(request, "deeds/requests/request_detail.html", context)


@requests_required
def request_photo(request, pk: int, photo_pk: int):
    """A photo sent with the request, for whoever sees the request (never a public URL)."""
    item = _request(request, pk)
    photo = get_object_or_404(RequestPhoto, request=item, pk=photo_pk)
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    response = FileResponse(handle, content_type=photo.content_type)
    response["Content-Disposition"] = f'inline; filename="photo{photo.extension}"'
    response["Cache-Control"] = "private, max-age=86400"
    return response


def _is_conflict(exc: DomainError) -> bool:
    return exc.code.endswith(("_conflict", "_taken"))


def _first_error(form) -> str:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}：{errors[0]}" if label else errors[0]
    return ""


def _refused(request, item: ServiceRequest, *, error: str, status: int, bound=None):
    """The request's page again with the refusal on top (and on the form's field)."""
    item = _detail_request(request, item.pk)
    context = _detail_context(request, item, bound=bound, error=error)
    return render(request, "deeds/requests/request_detail.html", context, status=status)


def _act(request, pk: int, name: str, *, allowed, form, action, message: str, anchor: str = ""):
    """A POST form of the request's page: check the right, parse, call the service; 409 when
    someone acted in between, 400 with the form re-rendered for any other refusal."""
    item = _request(request, pk)
    if not allowed(request.user, item):
        raise PermissionDenied
    bound = form(request.POST)
    if not bound.is_valid():
        return _refused(request, item, error=_first_error(bound), status=400, bound={name: bound})
    try:
        action(item, bound.cleaned_data)
    except DomainError as exc:
        if _is_conflict(exc):
            return _refused(request, item, error=exc.message, status=409)
        add_domain_error(bound, exc)
        return _refused(request, item, error=exc.message, status=400, bound={name: bound})
    messages.success(request, message)
    return redirect(_detail_url(item, anchor))


def _dispatcher(user, item) -> bool:
    return may_dispatch(user)


@require_POST
@requests_required
def request_review(request, pk: int):
    def review(item, data):
        release = data["decision"] == "release"
        services.review_request(item, by=request.user, release=release, reason=data["reason"])

    return _act(
        request,
        pk,
        "review",
        allowed=_dispatcher,
        form=ReviewForm,
        action=review,
        message="审核完成",
    )


@require_POST
@requests_required
def request_dispatch(request, pk: int):
    def dispatch(item, data):
        services.dispatch_request(item, by=request.user, **data)

    return _act(
        request,
        pk,
        "dispatch",
        allowed=_dispatcher,
        form=DispatchForm,
        action=dispatch,
        message="已派单",
    )


@require_POST
@requests_required
def request_accept(request, pk: int):
    return _act(
        request,
        pk,
        "accept",
        allowed=may_handle,
        form=forms.Form,
        action=lambda item, data: services.accept_request(item, by=request.user),
        message="已签收",
    )


@require_POST
@requests_required
def request_send_back(request, pk: int):
    def send_back(item, data):
        services.send_back_request(item, by=request.user, reason=data["text"])

    return _act(
        request,
        pk,
        "send_back",
        allowed=may_handle,
        form=lambda data: TextForm(data, label="退回原因"),
        action=send_back,
        message="已退回，等待重新派单",
    )


@require_POST
@requests_required
def request_reply(request, pk: int):
    def reply(item, data):
        services.reply_to_request(item, by=request.user, text=data["text"])

    return _act(
        request,
        pk,
        "reply",
        allowed=may_handle,
        form=lambda data: TextForm(data, label="答复内容"),
        action=reply,
        message="已答复",
        anchor="timeline",
    )


@require_POST
@requests_required
def request_close(request, pk: int):
    def close(item, data):
        services.close_request(item, by=request.user, outcome=data["outcome"], text=data["text"])

    return _act(
        request,
        pk,
        "close",
        allowed=may_handle,
        form=CloseForm,
        action=close,
        message="已办结",
    )


@require_POST
@requests_required
def request_supervise(request, pk: int):
    def supervise(item, data):
        services.supervise_request(item, by=request.user, message=data["text"])

    return _act(
        request,
        pk,
        "supervise",
        allowed=_dispatcher,
        form=lambda data: TextForm(data, label="督办要求"),
        action=supervise,
        message="督办已发出",
        anchor="supervisions",
    )


@require_POST
@requests_required
def request_supervision_answer(request, pk: int, supervision_pk: int):
    item = _request(request, pk)
    supervision = get_object_or_404(Supervision, request=item, pk=supervision_pk)

    def answer(item, data):
        answer_supervision(supervision, by=request.user, answer=data["text"])

    return _act(
        request,
        pk,
        f"answer-{supervision.pk}",
        allowed=may_handle,
        form=lambda data: TextForm(data, label="办理反馈"),
        action=answer,
        message="已反馈",
        anchor="supervisions",
    )


@require_POST
@requests_required
def request_phone_rating(request, pk: int):
    def rate(item, data):
        services.record_phone_rating(
            item, by=request.user, value=data["value"], comment=data["comment"]
        )

    return _act(
        request,
        pk,
        "phone_rating",
        allowed=_dispatcher,
        form=PhoneRatingForm,
        action=rate,
        message="电话回访结果已记录",
        anchor="ratings",
    )


@require_POST
@requests_required
def request_make_deed(request, pk: int):
    def make(item, data):
        services.make_deed(item, by=request.user, **data)

    return _act(
        request,
        pk,
        "make_deed",
        allowed=_dispatcher,
        form=MakeDeedForm,
        action=make,
        message="已转为实事项目，列入台账待承诺",
    )


@require_POST
@requests_required
def request_edit_text(request, pk: int):
    def edit(item, data):
        services.edit_request_text(item, by=request.user, text=data["text"])

    return _act(
        request,
        pk,
        "edit_text",
        allowed=_dispatcher,
        form=lambda data: TextForm(data, label="公开内容"),
        action=edit,
        message="公开内容已修改，原始内容保留",
    )


@require_POST
@requests_required
def request_block_phone(request, pk: int):
    """Blocklist the request's own phone (which a dispatcher sees only masked)."""

    def block(item, data):
        services.block_phone(item.phone, by=request.user, reason=data["reason"])

    return _act(
        request,
        pk,
        "block",
        allowed=_dispatcher,
        form=lambda data: BlockForm(data, with_phone=False),
        action=block,
        message="该手机号已加入黑名单，今后的诉求先转人工审核",
    )


# ---------------------------------------------------------------- the blocklist


@requests_required
def request_blocklist(request):
    """The phones whose requests go to the review queue; add one (POST) or remove one."""
    if not may_dispatch(request.user):
        raise PermissionDenied
    form = BlockForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.block_phone(data["phone"], by=request.user, reason=data["reason"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "已加入黑名单")
                return redirect("request_blocklist")
    blocked = BlockedPhone.objects.select_related("created_by")
    return render(
        request,
        "deeds/requests/blocklist.html",
        {"form": form, "blocked": blocked},
        status=status,
    )


@require_POST
@requests_required
def request_unblock(request, pk: int):
    if not may_dispatch(request.user):
        raise PermissionDenied
    blocked = get_object_or_404(BlockedPhone, pk=pk)
    services.unblock_phone(blocked, by=request.user)
    messages.success(request, "已移出黑名单")
    return redirect("request_blocklist")


# ---------------------------------------------------------------- the three rates


def rate_text(part: int, whole: int) -> str:
    """ "90.0%（18/20）", or "—" when there is nothing to divide by."""
    return f"{part / whole:.1%}（{part}/{whole}）" if whole else "—"


def _rate_row(rates) -> dict:
    return {
        "label": rates.label,
        "dispatched": rates.dispatched,
        "response": rate_text(rates.responded_in_time, rates.dispatched),
        "resolution": rate_text(rates.resolved, rates.closed),
        "satisfaction": rate_text(rates.satisfied + rates.basically, rates.rated),
        "explained": rates.explained,
        "out_of_remit": rates.out_of_remit,
        "unrated": rates.unrated,
    }


@requests_required
def request_rates(request):
    """The three rates of the requests first dispatched in the period, of the requests the
    user sees: the district's for a dispatcher, their department's for an officer."""
    form = PeriodForm(request.GET or None)
    period, status = default_period(), 200
    if form.is_bound and form.is_valid():
        period = {k: form.cleaned_data[k] or v for k, v in period.items()}
    elif form.is_bound:
        status = 400
    else:
        form = PeriodForm(initial=period)
    visible = visible_requests(request.user)
    start, end = period["start"], period["end"]
    tables = [
        ("overall", "总体", rates_of(visible, start, end)),
        ("department", "按承办单位", rates_of(visible, start, end, by="department")),
        ("category", "按诉求类别", rates_of(visible, start, end, by="category")),
    ]
    return render(
        request,
        "deeds/requests/rates.html",
        {
            "form": form,
            "error": _first_error(form) if status == 400 else "",
            "start": start,
            "end": end,
            "tables": [
                {"key": key, "title": title, "rows": [_rate_row(r) for r in rows]}
                for key, title, rows in tables
            ],
        },
        status=status,
    )
