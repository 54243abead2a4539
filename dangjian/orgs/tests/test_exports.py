"""Exports in the import layout: masked unless the user holds the personal-data right,
audited, and never a formula Excel would run."""

import zipfile
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.core.masking import mask_id_number
from dangjian.core.models import AuditEntry
from dangjian.core.testing import add_members, member_data
from dangjian.orgs import services
from dangjian.orgs.imports import MEMBER_COLUMNS

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _column(rows, header) -> list:
    index = rows[0].index(header)
    return [r[index] for r in rows[1:]]


def test_export_is_masked_and_audited_for_an_operator_without_the_right(alice_client, district):
    members = add_members(district, 3)
    response = alice_client.get(reverse("member_export"), {"organization": district.root.pk})
    rows = _rows(response)
    assert rows[0] == [c.header for c in MEMBER_COLUMNS]
    ids = _column(rows, "身份证号")
    assert sorted(ids) == sorted(mask_id_number(m.id_number) for m in [*members, _erin()])
    entry = AuditEntry.objects.get(action="orgs.member.exported")
    assert entry.details["rows"] == 4
    assert entry.details["rows_with_full_personal_data"] == 0
    assert entry.details["filters"] == {"organization": str(district.root)}
    assert (
        "党员名册" in response["Content-Disposition"]
        or "%E5%85%9A" in response["Content-Disposition"]
    )


def _erin():
    from dangjian.orgs.models import Member

    return Member.objects.get(user__username="erin")


def test_export_has_full_values_for_a_user_with_both_rights(client, people, district):
    member = add_members(district, 1)[0]
    client.force_login(people["pat"])
    rows = _rows(client.get(reverse("member_export"), {"q": member.name}))
    assert member.id_number in _column(rows, "身份证号")
    assert member.phone in _column(rows, "手机号")
    assert (
        AuditEntry.objects.get(action="orgs.member.exported").details[
            "rows_with_full_personal_data"
        ]
        >= 1
    )


def test_formula_like_name_is_exported_as_text(client, people, district):
    data = member_data(__import__("random").Random(9))
    services.create_member(
        by=None,
        organization=district.branches[0],
        **{**data, "name": '=HYPERLINK("http://x","点我")'},
    )
    client.force_login(people["pat"])
    response = client.get(reverse("member_export"))
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    cells = [
        c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://x","点我")'
    ]
    assert cells and all(c.data_type == "s" for c in cells)
    xml = zipfile.ZipFile(BytesIO(response.content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "HYPERLINK" in xml


def test_export_query_count_does_not_grow_with_members(alice_client, district):
    add_members(district, 5)
    with CaptureQueriesContext(connection) as small:
        alice_client.get(reverse("member_export"))
    add_members(district, 45)
    with CaptureQueriesContext(connection) as large:
        alice_client.get(reverse("member_export"))
    assert len(large) == len(small)


def test_secretary_exports_only_their_subtree(client, people, district):
    add_members(district, 8)
    client.force_login(people["bob"])
    rows = _rows(client.get(reverse("member_export")))
    assert set(_column(rows, "所在党组织")) == {district.branches[0].name}


def test_member_cannot_export(client, people):
    client.force_login(people["erin"])
    assert client.get(reverse("member_export")).status_code == 403


def test_organization_export_lists_parents_before_children(alice_client, district):
    rows = _rows(alice_client.get(reverse("organization_export")))
    names = _column(rows, "名称")
    parents = _column(rows, "上级党组织")
    for name, parent in zip(names, parents, strict=True):
        assert not parent or names.index(parent) < names.index(name)
    assert AuditEntry.objects.get(action="orgs.organization.exported").details["rows"] == len(names)


def test_member_template_has_an_example_notes_and_drop_downs(alice_client, district):
    response = alice_client.get(reverse("member_import_template"))
    workbook = load_workbook(BytesIO(response.content))
    sheet = workbook.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == [c.header for c in MEMBER_COLUMNS]
    assert len(rows) == 2  # the header and one example
    assert sheet["A1"].comment is not None or any(c.comment for c in sheet[1])
    lists = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert len(lists) >= 3  # gender, status, education, organization
    hidden = workbook["选项"]
    assert hidden.sheet_state == "hidden"
    values = {c.value for row in hidden.iter_rows() for c in row}
    assert {"男", "女", "正式党员", "预备党员", district.branches[0].name} <= values
