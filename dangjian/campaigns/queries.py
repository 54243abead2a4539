"""Attendance and coverage, each in a fixed number of queries.

People are distinct members who checked in; organizations are the distinct organizations of
those members; walk-ins (non-members) are counted separately. The sector of attendance is the
sector of the attendee's organization."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, DateField, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dangjian.accounts.permissions import CHECK_IN, has_perm
from dangjian.campaigns.models import Activity, CheckIn, Registration
from dangjian.orgs.models import Member, Sector


@dataclass(frozen=True)
class Attendance:
    people: int
    organizations: int
    walk_ins: int

    @property
    def total(self) -> int:
        return self.people + self.walk_ins


def with_attendance(activities: QuerySet) -> QuerySet:
    """The activities annotated with `people` and `organizations` (one query)."""
    return activities.annotate(
        people=Count("check_ins__member", distinct=True),
        organizations=Count("check_ins__member__organization", distinct=True),
    )


def attendance(activity: Activity) -> Attendance:
    row = (
        with_attendance(Activity.objects.filter(pk=activity.pk))
        .values("people", "organizations", "walk_ins")
        .get()
    )
    return Attendance(**row)


def attendance_by_activity(activities: QuerySet) -> dict[int, Attendance]:
    rows = with_attendance(activities.order_by()).values(
        "pk", "people", "organizations", "walk_ins"
    )
    return {row.pop("pk"): Attendance(**row) for row in rows}


@dataclass(frozen=True)
class Cell:
    activities: int = 0
    people: int = 0

    @property
    def empty(self) -> bool:
        return self.activities == 0


@dataclass
class CoverageMatrix:
    months: list[dt.date]
    rows: list[tuple[Sector, list[Cell]]] = field(default_factory=list)
    totals: dict[int, Cell] = field(default_factory=dict)  # per sector over the whole period

    def cell(self, sector_code: str, month: dt.date) -> Cell:
        for sector, cells in self.rows:
            if sector.code == sector_code:
                return cells[self.months.index(month)]
        raise KeyError(sector_code)


def coverage_matrix(activities: QuerySet, months: list[dt.date] | None = None) -> CoverageMatrix:
    """Sector × month (local time, by the activity's start): activities held (with at least one
    attendee from the sector) and people reached. Every sector is present; empty cells are
    zero. `months` are first days of months; by default the months that have attendance.
    Three queries."""
    counts = _coverage_counts(activities)
    if months is None:
        months = sorted({month for _, month in counts})
    matrix = CoverageMatrix(months=list(months), totals=_sector_totals(activities))
    for sector in Sector.objects.all():
        cells = [counts.get((sector.pk, month), Cell()) for month in months]
        matrix.rows.append((sector, cells))
    return matrix


def _attended(activities: QuerySet) -> QuerySet:
    """Check-ins at the activities that were held (not cancelled)."""
    return CheckIn.objects.filter(activity__in=activities.order_by().values("pk")).exclude(
        activity__status=Activity.Status.CANCELLED
    )


def _sector_totals(activities: QuerySet) -> dict[int, Cell]:
    """Per sector over the whole period: a person who came in March and in May counts once."""
    rows = (
        _attended(activities)
        .values("member__organization__sector")
        .annotate(
            activities=Count("activity", distinct=True), people=Count("member", distinct=True)
        )
        .order_by()
    )
    return {r["member__organization__sector"]: Cell(r["activities"], r["people"]) for r in rows}


@dataclass(frozen=True)
class Totals:
    activities: int  # held, with at least one member attending
    people: int  # distinct members
    organizations: int  # distinct organizations of those members
    walk_ins: int


def campaign_totals(activities: QuerySet) -> Totals:
    """The whole set of activities at once: each person and organization counted once. Two
    queries."""
    row = _attended(activities).aggregate(
        activities=Count("activity", distinct=True),
        people=Count("member", distinct=True),
        organizations=Count("member__organization", distinct=True),
    )
    held = activities.order_by().exclude(status=Activity.Status.CANCELLED)
    walk_ins = held.aggregate(total=Sum("walk_ins"))["total"] or 0
    return Totals(walk_ins=walk_ins, **row)


def with_organization_attendance(organizations: QuerySet, activities: QuerySet) -> QuerySet:
    """Organizations annotated with what their own members attended among `activities`:
    `attended_activities`, `attended_people`, and `roster` (active members). One query."""
    held = activities.order_by().exclude(status=Activity.Status.CANCELLED).values("pk")
    attended = Q(members__check_ins__activity__in=held)
    return organizations.annotate(
        attended_activities=Count("members__check_ins__activity", filter=attended, distinct=True),
        attended_people=Count("members", filter=attended, distinct=True),
        roster=Count(
            "members", filter=Q(members__status__in=Member.ACTIVE_STATUSES), distinct=True
        ),
    )


def _coverage_counts(activities: QuerySet) -> dict[tuple[int, dt.date], Cell]:
    rows = (
        _attended(activities)
        .exclude(member__organization__sector__isnull=True)
        .annotate(month=TruncMonth("activity__starts_at", output_field=DateField()))
        .values("member__organization__sector", "month")
        .annotate(
            activities=Count("activity", distinct=True), people=Count("member", distinct=True)
        )
        .order_by()
    )
    return {
        (row["member__organization__sector"], row["month"]): Cell(row["activities"], row["people"])
        for row in rows
    }


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of the months from `first` to `last`, inclusive."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def roll_call_members(user, activity: Activity) -> QuerySet | None:
    """The active members `user` may tick at `activity`: those of the organizers' subtrees
    where the user holds the check-in right, registered first. None: the user takes no roll
    here. `activity.organizers` should be prefetched."""
    organizers = [o for o in activity.organizers.all() if has_perm(user, CHECK_IN, o)]
    if not organizers:
        return None
    subtree = Q(pk__in=[])
    for org in organizers:
        subtree |= Q(organization__path__startswith=org.path)
    registered = Registration.objects.filter(
        activity=activity, member=OuterRef("pk"), status=Registration.Status.REGISTERED
    )
    return (
        Member.objects.active()
        .filter(subtree)
        .annotate(is_registered=Exists(registered))
        .select_related("organization")
        .order_by("-is_registered", "organization__path", "name", "id")
    )


def filter_by_phase(activities: QuerySet, phase: str | None) -> QuerySet:
    """The activities in a phase (未开始 / 进行中 / 已结束 / 已取消), from their times and status;
    all of them for no phase."""
    now = timezone.now()
    live = activities.exclude(status=Activity.Status.CANCELLED)
    if phase == Activity.Phase.CANCELLED:
        return activities.filter(status=Activity.Status.CANCELLED)
    if phase == Activity.Phase.UPCOMING:
        return live.filter(starts_at__gt=now)
    if phase == Activity.Phase.IN_PROGRESS:
        return live.filter(starts_at__lte=now, ends_at__gt=now)
    if phase == Activity.Phase.FINISHED:
        return live.filter(ends_at__lte=now)
    return activities


# ---------------------------------------------------------------- reach of a scope (dashboard)
# A secretary's or an officer's figures count only their own members, even at an activity that
# other organizations attended too: `members` is the scope's members.


def held_between(activities: QuerySet, start: dt.date, end: dt.date) -> QuerySet:
    """The activities not cancelled that start from `start` to `end` (local dates, inclusive)."""
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return activities.exclude(status=Activity.Status.CANCELLED).filter(
        starts_at__gte=since, starts_at__lt=until
    )


@dataclass(frozen=True)
class Reach:
    people: int  # distinct members
    check_ins: int  # 人次
    sectors: int  # sectors with at least one of them attending


def reach(activities: QuerySet, members: QuerySet) -> Reach:
    """What `members` attended of `activities`. One query."""
    row = (
        _attended(activities)
        .filter(member__in=members.order_by().values("pk"))
        .aggregate(
            people=Count("member", distinct=True),
            check_ins=Count("pk"),
            sectors=Count("member__organization__sector", distinct=True),
        )
    )
    return Reach(**row)


def member_coverage(
    activities: QuerySet, members: QuerySet, months: list[dt.date]
) -> CoverageMatrix:
    """`coverage_matrix` counting only `members` (sector × month, and per sector over the
    whole period). Three queries."""
    attended = _attended(activities).filter(member__in=members.order_by().values("pk"))
    cells = (
        attended.exclude(member__organization__sector__isnull=True)
        .annotate(month=TruncMonth("activity__starts_at", output_field=DateField()))
        .values("member__organization__sector", "month")
        .annotate(
            activities=Count("activity", distinct=True), people=Count("member", distinct=True)
        )
        .order_by()
    )
    counts = {
        (r["member__organization__sector"], r["month"]): Cell(r["activities"], r["people"])
        for r in cells
    }
    totals = (
        attended.values("member__organization__sector")
        .annotate(
            activities=Count("activity", distinct=True), people=Count("member", distinct=True)
        )
        .order_by()
    )
    matrix = CoverageMatrix(
        months=list(months),
        totals={
            r["member__organization__sector"]: Cell(r["activities"], r["people"]) for r in totals
        },
    )
    for sector in Sector.objects.all():
        matrix.rows.append((sector, [counts.get((sector.pk, m), Cell()) for m in months]))
    return matrix


@dataclass(frozen=True)
class Month:
    month: dt.date
    activities: int  # held that month
    people: int  # distinct members of the scope attending that month
    check_ins: int


def reach_by_month(activities: QuerySet, members: QuerySet, months: list[dt.date]) -> list[Month]:
    """Per month (local time, by the activity's start): activities held, and what `members`
    attended. Two queries."""
    month = TruncMonth("starts_at", output_field=DateField())
    held = dict(
        activities.order_by()
        .exclude(status=Activity.Status.CANCELLED)
        .annotate(month=month)
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    rows = (
        _attended(activities)
        .filter(member__in=members.order_by().values("pk"))
        .annotate(month=TruncMonth("activity__starts_at", output_field=DateField()))
        .values("month")
        .annotate(people=Count("member", distinct=True), check_ins=Count("pk"))
        .order_by()
    )
    attended = {r["month"]: (r["people"], r["check_ins"]) for r in rows}
    return [Month(m, held.get(m, 0), *attended.get(m, (0, 0))) for m in months]
