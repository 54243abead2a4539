import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.campaigns import queries, services
from dangjian.campaigns.models import Activity, CheckIn
from dangjian.orgs.models import Sector

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH, APRIL, MAY = dt.date(2021, 3, 1), dt.date(2021, 4, 1), dt.date(2021, 5, 1)


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2021, month, day, hour, minute, tzinfo=SHANGHAI)


def attend(activity, members):
    for member in members:
        services.check_in(
            activity, member, method=CheckIn.Method.ROLL_CALL, by=None, at=activity.starts_at
        )


def by_branch(district, members, index):
    return [m for m in members if m.organization_id == district.branches[index].pk]


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_attendance_counts_people_and_organizations_from_who_attended(
    make_activity, district, members
):
    activity = make_activity(capacity=20)
    services.register(activity, members[11], by=None)  # registered, never came
    attend(activity, members[:6])  # members alternate over the four branches
    attend(activity, members[:2])  # ticked twice: still one person each
    services.record_walk_ins(activity, 20, by=None)
    result = queries.attendance(activity)
    assert (result.people, result.organizations, result.walk_ins) == (6, 4, 20)
    assert result.total == 26


def test_attendance_of_an_activity_nobody_attended_is_zero(make_activity):
    assert queries.attendance(make_activity()) == queries.Attendance(0, 0, 0)


def test_attendance_by_activity_keeps_activities_apart(make_activity, district, members):
    first, second = make_activity(title="一"), make_activity(title="二")
    attend(first, members[:3])
    attend(second, by_branch(district, members, 0))
    result = queries.attendance_by_activity(Activity.objects.all())
    assert result[first.pk] == queries.Attendance(3, 3, 0)
    assert result[second.pk] == queries.Attendance(3, 1, 0)


def add_activities(make_activity, members, count, month=3):
    for i in range(count):
        activity = make_activity(
            open=False, title=f"活动{i}", starts_at=at(month, 1 + i % 28, 8 + i % 10)
        )
        attend(activity, members[i % 4 :: 3][:4])


def test_attendance_queries_are_constant_at_5_and_50_activities(make_activity, members):
    def run():
        list(queries.with_attendance(Activity.objects.all()))
        queries.attendance_by_activity(Activity.objects.all())

    add_activities(make_activity, members, 5)
    at_5 = count_queries(run)
    add_activities(make_activity, members, 45)
    assert len(queries.attendance_by_activity(Activity.objects.all())) == 50
    assert count_queries(run) == at_5 == 2


def test_coverage_queries_are_constant_at_5_and_50_activities(make_activity, members):
    def run():
        queries.coverage_matrix(Activity.objects.all())

    add_activities(make_activity, members, 5)
    at_5 = count_queries(run)
    add_activities(make_activity, members, 45, month=4)
    assert count_queries(run) == at_5 == 3  # cells, per-sector totals, sectors


def test_coverage_matrix_counts_activities_and_people_per_sector_and_month(
    make_activity, district, members
):
    gov, ent = by_branch(district, members, 0), by_branch(district, members, 1)
    march_1 = make_activity(open=False, starts_at=at(3, 3))
    march_2 = make_activity(open=False, starts_at=at(3, 15))
    april = make_activity(open=False, starts_at=at(4, 8))
    attend(march_1, gov + ent[:1])
    attend(march_2, gov[:1])
    attend(april, ent)
    matrix = queries.coverage_matrix(Activity.objects.all())
    assert matrix.months == [MARCH, APRIL]
    assert [sector.code for sector, _ in matrix.rows] == list(
        Sector.objects.values_list("code", flat=True)
    )
    assert len(matrix.rows) == 6
    assert matrix.cell("government", MARCH) == queries.Cell(activities=2, people=len(gov))
    assert matrix.cell("enterprise", MARCH) == queries.Cell(activities=1, people=1)
    assert matrix.cell("enterprise", APRIL) == queries.Cell(activities=1, people=len(ent))
    assert matrix.cell("government", APRIL).empty
    assert matrix.cell("hospital", MARCH) == queries.Cell(0, 0)


def test_coverage_matrix_shows_requested_empty_months(make_activity, district, members):
    attend(make_activity(open=False, starts_at=at(3, 3)), members[:4])
    months = queries.months_between(MARCH, MAY)
    matrix = queries.coverage_matrix(Activity.objects.all(), months)
    assert matrix.months == [MARCH, APRIL, MAY]
    assert all(cells[1].empty and cells[2].empty for _, cells in matrix.rows)
    assert sum(cells[0].people for _, cells in matrix.rows) == 4


def test_coverage_month_follows_local_time(make_activity, district, members):
    # 23:30 on 31 March in Shanghai is still March; 00:30 on 1 April is April (16:30 UTC 31 March).
    late = make_activity(open=False, starts_at=at(3, 31, 23, 30))
    early = make_activity(open=False, starts_at=at(4, 1, 0, 30))
    attend(late, members[:1])
    attend(early, members[1:2])
    matrix = queries.coverage_matrix(Activity.objects.all())
    sector_of = {m.pk: m.organization.sector.code for m in members[:2]}
    assert matrix.cell(sector_of[members[0].pk], MARCH).people == 1
    assert matrix.cell(sector_of[members[1].pk], APRIL).people == 1
    assert matrix.months == [MARCH, APRIL]


def test_coverage_leaves_out_cancelled_activities(make_activity, members):
    activity = make_activity(open=False, starts_at=at(3, 3))
    attend(activity, members[:4])
    services.cancel_activity(activity, by=None, reason="改期")
    matrix = queries.coverage_matrix(Activity.objects.all(), [MARCH])
    assert all(cells[0].empty for _, cells in matrix.rows)


def test_coverage_counts_only_the_given_activities(make_activity, district, members):
    mine = make_activity(open=False, starts_at=at(3, 3), organizers=[district.branches[0]])
    other = make_activity(open=False, starts_at=at(3, 4), organizers=[district.branches[1]])
    attend(mine, members[:1])
    attend(other, members[:8])
    scoped = Activity.objects.filter(organizers=district.branches[0])
    total = sum(cells[0].people for _, cells in queries.coverage_matrix(scoped).rows)
    assert total == 1
