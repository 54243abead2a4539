"""The dashboard's data: every section's figures and charts for a period and a scope, and the
period and scope a request asks for. The dashboard page, the big screen, its JSON and the
exports all read them from here, so they always show the same numbers."""

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.utils import timezone

from dangjian.campaigns.models import Campaign
from dangjian.orgs.models import Department, Organization
from dangjian.reports.registry import Chart, Figure, Period, Scope, sections

MAX_DAYS = 5 * 366  # a longer period makes the month axis unreadable


@dataclass(frozen=True)
class Board:
    period: Period
    scope: Scope
    figures: list[Figure]
    charts: list[Chart]


def collect(period: Period, scope: Scope) -> Board:
    """Every section's figures and charts, in the sections' order."""
    figures, charts = [], []
    for section in sections():
        figures += section.figures(period, scope)
        charts += section.charts(period, scope)
    return Board(period, scope, figures, charts)


def find_chart(period: Period, scope: Scope, key: str) -> Chart | None:
    """One chart by its key ("campaigns.coverage"), asking only the section it belongs to."""
    for section in sections():
        if key.startswith(f"{section.key}."):
            return next((c for c in section.charts(period, scope) if c.key == key), None)
    return None


def as_json(board: Board) -> dict:
    return {
        "period": {
            "start": board.period.start.isoformat(),
            "end": board.period.end.isoformat(),
            "label": board.period.label,
        },
        "scope": board.scope.label,
        "figures": [
            {
                "key": f.key,
                "label": f.label,
                "value": f.value,
                "display": f.display,
                "unit": f.unit if not isinstance(f.value, float) else "",
                "url": f.url,
            }
            for f in board.figures
        ],
        "charts": [{"key": c.key, "title": c.title, "option": c.option} for c in board.charts],
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
    }


# ---------------------------------------------------------------- what the request asks for


def default_period(today: dt.date | None = None) -> Period:
    """The current campaign (or the latest one) up to today; without any campaign, this year
    so far. The demo's campaign is 2021's, so its dashboard opens on 2021."""
    today = today or timezone.localdate()
    campaign = (
        Campaign.objects.filter(is_current=True).first()
        or Campaign.objects.order_by("-starts_on", "-id").first()
    )
    if campaign is None:
        return Period(today.replace(month=1, day=1), today)
    if campaign.starts_on > today:  # not begun yet: show it whole
        return Period(campaign.starts_on, campaign.ends_on)
    return Period(campaign.starts_on, min(campaign.ends_on, today))


class DashboardForm(forms.Form):
    start = forms.DateField(
        label="起始日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "起始日期格式不正确"},
    )
    end = forms.DateField(
        label="截止日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "截止日期格式不正确"},
    )
    scope = forms.ChoiceField(label="范围", required=False)

    def __init__(self, *args, operator: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if operator:
            self.fields["scope"].choices = scope_choices()
            self.fields["scope"].widget.attrs["class"] = "form-select form-select-sm"
        else:  # a secretary or an officer always sees their own scope
            del self.fields["scope"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "截止日期不能早于起始日期")
        elif start and end and (end - start).days > MAX_DAYS:
            self.add_error("end", "统计时间跨度不能超过5年")
        return data


def scope_choices() -> list[tuple[str, str]]:
    """The whole district, each top-level organization (the roots and their children), each
    department. Two queries."""
    organizations = Organization.objects.filter(depth__lte=1).order_by("path")
    return [
        ("", "全区"),
        ("党组织", [(f"o{o.pk}", "　" * o.depth + o.name) for o in organizations]),
        ("部门", [(f"d{d.pk}", d.name) for d in Department.objects.all()]),
    ]


def chosen(form: DashboardForm, own: Scope) -> tuple[Period, Scope]:
    """The period and scope of a valid form (defaults for what is left empty); `own` is the
    user's scope, which a secretary or an officer never leaves."""
    default = default_period()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    start, end = data.get("start") or default.start, data.get("end") or default.end
    if end < start:  # only one end given, on the wrong side of the default
        start, end = (start, start) if data.get("start") else (end, end)
    scope = own
    if own.everything and data.get("scope"):
        scope = _scope(data["scope"]) or own
    return Period(start, end), scope


def _scope(choice: str) -> Scope | None:
    kind, pk = choice[0], int(choice[1:])
    if kind == "o":
        org = Organization.objects.filter(pk=pk).first()
        return org and Scope(label=org.name, paths=frozenset({org.path}))
    department = Department.objects.filter(pk=pk).first()
    if department is None:
        return None
    paths = department.organizations.values_list("path", flat=True)
    return Scope(
        label=department.name, paths=frozenset(paths), department_ids=frozenset({department.pk})
    )
