"""Logging in by phone number, ID number or username; the same answer for every wrong
identifier or password; lockout per account; a limit per IP address; and the security audit."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from dangjian.accounts.backends import account_key, find_user, masked_identifier
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.models import AuditEntry
from dangjian.core.testing import PASSWORD

from .helpers import log_in, logged_in_user_id, minutes_later

pytestmark = pytest.mark.django_db

WRONG = "wrong-password-123"
LOCKED = "登录失败次数过多"


def fail(client, identifier, times=1):
    return [log_in(client, identifier, WRONG) for _ in range(times)][-1]


# ---------------------------------------------------------------- identifiers


def test_member_logs_in_with_phone_number(client, people):
    erin = people["erin"]
    response = log_in(client, erin.member.phone)
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(erin.pk)


def test_member_logs_in_with_id_number_with_lower_case_x(client, xie):
    assert xie.id_number.endswith("X")
    response = log_in(client, xie.id_number.lower())
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(xie.user_id)


@pytest.mark.parametrize(
    "typed", ["139 1234 5678", "+86 13912345678", "１３９１２３４５６７８", " 13912345678 "]
)
def test_phone_is_normalised_before_lookup(client, xie, typed):
    assert log_in(client, typed).status_code == 302
    assert logged_in_user_id(client) == str(xie.user_id)


def test_staff_logs_in_with_username(client, people):
    assert log_in(client, "alice").status_code == 302
    assert logged_in_user_id(client) == str(people["alice"].pk)


def test_member_may_also_use_the_account_name(client, people):
    assert log_in(client, "erin").status_code == 302


def test_member_without_an_account_cannot_log_in_by_phone(client, district, people):
    from dangjian.core.testing import add_members

    member = add_members(district, 1)[0]
    assert member.user_id is None
    assert log_in(client, member.phone).status_code == 200
    assert logged_in_user_id(client) is None


def test_login_page_labels_every_identifier(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "手机号 / 身份证号 / 账号" in page


def test_logged_in_user_is_sent_on_from_the_login_page(client, people):
    client.force_login(people["alice"])
    assert client.get(reverse("login")).status_code == 302


# ---------------------------------------------------------------- one message for all failures


def _error(response) -> str:
    return response.context["form"].non_field_errors()[0]


def test_wrong_password_and_unknown_account_give_the_same_message(client, people):
    wrong_password = log_in(client, people["erin"].member.phone, WRONG)
    unknown_phone = log_in(client, "13800000000", WRONG)
    unknown_name = log_in(client, "nobody", WRONG)
    assert wrong_password.status_code == unknown_phone.status_code == unknown_name.status_code
    assert _error(wrong_password) == _error(unknown_phone) == _error(unknown_name)
    assert _error(wrong_password) == "账号或密码不正确"
    assert "账号或密码不正确" in wrong_password.content.decode()


def test_inactive_user_gets_the_same_message(client, people):
    erin = people["erin"]
    erin.is_active = False
    erin.save(update_fields=["is_active"])
    response = log_in(client, erin.member.phone)
    assert _error(response) == "账号或密码不正确"
    assert logged_in_user_id(client) is None


def test_empty_form_asks_for_both_fields(client, db):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    assert "请填写账号和密码" in response.content.decode()


# ---------------------------------------------------------------- lockout


def test_fifth_failure_locks_the_account(client, people):
    phone = people["erin"].member.phone
    assert fail(client, phone, 4).status_code == 200
    response = fail(client, phone)
    assert response.status_code == 429
    assert f"{LOCKED}，账号已暂时锁定，请15分钟后再试" in response.content.decode()


def test_sixth_attempt_is_refused_even_with_the_right_password(client, people):
    phone = people["erin"].member.phone
    fail(client, phone, 5)
    response = log_in(client, phone, PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert logged_in_user_id(client) is None


def test_lock_ends_fifteen_minutes_after_it_began(client, people):
    phone = people["erin"].member.phone
    fail(client, phone, 5)
    with minutes_later(14):
        assert log_in(client, phone).status_code == 429  # does not extend the lock
    with minutes_later(16):
        assert log_in(client, phone).status_code == 302
    assert logged_in_user_id(client) == str(people["erin"].pk)


def test_success_resets_the_count(client, people):
    phone = people["erin"].member.phone
    fail(client, phone, 4)
    assert log_in(client, phone).status_code == 302
    client.logout()
    assert fail(client, phone, 4).status_code == 200
    assert log_in(client, phone).status_code == 302


def test_switching_identifier_form_does_not_give_extra_tries(client, xie):
    fail(client, xie.phone, 2)
    fail(client, xie.id_number.lower(), 1)
    fail(client, xie.id_number, 1)
    assert fail(client, xie.user.username).status_code == 429
    for identifier in (xie.phone, xie.id_number.lower(), xie.user.username):
        assert log_in(client, identifier).status_code == 429


def test_every_identifier_form_has_the_same_key(xie, rf):
    keys = {
        account_key(rf.post("/login/"), {"username": typed})
        for typed in (xie.phone, "139 1234 5678", xie.id_number, xie.id_number.lower(), "member-1")
        if find_user(typed) == xie.user
    }
    assert keys == {xie.user.username}


def test_lock_is_per_account(client, people):
    fail(client, people["erin"].member.phone, 5)
    assert log_in(client, "alice").status_code == 302


def test_unknown_identifiers_are_locked_without_storing_the_number(client, db):
    assert fail(client, "13800000000", 5).status_code == 429
    stored = list(AccessAttempt.objects.values_list("username", "post_data"))
    assert stored
    assert "13800000000" not in str(stored)


# ---------------------------------------------------------------- per-IP limit


@pytest.fixture
def three_failures_per_ip(settings):
    settings.LOGIN_FAILURES_PER_IP = 3
    settings.LOGIN_FAILURE_WINDOW = 900


@pytest.mark.usefixtures("three_failures_per_ip")
def test_one_ip_address_gets_a_limited_number_of_failures(client, people):
    for name in ("nobody1", "nobody2", "nobody3"):  # other accounts: no lockout involved
        assert fail(client, name).status_code == 200
    response = log_in(client, "alice")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 900
    assert "本网络登录失败次数过多" in response.content.decode()
    assert logged_in_user_id(client) is None


@pytest.mark.usefixtures("three_failures_per_ip")
def test_other_ip_addresses_are_not_limited(client, people):
    fail(client, "nobody", 3)
    assert log_in(client, "alice", REMOTE_ADDR="203.0.113.5").status_code == 302


@pytest.mark.usefixtures("three_failures_per_ip")
def test_successes_do_not_count_against_the_ip_address(client, people):
    for _ in range(5):
        assert log_in(client, "alice").status_code == 302
        client.logout()
    assert fail(client, "nobody").status_code == 200


def test_ip_limit_is_thirty_failures_per_fifteen_minutes_by_default():
    from django.conf import settings

    assert (settings.LOGIN_FAILURES_PER_IP, settings.LOGIN_FAILURE_WINDOW) == (30, 900)


# ---------------------------------------------------------------- audit


def test_success_is_audited(client, people):
    erin = people["erin"]
    log_in(client, erin.member.phone)
    entry = AuditEntry.objects.get(action="accounts.login.succeeded")
    assert entry.actor == erin
    assert entry.object_id == str(erin.pk)
    assert entry.details == {"via": "phone"}
    assert entry.ip == "127.0.0.1"


def test_failure_is_audited_with_masked_phone_and_ip(client, people):
    phone = people["erin"].member.phone
    log_in(client, phone, WRONG, REMOTE_ADDR="198.51.100.7")
    entry = AuditEntry.objects.get(action="accounts.login.failed")
    assert entry.details == {"identifier": mask_phone(phone), "reason": "wrong_credentials"}
    assert entry.outcome == AuditEntry.Outcome.FAILURE
    assert entry.ip == "198.51.100.7"
    assert entry.object_id == str(people["erin"].pk)
    assert phone not in str(entry.details) + entry.object_repr


def test_failure_with_id_number_is_audited_masked(client, xie):
    log_in(client, xie.id_number.lower(), WRONG)
    entry = AuditEntry.objects.get(action="accounts.login.failed")
    assert entry.details["identifier"] == mask_id_number(xie.id_number)


def test_failure_with_unknown_username_keeps_the_name(client, db):
    log_in(client, "nobody", WRONG)
    entry = AuditEntry.objects.get(action="accounts.login.failed")
    assert entry.details["identifier"] == "nobody"
    assert entry.object_id == ""


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("13912345678", "139****5678"),
        ("120116198001010019", "120116********0019"),
        ("1391234567", "**********"),  # a mistyped phone is still a phone
        ("alice", "alice"),
    ],
)
def test_masked_identifier(typed, kept):
    assert masked_identifier(typed) == kept


def test_audit_holds_the_failures_and_one_lockout(client, people):
    phone = people["erin"].member.phone
    fail(client, phone, 5)
    log_in(client, phone)  # refused: locked
    failures = AuditEntry.objects.filter(action="accounts.login.failed").order_by("id")
    assert [e.details["reason"] for e in failures] == ["wrong_credentials"] * 5 + ["locked_out"]
    assert failures.last().outcome == AuditEntry.Outcome.DENIED
    lockout = AuditEntry.objects.get(action="accounts.login.locked_out")
    assert lockout.object_id == str(people["erin"].pk)
    assert lockout.details == {"identifier": mask_phone(phone), "failures": 5, "minutes": 15}
    assert not AuditEntry.objects.filter(action="accounts.login.succeeded").exists()


def test_logout_is_audited(client, people):
    log_in(client, "alice")
    client.post(reverse("logout"))
    entry = AuditEntry.objects.get(action="accounts.logout")
    assert entry.actor == people["alice"]


def test_no_password_is_ever_in_the_audit_log(client, people):
    log_in(client, "alice", WRONG)
    log_in(client, "alice")
    assert WRONG not in str(list(AuditEntry.objects.values_list("details", flat=True)))
    assert PASSWORD not in str(list(AuditEntry.objects.values_list("details", flat=True)))


@pytest.mark.django_db(transaction=True)
def test_failure_entry_is_committed_on_its_own(client):
    """No surrounding test transaction here: the entry exists only if it was committed."""
    from dangjian.core import testing

    testing.personas(testing.build_district())
    response = log_in(client, "alice", WRONG)
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="accounts.login.failed").exists()
