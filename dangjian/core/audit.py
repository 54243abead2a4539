"""Writing the audit log. Services call `record` inside their transaction, so a write that
rolls back leaves no entry claiming success; failures are recorded after the rollback."""

from contextvars import ContextVar
from functools import cache
from importlib import import_module

from django.apps import apps
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


def action_label(action: str) -> str:
    """The Chinese name of an action code, from the `audit_actions.AUDIT_ACTIONS` of the app
    that writes it; the code itself when no app names it."""
    return _action_labels().get(action, action)


@cache
def _action_labels() -> dict[str, str]:
    labels = {}
    for app in apps.get_app_configs():
        try:
            module = import_module(f"{app.name}.audit_actions")
        except ModuleNotFoundError:
            continue
        labels.update(module.AUDIT_ACTIONS)
    return labels
