"""The API v1 of service requests: intake, tracking and rating without an account; the
staff's handling with the pages' services, scopes and permissions; refusals as
`{"code", "message", "field"}` in Chinese."""

import datetime as dt
import re
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.accounts.services import create_api_token
from dangjian.core.models import AuditEntry
from dangjian.core.testing import make_user, photo_upload, run_together
from dangjian.deeds import request_services
from dangjian.deeds.models import RequestEvent, RequestRating, ServiceRequest

pytestmark = pytest.mark.django_db

S, OUT = ServiceRequest.Status, ServiceRequest.Outcome
CHINESE = re.compile(r"[\u4e00-\u9fff]")
PHONE, DIGITS, NAME = "13912345678", "5678", "王秀英"
ID_NUMBER = "120101199003071234"


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


class Public:
    """Anyone, without an account, from one address."""

    def __init__(self, ip="203.0.113.7"):
        self.client, self.ip = Client(), ip

    def intake(self, **fields):
        return self.client.post("/api/v1/requests/intake", fields, REMOTE_ADDR=self.ip)

    def track(self, number, digits=DIGITS):
        body = {"tracking_number": number, "digits": digits}
        return self._post("/requests/track", body)

    def rate(self, number, rating, comment="", digits=DIGITS):
        body = {"tracking_number": number, "digits": digits, "rating": rating, "comment": comment}
        return self._post("/requests/track/rate", body)

    def _post(self, path, body):
        return self.client.post(
            f"/api/v1{path}", body, content_type="application/json", REMOTE_ADDR=self.ip
        )


@pytest.fixture
def api(client, people, officers):
    users = {**people, **officers}
    return lambda name: Api(client, users[name])


@pytest.fixture
def public():
    return Public()


@pytest.fixture
def form(categories, community):
    """The intake form as a resident fills it in."""
    return {
        "category": categories["parking"].pk,
        "community": community.pk,
        "place": "雅境园北门",
        "text": "小区门口停车难，晚上车辆乱停堵住消防通道",
        "name": NAME,
        "phone": PHONE,
    }


def _refused(response, status: int, code: str | None = None, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "field"}
    assert CHINESE.search(body["message"]), body
    if code:
        assert body["code"] == code, body
    if field:
        assert body["field"] == field, body
    return body


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def _closed(submit, people, **fields) -> ServiceRequest:
    """A request dispatched to dora's department (停车's default), accepted and closed as
    resolved."""
    item = _dispatched(submit, people, **fields)
    item = request_services.accept_request(item, by=people["dora"])
    return request_services.close_request(
        item, by=people["dora"], outcome=OUT.RESOLVED, text="已处理"
    )


def _dispatched(submit, people, department=None, **fields) -> ServiceRequest:
    item = submit(**fields)
    department = department or item.category.department
    return request_services.dispatch_request(item, by=people["alice"], department=department)


# ---------------------------------------------------------------- the journey


def test_journey_through_the_api_from_intake_to_rating(api, public, form, departments):
    submitted = _ok(public.intake(**form, photos=[photo_upload()]), 201)
    number = submitted["tracking_number"]
    assert (submitted["status"], submitted["status_label"]) == ("pending", "待派单")
    item = ServiceRequest.objects.get(tracking_number=number)
    assert item.photos.count() == 1 and item.ip == "203.0.113.7"

    dispatched = _ok(
        api("alice").post(f"/requests/{item.pk}/dispatch", {"department": departments["owner"].pk})
    )
    assert (dispatched["status"], dispatched["department_name"]) == ("dispatched", "党群工作部")
    assert dispatched["respond_by"] is not None and dispatched["resolve_by"] is not None

    dora = api("dora")
    assert _ok(dora.post(f"/requests/{item.pk}/accept"))["status_label"] == "办理中"
    replied = _ok(dora.post(f"/requests/{item.pk}/reply", {"text": "已联系物业，本周内施划车位"}))
    assert replied["events"][-1]["label"] == "答复"
    closed = _ok(
        dora.post(
            f"/requests/{item.pk}/close", {"outcome": "resolved", "text": "新增车位40个已投用"}
        )
    )
    assert (closed["status"], closed["outcome_label"]) == ("closed", "已解决")

    tracked = _ok(public.track(number))
    assert tracked["may_rate"] is True
    assert [e["label"] for e in tracked["events"]] == ["提交诉求", "派单", "签收", "答复", "办结"]
    assert tracked["events"][3]["text"] == "已联系物业，本周内施划车位"
    assert tracked["events"][4]["text"] == "已解决：新增车位40个已投用"

    rated = _ok(public.rate(number, "satisfied", "效率很高"))
    assert (rated["rating"], rated["rating_label"], rated["may_rate"]) == (
        "satisfied",
        "满意",
        False,
    )
    assert rated["events"][-1]["text"] == "满意（网上评价）：效率很高"
    stored = RequestRating.objects.get(request=item)
    assert (stored.value, stored.via, stored.round) == ("satisfied", "web", 1)


def test_rating_before_closing_is_refused_in_chinese(public, submit):
    item = submit()
    body = _refused(public.rate(item.tracking_number, "satisfied"), 400, "not_closed", "rating")
    assert body["message"] == "诉求办结后才能评价"
    assert not RequestRating.objects.exists()


def test_a_third_rating_is_refused(public, submit, people, officers):
    dora = officers["dora"]
    item = _closed(submit, people)
    reopened = _ok(public.rate(item.tracking_number, "unsatisfied", "车位还是不够"))
    assert (reopened["status"], reopened["round"]) == ("accepted", 2)
    request_services.close_request(item, by=dora, outcome=OUT.RESOLVED, text="再增车位20个")
    assert _ok(public.rate(item.tracking_number, "basically"))["rating_label"] == "基本满意"

    body = _refused(public.rate(item.tracking_number, "satisfied"), 400, "already_rated")
    assert body["message"] == "本轮办理已评价，不能重复评价"
    item.refresh_from_db()
    assert item.rating == "basically" and item.ratings.count() == 2


def test_tracking_with_wrong_digits_gets_the_same_refusal_as_a_wrong_number(public, submit):
    item = submit()
    wrong_digits = _refused(public.track(item.tracking_number, "0000"), 400, "tracking_not_found")
    wrong_number = _refused(public.track("20210101000000"), 400, "tracking_not_found")
    assert wrong_digits["message"] == wrong_number["message"] == "受理编号或手机号后四位不正确"
    _refused(public.track(item.tracking_number, "56a8"), 400, "digits_invalid", "digits")


def test_too_many_failed_look_ups_from_one_address_get_429(public, submit, settings):
    settings.REQUEST_TRACKING_FAILURE_LIMIT = (2, 900)
    item = submit()
    for _ in range(2):
        _refused(public.track(item.tracking_number, "0000"), 400)
    response = public.track(item.tracking_number)  # even the right digits now wait
    _refused(response, 429, "rate_limited")
    assert int(response["Retry-After"]) > 0
    assert _ok(Public(ip="198.51.100.9").track(item.tracking_number))["status"] == "pending"


# ---------------------------------------------------------------- intake


def test_eleventh_intake_from_one_phone_and_address_gets_429_with_retry_after(public, form):
    for _ in range(10):
        _ok(public.intake(**form), 201)
    response = public.intake(**form)
    body = _refused(response, 429, "rate_limited")
    assert body["message"] == "提交过于频繁，请稍后再试"
    assert 0 < int(response["Retry-After"]) <= 86400
    assert ServiceRequest.objects.count() == 10


@pytest.mark.parametrize(
    ("change", "code", "field", "message"),
    [
        ({"category": 999999}, "category_unknown", "category", "诉求类别（编号 999999）不存在"),
        ({"community": 999999}, "community_unknown", "community", "所属社区（编号 999999）不存在"),
        ({"community": ""}, "community_required", "community", "请选择所属社区或填写企业名称"),
        ({"phone": "1234"}, "phone_invalid", "phone", None),
        ({"text": "   "}, "text_required", "text", "请填写诉求内容"),
    ],
)
def test_intake_refusals_name_the_field_and_write_nothing(
    public, form, change, code, field, message
):
    body = _refused(public.intake(**{**form, **change}), 400, code, field)
    if message:
        assert body["message"] == message
    assert not ServiceRequest.objects.exists()


def test_an_enterprise_request_needs_no_community(public, form, categories):
    fields = {**form, "category": categories["policy"].pk, "enterprise_name": "生态城某科技公司"}
    del fields["community"]
    number = _ok(public.intake(**fields), 201)["tracking_number"]
    assert _ok(public.track(number))["community_name"] is None


def test_a_blocklisted_phone_is_held_for_review_and_the_operator_releases_it(
    public, form, api, people
):
    request_services.block_phone(PHONE, by=people["alice"], reason="恶意重复投诉")
    submitted = _ok(public.intake(**form), 201)
    assert (submitted["status"], submitted["status_label"]) == ("review", "待审核")
    item = ServiceRequest.objects.get()
    tracked = _ok(public.track(submitted["tracking_number"]))
    # the step shows; its reason is between the offices
    assert [(e["label"], e["text"]) for e in tracked["events"]][-1] == ("转入人工审核", "")

    _refused(
        api("alice").post(f"/requests/{item.pk}/review", {"release": False}), 400, field="reason"
    )
    released = _ok(api("alice").post(f"/requests/{item.pk}/review", {"release": True}))
    assert released["status"] == "pending"


# ---------------------------------------------------------------- the public answer


def test_the_public_answer_holds_no_phone_name_or_id_number(public, submit, people, officers):
    text = f"我是{NAME}，电话{PHONE}，身份证{ID_NUMBER}，小区门口停车难"
    item = _closed(submit, people, text=text)
    _ok(public.rate(item.tracking_number, "unsatisfied", f"请再联系{NAME}，{PHONE}"))
    request_services.reply_to_request(
        item, by=officers["dora"], text=f"已电话联系{NAME}（{PHONE}）"
    )

    response = public.track(item.tracking_number)
    body = _ok(response)
    content = response.content.decode()
    for secret in (PHONE, NAME, ID_NUMBER, "203.0.113.7"):
        assert secret not in content, secret
    assert (
        body["public_text"] == "我是**，电话1**********，身份证120101********1234，小区门口停车难"
    )
    assert body["events"][-1]["text"] == "已电话联系**（1**********）"
    assert "ip" not in body and "phone" not in body and "name" not in body


def test_the_public_answer_shows_the_linked_deed_and_its_progress(public, submit, people):
    item = submit()
    deed = request_services.make_deed(
        item,
        by=people["alice"],
        title="雅境园停车场建设",
        owner=item.category.department,
        deadline=timezone.localdate() + dt.timedelta(days=60),
    )
    body = _ok(public.track(item.tracking_number))
    assert body["deed"] == {
        "id": deed.pk,
        "title": "雅境园停车场建设",
        "status": "proposed",
        "status_label": deed.get_status_display(),
        "progress": 0,
    }


# ---------------------------------------------------------------- staff: scope and rights


def test_another_departments_officer_gets_404_on_the_detail_and_every_action(
    api, submit, people, departments
):
    item = _dispatched(submit, people)
    olga = api("olga")
    assert _ok(olga.get("/requests"))["count"] == 0
    _refused(olga.get(f"/requests/{item.pk}"), 404, "not_found")
    for action, body in [
        ("accept", None),
        ("send-back", {"reason": "不是我局的"}),
        ("reply", {"text": "已处理"}),
        ("close", {"outcome": "resolved", "text": "已处理"}),
        ("dispatch", {"department": departments["other"].pk}),
        ("review", {"release": True}),
        ("phone-rating", {"rating": "satisfied"}),
    ]:
        _refused(olga.post(f"/requests/{item.pk}/{action}", body), 404, "not_found")
    item.refresh_from_db()
    assert item.status == S.DISPATCHED and item.events.count() == 2


def test_a_member_without_the_right_gets_403(api, submit):
    item = submit()
    for name in ("erin", "bob"):
        _refused(api(name).get("/requests"), 403, "forbidden")
        _refused(api(name).get(f"/requests/{item.pk}"), 403, "forbidden")
        _refused(api(name).get("/requests/rates"), 403, "forbidden")
    _refused(Client().get("/api/v1/requests"), 401, "unauthenticated")


def test_only_dispatchers_dispatch_review_and_record_phone_ratings(
    api, submit, people, departments
):
    item = _closed(submit, people)
    others = _dispatched(submit, people, phone="13800001111")
    own = api("dora")
    _refused(own.post(f"/requests/{item.pk}/phone-rating", {"rating": "satisfied"}), 403)
    _refused(
        own.post(f"/requests/{others.pk}/dispatch", {"department": departments["owner"].pk}), 403
    )
    _refused(own.post(f"/requests/{others.pk}/review", {"release": True}), 403)

    body = _ok(api("alice").post(f"/requests/{item.pk}/phone-rating", {"rating": "basically"}))
    assert [(r["label"], r["via_label"], r["recorded_by_name"]) for r in body["ratings"]] == [
        ("基本满意", "电话回访", "区级管理员")
    ]


def test_an_officer_sends_a_request_back_to_the_operator(api, submit, people, officers):
    item = _dispatched(submit, people)
    dora = api("dora")
    _refused(dora.post(f"/requests/{item.pk}/send-back", {"reason": " "}), 400, "reason_required")
    body = _ok(dora.post(f"/requests/{item.pk}/send-back", {"reason": "属于物业管理，不是本单位"}))
    assert (body["status"], body["department_id"]) == ("pending", None)
    assert body["events"][-1]["text"] == "属于物业管理，不是本单位"
    _refused(dora.get(f"/requests/{item.pk}"), 404)  # back with the operator
    assert _ok(api("alice").get(f"/requests/{item.pk}"))["status_label"] == "待派单"


def test_acting_on_a_request_in_the_wrong_state_is_409(api, submit, people, officers):
    item = _closed(submit, people)
    body = _refused(api("dora").post(f"/requests/{item.pk}/accept"), 409, "request_state_conflict")
    assert body["message"] == "该诉求当前状态为“已办结”，不能进行此操作，请刷新页面"


# ---------------------------------------------------------------- staff: reading


def test_the_list_filters_and_masks_the_phone(api, submit, people, categories, departments):
    parking = request_services.dispatch_request(
        submit(), by=people["alice"], department=departments["owner"]
    )
    policy = submit(category=categories["policy"], phone="13800001111", enterprise_name="某公司")
    alice = api("alice")

    def ids(params):
        return [i["id"] for i in _ok(alice.get("/requests", params))["items"]]

    assert ids({}) == [policy.pk, parking.pk]
    assert ids({"status": "dispatched"}) == [parking.pk]
    assert ids({"category": categories["policy"].pk}) == [policy.pk]
    assert ids({"department": departments["owner"].pk}) == [parking.pk]
    _refused(alice.get("/requests", {"category": 999999}), 400, "category_unknown", "category")
    _refused(alice.get("/requests", {"status": "lost"}), 422, field="status")
    item = _ok(alice.get("/requests"))["items"][1]
    assert (item["phone"], item["name"], item["category_name"]) == ("139****5678", NAME, "停车")
    assert not AuditEntry.objects.filter(action="deeds.request.viewed_personal").exists()


def test_the_personal_data_right_shows_the_full_phone_and_is_audited(api, submit):
    item = submit()
    assert _ok(api("pat").get(f"/requests/{item.pk}"))["phone"] == PHONE
    entry = AuditEntry.objects.get(action="deeds.request.viewed_personal")
    assert (entry.actor.username, entry.object_id) == ("pat", str(item.pk))
    assert _ok(api("alice").get(f"/requests/{item.pk}"))["phone"] == "139****5678"


def test_the_list_keeps_a_constant_query_count(api, submit, people, departments):
    def queries_for_list():
        alice = api("alice")
        with CaptureQueriesContext(connection) as captured:
            body = _ok(alice.get("/requests", {"limit": 100}))
        return len(captured), body["count"]

    def add(start, count):
        for i in range(start, start + count):
            item = submit(phone=f"1380000{i:04d}", ip=f"198.51.100.{i}")
            if i % 2:
                request_services.dispatch_request(
                    item, by=people["alice"], department=departments["owner"]
                )

    add(0, 5)
    few, five = queries_for_list()
    add(5, 45)
    many, fifty = queries_for_list()
    assert (five, fifty) == (5, 50)
    assert few == many


def test_an_officer_lists_only_their_departments_requests(api, submit, people, departments):
    ours = request_services.dispatch_request(
        submit(), by=people["alice"], department=departments["owner"]
    )
    request_services.dispatch_request(
        submit(phone="13800001111"), by=people["alice"], department=departments["other"]
    )
    submit(phone="13800002222")  # not dispatched: the operator's alone
    assert [i["id"] for i in _ok(api("dora").get("/requests"))["items"]] == [ours.pk]
    assert _ok(api("alice").get("/requests"))["count"] == 3


def test_rates_through_the_api(api, submit, people, departments, public):
    resolved = _closed(submit, people)
    _ok(public.rate(resolved.tracking_number, "satisfied"))
    explained = _closed(submit, people, phone="13800001111")
    ServiceRequest.objects.filter(pk=explained.pk).update(outcome=OUT.EXPLAINED)
    request_services.dispatch_request(
        submit(phone="13800002222"), by=people["alice"], department=departments["other"]
    )
    today = timezone.localdate().isoformat()

    body = _ok(api("alice").get("/requests/rates", {"start": today, "end": today}))
    [row] = body["rows"]
    assert (row["label"], row["dispatched"], row["closed"], row["resolved"]) == ("全部", 3, 2, 1)
    assert (row["rated"], row["satisfied"], row["unrated"]) == (1, 1, 1)
    assert (row["response_rate"], row["resolution_rate"], row["satisfaction_rate"]) == (
        2 / 3,
        0.5,
        1.0,
    )

    by_department = _ok(api("alice").get("/requests/rates", {"by": "department"}))["rows"]
    assert [(r["label"], r["dispatched"]) for r in by_department] == [
        ("人力资源和社会保障局", 1),
        ("党群工作部", 2),
    ]
    [own] = _ok(api("dora").get("/requests/rates"))["rows"]  # her department's only
    assert own["dispatched"] == 2 and own["satisfaction_rate"] == 1.0
    _refused(
        api("alice").get("/requests/rates", {"start": today, "end": "2000-01-01"}),
        400,
        "period_invalid",
        "start",
    )


# ---------------------------------------------------------------- at the same moment


@pytest.mark.django_db(transaction=True)
def test_two_officers_closing_at_once_one_wins_the_other_gets_409(
    submit, people, departments, monkeypatch
):
    dora = people["dora"]
    dan = make_user("dan", Role.OFFICER, name="部门工作人员乙", department=departments["owner"])
    item = request_services.dispatch_request(
        submit(), by=people["alice"], department=departments["owner"]
    )
    item = request_services.accept_request(item, by=dora)
    locked = request_services._locked

    def slow_lock(r):  # hold the row a moment so that the two closings surely overlap
        row = locked(r)
        time.sleep(0.05)
        return row

    monkeypatch.setattr(request_services, "_locked", slow_lock)
    tokens = {u.username: create_api_token(u, "t", by=None)[1] for u in (dora, dan)}

    def close(name):
        response = Client().post(
            f"/api/v1/requests/{item.pk}/close",
            {"outcome": "resolved", "text": f"{name}已办结"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {tokens[name]}"},
        )
        return response.status_code, response.json()

    results = run_together(close, ["dora", "dan"])

    assert sorted(status for status, _ in results) == [200, 409]
    loser = next(body for status, body in results if status == 409)
    assert loser["code"] == "request_state_conflict"
    assert loser["message"] == "该诉求当前状态为“已办结”，不能进行此操作，请刷新页面"
    closings = RequestEvent.objects.filter(request=item, kind=RequestEvent.Kind.CLOSED)
    assert closings.count() == 1
    assert ServiceRequest.objects.get(pk=item.pk).version == item.version + 1


def test_a_retried_intake_with_the_same_submission_is_one_request(public, form):
    first = _ok(public.intake(**form, submission="client-retry-1"), 201)
    again = _ok(public.intake(**form, submission="client-retry-1"), 201)
    assert again["tracking_number"] == first["tracking_number"]
    assert ServiceRequest.objects.count() == 1
