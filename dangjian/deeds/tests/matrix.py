"""The deeds of the permission matrix's world (accounts/tests/test_permission_matrix.py)."""

import datetime as dt

from django.utils import timezone

from dangjian.core.testing import photo_upload
from dangjian.deeds import services
from dangjian.deeds.models import Deed


def deed_world(district) -> dict:
    """A committed deed of dora's department (district.department) with a milestone, an on-site
    visit with a photo and an open supervision notice; each URL's objects by name."""
    deed = services.create_deed(
        by=None,
        title="矩阵实事项目",
        source=Deed.Source.RESEARCH,
        owner=district.department,
        deadline=timezone.localdate() + dt.timedelta(days=30),
    )
    deed = services.commit_deed(deed, by=None)
    milestone = services.add_milestone(
        deed, by=None, title="矩阵节点", planned_on=timezone.localdate(), department=deed.owner
    )
    visit = services.record_visit(
        deed,
        by=None,
        department=deed.owner,
        visited_at=timezone.now() - dt.timedelta(hours=1),
        place="矩阵现场",
        visitors="矩阵干部",
        observed="矩阵查看",
        photos=[photo_upload()],
    )
    supervision = services.issue_supervision(deed, by=None, message="矩阵督办")
    return {
        "deed": deed,
        "deed_part": (deed, deed.parts.get()),
        "deed_milestone": (deed, milestone),
        "deed_supervision": (deed, supervision),
        "deed_file": (deed, visit.files.get()),
    }
