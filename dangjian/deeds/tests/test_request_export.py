"""The export of service requests (.xlsx): the header, masked content, no requester name or
phone, the list's filters and the viewer's scope, and the audit entry."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.accounts.models import Role
from dangjian.core.models import AuditEntry
from dangjian.core.testing import make_user
from dangjian.deeds import request_services as rs

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_export_has_the_header_masks_the_text_and_is_audited(client, people, departments, submit):
    item = submit(text="王秀英反映：楼下停车难，请回电13800001111", name="王秀英")
    item = rs.dispatch_request(item, by=None, department=departments["owner"])
    rs.accept_request(item, by=None)
    rs.close_request(item, by=None, outcome="explained", text="已说明规划")
    client.force_login(people["alice"])

    rows = _rows(client.get(reverse("request_export")))

    assert rows[0] == [
        "受理编号",
        "诉求类别",
        "所属社区",
        "诉求内容",
        "承办单位",
        "派单时间",
        "响应时间",
        "办结时间",
        "办理结果",
        "满意度",
    ]
    row = rows[1]
    assert row[:5] == [
        item.tracking_number,
        "停车",
        "雅境园社区",
        "**反映：楼下停车难，请回电1**********",
        "党群工作部",
    ]
    assert all(cell is not None for cell in row[5:8])  # dispatched, responded, closed
    assert row[8:] == ["已解释说明", "未评价"]
    cells = " ".join(str(v) for r in rows for v in r if v)
    assert "13800001111" not in cells and "王秀英" not in cells and "13912345678" not in cells
    entry = AuditEntry.objects.get(action="deeds.request.exported")
    assert entry.actor == people["alice"] and entry.details["rows"] == 1


def test_export_follows_the_filters_and_an_officer_exports_only_their_department(
    client, people, departments, submit
):
    own = rs.dispatch_request(submit(ip="192.0.2.1"), by=None, department=departments["owner"])
    other = rs.dispatch_request(submit(ip="192.0.2.2"), by=None, department=departments["other"])
    pending = submit(ip="192.0.2.3")
    exporter = make_user("ola", Role.OFFICER, department=departments["other"], extra=["can_export"])

    client.force_login(exporter)
    numbers = [r[0] for r in _rows(client.get(reverse("request_export")))[1:]]
    assert numbers == [other.tracking_number]

    client.force_login(people["alice"])
    url = reverse("request_export") + "?status=pending"
    assert [r[0] for r in _rows(client.get(url))[1:]] == [pending.tracking_number]
    everything = [r[0] for r in _rows(client.get(reverse("request_export")))[1:]]
    assert sorted(everything) == sorted(
        [own.tracking_number, other.tracking_number, pending.tracking_number]
    )


def test_export_needs_the_export_right(client, officers):
    client.force_login(officers["dora"])  # handles requests, may not export
    assert client.get(reverse("request_export")).status_code == 403
    assert not AuditEntry.objects.filter(action="deeds.request.exported").exists()


def test_export_keeps_formulas_as_text(client, people, submit):
    submit(text='=HYPERLINK("http://x")')
    client.force_login(people["alice"])
    sheet = load_workbook(BytesIO(client.get(reverse("request_export")).content)).active
    cell = sheet["D2"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s" and cell.quotePrefix
