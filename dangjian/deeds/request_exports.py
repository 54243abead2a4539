"""Service requests as a workbook, written by core's safe writer (cells Excel would run are
kept as text). The content goes through `public_text` (phones and ID numbers masked, the
requester's name replaced) and the requester's name and phone are not exported at all."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from dangjian.core.spreadsheets import Sheet, write_workbook
from dangjian.deeds.models import ServiceRequest
from dangjian.deeds.request_queries import public_text

SHEET = "群众诉求"
HEADER = [
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
WIDTHS = {"受理编号": 18, "所属社区": 24, "诉求内容": 60, "承办单位": 24, "办理结果": 16}
NOT_RATED = "未评价"


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """Excel has no time zones: Beijing time, without the zone."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _place(request: ServiceRequest) -> str:
    if request.community_id:
        return request.community.name
    return f"企业：{request.enterprise_name}" if request.enterprise_name else ""


def _rating(request: ServiceRequest) -> str:
    if request.rating:
        return request.get_rating_display()
    return NOT_RATED if request.status == ServiceRequest.Status.CLOSED else ""


def _row(request: ServiceRequest) -> list:
    department = request.department
    return [
        request.tracking_number,
        request.category.name,
        _place(request),
        public_text(request),
        (department.short_name or department.name) if department else "",
        _local(request.dispatched_at),
        _local(request.responded_at),
        _local(request.closed_at),
        request.get_outcome_display() if request.outcome else request.get_status_display(),
        _rating(request),
    ]


def requests_workbook(requests: QuerySet) -> tuple[bytes, int]:
    """The requests, one row each, in the order given. Returns (bytes, rows). One query."""
    rows = [_row(r) for r in requests.select_related("category", "community", "department")]
    return write_workbook([Sheet(SHEET, HEADER, rows, widths=WIDTHS)]), len(rows)
