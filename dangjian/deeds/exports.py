"""The ledger as a workbook in the usual 台账 layout, written by core's safe writer (cells that
Excel would run are kept as text). Free text is redacted unless the reader may see personal
data."""

from django.db.models import Prefetch, QuerySet

from dangjian.core.masking import redact
from dangjian.core.spreadsheets import Sheet, write_workbook
from dangjian.deeds.models import Deed, DeedPart
from dangjian.deeds.queries import progress_of

SHEET = "我为群众办实事台账"
HEADER = ["序号", "实事项目", "责任单位", "责任领导", "完成时限", "进展情况", "状态", "办结情况"]
WIDTHS = {"实事项目": 36, "责任单位": 28, "进展情况": 60, "办结情况": 30, "完成时限": 12}


def _name(department) -> str:
    return department.short_name or department.name


def departments_text(deed: Deed) -> str:
    """牵头 owner, then the co-departments (配合)."""
    co = [_name(p.department) for p in deed.parts.all() if p.department_id != deed.owner_id]
    return f"{_name(deed.owner)}（配合：{'、'.join(co)}）" if co else _name(deed.owner)


def progress_text(deed: Deed, text=redact) -> str:
    """总体进度 and each department's report."""
    parts = list(deed.parts.all())
    lines = [f"总体进度{progress_of(deed)}%"]
    if len(parts) > 1 or any(p.note for p in parts):
        for part in parts:
            note = text(part.note) or "（未报送）"
            lines.append(f"{_name(part.department)}：{part.progress}%，{note}")
    return "\n".join(lines)


def outcome_text(deed: Deed, text=redact) -> str:
    if deed.status == Deed.Status.CANCELLED:
        return f"已撤销：{text(deed.cancel_reason)}"
    if deed.status != Deed.Status.CLOSED:
        return ""
    label = Deed.Outcome(deed.outcome).label
    if deed.outcome_reason:
        return f"{label}（{text(deed.outcome_reason)}）"
    return label


def ledger_workbook(deeds: QuerySet, *, full_text: bool = False) -> tuple[bytes, int]:
    """The deeds, one row each, in the order given. Returns (bytes, rows). Three queries."""
    text = (lambda value: value or "") if full_text else redact
    parts = DeedPart.objects.select_related("department").order_by("id")
    rows = []
    for number, deed in enumerate(
        deeds.select_related("owner").prefetch_related(Prefetch("parts", queryset=parts)),
        start=1,
    ):
        rows.append(
            [
                number,
                deed.title,
                departments_text(deed),
                deed.leader,
                deed.deadline,
                progress_text(deed, text),
                deed.get_status_display(),
                outcome_text(deed, text),
            ]
        )
    return write_workbook([Sheet(SHEET, HEADER, rows, widths=WIDTHS)]), len(rows)
