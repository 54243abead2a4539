"""Writes to users and grants. Each is audited; passwords are never logged."""

import datetime as dt
import secrets

from axes.utils import reset as reset_lockout
from django.contrib.auth import password_validation
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import APIToken, Grant, Role, User
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


# ---------------------------------------------------------------- member accounts

# Easy to read aloud and to type on a phone: no 0/o, 1/l/i, lower case only.
READABLE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
ONE_TIME_PASSWORD_LENGTH = 10


def one_time_password() -> str:
    """A random password the secretary reads to the member, with letters and digits."""
    while True:
        password = "".join(
            secrets.choice(READABLE_ALPHABET) for _ in range(ONE_TIME_PASSWORD_LENGTH)
        )
        if not password.isdigit() and not password.isalpha():
            return password


def member_username(member) -> str:
    """Members log in by phone or ID number; the account name is only an internal handle."""
    return f"member-{member.pk}"


def activate_member_account(member, *, by) -> tuple[User, str]:
    """Give an active member an account with a one-time password and the member role over
    their organization. Returns the user and the password, which is stored nowhere in clear."""
    from dangjian.orgs.models import Member

    password = one_time_password()
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
        if member.user_id is not None:
            raise DomainError("该党员已开通账号；如忘记密码，请重置密码", "account_exists")
        if not member.is_active_member:
            raise DomainError(
                f"该党员状态为“{member.get_status_display()}”，不能开通账号", "member_inactive"
            )
        user = create_account(
            by=by,
            username=member_username(member),
            name=member.name,
            password=password,
            role=Role.MEMBER,
            member=member,
            organization=member.organization,
        )
        user.must_change_password = True
        user.save(update_fields=["must_change_password"])
        audit.record(
            "accounts.member_account.activated",
            member,
            actor=by,
            details={"username": user.username},
        )
    return user, password


def reset_member_password(member, *, by) -> str:
    """A new one-time password for a member's account; it also lifts a log-in lockout, since
    the secretary tells the member in person. Only for plain member accounts. Returns the
    password."""
    from dangjian.orgs.models import Member

    password = one_time_password()
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if member.user_id is None:
            raise DomainError("该党员尚未开通账号", "account_missing")
        if not member.is_active_member:
            raise DomainError(
                f"该党员状态为“{member.get_status_display()}”，不能重置密码", "member_inactive"
            )
        user = User.objects.select_for_update().get(pk=member.user_id)
        if user.is_staff or user.is_superuser or user.grants.exclude(role=Role.MEMBER).exists():
            # A secretary must not learn the password of an account that can do more than
            # a member's can.
            raise DomainError(
                "该账号还担任其他角色，请联系系统管理员重置密码", "account_privileged"
            )
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        reset_lockout(username=user.get_username())
        audit.record(
            "accounts.member_account.password_reset",
            member,
            actor=by,
            details={"username": user.username},
        )
    return password


def change_own_password(user: User, new_password: str, *, by) -> None:
    """The user sets their own password (after a one-time password, or any time)."""
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise DomainError(
            " ".join(exc.messages), "password_invalid", field="new_password1"
        ) from None
    if user.check_password(new_password):
        raise DomainError("新密码不能与原密码相同", "password_unchanged", field="new_password1")
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit.record("accounts.password.changed", user, actor=by)


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


# ---------------------------------------------------------------- API tokens

# last_used_at is written at most this often, so reads through the API do not each write.
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)


def create_api_token(user: User, name: str, *, by) -> tuple[APIToken, str]:
    """A new token for `user`. Returns the token and its secret, which is not stored anywhere:
    the caller shows it once."""
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写令牌名称", "name_required", field="name")
    if len(name) > APIToken._meta.get_field("name").max_length:
        raise DomainError("令牌名称不能超过100个字", "name_too_long", field="name")
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = APIToken.objects.create(
            user=user, name=name, prefix=secret[:8], token_hash=APIToken.hash(secret)
        )
        audit.record(
            "accounts.api_token.created",
            token,
            actor=by,
            details={"user": user.get_username(), "prefix": token.prefix},
        )
    return token, secret


def revoke_api_token(token: APIToken, *, by) -> None:
    """Revoke a token at once. Revoking a revoked token changes nothing."""
    with transaction.atomic():
        revoked = APIToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            audit.record(
                "accounts.api_token.revoked",
                token,
                actor=by,
                details={"user": token.user.get_username(), "prefix": token.prefix},
            )


def user_for_api_token(secret: str) -> User | None:
    """The active user a valid, unrevoked token belongs to, else None. Marks the token used."""
    token = (
        APIToken.objects.select_related("user")
        .filter(token_hash=APIToken.hash(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - TOKEN_TOUCH_INTERVAL:
        APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
