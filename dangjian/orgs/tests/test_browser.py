"""The operator's first journey, in real Chromium on a phone-sized screen."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count

from dangjian.core.masking import mask_id_number
from dangjian.core.testing import log_in
from dangjian.orgs.models import Member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _member_with_unique_initials() -> Member:
    unique = (
        Member.objects.values("name_initials")
        .annotate(n=Count("id"))
        .filter(n=1)
        .order_by("name_initials")
        .values_list("name_initials", flat=True)
    )
    return Member.objects.select_related("organization").get(
        name_initials=[i for i in unique if len(i) == 3][0]
    )


def test_operator_finds_member_by_pinyin_initials_and_sees_masked_id(
    live_server, phone_page, tmp_path
):
    logins = tmp_path / "logins.txt"
    call_command("load_demo", "--without-activities", logins_file=str(logins), stdout=StringIO())
    password = dict(line.split("\t")[:2] for line in logins.read_text().splitlines())["operator"]
    member = _member_with_unique_initials()
    page = phone_page

    log_in(page, live_server, "operator", password)
    page.get_by_role("heading", name="全区概况").wait_for()

    page.get_by_role("button", name="展开导航").click()
    page.get_by_role("link", name="党员", exact=True).click()
    page.get_by_placeholder("姓名、拼音首字母或身份证后4位").fill(member.name_initials)
    page.get_by_text("共 1 名党员").wait_for()
    page.get_by_role("link", name=member.name).click()

    page.get_by_role("heading", name=member.name).wait_for()
    id_cell = page.locator("[data-field=id_number]")
    assert id_cell.inner_text() == mask_id_number(member.id_number)
    assert member.id_number not in page.content()
    assert member.organization.name in page.inner_text("main")
    # The layout fits a 375 px phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "member-detail-phone.png"), full_page=True)
    assert (shots / "member-detail-phone.png").stat().st_size > 10_000
