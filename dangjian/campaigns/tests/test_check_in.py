import datetime as dt

import pytest

from dangjian.campaigns import services
from dangjian.campaigns.models import CheckIn
from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry
from dangjian.orgs.models import Member

pytestmark = pytest.mark.django_db

ROLL_CALL = CheckIn.Method.ROLL_CALL
MINUTE = dt.timedelta(minutes=1)


def tick(activity, member, *, at=None, by=None, nonce=None, method=ROLL_CALL):
    return services.check_in(
        activity, member, method=method, by=by, at=at or activity.starts_at, nonce=nonce
    )


def test_roll_call_creates_a_check_in_and_audits_it(make_activity, members, people):
    activity = make_activity()
    check_in, created = tick(activity, members[0], by=people["bob"])
    assert created
    assert (check_in.method, check_in.by, check_in.at) == (
        ROLL_CALL,
        people["bob"],
        activity.starts_at,
    )
    entry = AuditEntry.objects.get(action="campaigns.check_in.created")
    assert entry.actor == people["bob"]
    assert entry.details["method"] == "roll_call"


def test_second_check_in_returns_the_original_time(make_activity, members):
    activity = make_activity()
    first, _ = tick(activity, members[0], at=activity.starts_at - 10 * MINUTE)
    second, created = tick(
        activity, members[0], at=activity.starts_at + 20 * MINUTE, method=CheckIn.Method.QR_SCREEN
    )
    assert not created
    assert second.pk == first.pk
    assert second.at == activity.starts_at - 10 * MINUTE
    assert second.method == ROLL_CALL
    assert CheckIn.objects.count() == 1
    assert AuditEntry.objects.filter(action="campaigns.check_in.created").count() == 1


@pytest.mark.parametrize(
    "offset, allowed",
    [
        (lambda a: a.starts_at - 30 * MINUTE - dt.timedelta(seconds=1), False),
        (lambda a: a.starts_at - 30 * MINUTE, True),
        (lambda a: a.starts_at, True),
        (lambda a: a.ends_at, True),
        (lambda a: a.ends_at + dt.timedelta(seconds=1), False),
    ],
    ids=["just-before-window", "exactly-30-min-before", "start", "exactly-end", "just-after-end"],
)
def test_check_in_window_runs_from_30_minutes_before_until_the_end(
    make_activity, members, offset, allowed
):
    activity = make_activity()
    if allowed:
        assert tick(activity, members[0], at=offset(activity))[1]
        return
    with pytest.raises(DomainError) as exc:
        tick(activity, members[0], at=offset(activity))
    assert exc.value.message == "不在签到时间内（开始前30分钟至结束）"
    assert exc.value.field == "at"
    assert not CheckIn.objects.exists()
    assert not AuditEntry.objects.filter(action="campaigns.check_in.created").exists()


def test_check_in_refused_for_a_cancelled_activity_and_writes_nothing(make_activity, members):
    activity = services.cancel_activity(make_activity(), by=None, reason="疫情防控")
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as exc:
        tick(activity, members[0])
    assert (exc.value.message, exc.value.code) == ("活动已取消", "activity_cancelled")
    assert not CheckIn.objects.exists()
    assert AuditEntry.objects.count() == before


def test_check_in_refused_for_an_inactive_member(make_activity, members):
    Member.objects.filter(pk=members[0].pk).update(status=Member.Status.DECEASED)
    members[0].refresh_from_db()
    with pytest.raises(DomainError) as exc:
        tick(make_activity(), members[0])
    assert exc.value.field == "member"
    assert not CheckIn.objects.exists()


def test_check_in_refuses_an_unknown_method(make_activity, members):
    with pytest.raises(DomainError) as exc:
        tick(make_activity(), members[0], method="telepathy")
    assert exc.value.field == "method"


def test_check_in_marks_whether_the_member_registered(make_activity, members):
    activity = make_activity(capacity=1)
    services.register(activity, members[0], by=None)
    services.register(activity, members[1], by=None)  # waiting
    assert tick(activity, members[0])[0].registered is True
    assert tick(activity, members[1])[0].registered is False
    assert tick(activity, members[2])[0].registered is False  # came without registering


def test_same_nonce_again_returns_the_original_check_in(make_activity, members):
    activity = make_activity()
    first, created = tick(activity, members[0], nonce="n-1")
    again, created_again = tick(activity, members[0], nonce="n-1", at=activity.ends_at)
    assert created and not created_again
    assert again.pk == first.pk and again.at == activity.starts_at


def test_nonce_used_for_another_member_is_refused(make_activity, members):
    activity = make_activity()
    tick(activity, members[0], nonce="n-1")
    with pytest.raises(DomainError) as exc:
        tick(activity, members[1], nonce="n-1")
    assert (exc.value.code, exc.value.field) == ("nonce_used", "nonce")
    assert CheckIn.objects.count() == 1


def test_nonce_is_unique_across_activities(make_activity, members):
    first, second = make_activity(), make_activity(title="第二场")
    tick(first, members[0], nonce="n-1")
    with pytest.raises(DomainError):
        tick(second, members[1], nonce="n-1")


def test_check_ins_without_nonce_do_not_collide(make_activity, members):
    activity = make_activity()
    for member in members[:3]:
        tick(activity, member)
    assert CheckIn.objects.filter(nonce__isnull=True).count() == 3
