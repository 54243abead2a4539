"""A secretary opens a member's account; the member logs in on a phone, sets a password and
sees their own record, in real Chromium."""

from pathlib import Path

import pytest
from django.conf import settings

from dangjian.core.testing import PASSWORD, add_members, log_in
from dangjian.orgs.models import Member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "hongse-jiyin-2021"


def test_secretary_activates_a_member_who_logs_in_on_a_phone(
    live_server, browser, phone_page, district, people
):
    member, neighbour = add_members(district, 5)[::4]  # both in bob's branch
    assert member.organization == neighbour.organization == district.branches[0]

    # The secretary, at a desk, opens the member's account.
    desk = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = desk.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, "bob", PASSWORD)
    page.get_by_role("link", name="党员", exact=True).click()
    page.get_by_role("link", name=member.name).first.click()
    page.get_by_role("heading", name=member.name).wait_for()
    page.get_by_role("button", name="开通账号").click()
    code = page.locator("[data-field=one_time_password]")
    code.wait_for()
    one_time_password = code.inner_text().strip()
    assert "请当面告知党员，只显示一次" in page.inner_text("#member-account")
    assert "已开通" in page.inner_text("#member-account")
    desk.close()

    # The member, on a phone, logs in with phone number and the one-time password.
    phone = phone_page
    phone.goto(f"{live_server.url}/")
    phone.get_by_label("手机号 / 身份证号 / 账号").fill(member.phone)
    phone.get_by_label("密码").fill(one_time_password)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url("**/account/password/")
    phone.get_by_text("您正在使用一次性密码").wait_for()
    phone.get_by_label("旧密码").fill(one_time_password)
    phone.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    phone.get_by_label("新密码确认").fill(NEW_PASSWORD)
    phone.get_by_role("button", name="保存新密码").click()

    # …and lands on their own record, with their own full ID number.
    phone.wait_for_url(f"**/members/{member.pk}/")
    phone.get_by_role("heading", name=member.name).wait_for()
    assert "密码已修改" in phone.inner_text("main")
    assert phone.locator("[data-field=id_number]").inner_text() == member.id_number
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(shots / "member-first-login-phone.png"), full_page=True)
    assert (shots / "member-first-login-phone.png").stat().st_size > 10_000

    # Another member's record is simply not there for them.
    response = phone.goto(f"{live_server.url}/members/{neighbour.pk}/")
    assert response.status == 404
    assert not Member.objects.get(pk=member.pk).user.must_change_password


def test_audit_administrator_reads_failed_log_ins_on_a_phone(live_server, phone_page, db):
    from dangjian.accounts.models import Role
    from dangjian.accounts.services import create_account

    create_account(
        by=None, username="shen", name="审计员", password=PASSWORD, role=Role.AUDIT_ADMIN
    )
    page = phone_page
    log_in(page, live_server, "13800000000", "wrong-password-1")
    page.get_by_text("账号或密码不正确").wait_for()

    page.get_by_label("手机号 / 身份证号 / 账号").fill("shen")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="展开导航").click()
    page.get_by_role("link", name="审计日志").click()
    page.get_by_label("操作", exact=True).fill("accounts.login.failed")
    page.get_by_role("button", name="查询").click()
    page.get_by_text("共 1 条记录").wait_for()
    entry = page.locator("#audit-entries li").first
    assert "138****0000" in entry.inner_text()
    assert "13800000000" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "audit-log-phone.png"), full_page=True)
