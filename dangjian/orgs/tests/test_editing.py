"""The create and edit pages: they write through the services, answer refusals with a 400
and a Chinese message on the field, and never put a stored ID number into the HTML."""

import random

import pytest
from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.core.testing import add_members, member_data
from dangjian.orgs.models import Member, MemberTransfer, Organization

pytestmark = pytest.mark.django_db


def _errors(response) -> dict[str, list[str]]:
    return {f: [str(e) for e in errs] for f, errs in response.context["form"].errors.items()}


def _member_post(district, **changes) -> dict:
    data = member_data(random.Random(77))
    post = {
        **data,
        "organization": district.branches[0].pk,
        "status": "full",
        "joined_on": data["joined_on"].isoformat(),
    }
    post.update(changes)
    return {k: v for k, v in post.items() if v is not None}


def test_operator_registers_a_member_through_the_form(alice_client, district, people):
    post = _member_post(district)
    response = alice_client.post(reverse("member_create"), post)
    member = Member.objects.get(id_number=post["id_number"])
    assert response.status_code == 302
    assert response.url == reverse("member_detail", args=[member.pk])
    entry = AuditEntry.objects.get(action="orgs.member.created", object_id=str(member.pk))
    assert entry.actor == people["alice"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "11010519491231002Y", "身份证号"),
        ("id_number", "110105194912310021", "校验位"),
        ("id_number", "", "必填"),
        ("name", "", "必填"),
        ("name", "张" * 51, "50"),
        ("phone", "1381234567", "手机号"),
        ("phone", "23812345678", "手机号"),
        ("organization", "999999", "党组织"),
        ("organization", "abc", "党组织"),
        ("joined_on", "not-a-date", "日期"),
        ("joined_on", "2999-01-01", "入党日期"),
        ("gender", "X", "选择"),
        ("status", "deceased", "选择"),
    ],
)
def test_bad_member_input_is_refused_on_its_field_and_writes_nothing(
    alice_client, district, field, value, message
):
    audit_before = AuditEntry.objects.count()
    response = alice_client.post(reverse("member_create"), _member_post(district, **{field: value}))
    assert response.status_code == 400
    errors = _errors(response)
    assert field in errors, errors
    assert message in errors[field][0]
    assert f'data-error-for="{field}"' in response.content.decode()
    assert not Member.objects.exclude(user__username="erin").exists()
    assert AuditEntry.objects.count() == audit_before


def test_duplicate_id_number_is_refused_on_the_id_field(alice_client, district):
    existing = add_members(district, 1)[0]
    post = _member_post(
        district,
        id_number=existing.id_number,
        gender=existing.gender,
        joined_on=existing.joined_on.isoformat(),
    )
    response = alice_client.post(reverse("member_create"), post)
    assert response.status_code == 400
    assert "已登记" in _errors(response)["id_number"][0]


def test_edit_form_never_holds_the_stored_id_number_or_phone(client, people, district):
    member = add_members(district, 1)[0]
    for user in ("alice", "pat"):  # even with the personal-data right: unmasking is deliberate
        client.force_login(people[user])
        html = client.get(reverse("member_edit", args=[member.pk])).content.decode()
        assert member.id_number not in html
        assert member.phone not in html
        assert member.id_number[:6] + "********" in html  # the masked hint


def test_blank_write_only_fields_keep_the_stored_values(alice_client, district):
    member = add_members(district, 1)[0]
    response = alice_client.post(
        reverse("member_edit", args=[member.pk]),
        {
            "name": "新名字",
            "id_number": "",
            "phone": "",
            "gender": member.gender,
            "joined_on": member.joined_on.isoformat(),
        },
    )
    assert response.status_code == 302
    refreshed = Member.objects.get(pk=member.pk)
    assert (refreshed.name, refreshed.id_number, refreshed.phone) == (
        "新名字",
        member.id_number,
        member.phone,
    )


def test_htmx_form_error_is_swapped_with_400_and_success_redirects(alice_client, district):
    bad = alice_client.post(
        reverse("member_create"), _member_post(district, phone="1"), HTTP_HX_REQUEST="true"
    )
    assert bad.status_code == 400
    assert 'id="form-card"' in bad.content.decode()
    good = alice_client.post(
        reverse("member_create"), _member_post(district), HTTP_HX_REQUEST="true"
    )
    assert good.status_code == 204
    assert good["HX-Redirect"].startswith("/members/")


def test_transfer_form_moves_the_member_and_keeps_history(alice_client, district):
    member = add_members(district, 1)[0]
    target = district.branches[2]
    response = alice_client.post(
        reverse("member_transfer", args=[member.pk]),
        {"to_organization": target.pk, "reason": "工作调动"},
    )
    assert response.status_code == 302
    assert MemberTransfer.objects.get(member=member).to_organization == target


def test_status_change_needs_a_reason_to_leave_the_roster(alice_client, district):
    member = add_members(district, 1)[0]
    response = alice_client.post(
        reverse("member_status", args=[member.pk]), {"status": "transferred_out"}
    )
    assert response.status_code == 400
    assert "原因" in _errors(response)["reason"][0]
    response = alice_client.post(
        reverse("member_status", args=[member.pk]),
        {"status": "transferred_out", "reason": "调往外省"},
    )
    assert response.status_code == 302
    assert Member.objects.get(pk=member.pk).status == "transferred_out"


def test_operator_creates_and_edits_an_organization(alice_client, district):
    response = alice_client.post(
        reverse("organization_create"),
        {
            "name": "测试医院党支部",
            "kind": "branch",
            "parent": district.root.pk,
            "sector": district.branches[0].sector.pk,
        },
    )
    org = Organization.objects.get(name="测试医院党支部")
    assert response.url == reverse("organization_detail", args=[org.pk])
    response = alice_client.post(
        reverse("organization_edit", args=[org.pk]),
        {
            "name": "测试医院党支部",
            "kind": "branch",
            "parent": district.branches[0].pk,
        },
    )
    assert response.status_code == 400
    assert "党支部" in _errors(response)["parent"][0]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "测试区党工委"}, "name"),
        ({"kind": "club"}, "kind"),
        ({"kind": "branch", "sector": ""}, "sector"),
        ({"parent": "999999"}, "parent"),
        ({"founded_on": "2999-01-01"}, "founded_on"),
    ],
)
def test_bad_organization_input_is_refused_on_its_field(alice_client, district, changes, field):
    count = Organization.objects.count()
    post = {"name": "新党委", "kind": "committee", "parent": district.root.pk, **changes}
    response = alice_client.post(reverse("organization_create"), post)
    assert response.status_code == 400
    assert field in _errors(response)
    assert Organization.objects.count() == count


def test_secretary_registers_members_only_in_their_subtree(client, people, district):
    client.force_login(people["bob"])
    post = _member_post(district, organization=district.branches[1].pk)
    response = client.post(reverse("member_create"), post)
    assert response.status_code == 400
    assert "管理范围" in _errors(response)["organization"][0]
    response = client.post(reverse("member_create"), _member_post(district))
    assert response.status_code == 302


def test_secretary_cannot_create_a_top_level_organization(client, people, district):
    client.force_login(people["bob"])
    response = client.post(reverse("organization_create"), {"name": "新党委", "kind": "committee"})
    assert response.status_code == 400
    assert "上级党组织" in _errors(response)["parent"][0]


def test_secretary_edits_own_branch_keeping_its_parent(client, people, district):
    client.force_login(people["bob"])
    branch = district.branches[0]
    response = client.post(
        reverse("organization_edit", args=[branch.pk]),
        {
            "name": branch.name,
            "short_name": "机关一支部",
            "kind": "branch",
            "parent": branch.parent_id,
            "sector": branch.sector_id,
            "department": branch.department_id,
        },
    )
    assert response.status_code == 302, _errors(response)
    assert Organization.objects.get(pk=branch.pk).short_name == "机关一支部"


def test_other_scopes_objects_are_not_found(client, people, district):
    member = add_members(district, 1)[0]
    client.force_login(people["charlie"])
    for name in ["member_edit", "member_transfer", "member_status", "member_detail"]:
        assert client.get(reverse(name, args=[member.pk])).status_code == 404, name
    assert client.get(reverse("organization_edit", args=[district.root.pk])).status_code == 404
    assert client.get(reverse("organization_detail", args=[district.root.pk])).status_code == 404


def test_member_cannot_open_edit_pages(client, people, district):
    client.force_login(people["erin"])
    own = people["erin"].member.pk
    assert client.get(reverse("member_edit", args=[own])).status_code == 403
    assert client.get(reverse("member_create")).status_code == 403
    assert client.get(reverse("member_list")).status_code == 403


def test_secretary_cannot_make_own_branch_top_level(client, people, district):
    client.force_login(people["bob"])
    branch = district.branches[0]
    response = client.post(
        reverse("organization_edit", args=[branch.pk]),
        {
            "name": branch.name,
            "kind": "branch",
            "parent": "",
            "sector": branch.sector_id,
        },
    )
    assert response.status_code == 400
    assert "上级党组织" in _errors(response)["parent"][0]
    assert Organization.objects.get(pk=branch.pk).parent_id == district.root.pk
