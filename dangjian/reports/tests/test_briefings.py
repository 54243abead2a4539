"""Briefings on a small constructed district: what a secretary's draft tells, versions, the
flag on a changed figure, the .docx and PDF, the audit of downloads, and who sees what.

The fixture: bob's branch (测试机关党支部, the department's organization) has 4 members (3 plus
erin) and held one party day on 2021-03-10 that 3 of them attended; the enterprise branch
held a discussion on 2021-03-12 that 2 of its members attended. The department (bob's
branch's) took up a deed on site on 2021-03-11; another department visited its own on
2021-03-12."""

import datetime as dt
import random
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from dangjian.campaigns import services as campaigns
from dangjian.campaigns.models import ActivityType, CheckIn
from dangjian.core.models import AuditEntry
from dangjian.core.testing import member_data
from dangjian.deeds import services as deeds
from dangjian.orgs import services as orgs
from dangjian.reports.models import Briefing, BriefingVersion

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MARCH = {"start": "2021-03-01", "end": "2021-03-31"}
PARTY_DAY = "重温入党誓词主题党日"
DISCUSSION = "党史学习交流研讨"
BOB_TITLE = "测试机关党支部扎实推进党史学习教育和“我为群众办实事”实践活动"


def _at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2021, 3, day, hour, tzinfo=TZ)


def _activity(org, title: str, day: int, attendees):
    campaign = _campaign()
    activity = campaigns.create_activity(
        by=None,
        campaign=campaign,
        type=ActivityType.objects.get(code="party_day"),
        title=title,
        starts_at=_at(day),
        ends_at=_at(day, 11),
        organizers=[org],
    )
    for member in attendees:
        _check_in(activity, member)
    return activity


def _check_in(activity, member):
    campaigns.check_in(
        activity, member, method=CheckIn.Method.ROLL_CALL, by=None, at=activity.starts_at
    )


def _campaign():
    from dangjian.campaigns.models import Campaign

    return Campaign.objects.first() or campaigns.create_campaign(
        by=None,
        name="测试党史学习教育",
        goals="学党史、悟思想、办实事、开新局",
        starts_on=dt.date(2021, 2, 20),
        ends_on=dt.date(2021, 12, 31),
    )


def _members(org, count: int, seed: int):
    rng = random.Random(seed)
    return [orgs.create_member(by=None, organization=org, **member_data(rng)) for _ in range(count)]


def _deed_visited(department, title: str, day: int, place: str):
    deed = deeds.create_deed(
        by=None, title=title, source="research", owner=department, deadline=dt.date(2021, 6, 30)
    )
    deed = deeds.commit_deed(deed, by=None)
    deeds.record_visit(
        deed,
        by=None,
        department=department,
        visited_at=_at(day, 10),
        place=place,
        visitors="部门负责同志带队",
        observed="道路破损，雨天积水",
        decided="当月完成修补",
    )
    return deed


@pytest.fixture
def world(district, people):
    bob_members = _members(district.branches[0], 3, 1)
    enterprise = _members(district.branches[1], 2, 2)
    other_department = orgs.create_department(by=None, name="测试建设局")
    return {
        "party_day": _activity(district.branches[0], PARTY_DAY, 10, bob_members),
        "discussion": _activity(district.branches[1], DISCUSSION, 12, enterprise),
        "deed": _deed_visited(
            district.department, "测试小区道路积水：修补破损路面", 11, "测试小区"
        ),
        "other_deed": _deed_visited(other_department, "外区工地扬尘整治", 12, "外区工地"),
        "erin_member": people["erin"].member,
    }


def _client(client, user):
    client.force_login(user)
    return client


def _save(client, title=BOB_TITLE, body="正文第一段。", **params) -> Briefing:
    response = client.post(
        reverse("briefing_create"), {**MARCH, **params, "title": title, "body": body}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Briefing.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[1])


# ---------------------------------------------------------------- the draft


def test_a_secretarys_draft_tells_only_their_subtree(client, people, world):
    page = _client(client, people["bob"]).get(reverse("briefing_create"), MARCH)
    text = page.content.decode()
    assert page.status_code == 200
    assert BOB_TITLE in text
    assert "2021年3月1日至2021年3月31日，测试机关党支部聚焦“学党史、悟思想、办实事、开新局”" in text
    assert "共组织各类活动1场，3名党员参加3人次。" in text
    assert "测试机关党支部大力推进党史学习教育“进机关”，面向所属1个党组织、4名党员" in text
    assert f"3月10日，组织开展{PARTY_DAY}，共计3人参与其中。" in text
    assert "3月11日，部门负责同志带队践行“一线工作法”，深入测试小区调研测试小区道路积水" in text
    assert "下一步，测试机关党支部将持续加强创新" in text
    # the other branch's activity and the other department's deed are not theirs
    assert DISCUSSION not in text
    assert "外区工地" not in text
    assert "3月12日" not in text


def test_the_operators_draft_tells_the_whole_district_and_names_the_branches(client, people, world):
    text = _client(client, people["alice"]).get(reverse("briefing_create"), MARCH)
    text = text.content.decode()
    assert "全区扎实推进党史学习教育和“我为群众办实事”实践活动" in text
    assert "共组织各类活动2场，5名党员参加5人次。" in text
    assert f"3月10日，机关支部组织开展{PARTY_DAY}，共计3人参与其中。" in text
    assert f"3月12日，企业支部组织开展{DISCUSSION}，共计2人参与其中。" in text
    assert "深入外区工地" in text


def test_the_operator_may_draft_for_one_organization_and_its_secretary_sees_it(
    client, people, world, district
):
    alice = _client(client, people["alice"])
    scope = f"o{district.branches[0].pk}"
    text = alice.get(reverse("briefing_create"), {**MARCH, "scope": scope}).content.decode()
    assert BOB_TITLE in text
    assert DISCUSSION not in text
    briefing = _save(alice, scope=scope)
    assert briefing.scope_label == "测试机关党支部"
    client.force_login(people["bob"])
    assert client.get(reverse("briefing_detail", args=[briefing.pk])).status_code == 200


# ---------------------------------------------------------------- versions and figures


def test_saving_numbers_the_versions_1_and_2(client, people, world):
    bob = _client(client, people["bob"])
    briefing = _save(bob)
    url = reverse("briefing_detail", args=[briefing.pk])
    response = bob.post(url, {"title": "修改后的标题", "body": "第二版正文。", "based_on": 1})
    assert response.status_code == 302
    versions = list(briefing.versions.order_by("number").values_list("number", "title", "body"))
    assert versions == [(1, BOB_TITLE, "正文第一段。"), (2, "修改后的标题", "第二版正文。")]
    page = bob.get(url).content.decode()
    assert "第2版 · 修改后的标题" in page and f"第1版 · {BOB_TITLE}" in page
    assert bob.get(reverse("briefing_list")).content.decode().count("第2版") == 1
    codes = AuditEntry.objects.filter(
        object_type="reports.briefing", object_id=str(briefing.pk)
    ).values_list("action", flat=True)
    assert sorted(codes) == ["reports.briefing.created", "reports.briefing.version_saved"]


def test_a_save_on_an_outdated_version_is_refused(client, people, world):
    bob = _client(client, people["bob"])
    briefing = _save(bob)
    url = reverse("briefing_detail", args=[briefing.pk])
    assert bob.post(url, {"title": "甲", "body": "甲的修改。", "based_on": 1}).status_code == 302
    response = bob.post(url, {"title": "乙", "body": "乙的修改。", "based_on": 1})
    assert response.status_code == 400
    assert "该简报已由他人保存了第2版" in response.content.decode()
    assert briefing.versions.count() == 2


def test_a_figure_changed_since_saving_is_flagged_with_old_and_new_values(client, people, world):
    bob = _client(client, people["bob"])
    briefing = _save(bob)
    url = reverse("briefing_detail", args=[briefing.pk])
    assert "数据已变化" not in bob.get(url).content.decode()
    _check_in(world["party_day"], world["erin_member"])
    page = bob.get(url).content.decode()
    assert f"{PARTY_DAY}：参加人数" in page
    assert "数据已变化：原为3人，现为4人" in page
    assert page.count("数据已变化") == 3  # the activity, and the lead's people and 人次
    # a new version of the text keeps the draft's figures: still flagged
    bob.post(url, {"title": BOB_TITLE, "body": "改写。", "based_on": 1})
    assert "数据已变化：原为3人，现为4人" in bob.get(url).content.decode()
    # drafting again from the data takes the new figures
    assert bob.post(url, {"regenerate": "1"}).status_code == 302
    latest = briefing.versions.get(number=3)
    assert "共计4人参与其中" in latest.body
    assert "数据已变化" not in bob.get(url).content.decode()


# ---------------------------------------------------------------- documents


def test_the_docx_opens_with_the_title_as_its_first_heading(client, people, world):
    from docx import Document
    from docx.oxml.ns import qn

    bob = _client(client, people["bob"])
    briefing = _save(bob, body="深入开展“六进”活动\n\n3月10日，组织开展主题党日。")
    response = bob.get(reverse("briefing_docx", args=[briefing.pk]))
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    document = Document(BytesIO(response.content))
    first = document.paragraphs[0]
    assert first.style.name.startswith(("Heading", "Title"))
    assert first.text == BOB_TITLE
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["深入开展“六进”活动"]
    assert document.paragraphs[-1].text == "3月10日，组织开展主题党日。"
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "SimSun"


def test_the_pdf_text_holds_the_chinese_title(client, people, world):
    from pypdf import PdfReader

    bob = _client(client, people["bob"])
    briefing = _save(bob, title="测试机关党支部扎实推进党史学习教育")
    response = bob.get(reverse("briefing_pdf", args=[briefing.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "测试机关党支部扎实推进党史学习教育" in text.replace(" ", "").replace("\n", "")


def test_downloads_are_audited_with_the_version_and_format(client, people, world):
    bob = _client(client, people["bob"])
    briefing = _save(bob)
    bob.get(reverse("briefing_docx", args=[briefing.pk]))
    bob.get(reverse("briefing_pdf", args=[briefing.pk]) + "?version=1")
    entries = AuditEntry.objects.filter(action="reports.briefing.exported").order_by("id")
    assert [(e.actor, e.object_id, e.details["format"], e.details["version"]) for e in entries] == [
        (people["bob"], str(briefing.pk), "docx", 1),
        (people["bob"], str(briefing.pk), "pdf", 1),
    ]


# ---------------------------------------------------------------- who sees what


def test_a_member_without_a_scope_is_refused(client, people, world):
    erin = _client(client, people["erin"])
    for name in ("briefing_list", "briefing_create"):
        assert erin.get(reverse(name)).status_code == 403
    assert (
        erin.post(reverse("briefing_create"), {**MARCH, "title": "甲", "body": "乙"}).status_code
        == 403
    )
    assert not Briefing.objects.exists()


def test_another_scopes_briefing_is_not_found(client, people, world):
    alice = _client(client, people["alice"])
    district_wide = _save(alice, title="全区简报")
    client.force_login(people["bob"])
    bobs = _save(client)
    for name in ("briefing_detail", "briefing_docx", "briefing_pdf"):
        assert client.get(reverse(name, args=[district_wide.pk])).status_code == 404
    listing = client.get(reverse("briefing_list")).content.decode()
    assert BOB_TITLE in listing and "全区简报" not in listing
    client.force_login(people["charlie"])
    for name in ("briefing_detail", "briefing_docx", "briefing_pdf"):
        assert client.get(reverse(name, args=[bobs.pk])).status_code == 404
    assert (
        client.post(
            reverse("briefing_detail", args=[bobs.pk]), {"title": "甲", "body": "乙", "based_on": 1}
        ).status_code
        == 404
    )
    assert BriefingVersion.objects.filter(briefing=bobs).count() == 1
    client.force_login(people["alice"])
    assert client.get(reverse("briefing_detail", args=[bobs.pk])).status_code == 200
