"""Deadlines in working days (core/calendar.py) with China's official 2021 holiday table (loaded
by the demo's `load_calendar_2021`): the end of the N-th working day after the moment's date."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dangjian.core.calendar import add_working_days, is_working_day
from dangjian.core.models import CalendarDay
from dangjian.deeds.demo_requests import load_calendar_2021

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def holidays_2021():
    return load_calendar_2021()


def _at(year, month, day, hour=10, minute=0, second=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=TZ)


def _deadline(month, day) -> dt.datetime:
    return _at(2021, month, day, 23, 59, 59)


def test_friday_afternoon_with_one_working_day_is_due_on_monday_night(holidays_2021):
    due = add_working_days(_at(2021, 3, 5, 15), 1)
    assert due == _deadline(3, 8)
    assert due.weekday() == 0


def test_the_result_is_local_time_in_shanghai(holidays_2021):
    due = add_working_days(_at(2021, 3, 5, 15), 1)
    assert str(due.tzinfo) == "Asia/Shanghai"
    assert due.utcoffset() == dt.timedelta(hours=8)
    assert due.astimezone(dt.UTC) == dt.datetime(2021, 3, 8, 15, 59, 59, tzinfo=dt.UTC)


def test_a_moment_late_in_the_evening_counts_from_its_local_date(holidays_2021):
    # 2021-03-05 23:30 in Shanghai is 15:30 UTC: still Friday locally.
    friday_night = dt.datetime(2021, 3, 5, 15, 30, tzinfo=dt.UTC)
    assert add_working_days(friday_night, 1) == _deadline(3, 8)


def test_the_national_day_week_is_skipped(holidays_2021):
    assert add_working_days(_at(2021, 9, 30), 1) == _deadline(10, 8)


def test_without_the_table_only_weekends_are_skipped():
    assert not CalendarDay.objects.exists()
    assert add_working_days(_at(2021, 9, 30), 1) == _deadline(10, 1)


def test_the_spring_festival_is_skipped(holidays_2021):
    assert add_working_days(_at(2021, 2, 10), 1) == _deadline(2, 18)


def test_a_saturday_make_up_day_counts_as_a_working_day(holidays_2021):
    assert add_working_days(_at(2021, 2, 19), 1) == _deadline(2, 20)


def test_seven_working_days_across_labour_day(holidays_2021):
    # 1-5 May off; 6 (Thu), 7 (Fri), 8 (Sat, make-up), 10, 11, 12, 13 May.
    assert add_working_days(_at(2021, 4, 30), 7) == _deadline(5, 13)


def test_the_moment_own_day_never_counts_even_on_a_holiday(holidays_2021):
    # Dispatched on the first day of the National Day holiday: the 8th is the first working day.
    assert add_working_days(_at(2021, 10, 1), 1) == _deadline(10, 8)
    assert add_working_days(_at(2021, 10, 8), 1) == _deadline(10, 9)


def test_is_working_day_reads_holidays_and_make_up_days(holidays_2021):
    table = dict(CalendarDay.objects.values_list("date", "kind"))
    assert is_working_day(dt.date(2021, 3, 8), table)  # an ordinary Monday
    assert not is_working_day(dt.date(2021, 3, 6), table)  # an ordinary Saturday
    assert not is_working_day(dt.date(2021, 10, 1), table)  # National Day, a Friday
    assert not is_working_day(dt.date(2021, 6, 14), table)  # Dragon Boat, a Monday
    assert is_working_day(dt.date(2021, 10, 9), table)  # a Saturday worked in exchange
    assert is_working_day(dt.date(2021, 2, 7), table)  # a Sunday worked in exchange
    assert not is_working_day(dt.date(2021, 10, 10), table)  # the Sunday after it
    assert is_working_day(dt.date(2021, 10, 1), {})  # without the table a Friday is worked


def test_the_2021_table_has_every_holiday_and_make_up_day_once(holidays_2021):
    assert holidays_2021 == 38
    kinds = dict(CalendarDay.objects.values_list("date", "kind"))
    holidays = sorted(d for d, k in kinds.items() if k == CalendarDay.Kind.HOLIDAY)
    workdays = sorted(d for d, k in kinds.items() if k == CalendarDay.Kind.WORKDAY)
    assert len(holidays) == 31
    assert [f"{d:%m-%d}" for d in workdays] == [
        "02-07",
        "02-20",
        "04-25",
        "05-08",
        "09-18",
        "09-26",
        "10-09",
    ]
    assert all(d.weekday() >= 5 for d in workdays)
    assert CalendarDay.objects.get(date=dt.date(2021, 10, 9)).name == "国庆节调休上班"
    assert CalendarDay.objects.get(date=dt.date(2021, 2, 12)).name == "春节"


def test_loading_the_table_again_changes_nothing(holidays_2021):
    CalendarDay.objects.filter(date=dt.date(2021, 5, 8)).update(kind=CalendarDay.Kind.HOLIDAY)
    assert load_calendar_2021() == 38
    assert CalendarDay.objects.count() == 38
    assert CalendarDay.objects.get(date=dt.date(2021, 5, 8)).kind == CalendarDay.Kind.WORKDAY
