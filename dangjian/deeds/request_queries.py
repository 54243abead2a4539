"""Reading service requests: who sees which, their overdue colour, what the public may read,
and the three rates (三率). The rates are defined in docs/requests.md; `request_rates` is the
only place that computes them."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, CharField, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from dangjian.accounts.permissions import HANDLE_REQUESTS, scope_for
from dangjian.core.masking import redact
from dangjian.deeds.models import RequestEvent, ServiceRequest
from dangjian.deeds.queries import BLUE, NONE, ORANGE, RANK, RED

S, OUT, RATING = ServiceRequest.Status, ServiceRequest.Outcome, ServiceRequest.Rating
IN_HAND = (S.DISPATCHED, S.ACCEPTED)  # with a department, under its deadlines


def may_dispatch(user) -> bool:
    """The district's dispatchers (the operator): review, dispatch, supervise, follow up."""
    return scope_for(user, HANDLE_REQUESTS).everything


def visible_requests(user) -> QuerySet:
    """Every request for a dispatcher; a department officer's department's requests for them;
    nothing (404) for anyone else."""
    scope = scope_for(user, HANDLE_REQUESTS)
    if scope.everything:
        return ServiceRequest.objects.all()
    return ServiceRequest.objects.filter(department__in=scope.department_ids)


def public_text(request: ServiceRequest) -> str:
    """What public pages show of a request's text."""
    return scrub(request.text, request)


def scrub(text: str, request: ServiceRequest) -> str:
    """`text` as public pages may show it: phones and ID numbers masked, and the requester's
    own name (if typed into it) replaced."""
    text = redact(text)
    return text.replace(request.name, "**") if request.name else text


# Why a request was held for review, or sent back between offices, stays with the staff.
INTERNAL_TEXT = (RequestEvent.Kind.HELD, RequestEvent.Kind.SENT_BACK)


def public_event_text(event: RequestEvent, request: ServiceRequest) -> str:
    """What the requester reads of a step of their request's timeline."""
    return "" if event.kind in INTERNAL_TEXT else scrub(event.text, request)


def may_rate(request: ServiceRequest) -> bool:
    """Closed, and the current round not rated yet (rate_request decides; this shows the form)."""
    closed = request.status == S.CLOSED
    return closed and not request.ratings.filter(round=request.round).exists()


# ---------------------------------------------------------------- overdue colour (as for deeds)


def escalation_of(request: ServiceRequest, today: dt.date) -> str:
    """Against the resolution deadline, with the deeds' thresholds (deeds.queries)."""
    if request.status not in IN_HAND or request.resolve_by is None:
        return NONE
    overdue = (today - timezone.localdate(request.resolve_by)).days
    if overdue > settings.DEED_RED_AFTER_DAYS:
        return RED
    if overdue > 0:
        return ORANGE
    if -overdue <= settings.DEED_DUE_SOON_DAYS:
        return BLUE
    return NONE


def with_escalation(requests: QuerySet, today: dt.date) -> QuerySet:
    """Annotates `escalation` and `escalation_rank`, equal to `escalation_of` row by row."""

    def day_start(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    red_before = day_start(today - dt.timedelta(days=settings.DEED_RED_AFTER_DAYS))
    soon_before = day_start(today + dt.timedelta(days=settings.DEED_DUE_SOON_DAYS + 1))
    whens = [
        (~Q(status__in=IN_HAND) | Q(resolve_by__isnull=True), NONE),
        (Q(resolve_by__lt=red_before), RED),
        (Q(resolve_by__lt=day_start(today)), ORANGE),
        (Q(resolve_by__lt=soon_before), BLUE),
    ]
    return requests.annotate(
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


# ---------------------------------------------------------------- the three rates (三率)


@dataclass(frozen=True)
class Rates:
    """The counts behind the three rates of one group (a department, a category, or all)."""

    key: int | None  # the department's or category's id; None for the whole set
    label: str
    dispatched: int  # first dispatched in the period
    responded_in_time: int  # accepted or first replied by the response deadline
    closed: int  # closed, outside-remit excluded
    resolved: int
    explained: int
    out_of_remit: int
    rated: int
    satisfied: int  # 满意
    basically: int  # 基本满意
    unsatisfied: int
    unrated: int  # closed (any outcome) and not rated yet: never counted as satisfied

    @property
    def response_rate(self) -> float | None:
        return _rate(self.responded_in_time, self.dispatched)

    @property
    def resolution_rate(self) -> float | None:
        return _rate(self.resolved, self.closed)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied + self.basically, self.rated)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


GROUPS = {
    "department": ("department_id", "department__name"),
    "category": ("category_id", "category__name"),
}


def request_rates(
    requests: QuerySet, start: dt.date, end: dt.date, *, by: str | None = None
) -> list[Rates]:
    """The three rates of the requests first dispatched from `start` to `end` (inclusive, local
    dates), as they stand now: one row for the whole set, or one per department or category
    (`by`). One query."""
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    period = requests.filter(first_dispatched_at__gte=since, first_dispatched_at__lt=until)
    counts = _rate_counts()
    if by is None:
        row = period.order_by().aggregate(**counts)
        return [Rates(key=None, label="全部", **row)]
    key, label = GROUPS[by]
    rows = period.order_by().values(key, label).annotate(**counts).order_by(label)
    return [Rates(key=row.pop(key), label=row.pop(label) or "未派单", **row) for row in rows]


def _rate_counts() -> dict:
    closed = Q(status=S.CLOSED)
    return {
        "dispatched": Count("pk"),
        "responded_in_time": Count("pk", filter=Q(responded_at__lte=F("respond_by"))),
        "closed": Count("pk", filter=closed & ~Q(outcome=OUT.OUT_OF_REMIT)),
        "resolved": Count("pk", filter=closed & Q(outcome=OUT.RESOLVED)),
        "explained": Count("pk", filter=closed & Q(outcome=OUT.EXPLAINED)),
        "out_of_remit": Count("pk", filter=closed & Q(outcome=OUT.OUT_OF_REMIT)),
        "rated": Count("pk", filter=~Q(rating="")),
        "satisfied": Count("pk", filter=Q(rating=RATING.SATISFIED)),
        "basically": Count("pk", filter=Q(rating=RATING.BASICALLY)),
        "unsatisfied": Count("pk", filter=Q(rating=RATING.UNSATISFIED)),
        "unrated": Count("pk", filter=closed & Q(rating="")),
    }


def status_counts(requests: QuerySet) -> dict[str, int]:
    """How many requests are in each state. One query."""
    rows = requests.order_by().values("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(S.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts
