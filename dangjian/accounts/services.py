"""Writes to users and grants. Each is audited; passwords are never logged."""

from django.contrib.auth.models import Permission
from django.db import transaction

from dangjian.accounts.models import Grant, Role, User
from dangjian.accounts.permissions import ADMIN_ROLES
from dangjian.core import audit
from dangjian.core.errors import DomainError

# Back-office (Django admin) permissions of the three administrator roles. Business roles work
# in the app's own pages and do not enter the admin.
ADMIN_PERMISSIONS = {
    Role.SYSTEM_ADMIN: [
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_grant",
        "accounts.add_grant",
        "accounts.delete_grant",
        "orgs.view_organization",
        "orgs.view_department",
        "orgs.view_community",
    ],
    Role.SECURITY_ADMIN: ["accounts.view_user"],
    Role.AUDIT_ADMIN: ["core.view_auditentry"],
}


def create_account(
    *, by, username: str, name: str, password: str, role: str, member=None, **scope
) -> User:
    if role not in Role.values:
        raise DomainError("角色不在可选范围内", "role_invalid", field="role")
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise DomainError("该账号已存在", "username_taken", field="username")
        user = User.objects.create_user(username=username, password=password, name=name)
        if member is not None:
            member.user = user
            member.save(update_fields=["user", "updated_at"])
        audit.record("accounts.user.created", user, actor=by, details={"role": role})
        grant_role(user, role, by=by, **scope)
    return user


def set_password(user: User, password: str, *, by) -> None:
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record("accounts.user.password_set", user, actor=by)


def check_grant(
    user: User, role: str, *, organization=None, department=None, community=None
) -> None:
    """The rules of a grant, shared by the service and the back-office form."""
    if role not in Role.values:
        raise DomainError("角色不在可选范围内", "role_invalid", field="role")
    if sum(x is not None for x in (organization, department, community)) > 1:
        raise DomainError(
            "授权范围只能是一个党组织、一个部门或一个社区", "scope_multiple", field="organization"
        )
    if role == Role.SECRETARY and organization is None:
        raise DomainError("党组织书记须指定所管理的党组织", "scope_required", field="organization")
    if role == Role.OFFICER and department is None:
        raise DomainError("部门工作人员须指定所在部门", "scope_required", field="department")
    if role in ADMIN_ROLES and (organization or department or community):
        raise DomainError("管理员角色不限定范围", "scope_not_allowed", field="organization")
    held = set(user.grants.values_list("role", flat=True)) & ADMIN_ROLES
    if role in ADMIN_ROLES and held - {role}:
        other = Role((held - {role}).pop()).label
        raise DomainError(
            f"该用户已是{other}：系统管理员、安全管理员、审计管理员不能由同一人兼任",
            "admin_roles_exclusive",
            field="role",
        )


def grant_role(
    user: User,
    role: str,
    *,
    by,
    organization=None,
    department=None,
    community=None,
    extra_capabilities=(),
) -> Grant:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        check_grant(
            user, role, organization=organization, department=department, community=community
        )
        grant = Grant.objects.create(
            user=user,
            role=role,
            organization=organization,
            department=department,
            community=community,
            extra_capabilities=list(extra_capabilities),
        )
        if role in ADMIN_ROLES:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.user_permissions.add(*_admin_permissions(role))
        audit.record(
            "accounts.grant.created",
            user,
            actor=by,
            details={
                "role": role,
                "scope": _scope_label(grant),
                "extra": list(extra_capabilities),
            },
        )
    return grant


def revoke_grant(grant: Grant, *, by) -> None:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=grant.user_id)
        details = {"role": grant.role, "scope": _scope_label(grant)}
        grant.delete()
        if grant.role in ADMIN_ROLES:
            user.user_permissions.remove(*_admin_permissions(grant.role))
            if not user.grants.filter(role__in=ADMIN_ROLES).exists():
                user.is_staff = False
                user.save(update_fields=["is_staff"])
        audit.record("accounts.grant.revoked", user, actor=by, details=details)


def _scope_label(grant: Grant) -> str:
    return str(grant.organization or grant.department or grant.community or "全区")


def _admin_permissions(role: str) -> list[Permission]:
    codes = ADMIN_PERMISSIONS.get(role, [])
    return [
        p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in=[c.split(".")[1] for c in codes]
        )
        if f"{p.content_type.app_label}.{p.codename}" in codes
    ]
