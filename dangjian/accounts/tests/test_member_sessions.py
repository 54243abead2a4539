"""Members rarely log in at the door: a member without any other role keeps their session for
30 days; staff (and a member who also holds a role) keep Django's default."""

import pytest
from django.conf import settings

from dangjian.accounts.models import Grant, Role

from .helpers import log_in

pytestmark = pytest.mark.django_db
THIRTY_DAYS = 30 * 24 * 3600


def _cookie_max_age(response) -> int:
    return int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"])


def test_member_session_lasts_thirty_days(client, people):
    response = log_in(client, "erin")
    assert response.status_code == 302
    assert settings.MEMBER_SESSION_AGE == THIRTY_DAYS
    assert client.session.get_expiry_age() == THIRTY_DAYS
    assert _cookie_max_age(response) == THIRTY_DAYS


@pytest.mark.parametrize("username", ["alice", "bob"])
def test_staff_sessions_keep_the_default(client, people, username):
    response = log_in(client, username)
    assert response.status_code == 302
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE < THIRTY_DAYS
    assert _cookie_max_age(response) == settings.SESSION_COOKIE_AGE


def test_member_who_is_also_a_secretary_keeps_the_default(client, district, people):
    Grant.objects.create(
        user=people["erin"], role=Role.SECRETARY, organization=district.branches[0]
    )
    log_in(client, "erin")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
