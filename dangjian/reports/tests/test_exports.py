"""Each dashboard chart's table as .xlsx: the rows the chart shows, the user's scope only, text
Excel would run kept as text, and an audit entry for every download."""
# ruff: noqa: F811 (the world's fixtures are imported, then named as test arguments)

from io import BytesIO
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.core.models import AuditEntry
from dangjian.reports.tests.dashboard_world import (  # noqa: F401 (fixtures)
    PERIOD,
    add_activity,
    campaign,
    world,
)

pytestmark = pytest.mark.django_db


def download(client, user, key: str, **params):
    client.force_login(user)
    return client.get(reverse("dashboard_export", args=[key]), {**PERIOD, **params})


def sheet_rows(response) -> list[list]:
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_coverage_table_downloads_with_its_header_and_rows(client, people, world):
    response = download(client, people["alice"], "campaigns.coverage")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = unquote(response["Content-Disposition"])
    assert "“六进”覆盖情况（参加党员人数）（全区，2021年3月1日至2021年5月31日）.xlsx" in disposition
    assert sheet_rows(response) == [
        ["领域", "2021年3月", "2021年4月", "2021年5月", "合计"],
        ["机关", 3, 0, 0, 3],
        ["企业", 2, 0, 1, 2],
        ["社区", 1, 0, 2, 2],
        ["学校", 0, 0, 0, 0],
        ["医院", 0, 0, 0, 0],
        ["警营", 0, 0, 0, 0],
    ]


def test_every_download_is_in_the_audit_log_with_the_chart_and_the_scope(client, people, world):
    download(client, people["bob"], "campaigns.participation")
    entry = AuditEntry.objects.get(action="reports.dashboard.exported")
    assert entry.actor == people["bob"]
    assert entry.details == {
        "chart": "campaigns.participation",
        "scope": "测试机关党支部",
        "start": "2021-03-01",
        "end": "2021-05-31",
        "rows": 3,
    }


def test_a_secretary_downloads_only_their_scope(client, people, world):
    operator = sheet_rows(download(client, people["alice"], "deeds.by_department"))
    secretary = sheet_rows(download(client, people["bob"], "deeds.by_department"))
    header = ["责任单位", "已承诺", "推进中", "待销号", "已销号", "其中逾期"]
    assert operator == [header, ["党群工作部", 2, 0, 0, 0, 1], ["建设局", 1, 0, 0, 1, 0]]
    # d4 is 建设局's alone; d3 is 建设局's with a part for bob's department.
    assert secretary == [header, ["党群工作部", 2, 0, 0, 0, 1], ["建设局", 0, 0, 0, 1, 0]]
    participation = sheet_rows(download(client, people["bob"], "campaigns.participation"))
    assert participation == [
        ["月份", "开展活动（场）", "参加党员（人）", "参加人次"],
        ["2021年3月", 1, 3, 3],
        ["2021年4月", 0, 0, 0],
        ["2021年5月", 0, 0, 0],  # A4 was cancelled
    ]


def test_the_request_table_carries_the_three_rates_per_category(client, people, world):
    rows = sheet_rows(download(client, people["alice"], "deeds.requests_by_category"))
    assert rows[0] == ["诉求类别", "派单（件）", "办结（件）", "响应率", "解决率", "满意率"]
    assert sorted(rows[1:]) == [
        ["企业政策", 1, 0, "100.0%", "—", "—"],
        ["停车", 2, 2, "50.0%", "50.0%", "50.0%"],
    ]


def test_text_that_excel_would_run_stays_text(client, people, world):
    from dangjian.deeds import services as deeds
    from dangjian.deeds.models import Deed
    from dangjian.orgs import services as orgs

    owner = orgs.create_department(by=None, name='=HYPERLINK("http://x.example","点我")')
    deed = deeds.create_deed(
        by=None,
        title="公式",
        source=Deed.Source.RESEARCH,
        owner=owner,
        deadline=timezone.localdate(),
    )
    deeds.commit_deed(deed, by=None)
    response = download(client, people["alice"], "deeds.by_department")
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    cell = sheet["A4"]
    assert cell.value == '=HYPERLINK("http://x.example","点我")'
    assert cell.data_type == "s" and cell.quotePrefix


def test_an_unknown_chart_is_not_found_and_writes_no_audit_entry(client, people, world):
    assert download(client, people["alice"], "campaigns.nothing").status_code == 404
    assert download(client, people["alice"], "nothing").status_code == 404
    assert not AuditEntry.objects.filter(action="reports.dashboard.exported").exists()


def test_every_audit_action_the_reports_app_writes_has_a_chinese_name():
    import re
    from pathlib import Path

    from dangjian.reports.audit_actions import AUDIT_ACTIONS

    source = (Path(__file__).resolve().parents[1] / "views.py").read_text(encoding="utf-8")
    codes = set(re.findall(r'audit\.record\(\s*"([a-z_.]+)"', source))
    assert codes == {"reports.dashboard.exported"}
    assert sorted(codes - set(AUDIT_ACTIONS)) == []
