"""What the campaigns app reports (see reports/registry.py): key figures, charts, and its
paragraphs of the briefing, for a period and a scope."""

import datetime as dt
from types import SimpleNamespace

from django.urls import reverse

from dangjian.campaigns import queries
from dangjian.campaigns.models import Activity, Campaign
from dangjian.campaigns.queries import Cell
from dangjian.orgs.models import Member, Organization, Sector
from dangjian.reports.briefings import day_label
from dangjian.reports.phrasing import approximate
from dangjian.reports.registry import Chart, Figure, Paragraph, Period, Scope

# ---------------------------------------------------------------- figures and charts


def _activities(period: Period, scope: Scope):
    """The activities held in the period that organizations of the scope organized."""
    organized = Activity.objects.filter(scope.organization_q("organizers__")).values("pk")
    return queries.held_between(Activity.objects.filter(pk__in=organized), period.start, period.end)


def _members(scope: Scope):
    return Member.objects.filter(scope.organization_q("organization__"))


def figures(period: Period, scope: Scope) -> list[Figure]:
    """Activities the scope held in the period, and its own members who attended them."""
    activities = _activities(period, scope)
    reached = queries.reach(activities, _members(scope))
    coverage = reverse("coverage_matrix")
    return [
        Figure(
            "campaigns.activities",
            "开展活动",
            activities.count(),
            "场",
            reverse("activity_list"),
        ),
        Figure("campaigns.people", "参加党员", reached.people, "名", coverage),
        Figure("campaigns.check_ins", "参加人次", reached.check_ins, "人次", coverage),
        Figure(
            "campaigns.sectors",
            f"覆盖领域（共{Sector.objects.count()}个）",
            reached.sectors,
            "个",
            coverage,
        ),
    ]


def charts(period: Period, scope: Scope) -> list[Chart]:
    activities, members = _activities(period, scope), _members(scope)
    months = queries.months_between(period.start, period.end)
    return [
        _coverage_chart(queries.member_coverage(activities, members, months)),
        _participation_chart(queries.reach_by_month(activities, members, months)),
    ]


def _month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def _coverage_chart(matrix) -> Chart:
    """The six-sector heat map: people reached per sector and month."""
    months = [_month_label(m) for m in matrix.months]
    sectors = [sector.name for sector, _ in matrix.rows]
    # Cells nobody attended stay blank: the gaps in coverage are what the map is for.
    data = [
        [x, y, cell.people]
        for y, (_, cells) in enumerate(matrix.rows)
        for x, cell in enumerate(cells)
        if cell.people
    ]
    top = max((value for *_, value in data), default=0)
    option = {
        "tooltip": {"position": "top"},
        "grid": {"left": 56, "right": 16, "top": 12, "bottom": 72, "containLabel": False},
        "xAxis": {"type": "category", "data": months, "splitArea": {"show": True}},
        "yAxis": {"type": "category", "data": sectors, "splitArea": {"show": True}},
        "visualMap": {
            "min": 0,
            "max": max(top, 1),
            "calculable": True,
            "orient": "horizontal",
            "left": "center",
            "bottom": 0,
            "itemHeight": 120,
            "inRange": {"color": ["#fdecea", "#f28b82", "#c0392b"]},
        },
        "series": [
            {"name": "参加党员（人）", "type": "heatmap", "data": data, "label": {"show": True}}
        ],
    }
    rows = [
        [sector.name, *[c.people for c in cells], matrix.totals.get(sector.pk, Cell()).people]
        for sector, cells in matrix.rows
    ]
    return Chart(
        "campaigns.coverage",
        "“六进”覆盖情况（参加党员人数）",
        option,
        ["领域", *months, "合计"],
        rows,
    )


def _participation_chart(months) -> Chart:
    labels = [_month_label(m.month) for m in months]
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 48, "right": 48, "top": 40, "bottom": 32},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": [
            {"type": "value", "name": "人", "minInterval": 1},
            {"type": "value", "name": "场", "minInterval": 1, "splitLine": {"show": False}},
        ],
        "series": [
            {"name": "参加党员（人）", "type": "bar", "data": [m.people for m in months]},
            {
                "name": "开展活动（场）",
                "type": "line",
                "yAxisIndex": 1,
                "data": [m.activities for m in months],
            },
        ],
    }
    columns = ["月份", "开展活动（场）", "参加党员（人）", "参加人次"]
    rows = [
        [label, m.activities, m.people, m.check_ins]
        for label, m in zip(labels, months, strict=True)
    ]
    return Chart("campaigns.participation", "参加活动情况（按月）", option, columns, rows)


# ---------------------------------------------------------------- briefing


# The briefing names a handful of the period's activities, chosen by what a report tells:
# visits to red-resource sites, then the largest activity of each type (people reached, then
# organizations taking part). The lead gives the totals of all of them.
NOTABLE_ACTIVITIES = 6
RED_VISITS = 2
TITLE_VERBS = ("参观", "走访", "开展", "举办", "召开", "组织", "举行")


def briefing(period: Period, scope: Scope) -> list[Paragraph]:
    activities = _activities(period, scope)
    notable = _notable(activities)
    if not notable:
        return []
    tops = _top_paths(scope)
    return [_lead(period, scope)] + [
        _activity_paragraph(activity, tops, order) for order, activity in enumerate(notable, 1)
    ]


def _lead(period: Period, scope: Scope) -> Paragraph:
    known = {f.key: f for f in figures(period, scope)}
    held, people, check_ins = (
        known[k] for k in ("campaigns.activities", "campaigns.people", "campaigns.check_ins")
    )
    goals = _goals(period)
    focus = f"聚焦“{goals}”，" if goals else ""
    text = (
        f"{period.label}，{scope.label}{focus}通过开展形式多样、内容丰富的活动推进党史学习教育，"
        f"共组织各类活动{approximate(held.value)}场，"
        f"{approximate(people.value)}名党员参加{approximate(check_ins.value)}人次。"
    )
    return Paragraph("lead", text, 0, [held, people, check_ins])


def _goals(period: Period) -> str:
    """The aims of the campaign under way in the period (the current one first)."""
    campaign = (
        Campaign.objects.filter(starts_on__lte=period.end, ends_on__gte=period.start)
        .exclude(goals="")
        .order_by("-is_current", "-starts_on")
        .first()
    )
    return "" if campaign is None or _has_digits(campaign.goals) else campaign.goals.strip("。 ")


def _notable(activities) -> list[Activity]:
    held = [
        a
        for a in queries.with_attendance(activities)
        .select_related("type", "place")
        .prefetch_related("organizers")
        .order_by("starts_at", "pk")
        if a.people + a.walk_ins > 0
    ]
    by_reach = sorted(held, key=lambda a: (-(a.people + a.walk_ins), -a.organizations, a.pk))
    chosen = [a for a in by_reach if a.place and a.place.is_red_resource][:RED_VISITS]
    types = {a.type_id for a in chosen}
    for activity in by_reach:  # one of each type first: the range of the work
        if len(chosen) < NOTABLE_ACTIVITIES and activity.type_id not in types:
            chosen.append(activity)
            types.add(activity.type_id)
    for activity in by_reach:  # then the largest of the rest, if there is room
        if len(chosen) < NOTABLE_ACTIVITIES and activity not in chosen:
            chosen.append(activity)
    return sorted(chosen, key=lambda a: (a.starts_at, a.pk))


def _top_paths(scope: Scope) -> set[str]:
    """The paths of the organizations that stand for the scope itself: an activity they
    organize is told without naming them ("组织开展…"), as the article does."""
    if scope.everything:
        return set(Organization.objects.filter(parent=None).values_list("path", flat=True))
    return set(scope.paths)


def _activity_paragraph(activity: Activity, tops: set[str], order: int) -> Paragraph:
    reach = activity.people + activity.walk_ins
    url = reverse("activity_detail", args=[activity.pk])
    people = Figure(
        f"campaigns.activity.{activity.pk}.people", f"{activity.title}：参加人数", reach, "人", url
    )
    organizations = Figure(
        f"campaigns.activity.{activity.pk}.organizations",
        f"{activity.title}：参加党组织",
        activity.organizations,
        "个",
        url,
    )
    organizers = [o for o in activity.organizers.all() if o.path not in tops]
    who = "、".join(o.short_name or o.name for o in organizers)
    if who and activity.title.startswith(who):  # "某支部组织开展某支部主题党日" says it twice
        who = ""
    verb = "组织" if activity.title.startswith(TITLE_VERBS) else "组织开展"
    place = activity.place
    where = (
        f"（{place.name}）"
        if place and place.is_red_resource and place.name not in activity.title
        else ""
    )
    text = f"{day_label(activity.starts_at)}，{who}{verb}{activity.title}{where}，"
    detail = _first_sentence(activity.description)
    if detail and detail not in activity.title:
        text += f"{detail}，"
    if activity.organizations > 1:
        text += f"{approximate(activity.organizations)}个党组织{approximate(reach)}人参加了活动。"
        quoted = [organizations, people]
    else:
        text += f"共计{approximate(reach)}人参与其中。"
        quoted = [people]
    return Paragraph("activities", text, 10 + order, quoted)


def _first_sentence(text: str) -> str:
    """The description's first sentence, unless it holds a number: every number in a
    briefing must be a figure the platform can check again, and typed text is not."""
    sentence = text.strip().split("。")[0].strip("，；： ")
    return "" if _has_digits(sentence) else sentence


def _has_digits(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


SECTION = SimpleNamespace(
    key="campaigns",
    title="党史学习教育活动",
    order=20,
    figures=figures,
    charts=charts,
    briefing=briefing,
)
