"""The demo activities: the article's counts, computed here from CheckIn rows directly."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from dangjian.campaigns.models import Activity, Campaign, CheckIn, Registration
from dangjian.orgs.models import Sector

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def demo(tmp_path):
    out = StringIO()
    call_command("load_demo", logins_file=str(tmp_path / "l.txt"), stdout=out)
    return out.getvalue()


def _attendees(title_contains: str):
    activity = Activity.objects.get(title__contains=title_contains)
    return CheckIn.objects.filter(activity=activity)


def test_the_campaign_is_current_and_led_by_the_party_masses_department(demo):
    campaign = Campaign.objects.get(is_current=True)
    assert campaign.name == "2021年党史学习教育"
    assert campaign.department.short_name == "党群部"
    assert (campaign.starts_on, campaign.ends_on) == (dt.date(2021, 2, 20), dt.date(2021, 12, 31))
    assert "演示活动已就绪：活动" in demo


def test_the_launch_had_108_organizations_and_586_people(demo):
    launch = Activity.objects.get(title__contains="猜灯谜、学党史")
    assert launch.starts_at.astimezone(TZ).date() == dt.date(2021, 2, 24)
    assert launch.organizers.get().parent is None
    check_ins = CheckIn.objects.filter(activity=launch)
    assert check_ins.values("member__organization").distinct().count() == 108
    assert check_ins.values("member").distinct().count() == 586
    assert check_ins.count() == 586
    assert all(c.method == "roll_call" and launch.check_in_open(c.at) for c in check_ins)


def test_the_training_had_85_people_all_from_two_new_organizations(demo):
    check_ins = _attendees("集中教育培训")
    assert check_ins.count() == 85
    assert 80 <= check_ins.values("member").distinct().count() <= 89
    assert not check_ins.exclude(member__organization__is_two_new=True).exists()
    assert check_ins.filter(activity__type__code="training_day").count() == 85


def test_the_zhangyuan_visit_was_by_government_cadres(demo):
    visit = Activity.objects.get(place__name="张园")
    assert visit.place.is_red_resource
    assert visit.starts_at.astimezone(TZ).date() == dt.date(2021, 3, 3)
    check_ins = CheckIn.objects.filter(activity=visit)
    assert 40 <= check_ins.count() <= 60
    assert not check_ins.exclude(member__organization__sector__code="government").exists()


def test_the_articles_dated_activities_exist(demo):
    dates = {
        a.type.code: a.starts_at.astimezone(TZ).date()
        for a in Activity.objects.filter(starts_at__lt=dt.datetime(2021, 3, 18, tzinfo=TZ))
        .exclude(type__code="party_day")
        .select_related("type")
    }
    assert dates["leadership_study"] == dt.date(2021, 3, 11)
    assert dates["group_discussion"] == dt.date(2021, 3, 13)
    assert dates["lecture"] == dt.date(2021, 3, 15)
    assert "enterprise_tea" in dates
    tech = Activity.objects.get(title__contains="天津中科生物科技有限公司")
    assert tech.organizers.get().name == "科技创新局党支部"
    hr = Activity.objects.get(
        organizers__name="人力资源和社会保障局党支部",
        type__code="party_day",
        starts_at__date=dt.date(2021, 3, 17),
    )
    assert CheckIn.objects.filter(activity=hr).exists()


def test_every_sector_has_an_attended_activity_in_march_2021(demo):
    march = CheckIn.objects.filter(
        activity__starts_at__gte=dt.datetime(2021, 3, 1, tzinfo=TZ),
        activity__starts_at__lt=dt.datetime(2021, 4, 1, tzinfo=TZ),
    )
    for sector in Sector.objects.all():
        assert march.filter(member__organization__sector=sector).exists(), sector.name
    assert Sector.objects.count() == 6
    later = CheckIn.objects.filter(activity__starts_at__gte=dt.datetime(2021, 4, 1, tzinfo=TZ))
    assert later.values("activity").distinct().count() >= 20


def test_loading_twice_adds_nothing(demo, tmp_path):
    def counts():
        return (Activity.objects.count(), Registration.objects.count(), CheckIn.objects.count())

    before = counts()
    assert before[0] > 100 and before[2] > 2000
    call_command("load_demo", logins_file=str(tmp_path / "l.txt"), stdout=StringIO())
    assert counts() == before


def test_pages_show_the_launch_counts_and_all_six_sectors_active_in_march(demo, client):
    import re

    from django.urls import reverse

    from dangjian.accounts.models import User

    client.force_login(User.objects.get(username="operator"))
    launch = Activity.objects.get(title__contains="猜灯谜、学党史")
    page = client.get(reverse("activity_detail", args=[launch.pk])).content.decode()
    assert re.search(r'data-attendance="people">\s*586\s*<', page)
    assert re.search(r'data-attendance="organizations">\s*108\s*<', page)
    matrix = client.get(reverse("coverage_matrix")).content.decode()
    march = 2  # February 2021 is the first month of the campaign
    for sector in Sector.objects.all():
        cell = re.search(rf'data-cell="{sector.code}-{march}">([^<]*)<', matrix)
        assert cell and cell.group(1).strip() not in ("", "—"), sector.name
