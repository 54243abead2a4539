"""Writes to users and grants. Each is audited; passwords are never logged."""

from django.contrib.auth.models import Permission
from django.db import transaction

from dangjian.accounts.models import Grant, Role, User
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
        "accounts.change_grant",
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
        user = User.objects.create_user(
            username=username, password=password, name=name, is_staff=role in ADMIN_PERMISSIONS
        )
        Grant.objects.create(user=user, role=role, **scope)
        _give_admin_permissions(user, role)
        if member is not None:
            member.user = user
            member.save(update_fields=["user", "updated_at"])
        audit.record("accounts.user.created", user, actor=by, details={"role": role})
    return user


def set_password(user: User, password: str, *, by) -> None:
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record("accounts.user.password_set", user, actor=by)


def _give_admin_permissions(user: User, role: str) -> None:
    codes = ADMIN_PERMISSIONS.get(role, [])
    perms = [
        p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in=[c.split(".")[1] for c in codes]
        )
        if f"{p.content_type.app_label}.{p.codename}" in codes
    ]
    user.user_permissions.add(*perms)
