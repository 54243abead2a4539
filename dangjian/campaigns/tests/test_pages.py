"""The activity pages: rendering and scope, registration, roll call, the create form, constant
query counts, and coverage numbers the test counts from its own fixture."""

import datetime as dt
import re
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.campaigns import services
from dangjian.campaigns.models import Activity, ActivityType, CheckIn, Registration
from dangjian.core.testing import add_members
from dangjian.orgs.models import Member

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def login(client, user):
    client.logout()
    client.force_login(user)
    return client


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.fixture
def now_activity(make_activity):
    """Bob's branch's activity that began ten minutes ago: roll call is open."""
    starts_at = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=10)
    return make_activity(starts_at=starts_at, title="正在进行的宣讲")


# ---------------------------------------------------------------- rendering and scope


def test_every_page_renders_for_the_operator(client, people, make_activity):
    activity = make_activity(title="党史专题宣讲会")
    login(client, people["alice"])
    for name, args in [
        ("activity_list", []),
        ("activity_create", []),
        ("coverage_matrix", []),
        ("my_activities", []),
        ("activity_detail", [activity.pk]),
        ("activity_edit", [activity.pk]),
        ("activity_cancel", [activity.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    assert "党史专题宣讲会" in client.get(reverse("activity_list")).content.decode()


def test_an_outsider_gets_404_for_the_branch_activity(client, people, make_activity):
    activity = make_activity()
    login(client, people["charlie"])
    for name in ["activity_detail", "activity_edit", "activity_cancel"]:
        assert client.get(reverse(name, args=[activity.pk])).status_code == 404, name
    assert client.post(reverse("activity_open", args=[activity.pk])).status_code == 404
    listing = client.get(reverse("activity_list")).content.decode()
    assert activity.title not in listing


def test_list_filters_by_phase(client, people, make_activity):
    make_activity(title="明天的活动")
    past = timezone.now() - dt.timedelta(days=3)
    make_activity(title="上周的活动", open=False, starts_at=past)
    login(client, people["alice"])
    upcoming = client.get(reverse("activity_list"), {"phase": "upcoming"}).content.decode()
    finished = client.get(reverse("activity_list"), {"phase": "finished"}).content.decode()
    assert "明天的活动" in upcoming and "上周的活动" not in upcoming
    assert "上周的活动" in finished and "明天的活动" not in finished


# ---------------------------------------------------------------- registration by a member


def test_erin_registers_and_cancels_through_the_page(client, people, make_activity):
    activity = make_activity(capacity=5)
    login(client, people["erin"])
    detail = reverse("activity_detail", args=[activity.pk])
    assert "报名" in client.get(detail).content.decode()

    response = client.post(reverse("activity_register", args=[activity.pk]))
    assert response.status_code == 302
    registration = Registration.objects.get(activity=activity, member__user=people["erin"])
    assert registration.status == Registration.Status.REGISTERED
    assert "已报名" in client.get(detail).content.decode()

    response = client.post(reverse("activity_unregister", args=[activity.pk]))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    page = client.get(detail).content.decode()
    assert reverse("activity_unregister", args=[activity.pk]) not in page
    assert reverse("activity_register", args=[activity.pk]) in page


def test_a_full_activity_puts_erin_on_the_waiting_list(client, people, make_activity, members):
    activity = make_activity(capacity=1)
    services.register(activity, members[0], by=None)
    login(client, people["erin"])
    client.post(reverse("activity_register", args=[activity.pk]))
    page = client.get(reverse("activity_detail", args=[activity.pk])).content.decode()
    assert "候补第1位" in page


def test_erin_registers_from_her_own_page(client, people, make_activity):
    activity = make_activity(title="支部主题党日")
    login(client, people["erin"])
    mine = reverse("my_activities")
    assert "支部主题党日" in client.get(mine).content.decode()
    response = client.post(reverse("activity_register", args=[activity.pk]), {"next": "mine"})
    assert response.url == mine
    assert Registration.objects.filter(activity=activity, status="registered").count() == 1


# ---------------------------------------------------------------- roll call


def test_bob_ticks_a_member_and_a_second_tick_shows_the_first_time(
    client, people, now_activity, district
):
    member = add_members(district, 1)[0]  # branches[0]: bob's branch
    login(client, people["bob"])
    url = reverse("activity_check_in", args=[now_activity.pk])
    page = client.get(reverse("activity_detail", args=[now_activity.pk])).content.decode()
    assert member.name in page and "点名签到" in page

    first = client.post(url, {"member": member.pk}, follow=True)
    assert first.status_code == 200
    assert "签到成功" in first.content.decode()
    check_in = CheckIn.objects.get(activity=now_activity, member=member)
    assert check_in.method == CheckIn.Method.ROLL_CALL and check_in.by == people["bob"]
    first_time = timezone.localtime(check_in.at).strftime("%m-%d %H:%M")

    second = client.post(url, {"member": member.pk}, follow=True).content.decode()
    assert f"已签到（签到时间 {first_time}）" in second
    assert CheckIn.objects.filter(activity=now_activity).count() == 1


def test_a_tick_for_a_cancelled_activity_is_refused_and_writes_nothing(
    client, people, now_activity, district
):
    member = add_members(district, 1)[0]
    services.cancel_activity(now_activity, by=None, reason="天气原因")
    login(client, people["bob"])
    response = client.post(
        reverse("activity_check_in", args=[now_activity.pk]), {"member": member.pk}
    )
    assert response.status_code == 400
    assert "活动已取消" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_walk_ins_are_recorded_and_shown_separately(client, people, now_activity):
    login(client, people["bob"])
    response = client.post(reverse("activity_walk_ins", args=[now_activity.pk]), {"walk_ins": 23})
    assert response.status_code == 302
    page = client.get(reverse("activity_detail", args=[now_activity.pk])).content.decode()
    assert re.search(r'data-attendance="walk_ins">23<', page)
    assert re.search(r'data-attendance="people">0<', page)


# ---------------------------------------------------------------- editing


def _activity_form(district, campaign, **overrides):
    return {
        "campaign": campaign.pk,
        "type": ActivityType.objects.get(code="lecture").pk,
        "title": "党史学习专题讲座",
        "starts_at": "2031-03-11T09:00",
        "ends_at": "2031-03-11T11:00",
        "capacity": "",
        "organizers": [district.branches[0].pk],
        "target_sectors": [],
        "description": "",
        **overrides,
    }


def test_create_form_refuses_bad_input_on_the_field(client, people, district, campaign):
    login(client, people["bob"])
    url = reverse("activity_create")
    data = _activity_form(district, campaign, ends_at="2031-03-11T08:00")
    response = client.post(url, data)
    assert response.status_code == 400
    assert re.search(
        r'data-error-for="ends_at">[^<]*结束时间必须晚于开始时间', response.content.decode()
    )

    outside = _activity_form(district, campaign, organizers=[district.other_root.pk])
    response = client.post(url, outside)
    assert response.status_code == 400
    assert 'data-error-for="organizers"' in response.content.decode()
    assert not Activity.objects.exists()

    response = client.post(url, _activity_form(district, campaign))
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert response.url == reverse("activity_detail", args=[activity.pk])
    assert list(activity.organizers.all()) == [district.branches[0]]


def test_cancel_needs_a_reason_and_open_opens(client, people, make_activity):
    activity = make_activity(open=False)
    login(client, people["bob"])
    response = client.post(reverse("activity_open", args=[activity.pk]))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == Activity.Status.OPEN
    url = reverse("activity_cancel", args=[activity.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "请填写取消原因" in response.content.decode()
    assert client.post(url, {"reason": "场地调整"}).status_code == 302
    activity.refresh_from_db()
    assert (activity.status, activity.cancel_reason) == ("cancelled", "场地调整")


# ---------------------------------------------------------------- query counts


def _add_activities(make_activity, members, count):
    for i in range(count):
        starts_at = dt.datetime(2021, 3 + i % 6, 1 + i % 28, 9, tzinfo=SHANGHAI)
        activity = make_activity(open=False, title=f"活动{i}", starts_at=starts_at)
        for member in members[i % 4 :: 3][:4]:
            services.check_in(activity, member, method="roll_call", by=None, at=starts_at)


def test_list_and_coverage_keep_a_constant_query_count(client, people, make_activity, members):
    login(client, people["alice"])
    urls = [reverse("activity_list"), reverse("coverage_matrix")]
    _add_activities(make_activity, members, 5)
    at_5 = [count_queries(client, url) for url in urls]
    _add_activities(make_activity, members, 45)
    at_50 = [count_queries(client, url) for url in urls]
    assert at_5 == at_50


def test_detail_keeps_a_constant_query_count_with_many_check_ins(
    client, people, district, now_activity
):
    login(client, people["bob"])
    url = reverse("activity_detail", args=[now_activity.pk])

    def attend(count):
        for member in add_members(district, count * 4)[::4]:  # every 4th is in bob's branch
            services.register(now_activity, member, by=None)
            services.check_in(now_activity, member, method="roll_call", by=None)

    attend(5)
    at_5 = count_queries(client, url)
    attend(45)
    at_50 = count_queries(client, url)
    assert at_5 == at_50
    assert re.search(r'data-attendance="people">50<', client.get(url).content.decode())


def test_the_roll_call_pages_by_50_and_finds_by_name_or_who_is_missing(
    client, people, district, now_activity
):
    branch = district.branches[0]
    added = [m for m in add_members(district, 4 * 60) if m.organization_id == branch.pk]
    on_roll = Member.objects.active().filter(organization=branch).count()  # erin too
    login(client, people["bob"])
    url = reverse("activity_detail", args=[now_activity.pk])

    first = client.get(url).content.decode()
    assert first.count('name="member"') == 50
    assert f"共 {on_roll} 人，已签到 0 人" in first
    assert "roll_page=2" in first
    second = client.get(url, {"roll_page": 2}).content.decode()
    assert second.count('name="member"') == on_roll - 50

    target = added[37]
    found = client.get(url, {"q": target.name}).content.decode()
    assert f'value="{target.pk}"' in found
    assert (
        found.count('name="member"')
        == Member.objects.filter(organization=branch, name__contains=target.name).count()
    )

    ticked = client.post(
        reverse("activity_check_in", args=[now_activity.pk]),
        {"member": target.pk, "q": target.name, "roll_page": "1"},
    )
    assert ticked.status_code == 302 and f"q={target.name}" in unquote(ticked.url)
    pending = client.get(url, {"pending": "1"}).content.decode()
    assert f'value="{target.pk}"' not in pending
    assert "已签到 1 人" in pending
    assert "没有符合条件的党员" in client.get(url, {"q": "查无此人"}).content.decode()


def test_a_tick_for_someone_outside_the_roll_call_is_refused(
    client, people, district, now_activity
):
    outsider = [m for m in add_members(district, 2) if m.organization_id != district.branches[0].pk]
    login(client, people["bob"])
    url = reverse("activity_check_in", args=[now_activity.pk])
    for value in (outsider[0].pk, "abc", str(2**70)):
        response = client.post(url, {"member": value})
        assert response.status_code == 400
        assert "请选择点名名单中的党员" in response.content.decode()
    assert not CheckIn.objects.exists()


# ---------------------------------------------------------------- coverage adds up


def test_coverage_shows_what_the_fixture_created(client, people, district, make_activity):
    """The government cell for March 2021 counts activities with a government attendee and the
    distinct government members who attended, as this test recorded them."""
    members = add_members(district, 16)  # four per branch; branches[0] is government
    government = {m.pk for m in members if m.organization_id == district.branches[0].pk}
    activities_with_government, government_people = set(), set()
    for i in range(6):
        starts_at = dt.datetime(2021, 3, 2 + i, 9, tzinfo=SHANGHAI)
        activity = make_activity(open=False, title=f"三月活动{i}", starts_at=starts_at)
        for member in members[i : i + 3]:
            services.check_in(activity, member, method="roll_call", by=None, at=starts_at)
            if member.pk in government:
                activities_with_government.add(activity.pk)
                government_people.add(member.pk)
    assert activities_with_government  # the fixture reaches the government sector

    login(client, people["alice"])
    page = client.get(reverse("coverage_matrix")).content.decode()
    # months from the campaign's start (2021-02): March is the second column.
    cell = re.search(r'data-cell="government-2">([^<]*)<', page).group(1)
    assert cell == f"{len(activities_with_government)} / {len(government_people)}"
    assert re.search(r'class="coverage-empty" data-cell="government-3">—<', page)


def test_coverage_totals_and_organizations_count_each_person_once(
    client, people, district, make_activity
):
    """Two March activities and one in May: the sector total counts a member who came twice
    once; the organizations table shows each branch's own numbers; a cancelled activity's
    attendance counts nowhere."""
    members = add_members(district, 8)  # two per branch
    gov = [m for m in members if m.organization_id == district.branches[0].pk]
    other = [m for m in members if m.organization_id == district.branches[1].pk]
    days = [
        dt.datetime(2021, 3, 2, 9, tzinfo=SHANGHAI),
        dt.datetime(2021, 3, 9, 9, tzinfo=SHANGHAI),
    ]
    days.append(dt.datetime(2021, 5, 6, 9, tzinfo=SHANGHAI))
    held = [make_activity(open=False, title=f"活动{i}", starts_at=d) for i, d in enumerate(days)]
    for activity in held:  # gov[0] at all three, gov[1] only at the first
        services.check_in(activity, gov[0], method="roll_call", by=None, at=activity.starts_at)
    services.check_in(held[0], gov[1], method="roll_call", by=None, at=held[0].starts_at)
    services.check_in(held[1], other[0], method="roll_call", by=None, at=held[1].starts_at)
    services.record_walk_ins(held[2], 7, by=None)
    cancelled = make_activity(open=False, title="取消的活动", starts_at=days[0])
    services.check_in(cancelled, other[1], method="roll_call", by=None, at=days[0])
    services.cancel_activity(cancelled, by=None, reason="改期")

    page = login(client, people["alice"]).get(reverse("coverage_matrix")).content.decode()

    def number(attr):
        return re.search(rf'data-total="{attr}">(\d+)<', page).group(1)

    assert [number(a) for a in ("activities", "people", "organizations", "walk_ins")] == [
        "3",
        "3",
        "2",
        "7",
    ]
    gov_code = district.branches[0].sector.code
    total = re.search(rf'data-sector-total="{gov_code}">([^<]*)<', page).group(1)
    assert total == "3 / 2"  # three activities, two people (gov[0] came three times)
    gov_row = re.search(
        rf'data-organization="{district.branches[0].pk}">(.*?)</tr>', page, re.S
    ).group(1)
    cells = re.findall(r'class="text-end[^"]*">([^<]*)<', gov_row)
    roster = Member.objects.active().filter(organization=district.branches[0]).count()
    assert cells[:3] == ["3", "2", str(roster)]
    other_row = re.search(
        rf'data-organization="{district.branches[1].pk}">(.*?)</tr>', page, re.S
    ).group(1)
    assert re.findall(r'class="text-end[^"]*">([^<]*)<', other_row)[:2] == ["1", "1"]
