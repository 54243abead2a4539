"""The pages of QR check-in: the projector's code, the landing page a phone opens from it (with
a log-in in between), the member's own code, the staff scanner and its service worker.
The rules themselves are tested in test_check_in.py; here: wiring, permissions and messages."""

import datetime as dt
import re
from contextlib import contextmanager
from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.campaigns import codes, services
from dangjian.campaigns.checkin_views import LANDING_KEY
from dangjian.campaigns.models import CheckIn
from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry
from dangjian.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(make_activity):
    """An activity of bob's branch that began an hour ago and ends in two."""
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    return make_activity(starts_at=start, hours=3, title="现场签到宣讲")


@contextmanager
def clock_at(when: dt.datetime):
    """Move the server's clock (everything here reads `django.utils.timezone.now`)."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


def scan_url(activity, code=None) -> str:
    url = reverse("activity_scan", args=[activity.pk])
    return f"{url}?c={code}" if code is not None else url


def _tamper(code: str) -> str:
    """The same code with one character of its mac changed."""
    last = code[-1]
    return code[:-1] + ("A" if last != "A" else "B")


# ---------------------------------------------------------------- landing, logged in


def test_member_landing_with_the_screen_code_is_checked_in(client, people, held):
    client.force_login(people["erin"])
    response = client.get(scan_url(held, codes.screen_code(held.pk)))
    assert response.status_code == 200
    text = response.content.decode()
    assert "签到成功" in text and held.title in text
    check_in = CheckIn.objects.get(activity=held, member=people["erin"].member)
    assert check_in.method == CheckIn.Method.QR_SCREEN
    assert timezone.localtime(check_in.at).strftime("%Y-%m-%d %H:%M:%S") in text


def test_second_landing_shows_already_checked_in_with_the_original_time(client, people, held):
    client.force_login(people["erin"])
    first_at = timezone.now() - dt.timedelta(seconds=20)
    with clock_at(first_at):
        client.get(scan_url(held, codes.screen_code(held.pk, first_at)))
    response = client.get(scan_url(held, codes.screen_code(held.pk)))
    assert response.status_code == 200
    text = response.content.decode()
    assert "已签到" in text and "签到成功" not in text
    assert timezone.localtime(first_at).strftime("%H:%M:%S") in text
    assert CheckIn.objects.filter(activity=held).count() == 1


def _refused(client, url, message: str):
    response = client.get(url)
    assert response.status_code == 400
    assert message in response.content.decode()
    return response


def test_code_older_than_two_periods_is_refused_and_writes_nothing(client, people, held):
    client.force_login(people["erin"])
    old = codes.screen_code(held.pk, timezone.now() - dt.timedelta(seconds=2 * codes.SCREEN_PERIOD))
    response = _refused(client, scan_url(held, old), codes.EXPIRED[0])
    assert 'data-refusal="code_expired"' in response.content.decode()
    assert not CheckIn.objects.exists()
    assert LANDING_KEY not in client.session


def test_previous_period_code_is_still_accepted(client, people, held):
    client.force_login(people["erin"])
    previous = codes.screen_code(
        held.pk, timezone.now() - dt.timedelta(seconds=codes.SCREEN_PERIOD)
    )
    assert client.get(scan_url(held, previous)).status_code == 200
    assert CheckIn.objects.filter(activity=held).count() == 1


def test_code_of_another_activity_is_refused_and_writes_nothing(
    client, people, held, make_activity
):
    other = make_activity(starts_at=held.starts_at, title="另一场活动")
    client.force_login(people["erin"])
    _refused(client, scan_url(held, codes.screen_code(other.pk)), codes.OTHER_ACTIVITY[0])
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("anonymous", [False, True])
def test_tampered_code_is_refused_without_naming_the_activity(client, people, held, anonymous):
    if not anonymous:
        client.force_login(people["charlie"])  # cannot see the activity
    response = _refused(client, scan_url(held, _tamper(codes.screen_code(held.pk))), "已被篡改")
    assert held.title not in response.content.decode()
    assert not CheckIn.objects.exists()
    assert LANDING_KEY not in client.session


def test_absurdly_long_code_is_refused_as_tampered(client, people, held):
    client.force_login(people["erin"])
    _refused(client, scan_url(held, "1" * 500), codes.INVALID[0])


def test_landing_without_a_code_asks_for_the_screen(client, people, held):
    client.force_login(people["erin"])
    _refused(client, scan_url(held), "请用手机扫描现场屏幕上的签到二维码")
    assert not CheckIn.objects.exists()


def test_valid_code_outside_the_check_in_window_is_refused(client, people, make_activity):
    tomorrow = make_activity()
    client.force_login(people["erin"])
    response = _refused(
        client, scan_url(tomorrow, codes.screen_code(tomorrow.pk)), "不在签到时间内"
    )
    assert tomorrow.title in response.content.decode()  # the code proved presence: say what
    assert not CheckIn.objects.exists()


def test_cancelled_activity_refuses_the_code(client, people, held):
    services.cancel_activity(held, by=None, reason="天气原因")
    client.force_login(people["erin"])
    _refused(client, scan_url(held, codes.screen_code(held.pk)), "取消")
    assert not CheckIn.objects.exists()


def test_account_without_a_member_record_is_told_only_members_scan(client, people, held):
    client.force_login(people["alice"])
    response = client.get(scan_url(held, codes.screen_code(held.pk)))
    assert response.status_code == 403
    assert "只有党员本人可以扫码签到" in response.content.decode()
    assert not CheckIn.objects.exists()


# ---------------------------------------------------------------- landing, then logging in


def test_visitor_logs_in_and_is_checked_in_as_of_landing_though_the_code_expired(
    client, people, held
):
    landed = timezone.now()
    with clock_at(landed):
        response = client.get(scan_url(held, codes.screen_code(held.pk, landed)))
    login = reverse("login")
    assert response.status_code == 302
    url = urlparse(response.url)
    assert url.path == login
    assert parse_qs(url.query) == {"next": [scan_url(held)]}  # the code stays on the server
    assert not CheckIn.objects.exists()

    later = landed + dt.timedelta(minutes=3)  # typing the password took a while
    with clock_at(later):
        answer = client.post(
            login, {"username": "erin", "password": PASSWORD, "next": scan_url(held)}
        )
        assert answer.status_code == 302 and answer.url == scan_url(held)
        response = client.get(answer.url)
    assert response.status_code == 200
    assert "签到成功" in response.content.decode()
    check_in = CheckIn.objects.get(activity=held, member=people["erin"].member)
    assert check_in.at == landed
    assert LANDING_KEY not in client.session  # used once


def test_landing_kept_longer_than_ten_minutes_is_expired(client, people, held):
    landed = timezone.now()
    with clock_at(landed):
        client.get(scan_url(held, codes.screen_code(held.pk, landed)))
    with clock_at(landed + dt.timedelta(minutes=11)):
        client.post(reverse("login"), {"username": "erin", "password": PASSWORD})
        _refused(client, scan_url(held), codes.EXPIRED[0])
    assert not CheckIn.objects.exists()


def test_landing_kept_for_one_activity_does_not_check_in_at_another(
    client, people, held, make_activity
):
    other = make_activity(starts_at=held.starts_at, hours=3, title="另一场活动")
    client.get(scan_url(held, codes.screen_code(held.pk)))
    client.post(reverse("login"), {"username": "erin", "password": PASSWORD})
    _refused(client, scan_url(other), "请用手机扫描")
    assert not CheckIn.objects.exists()


# ---------------------------------------------------------------- the projector


def test_projector_shows_a_qr_code_the_count_and_a_countdown(client, people, held):
    services.check_in(held, people["erin"].member, method=CheckIn.Method.ROLL_CALL, by=None)
    client.force_login(people["bob"])
    response = client.get(reverse("activity_screen", args=[held.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "<svg" in text and held.title in text
    assert re.search(r"已签到 <strong data-checked-in>1</strong> 人", text)
    assert reverse("activity_screen_code", args=[held.pk]) in text
    assert codes.screen_code(held.pk) not in text  # only inside the picture


def test_projector_code_endpoint_rotates_with_the_period(client, people, held):
    client.force_login(people["alice"])
    url = reverse("activity_screen_code", args=[held.pk])
    now = timezone.now()
    with clock_at(now):
        first = client.get(url).json()
    with clock_at(now + dt.timedelta(seconds=codes.SCREEN_PERIOD)):
        second = client.get(url).json()
    assert set(first) == {"svg", "expires_in", "checked_in"}
    assert first["svg"].startswith("<svg") and first["svg"] != second["svg"]
    assert 1 <= first["expires_in"] <= codes.SCREEN_PERIOD
    assert first["checked_in"] == 0


@pytest.mark.parametrize("name", ["activity_screen", "activity_screen_code", "activity_scanner"])
def test_member_and_outsider_cannot_open_staff_check_in_pages(client, people, held, name):
    url = reverse(name, args=[held.pk])
    client.force_login(people["erin"])
    assert client.get(url).status_code == 403
    client.force_login(people["charlie"])
    assert client.get(url).status_code == 404


def test_activity_page_links_the_projector_and_scanner_for_staff_only(client, people, held):
    detail = reverse("activity_detail", args=[held.pk])
    links = [
        reverse("activity_screen", args=[held.pk]),
        reverse("activity_scanner", args=[held.pk]),
    ]
    client.force_login(people["bob"])
    text = client.get(detail).content.decode()
    assert all(link in text for link in links)
    client.force_login(people["erin"])
    text = client.get(detail).content.decode()
    assert not any(link in text for link in links)


# ---------------------------------------------------------------- the member's code


def test_member_code_page_shows_the_current_code_as_qr_and_text(client, people):
    member = people["erin"].member
    client.force_login(people["erin"])
    response = client.get(reverse("my_member_code"))
    assert response.status_code == 200
    text = response.content.decode()
    assert services.current_member_code(member) in text
    assert "<svg" in text and "重新生成党员码" in text


def test_reissuing_the_member_code_revokes_the_old_one(client, people):
    member = people["erin"].member
    client.force_login(people["erin"])
    old = services.current_member_code(member)
    response = client.post(reverse("my_member_code_reissue"), follow=True)
    assert response.status_code == 200
    new = services.current_member_code(member)
    assert new != old
    text = response.content.decode()
    assert new in text and old not in text and "已失效" in text
    with pytest.raises(DomainError) as refused:
        services.member_for_code(old)
    assert refused.value.code == "member_code_revoked"
    assert services.member_for_code(new) == member
    assert AuditEntry.objects.filter(action="campaigns.member_code.reissued").exists()


def test_member_code_is_only_for_members(client, people):
    client.force_login(people["bob"])
    assert client.get(reverse("my_member_code")).status_code == 403
    assert client.post(reverse("my_member_code_reissue")).status_code == 403
    client.logout()
    response = client.get(reverse("my_member_code"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_members_find_their_code_in_the_menu_and_on_my_activities(client, people):
    client.force_login(people["erin"])
    text = client.get(reverse("my_activities")).content.decode()
    assert text.count(f'href="{reverse("my_member_code")}"') == 2
    client.force_login(people["bob"])
    assert reverse("my_member_code") not in client.get(reverse("activity_list")).content.decode()


def test_reissue_needs_post(client, people):
    client.force_login(people["erin"])
    assert client.get(reverse("my_member_code_reissue")).status_code == 405


# ---------------------------------------------------------------- the staff scanner


def test_scanner_page_points_at_the_batch_endpoint_and_its_worker(client, people, held):
    client.force_login(people["bob"])
    response = client.get(reverse("activity_scanner", args=[held.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert f"/api/v1/activities/{held.pk}/check-ins/batch" in text
    assert 'data-service-worker="/scanner-sw.js"' in text
    assert "vendor/jsqr/jsQR.js" in text and "campaigns/scanner.js" in text


def test_service_worker_is_javascript_that_keeps_the_scanner_files(client):
    response = client.get(reverse("scanner_service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    text = response.content.decode()
    assert '"/static/campaigns/scanner.js"' in text and '"/static/vendor/jsqr/jsQR.js"' in text
    assert "&quot;" not in text  # not HTML-escaped


def test_vendored_jsqr_keeps_its_licence():
    from django.conf import settings

    vendor = settings.BASE_DIR / "dangjian" / "static" / "vendor" / "jsqr"
    assert "Apache License" in (vendor / "LICENSE").read_text()
    assert "Apache" in (vendor / "jsQR.js").read_text().splitlines()[0]
