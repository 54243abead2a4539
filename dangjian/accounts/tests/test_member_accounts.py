"""A secretary opens a member's account or resets its password; the one-time password is shown
once and must be replaced at the first log-in."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from dangjian.accounts import services
from dangjian.accounts.models import Grant, Role, User
from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry
from dangjian.core.testing import add_members
from dangjian.orgs.models import Member

from .helpers import log_in, logged_in_user_id

pytestmark = pytest.mark.django_db

UNREADABLE = set("0Oo1lIi")


@pytest.fixture
def member(district, people):
    """A member of bob's branch without an account."""
    return add_members(district, 1)[0]


def _password_values() -> str:
    return str(list(AuditEntry.objects.values_list("details", "object_repr")))


# ---------------------------------------------------------------- one-time passwords


def test_one_time_password_is_easy_to_read_aloud():
    passwords = {services.one_time_password() for _ in range(200)}
    assert len(passwords) == 200
    for password in passwords:
        assert len(password) == 10
        assert not set(password) & UNREADABLE
        assert password == password.lower()
        assert not password.isdigit() and not password.isalpha()


# ---------------------------------------------------------------- activation


def test_activation_gives_an_account_that_logs_in_by_phone(client, member, people):
    user, password = services.activate_member_account(member, by=people["bob"])
    member.refresh_from_db()
    assert member.user == user
    assert user.name == member.name
    assert user.must_change_password
    assert log_in(client, member.phone, password).status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


def test_activation_grants_the_member_role_on_the_members_organization(member, people):
    user, _ = services.activate_member_account(member, by=people["bob"])
    grant = Grant.objects.get(user=user)
    assert (grant.role, grant.organization) == (Role.MEMBER, member.organization)


def test_member_without_phone_can_log_in_by_id_number(client, member, people):
    Member.objects.filter(pk=member.pk).update(phone=None)
    member.refresh_from_db()
    _, password = services.activate_member_account(member, by=people["bob"])
    assert log_in(client, member.id_number, password).status_code == 302


def test_activation_is_audited_without_the_password(member, people):
    _, password = services.activate_member_account(member, by=people["bob"])
    entry = AuditEntry.objects.get(action="accounts.member_account.activated")
    assert entry.actor == people["bob"]
    assert (entry.object_type, entry.object_id) == ("orgs.member", str(member.pk))
    assert AuditEntry.objects.filter(action="accounts.grant.created").exists()
    assert password not in _password_values()


def test_member_with_an_account_cannot_be_activated_again(people):
    erin_member = people["erin"].member
    users = User.objects.count()
    with pytest.raises(DomainError) as exc:
        services.activate_member_account(erin_member, by=people["bob"])
    assert exc.value.code == "account_exists"
    assert "已开通账号" in exc.value.message
    assert User.objects.count() == users


@pytest.mark.parametrize("status", [Member.Status.TRANSFERRED_OUT, Member.Status.DECEASED])
def test_member_no_longer_on_the_roll_cannot_be_activated(member, people, status):
    Member.objects.filter(pk=member.pk).update(status=status)
    with pytest.raises(DomainError) as exc:
        services.activate_member_account(member, by=people["bob"])
    assert exc.value.code == "member_inactive"
    assert not User.objects.filter(member__pk=member.pk).exists()
    assert not AuditEntry.objects.filter(action__startswith="accounts.member_account").exists()


# ---------------------------------------------------------------- reset


def test_reset_replaces_the_password_and_forces_a_change(client, people):
    erin = people["erin"]
    password = services.reset_member_password(erin.member, by=people["bob"])
    erin.refresh_from_db()
    assert erin.must_change_password
    assert erin.check_password(password)
    assert log_in(client, "erin", "correct-horse-battery").status_code == 200
    assert log_in(client, erin.member.phone, password).status_code == 302


def test_reset_is_audited_without_the_password(people):
    password = services.reset_member_password(people["erin"].member, by=people["bob"])
    entry = AuditEntry.objects.get(action="accounts.member_account.password_reset")
    assert entry.actor == people["bob"]
    assert entry.object_id == str(people["erin"].member.pk)
    assert password not in _password_values()


def test_reset_lifts_a_lockout(client, people):
    phone = people["erin"].member.phone
    for _ in range(5):
        log_in(client, phone, "wrong-password-123")
    assert AccessAttempt.objects.exists()
    password = services.reset_member_password(people["erin"].member, by=people["bob"])
    assert log_in(client, phone, password).status_code == 302


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.OPERATOR, Role.AUDIT_ADMIN])
def test_account_with_more_than_the_member_role_cannot_be_reset_by_a_secretary(
    district, people, role
):
    """Else a branch secretary could take over an operator's account through its member record."""
    erin = people["erin"]
    scope = {"organization": district.branches[0]} if role == Role.SECRETARY else {}
    services.grant_role(erin, role, by=None, **scope)
    with pytest.raises(DomainError) as exc:
        services.reset_member_password(erin.member, by=people["bob"])
    assert exc.value.code == "account_privileged"
    erin.refresh_from_db()
    assert erin.check_password("correct-horse-battery")
    assert not erin.must_change_password


def test_member_without_account_cannot_be_reset(member, people):
    with pytest.raises(DomainError) as exc:
        services.reset_member_password(member, by=people["bob"])
    assert exc.value.code == "account_missing"


# ---------------------------------------------------------------- pages


def _post(client, user, name, member, **extra):
    client.force_login(user)
    return client.post(reverse(name, args=[member.pk]), **extra)


def test_secretary_activates_a_member_of_his_branch(client, member, people):
    response = _post(client, people["bob"], "member_account_activate", member)
    assert response.status_code == 200
    page = response.content.decode()
    password = response.context["one_time_password"]
    assert f'data-field="one_time_password">{password}<' in page
    assert "请当面告知党员，只显示一次" in page
    assert "no-store" in response["Cache-Control"]
    member.refresh_from_db()
    assert member.user.check_password(password)


def test_htmx_activation_answers_the_fragment(client, member, people):
    response = _post(
        client, people["bob"], "member_account_activate", member, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert 'id="member-account"' in page
    assert "已开通" in page


def test_the_password_is_not_shown_again_on_the_member_page(client, member, people):
    response = _post(client, people["bob"], "member_account_activate", member)
    password = response.context["one_time_password"]
    page = client.get(reverse("member_detail", args=[member.pk])).content.decode()
    assert "已开通" in page
    assert password not in page


def test_secretary_resets_a_password(client, people):
    erin = people["erin"]
    response = _post(client, people["bob"], "member_account_reset", erin.member)
    assert response.status_code == 200
    erin.refresh_from_db()
    assert erin.check_password(response.context["one_time_password"])


def test_activating_twice_answers_a_chinese_conflict(client, people):
    response = _post(client, people["bob"], "member_account_activate", people["erin"].member)
    assert response.status_code == 409
    assert "该党员已开通账号" in response.content.decode()


def test_outsider_secretary_gets_404(client, member, people):
    for name in ("member_account_activate", "member_account_reset"):
        assert _post(client, people["charlie"], name, member).status_code == 404
    member.refresh_from_db()
    assert member.user_id is None


@pytest.mark.parametrize("persona", ["erin", "dora"])
def test_users_who_may_not_manage_members_get_403(client, member, people, persona):
    for name in ("member_account_activate", "member_account_reset"):
        assert _post(client, people[persona], name, member).status_code == 403


def test_member_cannot_reset_her_own_password_this_way(client, people):
    erin = people["erin"]
    assert _post(client, erin, "member_account_reset", erin.member).status_code == 403


def test_activation_needs_post(client, member, people):
    client.force_login(people["bob"])
    assert client.get(reverse("member_account_activate", args=[member.pk])).status_code == 405


def test_anonymous_visitor_is_sent_to_log_in(client, member):
    response = client.post(reverse("member_account_activate", args=[member.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_member_page_shows_buttons_only_to_who_may_manage(client, member, people):
    url = reverse("member_detail", args=[member.pk])
    client.force_login(people["bob"])
    page = client.get(url).content.decode()
    assert "开通账号</button>" in page and "未开通" in page
    client.force_login(people["dora"])
    page = client.get(url).content.decode()
    assert "未开通" in page and "开通账号</button>" not in page


def test_member_page_of_an_account_shows_reset_not_activate(client, people):
    client.force_login(people["bob"])
    page = client.get(reverse("member_detail", args=[people["erin"].member.pk])).content.decode()
    assert "重置密码" in page and "开通账号</button>" not in page


def test_member_sees_her_state_and_a_change_password_link(client, people):
    erin = people["erin"]
    client.force_login(erin)
    page = client.get(reverse("member_detail", args=[erin.member.pk])).content.decode()
    assert "已开通" in page
    assert reverse("password_change") in page
    assert "重置密码</button>" not in page
