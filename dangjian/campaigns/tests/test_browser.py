"""An activity from start to finish, in real Chromium: the operator creates it, a member on a
phone registers, the secretary takes the roll, and the coverage matrix counts it."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from dangjian.campaigns import queries, services
from dangjian.core.testing import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "走进机关：党史专题宣讲"


def _cell(page, live_server, column: int) -> tuple[int, int]:
    """(activities, people) of the government sector's cell in `column` (1-based)."""
    page.goto(f"{live_server.url}/activities/coverage/")
    text = page.locator(f'[data-cell="government-{column}"]').inner_text().strip()
    if text == "—":
        return 0, 0
    activities, people = re.fullmatch(r"(\d+) / (\d+)", text).groups()
    return int(activities), int(people)


def test_operator_creates_member_registers_secretary_ticks_and_coverage_counts(
    live_server, browser, phone_page, district, people
):
    today = timezone.localdate()
    campaign = services.create_campaign(
        by=None,
        name="本年度党史学习教育",
        starts_on=today - dt.timedelta(days=62),
        ends_on=today + dt.timedelta(days=62),
        is_current=True,
    )
    starts = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(minutes=10)
    ends = starts + dt.timedelta(hours=2)
    months = queries.months_between(campaign.starts_on, campaign.ends_on)
    column = months.index(starts.date().replace(day=1)) + 1
    branch = district.branches[0]
    assert branch.sector.code == "government"

    desk = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = desk.new_page()
    page.set_default_timeout(10_000)
    try:
        # The operator reads the cell, then creates the activity through the form.
        log_in(page, live_server, "alice", PASSWORD)
        page.get_by_role("link", name="我的账号").wait_for()
        before = _cell(page, live_server, column)

        page.goto(f"{live_server.url}/activities/new/")
        page.get_by_label("所属学习教育").select_option(label=campaign.name)
        page.get_by_label("活动类型").select_option(index=1)
        page.get_by_label("活动名称").fill(TITLE)
        page.get_by_label("开始时间").fill(starts.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_label("结束时间").fill(ends.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_label("需要报名").check()
        page.get_by_label("主办党组织").select_option(value=str(branch.pk))
        page.get_by_role("button", name="保存").click()
        page.get_by_role("heading", name=TITLE).wait_for()
        page.get_by_role("button", name="开放报名").click()
        page.get_by_text("已开放报名").wait_for()
        detail_url = page.url

        # The member registers on her phone from 我的活动.
        log_in(phone_page, live_server, "erin", PASSWORD)
        phone_page.goto(f"{live_server.url}/activities/mine/")
        card = phone_page.locator(".card").filter(has_text=TITLE)
        card.get_by_role("button", name="报名").click()
        phone_page.get_by_text("报名成功").wait_for()
        assert "已报名" in phone_page.locator(".card").filter(has_text=TITLE).inner_text()

        # The secretary ticks her in the roll call.
        desk.clear_cookies()
        log_in(page, live_server, "bob", PASSWORD)
        page.get_by_role("link", name="我的账号").wait_for()
        page.goto(detail_url)
        row = page.locator("#roll-call tr").filter(has_text="尔琳")
        assert "已报名" in row.inner_text()
        row.get_by_role("button", name="签到").click()
        page.get_by_text("尔琳 签到成功").wait_for()
        page.locator("#roll-call tr").filter(has_text="尔琳").get_by_text("已签到").wait_for()

        # Her page shows the attendance.
        phone_page.goto(f"{live_server.url}/activities/mine/")
        attended = phone_page.locator(".list-group-item").filter(has_text=TITLE)
        assert "已签到" in attended.inner_text()
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
        shots = Path(settings.VAR_DIR) / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        phone_page.screenshot(path=str(shots / "activity-journey-phone.png"), full_page=True)
        assert (shots / "activity-journey-phone.png").stat().st_size > 10_000

        # The coverage cell of her sector and the activity's month counts one more.
        desk.clear_cookies()
        log_in(page, live_server, "alice", PASSWORD)
        page.get_by_role("link", name="我的账号").wait_for()
        after = _cell(page, live_server, column)
        assert after == (before[0] + 1, before[1] + 1)
    finally:
        desk.close()
