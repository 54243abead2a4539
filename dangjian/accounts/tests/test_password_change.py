"""After a one-time password the user sees only the change-password page until they set
their own; changing it keeps them logged in and is audited."""

import pytest
from django.urls import reverse

from dangjian.accounts import services
from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry
from dangjian.core.testing import PASSWORD

from .helpers import log_in

pytestmark = pytest.mark.django_db

NEW = "hongse-jiyin-2021"


@pytest.fixture
def one_time(client, people):
    """erin, logged in with a one-time password her secretary gave her."""
    erin = people["erin"]
    password = services.reset_member_password(erin.member, by=people["bob"])
    assert log_in(client, erin.member.phone, password).status_code == 302
    return password


def _change(client, old, new1, new2=None):
    data = {"old_password": old, "new_password1": new1, "new_password2": new2 or new1}
    return client.post(reverse("password_change"), data)


@pytest.mark.parametrize("name", ["home", "member_list", "account", "audit_log"])
def test_every_page_sends_her_to_change_the_password(client, one_time, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url == reverse("password_change")


def test_member_record_also_waits_for_the_change(client, one_time, people):
    response = client.get(reverse("member_detail", args=[people["erin"].member.pk]))
    assert response.url == reverse("password_change")


def test_htmx_requests_are_redirected_with_hx_redirect(client, one_time):
    response = client.get(reverse("home"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("password_change")


def test_change_page_and_logout_stay_reachable(client, one_time):
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "您正在使用一次性密码" in page.content.decode()
    assert client.post(reverse("logout")).url == reverse("login")


def test_static_files_are_not_redirected(client, one_time):
    response = client.get("/static/css/app.css")
    assert not (response.status_code == 302 and response.url == reverse("password_change"))


def test_setting_a_new_password_lifts_the_requirement_and_keeps_the_session(
    client, one_time, people
):
    response = _change(client, one_time, NEW)
    assert response.status_code == 302
    erin = people["erin"]
    erin.refresh_from_db()
    assert not erin.must_change_password
    assert erin.check_password(NEW)
    home = client.get(reverse("home"))  # still logged in, and no longer sent back
    assert home.status_code == 302
    assert home.url == reverse("member_detail", args=[erin.member.pk])
    assert client.get(home.url).status_code == 200


def test_change_is_audited_without_the_password(client, one_time, people):
    _change(client, one_time, NEW)
    entry = AuditEntry.objects.get(action="accounts.password.changed")
    assert entry.actor == people["erin"]
    assert NEW not in str(entry.details)


def test_wrong_old_password_is_refused_in_chinese(client, one_time):
    response = _change(client, "not-the-one-time", NEW)
    assert response.status_code == 400
    assert "旧密码不正确" in response.content.decode()


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short1", "密码太短，至少需要8个字符"),
        ("12345678901", "密码只包含数字"),
        ("password123", "太常见"),
    ],
)
def test_weak_password_is_refused_in_chinese(client, one_time, new, message):
    response = _change(client, one_time, new)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_mismatched_confirmation_is_refused(client, one_time):
    response = _change(client, one_time, NEW, NEW + "x")
    assert response.status_code == 400
    assert "两个密码不一致" in response.content.decode()


def test_the_one_time_password_cannot_be_kept(client, one_time):
    response = _change(client, one_time, one_time)
    assert response.status_code == 400
    assert "新密码不能与原密码相同" in response.content.decode()


def test_anyone_may_change_their_password_without_being_forced(client, people):
    client.force_login(people["alice"])
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "一次性密码" not in page.content.decode()
    assert _change(client, PASSWORD, NEW).status_code == 302


def test_service_refuses_a_weak_password_on_its_field(people):
    with pytest.raises(DomainError) as exc:
        services.change_own_password(people["erin"], "123", by=people["erin"])
    assert exc.value.field == "new_password1"
    assert not AuditEntry.objects.filter(action="accounts.password.changed").exists()


def test_change_password_page_needs_login(client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_after_the_change_she_goes_back_to_the_page_she_asked_for(client, one_time):
    client.get(reverse("my_activities"))  # e.g. the check-in page a QR code led her to
    response = _change(client, one_time, NEW)
    assert response.status_code == 302
    assert response.url == reverse("my_activities")
    again = _change(client, NEW, NEW + "x")  # a later voluntary change goes home
    assert again.url == reverse("home")


def test_an_off_site_address_is_never_the_way_back(client, one_time):
    from dangjian.accounts.middleware import AFTER_CHANGE

    session = client.session
    session[AFTER_CHANGE] = "//evil.example.com/"
    session.save()
    assert _change(client, one_time, NEW).url == reverse("home")
