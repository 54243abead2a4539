"""The back office (Django admin) speaks Chinese, and the three administrator roles see only
their own part of it."""

import pytest
from django.urls import reverse

from dangjian.accounts import services
from dangjian.accounts.models import Role
from dangjian.core import audit

pytestmark = pytest.mark.django_db


def _admin(client, role):
    user = services.create_account(
        by=None, username=role, name=role, password="x-Long-pass-1", role=role
    )
    client.force_login(user)
    return client


def test_admin_index_is_in_chinese(client):
    body = _admin(client, Role.SYSTEM_ADMIN).get(reverse("admin:index")).content.decode()
    assert "党建工作平台 · 管理后台" in body
    assert "用户" in body


def test_audit_administrator_reads_the_audit_log_and_cannot_change_it(client):
    audit.record("orgs.member.updated", details={"x": 1})
    admin = _admin(client, Role.AUDIT_ADMIN)
    listing = admin.get(reverse("admin:core_auditentry_changelist"))
    assert listing.status_code == 200
    assert "orgs.member.updated" in listing.content.decode()
    assert admin.get(reverse("admin:core_auditentry_add")).status_code == 403
    assert admin.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_system_administrator_cannot_read_the_audit_log(client):
    admin = _admin(client, Role.SYSTEM_ADMIN)
    assert admin.get(reverse("admin:core_auditentry_changelist")).status_code == 403
    assert admin.get(reverse("admin:accounts_user_changelist")).status_code == 200


def test_business_roles_do_not_enter_the_back_office(client):
    admin = _admin(client, Role.OPERATOR)
    response = admin.get(reverse("admin:index"))
    assert response.status_code == 302


def test_account_creation_is_audited_without_the_password(db):
    services.create_account(
        by=None, username="neo", name="新用户", password="secret-Pass-99", role=Role.MEMBER
    )
    from dangjian.core.models import AuditEntry

    entry = AuditEntry.objects.get(action="accounts.user.created")
    assert entry.details == {"role": "member"}
    assert "secret-Pass-99" not in str(entry.details)
