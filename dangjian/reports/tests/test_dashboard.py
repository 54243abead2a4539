"""The dashboard's figures for each kind of user, against the numbers counted by hand in
dashboard_world.py; its JSON; its scope filter; and a constant number of queries."""
# ruff: noqa: F811 (the world's fixtures are imported, then named as test arguments)

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.reports.tests.dashboard_world import (  # noqa: F401 (fixtures)
    PERIOD,
    add_activity,
    at,
    campaign,
    world,
)

pytestmark = pytest.mark.django_db

OPERATOR = {
    "orgs.organizations": "6",
    "orgs.members": "11",
    "campaigns.activities": "4",
    "campaigns.people": "9",
    "campaigns.check_ins": "14",
    "campaigns.sectors": "3",
    "deeds.committed": "4",
    "deeds.closed": "1",
    "deeds.overdue": "1",
    "deeds.response_rate": "66.7%",
    "deeds.resolution_rate": "50.0%",
    "deeds.satisfaction_rate": "50.0%",
}
DEPARTMENT = {  # bob's branch belongs to dora's department: the same organizations and deeds
    "orgs.organizations": "1",
    "orgs.members": "4",
    "campaigns.activities": "1",
    "campaigns.people": "3",
    "campaigns.check_ins": "3",
    "campaigns.sectors": "1",
    "deeds.committed": "3",
    "deeds.closed": "1",
    "deeds.overdue": "1",
    "deeds.response_rate": "50.0%",
    "deeds.resolution_rate": "50.0%",
    "deeds.satisfaction_rate": "50.0%",
}
OUTSIDER = {
    "orgs.organizations": "1",
    "orgs.members": "2",
    "campaigns.activities": "1",
    "campaigns.people": "2",
    "campaigns.check_ins": "2",
    "campaigns.sectors": "0",
    "deeds.committed": "0",
    "deeds.closed": "0",
    "deeds.overdue": "0",
    "deeds.response_rate": "—",
    "deeds.resolution_rate": "—",
    "deeds.satisfaction_rate": "—",
}


def tiles(response) -> dict[str, str]:
    """Each tile's figure as the page shows it, by the figure's key."""
    html = response.content.decode()
    found = re.findall(
        r'data-figure="([\w.]+)">\s*<div class="dash-tile-value"><span data-value>([^<]*)<', html
    )
    return dict(found)


def open_dashboard(client, user, **params):
    client.force_login(user)
    return client.get(reverse("dashboard"), {**PERIOD, **params})


@pytest.mark.parametrize(
    "persona, expected",
    [("alice", OPERATOR), ("bob", DEPARTMENT), ("dora", DEPARTMENT), ("charlie", OUTSIDER)],
)
def test_each_user_sees_the_figures_of_their_own_scope(client, people, world, persona, expected):
    response = open_dashboard(client, people[persona])
    assert response.status_code == 200
    assert tiles(response) == expected


def test_scope_labels_name_the_users_scope(client, people, world):
    assert "全区" in open_dashboard(client, people["alice"]).content.decode()
    bob = open_dashboard(client, people["bob"]).content.decode()
    assert "<span data-scope>测试机关党支部</span> · 2021年3月1日至2021年5月31日" in bob
    dora = open_dashboard(client, people["dora"]).content.decode()
    assert "<span data-scope>党群工作部</span>" in dora


def test_the_operator_narrows_to_an_organization_or_a_department(client, people, world, district):
    branch = district.branches[0]
    assert tiles(open_dashboard(client, people["alice"], scope=f"o{branch.pk}")) == DEPARTMENT
    assert tiles(open_dashboard(client, people["alice"], scope=f"d{world['D'].pk}")) == DEPARTMENT
    root = tiles(open_dashboard(client, people["alice"], scope=f"o{district.root.pk}"))
    assert (root["orgs.organizations"], root["orgs.members"]) == ("5", "9")
    assert (root["campaigns.activities"], root["campaigns.people"]) == ("3", "7")


def test_a_secretary_cannot_widen_their_scope(client, people, world, district):
    response = open_dashboard(client, people["bob"], scope=f"o{district.root.pk}")
    assert tiles(response) == DEPARTMENT
    assert 'name="scope"' not in response.content.decode()


def test_a_member_without_a_scope_is_refused_and_a_visitor_sent_to_log_in(client, people):
    names = ["dashboard", "dashboard_screen", "dashboard_data"]
    client.force_login(people["erin"])
    for name in names:
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("dashboard_export", args=["campaigns.coverage"])).status_code == 403
    assert "数据看板" not in client.get(reverse("my_activities")).content.decode()
    client.logout()
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_data_endpoint_gives_the_same_figures_and_every_chart(client, people, world):
    client.force_login(people["alice"])
    data = client.get(reverse("dashboard_data"), PERIOD).json()
    assert {f["key"]: f["display"] for f in data["figures"]} == OPERATOR
    values = {f["key"]: f["value"] for f in data["figures"]}
    assert values["campaigns.people"] == 9
    assert values["deeds.response_rate"] == pytest.approx(2 / 3)
    assert [c["key"] for c in data["charts"]] == [
        "campaigns.coverage",
        "campaigns.participation",
        "deeds.by_department",
        "deeds.requests_by_category",
    ]
    assert data["period"]["label"] == "2021年3月1日至2021年5月31日"
    participation = data["charts"][1]["option"]["series"]
    assert participation[0]["data"] == [6, 2, 3]  # people in March, April, May
    assert participation[1]["data"] == [2, 1, 1]  # activities held


def test_figures_link_to_the_lists_the_user_may_open(client, people, world):
    alice = open_dashboard(client, people["alice"]).content.decode()
    assert f'href="{reverse("deed_list")}?status=closed" data-figure="deeds.closed"' in alice
    bob = open_dashboard(client, people["bob"]).content.decode()
    assert f'href="{reverse("member_list")}" data-figure="orgs.members"' in bob
    assert '<div class="dash-tile" data-figure="deeds.closed">' in bob  # bob has no ledger


def test_the_default_period_is_the_current_campaign_up_to_today(client, people, world):
    client.force_login(people["alice"])
    response = client.get(reverse("dashboard"))
    assert "2021年2月20日至2021年12月31日" in response.content.decode()
    shown = tiles(response)
    assert (shown["campaigns.activities"], shown["campaigns.people"]) == ("5", "9")  # + A6


def test_a_period_ending_before_it_starts_is_refused(client, people, world):
    client.force_login(people["alice"])
    response = client.get(reverse("dashboard"), {"start": "2021-05-01", "end": "2021-04-01"})
    assert response.status_code == 400
    assert "截止日期不能早于起始日期" in response.content.decode()
    data = client.get(reverse("dashboard_data"), {"start": "2021-05-01", "end": "2021-04-01"})
    assert data.status_code == 400


def test_the_big_screen_has_no_site_navigation_and_refreshes_every_minute(client, people, world):
    client.force_login(people["alice"])
    html = client.get(reverse("dashboard_screen"), PERIOD).content.decode()
    assert "navbar" not in html
    assert 'data-refresh="60"' in html
    assert (
        f'data-data-url="{reverse("dashboard_data")}?start=2021-03-01&amp;end=2021-05-31"' in html
    )
    assert 'data-figure="campaigns.people"' in html


def test_the_dashboard_renders_in_a_constant_number_of_queries(
    client, people, world, district, add_activity
):
    client.force_login(people["alice"])
    client.get(reverse("dashboard"), PERIOD)  # warm: sessions, content types

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("dashboard"), PERIOD).status_code == 200
        return len(queries)

    small = count()
    _grow(district, add_activity, world)
    assert count() == small


def _grow(district, add_activity, world):
    """18 more activities with attendance across the branches, and 18 more deeds."""
    from django.utils import timezone

    from dangjian.core.testing import add_members
    from dangjian.deeds import services as deeds
    from dangjian.deeds.models import Deed

    members = add_members(district, 12)
    for i in range(18):
        organizer = district.branches[i % 4]
        add_activity(organizer, at(3 + i % 3, 12 + i % 10, 14), members[i % 12 : i % 12 + 3])
        deed = deeds.create_deed(
            by=None,
            title=f"增加的实事{i}",
            source=Deed.Source.RESEARCH,
            owner=world["E"] if i % 2 else world["D"],
            deadline=timezone.localdate() + dt.timedelta(days=i - 9),
        )
        deeds.commit_deed(deed, by=None)
