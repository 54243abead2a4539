"""Writing the audit log. Services call `record` inside their transaction, so a write that
rolls back leaves no entry claiming success; failures are recorded after the rollback."""

from contextvars import ContextVar

from django.db import models

from dangjian.core.models import AuditEntry

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    actor=None,
    outcome: str = AuditEntry.Outcome.SUCCESS,
    details: dict | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=_actor_label(actor),
        ip=current_ip.get(),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        outcome=outcome,
        details=details or {},
    )


def _actor_label(actor) -> str:
    if actor is None or not actor.is_authenticated:
        return "系统"
    return (actor.get_full_name() or actor.get_username())[:150]
