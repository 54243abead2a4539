import re
from collections import Counter
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from openpyxl import load_workbook

from dangjian.accounts.models import User
from dangjian.accounts.permissions import (
    MANAGE_DEEDS,
    VIEW_ORGS,
    VIEW_PERSONAL_DATA,
    WORK_DEEDS,
    has_perm,
)
from dangjian.core.models import AuditEntry
from dangjian.core.validators import validate_credit_code, validate_id_number
from dangjian.orgs.models import Community, Department, Enterprise, Member, Organization, Sector

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def logins(tmp_path):
    return tmp_path / "demo-logins.txt"


@pytest.fixture
def demo(logins):
    call_command("load_demo", logins_file=str(logins), stdout=StringIO())
    return logins


@pytest.fixture
def demo_district(logins):
    """The district without its activities: faster, for tests of organizations and members."""
    call_command("load_demo", "--without-activities", logins_file=str(logins), stdout=StringIO())
    return logins


def test_demo_district_matches_the_article(demo_district):
    assert Organization.objects.count() >= 100
    assert Member.objects.active().count() >= 3700
    for sector in Sector.objects.all():
        assert sector.organizations.filter(kind="branch").exists(), sector.name
        assert Member.objects.filter(organization__sector=sector).count() > 100, sector.name
    communities = set(Community.objects.values_list("name", flat=True))
    assert len(communities) == 12
    assert {"和风社区", "和韵社区", "宜禾社区"} <= communities
    assert all(c.grids.count() >= 4 for c in Community.objects.prefetch_related("grids"))
    departments = set(Department.objects.values_list("short_name", flat=True))
    assert {"党群部", "政务服务办", "建设局", "科技创新局", "人社局"} <= departments
    assert Department.objects.get(short_name="党群部").runs_campaign
    for name in [
        "天津中科生物科技有限公司",
        "太极智慧城市运营服务（天津）有限公司",
        "常青树企业管理咨询（天津）有限公司",
    ]:
        enterprise = Enterprise.objects.get(name=name)
        assert validate_credit_code(enterprise.credit_code) == enterprise.credit_code
    tech = Organization.objects.get(name="科技创新局党支部")
    assert tech.department.short_name == "科技创新局"
    assert Organization.objects.filter(is_two_new=True, kind="branch").count() >= 30


def test_every_organization_is_linked_sensibly(demo_district):
    for org in Organization.objects.all():
        if org.kind == "branch":
            assert org.sector_id, org.name
            assert not org.children.exists()
        if org.parent_id:
            assert org.path.startswith(org.parent.path)


def test_demo_members_have_valid_tianjin_ids_and_plausible_dates(demo_district):
    members = list(Member.objects.all())
    assert len({m.id_number for m in members}) == len(members)
    for m in members:
        assert validate_id_number(m.id_number) == m.id_number
        assert m.id_number.startswith("12")
        born = int(m.id_number[6:10])
        assert 1930 <= born <= 2000
        assert m.joined_on.year - born >= 18
    phones = [m.phone for m in members if m.phone]
    assert len(set(phones)) == len(phones)
    assert all(re.fullmatch(r"1[3-9]\d{9}", p) for p in phones)


def test_demo_accounts_exist_for_every_role_with_random_passwords(demo_district):
    lines = [line.split("\t") for line in demo_district.read_text(encoding="utf-8").splitlines()]
    assert [u for u, _, _ in lines] == [
        "operator",
        "secretary",
        "officer",
        "member",
        "sysadmin",
        "secadmin",
        "auditor",
    ]
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "dangjian").rglob("*.py"))
    for username, password, _ in lines:
        assert len(password) >= 12
        request = RequestFactory().post("/login/")
        assert authenticate(request, username=username, password=password) is not None
        assert password not in sources
    assert User.objects.get(username="member").member.organization.name == "科技创新局党支部"
    assert (
        User.objects.get(username="secretary").member.organization.secretary.user.username
        == "secretary"
    )


def test_loading_twice_adds_nothing_and_keeps_passwords(demo):
    before = (Organization.objects.count(), Member.objects.count(), AuditEntry.objects.count())
    passwords = demo.read_text(encoding="utf-8")
    call_command("load_demo", logins_file=str(demo), stdout=open("/dev/null", "w"))  # noqa: SIM115
    after = (Organization.objects.count(), Member.objects.count(), AuditEntry.objects.count())
    assert after == before
    assert demo.read_text(encoding="utf-8") == passwords


def test_if_empty_skips_a_database_that_has_data(demo_district, capsys):
    call_command("load_demo", "--if-empty", logins_file=str(demo_district))
    assert "跳过" in capsys.readouterr().out


# ---------------------------------------------------------------- masking crawl

ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
LINK_RE = re.compile(r'(?:href|hx-get)="(/[^"#]*)"')
PER_ROUTE = 40  # pages per route: enough to cover every template branch, bounded in time
NOT_CRAWLED = {
    "logout",
    "import_report",  # a problem report is linked only after an upload
    "activity_scan",  # reached by scanning the projector's rotating QR code, never a link
    "activity_screen_code",  # JSON fetched by the projector page's script
    "scanner_service_worker",  # registered by the scanner page's script
    "request_submitted",  # shown once after a resident submits a request
    "request_status",  # reached by the tracking look-up (a form), never a link
    "request_poster",  # a PDF for the dispatchers to print; its test is in deeds
    "dashboard_data",  # JSON fetched by the dashboard's and the big screen's script
    "request_photo",  # the demo's requests carry no photos; deeds/tests covers serving them
    # the demo has no saved briefing; reports/tests/test_briefings.py covers these pages
    "briefing_detail",
    "briefing_docx",
    "briefing_pdf",
}
POST_ONLY = {
    "activity_open",
    "activity_register",
    "activity_unregister",
    "activity_check_in",
    "activity_walk_ins",
    "activity_photo_remove",
    "campaign_set_current",
    "member_personal_data",
    "member_account_activate",
    "member_account_reset",
    "api_token_create",
    "api_token_revoke",
    "my_member_code_reissue",
    "deed_commit",
    "deed_part_update",
    "deed_milestone_complete",
    "request_rate",
    "request_personal_data",
    "request_review",
    "request_dispatch",
    "request_accept",
    "request_send_back",
    "request_reply",
    "request_close",
    "request_supervise",
    "request_supervision_answer",
    "request_phone_rating",
    "request_make_deed",
    "request_edit_text",
    "request_block_phone",
    "request_unblock",
    "request_calendar_remove",
}
SKIPPED_NAMESPACES = {"admin", "api"}  # the back office; the API has its own crawl
# The demo accounts that browse pages, none with the personal-data right.
CRAWLERS = ["operator", "secretary", "officer", "member", "auditor"]


def _route_names(patterns) -> set[str]:
    names = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace not in SKIPPED_NAMESPACES:
                names |= _route_names(p.url_patterns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(p.name)
    return names


def _text_of(response) -> str:
    """The page, every cell of a downloaded workbook, or the text of a PDF (the 签到表). A
    photo has no text: it is re-encoded without metadata (core/tests/test_images.py)."""
    if response["Content-Type"].startswith("image/"):
        return ""
    if response["Content-Type"].startswith("application/pdf"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(BytesIO(response.content), read_only=True)
        return "\n".join(
            str(v) for ws in workbook for row in ws.iter_rows(values_only=True) for v in row if v
        )
    return response.content.decode()


def _crawl(client, user) -> Counter:
    """Follow every link (up to PER_ROUTE pages a route) and fail on a full ID or phone other
    than the user's own. Returns the pages visited per route name."""
    own = Member.objects.filter(user=user).values_list("id_number", "phone").first() or ()
    ids = set(Member.objects.values_list("id_number", flat=True)) - set(own)
    phones = set(Member.objects.exclude(phone=None).values_list("phone", flat=True)) - set(own)
    queue = ["/", "/healthz", "/login/"]
    if has_perm(user, VIEW_ORGS):  # searches are forms, not links: start from a few
        queue += ["/members/?q=wang", "/members/?status=all"]
    seen, per_route = set(), Counter()
    while queue:
        url = queue.pop(0).replace("&amp;", "&")
        match = resolve(url.split("?")[0])
        route = match.url_name
        if (
            url in seen
            or route in NOT_CRAWLED | POST_ONLY
            or per_route[route] >= PER_ROUTE
            or match.namespace in SKIPPED_NAMESPACES
        ):
            continue
        seen.add(url)
        per_route[route] += 1
        response = client.get(url, follow=True)
        assert response.status_code == 200, f"{user}: {url} answered {response.status_code}"
        html = _text_of(response)
        leaked = [m for m in ID_RE.findall(html) if m.upper() in ids]
        leaked += [m for m in PHONE_RE.findall(html) if m in phones]
        assert not leaked, f"{user}: {url} shows {leaked[:3]}"
        queue += [u for u in LINK_RE.findall(html) if not u.startswith("/static/")]
    return per_route


def _crawl_api(client, user) -> int:
    """Every page of every API list and detail GET the user may read: no full ID or phone
    other than their own. Returns how many answers were read."""
    own = Member.objects.filter(user=user).values_list("id_number", "phone").first() or ()
    secrets = set(Member.objects.values_list("id_number", flat=True)) | set(
        Member.objects.exclude(phone=None).values_list("phone", flat=True)
    )
    secrets -= set(own)
    read = 0
    paths = ["/api/v1/members?status=all", "/api/v1/organizations"]
    if has_perm(user, MANAGE_DEEDS) or has_perm(user, WORK_DEEDS):
        paths.append("/api/v1/deeds")
    for path in paths:
        offset, count = 0, 1
        while offset < count:
            page = client.get(
                f"{path}&limit=100&offset={offset}"
                if "?" in path
                else f"{path}?limit=100&offset={offset}"
            )
            assert page.status_code == 200, (user, path, page.status_code)
            body = page.content.decode()
            assert not secrets & set(ID_RE.findall(body) + PHONE_RE.findall(body)), (user, path)
            data = page.json()
            count, offset, read = data["count"], offset + 100, read + 1
            for item in data["items"][:5]:
                detail = client.get(f"{path.split('?')[0]}/{item['id']}").content.decode()
                assert not secrets & set(ID_RE.findall(detail) + PHONE_RE.findall(detail))
                read += 1
    return read


def test_no_page_shows_a_full_id_or_phone_without_the_right(demo, client):
    visited = set()
    for username in CRAWLERS:
        user = User.objects.get(username=username)
        assert not has_perm(user, VIEW_PERSONAL_DATA, Member.objects.exclude(user=user).first())
        client.force_login(user)
        visited |= set(_crawl(client, user))
        if has_perm(user, VIEW_ORGS) or Member.objects.filter(user=user).exists():
            assert _crawl_api(client, user) >= 2
    all_pages = _route_names(get_resolver().url_patterns) - NOT_CRAWLED - POST_ONLY
    assert visited >= all_pages, f"never reached: {sorted(all_pages - visited)}"


def test_operator_crawl_opens_many_member_pages(demo_district, client):
    operator = User.objects.get(username="operator")
    client.force_login(operator)
    assert _crawl(client, operator)["member_detail"] == PER_ROUTE
