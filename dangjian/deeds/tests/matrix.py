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


def request_world(district) -> dict:
    """Service requests in each state a handling step starts from, the handled ones with
    dora's department (district.department); each phone different, so that none is held."""
    from dangjian.deeds import request_services as requests
    from dangjian.deeds.models import RequestCategory
    from dangjian.orgs.models import Community

    category = RequestCategory.objects.create(name="矩阵停车", department=district.department)
    community = Community.objects.create(name="矩阵社区")

    def submit(phone):
        return requests.submit_request(
            category=category,
            text="矩阵诉求：小区停车难",
            phone=phone,
            community=community,
            name="矩阵居民",
            ip="203.0.113.50",
        )

    requests.block_phone("13700000001", by=None, reason="矩阵黑名单")
    dispatched, accepted, closed = (
        requests.dispatch_request(submit(phone), by=None, department=district.department)
        for phone in ("13700000003", "13700000004", "13700000005")
    )
    accepted = requests.accept_request(accepted, by=None)
    closed = requests.accept_request(closed, by=None)
    closed = requests.close_request(closed, by=None, outcome="resolved", text="矩阵办结")
    return {
        "held_request": submit("13700000001"),
        "pending_request": submit("13700000002"),
        "dispatched_request": dispatched,
        "accepted_request": accepted,
        "closed_request": closed,
    }


def staff_request_world(district) -> dict:
    """For the staff pages of requests: a request dispatched to dora's department with a photo
    and an open supervision notice, and a blocklisted phone."""
    from dangjian.deeds import request_services as requests
    from dangjian.deeds.models import RequestCategory
    from dangjian.orgs.models import Community

    item = requests.submit_request(
        category=RequestCategory.objects.create(name="矩阵道路", department=district.department),
        text="矩阵诉求：路灯不亮",
        phone="13700000011",
        community=Community.objects.create(name="矩阵办理社区"),
        photos=[photo_upload()],
        ip="203.0.113.51",
    )
    item = requests.dispatch_request(item, by=None, department=district.department)
    supervision = requests.supervise_request(item, by=None, message="矩阵督办")
    return {
        "staff_request": item,
        "staff_request_photo": (item, item.photos.get()),
        "staff_request_supervision": (item, supervision),
        "blocked_phone": requests.block_phone("13700000012", by=None, reason="矩阵黑名单"),
    }
