"""The dashboard (数据看板), the big screen (数据大屏), their JSON, and each chart's table as
.xlsx. The operator chooses a scope; a secretary or an officer always sees their own."""

from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse

from dangjian.accounts.permissions import (
    HANDLE_REQUESTS,
    MANAGE_DEEDS,
    VIEW_ORGS,
    WORK_DEEDS,
    granted_capabilities,
)
from dangjian.core import audit
from dangjian.core.spreadsheets import xlsx_response
from dangjian.reports import dashboard
from dangjian.reports.exports import chart_workbook
from dangjian.reports.scopes import scope_of

REFRESH_SECONDS = 60
# The lists behind the figures and who may open them; a tile whose list the user may not open
# shows its number without a link.
LINK_NEEDS = {
    "organization_tree": {VIEW_ORGS},
    "member_list": {VIEW_ORGS},
    "activity_list": {VIEW_ORGS},
    "coverage_matrix": {VIEW_ORGS},
    "deed_list": {MANAGE_DEEDS, WORK_DEEDS},
    "request_list": {HANDLE_REQUESTS},
    "request_rates": {HANDLE_REQUESTS},
}


def _board(request):
    """(form, board, status) for the request's period and scope; 403 without a scope."""
    own = scope_of(request.user)
    if own is None:
        raise PermissionDenied
    form = dashboard.DashboardForm(request.GET or None, operator=own.everything)
    status = 400 if form.is_bound and not form.is_valid() else 200
    period, scope = dashboard.chosen(form, own)
    return form, period, scope, status


def _query(period, scope, form) -> str:
    """The query string that asks for the same period and scope again."""
    params = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    if "scope" in form.fields and form.is_bound and form.is_valid():
        params["scope"] = form.cleaned_data.get("scope") or ""
    return "&".join(f"{k}={v}" for k, v in params.items() if v)


def _tiles(data: dict, user) -> list[dict]:
    """The figures of `as_json`, each linked to its list if the user may open it."""
    caps = granted_capabilities(user)
    return [{**f, "url": f["url"] if _may_open(f["url"], caps) else ""} for f in data["figures"]]


def _may_open(url: str, caps) -> bool:
    if not url:
        return False
    try:
        name = resolve(urlsplit(url).path).url_name
    except Resolver404:
        return False
    needs = LINK_NEEDS.get(name)
    return needs is None or bool(needs & caps)


def _context(request, template_name: str):
    form, period, scope, status = _board(request)
    board = dashboard.collect(period, scope)
    data = dashboard.as_json(board)
    query = _query(period, scope, form)
    context = {
        "form": form,
        "board": board,
        "tiles": _tiles(data, request.user),
        "charts": [
            {
                "chart": c,
                "export_url": f"{reverse('dashboard_export', args=[c.key])}?{query}",
            }
            for c in board.charts
        ],
        "data": data,
        "data_url": f"{reverse('dashboard_data')}?{query}",
        "screen_url": f"{reverse('dashboard_screen')}?{query}",
        "dashboard_url": f"{reverse('dashboard')}?{query}",
        "refresh_seconds": REFRESH_SECONDS,
    }
    return render(request, template_name, context, status=status)


@login_required
def dashboard_page(request):
    return _context(request, "reports/dashboard.html")


@login_required
def dashboard_screen(request):
    """The office wall's 1920×1080 dark screen; its script fetches the data every minute."""
    return _context(request, "reports/screen.html")


@login_required
def dashboard_data(request):
    form, period, scope, status = _board(request)
    if status != 200:
        errors = {field: list(messages) for field, messages in form.errors.items()}
        return JsonResponse(
            {"code": "invalid", "message": "参数不正确", "errors": errors}, status=400
        )
    response = JsonResponse(dashboard.as_json(dashboard.collect(period, scope)))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def dashboard_export(request, chart_key: str):
    """One chart's table as .xlsx, audited with the chart and the scope."""
    form, period, scope, status = _board(request)
    if status != 200:  # a hand-made URL: the page's own links are always valid
        return HttpResponseBadRequest("统计时间参数不正确")
    chart = dashboard.find_chart(period, scope, chart_key)
    if chart is None:
        raise Http404
    audit.record(
        "reports.dashboard.exported",
        actor=request.user,
        details={
            "chart": chart.key,
            "scope": scope.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "rows": len(chart.rows),
        },
    )
    filename = f"{chart.title}（{scope.label}，{period.label}）.xlsx"
    return xlsx_response(chart_workbook(chart), filename)
