"""The operator imports a roster on a phone, in real Chromium: a file with one bad row is
refused with a row-level report, the corrected file is previewed, confirmed and imported."""

import random
from pathlib import Path

import pytest
from django.conf import settings

from dangjian.core.testing import PASSWORD, log_in
from dangjian.orgs.models import Member
from dangjian.orgs.tests.workbooks import new_member, roster

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(name: str, rows: list[dict]) -> dict:
    return {"name": name, "mimeType": XLSX, "buffer": roster(rows)}


def test_operator_fixes_a_bad_row_then_previews_and_imports_the_roster(
    live_server, phone_page, people
):
    rng = random.Random(2021)
    rows = [new_member(rng, "测试机关党支部"), new_member(rng, "企业支部")]
    bad = [rows[0], {**rows[1], "id_number": rows[1]["id_number"][:17] + "Z"}]  # row 4
    before = Member.objects.count()
    page = phone_page

    log_in(page, live_server, "alice", PASSWORD)
    page.get_by_role("button", name="展开导航").click()
    page.get_by_role("link", name="党员", exact=True).click()
    page.get_by_role("link", name="导入名册").click()
    page.get_by_role("heading", name="导入党员名册").wait_for()

    # A file with one bad row: the report names the row and the column, nothing is written.
    page.get_by_label("选择文件").set_input_files(_file("名册.xlsx", bad))
    page.get_by_role("button", name="上传并检查").click()
    problem = page.locator("#problem-table tr[data-row='4']")
    problem.wait_for()
    assert "身份证号" in problem.inner_text()
    assert "未导入任何数据" in page.inner_text("#import-problems")
    assert page.get_by_role("link", name="下载问题报告").is_visible()
    assert Member.objects.count() == before

    # The corrected file: a preview first, then the import.
    page.get_by_label("选择文件").set_input_files(_file("名册.xlsx", rows))
    page.get_by_role("button", name="上传并检查").click()
    page.get_by_role("button", name="确认导入").wait_for()
    assert page.locator("[data-count=created]").inner_text() == "2"
    assert Member.objects.count() == before
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("button", name="确认导入").click()

    page.locator("#import-result").wait_for()
    assert "新增 2，更新 0，不变 0" in page.inner_text("#import-result")
    assert Member.objects.count() == before + 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "roster-import-phone.png"), full_page=True)
    assert (shots / "roster-import-phone.png").stat().st_size > 10_000
