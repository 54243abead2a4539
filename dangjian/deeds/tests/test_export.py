"""The ledger export (.xlsx in the 台账 layout): contents, scope, safety and the audit entry."""

import datetime as dt
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.core.models import AuditEntry
from dangjian.deeds import services
from dangjian.deeds.exports import HEADER
from dangjian.deeds.tests.test_pages import add_deeds

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_export_writes_the_ledger_layout_and_is_audited(client, people, make_deed, departments):
    parking = make_deed(
        title="雅境园小区停车难问题", leader="管委会主任", deadline=dt.date(2021, 6, 30)
    )
    part = parking.parts.get(department=departments["co"])
    services.update_part(
        part, by=None, version=part.version, progress=80, note="停车场主体完工，电话13912345678"
    )
    closed = make_deed(title='=HYPERLINK("http://x")', shared=False)
    services.submit_close_out(closed, by=None, evidence="完成")
    services.review_close_out(closed, by=None, outcome="not_fixed", reason="规划调整")
    client.force_login(people["alice"])

    rows = _rows(client.get(reverse("deed_export")))

    assert rows[0] == HEADER
    assert rows[0] == [
        "序号",
        "实事项目",
        "责任单位",
        "责任领导",
        "完成时限",
        "进展情况",
        "状态",
        "办结情况",
    ]
    by_title = {row[1]: row for row in rows[1:]}
    row = by_title["雅境园小区停车难问题"]
    assert row[2] == "党群工作部（配合：建设局）"
    assert row[3] == "管委会主任"
    assert row[4].date() == dt.date(2021, 6, 30)
    assert row[5].startswith("总体进度40%") and "建设局：80%，停车场主体完工" in row[5]
    assert "13912345678" not in row[5]  # free text redacted for a reader without the right
    assert row[6] == "推进中"
    assert row[7] in ("", None)
    formula = by_title['=HYPERLINK("http://x")']
    assert formula[7] == "未解决（规划调整）" and formula[6] == "已销号"
    assert [r[0] for r in rows[1:]] == [1, 2]
    entry = AuditEntry.objects.get(action="deeds.deed.exported")
    assert entry.actor == people["alice"] and entry.details["rows"] == 2


def test_export_keeps_formulas_as_text(client, people, make_deed):
    make_deed(title="=1+1", shared=False)
    client.force_login(people["alice"])
    response = client.get(reverse("deed_export"))
    sheet = load_workbook(BytesIO(response.content)).active
    cell = sheet["B2"]
    assert cell.value == "=1+1" and cell.data_type == "s" and cell.quotePrefix


def test_export_follows_the_lists_filters_and_scope(
    client, officers, people, make_deed, departments
):
    make_deed(title="党群部项目", shared=False)
    make_deed(title="建设局项目", owner=departments["co"], shared=False)
    client.force_login(people["alice"])
    rows = _rows(client.get(reverse("deed_export"), {"department": departments["co"].pk}))
    assert [r[1] for r in rows[1:]] == ["建设局项目"]
    entry = AuditEntry.objects.get(action="deeds.deed.exported")
    assert entry.details["filters"] == {"department": "建设局"}


def test_export_needs_the_export_right_and_deeds(client, officers, people):
    client.force_login(officers["dora"])  # an officer works on deeds but may not export
    assert client.get(reverse("deed_export")).status_code == 403
    client.force_login(people["bob"])  # a secretary may export, but has no deeds
    assert client.get(reverse("deed_export")).status_code == 403
    assert not AuditEntry.objects.filter(action="deeds.deed.exported").exists()


def test_export_keeps_a_constant_query_count(client, people, make_deed, departments):
    client.force_login(people["alice"])
    add_deeds(make_deed, departments, 5)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("deed_export"))
    add_deeds(make_deed, departments, 45)
    with CaptureQueriesContext(connection) as large:
        assert len(_rows(client.get(reverse("deed_export")))) == 51
    assert len(large.captured_queries) == len(small.captured_queries)
