"""QR check-in in real Chromium, as issue 6's acceptance item describes it: the operator puts
the rotating code on the projector; the test reads the QR code from a screenshot of it (zxing,
not a data attribute); a member's phone opens the decoded link, logs in and is checked in, and
a second scan shows the original time; then a staff scanner that has lost its network queues a
typed member code, survives a reload, and uploads it with its scan time once back online."""

import datetime as dt
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from dangjian.campaigns import services
from dangjian.campaigns.models import ActivityType, CheckIn
from dangjian.core.testing import PASSWORD, add_members, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "七一主题党日：扫码签到"
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def _decode_qr(png: bytes) -> str:
    import zxingcpp
    from PIL import Image

    found = zxingcpp.read_barcodes(Image.open(BytesIO(png)))
    assert len(found) == 1, found
    return found[0].text


def _local(at: dt.datetime, fmt: str) -> str:
    return timezone.localtime(at).strftime(fmt)


def _screenshot(page, name: str) -> None:
    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / name), full_page=True)


def test_projector_code_checks_in_a_phone_and_the_offline_scanner_keeps_the_scan_time(
    live_server, browser, district, people
):
    from playwright.sync_api import expect

    now = timezone.now().replace(microsecond=0)
    campaign = services.create_campaign(
        by=None,
        name="本年度党史学习教育",
        starts_on=timezone.localdate() - dt.timedelta(days=30),
        ends_on=timezone.localdate() + dt.timedelta(days=30),
    )
    activity = services.create_activity(
        by=None,
        campaign=campaign,
        type=ActivityType.objects.first(),
        title=TITLE,
        starts_at=now - dt.timedelta(hours=2),
        ends_at=now + dt.timedelta(hours=2),
        organizers=[district.branches[0]],
    )
    erin = people["erin"].member
    walk_up = add_members(district, 1)[0]
    member_code = services.current_member_code(walk_up)

    desk = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    phone = browser.new_context(**PHONE)
    scanner = browser.new_context(**PHONE)
    try:
        # The operator opens the projector page.
        screen = desk.new_page()
        screen.set_default_timeout(10_000)
        log_in(screen, live_server, "alice", PASSWORD)
        screen.get_by_role("link", name="我的账号").wait_for()
        screen.goto(f"{live_server.url}/activities/{activity.pk}/")
        screen.get_by_role("link", name="投屏签到二维码").click()
        screen.get_by_role("heading", name=TITLE).wait_for()
        expect(screen.locator("[data-checked-in]")).to_have_text("0")
        # Read the code with time to spare (it is good for this period and the next).
        screen.wait_for_function(
            "Number(document.querySelector('[data-countdown]').textContent) >= 15",
            timeout=20_000,
        )
        link = _decode_qr(screen.locator("[data-qr]").screenshot())
        _screenshot(screen, "qr-check-in-projector.png")
        assert link.startswith(f"{live_server.url}/activities/{activity.pk}/scan/?c=")

        # The member's phone opens the link, logs in, and is checked in.
        mobile = phone.new_page()
        mobile.set_default_timeout(10_000)
        mobile.goto(link)
        mobile.get_by_text("请先登录，登录后自动完成签到").wait_for()
        assert "c=" not in mobile.url
        mobile.get_by_label("账号").fill("erin")
        mobile.get_by_label("密码").fill(PASSWORD)
        mobile.get_by_role("button", name="登录").click()
        expect(mobile.get_by_role("heading", name="签到成功")).to_be_visible()
        expect(mobile.get_by_text(TITLE)).to_be_visible()
        check_in = CheckIn.objects.get(activity=activity, member=erin)
        assert check_in.method == CheckIn.Method.QR_SCREEN
        original = _local(check_in.at, "%Y-%m-%d %H:%M:%S")
        expect(mobile.locator("[data-check-in-at]")).to_have_text(original)
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 375
        _screenshot(mobile, "qr-check-in-phone.png")

        # A second scan: already checked in, at the original time; nothing new is written.
        mobile.goto(link)
        expect(mobile.get_by_role("heading", name="已签到")).to_be_visible()
        expect(mobile.locator("[data-check-in-at]")).to_have_text(original)
        assert CheckIn.objects.filter(activity=activity).count() == 1
        expect(screen.locator("[data-checked-in]")).to_have_text("1")  # the projector counts

        # The secretary's scanner, with the phone's clock 20 minutes behind the server's.
        scan_time = now - dt.timedelta(minutes=20)
        staff = scanner.new_page()
        staff.set_default_timeout(10_000)
        log_in(staff, live_server, "bob", PASSWORD)
        staff.wait_for_url(lambda url: "/login/" not in url)
        staff.clock.set_fixed_time(scan_time)
        staff.goto(f"{live_server.url}/activities/{activity.pk}/")
        staff.get_by_role("link", name="扫党员码签到").click()
        staff.get_by_role("heading", name="扫党员码签到").wait_for()
        assert staff.evaluate(
            """async () => {
                await navigator.serviceWorker.ready;
                const name = document.querySelector("[data-cache]").dataset.cache;
                for (let i = 0; i < 100; i++) {
                    if (await (await caches.open(name)).match(location.pathname)) return true;
                    await new Promise((resolve) => setTimeout(resolve, 100));
                }
                return false;
            }"""
        ), "the scanner page was not kept for offline use"

        scanner.set_offline(True)
        # Chromium's offline emulation does not reach requests that a controlling service
        # worker lets fall through to the network; a dead network refuses them too.
        scanner.route("**/check-ins/**", lambda route: route.abort("internetdisconnected"))
        staff.get_by_label("输入党员码").fill(member_code)
        staff.get_by_role("button", name="记录").click()
        pending = staff.locator("[data-pending-item]")
        expect(pending).to_have_count(1)
        expect(pending).to_contain_text("已记录，待上传")
        expect(pending).to_contain_text(f"扫描时间 {_local(scan_time, '%H:%M:%S')}")
        staff.wait_for_timeout(1_000)  # the immediate upload has failed by now
        expect(staff.locator("[data-result]")).to_have_count(0)

        staff.reload()  # still offline: the service worker serves the page
        staff.get_by_role("heading", name="扫党员码签到").wait_for()
        expect(staff.locator("[data-pending-item]")).to_have_count(1)
        expect(staff.locator("[data-pending-item]")).to_contain_text("已记录，待上传")
        assert not CheckIn.objects.filter(member=walk_up).exists()

        scanner.unroute("**/check-ins/**")
        scanner.set_offline(False)
        result = staff.locator('[data-result="checked_in"]')
        expect(result).to_have_count(1, timeout=15_000)
        expect(result).to_contain_text(walk_up.name)
        expect(result).to_contain_text(walk_up.organization.short_name)
        expect(result).to_contain_text(f"签到时间 {_local(scan_time, '%H:%M:%S')}")
        expect(staff.locator("[data-pending-item]")).to_have_count(0)
        scanned = CheckIn.objects.get(activity=activity, member=walk_up)
        assert scanned.at == scan_time
        assert scanned.method == CheckIn.Method.MEMBER_CODE
        assert scanned.by == people["bob"] and scanned.nonce
        _screenshot(staff, "qr-check-in-scanner.png")
    finally:
        desk.close()
        phone.close()
        scanner.close()
