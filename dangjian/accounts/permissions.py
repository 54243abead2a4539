"""The one place that answers "may this user do this?". Scopes (which subtree, department or
community a grant covers) are enforced by the querysets' `visible_to`; this module answers
which capabilities a user holds."""

from dangjian.accounts.models import Role

VIEW_ORGS = "can_view_orgs"
MANAGE_ORGANIZATIONS = "can_manage_organizations"
MANAGE_MEMBERS = "can_manage_members"
VIEW_PERSONAL_DATA = "can_view_personal_data"
EXPORT = "can_export"
MANAGE_USERS = "can_manage_users"
MANAGE_SECURITY = "can_manage_security"
VIEW_AUDIT_LOG = "can_view_audit_log"

# The personal-data right is never part of a role: it is granted on purpose, as an extra.
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.OPERATOR: frozenset({VIEW_ORGS, MANAGE_ORGANIZATIONS, MANAGE_MEMBERS, EXPORT}),
    Role.SECRETARY: frozenset({VIEW_ORGS, MANAGE_MEMBERS}),
    Role.OFFICER: frozenset({VIEW_ORGS}),
    Role.MEMBER: frozenset(),
    Role.SYSTEM_ADMIN: frozenset({MANAGE_USERS}),
    Role.SECURITY_ADMIN: frozenset({MANAGE_SECURITY}),
    Role.AUDIT_ADMIN: frozenset({VIEW_AUDIT_LOG}),
}


def capabilities(user) -> frozenset[str]:
    """All capabilities of a user, computed once per request object."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_capabilities", None)
    if cached is None:
        caps: set[str] = set()
        for role, extras in user.grants.values_list("role", "extra_capabilities"):
            caps |= ROLE_CAPABILITIES.get(role, frozenset())
            caps |= set(extras or [])
        cached = user._capabilities = frozenset(caps)
    return cached


def has_perm(user, capability: str, obj=None) -> bool:
    return capability in capabilities(user)
