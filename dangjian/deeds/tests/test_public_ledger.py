"""The public ledger (公开台账): no log-in, only committed deeds onward, no personal data even
when someone typed a phone or an ID number into a deed, and a constant number of queries."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.core import synthetic
from dangjian.deeds import services
from dangjian.deeds.models import Deed
from dangjian.deeds.tests.test_pages import add_deeds

pytestmark = pytest.mark.django_db

# The crawl's patterns (orgs/tests/test_demo.py): a full ID number, a mobile number.
ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
SPACED_PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")


def _ledger_pages(client, deed) -> list[str]:
    client.logout()
    pages = [
        client.get(reverse("public_ledger")),
        client.get(reverse("public_ledger"), {"department": deed.owner_id}),
        client.get(reverse("public_ledger_detail", args=[deed.pk])),
    ]
    assert [p.status_code for p in pages] == [200, 200, 200]
    return [p.content.decode() for p in pages]


def test_public_ledger_needs_no_log_in_and_shows_only_committed_deeds_onward(client, make_deed):
    shown = {
        "已承诺项目": make_deed(title="已承诺项目"),
        "推进中项目": make_deed(title="推进中项目", shared=False),
        "待销号项目": make_deed(title="待销号项目"),
        "已销号项目": make_deed(title="已销号项目"),
    }
    part = shown["推进中项目"].parts.first()
    services.update_part(part, by=None, version=part.version, progress=60, note="过半")
    services.submit_close_out(shown["待销号项目"], by=None, evidence="完成")
    services.submit_close_out(shown["已销号项目"], by=None, evidence="完成")
    services.review_close_out(shown["已销号项目"], by=None, outcome="fixed")
    hidden = {
        "拟办项目": make_deed(title="拟办项目", commit=False),
        "撤销项目": services.cancel_deed(make_deed(title="撤销项目"), by=None, reason="并入"),
    }

    body = client.get(reverse("public_ledger")).content.decode()

    for title in shown:
        assert title in body, title
    for title in hidden:
        assert title not in body, title
    assert "60%" in body and "已销号·已解决" in body
    for deed in hidden.values():
        assert client.get(reverse("public_ledger_detail", args=[deed.pk])).status_code == 404


def test_public_ledger_filters_by_department_and_community(client, make_deed, departments):
    from dangjian.orgs import services as orgs

    community = orgs.create_community(by=None, name="宜禾社区")
    make_deed(title="宜禾社区项目", communities=[community], shared=False)
    make_deed(title="建设局项目", owner=departments["co"], shared=False)
    make_deed(title="党群部项目", shared=False)

    def titles(**params):
        body = client.get(reverse("public_ledger"), params).content.decode()
        return {t for t in ("宜禾社区项目", "建设局项目", "党群部项目") if t in body}

    assert titles(community=community.pk) == {"宜禾社区项目"}
    assert titles(department=departments["co"].pk) == {"建设局项目"}
    assert titles() == {"宜禾社区项目", "建设局项目", "党群部项目"}


def test_public_ledger_shows_no_phone_id_number_or_names_even_when_typed_into_a_deed(
    client, make_deed, departments, officers, people
):
    import random

    rng = random.Random(11)
    id_number = synthetic.id_number(rng, born=dt.date(1980, 5, 1), male=True)
    phone, other_phone = synthetic.mobile(rng), synthetic.mobile(rng)
    spaced = f"{other_phone[:3]} {other_phone[3:7]} {other_phone[7:]}"
    deed = make_deed(
        title=f"联系人电话{phone}的诉求",
        description=f"居民王某（身份证{id_number}，电话{phone}）反映停车难；备用电话 {spaced}。",
        leader="张建国",
        beneficiaries=f"业主代表 {phone}",
    )
    services.add_milestone(
        deed, by=None, title=f"回访{phone}", planned_on=timezone.localdate(), department=deed.owner
    )
    services.record_visit(
        deed,
        by=officers["dora"],
        department=deed.owner,
        visited_at=timezone.now() - dt.timedelta(hours=1),
        place="雅境园3号楼",
        visitors="张建国、李四",
        observed=f"与业主{phone}面谈，身份证号{id_number.lower()}",
        decided="协调物业",
    )
    part = deed.parts.get(department=departments["co"])
    services.update_part(
        part, by=officers["cole"], version=part.version, progress=50, note=f"已联系{phone}"
    )
    services.submit_close_out(deed, by=officers["dora"], evidence=f"联系人{phone}")
    services.review_close_out(
        deed, by=people["alice"], outcome="not_fixed", reason=f"业主{phone}不同意；{id_number}"
    )

    for body in _ledger_pages(client, deed):
        assert not ID_RE.findall(body)
        assert not PHONE_RE.findall(body)
        assert not SPACED_PHONE_RE.findall(body)
        assert id_number not in body and id_number.lower() not in body and phone not in body
        for name in ("张建国", "李四", "部门工作人员", "建设局干部", "区级管理员"):
            assert name not in body, name
    detail = _ledger_pages(client, deed)[2]
    assert (
        "反映停车难" in detail and "已联系" in detail and "未解决" in detail
    )  # redacted, not gone


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_public_ledger_keeps_a_constant_query_count_at_5_and_50_deeds(
    client, make_deed, departments
):
    add_deeds(make_deed, departments, 5)
    deed = Deed.objects.first()
    urls = [reverse("public_ledger"), reverse("public_ledger") + f"?department={deed.owner_id}"]
    small = [_queries(client, url) for url in urls]
    detail = _queries(client, reverse("public_ledger_detail", args=[deed.pk]))

    add_deeds(make_deed, departments, 45)
    services.add_milestone(
        deed, by=None, title="再加一个", planned_on=timezone.localdate(), department=deed.owner
    )

    assert Deed.objects.count() == 50
    assert [_queries(client, url) for url in urls] == small
    assert _queries(client, reverse("public_ledger_detail", args=[deed.pk])) == detail


def test_public_ledger_shows_milestones_and_the_outcome(client, make_deed):
    deed = make_deed(title="停车场建设")
    done = services.add_milestone(
        deed, by=None, title="完成设计", planned_on=dt.date(2021, 3, 20), department=deed.owner
    )
    services.complete_milestone(done, by=None, done_on=dt.date(2021, 3, 18))
    services.add_milestone(
        deed, by=None, title="投入使用", planned_on=dt.date(2021, 6, 30), department=deed.owner
    )
    services.submit_close_out(deed, by=None, evidence="已投用")
    services.review_close_out(deed, by=None, outcome="partly")

    listing = client.get(reverse("public_ledger")).content.decode()
    assert "节点 1/2" in listing
    body = client.get(reverse("public_ledger_detail", args=[deed.pk])).content.decode()
    assert "完成设计" in body and "2021-03-18 完成" in body and "投入使用" in body
    assert "已销号：部分解决" in body
