"""A deed from commitment to the public ledger, in real Chromium: the operator commits it, the
department officer on a phone adds a milestone and an on-site visit with a photo and asks for
close-out with evidence, the operator closes it out as fixed, and the public ledger shows it
closed out to a visitor who is not logged in."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from dangjian.core.testing import PASSWORD, log_in, photo_bytes
from dangjian.deeds.models import Deed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "雅境园小区停车难问题"


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_commit_milestone_visit_close_out_and_public_ledger(
    live_server, browser, phone_page, people, make_deed
):
    deed = make_deed(title=TITLE, commit=False, shared=False, leader="管委会主任")
    detail_url = f"{live_server.url}/deeds/{deed.pk}/"
    desk = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = desk.new_page()
    page.set_default_timeout(10_000)
    public = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    visitor = public.new_page()
    visitor.set_default_timeout(10_000)
    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    try:
        # The operator commits the deed from the ledger.
        log_in(page, live_server, "alice", PASSWORD)
        page.get_by_role("link", name="我的账号").wait_for()
        page.get_by_role("link", name="办实事台账").first.click()
        page.get_by_role("link", name=TITLE).click()
        page.get_by_role("button", name="承诺").click()
        page.get_by_text("已承诺，列入公开台账").wait_for()

        # The department officer, on her phone, adds a milestone …
        log_in(phone_page, live_server, "dora", PASSWORD)
        phone_page.get_by_role("link", name="我的账号", include_hidden=True).wait_for(
            state="attached"
        )
        phone_page.goto(f"{live_server.url}/deeds/")
        _fits_the_phone(phone_page)
        phone_page.get_by_role("link", name=TITLE).click()
        phone_page.get_by_role("link", name="新增节点").click()
        phone_page.get_by_label("节点").fill("新建停车场开工")
        phone_page.get_by_label("计划日期").fill(timezone.localdate().isoformat())
        phone_page.get_by_role("button", name="保存").click()
        phone_page.get_by_text("节点已添加").wait_for()
        milestones = phone_page.locator("#milestones")
        assert "新建停车场开工" in milestones.inner_text()
        milestones.get_by_role("button", name="完成").click()  # done today, as planned
        phone_page.get_by_text("节点“新建停车场开工”已完成").wait_for()
        _fits_the_phone(phone_page)

        # … records the on-site visit with a photo taken there …
        phone_page.get_by_role("link", name="记录现场办公").click()
        visited = timezone.localtime() - dt.timedelta(hours=1)
        phone_page.get_by_label("时间").fill(visited.strftime("%Y-%m-%dT%H:%M"))
        phone_page.get_by_label("地点").fill("雅境园小区北门")
        phone_page.get_by_label("参加人员").fill("管委会主任、政务服务办")
        phone_page.get_by_label("现场查看情况").fill("夜间车辆占用消防通道，车位缺口约300个")
        phone_page.get_by_label("现场议定事项").fill("利用闲置地块新建停车场")
        phone_page.get_by_label("现场照片").set_input_files(
            [{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
        )
        phone_page.get_by_role("button", name="保存").click()
        phone_page.get_by_text("现场办公已记录").wait_for()
        photo = phone_page.locator("#visits img").first
        photo.wait_for()
        assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
        _fits_the_phone(phone_page)

        # … reports her department's part done and asks for close-out with the evidence.
        phone_page.get_by_label("进度（%）").fill("100")
        phone_page.get_by_label("进展情况").fill("停车场已投入使用")
        phone_page.get_by_role("button", name="报送进展").click()
        phone_page.get_by_text("的进展已报送").wait_for()
        phone_page.get_by_role("link", name="申请销号").click()
        phone_page.get_by_label("办理情况说明").fill("新建停车场已投用，新增车位300个，居民满意。")
        phone_page.get_by_role("button", name="申请销号").click()
        phone_page.get_by_text("已申请销号，等待审核").wait_for()
        _fits_the_phone(phone_page)
        phone_page.screenshot(path=str(shots / "deed-journey-phone.png"), full_page=True)

        # The operator reviews the evidence and closes it out as fixed.
        page.goto(detail_url)
        assert "新建停车场已投用" in page.locator("#close-out").inner_text()
        page.get_by_role("link", name="审核销号").click()
        page.get_by_label("办结情况").select_option(label="已解决")
        page.get_by_role("button", name="确认销号").click()
        page.get_by_text("已销号", exact=True).wait_for()
        assert "办结情况：已解决" in page.locator("#close-out").inner_text()
        timeline = page.locator("#timeline").inner_text()
        for label in ("承诺实事项目", "新增节点", "记录现场办公", "申请销号", "审核销号"):
            assert label in timeline, label

        # Anyone sees it closed out on the public ledger, without logging in.
        visitor.goto(f"{live_server.url}/login/")
        visitor.get_by_role("link", name="我为群众办实事公开台账").click()
        card = visitor.locator("[data-deed]").filter(has_text=TITLE)
        assert "已销号·已解决" in card.inner_text()
        card.get_by_role("link", name=TITLE).click()
        visitor.get_by_text("已销号：已解决").wait_for()
        body = visitor.locator("main").inner_text()
        assert "新建停车场开工" in body and "100%" in body
        assert f"{timezone.localdate():%Y-%m-%d} 完成" in body
        assert "管委会主任" not in body  # no names of people on the public ledger
        visitor.screenshot(path=str(shots / "deed-public-ledger.png"), full_page=True)
    finally:
        desk.close()
        public.close()
    assert Deed.objects.get(pk=deed.pk).outcome == Deed.Outcome.FIXED
