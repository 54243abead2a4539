"""What the orgs app reports (see reports/registry.py): key figures, charts, and its
paragraphs of the briefing, for a period and a scope."""

from types import SimpleNamespace

from django.urls import reverse

from dangjian.orgs.models import Member, Organization
from dangjian.orgs.queries import members_by_sector
from dangjian.reports.phrasing import approximate
from dangjian.reports.registry import Chart, Figure, Paragraph, Period, Scope

# ---------------------------------------------------------------- figures and charts


def figures(period: Period, scope: Scope) -> list[Figure]:
    """Organizations and active members in the scope as they stand now (the roster has no
    history to count by period)."""
    organizations = Organization.objects.filter(scope.organization_q())
    members = Member.objects.active().filter(scope.organization_q("organization__"))
    return [
        Figure(
            "orgs.organizations",
            "党组织",
            organizations.count(),
            "个",
            reverse("organization_tree"),
        ),
        Figure("orgs.members", "党员", members.count(), "名", reverse("member_list")),
    ]


def charts(period: Period, scope: Scope) -> list[Chart]:
    return []


# ---------------------------------------------------------------- briefing


def briefing(period: Period, scope: Scope) -> list[Paragraph]:
    """The scope's organizations and members, and the sectors they work in: the article's
    "推进党史学习教育“进机关”“进企业”…，为所属3700余名党员…"."""
    known = {f.key: f for f in figures(period, scope)}
    organizations, members = known["orgs.organizations"], known["orgs.members"]
    if not members.value:
        return []
    roster = Member.objects.filter(scope.organization_q("organization__"))
    sectors = [sector for sector, count in members_by_sector(roster) if sector and count]
    into = "".join(f"“进{sector.name}”" for sector in sectors)
    pushed = f"大力推进党史学习教育{into}，" if into else ""
    text = (
        f"{scope.label}{pushed}面向所属{approximate(organizations.value)}个党组织、"
        f"{approximate(members.value)}名党员全面铺开党史学习教育工作。"
    )
    return [Paragraph("activities", text, 0, [organizations, members])]


SECTION = SimpleNamespace(
    key="orgs", title="党组织和党员", order=10, figures=figures, charts=charts, briefing=briefing
)
