"""A resident's request from intake to rating, in real Chromium: the resident on a phone sends
it with a photo and gets a tracking number; the operator dispatches it; the department officer
accepts, replies and closes it as resolved; the resident looks it up and rates it; the
department's rates page shows the rating counted."""

import re

import pytest

from dangjian.core.testing import PASSWORD, log_in, photo_bytes
from dangjian.deeds.models import ServiceRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "雅境园北门晚上车辆乱停，堵住了消防通道"


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def _desk(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_resident_submits_operator_dispatches_officer_closes_resident_rates(
    live_server, browser, phone_page, people, categories, community
):
    from playwright.sync_api import expect

    resident = phone_page
    operator_context, operator = _desk(browser)
    officer_context, officer = _desk(browser)
    try:
        # The resident, on a phone, with no account.
        resident.goto(f"{live_server.url}/requests/new/?community={community.pk}")
        _fits_the_phone(resident)
        expect(resident.get_by_label("所属社区")).to_have_value(str(community.pk))
        resident.get_by_label("诉求类别").select_option(label="停车")
        resident.get_by_label("诉求内容").fill(TEXT)
        resident.get_by_label("现场照片").set_input_files(
            [{"name": "门口.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
        )
        resident.get_by_label("手机号").fill("13912345678")
        resident.get_by_role("button", name="提交诉求").click()
        number = resident.locator("[data-tracking-number]").inner_text().strip()
        assert len(number) == 14 and number.isdigit()
        request = ServiceRequest.objects.get(tracking_number=number)
        assert request.photos.count() == 1

        # The operator dispatches it to the category's department (pre-filled).
        log_in(operator, live_server, "alice", PASSWORD)
        operator.get_by_role("link", name="我的账号").wait_for()
        operator.goto(f"{live_server.url}/service-requests/")
        operator.get_by_role("link", name=number).click()
        dispatch = operator.locator("form[data-action=dispatch]")
        dispatch.get_by_role("button", name="派单").click()
        expect(operator.locator("form[data-action=dispatch]")).to_have_count(0)

        # The department officer accepts, replies and closes it as resolved.
        log_in(officer, live_server, "dora", PASSWORD)
        officer.get_by_role("link", name="我的账号").wait_for()
        officer.goto(f"{live_server.url}/service-requests/")
        officer.get_by_role("link", name=number).click()
        officer.locator("form[data-action=accept]").get_by_role("button", name="签收").click()
        reply = officer.locator("form[data-action=reply]")
        reply.locator("textarea").fill("已联系物业，北门增设临时停车区")
        reply.get_by_role("button", name="答复诉求人").click()
        close = officer.locator("form[data-action=close]")
        close.get_by_label("办理结果").select_option(label="已解决")
        close.locator("textarea").fill("新增停车位30个，消防通道已画线禁停")
        close.get_by_role("button", name="办结").click()
        expect(officer.locator("form[data-action=close]")).to_have_count(0)

        officer.goto(f"{live_server.url}/service-requests/rates/")
        overall = officer.locator("[data-rates=overall] tbody tr").first
        expect(overall.locator("[data-cell=satisfaction]")).to_have_text("—")
        expect(overall.locator("[data-cell=unrated]")).to_have_text("1")

        # The resident looks it up with the number and the phone's last four digits, and rates.
        resident.goto(f"{live_server.url}/requests/track/")
        resident.get_by_label("受理编号").fill(number)
        resident.get_by_label("手机号后四位").fill("5678")
        resident.get_by_role("button", name="查询").click()
        expect(resident.locator("[data-status]")).to_have_text("已办结")
        expect(resident.get_by_text("已联系物业，北门增设临时停车区")).to_be_visible()
        _fits_the_phone(resident)
        # The choices are button-styled labels over hidden radios: tap the label.
        resident.locator("#rate label", has_text=re.compile("^满意$")).click()
        expect(resident.get_by_label("满意", exact=True)).to_be_checked()
        resident.get_by_role("button", name="提交评价").click()
        expect(resident.locator("[data-rating]")).to_have_text("满意")

        officer.reload()
        overall = officer.locator("[data-rates=overall] tbody tr").first
        expect(overall.locator("[data-cell=satisfaction]")).to_have_text("100.0%（1/1）")
        expect(overall.locator("[data-cell=unrated]")).to_have_text("0")
    finally:
        operator_context.close()
        officer_context.close()
