"""Template helpers of the ledger: free text redacted for public pages, and the deeds an
activity produced (for the activity's page)."""

from django import template

from dangjian.core.masking import redact
from dangjian.deeds.forms import PUBLIC_STATUSES
from dangjian.deeds.queries import LEVEL_LABELS

register = template.Library()
register.filter("redact", redact)


@register.filter
def escalation_label(level: str) -> str:
    return LEVEL_LABELS.get(level or "", "")


@register.simple_tag
def public_deeds_of(activity) -> list:
    """The deeds that came from `activity` and are on the public ledger (titles and status are
    public information). One query."""
    return list(
        activity.deeds.filter(status__in=PUBLIC_STATUSES)
        .only("pk", "title", "status", "outcome")
        .order_by("deadline", "id")
    )
