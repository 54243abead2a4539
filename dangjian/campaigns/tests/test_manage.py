"""The management pages of campaigns and places: creating, editing and choosing the current
campaign through the pages, refusals with 400 and nothing written, who may edit what, search
and filter, constant query counts, and the audit entries."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.campaigns import services
from dangjian.campaigns.models import Campaign, Place
from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def login(client, user):
    client.logout()
    client.force_login(user)
    return client


def error_on(html: str, field: str) -> str:
    """The error text the form page shows under `field` ("" when none)."""
    found = re.search(rf'data-error-for="{field}">([^<]*)<', html)
    return found.group(1) if found else ""


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def campaign_data(**overrides) -> dict:
    return {
        "name": "2022年主题教育",
        "theme": "学思想、强党性、重实践、建新功",
        "starts_on": "2022-03-01",
        "ends_on": "2022-12-31",
        "department": "",
        "goals": "",
        **overrides,
    }


def place_data(**overrides) -> dict:
    return {"name": "张园", "address": "天津市和平区鞍山道59号", "description": "", **overrides}


@pytest.fixture
def place(district):
    return services.create_place(by=None, name="平津战役纪念馆", address="天津市红桥区平津道8号")


# ---------------------------------------------------------------- campaigns through the pages


def test_alice_creates_a_campaign_through_the_page(client, people, district):
    login(client, people["alice"])
    data = campaign_data(department=district.department.pk)
    response = client.post(reverse("campaign_create"), data)
    assert response.status_code == 302
    assert response.url == reverse("campaign_list")
    campaign = Campaign.objects.get(name="2022年主题教育")
    assert campaign.starts_on == dt.date(2022, 3, 1)
    assert campaign.department == district.department
    assert not campaign.is_current
    entry = AuditEntry.objects.get(action="campaigns.campaign.created")
    assert (entry.actor, entry.object_id) == (people["alice"], str(campaign.pk))
    listing = client.get(reverse("campaign_list")).content.decode()
    assert "2022年主题教育" in listing and "党群工作部" in listing


def test_a_campaign_created_as_current_replaces_the_current_one(client, people, campaign):
    login(client, people["alice"])
    client.post(reverse("campaign_create"), campaign_data(is_current="on"))
    assert list(Campaign.objects.filter(is_current=True).values_list("name", flat=True)) == [
        "2022年主题教育"
    ]


def test_alice_edits_a_campaign_and_the_audit_names_the_changed_fields(client, people, campaign):
    login(client, people["alice"])
    edit = reverse("campaign_edit", args=[campaign.pk])
    form = client.get(edit).content.decode()
    assert campaign.name in form and 'value="2021-02-20"' in form
    data = campaign_data(name=campaign.name, starts_on="2021-02-20", ends_on="2022-01-31")
    response = client.post(edit, data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.ends_on == dt.date(2022, 1, 31)
    assert campaign.theme == "学思想、强党性、重实践、建新功"
    assert campaign.is_current  # editing never changes which campaign is current
    entry = AuditEntry.objects.get(action="campaigns.campaign.updated")
    assert entry.actor == people["alice"]
    assert set(entry.details["changed"]) == {"theme", "goals", "ends_on", "department"}
    assert entry.details["changed"]["ends_on"] == ["2021-12-31", "2022-01-31"]


def test_a_period_ending_before_it_starts_is_refused_and_nothing_is_written(
    client, people, campaign
):
    login(client, people["alice"])
    before = AuditEntry.objects.count()
    bad = campaign_data(starts_on="2022-03-01", ends_on="2022-02-01")
    created = client.post(reverse("campaign_create"), bad)
    assert created.status_code == 400
    assert "结束日期不能早于开始日期" in error_on(created.content.decode(), "ends_on")
    assert not Campaign.objects.filter(name="2022年主题教育").exists()

    edited = client.post(reverse("campaign_edit", args=[campaign.pk]), bad)
    assert edited.status_code == 400
    assert "结束日期不能早于开始日期" in error_on(edited.content.decode(), "ends_on")
    campaign.refresh_from_db()
    assert (campaign.name, campaign.ends_on) == ("2021年党史学习教育", dt.date(2021, 12, 31))
    assert AuditEntry.objects.count() == before


def test_a_duplicate_campaign_name_is_refused_on_the_name_field(client, people, campaign):
    other = services.create_campaign(
        by=None, name="2022年主题教育", starts_on=dt.date(2022, 3, 1), ends_on=dt.date(2022, 12, 31)
    )
    login(client, people["alice"])
    before = AuditEntry.objects.count()
    response = client.post(
        reverse("campaign_edit", args=[other.pk]), campaign_data(name=" 2021年党史学习教育 ")
    )
    assert response.status_code == 400
    assert error_on(response.content.decode(), "name") == "名称：已有同名的党史学习教育"
    other.refresh_from_db()
    assert other.name == "2022年主题教育"
    assert AuditEntry.objects.count() == before
    created = client.post(reverse("campaign_create"), campaign_data(name="2021年党史学习教育"))
    assert created.status_code == 400
    assert Campaign.objects.count() == 2


def test_a_missing_date_is_refused_with_a_chinese_message(client, people):
    login(client, people["alice"])
    response = client.post(reverse("campaign_create"), campaign_data(starts_on="", name=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert error_on(html, "starts_on") and error_on(html, "name")
    assert re.search(r"[\u4e00-\u9fff]", error_on(html, "starts_on"))
    assert not Campaign.objects.exists()


def test_alice_sets_the_current_campaign_from_the_list(client, people, campaign):
    other = services.create_campaign(
        by=None, name="2022年主题教育", starts_on=dt.date(2022, 3, 1), ends_on=dt.date(2022, 12, 31)
    )
    login(client, people["alice"])
    url = reverse("campaign_set_current", args=[other.pk])
    assert url in client.get(reverse("campaign_list")).content.decode()
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "已将“2022年主题教育”设为当前党史学习教育" in response.content.decode()
    assert list(Campaign.objects.filter(is_current=True)) == [other]
    entry = AuditEntry.objects.filter(action="campaigns.campaign.set_current").latest("id")
    assert (entry.actor, entry.object_id) == (people["alice"], str(other.pk))


def test_secretary_sees_the_campaigns_but_may_not_change_them(client, people, campaign):
    other = services.create_campaign(
        by=None, name="2022年主题教育", starts_on=dt.date(2022, 3, 1), ends_on=dt.date(2022, 12, 31)
    )
    login(client, people["bob"])
    listing = client.get(reverse("campaign_list"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "2022年主题教育" in html
    assert reverse("campaign_edit", args=[other.pk]) not in html
    assert reverse("campaign_create") not in html
    assert reverse("campaign_set_current", args=[other.pk]) not in html
    assert client.get(reverse("campaign_create")).status_code == 403
    assert client.post(reverse("campaign_create"), campaign_data(name="书记的")).status_code == 403
    edit = reverse("campaign_edit", args=[other.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, campaign_data(name="改名")).status_code == 403
    set_current = reverse("campaign_set_current", args=[other.pk])
    assert client.post(set_current).status_code == 403
    assert list(Campaign.objects.filter(is_current=True)) == [campaign]
    assert not Campaign.objects.filter(name__in=["书记的", "改名"]).exists()


def test_unknown_campaigns_and_places_are_404(client, people):
    login(client, people["alice"])
    assert client.get(reverse("campaign_edit", args=[999999])).status_code == 404
    assert client.post(reverse("campaign_set_current", args=[999999])).status_code == 404
    assert client.get(reverse("place_edit", args=[999999])).status_code == 404


def test_campaign_list_shows_period_department_current_and_activity_count(
    client, people, campaign, make_activity
):
    make_activity(title="一")
    make_activity(title="二")
    services.create_campaign(
        by=None, name="2022年主题教育", starts_on=dt.date(2022, 3, 1), ends_on=dt.date(2022, 12, 31)
    )
    login(client, people["bob"])
    html = client.get(reverse("campaign_list")).content.decode()
    assert "2021-02-20" in html and "2021-12-31" in html and "党群工作部" in html
    assert html.count("data-current") == 1
    row = re.search(rf'data-campaign="{campaign.pk}".*?</tr>', html, re.S).group(0)
    assert "data-current" in row
    count = re.search(rf'data-activities="{campaign.pk}"><a [^>]*>(\d+)<', html).group(1)
    assert count == "2"


def test_an_empty_campaign_list_says_so_in_chinese(client, people):
    login(client, people["alice"])
    assert "还没有党史学习教育" in client.get(reverse("campaign_list")).content.decode()


# ---------------------------------------------------------------- places through the pages


def test_a_secretary_creates_and_edits_a_place(client, people):
    login(client, people["bob"])
    response = client.post(reverse("place_create"), place_data(is_red_resource="on"))
    assert response.status_code == 302
    place = Place.objects.get(name="张园")
    assert place.is_red_resource
    assert AuditEntry.objects.get(action="campaigns.place.created").actor == people["bob"]

    edit = reverse("place_edit", args=[place.pk])
    assert "天津市和平区鞍山道59号" in client.get(edit).content.decode()
    response = client.post(edit, place_data(description="  张园，1916年建成。 "))
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.description == "张园，1916年建成。"
    assert not place.is_red_resource  # an unticked box clears the mark
    entry = AuditEntry.objects.get(action="campaigns.place.updated")
    assert entry.actor == people["bob"]
    assert entry.details["changed"] == {
        "is_red_resource": [True, False],
        "description": ["", "张园，1916年建成。"],
    }


def test_a_duplicate_or_missing_place_name_is_refused_and_nothing_is_written(client, people, place):
    other = services.create_place(by=None, name="张园")
    login(client, people["alice"])
    before = AuditEntry.objects.count()
    taken = client.post(reverse("place_edit", args=[other.pk]), place_data(name="平津战役纪念馆"))
    assert taken.status_code == 400
    assert error_on(taken.content.decode(), "name") == "地点名称：已有同名的活动地点"
    created = client.post(reverse("place_create"), place_data(name="平津战役纪念馆"))
    assert created.status_code == 400
    assert "已有同名的活动地点" in error_on(created.content.decode(), "name")
    blank = client.post(reverse("place_edit", args=[other.pk]), place_data(name="   "))
    assert blank.status_code == 400
    assert error_on(blank.content.decode(), "name")
    other.refresh_from_db()
    assert other.name == "张园" and other.address == ""
    assert Place.objects.count() == 2
    assert AuditEntry.objects.count() == before


def test_place_list_searches_name_and_address_and_filters_red_resources(client, people, place):
    services.create_place(by=None, name="张园", address="和平区鞍山道", is_red_resource=True)
    services.create_place(by=None, name="中新生态城图书馆", address="生态城和畅路")
    login(client, people["bob"])
    url = reverse("place_list")

    def names(**params) -> set[str]:
        html = client.get(url, params).content.decode()
        return set(re.findall(r'data-place="\d+">\s*<td>([^<\s]+)', html))

    assert names() == {"张园", "平津战役纪念馆", "中新生态城图书馆"}
    assert names(q="鞍山道") == {"张园"}
    assert names(q="生态城") == {"中新生态城图书馆"}
    assert names(q="纪念") == {"平津战役纪念馆"}
    assert names(red="1") == {"张园"}
    assert names(red="0") == {"平津战役纪念馆", "中新生态城图书馆"}
    assert names(q="图书馆", red="1") == set()
    assert "没有符合条件的地点" in client.get(url, {"q": "不存在"}).content.decode()


def test_place_list_shows_activity_counts_and_edit_links_to_managers_only(
    client, people, district, make_activity, place
):
    make_activity(place=place)
    make_activity(place=place)
    login(client, people["bob"])
    html = client.get(reverse("place_list")).content.decode()
    assert re.search(rf'data-activities="{place.pk}">2<', html)
    assert reverse("place_edit", args=[place.pk]) in html
    login(client, people["dora"])  # a department officer views but does not manage
    html = client.get(reverse("place_list")).content.decode()
    assert "平津战役纪念馆" in html
    assert reverse("place_edit", args=[place.pk]) not in html
    assert client.get(reverse("place_create")).status_code == 403
    assert client.post(reverse("place_create"), place_data()).status_code == 403
    assert not Place.objects.filter(name="张园").exists()


def test_a_member_without_the_view_right_sees_neither_list(client, people):
    login(client, people["erin"])
    assert client.get(reverse("campaign_list")).status_code == 403
    assert client.get(reverse("place_list")).status_code == 403


# ---------------------------------------------------------------- menu and query counts


def test_menu_links_to_both_lists_for_viewers_only(client, people):
    login(client, people["bob"])
    html = client.get(reverse("activity_list")).content.decode()
    assert f'href="{reverse("campaign_list")}">学习教育<' in html
    assert f'href="{reverse("place_list")}">活动地点<' in html
    login(client, people["erin"])
    html = client.get(reverse("activity_list")).content.decode()
    assert reverse("campaign_list") not in html and reverse("place_list") not in html


def test_list_queries_do_not_grow_with_rows(client, people, district, settings):
    settings.PAGE_SIZE = 50

    def add(first: int, last: int) -> None:
        for i in range(first, last):
            services.create_campaign(
                by=None,
                name=f"第{i}期学习教育",
                starts_on=dt.date(2021, 1, 1),
                ends_on=dt.date(2021, 12, 31),
                department=district.department,
            )
            services.create_place(by=None, name=f"第{i}号地点", is_red_resource=i % 2 == 0)

    login(client, people["alice"])
    add(0, 5)
    small = [count_queries(client, reverse(n)) for n in ("campaign_list", "place_list")]
    add(5, 30)
    html = client.get(reverse("campaign_list")).content.decode()
    assert html.count("data-campaign=") == 30
    html = client.get(reverse("place_list")).content.decode()
    assert html.count("data-place=") == 30
    large = [count_queries(client, reverse(n)) for n in ("campaign_list", "place_list")]
    assert large == small


# ---------------------------------------------------------------- the services directly


def test_update_campaign_refuses_fields_it_does_not_own(campaign):
    with pytest.raises(DomainError) as refused:
        services.update_campaign(campaign, by=None, is_current=False)
    assert refused.value.code == "field_invalid"
    campaign.refresh_from_db()
    assert campaign.is_current


def test_saving_unchanged_values_writes_no_audit_entry(campaign, place):
    before = AuditEntry.objects.count()
    services.update_campaign(campaign, by=None, name=f" {campaign.name} ")
    services.update_place(place, by=None, address=place.address)
    assert AuditEntry.objects.count() == before


def test_update_campaign_checks_the_period_against_the_stored_start(campaign):
    with pytest.raises(DomainError) as refused:
        services.update_campaign(campaign, by=None, ends_on=dt.date(2021, 1, 1))
    assert (refused.value.field, refused.value.message) == ("ends_on", "结束日期不能早于开始日期")
