"""Whose figures a user sees on the dashboard and in briefings: the whole district for the
operator, a secretary's organization subtrees, a department officer's departments."""

from dangjian.accounts.permissions import HANDLE_REQUESTS, VIEW_ORGS, WORK_DEEDS, scope_for
from dangjian.reports.registry import Scope


def scope_of(user) -> Scope | None:
    """None: the user has nothing to report on (403)."""
    orgs = scope_for(user, VIEW_ORGS)
    if orgs.everything:
        return Scope(label="全区", everything=True)
    departments = (
        scope_for(user, WORK_DEEDS).department_ids | scope_for(user, HANDLE_REQUESTS).department_ids
    )
    if not orgs.paths and not departments:
        return None
    return Scope(
        label=_label(orgs.paths, departments), paths=orgs.paths, department_ids=departments
    )


def _label(paths, department_ids) -> str:
    from dangjian.orgs.models import Department, Organization

    if department_ids:
        names = Department.objects.filter(pk__in=department_ids).values_list("name", flat=True)
    else:
        names = Organization.objects.filter(path__in=paths).values_list("name", flat=True)
    return "、".join(sorted(names)) or "本单位"
