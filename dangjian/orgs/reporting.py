"""What the orgs app reports (see reports/registry.py): key figures, charts, and its
paragraphs of the briefing, for a period and a scope."""

from types import SimpleNamespace

from dangjian.reports.registry import Chart, Figure, Paragraph, Period, Scope

# ---------------------------------------------------------------- figures and charts


def figures(period: Period, scope: Scope) -> list[Figure]:
    return []


def charts(period: Period, scope: Scope) -> list[Chart]:
    return []


# ---------------------------------------------------------------- briefing


def briefing(period: Period, scope: Scope) -> list[Paragraph]:
    return []


SECTION = SimpleNamespace(
    key="orgs", title="党组织和党员", order=10, figures=figures, charts=charts, briefing=briefing
)
