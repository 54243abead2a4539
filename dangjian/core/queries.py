"""Reads of the audit log."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from dangjian.core.models import AuditEntry


def audit_entries(
    *,
    actor: str = "",
    action: str = "",
    obj: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    outcome: str = "",
) -> QuerySet[AuditEntry]:
    """Entries newest first. `actor`: part of the name or username; `action`: a prefix
    ("orgs.member"); `obj`: an object type prefix, an object id or part of its name; `since`
    and `until`: whole days, both included, in the local time zone."""
    entries = AuditEntry.objects.all()
    if actor:
        entries = entries.filter(
            Q(actor_label__icontains=actor) | Q(actor__username__icontains=actor)
        )
    if action:
        entries = entries.filter(action__startswith=action)
    if obj:
        entries = entries.filter(
            Q(object_type__startswith=obj) | Q(object_id=obj) | Q(object_repr__icontains=obj)
        )
    if since:
        entries = entries.filter(at__gte=_start_of(since))
    if until:
        entries = entries.filter(at__lt=_start_of(until + dt.timedelta(days=1)))
    if outcome:
        entries = entries.filter(outcome=outcome)
    return entries.order_by("-at", "-id")


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
