"""Every route, every kind of user. The list of routes is read from the URL resolver and the
API's OpenAPI schema, so a new page or endpoint without a row here fails the test."""

import itertools
import json
import random
import re
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dangjian.core.testing import add_members, member_data, photo_upload

pytestmark = pytest.mark.django_db

LOGIN = "login"  # an anonymous visitor is sent to the log-in page
PERSONAS = ["alice", "bob", "charlie", "erin", "anon"]  # operator, secretary, outsider, member


def everyone(status) -> dict:
    return dict.fromkeys(PERSONAS, status)


def staff(alice, bob, charlie, erin, anon=LOGIN) -> dict:
    return {"alice": alice, "bob": bob, "charlie": charlie, "erin": erin, "anon": anon}


@dataclass
class Case:
    expect: dict
    method: str = "get"
    args: str = ""  # which object of the world the URL takes: "member", "branch"
    data: dict = field(default_factory=dict)


# Objects: "branch" is bob's branch; "member" a member of it (not erin). charlie is a secretary
# elsewhere: everything here is outside his scope.
PAGES: dict[str, Case] = {
    "healthz": Case(everyone(200)),
    "login": Case(staff(302, 302, 302, 302, anon=200)),
    "logout": Case(staff(302, 302, 302, 302, anon=302), method="post"),
    "home": Case(staff(200, 200, 200, 302)),
    "organization_tree": Case(staff(200, 200, 200, 403)),
    "organization_create": Case(staff(200, 200, 200, 403)),
    "organization_detail": Case(staff(200, 200, 404, 403), args="branch"),
    "organization_edit": Case(staff(200, 200, 404, 403), args="branch"),
    "member_list": Case(staff(200, 200, 200, 403)),
    "member_create": Case(staff(200, 200, 200, 403)),
    "member_detail": Case(staff(200, 200, 404, 404), args="member"),
    "member_edit": Case(staff(200, 200, 404, 403), args="member"),
    "member_transfer": Case(staff(200, 200, 404, 403), args="member"),
    "member_status": Case(staff(200, 200, 404, 403), args="member"),
    "member_personal_data": Case(staff(403, 403, 404, 404), method="post", args="member"),
    "password_change": Case(staff(200, 200, 200, 200)),
    # alice opens the member's account first; then it exists (409 for bob).
    "member_account_activate": Case(staff(200, 409, 404, 403), method="post", args="member"),
    "member_account_reset": Case(staff(409, 409, 404, 403), method="post", args="member"),
    "audit_log": Case(staff(403, 403, 403, 403)),
    "member_export": Case(staff(200, 200, 200, 403)),
    "organization_export": Case(staff(200, 200, 200, 403)),
    "member_import_template": Case(staff(200, 200, 200, 403)),
    "organization_import_template": Case(staff(200, 200, 200, 403)),
    "member_import": Case(staff(200, 200, 200, 403)),
    "organization_import": Case(staff(200, 200, 200, 403)),
    # alice's problem report: only the user who uploaded the file may download it.
    "import_report": Case(staff(200, 404, 404, 404), args="report"),
    "account": Case(staff(200, 200, 200, 200)),
    "api_token_create": Case(staff(200, 200, 200, 200), method="post", data={"name": "脚本"}),
    # alice's own token: she revokes it; for anyone else it does not exist.
    "api_token_revoke": Case(staff(302, 404, 404, 404), method="post", args="token"),
    # "activity" is organized by bob's branch (erin's), open for registration, tomorrow.
    "activity_list": Case(staff(200, 200, 200, 200)),
    "activity_create": Case(staff(200, 200, 200, 403)),
    "coverage_matrix": Case(staff(200, 200, 200, 403)),
    "my_activities": Case(staff(200, 200, 200, 200)),
    "activity_detail": Case(staff(200, 200, 404, 200), args="activity"),
    "activity_edit": Case(staff(200, 200, 404, 403), args="activity"),
    "activity_cancel": Case(staff(200, 200, 404, 403), args="activity"),
    "activity_open": Case(staff(302, 302, 404, 403), method="post", args="activity"),
    # only a member registers for themselves; staff accounts without a member record may not.
    "activity_register": Case(staff(403, 403, 404, 302), method="post", args="activity"),
    "activity_unregister": Case(staff(403, 403, 404, 302), method="post", args="activity"),
    # no member chosen (and tomorrow's roll call is not open yet): refused with 400.
    "activity_check_in": Case(staff(400, 400, 404, 403), method="post", args="activity"),
    "activity_walk_ins": Case(
        staff(302, 302, 404, 403), method="post", args="activity", data={"walk_ins": 3}
    ),
    # the 签到表 is for those who take the roll or manage an organizer; erin sees the activity.
    "activity_attendance_sheet": Case(staff(200, 200, 404, 403), args="activity"),
    "activity_invitation": Case(staff(200, 200, 404, 200), args="activity"),
    "activity_summary": Case(staff(200, 200, 404, 403), args="activity"),
    "activity_photo_add": Case(staff(200, 200, 404, 403), args="activity"),
    # "photo" is on an activity of bob's branch that has begun; alice removes it first, so
    # for bob it is gone (campaigns/tests/test_report.py shows bob removing his own).
    "activity_photo": Case(staff(200, 200, 404, 200), args="photo"),
    "activity_photo_remove": Case(staff(302, 404, 404, 403), method="post", args="photo"),
    # QR check-in: the projector's code is for those who may print the 签到表, the scanner for
    # those who take the roll. The landing page is reached with a screen code (rotating, so
    # campaigns/tests/test_checkin_pages.py covers it); without one, everyone is asked to scan.
    "activity_screen": Case(staff(200, 200, 404, 403), args="activity"),
    "activity_screen_code": Case(staff(200, 200, 404, 403), args="activity"),
    "activity_scan": Case(everyone(400), args="activity"),
    "activity_scanner": Case(staff(200, 200, 404, 403), args="activity"),
    # the member's own code (党员码): only members have one.
    "my_member_code": Case(staff(403, 403, 403, 200)),
    "my_member_code_reissue": Case(staff(403, 403, 403, 302), method="post"),
    # the offline scanner's service worker holds no data: static file URLs only.
    "scanner_service_worker": Case(everyone(200)),
    # campaigns are the district's: only a district-wide activity manager edits them.
    "campaign_list": Case(staff(200, 200, 200, 403)),
    "campaign_create": Case(staff(200, 403, 403, 403)),
    "campaign_edit": Case(staff(200, 403, 403, 403), args="campaign"),
    "campaign_set_current": Case(staff(302, 403, 403, 403), method="post", args="campaign"),
    # places are shared by all: any activity manager edits them.
    "place_list": Case(staff(200, 200, 200, 403)),
    "place_create": Case(staff(200, 200, 200, 403)),
    "place_edit": Case(staff(200, 200, 200, 403), args="place"),
    # "deed" is a committed deed of dora's department with a milestone, a visit photo and an
    # open supervision notice (deeds/tests/matrix.py). alice manages every deed; bob, charlie
    # and erin hold no deeds right, so the ledger refuses them (403). deeds/tests/test_pages.py
    # covers the officers: another department's gets 404, a co-department only its own part.
    "deed_list": Case(staff(200, 403, 403, 403)),
    "deed_create": Case(staff(200, 403, 403, 403)),
    "deed_export": Case(staff(200, 403, 403, 403)),
    "deed_detail": Case(staff(200, 403, 403, 403), args="deed"),
    "deed_edit": Case(staff(200, 403, 403, 403), args="deed"),
    # already committed: refused with 400 once the right is established.
    "deed_commit": Case(staff(400, 403, 403, 403), method="post", args="deed"),
    "deed_cancel": Case(staff(200, 403, 403, 403), args="deed"),
    # no progress or version posted: refused with 400.
    "deed_part_update": Case(staff(400, 403, 403, 403), method="post", args="deed_part"),
    "deed_milestone_add": Case(staff(200, 403, 403, 403), args="deed"),
    "deed_milestone_complete": Case(
        staff(400, 403, 403, 403), method="post", args="deed_milestone"
    ),
    "deed_visit_add": Case(staff(200, 403, 403, 403), args="deed"),
    "deed_close_out": Case(staff(200, 403, 403, 403), args="deed"),
    "deed_review": Case(staff(200, 403, 403, 403), args="deed"),
    "deed_return": Case(staff(200, 403, 403, 403), args="deed"),
    "deed_supervise": Case(staff(200, 403, 403, 403), args="deed"),
    "deed_supervision_answer": Case(staff(200, 403, 403, 403), args="deed_supervision"),
    "deed_file": Case(staff(200, 403, 403, 403), args="deed_file"),
    # the public ledger needs no log-in and shows no personal data.
    "public_ledger": Case(everyone(200)),
    "public_ledger_detail": Case(everyone(200), args="deed"),
    # the dashboard: everyone with a scope sees it (charlie his own organization's figures);
    # erin, a member without a grant, has nothing to report on. "chart" is the coverage chart.
    "dashboard": Case(staff(200, 200, 200, 403)),
    "dashboard_screen": Case(staff(200, 200, 200, 403)),
    "dashboard_data": Case(staff(200, 200, 200, 403)),
    "dashboard_export": Case(staff(200, 200, 200, 403), args="chart"),
    # the public request pages (群众诉求) need no log-in. Without a submission or a look-up in
    # this browser's session, the number page goes to the form, the status page and rating to
    # the look-up (deeds/tests/test_public_requests.py walks them with one).
    "request_intake": Case(everyone(200)),
    "request_submitted": Case(everyone(302)),
    "request_track": Case(everyone(200)),
    "request_status": Case(everyone(302), args="tracked_request"),
    "request_rate": Case(everyone(302), method="post", args="tracked_request"),
    # a community's QR poster is for the district's dispatchers (HANDLE_REQUESTS everywhere).
    "request_poster": Case(staff(200, 403, 403, 403), args="poster_community"),
    # The staff pages of requests (deeds/tests/matrix.py staff_request_world): "staff_request"
    # is dispatched to dora's department. Only alice (the dispatcher) holds the right to handle
    # requests; she lacks the personal-data right (403 for the full phone). A POST without its
    # fields is refused with 400 once the right is established; accepting needs none (302).
    # deeds/tests/test_request_pages.py covers the officers (their department's, else 404).
    "request_list": Case(staff(200, 403, 403, 403)),
    "request_export": Case(staff(200, 403, 403, 403)),
    "request_rates": Case(staff(200, 403, 403, 403)),
    "request_blocklist": Case(staff(200, 403, 403, 403)),
    "request_unblock": Case(staff(302, 403, 403, 403), method="post", args="blocked_phone"),
    # The dispatcher's settings: the categories and the holiday table ("calendar_day").
    "request_categories": Case(staff(200, 403, 403, 403)),
    "request_category_create": Case(staff(200, 403, 403, 403)),
    "request_category_edit": Case(staff(200, 403, 403, 403), args="request_category"),
    "request_calendar": Case(staff(200, 403, 403, 403)),
    "request_calendar_remove": Case(staff(302, 403, 403, 403), method="post", args="calendar_day"),
    "request_detail": Case(staff(200, 403, 403, 403), args="staff_request"),
    "request_personal_data": Case(staff(403, 403, 403, 403), method="post", args="staff_request"),
    "request_photo": Case(staff(200, 403, 403, 403), args="staff_request_photo"),
    "request_review": Case(staff(400, 403, 403, 403), method="post", args="staff_request"),
    "request_dispatch": Case(staff(400, 403, 403, 403), method="post", args="staff_request"),
    "request_accept": Case(staff(302, 403, 403, 403), method="post", args="staff_request"),
    "request_send_back": Case(staff(400, 403, 403, 403), method="post", args="staff_request"),
    "request_reply": Case(staff(400, 403, 403, 403), method="post", args="staff_request"),
    "request_close": Case(staff(400, 403, 403, 403), method="post", args="staff_request"),
    "request_supervise": Case(staff(400, 403, 403, 403), method="post", args="staff_request"),
    "request_supervision_answer": Case(
        staff(400, 403, 403, 403), method="post", args="staff_request_supervision"
    ),
    "request_phone_rating": Case(staff(400, 403, 403, 403), method="post", args="staff_request"),
    "request_make_deed": Case(staff(400, 403, 403, 403), method="post", args="staff_request"),
    "request_edit_text": Case(staff(400, 403, 403, 403), method="post", args="staff_request"),
    "request_block_phone": Case(staff(400, 403, 403, 403), method="post", args="staff_request"),
    # briefings (工作简报): everyone with a scope writes them; "briefing" is of bob's branch, so
    # alice (the whole district) and bob see it, charlie (another scope) does not (404).
    "briefing_list": Case(staff(200, 200, 200, 403)),
    "briefing_create": Case(staff(200, 200, 200, 403)),
    "briefing_detail": Case(staff(200, 200, 404, 403), args="briefing"),
    "briefing_docx": Case(staff(200, 200, 404, 403), args="briefing"),
    "briefing_pdf": Case(staff(200, 200, 404, 403), args="briefing"),
}
SKIPPED_NAMESPACES = {"admin", "api"}  # Django's back office has its own tests; API below


def _page_names(patterns) -> set[str]:
    names = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace not in SKIPPED_NAMESPACES:
                names |= _page_names(p.url_patterns)
        elif isinstance(p, URLPattern):
            names.add(p.name)
    return names


def test_every_page_has_a_row_in_the_matrix():
    assert _page_names(get_resolver().url_patterns) == set(PAGES)


@pytest.fixture
def world(district, people):
    from dangjian.accounts.services import create_api_token
    from dangjian.campaigns.services import create_place
    from dangjian.core import uploads
    from dangjian.deeds.tests.matrix import deed_world, staff_request_world

    token, _ = create_api_token(people["alice"], "矩阵", by=people["alice"])
    report = uploads.stash(b"xlsx", owner=people["alice"], kind="report", filename="报告.xlsx")
    activity = _open_activity_tomorrow(district)
    return {
        "branch": district.branches[0],
        "member": add_members(district, 1)[0],
        "token": token,
        "report": SimpleNamespace(pk=report),
        "activity": activity,
        "campaign": activity.campaign,
        "place": create_place(by=None, name="矩阵红色教育基地", is_red_resource=True),
        "photo": _photo_of_held_activity(district, activity.campaign),
        "chart": SimpleNamespace(pk="campaigns.coverage"),
        "briefing": _briefing_of(district.branches[0]),
        **deed_world(district),
        **_request_world(),
        **staff_request_world(district),
    }


def _briefing_of(organization):
    import datetime as dt

    from dangjian.reports.registry import Period, Scope
    from dangjian.reports.services import create_briefing

    return create_briefing(
        by=None,
        period=Period(dt.date(2021, 3, 1), dt.date(2021, 3, 31)),
        scope=Scope(label=organization.name, paths=frozenset({organization.path})),
        title="矩阵工作简报",
        body="矩阵简报正文。",
    )


def _request_world() -> dict:
    import datetime as dt

    from dangjian.core.models import CalendarDay
    from dangjian.deeds import request_services
    from dangjian.deeds.models import RequestCategory
    from dangjian.orgs.models import Community

    community = Community.objects.create(name="矩阵海报社区")
    made = request_services.submit_request(
        category=RequestCategory.objects.create(name="矩阵查询类别"),
        text="矩阵诉求",
        phone="13912345678",
        community=community,
    )
    return {
        "tracked_request": SimpleNamespace(pk=made.tracking_number),
        "poster_community": community,
        "request_category": made.category,
        "calendar_day": CalendarDay.objects.create(
            date=dt.date(2021, 10, 1), kind=CalendarDay.Kind.HOLIDAY, name="国庆节"
        ),
    }


def _open_activity_tomorrow(district):
    import datetime as dt

    from django.utils import timezone

    from dangjian.campaigns import services as campaigns
    from dangjian.campaigns.models import ActivityType

    campaign = campaigns.create_campaign(
        by=None, name="矩阵学习教育", starts_on=dt.date(2021, 1, 1), ends_on=dt.date(2031, 12, 31)
    )
    starts_at = timezone.now() + dt.timedelta(days=1)
    activity = campaigns.create_activity(
        by=None,
        campaign=campaign,
        type=ActivityType.objects.first(),
        title="矩阵宣讲",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        organizers=[district.branches[0]],
    )
    return campaigns.open_registration(activity, by=None)


def _args(obj) -> list[int]:
    """A URL's ids: one object's, or each of a tuple's (an activity and its photo)."""
    return [o.pk for o in obj] if isinstance(obj, tuple) else [obj.pk]


def _photo_of_held_activity(district, campaign):
    from dangjian.campaigns import services as campaigns

    activity = _activity_in_progress(district, campaign)
    photo, _ = campaigns.add_photo(activity, photo_upload(), by=None, caption="矩阵照片")
    return activity, photo


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_answers_each_kind_of_user_as_its_row_says(client, people, world, name):
    case = PAGES[name]
    url = reverse(name, args=_args(world[case.args]) if case.args else [])
    for persona in PERSONAS:
        client.logout()
        if persona != "anon":
            client.force_login(people[persona])
        response = getattr(client, case.method)(url, case.data)
        expected = case.expect[persona]
        if expected == LOGIN:
            assert response.status_code == 302, (name, persona)
            assert response.url.startswith(reverse("login")), (name, persona, response.url)
        else:
            assert response.status_code == expected, (name, persona, response.status_code)


# ---------------------------------------------------------------- the API
# Keyed by (method, path) as the OpenAPI schema lists them. Session log-in stands in for a
# token (tokens act as their user; accounts/tests/test_tokens.py proves that).


def api(alice, bob, charlie, erin, anon=401) -> dict:
    return {"alice": alice, "bob": bob, "charlie": charlie, "erin": erin, "anon": anon}


@dataclass
class ApiCase:
    expect: dict
    args: str = ""  # "branch", "member", or "fresh_member" (a new member for each persona)
    body: object = None  # a dict, or a function of (world, persona) giving one


def _new_member_body(world, persona):
    data = member_data(random.Random(persona))
    return {
        **data,
        "joined_on": data["joined_on"].isoformat(),
        "organization_id": world["branch"].pk,
    }


def _tracking(world, persona) -> dict:
    closed = world["closed_request"]
    return {"tracking_number": closed.tracking_number, "digits": closed.phone[-4:]}


API: dict[tuple[str, str], ApiCase] = {
    ("get", "/api/v1/organizations"): ApiCase(api(200, 200, 200, 200)),
    ("post", "/api/v1/organizations"): ApiCase(
        api(201, 400, 400, 403),  # bob and charlie cannot see the district's root
        body=lambda w, p: {
            "name": f"矩阵{p}党总支",
            "kind": "general_branch",
            "parent_id": w["root"].pk,
        },
    ),
    ("get", "/api/v1/organizations/{organization_id}"): ApiCase(
        api(200, 200, 404, 404), args="branch"
    ),
    ("patch", "/api/v1/organizations/{organization_id}"): ApiCase(
        api(200, 200, 404, 404), args="branch", body={"founded_on": "2015-07-01"}
    ),
    ("get", "/api/v1/members"): ApiCase(api(200, 200, 200, 200)),
    ("post", "/api/v1/members"): ApiCase(api(201, 201, 400, 403), body=_new_member_body),
    ("get", "/api/v1/members/{member_id}"): ApiCase(api(200, 200, 404, 404), args="member"),
    ("patch", "/api/v1/members/{member_id}"): ApiCase(
        api(200, 200, 404, 404), args="member", body={"post": "组织委员"}
    ),
    ("post", "/api/v1/members/{member_id}/transfer"): ApiCase(
        api(201, 400, 404, 404),
        args="fresh_member",  # bob cannot see branches[1]
        body=lambda w, p: {"to_organization_id": w["other_branch"].pk, "reason": "调动"},
    ),
    ("post", "/api/v1/members/{member_id}/status"): ApiCase(
        api(200, 200, 404, 404),
        args="fresh_member",
        body={"status": "transferred_out", "reason": "调往外省"},
    ),
    ("get", "/api/v1/members/{member_id}/personal-data"): ApiCase(
        api(403, 403, 404, 404), args="member"
    ),
    # "activity" is organized by bob's branch (erin's), open, started 10 minutes ago.
    ("get", "/api/v1/campaigns"): ApiCase(api(200, 200, 200, 200)),
    ("get", "/api/v1/activities"): ApiCase(api(200, 200, 200, 200)),
    ("get", "/api/v1/activities/{activity_id}"): ApiCase(api(200, 200, 404, 200), args="activity"),
    # only a member registers for themselves; staff accounts without a member record may not.
    ("post", "/api/v1/activities/{activity_id}/registrations"): ApiCase(
        api(403, 403, 404, 201), args="activity"
    ),
    ("delete", "/api/v1/activities/{activity_id}/registrations/mine"): ApiCase(
        api(403, 403, 404, 204), args="activity"
    ),
    # alice checks the member in (201); bob repeats it and gets the original (200).
    ("post", "/api/v1/activities/{activity_id}/check-ins"): ApiCase(
        api(201, 200, 404, 403),
        args="activity",
        body=lambda w, p: {"member_id": w["member"].pk},
    ),
    # QR check-in: staff scan the member's code (alice first: 201, bob then: 200 already).
    ("post", "/api/v1/activities/{activity_id}/check-ins/scan"): ApiCase(
        api(201, 200, 404, 403), args="activity", body=lambda w, p: {"code": _member_code(w)}
    ),
    ("post", "/api/v1/activities/{activity_id}/check-ins/batch"): ApiCase(
        api(200, 200, 404, 403),
        args="activity",
        body=lambda w, p: {"items": [{"code": _member_code(w), "nonce": f"batch-{p}"}]},
    ),
    # only a member checks themselves in with the screen code.
    ("post", "/api/v1/activities/{activity_id}/check-ins/mine"): ApiCase(
        api(403, 403, 403, 201), args="activity", body=lambda w, p: {"code": _screen_code(w)}
    ),
    ("put", "/api/v1/activities/{activity_id}/summary"): ApiCase(
        api(200, 200, 404, 403), args="activity", body={"summary": "共有30名党员参加。"}
    ),
    # a JSON body carries no file: refused (400) once the right to add photos is established.
    ("post", "/api/v1/activities/{activity_id}/photos"): ApiCase(
        api(400, 400, 404, 403), args="activity", body={"caption": "无文件"}
    ),
    ("get", "/api/v1/activities/{activity_id}/photos/{photo_id}"): ApiCase(
        api(200, 200, 404, 200), args="photo"
    ),
    ("delete", "/api/v1/activities/{activity_id}/photos/{photo_id}"): ApiCase(
        api(204, 204, 404, 403), args="fresh_photo"
    ),
    # Deeds: "deed" is owned by district.department (dora's), committed, with a milestone, a
    # visit photo and a supervision notice. Only alice holds a deeds right; for the others
    # every operation is 403 (dangjian/deeds/tests/test_api.py covers the department officers).
    ("get", "/api/v1/deeds"): ApiCase(api(200, 403, 403, 403)),
    ("post", "/api/v1/deeds"): ApiCase(
        api(201, 403, 403, 403),
        body=lambda w, p: {
            "title": f"矩阵实事{p}",
            "source": "resident",
            "owner_id": w["deed"].owner_id,
            "deadline": "2021-06-30",
        },
    ),
    ("get", "/api/v1/deeds/counts"): ApiCase(api(200, 403, 403, 403)),
    ("get", "/api/v1/deeds/{deed_id}"): ApiCase(api(200, 403, 403, 403), args="deed"),
    ("patch", "/api/v1/deeds/{deed_id}"): ApiCase(
        api(200, 403, 403, 403),
        args="deed",
        body=lambda w, p: {"version": _current(w["deed"]).version, "leader": "管委会主任"},
    ),
    ("post", "/api/v1/deeds/{deed_id}/commit"): ApiCase(
        api(200, 403, 403, 403), args="proposed_deed"
    ),
    ("post", "/api/v1/deeds/{deed_id}/cancel"): ApiCase(
        api(200, 403, 403, 403), args="spare_deed", body={"reason": "并入其他项目"}
    ),
    ("patch", "/api/v1/deeds/{deed_id}/parts/{part_id}"): ApiCase(
        api(200, 403, 403, 403),
        args="deed_part",
        body=lambda w, p: {"version": _current(w["deed_part"][1]).version, "progress": 50},
    ),
    ("post", "/api/v1/deeds/{deed_id}/milestones"): ApiCase(
        api(201, 403, 403, 403), args="deed", body={"title": "完成设计", "planned_on": "2021-04-30"}
    ),
    ("post", "/api/v1/deeds/{deed_id}/milestones/{milestone_id}/complete"): ApiCase(
        api(200, 403, 403, 403), args="deed_milestone", body={"done_on": "2021-04-28"}
    ),
    # multipart: a JSON body carries no form fields, refused (400) once the right is established.
    ("post", "/api/v1/deeds/{deed_id}/visits"): ApiCase(
        api(400, 403, 403, 403), args="deed", body={"place": "无表单"}
    ),
    ("get", "/api/v1/deeds/{deed_id}/files/{file_id}"): ApiCase(
        api(200, 403, 403, 403), args="deed_file"
    ),
    # multipart as well: without evidence, close-out is refused (400).
    ("post", "/api/v1/deeds/{deed_id}/close-out"): ApiCase(
        api(400, 403, 403, 403), args="deed", body={"evidence": "JSON 不是表单"}
    ),
    ("post", "/api/v1/deeds/{deed_id}/close-out/review"): ApiCase(
        api(200, 403, 403, 403), args="awaiting_deed", body={"outcome": "fixed"}
    ),
    ("post", "/api/v1/deeds/{deed_id}/close-out/return"): ApiCase(
        api(200, 403, 403, 403), args="awaiting_deed", body={"reason": "缺少验收照片"}
    ),
    ("post", "/api/v1/deeds/{deed_id}/supervisions"): ApiCase(
        api(201, 403, 403, 403), args="deed", body={"message": "请于三日内报送进展"}
    ),
    ("post", "/api/v1/deeds/{deed_id}/supervisions/{supervision_id}/answer"): ApiCase(
        api(200, 403, 403, 403), args="deed_supervision", body={"answer": "已完成施工招标"}
    ),
    # Service requests (deeds/tests/matrix.py request_world): intake, tracking and rating need
    # no account, so they answer everyone alike. Intake is multipart: a request without form
    # fields is 422 for all. "closed_request" is rated by the first to try (alice); after that
    # the round is rated (400). Handling needs the right to handle requests: only alice holds
    # it here; deeds/tests/test_request_api.py covers the department officers (403 and 404).
    ("post", "/api/v1/requests/intake"): ApiCase(everyone(422)),
    ("post", "/api/v1/requests/track"): ApiCase(everyone(200), body=_tracking),
    ("post", "/api/v1/requests/track/rate"): ApiCase(
        api(200, 400, 400, 400, anon=400),
        body=lambda w, p: {**_tracking(w, p), "rating": "satisfied"},
    ),
    ("get", "/api/v1/requests"): ApiCase(api(200, 403, 403, 403)),
    ("get", "/api/v1/requests/rates"): ApiCase(api(200, 403, 403, 403)),
    ("get", "/api/v1/requests/{request_id}"): ApiCase(
        api(200, 403, 403, 403), args="pending_request"
    ),
    ("post", "/api/v1/requests/{request_id}/review"): ApiCase(
        api(200, 403, 403, 403), args="held_request", body={"release": True}
    ),
    ("post", "/api/v1/requests/{request_id}/dispatch"): ApiCase(
        api(200, 403, 403, 403),
        args="pending_request",
        body=lambda w, p: {"department": w["district"].department.pk},
    ),
    ("post", "/api/v1/requests/{request_id}/accept"): ApiCase(
        api(200, 403, 403, 403), args="dispatched_request"
    ),
    ("post", "/api/v1/requests/{request_id}/send-back"): ApiCase(
        api(200, 403, 403, 403), args="dispatched_request", body={"reason": "不属于本单位"}
    ),
    ("post", "/api/v1/requests/{request_id}/reply"): ApiCase(
        api(200, 403, 403, 403), args="dispatched_request", body={"text": "已联系物业"}
    ),
    ("post", "/api/v1/requests/{request_id}/close"): ApiCase(
        api(200, 403, 403, 403),
        args="accepted_request",
        body={"outcome": "resolved", "text": "已施划车位"},
    ),
    ("post", "/api/v1/requests/{request_id}/phone-rating"): ApiCase(
        api(200, 403, 403, 403), args="closed_request", body={"rating": "basically"}
    ),
}


def _current(obj):
    return type(obj).objects.get(pk=obj.pk)


def _member_code(world) -> str:
    from dangjian.campaigns.services import current_member_code

    return current_member_code(world["member"])


def _screen_code(world) -> str:
    from dangjian.campaigns.codes import screen_code

    return screen_code(world["activity"].pk)


API_DOCS = ["/api/docs", "/api/openapi.json"]  # public: they describe, they hold no data


def _schema_routes() -> set[tuple[str, str]]:
    from dangjian.api import api as ninja_api

    paths = ninja_api.get_openapi_schema()["paths"]
    return {(method, path) for path, ops in paths.items() for method in ops}


def test_every_api_operation_has_a_row_in_the_matrix():
    assert _schema_routes() == set(API)


@pytest.fixture
def api_world(district, people):
    from dangjian.deeds.tests.matrix import request_world

    return {
        "root": district.root,
        "branch": district.branches[0],
        "other_branch": district.branches[1],
        "member": add_members(district, 1)[0],
        "district": district,
        "activity": _activity_in_progress(district),
        **_deed_world(district),
        **request_world(district),
    }


def _deed_world(district) -> dict:
    import datetime as dt

    from django.utils import timezone

    from dangjian.deeds import services as deeds

    def deed(title, commit=True):
        made = deeds.create_deed(
            by=None,
            title=title,
            source="research",
            owner=district.department,
            deadline=timezone.localdate() + dt.timedelta(days=2),
        )
        return deeds.commit_deed(made, by=None) if commit else made

    main = deed("矩阵实事项目")
    milestone = deeds.add_milestone(
        main, by=None, title="开工", planned_on=dt.date(2021, 4, 1), department=main.owner
    )
    visit = deeds.record_visit(
        main,
        by=None,
        department=main.owner,
        visited_at=timezone.now() - dt.timedelta(hours=1),
        place="矩阵小区",
        visitors="矩阵工作组",
        observed="现场查看",
        photos=[photo_upload()],
    )
    awaiting = deed("矩阵待销号项目")
    deeds.submit_close_out(awaiting, by=None, evidence="已完成")
    return {
        "deed": main,
        "proposed_deed": deed("矩阵拟办项目", commit=False),
        "spare_deed": deed("矩阵撤销项目"),
        "awaiting_deed": awaiting,
        "deed_part": (main, main.parts.get()),
        "deed_milestone": (main, milestone),
        "deed_file": (main, visit.files.get()),
        "deed_supervision": (main, deeds.issue_supervision(main, by=None, message="请加快")),
    }


PHOTO_COLORS = itertools.count()


def _fresh_photo(world):
    from dangjian.campaigns import services as campaigns

    upload = photo_upload(color=(next(PHOTO_COLORS), 0, 0))  # a new file each time
    photo, _ = campaigns.add_photo(world["activity"], upload, by=None)
    return world["activity"], photo


def _activity_in_progress(district, campaign=None):
    import datetime as dt

    from django.utils import timezone

    from dangjian.campaigns import services as campaigns
    from dangjian.campaigns.models import ActivityType

    campaign = campaign or campaigns.create_campaign(
        by=None, name="矩阵学习教育", starts_on=dt.date(2021, 1, 1), ends_on=dt.date(2031, 12, 31)
    )
    now = timezone.now()
    activity = campaigns.create_activity(
        by=None,
        campaign=campaign,
        type=ActivityType.objects.first(),
        title="矩阵现场宣讲",
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=2),
        organizers=[district.branches[0]],
    )
    return campaigns.open_registration(activity, by=None)


def _api_url(path: str, case: ApiCase, world) -> str:
    if not case.args:
        return path
    if case.args == "fresh_member":
        obj = add_members(world["district"], 1)[0]
    elif case.args == "fresh_photo":
        obj = _fresh_photo(world)
    elif case.args == "photo":
        if "photo" not in world:
            world["photo"] = _fresh_photo(world)
        obj = world["photo"]
    else:
        obj = world[case.args]
    ids = iter(_args(obj) * path.count("{"))
    return re.sub(r"\{\w+\}", lambda _: str(next(ids)), path)


@pytest.mark.parametrize("route", sorted(API), ids=lambda r: f"{r[0]} {r[1]}")
def test_api_answers_each_kind_of_user_as_its_row_says(client, people, api_world, route):
    method, path = route
    case = API[route]
    for persona in PERSONAS:
        client.logout()
        if persona != "anon":
            client.force_login(people[persona])
        body = case.body(api_world, persona) if callable(case.body) else case.body
        url = _api_url(path, case, api_world)
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
        response = getattr(client, method)(url, **kwargs)
        assert response.status_code == case.expect[persona], (
            route,
            persona,
            response.status_code,
            response.content[:200],
        )
        if response.status_code >= 400:
            assert set(response.json()) == {"code", "message", "field"}


@pytest.mark.parametrize("url", API_DOCS)
def test_api_documentation_is_public(client, url):
    assert client.get(url).status_code == 200
