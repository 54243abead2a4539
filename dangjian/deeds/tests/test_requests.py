"""The rules of service requests (群众诉求), tested on the services: the journey from intake to
follow-up, the refusals, the intake limits and the three rates."""

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry
from dangjian.core.testing import make_user, photo_upload
from dangjian.deeds import request_queries, request_services
from dangjian.deeds.models import (
    BlockedPhone,
    Deed,
    RequestEvent,
    RequestRating,
    ServiceRequest,
)
from dangjian.deeds.request_services import RateLimited

S, OUT, R = ServiceRequest.Status, ServiceRequest.Outcome, ServiceRequest.Rating


def _handled(request, alice, dora, department=None):
    request = request_services.dispatch_request(
        request, by=alice, department=department or request.category.department
    )
    return request_services.accept_request(request, by=dora)


def _closed(request, alice, dora, outcome=OUT.RESOLVED):
    request = _handled(request, alice, dora)
    return request_services.close_request(request, by=dora, outcome=outcome, text="已处理")


def test_journey_from_intake_to_rating(submit, people, departments, officers):
    alice, dora = people["alice"], officers["dora"]
    request = submit(photos=[photo_upload()])
    assert request.status == S.PENDING
    assert len(request.tracking_number) == 14 and request.tracking_number.isdigit()
    assert request.photos.count() == 1
    assert request.original_text == request.text

    request = request_services.dispatch_request(request, by=alice, department=dora_dept(dora))
    assert request.status == S.DISPATCHED
    assert request.respond_by > request.dispatched_at
    assert request.resolve_by > request.respond_by

    request = request_services.accept_request(request, by=dora)
    assert request.status == S.ACCEPTED and request.responded_at is not None
    request = request_services.reply_to_request(request, by=dora, text="已联系物业，本周内处理")
    request = request_services.close_request(
        request, by=dora, outcome=OUT.RESOLVED, text="已增设停车位20个"
    )
    assert request.status == S.CLOSED and request.closed_at is not None

    found = request_services.find_by_tracking(request.tracking_number, "5678", ip="198.51.100.1")
    assert found == request
    rating = request_services.rate_request(found, value=R.SATISFIED, comment="很快")
    assert rating.round == 1 and rating.via == RequestRating.Via.WEB
    request.refresh_from_db()
    assert request.rating == R.SATISFIED
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "dispatched", "accepted", "replied", "closed", "rated"]
    actions = set(
        AuditEntry.objects.filter(object_id=str(request.pk)).values_list("action", flat=True)
    )
    assert {"deeds.request.submitted", "deeds.request.closed", "deeds.request.rated"} <= actions


def dora_dept(dora):
    return dora.grants.get().department


def test_rating_before_closing_and_a_third_rating_are_refused(submit, people, officers):
    alice, dora = people["alice"], officers["dora"]
    request = _handled(submit(), alice, dora)
    with pytest.raises(DomainError) as refused:
        request_services.rate_request(request, value=R.SATISFIED)
    assert refused.value.message == "诉求办结后才能评价"
    assert not RequestRating.objects.exists()

    request = request_services.close_request(request, by=dora, outcome=OUT.EXPLAINED, text="已解释")
    request_services.rate_request(request, value=R.UNSATISFIED, comment="没解决")
    request.refresh_from_db()
    assert (request.round, request.status, request.outcome) == (2, S.ACCEPTED, "")
    assert request.rating == R.UNSATISFIED  # the last rating given, until the next one

    request = request_services.close_request(request, by=dora, outcome=OUT.RESOLVED, text="已修好")
    request_services.rate_request(request, value=R.UNSATISFIED)
    request.refresh_from_db()
    # Reopened once only: round 2's "不满意" stays closed and counts as the last rating.
    assert (request.round, request.status, request.rating) == (2, S.CLOSED, R.UNSATISFIED)
    with pytest.raises(DomainError) as third:
        request_services.rate_request(request, value=R.SATISFIED)
    assert third.value.message == "本轮办理已评价，不能重复评价"
    assert request.ratings.count() == 2


def test_phone_follow_up_is_marked_with_who_recorded_it(submit, people, officers):
    alice = people["alice"]
    request = _closed(submit(), alice, officers["dora"])
    rating = request_services.record_phone_rating(request, by=alice, value=R.BASICALLY)
    assert rating.via == RequestRating.Via.PHONE and rating.recorded_by == alice
    assert "电话回访" in request.events.get(kind=RequestEvent.Kind.RATED).text


def test_tracking_with_wrong_digits_says_the_same_as_a_wrong_number(submit):
    request = submit()
    with pytest.raises(DomainError) as digits:
        request_services.find_by_tracking(request.tracking_number, "0000", ip="198.51.100.2")
    with pytest.raises(DomainError) as number:
        request_services.find_by_tracking("20210101000000", "5678", ip="198.51.100.2")
    assert digits.value.message == number.value.message == "受理编号或手机号后四位不正确"
    with pytest.raises(DomainError) as short:
        request_services.find_by_tracking(request.tracking_number, "56", ip="198.51.100.2")
    assert short.value.field == "digits"


def test_tracking_failures_are_limited_per_address(submit, settings):
    request = submit()
    attempts, _ = settings.REQUEST_TRACKING_FAILURE_LIMIT
    for _ in range(attempts):
        with pytest.raises(DomainError):
            request_services.find_by_tracking(request.tracking_number, "0000", ip="198.51.100.3")
    with pytest.raises(RateLimited) as limited:
        request_services.find_by_tracking(request.tracking_number, "5678", ip="198.51.100.3")
    assert limited.value.retry_after > 0
    # Another address is not affected.
    assert request_services.find_by_tracking(request.tracking_number, "5678", ip="198.51.100.4")


def test_bad_intake_is_refused_by_field_and_writes_nothing(submit):
    cases = [
        ({"phone": "1391234"}, "phone", "手机号应为11位，现为7位"),
        ({"text": "  "}, "text", "请填写诉求内容"),
        ({"community": None, "enterprise_name": ""}, "community", "请选择所属社区或填写企业名称"),
        ({"category": None}, "category", "请选择诉求类别"),
    ]
    for fields, field, message in cases:
        with pytest.raises(DomainError) as refused:
            submit(**fields)
        assert (refused.value.field, refused.value.message) == (field, message)
    assert not ServiceRequest.objects.exists()


def test_the_eleventh_request_from_one_phone_is_refused_with_a_wait(submit):
    for _ in range(10):
        submit()
    with pytest.raises(RateLimited) as limited:
        submit()
    assert limited.value.message == "提交过于频繁，请稍后再试"
    assert 0 < limited.value.retry_after <= 86400
    assert ServiceRequest.objects.count() == 10


def test_flooding_a_victims_phone_from_many_addresses_does_not_stop_the_victim(submit):
    victim = "13700001111"
    for n in range(30):
        submit(phone=victim, ip=f"192.0.2.{n + 1}")
    own = submit(phone=victim, ip="198.51.100.77")
    assert own.tracking_number  # accepted, with a tracking number to follow it
    # Past the day's count the phone's requests wait for a person to review them.
    assert own.status == S.REVIEW
    assert ServiceRequest.objects.filter(phone=victim, status=S.PENDING).count() == 10


def test_a_blocklisted_phone_goes_to_review_and_is_never_dispatched(submit, people, departments):
    alice = people["alice"]
    request_services.block_phone("13800002222", by=alice, reason="多次恶意投诉")
    request = submit(phone="13800002222")
    assert (request.status, request.review_reason) == (S.REVIEW, "手机号在黑名单中")
    with pytest.raises(DomainError) as refused:
        request_services.dispatch_request(request, by=alice, department=departments["owner"])
    assert refused.value.code == "request_state_conflict"
    request.refresh_from_db()
    assert request.department is None and request.first_dispatched_at is None
    dismissed = request_services.review_request(request, by=alice, release=False, reason="重复")
    assert dismissed.status == S.DISMISSED
    assert BlockedPhone.objects.get().reason == "多次恶意投诉"


def test_sent_back_goes_to_the_operator_and_can_be_dispatched_again(
    submit, people, officers, departments
):
    alice, olga = people["alice"], officers["olga"]
    request = request_services.dispatch_request(submit(), by=alice, department=departments["other"])
    request = request_services.send_back_request(request, by=olga, reason="不属于本单位职责")
    assert (request.status, request.department) == (S.PENDING, None)
    with pytest.raises(DomainError) as no_reason:
        request_services.send_back_request(request, by=olga, reason="")
    assert no_reason.value.field == "reason"
    first = request.first_dispatched_at
    request = request_services.dispatch_request(request, by=alice, department=departments["owner"])
    assert request.first_dispatched_at == first  # the period counts it once, from the first
    assert request.events.get(kind="sent_back").text == "不属于本单位职责"


def test_deadlines_come_from_the_category_in_working_days(submit, people, departments):
    from dangjian.core.models import CalendarDay

    CalendarDay.objects.create(date=dt.date(2021, 3, 8), kind=CalendarDay.Kind.HOLIDAY)
    friday = timezone.make_aware(dt.datetime(2021, 3, 5, 15, 0))
    request = submit()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: friday)
        request = request_services.dispatch_request(
            request, by=people["alice"], department=departments["owner"]
        )
    local = timezone.localtime
    assert local(request.respond_by).replace(tzinfo=None) == dt.datetime(2021, 3, 9, 23, 59, 59)
    # 7 working days from Friday 5 March, Monday 8 March off: 9–12, 15–17 March.
    assert local(request.resolve_by).date() == dt.date(2021, 3, 17)


def test_a_request_becomes_a_linked_deed(submit, people, departments):
    request = submit()
    deed = request_services.make_deed(
        request,
        by=people["alice"],
        title="雅境园停车场改造",
        owner=departments["owner"],
        deadline=dt.date(2031, 6, 30),
    )
    request.refresh_from_db()
    assert request.deed == deed and deed.source == Deed.Source.RESIDENT
    assert list(deed.communities.all()) == [request.community]
    with pytest.raises(DomainError) as twice:
        request_services.make_deed(
            request,
            by=people["alice"],
            title="再转一次",
            owner=departments["owner"],
            deadline=dt.date(2031, 6, 30),
        )
    assert twice.value.code == "deed_taken"


def test_public_text_hides_phones_ids_and_the_requesters_name(submit):
    request = submit(text="王秀英反映：请联系13912345678或身份证120116198001011234的住户")
    text = request_queries.public_text(request)
    for secret in ("王秀英", "13912345678", "120116198001011234"):
        assert secret not in text
    assert "反映" in text


def test_escalation_colours_agree_between_python_and_the_database(submit, people, departments):
    today = timezone.localdate()
    requests = []
    for days in (-8, -7, -1, 0, 3, 4):
        request = request_services.dispatch_request(
            submit(phone=f"1390000{len(requests):04d}"),
            by=people["alice"],
            department=departments["owner"],
        )
        due = timezone.make_aware(
            dt.datetime.combine(today + dt.timedelta(days), dt.time(23, 59, 59))
        )
        ServiceRequest.objects.filter(pk=request.pk).update(resolve_by=due)
        requests.append(request.pk)
    rows = request_queries.with_escalation(ServiceRequest.objects.filter(pk__in=requests), today)
    by_sql = {row.pk: row.escalation for row in rows}
    by_python = {row.pk: request_queries.escalation_of(row, today) for row in rows}
    assert by_sql == by_python
    assert [by_sql[pk] for pk in requests] == ["red", "orange", "orange", "blue", "blue", ""]


# ---------------------------------------------------------------- the three rates

# (department, response, outcome, rating) for 20 requests dispatched today. "late" responds
# after the response deadline, "none" never does; outcome None stays in hand.
A, B = "owner", "other"
SET = [
    (A, "ontime", OUT.RESOLVED, R.SATISFIED),
    (A, "ontime", OUT.RESOLVED, R.SATISFIED),
    (A, "ontime", OUT.RESOLVED, R.SATISFIED),
    (A, "ontime", OUT.RESOLVED, R.BASICALLY),
    (A, "ontime", OUT.RESOLVED, None),
    (A, "ontime", OUT.EXPLAINED, R.BASICALLY),
    (A, "ontime", OUT.EXPLAINED, R.UNSATISFIED),  # reopened: in hand again, rated 不满意
    (A, "ontime", OUT.OUT_OF_REMIT, R.SATISFIED),
    (A, "ontime", None, None),
    (A, "late", OUT.RESOLVED, None),
    (A, "none", None, None),
    (A, "ontime", OUT.RESOLVED, R.SATISFIED),
    (B, "ontime", OUT.RESOLVED, R.SATISFIED),
    (B, "ontime", OUT.RESOLVED, R.BASICALLY),
    (B, "ontime", OUT.RESOLVED, None),
    (B, "ontime", OUT.EXPLAINED, None),
    (B, "ontime", OUT.OUT_OF_REMIT, None),
    (B, "ontime", None, None),
    (B, "late", None, None),
    (B, "none", None, None),
]


@pytest.fixture
def twenty(submit, people, departments, officers, categories):
    alice = people["alice"]
    handlers = {A: officers["dora"], B: officers["olga"]}
    made = []
    for n, (dept, response, outcome, rating) in enumerate(SET):
        category = categories["parking"] if dept == A else categories["policy"]
        request = submit(category=category, phone=f"1370000{n:04d}", ip=f"192.0.2.{n + 1}")
        request = request_services.dispatch_request(request, by=alice, department=departments[dept])
        if response != "none":
            request = request_services.accept_request(request, by=handlers[dept])
        if response == "late":
            late = request.respond_by + dt.timedelta(hours=1)
            ServiceRequest.objects.filter(pk=request.pk).update(responded_at=late)
        if outcome:
            request = request_services.close_request(
                request, by=handlers[dept], outcome=outcome, text="已办理"
            )
        if rating:
            request_services.rate_request(request, value=rating)
        made.append(request)
    # Dispatched last year: outside the period.
    old = request_services.dispatch_request(
        submit(phone="13799999999", ip="192.0.2.99"), by=alice, department=departments[A]
    )
    last_year = timezone.now() - dt.timedelta(days=400)
    ServiceRequest.objects.filter(pk=old.pk).update(first_dispatched_at=last_year)
    return made


def _counts(rates):
    return {
        k: getattr(rates, k)
        for k in (
            "dispatched",
            "responded_in_time",
            "closed",
            "resolved",
            "explained",
            "out_of_remit",
            "rated",
            "satisfied",
            "basically",
            "unsatisfied",
            "unrated",
        )
    }


def _today_rates(**kwargs):
    today = timezone.localdate()
    return request_queries.request_rates(ServiceRequest.objects.all(), today, today, **kwargs)


def test_three_rates_of_twenty_requests_equal_the_hand_count(twenty):
    [overall] = _today_rates()
    assert _counts(overall) == {
        "dispatched": 20,
        "responded_in_time": 16,
        "closed": 12,  # 10 resolved + 2 explained; outside-remit excluded, the reopened one too
        "resolved": 10,
        "explained": 2,
        "out_of_remit": 2,
        "rated": 10,
        "satisfied": 6,
        "basically": 3,
        "unsatisfied": 1,
        "unrated": 5,
    }
    assert overall.response_rate == 0.8
    assert overall.resolution_rate == pytest.approx(0.8333, abs=1e-4)
    assert overall.satisfaction_rate == 0.9


def test_three_rates_per_department_and_per_category(twenty, departments):
    rows = {r.key: r for r in _today_rates(by="department")}
    owner, other = rows[departments[A].pk], rows[departments[B].pk]
    assert (owner.dispatched, owner.responded_in_time) == (12, 10)
    assert (owner.resolved, owner.closed, owner.unrated) == (7, 8, 2)
    assert (owner.satisfied + owner.basically, owner.rated) == (7, 8)
    assert (other.dispatched, other.responded_in_time) == (8, 6)
    assert (other.resolved, other.closed, other.unrated) == (3, 4, 3)
    assert other.satisfaction_rate == 1.0
    by_category = {r.label: _counts(r) for r in _today_rates(by="category")}
    assert by_category == {"停车": _counts(owner), "企业政策": _counts(other)}


def test_explained_lowers_resolution_and_unrated_leaves_satisfaction(twenty, officers):
    dora = officers["dora"]
    in_hand = twenty[8]  # owner, accepted, no outcome yet
    request_services.close_request(in_hand, by=dora, outcome=OUT.EXPLAINED, text="已解释")
    [after] = _today_rates()
    assert (after.resolved, after.closed) == (10, 13)
    assert after.resolution_rate == pytest.approx(10 / 13)
    assert after.satisfaction_rate == 0.9  # unchanged: the new closed request is unrated
    assert after.unrated == 6


# ---------------------------------------------------------------- closing at the same time


@pytest.mark.django_db(transaction=True)
def test_two_officers_closing_at_once_one_wins_the_other_gets_a_conflict(
    submit, people, officers, departments, monkeypatch
):
    import time

    from dangjian.core.testing import run_together

    dan = make_user("dan", Role.OFFICER, name="同部门干部", department=departments["owner"])
    request = _handled(submit(), people["alice"], officers["dora"])
    locked = request_services._locked

    def slow_lock(r):  # hold the row a moment so that the two closes surely overlap
        row = locked(r)
        time.sleep(0.05)
        return row

    monkeypatch.setattr(request_services, "_locked", slow_lock)

    def close(user):
        try:
            return request_services.close_request(
                request, by=user, outcome=OUT.RESOLVED, text=f"{user.username}办结"
            )
        except DomainError as exc:
            return exc

    results = run_together(close, [officers["dora"], dan])
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(losers) == 1 and losers[0].code == "request_state_conflict"
    assert "已办结" in losers[0].message
    assert request.events.filter(kind="closed").count() == 1
    outcomes = AuditEntry.objects.filter(action="deeds.request.closed").values_list(
        "outcome", flat=True
    )
    assert sorted(outcomes) == ["failure", "success"]


def test_requesters_are_forgotten_three_years_after_closing(submit, people, officers, settings):
    from django.core.management import call_command

    old = _closed(submit(photos=[photo_upload()]), people["alice"], officers["dora"])
    recent = _closed(submit(phone="13811112222"), people["alice"], officers["dora"])
    in_hand = _handled(submit(phone="13822223333"), people["alice"], officers["dora"])
    four_years_ago = timezone.now() - dt.timedelta(days=4 * 365)
    ServiceRequest.objects.filter(pk__in=[old.pk, in_hand.pk]).update(closed_at=four_years_ago)
    photo = old.photos.get()
    call_command("forget_requesters", stdout=open("/dev/null", "w"))  # noqa: SIM115
    old.refresh_from_db()
    recent.refresh_from_db()
    in_hand.refresh_from_db()
    assert (old.name, old.phone, old.ip, old.photos.count()) == ("", "", None, 0)
    assert not photo.file.storage.exists(photo.file.name)
    assert old.text and old.events.count() == 4 and old.status == S.CLOSED  # the record stays
    assert (recent.phone, in_hand.phone) == ("13811112222", "13822223333")
    entry = AuditEntry.objects.get(action="deeds.request.forgotten")
    assert entry.details == {"requests": 1}
    assert request_services.forget_requesters() == 0  # nothing left to forget


def test_the_demos_phone_follow_ups_are_credited_to_the_operator(submit, people, officers):
    from dangjian.deeds.demo_requests import credit_phone_ratings

    request = _closed(submit(), people["alice"], officers["dora"])
    request_services.record_phone_rating(request, by=None, value=R.SATISFIED)
    assert credit_phone_ratings("alice") == 1
    assert RequestRating.objects.get().recorded_by == people["alice"]
    assert credit_phone_ratings("nobody") == 0


def test_the_same_submission_twice_is_one_request(submit):
    first = submit(submission="tap-1")
    again = submit(submission="tap-1", text="第二次点击")
    assert again == first and ServiceRequest.objects.count() == 1
    for _ in range(9):  # the repeat did not count against the phone's ten a day
        submit()
    assert ServiceRequest.objects.count() == 10
