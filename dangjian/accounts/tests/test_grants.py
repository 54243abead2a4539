"""Grants: the rules of who may hold which role, written and revoked only through services."""

import pytest
from django.urls import reverse

from dangjian.accounts import services
from dangjian.accounts.models import Grant, Role, User
from dangjian.accounts.permissions import MANAGE_MEMBERS, VIEW_AUDIT_LOG, has_perm
from dangjian.core import audit
from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def zoe(db):
    return User.objects.create_user(username="zoe", password="x-Long-pass-1", name="佐伊")


@pytest.mark.parametrize("second", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN])
def test_second_administrator_role_is_refused_in_chinese(zoe, second):
    services.grant_role(zoe, Role.AUDIT_ADMIN, by=None)
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as exc:
        services.grant_role(zoe, second, by=None)
    assert exc.value.code == "admin_roles_exclusive"
    assert "不能由同一人兼任" in exc.value.message and "审计管理员" in exc.value.message
    assert list(zoe.grants.values_list("role", flat=True)) == [Role.AUDIT_ADMIN]
    assert AuditEntry.objects.count() == before


def test_back_office_refuses_a_second_administrator_role(client, zoe):
    services.grant_role(zoe, Role.AUDIT_ADMIN, by=None)
    sysadmin = services.create_account(
        by=None, username="sys", name="系统", role=Role.SYSTEM_ADMIN, password="x-Long-pass-1"
    )
    client.force_login(sysadmin)
    response = client.post(
        reverse("admin:accounts_grant_add"),
        {"user": zoe.pk, "role": Role.SECURITY_ADMIN, "extra_capabilities": "[]"},
    )
    assert response.status_code == 200
    assert "不能由同一人兼任" in response.content.decode()
    assert not zoe.grants.filter(role=Role.SECURITY_ADMIN).exists()


def test_back_office_grant_goes_through_the_service_and_is_audited(client, zoe, district):
    sysadmin = services.create_account(
        by=None, username="sys", name="系统", role=Role.SYSTEM_ADMIN, password="x-Long-pass-1"
    )
    client.force_login(sysadmin)
    response = client.post(
        reverse("admin:accounts_grant_add"),
        {
            "user": zoe.pk,
            "role": Role.SECRETARY,
            "organization": district.branches[0].pk,
            "extra_capabilities": "[]",
        },
    )
    assert response.status_code == 302
    assert has_perm(User.objects.get(pk=zoe.pk), MANAGE_MEMBERS, district.branches[0])
    entry = AuditEntry.objects.get(action="accounts.grant.created", object_id=str(zoe.pk))
    assert entry.actor == sysadmin


@pytest.mark.parametrize(
    ("role", "scope", "field"),
    [
        (Role.SECRETARY, {}, "organization"),
        (Role.OFFICER, {}, "department"),
        ("king", {}, "role"),
    ],
)
def test_grant_needs_a_sensible_scope(zoe, role, scope, field):
    with pytest.raises(DomainError) as exc:
        services.grant_role(zoe, role, by=None, **scope)
    assert exc.value.field == field
    assert not Grant.objects.filter(user=zoe).exists()


def test_administrator_role_takes_no_scope(zoe, district):
    with pytest.raises(DomainError) as exc:
        services.grant_role(zoe, Role.AUDIT_ADMIN, by=None, organization=district.root)
    assert exc.value.code == "scope_not_allowed"


def test_revoking_an_administrator_role_takes_the_back_office_away(zoe):
    grant = services.grant_role(zoe, Role.AUDIT_ADMIN, by=None)
    assert User.objects.get(pk=zoe.pk).is_staff
    services.revoke_grant(grant, by=None)
    zoe = User.objects.get(pk=zoe.pk)
    assert not zoe.is_staff
    assert not has_perm(zoe, VIEW_AUDIT_LOG)
    assert AuditEntry.objects.filter(action="accounts.grant.revoked").exists()


def test_audit_administrator_cannot_change_or_delete_an_entry_anywhere(client, zoe):
    services.grant_role(zoe, Role.AUDIT_ADMIN, by=None)
    entry = audit.record("orgs.member.updated", details={"x": 1})
    client.force_login(zoe)
    change = reverse("admin:core_auditentry_change", args=[entry.pk])
    delete = reverse("admin:core_auditentry_delete", args=[entry.pk])
    assert client.post(change, {"action": "hacked"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:core_auditentry_changelist"),
        {  # bulk delete action
            "action": "delete_selected",
            "_selected_action": [entry.pk],
            "post": "yes",
        },
    )
    assert client.post(reverse("audit_log"), {"action": "x"}).status_code == 405
    assert AuditEntry.objects.get(pk=entry.pk).action == "orgs.member.updated"
