"""Races on real connections, one per thread. These run on SQLite (IMMEDIATE transactions,
file database) and on PostgreSQL (row locks, constraints) alike."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from dangjian.campaigns import services
from dangjian.campaigns.models import CheckIn, Registration
from dangjian.core import testing
from dangjian.core.testing import run_together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def slow_inside_transaction(monkeypatch):
    """Hold each call a little while inside its transaction (after the activity is read or
    locked), so that quick calls surely overlap; the race itself is untouched."""

    def slow(name: str, seconds: float = 0.03):
        original = getattr(services, name)

        def delayed(*args, **kwargs):
            result = original(*args, **kwargs)
            time.sleep(seconds)
            return result

        monkeypatch.setattr(services, name, delayed)

    return slow


def test_fifty_simultaneous_sign_ups_for_ten_places(
    make_activity, district, slow_inside_transaction
):
    activity = make_activity(capacity=10)
    members = testing.add_members(district, 50)
    slow_inside_transaction("_locked", 0.005)
    registrations = run_together(
        lambda member: services.register(activity, member, by=None), members
    )
    assert [r.status for r in registrations].count(Registration.Status.REGISTERED) == 10
    statuses = list(Registration.objects.filter(activity=activity).values_list("status", flat=True))
    assert statuses.count(Registration.Status.REGISTERED) == 10
    assert statuses.count(Registration.Status.WAITING) == 40
    assert len(statuses) == 50


def test_simultaneous_sign_ups_of_one_member_make_one_registration(
    make_activity, members, slow_inside_transaction
):
    activity = make_activity(capacity=10)
    slow_inside_transaction("_locked")
    registrations = run_together(
        lambda _: services.register(activity, members[0], by=None), range(8)
    )
    assert len({r.pk for r in registrations}) == 1
    assert Registration.objects.filter(activity=activity).count() == 1


def test_two_simultaneous_roll_call_ticks_make_one_check_in(
    make_activity, members, people, slow_inside_transaction
):
    activity = make_activity()
    slow_inside_transaction("_check_check_in_open", 0.05)

    def tick(_):
        return services.check_in(
            activity,
            members[0],
            method=CheckIn.Method.ROLL_CALL,
            by=people["bob"],
            at=activity.starts_at,
        )

    results = run_together(tick, range(2))
    assert sorted(created for _, created in results) == [False, True]
    assert len({check_in.pk for check_in, _ in results}) == 1
    assert CheckIn.objects.filter(activity=activity, member=members[0]).count() == 1


def test_simultaneous_cancellations_promote_each_waiting_entry_once(
    make_activity, district, slow_inside_transaction
):
    activity = make_activity(capacity=5)
    members = testing.add_members(district, 15)
    registrations = [services.register(activity, m, by=None) for m in members]
    slow_inside_transaction("_locked")
    run_together(lambda r: services.cancel_registration(r, by=None), registrations[:5])
    registered = Registration.objects.filter(activity=activity, status="registered")
    assert sorted(r.pk for r in registered) == sorted(r.pk for r in registrations[5:10])
    assert Registration.objects.filter(activity=activity, status="waiting").count() == 5


def test_two_simultaneous_scans_of_one_member_code_make_one_check_in(
    make_activity, members, people, slow_inside_transaction
):
    """Two staff phones scan the same member at once, each with its own nonce."""
    activity = make_activity(starts_at=timezone.now() - dt.timedelta(minutes=10))
    code = services.current_member_code(members[0])
    slow_inside_transaction("_check_check_in_open", 0.05)

    def scan(nonce):
        return services.check_in_by_member_code(
            activity, code, by=people["bob"], at=activity.starts_at, nonce=nonce
        )

    results = run_together(scan, ["phone-1", "phone-2"])
    assert sorted(created for _, created in results) == [False, True]
    assert len({check_in.pk for check_in, _ in results}) == 1
    assert CheckIn.objects.filter(activity=activity, member=members[0]).count() == 1


def test_a_retried_upload_racing_the_first_makes_one_check_in(
    make_activity, members, slow_inside_transaction
):
    """The offline queue uploads the same scan (same nonce) twice at once."""
    activity = make_activity(starts_at=timezone.now() - dt.timedelta(minutes=10))
    code = services.current_member_code(members[0])
    slow_inside_transaction("_check_check_in_open", 0.05)

    def upload(_):
        return services.check_in_by_member_code(
            activity, code, by=None, at=activity.starts_at, nonce="queued-1"
        )

    results = run_together(upload, range(2))
    assert len({check_in.pk for check_in, _ in results}) == 1
    assert CheckIn.objects.filter(activity=activity).count() == 1
