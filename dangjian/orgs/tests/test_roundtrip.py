"""Export, delete, import, export: the district survives the round trip through Excel."""

from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.accounts.models import Role, User
from dangjian.accounts.services import grant_role
from dangjian.campaigns.models import CheckIn
from dangjian.orgs.imports import (
    commit_member_import,
    commit_organization_import,
    plan_member_import,
    plan_organization_import,
)
from dangjian.orgs.models import Member

pytestmark = pytest.mark.django_db


def _cells(data: bytes) -> list[tuple]:
    sheet = load_workbook(BytesIO(data), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_members_survive_export_delete_import_export(client, tmp_path):
    call_command(
        "load_demo",
        "--without-activities",
        logins_file=str(tmp_path / "logins.txt"),
        stdout=StringIO(),
    )
    user = User.objects.create_user(username="keeper", password="x-Long-pass-1", name="管理员")
    grant_role(user, Role.OPERATOR, by=None, extra_capabilities=["can_view_personal_data"])
    client.force_login(user)
    orgs_file = client.get(reverse("organization_export")).content
    first = client.get(reverse("member_export")).content
    assert len(_cells(first)) - 1 == Member.objects.count() >= 3700

    CheckIn.objects.all().delete()  # the demo activities' attendance protects the members
    Member.objects.all().delete()
    plan = plan_organization_import(orgs_file, "党组织.xlsx", user=user)
    assert not plan.problems, plan.problems[:3]
    commit_organization_import(plan, user=user, filename="党组织.xlsx", data=orgs_file)
    plan = plan_member_import(first, "党员名册.xlsx", user=user)
    assert not plan.problems, [str(p) for p in plan.problems[:3]]
    counts = commit_member_import(plan, user=user, filename="党员名册.xlsx", data=first)

    second = client.get(reverse("member_export")).content
    assert _cells(second) == _cells(first)
    assert Member.objects.count() == len(_cells(first)) - 1
    assert counts
