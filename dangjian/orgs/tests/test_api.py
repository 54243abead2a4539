"""The API v1 of organizations and members: the same services, scopes and masking as the
pages, refusals as `{"code", "message", "field"}` in Chinese, every status in the schema."""

import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.accounts.models import Role
from dangjian.accounts.services import create_api_token
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.models import AuditEntry
from dangjian.core.testing import add_members, make_user, member_data
from dangjian.orgs import services
from dangjian.orgs.models import Member, MemberTransfer, Organization

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


class Api:
    """A test client that calls the API with a token of `user`."""

    def __init__(self, client, user):
        _, secret = create_api_token(user, "tests", by=None)
        self.client, self.headers = client, {"Authorization": f"Bearer {secret}"}

    def get(self, path, params=None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self.headers)

    def post(self, path, body):
        return self.client.post(
            f"/api/v1{path}", body, content_type="application/json", headers=self.headers
        )

    def patch(self, path, body):
        return self.client.patch(
            f"/api/v1{path}", body, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api(client, people):
    return lambda name: Api(client, people[name])


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def _new_member(district, **changes) -> dict:
    data = member_data(random.Random(99))
    body = {
        **data,
        "joined_on": data["joined_on"].isoformat(),
        "organization_id": district.branches[1].pk,
    }
    return {**body, **changes}


def _assert_refused(response, status: int, field: str | None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "field"}
    assert body["field"] == field
    assert CHINESE.search(body["message"]), body


# ---------------------------------------------------------------- reading


def test_members_list_is_paginated_with_the_total_count(api, district):
    add_members(district, 25)  # and erin: 26
    response = api("alice").get("/members", {"limit": 10, "offset": 20})
    body = response.json()
    assert (body["count"], body["limit"], body["offset"], len(body["items"])) == (26, 10, 20, 6)


def test_page_size_is_bounded(api, district):
    _assert_refused(api("alice").get("/members", {"limit": 101}), 422, "limit")


def test_members_found_by_name_pinyin_initials_and_last_four_id_digits(api, district):
    add_members(district, 4)
    member = services.create_member(
        by=None, organization=district.branches[1], name="张三丰", id_number="11010519491231002X"
    )
    alice = api("alice")
    for q in ["zsf", "三丰", "002x"]:
        assert member.pk in _ids(alice.get("/members", {"q": q})), q
    assert _ids(alice.get("/members", {"q": "zsf"})) == {member.pk}


def test_members_filtered_by_organization_subtree_sector_and_status(api, district):
    members = add_members(district, 8)
    alice = api("alice")
    gov = district.branches[0]
    in_gov = {m.pk for m in members if m.organization_id == gov.pk} | {
        Member.objects.get(name="尔琳").pk
    }
    assert _ids(alice.get("/members", {"organization": gov.pk})) == in_gov
    assert alice.get("/members", {"organization": district.root.pk}).json()["count"] == 9
    assert alice.get("/members", {"sector": "government"}).json()["count"] == 3
    services.change_member_status(members[0], "deceased", by=None, reason="病故")
    assert alice.get("/members").json()["count"] == 8
    assert _ids(alice.get("/members", {"status": "deceased"})) == {members[0].pk}
    assert alice.get("/members", {"status": "all"}).json()["count"] == 9


def test_unknown_filter_values_name_the_field(api, district):
    alice = api("alice")
    _assert_refused(alice.get("/members", {"organization": 999999}), 400, "organization")
    _assert_refused(alice.get("/members", {"sector": "nowhere"}), 400, "sector")
    _assert_refused(alice.get("/members", {"status": "asleep"}), 422, "status")
    _assert_refused(alice.get("/members", {"q": "张\x00"}), 422, "q")


def test_organizations_filtered_by_kind_sector_parent_and_text(api, district):
    alice = api("alice")
    branches = {b.pk for b in district.branches}
    assert _ids(alice.get("/organizations", {"kind": "branch"})) == branches
    assert _ids(alice.get("/organizations", {"parent": district.root.pk})) == branches
    assert _ids(alice.get("/organizations", {"sector": "school"})) == {district.branches[3].pk}
    assert _ids(alice.get("/organizations", {"q": "外区"})) == {district.other_root.pk}
    assert alice.get("/organizations").json()["count"] == 6


def test_organization_detail(api, district):
    body = api("alice").get(f"/organizations/{district.branches[0].pk}").json()
    assert body["name"] == "测试机关党支部"
    assert (body["kind"], body["kind_label"], body["sector"]) == ("branch", "党支部", "government")
    assert body["parent_id"] == district.root.pk


def test_secretary_sees_only_his_subtree(api, district, people):
    theirs = services.create_member(
        by=None, organization=district.other_root, **member_data(random.Random(5))
    )
    mine = add_members(district, 4)
    bob = api("bob")
    gov = district.branches[0]
    expected = {m.pk for m in mine if m.organization_id == gov.pk} | {people["erin"].member.pk}
    assert _ids(bob.get("/members")) == expected
    assert _ids(bob.get("/organizations")) == {gov.pk}
    _assert_refused(bob.get(f"/organizations/{district.other_root.pk}"), 404, None)
    _assert_refused(bob.get(f"/members/{theirs.pk}"), 404, None)
    _assert_refused(bob.get(f"/organizations/{district.root.pk}"), 404, None)


def test_outsider_sees_nothing_of_the_district(api, district):
    members = add_members(district, 3)
    charlie = api("charlie")
    assert _ids(charlie.get("/members")) == set()
    assert _ids(charlie.get("/organizations")) == {district.other_root.pk}
    _assert_refused(charlie.get(f"/organizations/{district.branches[0].pk}"), 404, None)
    _assert_refused(charlie.get(f"/members/{members[0].pk}"), 404, None)


def test_member_sees_only_herself(api, district, people):
    others = add_members(district, 3)
    erin = api("erin")
    own = people["erin"].member
    assert _ids(erin.get("/members")) == {own.pk}
    assert erin.get(f"/members/{own.pk}").json()["name"] == "尔琳"
    assert _ids(erin.get("/organizations")) == set()
    _assert_refused(erin.get(f"/members/{others[0].pk}"), 404, None)
    _assert_refused(erin.post("/members", _new_member(district)), 403, None)


def test_no_full_id_number_or_phone_in_any_list_or_detail(api, district):
    members = add_members(district, 5)
    alice = api("alice")
    bodies = [alice.get("/members").content.decode()]
    bodies += [alice.get(f"/members/{m.pk}").content.decode() for m in members]
    for member in members:
        assert any(mask_id_number(member.id_number) in b for b in bodies)
        assert any(mask_phone(member.phone) in b for b in bodies)
        for body in bodies:
            assert member.id_number not in body
            assert member.phone not in body


def test_personal_data_is_shown_with_the_right_and_audited_every_time(api, district, people):
    member = add_members(district, 1)[0]
    pat = api("pat")
    for _ in range(2):
        body = pat.get(f"/members/{member.pk}/personal-data").json()
        assert (body["id_number"], body["phone"]) == (member.id_number, member.phone)
    entries = AuditEntry.objects.filter(action="orgs.member.personal_data_viewed")
    assert [(e.actor, e.object_id) for e in entries] == [(people["pat"], str(member.pk))] * 2


def test_personal_data_without_the_right_is_403_and_not_audited(api, district):
    member = add_members(district, 1)[0]
    _assert_refused(api("alice").get(f"/members/{member.pk}/personal-data"), 403, None)
    assert not AuditEntry.objects.filter(action="orgs.member.personal_data_viewed").exists()


def test_member_may_see_her_own_personal_data(api, people):
    own = people["erin"].member
    body = api("erin").get(f"/members/{own.pk}/personal-data").json()
    assert body["id_number"] == own.id_number


# ---------------------------------------------------------------- writing


def test_operator_registers_a_member(api, district, people):
    body = _new_member(district)
    response = api("alice").post("/members", body)
    assert response.status_code == 201, response.content
    member = Member.objects.get(id_number=body["id_number"])
    assert response.json()["id"] == member.pk
    assert response.json()["id_number"] == mask_id_number(member.id_number)
    assert member.organization == district.branches[1]
    entry = AuditEntry.objects.get(action="orgs.member.created", object_id=str(member.pk))
    assert entry.actor == people["alice"]


def test_registering_an_id_number_twice_is_a_conflict(api, district):
    alice = api("alice")
    assert alice.post("/members", _new_member(district)).status_code == 201
    response = alice.post("/members", _new_member(district, phone=None))
    _assert_refused(response, 409, "id_number")
    assert response.json()["code"] == "id_number_taken"


BAD_MEMBERS = [
    ({"id_number": "110105194912310021"}, 400, "id_number"),  # check digit should be X
    ({"phone": "12345"}, 400, "phone"),
    ({"organization_id": 999999}, 400, "organization_id"),
    ({"name": "张" * 51}, 422, "name"),
    ({"organization_id": "abc"}, 422, "organization_id"),
    ({"joined_on": "2021-02-30"}, 422, "joined_on"),
    ({"joined_on": "2999-01-01"}, 400, "joined_on"),
    ({"status": "asleep"}, 422, "status"),
    ({"name": None}, 422, "name"),
    ({"nickname": "小张"}, 422, "nickname"),
    ({"post": "委员\x00"}, 422, "post"),  # PostgreSQL cannot store NUL
]


@pytest.mark.parametrize(("changes", "status", "field"), BAD_MEMBERS)
def test_bad_member_input_names_the_field_and_writes_nothing(api, district, changes, status, field):
    alice = api("alice")
    before = (Member.objects.count(), AuditEntry.objects.count())
    _assert_refused(alice.post("/members", _new_member(district, **changes)), status, field)
    assert (Member.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("field", ["name", "id_number", "organization_id"])
def test_missing_member_field_is_named(api, district, field):
    body = _new_member(district)
    del body[field]
    response = api("alice").post("/members", body)
    _assert_refused(response, 422, field)
    assert field in response.json()["message"]
    assert not Member.objects.filter(id_number=body.get("id_number", "-")).exists()


BAD_ORGANIZATIONS = [
    ({"kind": "club"}, 422, "kind"),
    ({"name": "党" * 101}, 422, "name"),
    ({"parent_id": 999999}, 400, "parent_id"),
    ({"sector": "nowhere"}, 400, "sector"),
    ({"order": "first"}, 422, "order"),
    ({"founded_on": "2999-01-01"}, 400, "founded_on"),
]


@pytest.mark.parametrize(("changes", "status", "field"), BAD_ORGANIZATIONS)
def test_bad_organization_input_names_the_field_and_writes_nothing(
    api, district, changes, status, field
):
    body = {"name": "新设党总支", "kind": "general_branch", "parent_id": district.root.pk}
    before = Organization.objects.count()
    _assert_refused(api("alice").post("/organizations", {**body, **changes}), status, field)
    assert Organization.objects.count() == before


def test_operator_creates_and_renames_an_organization(api, district, people):
    alice = api("alice")
    body = {"name": "新设党总支", "kind": "general_branch", "parent_id": district.root.pk}
    response = alice.post("/organizations", body)
    assert response.status_code == 201, response.content
    org = Organization.objects.get(name="新设党总支")
    assert org.path == f"{district.root.path}{org.pk}/"
    response = alice.patch(f"/organizations/{org.pk}", {"short_name": "新总支"})
    assert response.json()["short_name"] == "新总支"
    actions = AuditEntry.objects.filter(object_id=str(org.pk)).values_list("action", flat=True)
    assert set(actions) == {"orgs.organization.created", "orgs.organization.updated"}


def test_duplicate_organization_name_is_a_conflict(api, district):
    response = api("alice").patch(
        f"/organizations/{district.branches[1].pk}", {"name": district.branches[0].name}
    )
    _assert_refused(response, 409, "name")


def test_patch_changes_only_the_fields_sent(api, district):
    member = add_members(district, 1)[0]
    response = api("alice").patch(f"/members/{member.pk}", {"post": "宣传委员"})
    assert response.status_code == 200, response.content
    member.refresh_from_db()
    assert (member.post, member.name) == ("宣传委员", member.name)
    assert response.json()["phone"] == mask_phone(member.phone)


def test_status_and_organization_are_not_patched(api, district):
    member = add_members(district, 1)[0]
    alice = api("alice")
    _assert_refused(alice.patch(f"/members/{member.pk}", {"status": "deceased"}), 422, "status")
    response = alice.patch(f"/members/{member.pk}", {"organization_id": district.root.pk})
    _assert_refused(response, 422, "organization_id")
    member.refresh_from_db()
    assert (member.status, member.organization) == ("full", district.branches[0])


def test_operator_transfers_a_member(api, district):
    member = add_members(district, 1)[0]
    to = district.branches[2]
    response = api("alice").post(
        f"/members/{member.pk}/transfer", {"to_organization_id": to.pk, "reason": "工作调动"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["to_organization_id"] == to.pk
    member.refresh_from_db()
    assert member.organization == to
    assert MemberTransfer.objects.filter(member=member, reason="工作调动").exists()


def test_transfer_to_an_unknown_organization_names_the_field(api, district):
    member = add_members(district, 1)[0]
    response = api("alice").post(f"/members/{member.pk}/transfer", {"to_organization_id": 999999})
    _assert_refused(response, 400, "to_organization_id")
    member.refresh_from_db()
    assert member.organization == district.branches[0]
    assert not MemberTransfer.objects.exists()


def test_transfer_to_the_same_organization_names_the_field(api, district):
    member = add_members(district, 1)[0]
    response = api("alice").post(
        f"/members/{member.pk}/transfer", {"to_organization_id": member.organization_id}
    )
    _assert_refused(response, 400, "to_organization_id")


def test_status_change_makes_a_probationary_member_full(api, district):
    member = services.create_member(
        by=None,
        organization=district.branches[1],
        **{**member_data(random.Random(3)), "status": "probationary"},
    )
    alice = api("alice")
    response = alice.post(f"/members/{member.pk}/status", {"status": "full"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "full"
    refused = alice.post(f"/members/{member.pk}/status", {"status": "deceased"})
    _assert_refused(refused, 400, "reason")


# ---------------------------------------------------------------- permissions on the object


def test_officer_sees_an_organization_but_may_not_change_it(api, district):
    dora = api("dora")
    gov = district.branches[0]
    assert dora.get(f"/organizations/{gov.pk}").status_code == 200
    _assert_refused(dora.patch(f"/organizations/{gov.pk}", {"short_name": "改"}), 403, None)
    body = _new_member(district, organization_id=gov.pk)
    _assert_refused(dora.post("/members", body), 403, None)
    assert not Member.objects.filter(id_number=body["id_number"]).exists()


def test_secretary_cannot_write_outside_his_subtree(api, district, people):
    bob = api("bob")
    body = {"name": "新党支部", "kind": "branch", "parent_id": district.root.pk}
    _assert_refused(bob.post("/organizations", body), 400, "parent_id")
    response = bob.post("/organizations", {**body, "parent_id": None, "sector": "government"})
    _assert_refused(response, 400, "parent_id")
    erin = people["erin"].member
    other = district.branches[1].pk
    response = bob.post(f"/members/{erin.pk}/transfer", {"to_organization_id": other})
    _assert_refused(response, 400, "to_organization_id")
    assert not Organization.objects.filter(name="新党支部").exists()


def test_transfer_needs_the_right_on_the_target_organization(client, district):
    # Secretary of one branch, and officer of the department that owns another: he sees the
    # department's branch but may not move members into it.
    vic = make_user("vic", Role.SECRETARY, organization=district.branches[1])
    vic.grants.create(role=Role.OFFICER, department=district.department)
    member = add_members(district, 2)[1]
    assert member.organization == district.branches[1]
    response = Api(client, vic).post(
        f"/members/{member.pk}/transfer", {"to_organization_id": district.branches[0].pk}
    )
    _assert_refused(response, 403, None)
    member.refresh_from_db()
    assert member.organization == district.branches[1]


def test_user_without_any_right_to_read_is_403(client, district):
    auditor = make_user("audra", Role.AUDIT_ADMIN)
    _assert_refused(Api(client, auditor).get("/members"), 403, None)


# ---------------------------------------------------------------- protocol


def test_without_credentials_the_answer_is_401_in_chinese(client, district):
    response = client.get("/api/v1/members")
    _assert_refused(response, 401, None)
    assert response.json()["message"] == "请先登录或提供有效的 API 令牌"


def test_unknown_id_is_a_json_404(api, district):
    response = api("alice").get("/members/999999")
    _assert_refused(response, 404, None)
    assert response.json()["message"] == "对象不存在或无权查看"


def test_body_that_is_not_json_is_refused(api, district):
    alice = api("alice")
    response = alice.client.post(
        "/api/v1/members", "{oops", content_type="application/json", headers=alice.headers
    )
    _assert_refused(response, 400, None)


def test_session_login_works_and_writes_need_the_csrf_token(client, district, people):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people["alice"])
    assert browser.get("/api/v1/members").status_code == 200
    body = {"name": "新设党总支", "kind": "general_branch", "parent_id": district.root.pk}
    response = browser.post("/api/v1/organizations", body, content_type="application/json")
    _assert_refused(response, 403, None)
    browser.get("/account/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/v1/organizations",
        body,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201, response.content


def test_schema_declares_every_status(client, db):
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "党建工作平台 API"
    operations = {
        (method.upper(), path): set(op["responses"])
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if "security" in op
    }
    # operations without an account (a resident's request, deeds/request_api.py) have no 401
    # or 403; they are limited per address instead
    public = [
        set(op["responses"])
        for ops in schema["paths"].values()
        for op in ops.values()
        if "security" not in op
    ]
    assert public and all({"400", "422", "429"} <= statuses for statuses in public), public
    ours = [
        path
        for _, path in operations
        if path.startswith(("/api/v1/organizations", "/api/v1/members"))
    ]
    assert len(ours) == 11
    for (method, path), statuses in operations.items():
        assert {"401", "422"} <= statuses, (method, path)
        if method in ("POST", "PATCH"):
            assert "400" in statuses, (method, path)
        if "{" in path:
            assert "404" in statuses, (method, path)
        if method != "GET" or path.endswith("personal-data"):
            assert "403" in statuses, (method, path)
    assert {"409"} <= operations[("POST", "/api/v1/members")]
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "message", "field"}


def test_docs_are_served_without_any_external_host(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger" in page.lower()
    assert "cdn" not in page.lower()
    urls = re.findall(r"""(?:src|href)=["']([^"']+)""", page)
    assert urls
    assert all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert '"validatorUrl": null' in page  # Swagger UI would otherwise call swagger.io


def test_member_list_query_count_does_not_grow_with_members(api, district):
    alice = api("alice")
    add_members(district, 5)
    alice.get("/members")  # the token's first use records it once

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert alice.get("/members", {"limit": 100}).status_code == 200
        return len(queries)

    small = count()
    add_members(district, 45)
    assert count() == small
