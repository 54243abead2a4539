"""Working days (工作日): Monday to Friday, except the holidays in the CalendarDay table, plus the
weekend days it marks as worked (调休上班).

A deadline of N working days from a moment is the end (23:59:59, local time) of the N-th working
day after that moment's date; the day itself does not count, whether or not it is a working day.
So a request dispatched on Friday afternoon with one working day to respond is due on Monday
evening, and one dispatched on 30 September 2021 with one working day is due on 8 October."""

import datetime as dt

from django.utils import timezone

from dangjian.core.models import CalendarDay

# A long holiday plus weekends never spans more than this many calendar days per working day.
_LOOKAHEAD = 15


def add_working_days(moment: dt.datetime, days: int) -> dt.datetime:
    """The end of the `days`-th working day after `moment`'s local date. One query."""
    start = timezone.localdate(moment)
    end = start + dt.timedelta(days=_LOOKAHEAD * max(days, 1) + 7)
    exceptions = dict(
        CalendarDay.objects.filter(date__gt=start, date__lte=end).values_list("date", "kind")
    )
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, exceptions):
            counted += 1
    end_of_day = dt.datetime.combine(day, dt.time(23, 59, 59))
    return timezone.make_aware(end_of_day)


def is_working_day(day: dt.date, exceptions: dict) -> bool:
    kind = exceptions.get(day)
    if kind == CalendarDay.Kind.HOLIDAY:
        return False
    if kind == CalendarDay.Kind.WORKDAY:
        return True
    return day.weekday() < 5
