"""The printable attendance sheet (签到表) and the shareable invitation page."""

import re
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from dangjian.campaigns import printing, services
from dangjian.campaigns.models import Place
from dangjian.campaigns.tests.test_pages import count_queries, login
from dangjian.core.testing import add_members

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def register_members(district, activity, count: int) -> list:
    """`count` new members of bob's branch (the organizer), each registered for `activity`."""
    members = add_members(district, count * 4)[::4]  # every 4th is in branches[0]
    assert {m.organization_id for m in members} == {district.branches[0].pk}
    for member in members:
        services.register(activity, member, by=None)
    return members


@pytest.fixture
def activity(make_activity):
    place = Place.objects.create(
        name="张园", address="天津市和平区鞍山道59号", is_red_resource=True
    )
    return make_activity(
        title="重温入党誓词主题党日", place=place, description="请携带党员证，提前十分钟到场。"
    )


def test_attendance_sheet_lists_the_title_and_registered_names_as_text(
    client, people, district, activity
):
    members = register_members(district, activity, 6)
    login(client, people["bob"])

    response = client.get(reverse("activity_attendance_sheet", args=[activity.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    compact = re.sub(r"\s+", "", text)
    assert "重温入党誓词主题党日" in compact
    assert "签到表" in compact and "签名" in compact
    assert "张园" in compact and "天津市和平区鞍山道59号" in compact
    assert district.branches[0].name in compact  # the organizer
    for member in members:
        assert member.name in compact, member.name
    assert "第1页/共1页" in compact


def test_attendance_sheet_leaves_out_waiting_and_cancelled_registrations(
    client, people, district, make_activity
):
    activity = make_activity(title="小范围座谈", capacity=1)
    first, waiting = add_members(district, 8)[::4]
    services.register(activity, first, by=None)
    services.register(activity, waiting, by=None)

    names = [m.name for m in printing.registered_members(activity)]

    assert names == [first.name]


def test_long_attendance_sheet_runs_over_several_numbered_pages(district, activity):
    members = register_members(district, activity, 50)

    reader = PdfReader(BytesIO(printing.attendance_sheet_pdf(activity)))

    assert len(reader.pages) >= 2
    last = re.sub(r"\s+", "", reader.pages[-1].extract_text())
    assert f"第{len(reader.pages)}页/共{len(reader.pages)}页" in last
    assert members[-1].name in last


def test_attendance_sheet_is_refused_to_members_and_hidden_from_outsiders(client, people, activity):
    url = reverse("activity_attendance_sheet", args=[activity.pk])
    assert login(client, people["erin"]).get(url).status_code == 403
    assert login(client, people["charlie"]).get(url).status_code == 404
    assert login(client, people["alice"]).get(url).status_code == 200


def test_detail_links_the_sheet_only_for_those_who_may_print_it(client, people, activity):
    detail = reverse("activity_detail", args=[activity.pk])
    sheet = reverse("activity_attendance_sheet", args=[activity.pk])
    invitation = reverse("activity_invitation", args=[activity.pk])
    for_bob = login(client, people["bob"]).get(detail).content.decode()
    for_erin = login(client, people["erin"]).get(detail).content.decode()
    assert sheet in for_bob and invitation in for_bob
    assert sheet not in for_erin and invitation in for_erin


def test_attendance_sheet_query_count_does_not_grow_with_registrations(
    client, people, district, activity
):
    login(client, people["bob"])
    url = reverse("activity_attendance_sheet", args=[activity.pk])
    register_members(district, activity, 5)
    at_5 = count_queries(client, url)
    register_members(district, activity, 45)
    at_50 = count_queries(client, url)
    assert at_5 == at_50


def test_invitation_shows_the_details_and_open_graph_tags(client, people, activity):
    login(client, people["erin"])

    response = client.get(reverse("activity_invitation", args=[activity.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta property="og:title" content="重温入党誓词主题党日">' in html
    description = re.search(r'<meta property="og:description" content="([^"]*)">', html)
    assert description and "张园" in description[1] and "请携带党员证" in description[1]
    assert "天津市和平区鞍山道59号" in html
    assert "机关支部" in html  # the organizer's short name
    assert "请携带党员证，提前十分钟到场。" in html
    assert 'name="viewport"' in html
    assert reverse("activity_register", args=[activity.pk]) in html


def test_member_registers_from_the_invitation_and_comes_back_to_it(client, people, activity):
    login(client, people["erin"])
    url = reverse("activity_invitation", args=[activity.pk])

    response = client.post(
        reverse("activity_register", args=[activity.pk]), {"next": "invitation"}, follow=True
    )

    assert response.redirect_chain[-1][0] == url
    html = response.content.decode()
    assert "报名成功" in html and "您已报名" in html
    assert reverse("activity_register", args=[activity.pk]) not in html


def test_invitation_is_hidden_from_outsiders_and_needs_a_log_in(client, people, activity):
    url = reverse("activity_invitation", args=[activity.pk])
    assert client.get(url).status_code == 302
    assert login(client, people["charlie"]).get(url).status_code == 404
