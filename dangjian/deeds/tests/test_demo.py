"""The demo ledger: the article's deeds as it tells them, and a few dozen more in every
department and every state. Most tests load the district and the ledger without the activities
(quick); one loads everything to see party-day deeds linked to their activities."""

import datetime as dt
import re
from collections import Counter
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.services import create_api_token
from dangjian.core.models import AuditEntry
from dangjian.deeds import demo, queries
from dangjian.deeds.models import Deed, DeedFile, Milestone, SiteVisit, Supervision
from dangjian.orgs import demo as orgs_demo
from dangjian.orgs.models import Community, Department

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.fixture
def ledger():
    """The demo district and its ledger, without the activities."""
    orgs_demo.load()
    return demo.load()


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(TZ)


def test_the_yajingyuan_deed_has_the_directors_on_site_visit_and_the_car_parks_milestones(
    ledger,
):
    deed = Deed.objects.get(title__startswith="雅境园小区停车难问题")
    assert deed.owner.short_name == "建设局" and deed.leader == "管委会主任"
    assert deed.source == Deed.Source.RESEARCH
    assert [p.department.short_name for p in deed.parts.order_by("id")] == ["建设局", "城管局"]
    assert list(deed.communities.values_list("name", flat=True)) == ["和韵社区"]
    [visit] = deed.visits.all()
    assert _local(visit.visited_at) == dt.datetime(2021, 3, 8, 9, 30, tzinfo=TZ)
    assert visit.visitors.startswith("管委会主任带队")
    assert visit.decided.startswith("现场查看、现场办公、现场解决")
    assert visit.files.filter(kind=DeedFile.Kind.VISIT_PHOTO).count() == 2
    milestones = list(deed.milestones.values_list("title", "planned_on", "done_on"))
    assert milestones[0] == ("新建停车场主体完工", dt.date(2021, 2, 28), dt.date(2021, 2, 26))
    assert ("新建停车场投入使用", dt.date(2021, 3, 31), dt.date(2021, 3, 28)) in milestones
    assert all(done is not None for _, _, done in milestones)
    assert (deed.status, deed.outcome) == (Deed.Status.CLOSED, Deed.Outcome.FIXED)
    assert "新增停车位320个" in deed.evidence
    assert deed.files.filter(kind=DeedFile.Kind.EVIDENCE).count() == 1
    assert queries.progress_of(deed) == 100


def test_the_hr_bureau_visited_two_enterprises_on_17_march(ledger):
    deed = Deed.objects.get(title=demo.HR_VISITS)
    assert deed.owner.short_name == "人社局"
    visits = list(deed.visits.order_by("visited_at"))
    assert [_local(v.visited_at).date() for v in visits] == [dt.date(2021, 3, 17)] * 2
    assert [v.place for v in visits] == [
        "太极智慧城市运营服务（天津）有限公司",
        "常青树企业管理咨询（天津）有限公司",
    ]
    assert all("政策" in v.decided for v in visits)
    assert set(deed.enterprises.values_list("name", flat=True)) == {v.place for v in visits}


def test_the_high_tech_deed_helps_zhongke_into_the_reserve_pool(ledger):
    deed = Deed.objects.get(title=demo.ZHONGKE)
    assert deed.owner.short_name == "科技创新局" and deed.source == Deed.Source.PARTY_DAY
    assert list(deed.enterprises.values_list("name", flat=True)) == ["天津中科生物科技有限公司"]
    assert deed.milestones.filter(title="将企业纳入国家高企申报储备库").get().done_on == dt.date(
        2021, 3, 19
    )
    assert _local(deed.visits.get().visited_at).date() == dt.date(2021, 3, 16)
    assert deed.activity is None  # without the activities; see the full demo below


def test_the_ledger_has_dozens_of_deeds_in_every_department_state_and_colour(ledger):
    today = timezone.localdate()
    deeds = Deed.objects.all()
    assert ledger == {"deeds": 37, "visits": 11, "closed": 20}
    assert deeds.count() >= 30
    for department in Department.objects.all():
        assert deeds.filter(owner=department).exists(), department.short_name
    for community in Community.objects.all():
        assert deeds.filter(communities=community).exists(), community.name
    assert Counter(deeds.values_list("status", flat=True)) == {
        "proposed": 2,
        "committed": 2,
        "in_progress": 8,
        "awaiting": 3,
        "closed": 20,
        "cancelled": 2,
    }
    colours = Counter(queries.with_escalation(deeds, today).values_list("escalation", flat=True))
    assert (colours["red"], colours["orange"], colours["blue"]) == (2, 3, 3)
    assert queries.deed_counts(deeds, today) == queries.Counts(
        committed=33,
        in_progress=10,
        awaiting=3,
        closed=20,
        done=18,
        fixed=15,
        partly=3,
        not_fixed=2,
        overdue=5,
        cancelled=2,
    )
    not_fixed = deeds.filter(outcome=Deed.Outcome.NOT_FIXED)
    assert all(d.outcome_reason for d in not_fixed)
    assert all(d.cancel_reason for d in deeds.filter(status=Deed.Status.CANCELLED))
    closed = deeds.filter(status=Deed.Status.CLOSED)
    assert all(d.deadline.year == 2021 and d.evidence for d in closed)
    assert Milestone.objects.count() >= 50 and SiteVisit.objects.count() == 11
    red = Supervision.objects.filter(level="red")
    assert red.count() == 2 and red.exclude(answer="").count() == 1


def test_the_ledgers_text_has_no_phone_or_id_number(ledger):
    texts = []
    for deed in Deed.objects.all():
        texts += [deed.title, deed.description, deed.leader, deed.beneficiaries, deed.evidence]
        texts += [deed.outcome_reason, deed.cancel_reason]
        texts += [p.note for p in deed.parts.all()]
    for visit in SiteVisit.objects.all():
        texts += [visit.place, visit.visitors, visit.observed, visit.decided]
    texts += list(Supervision.objects.values_list("message", flat=True))
    text = "\n".join(texts)
    assert len(text) > 3000
    assert not ID_RE.search(text) and not PHONE_RE.search(text)


def test_loading_the_ledger_twice_adds_nothing(ledger):
    def counts():
        return [
            model.objects.count()
            for model in (Deed, Milestone, SiteVisit, DeedFile, Supervision, AuditEntry)
        ]

    before = counts()
    assert demo.load() == ledger
    assert counts() == before


def test_the_district_alone_has_no_deeds(tmp_path):
    call_command(
        "load_demo", "--without-activities", logins_file=str(tmp_path / "l"), stdout=StringIO()
    )
    assert not Deed.objects.exists()


def test_the_full_demo_links_party_day_deeds_to_their_activities(tmp_path, client):
    out = StringIO()
    call_command("load_demo", logins_file=str(tmp_path / "l"), stdout=out)
    assert "演示实事项目已就绪：实事项目 37 项，已销号 20 项，现场办公 11 次" in out.getvalue()

    zhongke = Deed.objects.get(title=demo.ZHONGKE)
    assert zhongke.activity.title == demo.PARTY_DAY
    assert zhongke.activity.organizers.get().name == "科技创新局党支部"
    assert list(zhongke.activity.deeds.all()) == [zhongke]
    hr = Deed.objects.get(title=demo.HR_VISITS)
    assert _local(hr.activity.starts_at).date() == dt.date(2021, 3, 17)
    assert hr.activity.organizers.get().name == "人力资源和社会保障局党支部"

    # the demo operator reads the same figures through the API
    _, token = create_api_token(User.objects.get(username="operator"), "t", by=None)
    headers = {"Authorization": f"Bearer {token}"}
    counts = client.get("/api/v1/deeds/counts", headers=headers).json()
    assert counts == queries.deed_counts(Deed.objects.all(), timezone.localdate()).__dict__
    # the demo officer (政务服务办) sees the office's deeds
    _, token = create_api_token(User.objects.get(username="officer"), "t", by=None)
    page = client.get("/api/v1/deeds", headers={"Authorization": f"Bearer {token}"}).json()
    assert page["count"] == 3
    assert {item["owner_name"] for item in page["items"]} == {"政务服务办"}
