"""A small district with activities, deeds and service requests whose figures are counted by
hand in the comments below; the dashboard's tests compare against those literals.

Organizations (6): the root, four branches (b0 government = bob's and the 党群工作部's, so
dora's; b1 enterprise; b2 community; b3 school), and charlie's 外区党委 (no sector).
Active members (11): b0 erin + m1 m2 m3; b1 n1 n2; b2 c1 c2; b3 s1; 外区 o1 o2.

Activities of the 2021 campaign (period asked for: 2021-03-01 to 2021-05-31):
  A1 b0, 3月3日:  m1 m2 m3 n1
  A2 root, 3月10日: m1 m2 n1 n2 c1
  A5 外区, 4月1日: o1 o2
  A3 b1, 5月8日:  n1 c1 c2
  A4 b0, 5月20日: m1, then cancelled (never counted)
  A6 b0, 6月15日: m1 (after the period)
Operator: 4 activities, 9 people, 14 check-ins, 3 sectors (外区 has none).
bob and dora (b0): A1 only: 1 activity, m1 m2 m3 = 3 people, 3 check-ins, 1 sector.
charlie (外区): A5: 1 activity, 2 people, 2 check-ins, 0 sectors.

Deeds (the ledger today): D = 党群工作部 (b0's department), E = 建设局 (no organization).
  d1 D committed, due in 30 days      d2 D committed, 10 days overdue
  d3 E with D's part, closed (fixed)  d4 E committed, due in 30 days
  d5 D proposed (not on the list)
Operator: 4 committed, 1 closed, 1 overdue. D (bob, dora): d1 d2 d3: 3, 1, 1. charlie: 0.

Service requests first dispatched in the period: r1 D 停车 in time, resolved, 满意;
r2 D 停车 late, explained, 不满意; r3 E 企业政策 in time, in hand. r4 D after the period.
Operator: response 2/3, resolution 1/2, satisfaction 1/2. D: 1/2, 1/2, 1/2. charlie: none."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dangjian.campaigns import services as campaigns
from dangjian.campaigns.models import ActivityType, CheckIn
from dangjian.core.testing import member_data
from dangjian.deeds import services as deeds
from dangjian.deeds.models import Deed, RequestCategory, ServiceRequest
from dangjian.orgs import services as orgs

TZ = ZoneInfo("Asia/Shanghai")
PERIOD = {"start": "2021-03-01", "end": "2021-05-31"}


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2021, month, day, hour, tzinfo=TZ)


@pytest.fixture
def campaign(district):
    return campaigns.create_campaign(
        by=None,
        name="2021年党史学习教育",
        starts_on=dt.date(2021, 2, 20),
        ends_on=dt.date(2021, 12, 31),
        is_current=True,
    )


@pytest.fixture
def add_activity(campaign):
    """add_activity(organizer, starts_at, attendees): an activity held with its check-ins."""

    def add(organizer, starts_at, attendees, *, title="党史专题宣讲"):
        activity = campaigns.create_activity(
            by=None,
            campaign=campaign,
            type=ActivityType.objects.get(code="lecture"),
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=2),
            organizers=[organizer],
        )
        for member in attendees:
            campaigns.check_in(
                activity, member, method=CheckIn.Method.ROLL_CALL, by=None, at=starts_at
            )
        return activity

    return add


@pytest.fixture
def world(district, people, add_activity):
    b0, b1, b2, b3 = district.branches
    rng = district.rng

    def members(org, count):
        return [
            orgs.create_member(by=None, organization=org, **member_data(rng)) for _ in range(count)
        ]

    m1, m2, m3 = members(b0, 3)
    n1, n2 = members(b1, 2)
    c1, c2 = members(b2, 2)
    members(b3, 1)
    o1, o2 = members(district.other_root, 2)

    add_activity(b0, at(3, 3), [m1, m2, m3, n1], title="走进机关：党史宣讲")
    add_activity(district.root, at(3, 10), [m1, m2, n1, n2, c1], title="启动仪式")
    add_activity(district.other_root, at(4, 1), [o1, o2], title="外区活动")
    add_activity(b1, at(5, 8), [n1, c1, c2], title="企业党课")
    cancelled = add_activity(b0, at(5, 20), [m1], title="取消的活动")
    campaigns.cancel_activity(cancelled, by=None, reason="天气原因")
    add_activity(b0, at(6, 15), [m1], title="六月的活动")

    d, e = district.department, orgs.create_department(by=None, name="建设局")
    _deeds(d, e)
    _requests(d, e)
    return {"D": d, "E": e}


def _deeds(d, e):
    from django.utils import timezone

    today = timezone.localdate()

    def deed(title, owner, deadline_days, *, commit=True, co=()):
        made = deeds.create_deed(
            by=None,
            title=title,
            source=Deed.Source.RESEARCH,
            owner=owner,
            deadline=today + dt.timedelta(days=deadline_days),
            co_departments=[(c, "协办") for c in co],
        )
        return deeds.commit_deed(made, by=None) if commit else made

    deed("d1 雅境园停车", d, 30)
    deed("d2 逾期项目", d, -10)
    d3 = deed("d3 共建项目", e, 30, co=[d])
    d3 = deeds.submit_close_out(d3, by=None, evidence="已完成施工")
    deeds.review_close_out(d3, by=None, outcome=Deed.Outcome.FIXED)
    deed("d4 建设局项目", e, 30)
    deed("d5 拟办项目", d, 30, commit=False)


def _requests(d, e):
    parking = RequestCategory.objects.create(name="停车", department=d, position=1)
    policy = RequestCategory.objects.create(name="企业政策", department=e, position=2)
    S, OUT, RATING = ServiceRequest.Status, ServiceRequest.Outcome, ServiceRequest.Rating

    def request(number, category, department, dispatched, responded_after_hours, **fields):
        ServiceRequest.objects.create(
            tracking_number=f"T2021{number:04d}",
            category=category,
            department=department,
            original_text="诉求",
            text="诉求",
            phone="13912345678",
            first_dispatched_at=dispatched,
            dispatched_at=dispatched,
            respond_by=dispatched + dt.timedelta(hours=24),
            responded_at=dispatched + dt.timedelta(hours=responded_after_hours),
            **fields,
        )

    request(
        1, parking, d, at(4, 6), 2, status=S.CLOSED, outcome=OUT.RESOLVED, rating=RATING.SATISFIED
    )
    request(
        2,
        parking,
        d,
        at(4, 7),
        30,
        status=S.CLOSED,
        outcome=OUT.EXPLAINED,
        rating=RATING.UNSATISFIED,
    )
    request(3, policy, e, at(5, 10), 3, status=S.ACCEPTED)
    request(4, parking, d, at(7, 1), 1, status=S.ACCEPTED)
