"""The one place that answers "may this user do this, and on which part of the district?".

A grant gives a role over a scope: an organization subtree, a department (the organizations
that belong to it), a community (likewise), or, for a district operator with no scope object,
the whole district. `has_perm(user, capability, obj)` answers single questions; querysets call
`scope_for(user, capability)` through their `visible_to(user)` so that another scope's object is
simply not found (404)."""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from dangjian.accounts.models import Grant, Role

VIEW_ORGS = "can_view_orgs"
MANAGE_ORGANIZATIONS = "can_manage_organizations"
MANAGE_MEMBERS = "can_manage_members"
MANAGE_ACTIVITIES = "can_manage_activities"
CHECK_IN = "can_check_in"
HANDLE_REQUESTS = "can_handle_requests"
MANAGE_DEEDS = "can_manage_deeds"
WORK_DEEDS = "can_work_deeds"
VIEW_PERSONAL_DATA = "can_view_personal_data"
EXPORT = "can_export"
MANAGE_USERS = "can_manage_users"
MANAGE_SECURITY = "can_manage_security"
VIEW_AUDIT_LOG = "can_view_audit_log"

CAPABILITY_LABELS = {
    VIEW_ORGS: "查看党组织和党员",
    MANAGE_ORGANIZATIONS: "管理党组织",
    MANAGE_MEMBERS: "管理党员",
    MANAGE_ACTIVITIES: "管理活动",
    CHECK_IN: "签到",
    HANDLE_REQUESTS: "办理群众诉求",
    MANAGE_DEEDS: "管理实事项目（承诺、销号审核、督办）",
    WORK_DEEDS: "办理实事项目（本单位分工）",
    VIEW_PERSONAL_DATA: "查看完整个人信息",
    EXPORT: "导出",
    MANAGE_USERS: "管理用户和授权",
    MANAGE_SECURITY: "管理安全设置",
    VIEW_AUDIT_LOG: "查看审计日志",
}
BUSINESS = frozenset(
    {
        VIEW_ORGS,
        MANAGE_ORGANIZATIONS,
        MANAGE_MEMBERS,
        MANAGE_ACTIVITIES,
        CHECK_IN,
        HANDLE_REQUESTS,
        MANAGE_DEEDS,
        WORK_DEEDS,
        EXPORT,
    }
)

# The personal-data right is never part of a role: it is granted on purpose, as an extra.
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.OPERATOR: BUSINESS,
    Role.SECRETARY: frozenset(
        {VIEW_ORGS, MANAGE_ORGANIZATIONS, MANAGE_MEMBERS, MANAGE_ACTIVITIES, CHECK_IN, EXPORT}
    ),
    Role.OFFICER: frozenset({VIEW_ORGS, HANDLE_REQUESTS, WORK_DEEDS}),
    Role.MEMBER: frozenset(),
    Role.SYSTEM_ADMIN: frozenset({MANAGE_USERS}),
    Role.SECURITY_ADMIN: frozenset({MANAGE_SECURITY}),
    Role.AUDIT_ADMIN: frozenset({VIEW_AUDIT_LOG}),
}
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# A member may always see their own record, in full.
SELF_CAPABILITIES = frozenset({VIEW_ORGS, VIEW_PERSONAL_DATA})


@dataclass(frozen=True)
class Scope:
    """Where a user holds one capability."""

    everything: bool = False
    paths: frozenset[str] = frozenset()  # organization subtrees ("/1/7/")
    department_ids: frozenset[int] = frozenset()
    community_ids: frozenset[int] = frozenset()
    own_member_id: int | None = None

    def organization_q(self, prefix: str = "") -> Q:
        """Condition on an organization (reached through `prefix`, e.g. "organization__")."""
        if self.everything:
            return Q()
        condition = Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})
        for path in self.paths:
            condition |= Q(**{f"{prefix}path__startswith": path})
        return condition

    def covers_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.paths)


# Only what the scopes need, with the organization's path. Every request of a staff user runs
# it, so it is written out by hand: the ORM spent several times longer building this join than
# the database spends answering it (bench/).
GRANTS_SQL = """
    SELECT g.id, g.user_id, g.role, g.extra_capabilities, g.organization_id, g.department_id,
           g.community_id, o.path AS organization_path
    FROM accounts_grant g
    LEFT JOIN orgs_organization o ON o.id = g.organization_id
    WHERE g.user_id = %s"""


def _grants(user) -> list:
    cached = getattr(user, "_grants_cache", None)
    if cached is None:
        cached = user._grants_cache = list(Grant.objects.raw(GRANTS_SQL, [user.pk]))
    return cached


def grant_capabilities(grant) -> frozenset[str]:
    return ROLE_CAPABILITIES.get(grant.role, frozenset()) | frozenset(grant.extra_capabilities)


def granted_capabilities(user) -> frozenset[str]:
    """Capabilities from the user's grants (not counting the right to see oneself)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    caps = set()
    for grant in _grants(user):
        caps |= grant_capabilities(grant)
    return frozenset(caps)


def capabilities(user) -> frozenset[str]:
    """Every capability the user holds somewhere, including over their own record."""
    caps = granted_capabilities(user)
    if own_member_id(user):
        caps |= SELF_CAPABILITIES
    return caps


def own_member_id(user) -> int | None:
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_own_member_id"):
        from dangjian.orgs.models import Member

        user._own_member_id = Member.objects.filter(user=user).values_list("pk", flat=True).first()
    return user._own_member_id


def scope_for(user, capability: str) -> Scope:
    if not user.is_authenticated or not user.is_active:
        return Scope()
    cache = user.__dict__.setdefault("_scope_cache", {})
    if capability not in cache:
        cache[capability] = _build_scope(user, capability)
    return cache[capability]


def _build_scope(user, capability: str) -> Scope:
    from dangjian.orgs.models import Organization

    paths, departments, communities = set(), set(), set()
    for grant in _grants(user):
        if capability not in grant_capabilities(grant):
            continue
        if grant.organization_id:
            paths.add(grant.organization_path)
        elif grant.department_id:
            departments.add(grant.department_id)
        elif grant.community_id:
            communities.add(grant.community_id)
        elif grant.role == Role.OPERATOR:
            return Scope(everything=True)  # covers the user's own record too
    if departments or communities:
        paths |= set(
            Organization.objects.filter(
                Q(department_id__in=departments) | Q(community_id__in=communities)
            ).values_list("path", flat=True)
        )
    own = own_member_id(user) if capability in SELF_CAPABILITIES else None
    return Scope(
        paths=frozenset(paths),
        department_ids=frozenset(departments),
        community_ids=frozenset(communities),
        own_member_id=own,
    )


def has_perm(user, capability: str, obj=None) -> bool:
    """Does `user` hold `capability` (on `obj`, when given)? `obj` may be an organization, a
    member, a department, a community, or anything with an `organization` attribute."""
    if obj is None:  # held through a grant somewhere (the right over oneself does not count)
        return capability in granted_capabilities(user)
    scope = scope_for(user, capability)
    return _covers(scope, obj)


def _covers(scope: Scope, obj) -> bool:
    from dangjian.orgs.models import Community, Department, Member, Organization

    if isinstance(obj, Organization):
        return scope.covers_path(obj.path)
    if isinstance(obj, Member):
        return obj.pk == scope.own_member_id or scope.covers_path(obj.organization.path)
    if isinstance(obj, Department):
        return scope.everything or obj.pk in scope.department_ids
    if isinstance(obj, Community):
        return scope.everything or obj.pk in scope.community_ids
    if hasattr(obj, "organization"):
        return scope.covers_path(obj.organization.path)
    return False


def require_perm(capability: str):
    """View decorator: log-in required, then the capability somewhere (else 403). The view
    still fetches its objects through `visible_to`, so objects outside the scope are 404."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not has_perm(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
