"""The API v1 of the deeds ledger: the same services, scopes and permissions as the pages;
refusals as `{"code", "message", "field"}` in Chinese; a stale save is a 409."""

import datetime as dt
import re
import time
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.accounts.services import create_api_token
from dangjian.core.models import AuditEntry
from dangjian.core.testing import photo_upload, run_together
from dangjian.deeds import queries, services
from dangjian.deeds.models import Deed

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


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

    def patch(self, path, body):
        return self.client.patch(
            f"/api/v1{path}", body, content_type="application/json", headers=self.headers
        )

    def upload(self, path, data):
        """A multipart POST (form fields and files)."""
        return self.client.post(f"/api/v1{path}", data, headers=self.headers)


@pytest.fixture
def api(client, people, officers):
    users = {**people, **officers}
    return lambda name: Api(client, users[name])


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


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def _parts(deed):
    owner_part, co_part = deed.parts.order_by("id")
    return owner_part, co_part


# ---------------------------------------------------------------- reading


def test_each_officer_lists_the_deeds_of_their_department(api, make_deed, departments):
    shared = make_deed(title="雅境园小区停车难问题")
    alone = make_deed(title="党群服务中心延长开放时间", shared=False)
    theirs = make_deed(title="高校毕业生就业见习", owner=departments["other"], shared=False)
    assert set(_ids(api("alice").get("/deeds"))) == {shared.pk, alone.pk, theirs.pk}
    assert set(_ids(api("dora").get("/deeds"))) == {shared.pk, alone.pk}
    assert _ids(api("cole").get("/deeds")) == [shared.pk]
    assert _ids(api("olga").get("/deeds")) == [theirs.pk]


def test_the_list_carries_combined_progress_and_escalation(api, make_deed):
    today = timezone.localdate()
    deed = make_deed(deadline=today + dt.timedelta(days=2))
    owner_part, co_part = _parts(deed)
    services.update_part(owner_part, by=None, version=1, progress=80)
    services.update_part(co_part, by=None, version=1, progress=30)
    late = make_deed(title="和风社区管网改造", deadline=today - dt.timedelta(days=8))

    items = {i["id"]: i for i in api("dora").get("/deeds").json()["items"]}

    assert items[deed.pk]["progress"] == 55
    assert items[deed.pk]["status"] == "in_progress"
    assert (items[deed.pk]["escalation"], items[deed.pk]["escalation_label"]) == ("blue", "蓝色")
    assert items[late.pk]["escalation"] == "red"
    assert items[deed.pk]["co_department_ids"] == [co_part.department_id]
    assert _ids(api("dora").get("/deeds"))[0] == late.pk  # red first


def test_an_officer_sees_the_deeds_their_department_owns_first(api, make_deed, departments):
    today = timezone.localdate()
    late = today - dt.timedelta(days=20)
    own_late = make_deed(title="新建停车场", owner=departments["co"], shared=False, deadline=late)
    own_calm = make_deed(title="管网改造", owner=departments["co"], shared=False)
    shared_red = make_deed(title="雅境园小区停车难问题", deadline=late)  # dora's, shared
    assert _ids(api("cole").get("/deeds")) == [own_late.pk, own_calm.pk, shared_red.pk]
    assert _ids(api("alice").get("/deeds")) == [own_late.pk, shared_red.pk, own_calm.pk]


def test_list_filters(api, make_deed, departments):
    from dangjian.orgs import services as orgs

    community = orgs.create_community(by=None, name="和韵社区", grids=["第一网格"])
    today = timezone.localdate()
    red = make_deed(deadline=today - dt.timedelta(days=9), communities=[community])
    blue = make_deed(deadline=today + dt.timedelta(days=1), shared=False)
    proposed = make_deed(commit=False, shared=False)
    alice = api("alice")
    assert _ids(alice.get("/deeds", {"escalation": "red"})) == [red.pk]
    assert _ids(alice.get("/deeds", {"escalation": "blue"})) == [blue.pk]
    assert _ids(alice.get("/deeds", {"escalation": "none"})) == [proposed.pk]
    assert _ids(alice.get("/deeds", {"status": "proposed"})) == [proposed.pk]
    assert _ids(alice.get("/deeds", {"community": community.pk})) == [red.pk]
    assert _ids(alice.get("/deeds", {"department": departments["co"].pk})) == [red.pk]
    _refused(alice.get("/deeds", {"community": 999999}), 400, "community_unknown", "community")
    _refused(alice.get("/deeds", {"escalation": "purple"}), 422, field="escalation")


def test_deeds_need_a_deeds_right(api, make_deed):
    deed = make_deed()
    for name in ("bob", "erin", "charlie"):
        _refused(api(name).get("/deeds"), 403, "forbidden")
        _refused(api(name).get(f"/deeds/{deed.pk}"), 403, "forbidden")
        _refused(api(name).get("/deeds/counts"), 403, "forbidden")


def test_detail_shows_parts_milestones_visits_files_and_supervision(api, make_deed, departments):
    deed = make_deed(deadline=timezone.localdate() - dt.timedelta(days=2))
    services.add_milestone(
        deed,
        by=None,
        title="完成设计",
        planned_on=dt.date(2021, 4, 1),
        department=departments["co"],
    )
    services.record_visit(
        deed,
        by=None,
        department=departments["owner"],
        visited_at=timezone.now() - dt.timedelta(hours=1),
        place="雅境园小区",
        visitors="管委会主任，建设局、城管局负责同志",
        observed="车位缺口约300个",
        decided="利用东侧空地建设停车场",
        photos=[photo_upload()],
    )
    services.issue_supervision(deed, by=None, message="请于三日内报送进展")

    body = api("cole").get(f"/deeds/{deed.pk}").json()

    assert body["title"] == deed.title and body["escalation"] == "orange"
    assert [(p["is_owner"], p["may_update"]) for p in body["parts"]] == [
        (True, False),
        (False, True),
    ]
    assert body["milestones"][0]["title"] == "完成设计"
    assert body["milestones"][0]["department_name"] == "建设局"
    [visit] = body["visits"]
    assert visit["place"] == "雅境园小区" and len(visit["photos"]) == 1
    assert [f["kind"] for f in body["files"]] == ["visit_photo"]
    [notice] = body["supervisions"]
    assert (notice["level"], notice["level_label"], notice["answer"]) == ("orange", "橙色", "")
    assert body["may_edit"] is False and body["may_manage"] is False
    photo = api("cole").get(visit["photos"][0]["url"].removeprefix("/api/v1"))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"


def test_another_departments_officer_gets_404_everywhere(api, make_deed):
    deed = make_deed()
    owner_part, _ = _parts(deed)
    olga = api("olga")
    paths = [
        ("get", f"/deeds/{deed.pk}", None),
        ("patch", f"/deeds/{deed.pk}", {"version": deed.version, "leader": "王局长"}),
        ("patch", f"/deeds/{deed.pk}/parts/{owner_part.pk}", {"version": 1, "progress": 50}),
        ("post", f"/deeds/{deed.pk}/milestones", {"title": "开工", "planned_on": "2021-05-01"}),
        ("post", f"/deeds/{deed.pk}/supervisions", {"message": "请加快"}),
    ]
    for method, path, body in paths:
        response = getattr(olga, method)(path, body) if body else olga.get(path)
        _refused(response, 404, "not_found")
    _refused(olga.upload(f"/deeds/{deed.pk}/close-out", {"evidence": "已完成"}), 404)
    deed.refresh_from_db()
    assert deed.leader == "" and deed.status == Deed.Status.COMMITTED


# ---------------------------------------------------------------- writing


def test_a_co_department_officer_updates_their_own_part_and_nothing_else(api, make_deed):
    deed = make_deed()
    owner_part, co_part = _parts(deed)
    cole = api("cole")

    mine = cole.patch(
        f"/deeds/{deed.pk}/parts/{co_part.pk}",
        {"version": co_part.version, "progress": 40, "note": "施工单位已进场"},
    )
    assert mine.status_code == 200, mine.content
    assert (mine.json()["progress"], mine.json()["version"]) == (40, co_part.version + 1)

    _refused(
        cole.patch(f"/deeds/{deed.pk}/parts/{owner_part.pk}", {"version": 1, "progress": 90}),
        403,
        "forbidden",
    )
    _refused(cole.patch(f"/deeds/{deed.pk}", {"version": deed.version, "title": "改名"}), 403)
    _refused(cole.upload(f"/deeds/{deed.pk}/close-out", {"evidence": "已完成"}), 403)
    _refused(cole.post(f"/deeds/{deed.pk}/commit"), 403)
    owner_milestone = {
        "title": "完成设计",
        "planned_on": "2021-04-01",
        "department_id": owner_part.department_id,
    }
    _refused(cole.post(f"/deeds/{deed.pk}/milestones", owner_milestone), 403)
    own_milestone = cole.post(
        f"/deeds/{deed.pk}/milestones", {"title": "主体完工", "planned_on": "2021-05-20"}
    )
    assert own_milestone.status_code == 201
    assert own_milestone.json()["department_id"] == co_part.department_id

    owner_part.refresh_from_db()
    deed.refresh_from_db()
    assert owner_part.progress == 0 and deed.title == "雅境园小区停车难问题"
    assert deed.status == Deed.Status.IN_PROGRESS


def test_a_stale_save_is_a_409_and_keeps_the_winners_change(api, make_deed):
    deed = make_deed()
    version = deed.version
    won = api("dora").patch(f"/deeds/{deed.pk}", {"version": version, "leader": "王主任"})
    assert won.status_code == 200, won.content
    assert won.json()["version"] == version + 1

    lost = api("alice").patch(f"/deeds/{deed.pk}", {"version": version, "leader": "李局长"})

    body = _refused(lost, 409, "deed_version_conflict", "version")
    assert "已被他人修改" in body["message"] and "刷新" in body["message"]
    deed.refresh_from_db()
    assert deed.leader == "王主任"
    attempts = AuditEntry.objects.filter(action="deeds.deed.updated", object_id=str(deed.pk))
    assert sorted(attempts.values_list("outcome", "actor__username")) == [
        ("failure", "alice"),
        ("success", "dora"),
    ]


def test_a_stale_part_save_is_a_409(api, make_deed):
    deed = make_deed()
    _, co_part = _parts(deed)
    cole = api("cole")
    path = f"/deeds/{deed.pk}/parts/{co_part.pk}"
    assert cole.patch(path, {"version": 1, "progress": 20}).status_code == 200
    body = _refused(cole.patch(path, {"version": 1, "progress": 70}), 409, "part_version_conflict")
    assert "已被他人修改" in body["message"]
    co_part.refresh_from_db()
    assert co_part.progress == 20


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_through_the_api_one_wins(make_deed, people, monkeypatch):
    deed = make_deed()
    version = deed.version
    locked = services._locked

    def slow_lock(d):  # hold the row a moment so that the two saves surely overlap
        row = locked(d)
        time.sleep(0.05)
        return row

    monkeypatch.setattr(services, "_locked", slow_lock)
    tokens = {name: create_api_token(people[name], "t", by=None)[1] for name in ("alice", "dora")}

    def save(change):
        name, leader = change
        response = Client().patch(
            f"/api/v1/deeds/{deed.pk}",
            {"version": version, "leader": leader},
            content_type="application/json",
            headers={"Authorization": f"Bearer {tokens[name]}"},
        )
        return response.status_code, response.json()

    results = run_together(save, [("alice", "王主任"), ("dora", "李局长")])

    assert sorted(status for status, _ in results) == [200, 409]
    winner = next(body for status, body in results if status == 200)
    loser = next(body for status, body in results if status == 409)
    assert loser["code"] == "deed_version_conflict" and "刷新" in loser["message"]
    stored = Deed.objects.get(pk=deed.pk)
    assert stored.leader == winner["leader"] and stored.version == version + 1


def test_close_out_without_evidence_is_refused_with_the_field(api, make_deed):
    deed = make_deed()
    dora = api("dora")
    for data in ({}, {"evidence": "   "}):
        body = _refused(dora.upload(f"/deeds/{deed.pk}/close-out", data), 400, "evidence_required")
        assert body["field"] == "evidence" and "销号材料" in body["message"]
    deed.refresh_from_db()
    assert deed.status == Deed.Status.COMMITTED and not deed.files.exists()


def test_a_deed_from_proposal_to_closed_out_through_the_api(api, make_deed, departments):
    alice, dora = api("alice"), api("dora")
    created = dora.post(
        "/deeds",
        {
            "title": "雅境园小区停车难问题",
            "source": "research",
            "owner_id": departments["owner"].pk,
            "co_departments": [{"department_id": departments["co"].pk, "task": "停车场施工"}],
            "deadline": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
            "leader": "管委会主任",
        },
    )
    assert created.status_code == 201, created.content
    deed = created.json()
    assert (deed["status"], deed["progress"], len(deed["parts"])) == ("proposed", 0, 2)
    path = f"/deeds/{deed['id']}"
    _refused(dora.post(f"{path}/commit"), 403)
    assert alice.post(f"{path}/commit").json()["status"] == "committed"

    milestone = dora.post(
        f"{path}/milestones", {"title": "停车场主体完工", "planned_on": "2021-05-31"}
    )
    assert milestone.status_code == 201
    done = dora.post(
        f"{path}/milestones/{milestone.json()['id']}/complete", {"done_on": "2021-05-28"}
    )
    assert done.json()["done_on"] == "2021-05-28"
    visit = dora.upload(
        f"{path}/visits",
        {
            "visited_at": "2021-03-08T09:30:00",
            "place": "雅境园小区东侧",
            "visitors": "管委会主任，建设局、城管局负责同志",
            "observed": "停车场主体已完工，出入口道闸未安装",
            "decided": "一周内完成道闸安装，月底前投入使用",
            "photos": [photo_upload()],
        },
    )
    assert visit.status_code == 201, visit.content
    visited_at = dt.datetime.fromisoformat(visit.json()["visited_at"].replace("Z", "+00:00"))
    assert timezone.localtime(visited_at) == dt.datetime(2021, 3, 8, 9, 30, tzinfo=SHANGHAI)
    assert len(visit.json()["photos"]) == 1

    evidence = SimpleUploadedFile("验收报告.pdf", PDF, content_type="application/pdf")
    submitted = dora.upload(
        f"{path}/close-out",
        {"evidence": "新建停车场已投入使用，新增车位320个。", "files": [evidence]},
    )
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "awaiting"
    assert [f["name"] for f in submitted.json()["files"] if f["kind"] == "evidence"] == [
        "验收报告.pdf"
    ]
    _refused(dora.post(f"{path}/close-out/review", {"outcome": "fixed"}), 403)
    closed = alice.post(f"{path}/close-out/review", {"outcome": "fixed"})
    assert (closed.json()["status"], closed.json()["outcome_label"]) == ("closed", "已解决")
    counts = alice.get("/deeds/counts").json()
    assert (counts["closed"], counts["done"], counts["fixed"]) == (1, 1, 1)


def test_officers_create_deeds_only_for_their_own_department(api, departments):
    body = {"title": "新建公交站台", "source": "resident", "deadline": "2021-06-30"}
    dora = api("dora")
    _refused(dora.post("/deeds", {**body, "owner_id": departments["co"].pk}), 403)
    _refused(dora.post("/deeds", {**body, "owner_id": 999999}), 400, "owner_unknown", "owner_id")
    _refused(dora.post("/deeds", {**body, "owner_id": departments["owner"].pk, "title": " "}), 400)
    assert dora.post("/deeds", {**body, "owner_id": departments["owner"].pk}).status_code == 201
    _refused(api("bob").post("/deeds", {**body, "owner_id": departments["owner"].pk}), 403)


def test_review_without_a_fix_needs_a_reason_and_a_return_goes_back_to_work(api, make_deed):
    alice, dora = api("alice"), api("dora")
    deed = make_deed()
    path = f"/deeds/{deed.pk}"
    dora.upload(f"{path}/close-out", {"evidence": "协调未果。"})
    _refused(alice.post(f"{path}/close-out/review", {"outcome": "not_fixed"}), 400, field="reason")
    _refused(alice.post(f"{path}/close-out/review", {"outcome": "done"}), 422, field="outcome")
    returned = alice.post(f"{path}/close-out/return", {"reason": "缺少现场照片"})
    assert returned.json()["status"] == "in_progress"
    _refused(alice.post(f"{path}/close-out/review", {"outcome": "fixed"}), 400, "status_invalid")


def test_supervision_is_issued_by_managers_and_answered_by_the_owner(api, make_deed):
    deed = make_deed(deadline=timezone.localdate() - dt.timedelta(days=9))
    path = f"/deeds/{deed.pk}/supervisions"
    _refused(api("dora").post(path, {"message": "请加快"}), 403)
    issued = api("alice").post(path, {"message": "请于三日内报送进展"})
    assert issued.status_code == 201
    assert (issued.json()["level"], issued.json()["level_label"]) == ("red", "红色")
    answer = f"{path}/{issued.json()['id']}/answer"
    _refused(api("cole").post(answer, {"answer": "已开工"}), 403)
    answered = api("dora").post(answer, {"answer": "已完成施工招标，4月底完工"})
    assert answered.status_code == 200 and answered.json()["answered_at"]
    _refused(api("dora").post(answer, {"answer": "再次反馈"}), 400, "already_answered")


def test_cancel_needs_a_reason(api, make_deed):
    deed = make_deed()
    alice = api("alice")
    _refused(alice.post(f"/deeds/{deed.pk}/cancel", {"reason": " "}), 400, field="reason")
    cancelled = alice.post(f"/deeds/{deed.pk}/cancel", {"reason": "并入其他项目"})
    assert (cancelled.json()["status"], cancelled.json()["cancel_reason"]) == (
        "cancelled",
        "并入其他项目",
    )
    _refused(api("dora").patch(f"/deeds/{deed.pk}", {"version": 9, "leader": "x"}), 400)


def test_counts_are_the_ledgers_figures_and_never_call_not_fixed_done(api, make_deed):
    today = timezone.localdate()

    def close(deed, outcome, reason=""):
        services.submit_close_out(deed, by=None, evidence="已完成")
        services.review_close_out(deed, by=None, outcome=outcome, reason=reason)

    for _ in range(2):
        close(make_deed(), Deed.Outcome.FIXED)
    close(make_deed(), Deed.Outcome.PARTLY)
    close(make_deed(), Deed.Outcome.NOT_FIXED, reason="不具备实施条件")
    make_deed(deadline=today - dt.timedelta(days=1))
    make_deed(commit=False)

    counts = api("dora").get("/deeds/counts").json()

    assert counts == {
        "committed": 5,
        "in_progress": 1,
        "awaiting": 0,
        "closed": 4,
        "done": 3,
        "fixed": 2,
        "partly": 1,
        "not_fixed": 1,
        "overdue": 1,
        "cancelled": 0,
    }
    assert api("olga").get("/deeds/counts").json()["committed"] == 0
    assert counts == queries.deed_counts(Deed.objects.all(), today).__dict__


def test_requests_are_validated_in_chinese(api, make_deed):
    deed = make_deed()
    _, co_part = _parts(deed)
    cole = api("cole")
    bad = cole.patch(f"/deeds/{deed.pk}/parts/{co_part.pk}", {"version": 1, "progress": 101})
    assert "不能大于100" in _refused(bad, 422, field="progress")["message"]
    _refused(cole.patch(f"/deeds/{deed.pk}/parts/{co_part.pk}", {"progress": 10}), 422)
    far = api("alice").patch(f"/deeds/{deed.pk}", {"version": 1, "deadline": "9999-12-31"})
    _refused(far, 422, field="deadline")
    visit = api("dora").upload(f"/deeds/{deed.pk}/visits", {"place": "雅境园"})
    _refused(visit, 400, field="visitors")


def test_the_list_runs_a_fixed_number_of_queries(api, make_deed, departments):
    alice = api("alice")

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert alice.get("/deeds", {"limit": 100}).status_code == 200
        return len(captured)

    def add(count):
        for _ in range(count):
            deed = make_deed()
            services.add_milestone(
                deed,
                by=None,
                title="开工",
                planned_on=dt.date(2021, 4, 1),
                department=departments["co"],
            )

    add(2)
    queries_for_list()  # the token's first use is recorded once
    few = queries_for_list()
    add(8)
    assert queries_for_list() == few


def test_a_multipart_body_without_a_boundary_is_a_400_in_chinese(api, make_deed, settings):
    settings.DEBUG = True  # ninja would answer 500 with a traceback in debug mode
    deed = make_deed()
    dora = api("dora")
    for path in (f"/deeds/{deed.pk}/visits", f"/deeds/{deed.pk}/close-out"):
        response = dora.client.post(
            f"/api/v1{path}", b"abc", content_type="multipart/form-data", headers=dora.headers
        )
        _refused(response, 400, "body_invalid")
