"""The demo's service requests (deeds/demo_requests.py): a few hundred requests of 2021 that
obey the services' rules, realistic outcomes and rates, the blocklist's review queue, and a
second load that adds nothing.

Loading the district, its ledger and the requests takes several seconds, so this module loads
them once, in a transaction that is rolled back at its end; each test runs inside it in a
savepoint of its own (pytest-django's `db`), so what one test changes the next does not see."""

import datetime as dt
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.db.models import F, Q
from django.test import override_settings
from django.utils import timezone

from dangjian.core.calendar import add_working_days
from dangjian.core.models import AuditEntry, CalendarDay
from dangjian.deeds import demo as deed_demo
from dangjian.deeds import demo_requests
from dangjian.deeds.models import (
    BlockedPhone,
    RequestCategory,
    RequestEvent,
    RequestRating,
    ServiceRequest,
    Supervision,
)
from dangjian.deeds.request_queries import request_rates, with_escalation
from dangjian.orgs import demo as orgs_demo
from dangjian.orgs.models import Enterprise

TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2022, 6, 15)  # the load day: the requests still in hand count from it
ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
S, OUT, RATING, E = (
    ServiceRequest.Status,
    ServiceRequest.Outcome,
    ServiceRequest.Rating,
    RequestEvent.Kind,
)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")  # the ledger's demo photos
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        orgs_demo.load()
        deed_demo.load(today=TODAY)
        counts = demo_requests.load(today=TODAY)
        yield counts
        transaction.set_rollback(True)


@pytest.fixture
def counts(loaded, db):
    return loaded


def _year_2021():
    return ServiceRequest.objects.filter(first_dispatched_at__year=2021)


def test_a_few_hundred_requests_spread_over_2021(counts):
    assert 300 <= counts["requests"] <= 400
    assert counts["requests"] == ServiceRequest.objects.count()
    months = Counter(
        timezone.localtime(at).month
        for at in ServiceRequest.objects.filter(created_at__year=2021).values_list(
            "created_at", flat=True
        )
    )
    assert sorted(months) == list(range(1, 13))
    assert min(months.values()) >= 10
    categories = Counter(ServiceRequest.objects.values_list("category__name", flat=True))
    assert set(categories) == {name for name, *_ in demo_requests.CATEGORIES}
    assert categories["物业管理"] > categories["职称评定"]
    assert ServiceRequest.objects.values("community").distinct().count() >= 10
    assert ServiceRequest.objects.values("department").distinct().count() >= 6


def test_enterprise_requests_name_demo_enterprises_in_enterprise_categories(counts):
    from_enterprises = ServiceRequest.objects.exclude(enterprise_name="")
    assert from_enterprises.count() >= 50
    names = set(Enterprise.objects.values_list("name", flat=True))
    assert set(from_enterprises.values_list("enterprise_name", flat=True)) <= names
    assert not from_enterprises.filter(category__for_enterprises=False).exists()
    assert not ServiceRequest.objects.filter(
        enterprise_name="", category__for_enterprises=True
    ).exists()


def test_categories_have_their_deadlines_and_default_departments(counts):
    rows = RequestCategory.objects.values_list(
        "name", "respond_days", "resolve_days", "department__short_name", "for_enterprises"
    )
    assert list(rows) == [
        ("停车难", 1, 7, "城管局", False),
        ("物业管理", 1, 7, "建设局", False),
        ("噪声扰民", 1, 5, "生态环境局", False),
        ("道路设施", 1, 10, "建设局", False),
        ("环境卫生", 1, 5, "城管局", False),
        ("企业政策咨询", 2, 10, "政务服务办", True),
        ("招聘用工", 2, 10, "人社局", True),
        ("职称评定", 2, 15, "人社局", True),
        ("其他", 1, 7, "社会事务局", False),
    ]


def test_every_closed_request_has_an_outcome_and_a_closed_event(counts):
    closed = ServiceRequest.objects.filter(status=S.CLOSED)
    assert closed.count() == counts["closed"] >= 300
    assert not closed.filter(outcome="").exists()
    assert not closed.filter(closed_at__isnull=True).exists()
    without_event = closed.exclude(
        pk__in=RequestEvent.objects.filter(kind=E.CLOSED).values("request")
    )
    assert not without_event.exists()
    outcomes = Counter(closed.values_list("outcome", flat=True))
    assert outcomes[OUT.RESOLVED] > outcomes[OUT.EXPLAINED] > outcomes[OUT.OUT_OF_REMIT] > 0
    # the last CLOSED event of each is of its current round, at its closing time
    for request in closed.prefetch_related("events"):
        last = [e for e in request.events.all() if e.kind == E.CLOSED][-1]
        assert (last.round, last.at) == (request.round, request.closed_at), request


def test_timelines_are_historic_and_in_order(counts):
    for request in ServiceRequest.objects.filter(created_at__year=2021).prefetch_related("events"):
        moments = [e.at for e in sorted(request.events.all(), key=lambda e: e.id)]
        assert moments == sorted(moments), request
        assert moments[0] == request.created_at
        assert request.tracking_number.startswith(
            f"{timezone.localtime(request.created_at):%Y%m%d}"
        )
        assert request.updated_at == moments[-1]
    assert not RequestEvent.objects.filter(at__date__gt=TODAY).exists()


def test_deadlines_count_working_days_from_the_historic_dispatch(counts):
    dispatched = list(_year_2021().select_related("category").exclude(dispatched_at=None))
    assert len(dispatched) >= 300
    for request in dispatched:
        if request.round == 1:
            days = request.category.resolve_days
            assert request.resolve_by == add_working_days(request.dispatched_at, days)
        assert request.respond_by == add_working_days(
            request.dispatched_at, request.category.respond_days
        )
        assert request.first_dispatched_at <= request.dispatched_at
    # a request dispatched just before the National Day holiday is due after it
    holiday = _year_2021().filter(
        dispatched_at__gte=dt.datetime(2021, 9, 28, tzinfo=TZ),
        dispatched_at__lt=dt.datetime(2021, 10, 1, tzinfo=TZ),
        category__respond_days=1,
    )
    assert {timezone.localtime(r.respond_by).date() for r in holiday} <= {
        dt.date(2021, 9, 29),
        dt.date(2021, 9, 30),
        dt.date(2021, 10, 8),
    }
    assert CalendarDay.objects.filter(date__year=2021).count() == counts["calendar_days"] == 38


def test_sent_back_requests_were_redispatched_to_another_department(counts):
    sent_back = ServiceRequest.objects.filter(events__kind=E.SENT_BACK).distinct()
    assert 3 <= sent_back.count() <= 40
    for request in sent_back.prefetch_related("events"):
        kinds = [e.kind for e in request.events.all()]
        assert kinds.count(E.DISPATCHED) == 2, request
        back = next(e for e in request.events.all() if e.kind == E.SENT_BACK)
        assert back.department != request.department and back.text.endswith("请改派。")
        assert request.first_dispatched_at < request.dispatched_at


def test_every_rated_request_is_closed_or_reopened(counts):
    rated = ServiceRequest.objects.exclude(rating="")
    assert rated.count() == counts["rated"]
    assert not rated.exclude(Q(status=S.CLOSED) | Q(round=2)).exists()
    closed = ServiceRequest.objects.filter(status=S.CLOSED).count()
    assert 0.6 <= rated.filter(status=S.CLOSED).count() / closed <= 0.8
    # each rating belongs to a round that was closed before it
    for rating in RequestRating.objects.select_related("request").prefetch_related(
        "request__events"
    ):
        closes = [e.at for e in rating.request.events.all() if e.kind == E.CLOSED]
        assert closes[rating.round - 1] < rating.at, rating
    # "不满意" in round 1 reopened the request, and only that did
    first_unsatisfied = set(
        RequestRating.objects.filter(round=1, value=RATING.UNSATISFIED).values_list(
            "request", flat=True
        )
    )
    assert len(first_unsatisfied) >= 5
    assert first_unsatisfied == set(
        ServiceRequest.objects.filter(round=2).values_list("pk", flat=True)
    )
    assert RequestRating.objects.filter(round=2).count() >= 5
    values = Counter(rated.values_list("rating", flat=True))
    assert values[RATING.SATISFIED] > values[RATING.BASICALLY] > values[RATING.UNSATISFIED] > 0


def test_some_ratings_come_from_the_operators_phone_follow_up(counts):
    by_phone = RequestRating.objects.filter(via=RequestRating.Via.PHONE)
    assert 5 <= by_phone.count() <= 50
    events = RequestEvent.objects.filter(kind=E.RATED, text__contains="（电话回访）")
    assert events.count() == by_phone.count()


def test_blocklisted_phones_requests_wait_in_review_without_a_department(counts):
    phones = list(BlockedPhone.objects.values_list("phone", flat=True))
    assert 3 <= len(phones) <= 5
    held = ServiceRequest.objects.filter(phone__in=phones)
    assert held.count() >= len(phones)
    assert set(held.values_list("status", flat=True)) == {S.REVIEW}
    assert not held.filter(
        Q(department__isnull=False) | Q(first_dispatched_at__isnull=False)
    ).exists()
    assert set(held.values_list("review_reason", flat=True)) == {"手机号在黑名单中"}
    assert not RequestEvent.objects.filter(request__in=held, kind=E.DISPATCHED).exists()
    assert ServiceRequest.objects.filter(status=S.REVIEW).count() == held.count()


def test_requests_in_hand_count_from_the_load_day_and_some_are_overdue(counts):
    in_hand = with_escalation(
        ServiceRequest.objects.filter(status__in=[S.DISPATCHED, S.ACCEPTED]), TODAY
    )
    assert in_hand.count() >= 8
    assert all(
        timezone.localtime(r.created_at).date() > TODAY - dt.timedelta(days=40) for r in in_hand
    )
    colours = Counter(in_hand.values_list("escalation", flat=True))
    assert colours["red"] >= 1 and colours["orange"] >= 1 and colours[""] >= 1
    assert Supervision.objects.filter(request__in=in_hand).count() == 2
    assert ServiceRequest.objects.filter(status=S.PENDING).count() == 2
    # one not even accepted within its response deadline, one still within it
    load_day = dt.datetime.combine(TODAY, dt.time.min, tzinfo=TZ)
    waiting = in_hand.filter(status=S.DISPATCHED)
    assert waiting.filter(respond_by__lt=load_day).exists()
    assert waiting.filter(respond_by__gt=load_day).exists()


def test_two_parking_requests_were_taken_up_by_the_yajingyuan_deed(counts):
    linked = ServiceRequest.objects.filter(deed__title=demo_requests.YAJINGYUAN)
    assert linked.count() == 2
    for request in linked:
        assert request.community.name == "和韵社区" and request.place == "雅境园小区"
        assert (request.status, request.outcome) == (S.CLOSED, OUT.RESOLVED)
        event = request.events.get(kind=E.LINKED)
        assert timezone.localtime(event.at) == dt.datetime(2021, 3, 8, 11, 30, tzinfo=TZ)
        assert "320" in request.events.filter(kind=E.CLOSED).get().text


def test_the_operator_edited_a_text_and_the_original_is_kept(counts):
    edited = ServiceRequest.objects.exclude(text=F("original_text"))
    assert edited.exists()
    for request in edited:
        assert request.original_text.startswith("我姓")
        assert request.original_text.endswith(request.text)


def test_the_three_rates_of_2021_are_plausible(counts):
    [rates] = request_rates(
        ServiceRequest.objects.all(), dt.date(2021, 1, 1), dt.date(2021, 12, 31)
    )
    print(
        f"2021: dispatched {rates.dispatched}, response {rates.response_rate:.3f}, "
        f"resolution {rates.resolution_rate:.3f}, satisfaction {rates.satisfaction_rate:.3f}, "
        f"rated {rates.rated}, unrated {rates.unrated}"
    )
    assert 0.5 < rates.response_rate < 1
    assert 0.5 < rates.resolution_rate < 1
    assert 0.5 < rates.satisfaction_rate < 1
    assert rates.dispatched == _year_2021().count() >= 300
    assert rates.explained > 0 and rates.out_of_remit > 0 and rates.unrated > 0
    by_department = request_rates(
        ServiceRequest.objects.all(), dt.date(2021, 1, 1), dt.date(2021, 12, 31), by="department"
    )
    assert sum(row.dispatched for row in by_department) == rates.dispatched
    assert len(by_department) >= 6


def test_texts_hold_no_phone_or_id_number(counts):
    texts = []
    for request in ServiceRequest.objects.all():
        texts += [request.text, request.original_text, request.place, request.name]
    texts += list(RequestEvent.objects.values_list("text", flat=True))
    texts += list(RequestRating.objects.values_list("comment", flat=True))
    text = "\n".join(texts)
    assert len(text) > 20000
    assert not ID_RE.search(text) and not PHONE_RE.search(text)


def test_loading_twice_adds_nothing(counts):
    def everything():
        return [
            model.objects.count()
            for model in (
                ServiceRequest,
                RequestEvent,
                RequestRating,
                BlockedPhone,
                RequestCategory,
                CalendarDay,
                Supervision,
                AuditEntry,
            )
        ]

    before = everything()
    # on another day too: the requests in hand are known by phone and text, not by date
    assert demo_requests.load(today=TODAY + dt.timedelta(days=9)) == counts
    assert everything() == before
