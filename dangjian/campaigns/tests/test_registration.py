import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import timezone

from dangjian.campaigns import services
from dangjian.campaigns.models import Registration
from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry
from dangjian.orgs.models import Member

pytestmark = pytest.mark.django_db

REGISTERED, WAITING, CANCELLED = (
    Registration.Status.REGISTERED,
    Registration.Status.WAITING,
    Registration.Status.CANCELLED,
)


def sign_up_all(activity, members):
    return [services.register(activity, member, by=None) for member in members]


def test_sign_ups_beyond_capacity_wait(make_activity, members):
    activity = make_activity(capacity=3)
    registrations = sign_up_all(activity, members[:5])
    assert [r.status for r in registrations] == [REGISTERED] * 3 + [WAITING] * 2


def test_unlimited_capacity_registers_everyone(make_activity, members):
    registrations = sign_up_all(make_activity(capacity=None), members)
    assert {r.status for r in registrations} == {REGISTERED}


def test_register_is_idempotent_for_a_live_registration(make_activity, members):
    activity = make_activity(capacity=1)
    first = services.register(activity, members[0], by=None)
    waiting = services.register(activity, members[1], by=None)
    assert services.register(activity, members[0], by=None) == first
    assert services.register(activity, members[1], by=None) == waiting
    assert Registration.objects.count() == 2
    assert AuditEntry.objects.filter(action="campaigns.registration.created").count() == 2


def test_member_may_register_again_after_cancelling(make_activity, members):
    activity = make_activity(capacity=2)
    first = services.register(activity, members[0], by=None)
    services.cancel_registration(first, by=None)
    again = services.register(activity, members[0], by=None)
    assert again.pk != first.pk and again.status == REGISTERED


def test_database_allows_one_live_registration_per_member(make_activity, members):
    activity = make_activity()
    services.register(activity, members[0], by=None)
    with pytest.raises(IntegrityError):
        Registration.objects.create(activity=activity, member=members[0], status=WAITING)


def test_cancelling_one_of_ten_promotes_the_earliest_waiting_entry_only(make_activity, members):
    activity = make_activity(capacity=10)
    base = timezone.now()
    registrations = sign_up_all(activity, members[:12])
    # Make sign-up order differ from primary-key order: the later row signed up first.
    Registration.objects.filter(pk=registrations[11].pk).update(
        created_at=base - dt.timedelta(minutes=5)
    )
    services.cancel_registration(registrations[4], by=None)
    statuses = dict(Registration.objects.values_list("member_id", "status"))
    assert statuses[members[4].pk] == CANCELLED
    assert statuses[members[11].pk] == REGISTERED
    assert statuses[members[10].pk] == WAITING
    promoted = Registration.objects.get(member=members[11])
    assert promoted.promoted_at is not None
    assert Registration.objects.filter(status=REGISTERED).count() == 10
    assert AuditEntry.objects.filter(action="campaigns.registration.promoted").count() == 1


def test_waiting_list_ties_on_sign_up_time_promote_by_id(make_activity, members):
    activity = make_activity(capacity=1)
    first, *waiting = sign_up_all(activity, members[:4])
    Registration.objects.filter(status=WAITING).update(created_at=timezone.now())
    services.cancel_registration(first, by=None)
    assert Registration.objects.get(status=REGISTERED) == waiting[0]


def test_cancelling_a_waiting_entry_promotes_nobody(make_activity, members):
    activity = make_activity(capacity=1)
    registrations = sign_up_all(activity, members[:3])
    services.cancel_registration(registrations[1], by=None)
    assert Registration.objects.get(member=members[2]).status == WAITING
    assert not AuditEntry.objects.filter(action="campaigns.registration.promoted").exists()


def test_cancelling_twice_changes_nothing(make_activity, members):
    activity = make_activity(capacity=1)
    registrations = sign_up_all(activity, members[:3])
    services.cancel_registration(registrations[0], by=None)
    services.cancel_registration(registrations[0], by=None)
    assert list(Registration.objects.filter(status=REGISTERED)) == [registrations[1]]
    assert AuditEntry.objects.filter(action="campaigns.registration.cancelled").count() == 1


def test_larger_capacity_promotes_waiting_entries_in_order(make_activity, members):
    activity = make_activity(capacity=2)
    registrations = sign_up_all(activity, members[:6])
    services.update_activity(activity, by=None, capacity=4)
    registered = Registration.objects.filter(status=REGISTERED).order_by("created_at", "id")
    assert list(registered) == registrations[:4]


def test_capacity_cannot_drop_below_the_registered_count(make_activity, members):
    activity = make_activity(capacity=5)
    sign_up_all(activity, members[:4])
    with pytest.raises(DomainError) as exc:
        services.update_activity(activity, by=None, capacity=3)
    assert exc.value.message == "名额不能少于已报名人数（4人）"
    assert exc.value.field == "capacity"


def test_registration_refused_before_it_opens(make_activity, members):
    activity = make_activity(open=False)
    with pytest.raises(DomainError) as exc:
        services.register(activity, members[0], by=None)
    assert exc.value.code == "registration_closed"
    assert not Registration.objects.exists()


def test_registration_refused_for_a_cancelled_activity(make_activity, members):
    activity = services.cancel_activity(make_activity(), by=None, reason="场地冲突")
    with pytest.raises(DomainError, match="活动已取消"):
        services.register(activity, members[0], by=None)
    assert not Registration.objects.exists()


def test_registration_refused_for_a_finished_activity(make_activity, members):
    activity = make_activity()  # opened while upcoming, then it is over
    now = timezone.now()
    services.update_activity(
        activity,
        by=None,
        starts_at=now - dt.timedelta(hours=3),
        ends_at=now - dt.timedelta(hours=1),
    )
    with pytest.raises(DomainError) as exc:
        services.register(activity, members[0], by=None)
    assert exc.value.code == "activity_finished"
    assert not Registration.objects.exists()


def test_registration_refused_for_an_inactive_member(make_activity, members):
    Member.objects.filter(pk=members[0].pk).update(status=Member.Status.TRANSFERRED_OUT)
    members[0].refresh_from_db()
    with pytest.raises(DomainError) as exc:
        services.register(make_activity(), members[0], by=None)
    assert exc.value.field == "member"
    assert not Registration.objects.exists()
