"""The API v1 of campaigns and activities: the same services, scopes and permissions as the
pages; refusals as `{"code", "message", "field"}` in Chinese."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.accounts.permissions import own_member_id
from dangjian.accounts.services import create_api_token
from dangjian.campaigns import services
from dangjian.campaigns.models import CheckIn, Registration
from dangjian.core.models import AuditEntry

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


class Api:
    """A test client that calls the API with a token of `user`."""

    def __init__(self, client, user):
        _, secret = create_api_token(user, "tests", by=None)
        self.client, self.headers = client, {"Authorization": f"Bearer {secret}"}

    def get(self, path, params=None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self.headers)

    def post(self, path, body=None):
        return self.client.post(
            f"/api/v1{path}", body or {}, content_type="application/json", headers=self.headers
        )

    def delete(self, path):
        return self.client.delete(f"/api/v1{path}", headers=self.headers)


@pytest.fixture
def api(client, people):
    return lambda name: Api(client, people[name])


@pytest.fixture
def in_progress(make_activity):
    """An open activity of bob's branch that started ten minutes ago: check-in is open."""
    return make_activity(starts_at=timezone.now() - dt.timedelta(minutes=10))


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_campaigns_are_listed(api, campaign):
    response = api("erin").get("/campaigns")
    assert response.status_code == 200
    [row] = response.json()
    assert row["name"] == campaign.name and row["is_current"] is True


def test_activities_are_scoped_like_the_pages(api, make_activity):
    activity = make_activity()
    assert activity.pk in _ids(api("bob").get("/activities"))
    assert activity.pk in _ids(api("erin").get("/activities"))
    assert activity.pk not in _ids(api("charlie").get("/activities"))
    response = api("charlie").get(f"/activities/{activity.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_activity_list_filters(api, make_activity, campaign):
    lecture = make_activity(type="lecture")
    cancelled = make_activity(title="取消的活动")
    services.cancel_activity(cancelled, by=None, reason="天气原因")
    alice = api("alice")
    assert lecture.pk in _ids(alice.get("/activities", {"type": "lecture"}))
    assert _ids(alice.get("/activities", {"phase": "cancelled"})) == {cancelled.pk}
    assert cancelled.pk not in _ids(alice.get("/activities", {"phase": "upcoming"}))
    assert lecture.pk in _ids(alice.get("/activities", {"campaign": campaign.pk}))
    assert _ids(alice.get("/activities", {"campaign": campaign.pk + 1000})) == set()
    response = alice.get("/activities", {"type": "nope"})
    assert response.status_code == 400
    assert response.json()["field"] == "type" and CHINESE.search(response.json()["message"])


def test_activity_detail_has_attendance(api, in_progress, district):
    services.record_walk_ins(in_progress, 7, by=None)
    response = api("erin").get(f"/activities/{in_progress.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["attendance"] == {"people": 0, "organizations": 0, "walk_ins": 7}
    assert body["phase"] == "in_progress" and body["organizer_ids"] == [district.branches[0].pk]


def test_erin_registers_and_cancels(api, make_activity, people):
    activity = make_activity()
    erin = api("erin")
    response = erin.post(f"/activities/{activity.pk}/registrations")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "registered"
    assert response.json()["member_id"] == own_member_id(people["erin"])
    again = erin.post(f"/activities/{activity.pk}/registrations")
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]
    assert erin.delete(f"/activities/{activity.pk}/registrations/mine").status_code == 204
    registration = Registration.objects.get(pk=response.json()["id"])
    assert registration.status == Registration.Status.CANCELLED
    assert erin.delete(f"/activities/{activity.pk}/registrations/mine").status_code == 204


def test_a_user_without_member_record_may_not_register(api, make_activity):
    activity = make_activity()
    response = api("bob").post(f"/activities/{activity.pk}/registrations")
    assert response.status_code == 403
    assert CHINESE.search(response.json()["message"])
    assert not Registration.objects.exists()


def test_registration_refused_when_not_open(api, make_activity):
    activity = make_activity(open=False)
    response = api("erin").post(f"/activities/{activity.pk}/registrations")
    assert response.status_code == 400
    assert response.json()["code"] == "registration_closed"
    assert not Registration.objects.exists()


def test_roll_call_check_in_then_repeat(api, in_progress, members):
    member = next(m for m in members if m.organization_id == in_progress.organizers.get().pk)
    bob = api("bob")
    path = f"/activities/{in_progress.pk}/check-ins"
    first = bob.post(path, {"member_id": member.pk})
    assert first.status_code == 201, first.content
    assert first.json()["method"] == "roll_call"
    repeat = bob.post(path, {"member_id": member.pk})
    assert repeat.status_code == 200
    assert repeat.json()["at"] == first.json()["at"]
    assert CheckIn.objects.filter(activity=in_progress).count() == 1
    response = bob.get(f"/activities/{in_progress.pk}")
    assert response.json()["attendance"]["people"] == 1


def test_check_in_refused_for_member_outside_the_roll(api, in_progress, members):
    outsider = next(m for m in members if m.organization_id != in_progress.organizers.get().pk)
    response = api("alice").post(
        f"/activities/{in_progress.pk}/check-ins", {"member_id": outsider.pk}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "member_id"
    assert not CheckIn.objects.exists()


def test_check_in_refused_for_a_cancelled_activity(api, in_progress, members):
    member = next(m for m in members if m.organization_id == in_progress.organizers.get().pk)
    services.cancel_activity(in_progress, by=None, reason="临时调整")
    bob = api("bob")
    audit_before = AuditEntry.objects.count()
    response = bob.post(f"/activities/{in_progress.pk}/check-ins", {"member_id": member.pk})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "activity_cancelled" and body["message"] == "活动已取消"
    assert not CheckIn.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_check_in_needs_the_right_over_an_organizer(api, in_progress, people):
    response = api("erin").post(
        f"/activities/{in_progress.pk}/check-ins", {"member_id": own_member_id(people["erin"])}
    )
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


def test_statuses_are_declared(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    check_ins = paths["/api/v1/activities/{activity_id}/check-ins"]["post"]["responses"]
    assert {"200", "201", "400", "401", "403", "404", "422"} <= set(check_ins)


def _list_queries(api_client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/activities", {"limit": 100})
    assert response.status_code == 200
    return len(queries)


def test_activity_list_query_count_is_constant(api, make_activity, members):
    alice = api("alice")
    for i in range(5):
        make_activity(title=f"活动{i}")
    _list_queries(alice)  # the token's first use is recorded once
    few = _list_queries(alice)
    for i in range(5, 50):
        make_activity(title=f"活动{i}")
    assert _list_queries(alice) == few
