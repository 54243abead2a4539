"""What the deeds app reports (see reports/registry.py): key figures, charts, and its
paragraphs of the briefing, for a period and a scope."""

from types import SimpleNamespace

from django.urls import reverse
from django.utils import timezone

from dangjian.deeds import queries
from dangjian.deeds.models import Deed, ServiceRequest, SiteVisit
from dangjian.deeds.request_queries import request_rates
from dangjian.orgs.models import Department, Organization
from dangjian.reports.briefings import day_label, period_bounds
from dangjian.reports.phrasing import approximate
from dangjian.reports.registry import Chart, Figure, Paragraph, Period, Scope

# ---------------------------------------------------------------- figures and charts


def _departments(scope: Scope):
    """The scope's departments: an officer's own, or those whose party organizations are in a
    secretary's subtree."""
    if scope.department_ids:
        return Department.objects.filter(pk__in=scope.department_ids)
    organizations = Organization.objects.filter(scope.organization_q()).values("pk")
    return Department.objects.filter(organizations__in=organizations)


def _deeds(scope: Scope):
    """The ledger as it stands: deeds are counted by their state today, not by period."""
    if scope.everything:
        return Deed.objects.all()
    return queries.department_deeds(_departments(scope))


def _requests(scope: Scope):
    if scope.everything:
        return ServiceRequest.objects.all()
    return ServiceRequest.objects.filter(department__in=_departments(scope).values("pk"))


def figures(period: Period, scope: Scope) -> list[Figure]:
    counts = queries.deed_counts(_deeds(scope), timezone.localdate())
    (rates,) = request_rates(_requests(scope), period.start, period.end)
    ledger = reverse("deed_list")
    three_rates = f"{reverse('request_rates')}?start={period.start}&end={period.end}"
    satisfied = rates.satisfied + rates.basically
    return [
        Figure("deeds.committed", "承诺实事", counts.committed, "件", ledger),
        Figure(
            "deeds.closed", "已销号", counts.closed, "件", f"{ledger}?status={Deed.Status.CLOSED}"
        ),
        Figure("deeds.overdue", "逾期未办结", counts.overdue, "件", ledger),
        Figure(
            "deeds.response_rate",
            f"诉求响应率（{rates.responded_in_time}/{rates.dispatched}件）",
            rates.response_rate,
            url=three_rates,
        ),
        Figure(
            "deeds.resolution_rate",
            f"诉求解决率（{rates.resolved}/{rates.closed}件）",
            rates.resolution_rate,
            url=three_rates,
        ),
        Figure(
            "deeds.satisfaction_rate",
            f"群众满意率（{satisfied}/{rates.rated}件）",
            rates.satisfaction_rate,
            url=three_rates,
        ),
    ]


def charts(period: Period, scope: Scope) -> list[Chart]:
    by_department = queries.deeds_by_department(_deeds(scope), timezone.localdate())
    by_category = request_rates(_requests(scope), period.start, period.end, by="category")
    return [_department_chart(by_department), _category_chart(by_category)]


DEED_SERIES = [
    ("committed", "已承诺"),
    ("in_progress", "推进中"),
    ("awaiting", "待销号"),
    ("closed", "已销号"),
]


def _department_chart(rows) -> Chart:
    """Deeds by owner department and status, stacked."""
    names = [row.department for row in rows]
    option = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": names, "inverse": True},
        "series": [
            {
                "name": label,
                "type": "bar",
                "stack": "deeds",
                "data": [getattr(row, field) for row in rows],
            }
            for field, label in DEED_SERIES
        ],
    }
    columns = ["责任单位", *[label for _, label in DEED_SERIES], "其中逾期"]
    table = [
        [row.department, *[getattr(row, field) for field, _ in DEED_SERIES], row.overdue]
        for row in rows
    ]
    return Chart("deeds.by_department", "实事项目办理情况（按责任单位）", option, columns, table)


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _category_chart(rows) -> Chart:
    """Service requests dispatched in the period, by category, with their three rates."""
    option = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 24, "top": 24, "bottom": 8, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [row.label for row in rows],
            "axisLabel": {"interval": 0, "rotate": 30 if len(rows) > 5 else 0},
        },
        "yAxis": {"type": "value", "name": "件", "minInterval": 1},
        "series": [
            {
                "name": "派单（件）",
                "type": "bar",
                "data": [row.dispatched for row in rows],
                "label": {"show": True, "position": "top"},
            }
        ],
    }
    columns = ["诉求类别", "派单（件）", "办结（件）", "响应率", "解决率", "满意率"]
    table = [
        [
            row.label,
            row.dispatched,
            row.closed + row.out_of_remit,
            _percent(row.response_rate),
            _percent(row.resolution_rate),
            _percent(row.satisfaction_rate),
        ]
        for row in rows
    ]
    return Chart("deeds.requests_by_category", "群众诉求（按类别）", option, columns, table)


# ---------------------------------------------------------------- briefing


# The on-site method, as the article names it; a recorded decision often starts with it.
ON_SITE = "现场查看、现场办公、现场解决"
NOTABLE_VISITS = 4  # deeds told by their on-site visits; one paragraph a deed


def briefing(period: Period, scope: Scope) -> list[Paragraph]:
    """The deeds taken up on site in the period, then the three rates of the requests
    dispatched in it."""
    paragraphs = [
        _visit_paragraph(deed_visits, order)
        for order, deed_visits in enumerate(_visits(period, scope), 1)
    ]
    rates = _rates_paragraph(period, scope)
    return paragraphs + ([rates] if rates else [])


def _visits(period: Period, scope: Scope) -> list[list[SiteVisit]]:
    """The first NOTABLE_VISITS deeds visited on site in the period, each with its visits."""
    since, until = period_bounds(period)
    visits = (
        SiteVisit.objects.filter(
            deed__in=_deeds(scope).values("pk"), visited_at__gte=since, visited_at__lt=until
        )
        .select_related("deed")
        .order_by("visited_at", "pk")
    )
    by_deed: dict[int, list[SiteVisit]] = {}
    for visit in visits:
        if visit.deed_id in by_deed or len(by_deed) < NOTABLE_VISITS:
            by_deed.setdefault(visit.deed_id, []).append(visit)
    return list(by_deed.values())


def _visit_paragraph(visits: list[SiteVisit], order: int) -> Paragraph:
    """ "3月8日，{who}践行“一线工作法”，深入{where}调研{problem}，详细了解{observed}等情况，
    现场查看、现场办公、现场解决，{aim}。" from the first visit's record and the deed's title."""
    first, deed = visits[0], visits[0].deed
    problem, _, aim = deed.title.partition("：")
    places = "、".join(dict.fromkeys(v.place for v in visits))
    who = _clauses(first.visitors, "，")
    text = f"{day_label(first.visited_at)}，{who}践行“一线工作法”，深入{places}"
    text += f"调研{problem}" if aim else f"，就“{deed.title}”开展调研"
    observed = _clauses(first.observed, "；")
    if observed:
        text += f"，详细了解{observed}等情况"
    text += f"，{ON_SITE}" + (f"，{aim}。" if aim else "。")
    decided = _clauses(first.decided.removeprefix(ON_SITE).lstrip("：:，"), "；")
    if decided:
        text += f"现场议定：{decided}。"
    return Paragraph("deeds", text, order)


def _clauses(text: str, separator: str) -> str:
    """The record's clauses without those that hold a number: every number in a briefing
    must be a figure the platform can check again, and typed text is not."""
    parts = text.strip().rstrip("。").split(separator)
    return separator.join(p for p in parts if p and not any(ch.isdigit() for ch in p))


def _rates_paragraph(period: Period, scope: Scope) -> Paragraph | None:
    (rates,) = request_rates(_requests(scope), period.start, period.end)
    if not rates.dispatched:
        return None
    url = f"{reverse('request_rates')}?start={period.start}&end={period.end}"
    dispatched = Figure("deeds.requests_dispatched", "派单群众诉求", rates.dispatched, "件", url)
    quoted, said = [dispatched], []
    for key, label, value in [
        ("deeds.response_rate", "响应率", rates.response_rate),
        ("deeds.resolution_rate", "解决率", rates.resolution_rate),
        ("deeds.satisfaction_rate", "满意率", rates.satisfaction_rate),
    ]:
        if value is not None:
            figure = Figure(key, f"诉求{label}", value, url=url)
            quoted.append(figure)
            said.append(f"{label}{figure.display}")
    text = f"聚焦群众急难愁盼，{period.label}共受理并派单群众诉求{approximate(rates.dispatched)}件"
    text += f"，{'、'.join(said)}。" if said else "。"
    return Paragraph("deeds", text, 100, quoted)


SECTION = SimpleNamespace(
    key="deeds", title="我为群众办实事", order=30, figures=figures, charts=charts, briefing=briefing
)
