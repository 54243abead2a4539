"""The ledger's pages: who sees what, who may do what (a co-department officer only their own
part; another department's officer nothing at all), 409 on a stale version, and a deed from
commitment to close-out through the forms."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.core.testing import photo_upload
from dangjian.deeds import services
from dangjian.deeds.models import Deed, DeedFile, DeedPart, Milestone, SiteVisit, Supervision

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.logout()
    client.force_login(user)
    return client


def _part(deed, department) -> DeedPart:
    return deed.parts.get(department=department)


@pytest.fixture
def shared(make_deed, departments):
    """A committed deed of dora's department shared with cole's, with a milestone of each, a
    visit with a photo and an open supervision notice."""
    deed = make_deed(description="雅境园小区停车位不足，居民反映强烈。", leader="管委会主任")
    for department, title in ((departments["owner"], "方案论证"), (departments["co"], "开工建设")):
        services.add_milestone(
            deed, by=None, title=title, planned_on=timezone.localdate(), department=department
        )
    services.record_visit(
        deed,
        by=None,
        department=departments["owner"],
        visited_at=timezone.now() - dt.timedelta(hours=2),
        place="雅境园小区",
        visitors="管委会主任、政务服务办",
        observed="夜间车辆占用消防通道",
        decided="新建停车场",
        photos=[photo_upload()],
    )
    services.issue_supervision(deed, by=None, message="请加快进度")
    return Deed.objects.get(pk=deed.pk)


def _deed_urls(deed, departments) -> dict[str, tuple[str, str]]:
    """(method, url) of every page of one deed."""
    milestone = deed.milestones.first()
    supervision = deed.supervisions.first()
    photo = DeedFile.objects.filter(deed=deed).first()
    part = _part(deed, departments["owner"])
    return {
        "deed_detail": ("get", reverse("deed_detail", args=[deed.pk])),
        "deed_edit": ("get", reverse("deed_edit", args=[deed.pk])),
        "deed_commit": ("post", reverse("deed_commit", args=[deed.pk])),
        "deed_cancel": ("get", reverse("deed_cancel", args=[deed.pk])),
        "deed_part_update": ("post", reverse("deed_part_update", args=[deed.pk, part.pk])),
        "deed_milestone_add": ("get", reverse("deed_milestone_add", args=[deed.pk])),
        "deed_milestone_complete": (
            "post",
            reverse("deed_milestone_complete", args=[deed.pk, milestone.pk]),
        ),
        "deed_visit_add": ("get", reverse("deed_visit_add", args=[deed.pk])),
        "deed_close_out": ("get", reverse("deed_close_out", args=[deed.pk])),
        "deed_review": ("get", reverse("deed_review", args=[deed.pk])),
        "deed_return": ("get", reverse("deed_return", args=[deed.pk])),
        "deed_supervise": ("get", reverse("deed_supervise", args=[deed.pk])),
        "deed_supervision_answer": (
            "get",
            reverse("deed_supervision_answer", args=[deed.pk, supervision.pk]),
        ),
        "deed_file": ("get", reverse("deed_file", args=[deed.pk, photo.pk])),
    }


# ---------------------------------------------------------------- who sees what


def test_another_departments_officer_gets_404_on_every_page_of_the_deed(
    client, officers, departments, shared
):
    _as(client, officers["olga"])
    assert client.get(reverse("deed_list")).status_code == 200
    assert shared.title not in client.get(reverse("deed_list")).content.decode()
    for name, (method, url) in _deed_urls(shared, departments).items():
        response = getattr(client, method)(
            url, {"progress": 50, "version": 1, "done_on": "2021-03-08"}
        )
        assert response.status_code == 404, name


def test_people_without_a_deeds_right_are_refused_and_visitors_sent_to_log_in(
    client, people, departments, shared
):
    urls = {"deed_list": ("get", reverse("deed_list")), **_deed_urls(shared, departments)}
    urls["deed_create"] = ("get", reverse("deed_create"))
    urls["deed_export"] = ("get", reverse("deed_export"))
    for username in ("bob", "erin", "charlie"):
        _as(client, people[username])
        for name, (method, url) in urls.items():
            assert getattr(client, method)(url).status_code == 403, (username, name)
    client.logout()
    for name, (method, url) in urls.items():
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith("/login/"), name


def test_menu_shows_the_ledger_to_those_who_work_on_deeds(client, people, officers):
    for username, shown in (("alice", True), ("dora", True), ("bob", False)):
        user = officers.get(username) or people[username]
        body = _as(client, user).get(reverse("home"), follow=True).content.decode()
        assert ("办实事台账" in body) is shown, username


def test_the_log_in_page_links_the_public_ledger(client):
    body = client.get(reverse("login")).content.decode()
    assert reverse("public_ledger") in body


# ---------------------------------------------------------------- the list


def test_list_sorts_red_first_and_shows_the_row(client, people, make_deed):
    today = timezone.localdate()
    make_deed(title="蓝色项目", deadline=today + dt.timedelta(days=2))
    make_deed(title="红色项目", deadline=today - dt.timedelta(days=8), leader="分管副主任")
    make_deed(title="橙色项目", deadline=today - dt.timedelta(days=1))
    make_deed(title="正常项目", deadline=today + dt.timedelta(days=40))
    body = _as(client, people["alice"]).get(reverse("deed_list")).content.decode()
    order = [body.index(t) for t in ("红色项目", "橙色项目", "蓝色项目", "正常项目")]
    assert order == sorted(order)
    for text in ('data-level="red"', 'data-level="orange"', 'data-level="blue"', "分管副主任"):
        assert text in body


def test_an_officer_sees_their_own_departments_deeds_first(
    client, people, officers, make_deed, departments
):
    today = timezone.localdate()
    make_deed(title="本单位项目", deadline=today + dt.timedelta(days=60))
    make_deed(
        title="建设局牵头项目",
        owner=departments["co"],
        deadline=today + dt.timedelta(days=90),  # no colour at all
        shared=False,
    )
    services.create_deed(
        by=None,
        title="建设局协办项目",
        source=Deed.Source.RESEARCH,
        owner=departments["owner"],
        deadline=today - dt.timedelta(days=9),
        co_departments=[(departments["co"], "施工")],
    )
    body = _as(client, officers["dora"]).get(reverse("deed_list")).content.decode()
    # dora's department owns 本单位项目 and 建设局协办项目; 建设局牵头项目 is not hers at all.
    assert "建设局牵头项目" not in body
    assert body.index("建设局协办项目") < body.index("本单位项目")  # red before none
    body = _as(client, officers["cole"]).get(reverse("deed_list")).content.decode()
    # cole's own department's deed comes first, even before the red deed it only helps with.
    assert body.index("建设局牵头项目") < body.index("建设局协办项目") < body.index("本单位项目")
    body = _as(client, people["alice"]).get(reverse("deed_list")).content.decode()
    # the operator's are all the district's: red first, then by deadline.
    assert body.index("建设局协办项目") < body.index("本单位项目") < body.index("建设局牵头项目")


def test_list_filters(client, people, make_deed, departments, district):
    from dangjian.orgs import services as orgs

    community = orgs.create_community(by=None, name="和风社区")
    today = timezone.localdate()
    make_deed(title="和风社区加装电梯", communities=[community])
    make_deed(title="企业高企申报辅导", source=Deed.Source.PARTY_DAY, shared=False)
    make_deed(title="逾期的项目", deadline=today - dt.timedelta(days=20), shared=False)
    make_deed(title="拟办的项目", commit=False, shared=False)
    client = _as(client, people["alice"])

    def titles(**params):
        body = client.get(reverse("deed_list"), params).content.decode()
        names = ["和风社区加装电梯", "企业高企申报辅导", "逾期的项目", "拟办的项目"]
        return {n for n in names if f">{n}</a>" in body}

    assert titles(community=community.pk) == {"和风社区加装电梯"}
    assert titles(source="party_day") == {"企业高企申报辅导"}
    assert titles(escalation="red") == {"逾期的项目"}
    assert titles(status="proposed") == {"拟办的项目"}
    assert titles(department=departments["co"].pk) == {"和风社区加装电梯"}
    assert titles(q="电梯") == {"和风社区加装电梯"}
    assert len(titles()) == 4


def test_counts_on_top_never_call_closed_without_a_fix_done(client, people, make_deed):
    for outcome, reason in (("fixed", ""), ("partly", ""), ("not_fixed", "规划调整")):
        deed = make_deed()
        services.submit_close_out(deed, by=None, evidence="办理情况")
        services.review_close_out(deed, by=None, outcome=outcome, reason=reason)
    body = _as(client, people["alice"]).get(reverse("deed_list")).content.decode()
    assert 'data-count="done">2<' in body
    assert 'data-count="not_fixed">1<' in body


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def add_deeds(make_deed, departments, count: int) -> None:
    """Deeds with two milestones (one done) and a visit each, some shared, some overdue."""
    today = timezone.localdate()
    for i in range(count):
        deed = make_deed(
            title=f"实事项目{i}",
            deadline=today + dt.timedelta(days=(i % 20) - 10),
            shared=i % 2 == 0,
        )
        for k in range(2):
            milestone = services.add_milestone(
                deed,
                by=None,
                title=f"节点{k}",
                planned_on=today,
                department=departments["owner"],
            )
        services.complete_milestone(milestone, by=None, done_on=today)
        SiteVisit.objects.create(
            deed=deed,
            department=departments["owner"],
            visited_at=timezone.now(),
            place="现场",
            visitors="干部",
            observed="查看",
        )


def test_list_keeps_a_constant_query_count_at_5_and_50_deeds(
    client, officers, make_deed, departments
):
    add_deeds(make_deed, departments, 5)
    users = (officers["dora"], officers["cole"])
    urls = [reverse("deed_list"), reverse("deed_list") + "?escalation=red&q=实事"]
    small = {(u.pk, url): _queries(_as(client, u), url) for u in users for url in urls}
    deed = Deed.objects.first()
    detail = _queries(_as(client, officers["dora"]), reverse("deed_detail", args=[deed.pk]))

    add_deeds(make_deed, departments, 45)
    services.add_milestone(
        deed, by=None, title="再加一个", planned_on=timezone.localdate(), department=deed.owner
    )

    assert Deed.objects.count() == 50
    large = {(u.pk, url): _queries(_as(client, u), url) for u in users for url in urls}
    assert large == small
    assert _queries(_as(client, officers["dora"]), reverse("deed_detail", args=[deed.pk])) == detail


# ---------------------------------------------------------------- a co-department's officer


def test_a_co_department_officer_updates_their_own_part_and_nothing_else(
    client, officers, departments, shared
):
    own, other = _part(shared, departments["co"]), _part(shared, departments["owner"])
    _as(client, officers["cole"])
    page = client.get(reverse("deed_detail", args=[shared.pk])).content.decode()
    assert page.count("data-part-form") == 1  # only his own part has a form
    assert reverse("deed_edit", args=[shared.pk]) not in page
    assert reverse("deed_close_out", args=[shared.pk]) not in page

    response = client.post(
        reverse("deed_part_update", args=[shared.pk, own.pk]),
        {"progress": 40, "note": "已完成招标", "version": own.version},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.progress, own.note, own.updated_by) == (40, "已完成招标", officers["cole"])

    refused = {
        "other part": client.post(
            reverse("deed_part_update", args=[shared.pk, other.pk]),
            {"progress": 90, "version": other.version},
        ),
        "edit page": client.get(reverse("deed_edit", args=[shared.pk])),
        "edit": client.post(
            reverse("deed_edit", args=[shared.pk]),
            {"title": "改名", "source": "research", "deadline": "2031-01-01", "version": 1},
        ),
        "close-out page": client.get(reverse("deed_close_out", args=[shared.pk])),
        "close-out": client.post(reverse("deed_close_out", args=[shared.pk]), {"evidence": "完成"}),
        "commit": client.post(reverse("deed_commit", args=[shared.pk])),
        "cancel": client.post(reverse("deed_cancel", args=[shared.pk]), {"reason": "不办了"}),
        "review": client.post(reverse("deed_review", args=[shared.pk]), {"outcome": "fixed"}),
        "return": client.post(reverse("deed_return", args=[shared.pk]), {"reason": "退回"}),
        "supervise": client.post(reverse("deed_supervise", args=[shared.pk]), {"message": "快"}),
        "answer": client.post(
            reverse("deed_supervision_answer", args=[shared.pk, shared.supervisions.first().pk]),
            {"answer": "已办"},
        ),
        "owner's milestone": client.post(
            reverse(
                "deed_milestone_complete",
                args=[shared.pk, shared.milestones.get(department=departments["owner"]).pk],
            ),
            {"done_on": timezone.localdate().isoformat()},
        ),
    }
    assert {name: r.status_code for name, r in refused.items()} == dict.fromkeys(refused, 403)
    other.refresh_from_db()
    shared.refresh_from_db()
    assert other.progress == 0 and shared.title == "雅境园小区停车难问题"
    assert shared.status == Deed.Status.IN_PROGRESS and not shared.evidence


def test_a_co_department_officer_adds_milestones_and_visits_only_for_their_department(
    client, officers, departments, shared
):
    _as(client, officers["cole"])
    form = client.get(reverse("deed_milestone_add", args=[shared.pk])).content.decode()
    assert "建设局" in form and "党群工作部" not in form
    response = client.post(
        reverse("deed_milestone_add", args=[shared.pk]),
        {"title": "主体完工", "planned_on": "2031-06-30", "department": departments["owner"].pk},
    )
    assert response.status_code == 400  # not a choice he has
    response = client.post(
        reverse("deed_milestone_add", args=[shared.pk]),
        {"title": "主体完工", "planned_on": "2031-06-30", "department": departments["co"].pk},
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(title="主体完工")
    assert milestone.department == departments["co"]
    response = client.post(
        reverse("deed_milestone_complete", args=[shared.pk, milestone.pk]),
        {"done_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on == timezone.localdate()


# ---------------------------------------------------------------- versions: 409


def _edit_data(deed, **changes) -> dict:
    return {
        "title": deed.title,
        "source": deed.source,
        "deadline": deed.deadline.isoformat(),
        "leader": deed.leader,
        "version": deed.version,
        **changes,
    }


def test_a_stale_edit_answers_409_with_the_chinese_message_and_keeps_the_form(
    client, people, officers, shared
):
    stale = _edit_data(shared, leader="李局长")
    _as(client, people["alice"])
    assert (
        client.post(
            reverse("deed_edit", args=[shared.pk]), _edit_data(shared, leader="王主任")
        ).status_code
        == 302
    )

    _as(client, officers["dora"])
    response = client.post(reverse("deed_edit", args=[shared.pk]), stale)

    assert response.status_code == 409
    body = response.content.decode()
    assert "该实事项目已被他人修改，请刷新页面后重试" in body
    assert 'value="李局长"' in body  # what she typed is still there
    shared.refresh_from_db()
    assert shared.leader == "王主任"
    outcomes = AuditEntry.objects.filter(action="deeds.deed.updated", object_id=str(shared.pk))
    assert sorted(outcomes.values_list("outcome", flat=True)) == ["failure", "success"]


def test_the_edit_form_carries_the_version_and_saves(client, officers, shared):
    _as(client, officers["dora"])
    form = client.get(reverse("deed_edit", args=[shared.pk])).content.decode()
    assert f'name="version" value="{shared.version}"' in form
    assert "协办单位" not in form  # parts are set at creation
    response = client.post(
        reverse("deed_edit", args=[shared.pk]), _edit_data(shared, deadline="2031-12-31")
    )
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.deadline == dt.date(2031, 12, 31)


def test_a_stale_part_report_answers_409(client, officers, departments, shared):
    part = _part(shared, departments["owner"])
    services.update_part(part, by=None, version=part.version, progress=30)
    _as(client, officers["dora"])
    response = client.post(
        reverse("deed_part_update", args=[shared.pk, part.pk]),
        {"progress": 80, "note": "旧页面", "version": part.version},
    )
    assert response.status_code == 409
    assert "该分工已被他人修改" in response.content.decode()
    part.refresh_from_db()
    assert part.progress == 30


def test_a_part_report_out_of_range_is_refused_with_400(client, officers, departments, shared):
    part = _part(shared, departments["owner"])
    _as(client, officers["dora"])
    response = client.post(
        reverse("deed_part_update", args=[shared.pk, part.pk]),
        {"progress": 120, "version": part.version},
    )
    assert response.status_code == 400
    assert "进度应为0到100之间的整数" in response.content.decode()


# ---------------------------------------------------------------- creating


def test_an_officer_creates_deeds_only_for_their_own_department(client, officers, departments):
    _as(client, officers["dora"])
    form = client.get(reverse("deed_create")).content.decode()
    assert f'<option value="{departments["other"].pk}"' in form  # as a co-department only
    data = {
        "title": "和韵社区老旧小区改造",
        "source": "resident",
        "deadline": "2031-09-30",
        "co_departments": [departments["co"].pk],
    }
    refused = client.post(reverse("deed_create"), {**data, "owner": departments["other"].pk})
    assert refused.status_code == 400
    assert not Deed.objects.exists()
    response = client.post(reverse("deed_create"), {**data, "owner": departments["owner"].pk})
    assert response.status_code == 302
    deed = Deed.objects.get()
    assert deed.status == Deed.Status.PROPOSED and deed.created_by == officers["dora"]
    assert {p.department for p in deed.parts.all()} == {departments["owner"], departments["co"]}


def test_the_operator_creates_for_any_department(client, people, departments):
    _as(client, people["alice"])
    response = client.post(
        reverse("deed_create"),
        {
            "title": "人社政策进企业",
            "source": "visit",
            "deadline": "2031-03-17",
            "owner": departments["other"].pk,
        },
    )
    assert response.status_code == 302
    assert Deed.objects.get().owner == departments["other"]


def test_creating_without_a_title_names_the_field(client, people, departments):
    _as(client, people["alice"])
    response = client.post(
        reverse("deed_create"),
        {"source": "visit", "deadline": "2031-03-17", "owner": departments["other"].pk},
    )
    assert response.status_code == 400
    assert 'data-error-for="title"' in response.content.decode()


# ---------------------------------------------------------------- from commitment to close-out


def _pdf(name="验收报告.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n", "application/pdf")


def test_a_deed_from_proposal_to_close_out_through_the_pages(
    client, people, officers, departments, make_deed
):
    deed = make_deed(commit=False, shared=False)
    alice, dora = people["alice"], officers["dora"]

    _as(client, dora)
    page = client.get(reverse("deed_detail", args=[deed.pk])).content.decode()
    assert reverse("deed_commit", args=[deed.pk]) not in page  # only the operator commits
    assert client.post(reverse("deed_commit", args=[deed.pk])).status_code == 403

    _as(client, alice)
    assert client.post(reverse("deed_commit", args=[deed.pk])).status_code == 302
    again = client.post(reverse("deed_commit", args=[deed.pk]))
    assert again.status_code == 400 and "不能进行此操作" in again.content.decode()

    _as(client, dora)
    response = client.post(
        reverse("deed_milestone_add", args=[deed.pk]),
        {"title": "停车场开工", "planned_on": "2021-04-01", "department": departments["owner"].pk},
    )
    assert response.status_code == 302
    visited = timezone.localtime() - dt.timedelta(hours=3)
    response = client.post(
        reverse("deed_visit_add", args=[deed.pk]),
        {
            "department": departments["owner"].pk,
            "visited_at": visited.strftime("%Y-%m-%dT%H:%M"),
            "place": "雅境园小区",
            "visitors": "管委会主任",
            "observed": "车位紧张",
            "decided": "新建停车场",
            "photos": [photo_upload("a.jpg"), photo_upload("b.jpg", color=(0, 90, 0))],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    visit = SiteVisit.objects.get(deed=deed)
    assert visit.files.count() == 2

    refused = client.post(reverse("deed_close_out", args=[deed.pk]), {"evidence": "  "})
    assert refused.status_code == 400
    assert "须提供销号材料" in refused.content.decode()
    response = client.post(
        reverse("deed_close_out", args=[deed.pk]),
        {"evidence": "新建停车场已投用，新增车位300个。", "files": [photo_upload(), _pdf()]},
    )
    assert response.status_code == 302
    deed.refresh_from_db()
    assert deed.status == Deed.Status.AWAITING
    assert deed.files.filter(kind=DeedFile.Kind.EVIDENCE).count() == 2

    _as(client, alice)
    refused = client.post(reverse("deed_review", args=[deed.pk]), {"outcome": "not_fixed"})
    assert refused.status_code == 400 and "未解决的须说明原因" in refused.content.decode()
    response = client.post(reverse("deed_review", args=[deed.pk]), {"outcome": "fixed"})
    assert response.status_code == 302
    deed.refresh_from_db()
    assert (deed.status, deed.outcome, deed.closed_by) == ("closed", "fixed", alice)

    page = client.get(reverse("deed_detail", args=[deed.pk])).content.decode()
    for label in (
        "新建实事项目",
        "承诺实事项目",
        "新增节点",
        "记录现场办公",
        "申请销号",
        "审核销号",
    ):
        assert label in page, label
    assert "区级管理员" in page and "部门工作人员" in page  # who did it
    assert "已解决" in page
    timeline = page[page.index('id="timeline"') :]
    assert timeline.index("承诺实事项目") < timeline.index("审核销号")


def test_the_operator_returns_a_close_out_with_a_reason(client, people, make_deed):
    deed = make_deed()
    services.submit_close_out(deed, by=None, evidence="已完成")
    _as(client, people["alice"])
    assert client.post(reverse("deed_return", args=[deed.pk]), {"reason": ""}).status_code == 400
    response = client.post(reverse("deed_return", args=[deed.pk]), {"reason": "缺少验收照片"})
    assert response.status_code == 302
    deed.refresh_from_db()
    assert deed.status == Deed.Status.IN_PROGRESS
    assert "缺少验收照片" in client.get(reverse("deed_detail", args=[deed.pk])).content.decode()


def test_cancel_needs_a_reason(client, people, make_deed):
    deed = make_deed()
    _as(client, people["alice"])
    assert client.post(reverse("deed_cancel", args=[deed.pk]), {"reason": ""}).status_code == 400
    assert (
        client.post(reverse("deed_cancel", args=[deed.pk]), {"reason": "并入其他项目"}).status_code
        == 302
    )
    deed.refresh_from_db()
    assert (deed.status, deed.cancel_reason) == ("cancelled", "并入其他项目")


def test_supervision_is_issued_by_the_operator_and_answered_by_the_department(
    client, people, officers, make_deed
):
    deed = make_deed(deadline=timezone.localdate() - dt.timedelta(days=9))
    _as(client, officers["dora"])
    assert client.get(reverse("deed_supervise", args=[deed.pk])).status_code == 403
    _as(client, people["alice"])
    response = client.post(reverse("deed_supervise", args=[deed.pk]), {"message": "逾期，请说明"})
    assert response.status_code == 302
    supervision = Supervision.objects.get(deed=deed)
    assert supervision.level == "red"

    _as(client, officers["dora"])
    url = reverse("deed_supervision_answer", args=[deed.pk, supervision.pk])
    assert url in client.get(reverse("deed_detail", args=[deed.pk])).content.decode()
    assert "逾期，请说明" in client.get(url).content.decode()
    assert client.post(url, {"answer": "已协调施工单位，月底完工"}).status_code == 302
    supervision.refresh_from_db()
    assert supervision.answered_by == officers["dora"]
    page = client.get(reverse("deed_detail", args=[deed.pk])).content.decode()
    assert "已协调施工单位" in page and "红色督办" in page


# ---------------------------------------------------------------- files


def test_files_are_served_to_those_who_see_the_deed_only(client, people, officers, shared):
    photo = DeedFile.objects.get(deed=shared)
    url = reverse("deed_file", args=[shared.pk, photo.pk])
    assert not url.startswith("/media")
    for user, status in ((officers["dora"], 200), (officers["cole"], 200), (officers["olga"], 404)):
        response = _as(client, user).get(url)
        assert response.status_code == status
    response = _as(client, people["alice"]).get(url)
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    assert response["Cache-Control"].startswith("private")


# ---------------------------------------------------------------- the activity's page


def _party_day(district):
    from dangjian.campaigns import services as campaigns
    from dangjian.campaigns.models import ActivityType

    campaign = campaigns.create_campaign(
        by=None, name="党史学习教育", starts_on=dt.date(2021, 1, 1), ends_on=dt.date(2031, 12, 31)
    )
    starts = timezone.now() - dt.timedelta(days=3)
    return campaigns.create_activity(
        by=None,
        campaign=campaign,
        type=ActivityType.objects.first(),
        title="学一段党史 办一件实事",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        organizers=[district.branches[0]],
    )


def test_an_activitys_page_lists_the_public_deeds_it_produced(client, people, district, make_deed):
    activity = _party_day(district)
    committed = make_deed(title="高企申报辅导", activity=activity, shared=False)
    make_deed(title="尚未承诺的项目", activity=activity, commit=False, shared=False)
    body = _as(client, people["bob"]).get(reverse("activity_detail", args=[activity.pk]))
    body = body.content.decode()
    assert "高企申报辅导" in body and "尚未承诺的项目" not in body
    assert reverse("public_ledger_detail", args=[committed.pk]) in body
