"""API tokens: shown once, stored hashed, revocable, acting exactly as their user; and the
account page where a user manages their own."""

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from dangjian.accounts import services
from dangjian.accounts.models import APIToken
from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _get(client, secret, path="/api/v1/members"):
    return client.get(path, headers={"Authorization": f"Bearer {secret}"})


def test_token_authenticates_as_its_user(client, people):
    _, secret = services.create_api_token(people["alice"], "报表脚本", by=people["alice"])
    response = _get(client, secret)
    assert response.status_code == 200
    assert response.json()["count"] == 1  # erin, the district's only member


def test_only_the_hash_of_the_secret_is_stored(people):
    token, secret = services.create_api_token(people["alice"], "报表脚本", by=people["alice"])
    token.refresh_from_db()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:8]
    stored = [str(v) for v in APIToken.objects.values_list().get(pk=token.pk)]
    assert not any(secret in value for value in stored)
    assert len(secret) >= 40


def test_creation_and_revocation_are_audited_without_the_secret(people):
    alice = people["alice"]
    token, secret = services.create_api_token(alice, "报表脚本", by=alice)
    services.revoke_api_token(token, by=alice)
    entries = AuditEntry.objects.filter(object_id=str(token.pk), object_type="accounts.apitoken")
    assert {e.action for e in entries} == {
        "accounts.api_token.created",
        "accounts.api_token.revoked",
    }
    assert all(e.actor == alice and secret not in str(e.details) for e in entries)


def test_revoking_twice_changes_nothing(people):
    token, _ = services.create_api_token(people["alice"], "x", by=None)
    services.revoke_api_token(token, by=None)
    first = APIToken.objects.get(pk=token.pk).revoked_at
    services.revoke_api_token(token, by=None)
    assert APIToken.objects.get(pk=token.pk).revoked_at == first
    assert AuditEntry.objects.filter(action="accounts.api_token.revoked").count() == 1


def test_token_name_is_required(people):
    with pytest.raises(DomainError) as refused:
        services.create_api_token(people["alice"], "  ", by=None)
    assert refused.value.field == "name"
    assert not APIToken.objects.exists()


def test_revoked_token_answers_401(client, people):
    token, secret = services.create_api_token(people["alice"], "x", by=None)
    assert _get(client, secret).status_code == 200
    services.revoke_api_token(token, by=None)
    response = _get(client, secret)
    assert response.status_code == 401
    assert response.json()["message"] == "请先登录或提供有效的 API 令牌"


def test_token_of_an_inactive_user_answers_401(client, people):
    alice = people["alice"]
    _, secret = services.create_api_token(alice, "x", by=None)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert _get(client, secret).status_code == 401


@pytest.mark.parametrize("header", ["Bearer wrong", "Bearer ", "Basic abc", "wrong"])
def test_unknown_or_malformed_token_answers_401(client, people, header):
    response = client.get("/api/v1/members", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_use_is_recorded(client, people):
    token, secret = services.create_api_token(people["alice"], "x", by=None)
    assert token.last_used_at is None
    _get(client, secret)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_has_its_users_scope(client, people, district):
    _, bobs = services.create_api_token(people["bob"], "x", by=None)
    _, charlies = services.create_api_token(people["charlie"], "x", by=None)
    path = f"/api/v1/organizations/{district.branches[0].pk}"
    assert _get(client, bobs, path).status_code == 200
    assert _get(client, charlies, path).status_code == 404


def test_command_prints_only_the_secret(people):
    out = StringIO()
    call_command("create_api_token", "alice", "同步脚本", stdout=out)
    secret = out.getvalue().strip()
    token = APIToken.objects.get(name="同步脚本")
    assert token.token_hash == APIToken.hash(secret)
    assert token.user == people["alice"]


# ---------------------------------------------------------------- the account page


def test_account_page_needs_login(client, db):
    response = client.get(reverse("account"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_account_page_shows_the_user_and_roles(client, people, district):
    client.force_login(people["bob"])
    page = client.get(reverse("account")).content.decode()
    assert "支部书记" in page
    assert "党组织书记" in page
    assert district.branches[0].name in page
    assert "我的账号" in page  # the navigation link


def test_secret_is_shown_once(client, people):
    client.force_login(people["alice"])
    response = client.post(reverse("api_token_create"), {"name": "报表脚本"})
    assert response.status_code == 200
    token = APIToken.objects.get(name="报表脚本")
    secret = response.context["secret"]
    page = response.content.decode()
    assert secret in page
    assert "只显示一次" in page
    assert "no-store" in response["Cache-Control"]
    assert token.token_hash == APIToken.hash(secret)
    page = client.get(reverse("account")).content.decode()
    assert "报表脚本" in page and token.prefix in page
    assert secret not in page


def test_blank_token_name_is_refused_on_the_page(client, people):
    client.force_login(people["alice"])
    response = client.post(reverse("api_token_create"), {"name": ""})
    assert response.status_code == 400
    assert "令牌名称" in response.content.decode()
    assert not APIToken.objects.exists()


def test_user_revokes_a_token_from_the_page(client, people):
    token, secret = services.create_api_token(people["alice"], "x", by=None)
    client.force_login(people["alice"])
    response = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "已吊销" in client.get(reverse("account")).content.decode()


def test_nobody_revokes_another_users_token(client, people):
    token, _ = services.create_api_token(people["alice"], "x", by=None)
    client.force_login(people["charlie"])
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    assert client.get(reverse("account")).context["tokens"].count() == 0
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke_needs_post(client, people):
    token, _ = services.create_api_token(people["alice"], "x", by=None)
    client.force_login(people["alice"])
    assert client.get(reverse("api_token_revoke", args=[token.pk])).status_code == 405
