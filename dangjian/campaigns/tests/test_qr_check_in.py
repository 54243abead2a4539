"""QR check-in: the signed screen and member codes, nonces, offline scans, and the API answers."""

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.campaigns import codes, services
from dangjian.campaigns.models import CheckIn
from dangjian.core.errors import DomainError
from dangjian.orgs import services as orgs

pytestmark = pytest.mark.django_db


@pytest.fixture
def now_activity(make_activity):
    """Bob's branch's activity that began ten minutes ago and runs two hours."""
    starts_at = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=10)
    return make_activity(open=False, starts_at=starts_at, title="现场宣讲会")


def refused(call) -> str:
    """The machine code of the refusal; asserts that nothing was written."""
    before = CheckIn.objects.count()
    with pytest.raises(DomainError) as exc:
        call()
    assert CheckIn.objects.count() == before
    return exc.value.code


# ---------------------------------------------------------------- screen codes


def test_a_screen_code_works_in_its_period_and_the_next_only(now_activity, members):
    now = timezone.now()
    period = dt.timedelta(seconds=codes.SCREEN_PERIOD)
    code = codes.screen_code(now_activity.pk, now - period)  # the previous period's code
    check_in, created = services.check_in_by_screen_code(now_activity, members[0], code, by=None)
    assert created and check_in.method == CheckIn.Method.QR_SCREEN

    old = codes.screen_code(now_activity.pk, now - 2 * period)
    error = refused(
        lambda: services.check_in_by_screen_code(now_activity, members[1], old, by=None)
    )
    assert error == "code_expired"


def test_a_screen_code_of_another_activity_is_refused(now_activity, make_activity, members):
    other = make_activity(open=False, title="另一场活动")
    code = codes.screen_code(other.pk)
    error = refused(
        lambda: services.check_in_by_screen_code(now_activity, members[0], code, by=None)
    )
    assert error == "code_other_activity"


@pytest.mark.parametrize("position", [0, -1, -4])
def test_a_screen_code_with_one_changed_character_is_refused(now_activity, members, position):
    code = codes.screen_code(now_activity.pk)
    changed = code[position]
    replacement = {"0": "1", "1": "2"}.get(changed, "2" if changed.isdigit() else "A")
    replacement = replacement if replacement != changed else "B"
    tampered = code[:position] + replacement + (code[position + 1 :] if position != -1 else "")
    assert tampered != code
    error = refused(
        lambda: services.check_in_by_screen_code(now_activity, members[0], tampered, by=None)
    )
    assert error == "code_invalid"


def test_garbage_is_an_invalid_code_not_an_error(now_activity, members):
    for garbage in ["", "hello", "1-2", "9" * 40 + "-1-AAAAAAAAAA", "1-1-aaaaaaaaa!"]:
        error = refused(
            lambda g=garbage: services.check_in_by_screen_code(now_activity, members[0], g, by=None)
        )
        assert error == "code_invalid"


def test_the_screen_code_respects_the_check_in_window_and_cancellation(make_activity, members):
    later = make_activity(open=False)  # tomorrow: outside the window
    code = codes.screen_code(later.pk)
    assert (
        refused(lambda: services.check_in_by_screen_code(later, members[0], code, by=None))
        == "check_in_closed"
    )
    services.cancel_activity(later, by=None, reason="改期")
    assert (
        refused(lambda: services.check_in_by_screen_code(later, members[0], code, by=None))
        == "activity_cancelled"
    )


# ---------------------------------------------------------------- member codes


def test_a_member_code_checks_the_member_in_and_names_them(now_activity, members, people):
    code = services.current_member_code(members[0])
    assert services.current_member_code(members[0]) == code  # stable until re-issued
    check_in, created = services.check_in_by_member_code(now_activity, code, by=people["bob"])
    assert created and check_in.member == members[0]
    assert check_in.method == CheckIn.Method.MEMBER_CODE and check_in.by == people["bob"]


def test_the_scanned_member_holds_their_own_data_read_or_not(now_activity, members):
    """The scan reads only a few columns by hand; whatever else is used of the member or their
    organization is read from the database, never left at a blank default."""
    member = members[0]
    member.refresh_from_db()
    assert member.phone and member.organization.kind and member.organization.parent_id
    scanned = services.member_for_code(services.current_member_code(member))
    assert (scanned.pk, scanned.name, scanned.status) == (member.pk, member.name, member.status)
    assert scanned.organization.name == member.organization.name
    assert scanned.organization.path == member.organization.path
    assert scanned.phone == member.phone and scanned.id_number == member.id_number
    assert scanned.organization.kind == member.organization.kind
    assert scanned.organization.parent_id == member.organization.parent_id


def test_a_typed_code_may_differ_in_case_and_spaces(now_activity, members):
    code = services.current_member_code(members[0])
    typed = " ".join([code[:4], code[4:].lower()])
    _, created = services.check_in_by_member_code(now_activity, typed, by=None)
    assert created


def test_a_reissued_member_code_revokes_the_old_one(now_activity, members, people):
    old = services.current_member_code(members[0])
    new = services.reissue_member_code(members[0], by=people["erin"])
    assert new != old
    error = refused(lambda: services.check_in_by_member_code(now_activity, old, by=None))
    assert error == "member_code_revoked"
    _, created = services.check_in_by_member_code(now_activity, new, by=None)
    assert created


def test_a_member_code_never_issued_or_of_nobody_is_refused(now_activity, members):
    never_issued = codes.member_code(members[0].pk, 1)  # signed, but no code was issued
    assert (
        refused(lambda: services.check_in_by_member_code(now_activity, never_issued, by=None))
        == "member_code_revoked"
    )
    nobody = codes.member_code(10**9, 1)
    assert (
        refused(lambda: services.check_in_by_member_code(now_activity, nobody, by=None))
        == "member_not_found"
    )


def test_a_member_who_left_the_roster_is_refused(now_activity, members):
    code = services.current_member_code(members[0])
    orgs.change_member_status(members[0], by=None, status="transferred_out", reason="调往外省")
    error = refused(lambda: services.check_in_by_member_code(now_activity, code, by=None))
    assert error == "member_inactive"


# ---------------------------------------------------------------- nonces and offline scans


def test_a_replayed_nonce_changes_nothing(now_activity, members):
    code = services.current_member_code(members[0])
    first, created = services.check_in_by_member_code(now_activity, code, by=None, nonce="n-1")
    again, created_again = services.check_in_by_member_code(
        now_activity, code, by=None, nonce="n-1"
    )
    assert created and not created_again and again.pk == first.pk and again.at == first.at
    assert CheckIn.objects.count() == 1


def test_a_nonce_reused_for_another_member_is_refused(now_activity, members):
    services.check_in_by_member_code(
        now_activity, services.current_member_code(members[0]), by=None, nonce="n-1"
    )
    other = services.current_member_code(members[1])
    error = refused(
        lambda: services.check_in_by_member_code(now_activity, other, by=None, nonce="n-1")
    )
    assert error == "nonce_used"


def test_an_offline_scan_uploaded_later_keeps_its_time(make_activity, members):
    # The activity ended an hour ago; the scan was made during it and uploaded only now.
    starts_at = timezone.now().replace(microsecond=0) - dt.timedelta(hours=3)
    ended = make_activity(open=False, starts_at=starts_at, hours=2)
    scanned_at = starts_at + dt.timedelta(minutes=5)
    code = services.current_member_code(members[0])
    check_in, created = services.check_in_by_member_code(ended, code, by=None, at=scanned_at)
    assert created and check_in.at == scanned_at
    late = starts_at + dt.timedelta(hours=2, minutes=1)  # scanned after the end
    assert (
        refused(
            lambda: services.check_in_by_member_code(
                ended, services.current_member_code(members[1]), by=None, at=late
            )
        )
        == "check_in_closed"
    )


def test_a_scan_time_in_the_future_is_refused(now_activity, members):
    code = services.current_member_code(members[0])
    future = timezone.now() + dt.timedelta(minutes=10)
    error = refused(
        lambda: services.check_in_by_member_code(now_activity, code, by=None, at=future)
    )
    assert error == "at_in_future"


# ---------------------------------------------------------------- the API


def login(client, user):
    client.logout()
    client.force_login(user)
    return client


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_the_scan_endpoint_answers_new_already_and_refused(client, people, now_activity, members):
    login(client, people["bob"])
    url = f"/api/v1/activities/{now_activity.pk}/check-ins/scan"
    code = services.current_member_code(members[0])
    first = post(client, url, {"code": code, "nonce": "a"})
    assert first.status_code == 201
    assert first.json()["status"] == "checked_in" and first.json()["member_name"] == members[0].name
    second = post(client, url, {"code": code, "nonce": "b"})
    assert second.status_code == 200 and second.json()["status"] == "already_checked_in"
    local = timezone.localtime(CheckIn.objects.get().at).strftime("%H:%M")
    assert second.json()["message"] == f"已签到（签到时间 {local}）"

    tampered = post(client, url, {"code": code[:-1] + ("A" if code[-1] != "A" else "B")})
    assert tampered.status_code == 400
    assert tampered.json() == {
        "code": "code_invalid",
        "message": "签到码无效或已被篡改",
        "field": "code",
    }


def test_the_batch_answers_each_item_by_its_scan_time(client, people, now_activity, members):
    login(client, people["bob"])
    scanned_at = now_activity.starts_at + dt.timedelta(minutes=3)
    first, second = (services.current_member_code(m) for m in members[:2])
    old = services.current_member_code(members[2])
    services.reissue_member_code(members[2], by=None)
    items = [
        {"code": first, "nonce": "n1", "at": scanned_at.isoformat()},
        {"code": first, "nonce": "n1", "at": scanned_at.isoformat()},  # a retried upload
        {"code": second, "nonce": "n2", "at": scanned_at.isoformat()},
        {"code": second, "nonce": "n1", "at": scanned_at.isoformat()},  # nonce of another
        {"code": old, "nonce": "n3", "at": scanned_at.isoformat()},
        {"code": "1-1-AAAAAAAAAA", "nonce": "n4"},
    ]
    url = f"/api/v1/activities/{now_activity.pk}/check-ins/batch"
    response = post(client, url, {"items": items})
    assert response.status_code == 200
    answers = [(r["nonce"], r["status"], r["code"]) for r in response.json()["results"]]
    assert answers == [
        ("n1", "checked_in", "checked_in"),
        ("n1", "already_checked_in", "already_checked_in"),
        ("n2", "checked_in", "checked_in"),
        ("n1", "refused", "nonce_used"),
        ("n3", "refused", "member_code_revoked"),
        ("n4", "refused", "code_invalid"),
    ]
    assert set(CheckIn.objects.values_list("at", flat=True)) == {scanned_at}

    again = post(client, url, {"items": items[:1]}).json()["results"]  # the whole upload again
    assert again[0]["status"] == "already_checked_in"
    assert CheckIn.objects.count() == 2


def test_the_scanner_endpoints_need_the_check_in_right_over_an_organizer(
    client, people, now_activity, members
):
    code = services.current_member_code(members[0])
    for persona, status in [("erin", 403), ("charlie", 404)]:
        login(client, people[persona])
        url = f"/api/v1/activities/{now_activity.pk}/check-ins/scan"
        assert post(client, url, {"code": code}).status_code == status
    assert not CheckIn.objects.exists()


def test_a_member_checks_in_with_the_screen_code(client, people, now_activity):
    login(client, people["erin"])
    url = f"/api/v1/activities/{now_activity.pk}/check-ins/mine"
    response = post(client, url, {"code": codes.screen_code(now_activity.pk)})
    assert response.status_code == 201 and response.json()["member_name"] == "尔琳"
    assert post(client, url, {"code": "1-1-AAAAAAAAAA"}).status_code == 400
    login(client, people["bob"])  # a secretary without a member record of his own
    assert post(client, url, {"code": codes.screen_code(now_activity.pk)}).status_code == 403


def test_a_scan_costs_the_same_queries_at_5_and_50_check_ins(
    client, people, district, now_activity
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.core.testing import add_members

    login(client, people["bob"])
    url = f"/api/v1/activities/{now_activity.pk}/check-ins/scan"
    crowd = add_members(district, 52)

    def scan(member) -> int:
        code = services.current_member_code(member)
        with CaptureQueriesContext(connection) as captured:
            assert post(client, url, {"code": code, "nonce": f"q-{member.pk}"}).status_code == 201
        return len(captured.captured_queries)

    for member in crowd[:5]:
        services.check_in_by_member_code(
            now_activity, services.current_member_code(member), by=None
        )
    at_5 = scan(crowd[50])
    for member in crowd[5:50]:
        services.check_in_by_member_code(
            now_activity, services.current_member_code(member), by=None
        )
    assert scan(crowd[51]) == at_5


def test_digits_typed_for_look_alike_letters_are_read_as_the_letters(now_activity, members):
    # a member whose code has an O, I or B in its mac (two in three codes do)
    code = next(
        c
        for c in (services.current_member_code(m) for m in members)
        if set(c.rpartition("-")[2]) & set("OIB")
    )
    head, _, mac = code.rpartition("-")
    typed = f"{head}-{mac.replace('O', '0').replace('I', '1').replace('B', '8')}"
    assert typed != code
    _, created = services.check_in_by_member_code(now_activity, typed, by=None)
    assert created
