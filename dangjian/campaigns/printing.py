"""Printable pages of an activity: the attendance sheet (签到表) as a PDF, by WeasyPrint.

The Chinese text needs a CJK font: the stylesheet asks for Noto Sans/Serif CJK SC (Debian's
fonts-noto-cjk, which `make test` installs); without it the PDF still renders with a fallback."""

from django.template.loader import render_to_string
from django.utils import timezone

from dangjian.campaigns.models import Activity, Registration

BLANK_LINES = 10  # rows for members and residents who come without registering


def registered_members(activity: Activity) -> list:
    """The members registered (not waiting, not cancelled) in sign-up order, with their
    organizations: one query."""
    return [
        r.member
        for r in Registration.objects.filter(
            activity=activity, status=Registration.Status.REGISTERED
        )
        .select_related("member__organization")
        .order_by("created_at", "id")
    ]


def attendance_sheet_pdf(activity: Activity, *, blank_lines: int = BLANK_LINES) -> bytes:
    """The 签到表 of `activity` (A4 portrait): its details, a row with a blank 签名 cell for each
    registered member, then blank rows for walk-ins; page numbers in the footer."""
    from weasyprint import HTML  # imported here: loading pango costs time at start-up

    members = registered_members(activity)
    html = render_to_string(
        "campaigns/attendance_sheet.html",
        {
            "activity": activity,
            "organizers": list(activity.organizers.all()),
            "members": members,
            "blank_rows": range(len(members) + 1, len(members) + 1 + blank_lines),
            "printed_at": timezone.localtime(),
        },
    )
    return HTML(string=html).write_pdf()
