"""The audit administrator reads the audit log, filters it, and changes nothing."""

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.accounts.services import create_account
from dangjian.core import audit

pytestmark = pytest.mark.django_db

URL = "/audit/"


@pytest.fixture
def auditor(db):
    return create_account(
        by=None, username="shen", name="审计员", password="x-Long-pass-1", role=Role.AUDIT_ADMIN
    )


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor)
    return client


def _at(day: dt.date, hour: int = 12):
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
    return mock.patch("django.utils.timezone.now", return_value=moment)


def _actions(response) -> list[str]:
    return [e.action for e in response.context["page"].object_list]


def test_audit_log_url_is_audit():
    assert reverse("audit_log") == URL


def test_lists_entries_newest_first(auditor_client):
    for action in ("x.first", "x.second", "x.third"):
        audit.record(action)
    response = auditor_client.get(URL, {"action": "x."})
    assert response.status_code == 200
    assert _actions(response) == ["x.third", "x.second", "x.first"]
    assert "审计日志" in response.content.decode()


def test_filters_by_actor_name_or_username(auditor_client, people):
    audit.record("x.by_bob", actor=people["bob"])  # name 支部书记
    audit.record("x.by_alice", actor=people["alice"])
    assert _actions(auditor_client.get(URL, {"actor": "书记"})) == ["x.by_bob"]
    assert _actions(auditor_client.get(URL, {"actor": "ALI"})) == ["x.by_alice"]


def test_filters_by_action_prefix(auditor_client):
    for action in ("orgs.member.created", "orgs.member.updated", "orgs.organization.created"):
        audit.record(action)
    response = auditor_client.get(URL, {"action": "orgs.member"})
    assert _actions(response) == ["orgs.member.updated", "orgs.member.created"]


def test_filters_by_object_type_id_or_text(auditor_client, people):
    audit.record("x.user_bob", people["bob"])
    audit.record("x.user_alice", people["alice"])
    audit.record("x.nothing")

    def found(obj):
        return _actions(auditor_client.get(URL, {"obj": obj, "action": "x."}))

    assert found("accounts.user") == ["x.user_alice", "x.user_bob"]
    assert found(str(people["bob"].pk)) == ["x.user_bob"]
    assert found("区级管理") == ["x.user_alice"]


def test_filters_by_days_in_local_time(auditor_client):
    with _at(dt.date(2021, 3, 1), hour=0):  # 00:00 in Shanghai is still 28 Feb in UTC
        audit.record("x.march_first")
    with _at(dt.date(2021, 3, 2), hour=23):
        audit.record("x.march_second")
    with _at(dt.date(2021, 3, 3)):
        audit.record("x.march_third")
    response = auditor_client.get(URL, {"since": "2021-03-01", "until": "2021-03-02"})
    assert _actions(response) == ["x.march_second", "x.march_first"]
    later = auditor_client.get(URL, {"since": "2021-03-03", "action": "x."})
    assert _actions(later) == ["x.march_third"]


def test_filters_by_outcome(auditor_client):
    audit.record("x.ok")
    audit.record("x.refused", outcome="denied")
    assert _actions(auditor_client.get(URL, {"outcome": "denied"})) == ["x.refused"]


def test_bad_date_is_named_and_other_filters_still_apply(auditor_client):
    audit.record("x.kept")
    audit.record("y.other")
    response = auditor_client.get(URL, {"since": "2021-13-45", "action": "x."})
    assert response.status_code == 200
    assert 'data-error-for="since"' in response.content.decode()
    assert _actions(response) == ["x.kept"]


def test_is_paginated_keeping_the_filters(auditor_client, settings):
    for i in range(settings.PAGE_SIZE + 3):
        audit.record(f"x.n{i:02d}")
    first = auditor_client.get(URL, {"action": "x."})
    assert len(first.context["page"].object_list) == settings.PAGE_SIZE
    assert "action=x." in first.content.decode()
    second = auditor_client.get(URL, {"action": "x.", "page": 2})
    assert _actions(second) == ["x.n02", "x.n01", "x.n00"]


def test_query_count_does_not_grow_with_rows(auditor_client, people):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert auditor_client.get(URL).status_code == 200
        return len(queries)

    for _ in range(3):
        audit.record("x.y", people["bob"], actor=people["alice"], details={"a": 1})
    few = count_queries()
    for _ in range(30):
        audit.record("x.y", people["bob"], actor=people["alice"], details={"a": 1})
    assert count_queries() == few


def test_shows_details_in_chinese_without_escaping_unicode(auditor_client):
    audit.record("x.y", details={"reason": "测试"})
    page = auditor_client.get(URL).content.decode()
    assert "&quot;reason&quot;: &quot;测试&quot;" in page


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_changes_nothing_other_methods_are_405(auditor_client, method):
    assert getattr(auditor_client, method)(URL).status_code == 405


def test_operator_is_forbidden(client, people):
    client.force_login(people["alice"])
    assert client.get(URL).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_menu_shows_the_audit_log_only_to_who_may_read_it(client, auditor, people):
    client.force_login(auditor)
    assert "审计日志</a>" in client.get(URL).content.decode()
    client.force_login(people["pat"])
    assert "审计日志</a>" not in client.get(reverse("account")).content.decode()


def test_page_fits_a_phone_layout(auditor_client):
    page = auditor_client.get(URL).content.decode()
    assert "<table" not in page  # entries are a list that wraps, not a wide table
