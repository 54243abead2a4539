"""Reading the deeds ledger: who sees which deed, the escalation colour, combined progress and
the counts. Each in a fixed number of queries.

Escalation (督办等级) of an open deed, against today and the deadline: red when overdue by more
than DEED_RED_AFTER_DAYS, orange when overdue, blue when due within DEED_DUE_SOON_DAYS, else
none. Closed-out and cancelled deeds have none. `escalation_of` (one deed) and
`with_escalation` (a queryset) apply the same thresholds; a test holds them equal."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Avg, Case, CharField, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Round

from dangjian.accounts.permissions import MANAGE_DEEDS, WORK_DEEDS, scope_for
from dangjian.deeds.models import Deed

RED, ORANGE, BLUE, NONE = "red", "orange", "blue", ""
LEVEL_LABELS = {RED: "红色", ORANGE: "橙色", BLUE: "蓝色", NONE: ""}
RANK = {RED: 0, ORANGE: 1, BLUE: 2, NONE: 3}
ENDED = (Deed.Status.CLOSED, Deed.Status.CANCELLED)


def visible_deeds(user) -> QuerySet:
    """Deeds of the user's departments (as owner or co-department); all for a district-wide
    manager. Anything else is not found (404)."""
    for capability in (MANAGE_DEEDS, WORK_DEEDS):
        if scope_for(user, capability).everything:
            return Deed.objects.all()
    departments = own_department_ids(user)
    if not departments:
        return Deed.objects.none()
    ids = Deed.objects.filter(
        Q(owner__in=departments) | Q(parts__department__in=departments)
    ).values("pk")
    return Deed.objects.filter(pk__in=ids)


def own_department_ids(user) -> set[int]:
    """The departments whose deeds the user works on (not the whole district's)."""
    return set(scope_for(user, WORK_DEEDS).department_ids) | set(
        scope_for(user, MANAGE_DEEDS).department_ids
    )


def in_ledger_order(deeds: QuerySet, user) -> QuerySet:
    """A department officer's own department's deeds first (a district manager's are all
    theirs), then red, orange, blue, then by deadline. `deeds` carry `with_escalation`."""
    order = ["escalation_rank", "deadline", "id"]
    own = own_department_ids(user)
    if not own or scope_for(user, MANAGE_DEEDS).everything:
        return deeds.order_by(*order)
    mine = Case(When(owner__in=own, then=Value(0)), default=Value(1), output_field=IntegerField())
    return deeds.annotate(mine=mine).order_by("mine", *order)


def escalation_of(deed: Deed, today: dt.date) -> str:
    if deed.status in ENDED:
        return NONE
    overdue = (today - deed.deadline).days
    if overdue > settings.DEED_RED_AFTER_DAYS:
        return RED
    if overdue > 0:
        return ORANGE
    if -overdue <= settings.DEED_DUE_SOON_DAYS:
        return BLUE
    return NONE


def with_escalation(deeds: QuerySet, today: dt.date) -> QuerySet:
    """Annotates `escalation` (red / orange / blue / "") and `escalation_rank` (0 red … 3)."""
    red_before = today - dt.timedelta(days=settings.DEED_RED_AFTER_DAYS)
    soon = today + dt.timedelta(days=settings.DEED_DUE_SOON_DAYS)
    ended = Q(status__in=ENDED)
    whens = [
        (ended, NONE),
        (Q(deadline__lt=red_before), RED),
        (Q(deadline__lt=today), ORANGE),
        (Q(deadline__lte=soon), BLUE),
    ]
    return deeds.annotate(
        escalation=Case(
            *[When(cond, then=Value(level)) for cond, level in whens],
            default=Value(NONE),
            output_field=CharField(),
        ),
        escalation_rank=Case(
            *[When(cond, then=Value(RANK[level])) for cond, level in whens],
            default=Value(RANK[NONE]),
            output_field=IntegerField(),
        ),
    )


def with_progress(deeds: QuerySet) -> QuerySet:
    """Annotates `progress`: the mean of the parts' progress, a whole percentage."""
    return deeds.annotate(
        progress=Coalesce(Round(Avg("parts__progress")), Value(0.0)),
    )


def progress_of(deed: Deed) -> int:
    parts = [p.progress for p in deed.parts.all()]
    return round(sum(parts) / len(parts)) if parts else 0


@dataclass(frozen=True)
class Counts:
    committed: int  # on the list: committed, in progress, awaiting close-out or closed out
    in_progress: int
    awaiting: int
    closed: int  # closed out, whatever the outcome
    done: int  # closed out as fixed or partly fixed: "closed without a fix" is never done
    fixed: int
    partly: int
    not_fixed: int
    overdue: int  # open and past the deadline
    cancelled: int


def deed_counts(deeds: QuerySet, today: dt.date) -> Counts:
    """One query."""
    S, OUT = Deed.Status, Deed.Outcome
    row = deeds.order_by().aggregate(
        committed=Count(
            "pk", filter=Q(status__in=[S.COMMITTED, S.IN_PROGRESS, S.AWAITING, S.CLOSED])
        ),
        in_progress=Count("pk", filter=Q(status__in=[S.COMMITTED, S.IN_PROGRESS])),
        awaiting=Count("pk", filter=Q(status=S.AWAITING)),
        closed=Count("pk", filter=Q(status=S.CLOSED)),
        done=Count("pk", filter=Q(status=S.CLOSED, outcome__in=[OUT.FIXED, OUT.PARTLY])),
        fixed=Count("pk", filter=Q(status=S.CLOSED, outcome=OUT.FIXED)),
        partly=Count("pk", filter=Q(status=S.CLOSED, outcome=OUT.PARTLY)),
        not_fixed=Count("pk", filter=Q(status=S.CLOSED, outcome=OUT.NOT_FIXED)),
        overdue=Count(
            "pk",
            filter=Q(status__in=[S.COMMITTED, S.IN_PROGRESS, S.AWAITING], deadline__lt=today),
        ),
        cancelled=Count("pk", filter=Q(status=S.CANCELLED)),
    )
    return Counts(**row)


# ---------------------------------------------------------------- by department (dashboard)


def department_deeds(departments: QuerySet) -> QuerySet:
    """Deeds the departments (a queryset of them) own or share, as `visible_deeds` gives
    their officers."""
    ids = Deed.objects.filter(
        Q(owner__in=departments.values("pk")) | Q(parts__department__in=departments.values("pk"))
    ).values("pk")
    return Deed.objects.filter(pk__in=ids)


@dataclass(frozen=True)
class DepartmentCounts:
    department: str
    committed: int  # 已承诺, not started
    in_progress: int
    awaiting: int
    closed: int
    overdue: int  # open and past the deadline (also counted in its status)


def deeds_by_department(deeds: QuerySet, today: dt.date) -> list[DepartmentCounts]:
    """The deeds on the list (committed to closed out) per owner department, in the
    departments' order. One query."""
    S = Deed.Status
    on_list = [S.COMMITTED, S.IN_PROGRESS, S.AWAITING, S.CLOSED]
    rows = (
        deeds.filter(status__in=on_list)
        .order_by()
        .values("owner__order", "owner_id", "owner__name")
        .annotate(
            committed=Count("pk", filter=Q(status=S.COMMITTED)),
            in_progress=Count("pk", filter=Q(status=S.IN_PROGRESS)),
            awaiting=Count("pk", filter=Q(status=S.AWAITING)),
            closed=Count("pk", filter=Q(status=S.CLOSED)),
            overdue=Count("pk", filter=~Q(status=S.CLOSED) & Q(deadline__lt=today)),
        )
        .order_by("owner__order", "owner_id")
    )
    return [
        DepartmentCounts(
            department=r["owner__name"],
            **{k: r[k] for k in ("committed", "in_progress", "awaiting", "closed", "overdue")},
        )
        for r in rows
    ]
