"""The roster and organization imports: plans, commits and the rules between them."""

import datetime as dt
import hashlib
import random
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from dangjian.accounts.models import User
from dangjian.core.errors import DomainError
from dangjian.core.masking import mask_phone
from dangjian.core.models import AuditEntry
from dangjian.core.testing import add_members
from dangjian.core.validators import id_check_char
from dangjian.orgs import services
from dangjian.orgs.imports import (
    OUTSIDE_SCOPE,
    commit_member_import,
    commit_organization_import,
    plan_member_import,
    plan_organization_import,
)
from dangjian.orgs.models import Member, MemberTransfer, Organization, Sector
from dangjian.orgs.tests.workbooks import member_row, new_member, organizations, roster, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def rng():
    return random.Random(57)


def plan_and_commit(data: bytes, user, filename: str = "名册.xlsx") -> dict:
    plan = plan_member_import(data, filename, user=user)
    assert not plan.problems, [str(p) for p in plan.problems]
    return commit_member_import(plan, user=user, filename=filename, data=data)


def problems_of(plan) -> list[str]:
    return [str(p) for p in plan.problems]


# ---------------------------------------------------------------- creating and updating


def test_new_members_are_created_in_one_batch_with_one_import_audit_entry(district, people, rng):
    rows = [new_member(rng, "测试机关党支部") for _ in range(3)]
    data = roster(rows)
    plan = plan_member_import(data, "名册.xlsx", user=people["alice"])
    assert plan.counts == {"created": 3, "updated": 0, "unchanged": 0}
    assert not Member.objects.filter(id_number=rows[0]["id_number"]).exists()  # a plan reads

    counts = commit_member_import(plan, user=people["alice"], filename="名册.xlsx", data=data)

    assert counts == {"created": 3, "updated": 0, "unchanged": 0}
    created = Member.objects.filter(id_number__in=[r["id_number"] for r in rows])
    assert {m.organization for m in created} == {district.branches[0]}
    entry = AuditEntry.objects.get(action="orgs.member.imported")
    assert entry.actor == people["alice"]
    assert entry.details["source"] == "名册.xlsx"
    assert entry.details["sha256"] == hashlib.sha256(data).hexdigest()
    assert (entry.details["created"], entry.details["updated"], entry.details["unchanged"]) == (
        3,
        0,
        0,
    )
    assert not AuditEntry.objects.filter(action="orgs.member.batch_created").exists()


def test_importing_the_same_file_twice_changes_nothing_the_second_time(district, people, rng):
    existing = add_members(district, 2)
    rows = [new_member(rng, "测试企业党支部") for _ in range(3)]
    rows += [member_row(m, post="组织委员") for m in existing]
    data = roster(rows)
    assert plan_and_commit(data, people["alice"]) == {"created": 3, "updated": 2, "unchanged": 0}
    before = Member.objects.count()

    again = plan_member_import(data, "名册.xlsx", user=people["alice"])

    assert again.counts == {"created": 0, "updated": 0, "unchanged": 5}
    assert (
        commit_member_import(again, user=people["alice"], filename="名册.xlsx", data=data)[
            "created"
        ]
        == 0
    )
    assert Member.objects.count() == before
    entries = AuditEntry.objects.filter(action="orgs.member.imported").order_by("id")
    assert [e.details["unchanged"] for e in entries] == [0, 5]


def test_update_lists_each_changed_field_old_to_new_with_the_phone_masked(district, people):
    member = add_members(district, 1)[0]
    old_phone, new_phone = member.phone, "13900001111"
    data = roster([member_row(member, phone=new_phone, post="宣传委员", education="本科")])

    plan = plan_member_import(data, "名册.xlsx", user=people["alice"])

    assert plan.counts == {"created": 0, "updated": 1, "unchanged": 0}
    changes = plan.updates[0].changes
    assert ("学历", "", "大学本科") in changes
    assert ("手机号", mask_phone(old_phone), mask_phone(new_phone)) in changes
    assert ("职务", "", "宣传委员") in changes
    assert new_phone not in str(changes) and old_phone not in str(changes)

    commit_member_import(plan, user=people["alice"], filename="名册.xlsx", data=data)
    member.refresh_from_db()
    assert (member.phone, member.post, member.education) == (new_phone, "宣传委员", "bachelor")
    assert AuditEntry.objects.filter(action="orgs.member.updated", object_id=str(member.pk))


def test_blank_cells_and_missing_columns_keep_the_stored_values(district, people):
    member = add_members(district, 1)[0]
    services.update_member(member, by=None, post="组织委员", ethnicity="回族")
    data = workbook(
        ["姓名", "身份证号", "所在党组织", "手机号", "职务"],
        [[member.name, member.id_number, member.organization.name, None, None]],
    )
    plan = plan_member_import(data, "名册.xlsx", user=people["alice"])
    assert plan.counts["unchanged"] == 1


def test_headers_by_synonym_in_any_order_and_organization_by_short_name(district, people, rng):
    row = new_member(rng, "机关支部")
    joined = dt.datetime.strptime(row["joined_on"], "%Y.%m.%d").date()
    row["joined_on"] = f"{joined.year}年{joined.month}月{joined.day}日"
    data = workbook(
        ["序号", "联系电话", "所属支部", "公民身份号码", "姓名", "入党时间", "备注"],
        [[1, row["phone"], "机关支部", row["id_number"], row["name"], row["joined_on"], "无"]],
    )
    plan = plan_member_import(data, "名册.xlsx", user=people["alice"])
    assert not plan.problems, problems_of(plan)
    assert plan.parsed.unknown_columns == ["备注"]
    assert plan.creates[0].data["organization"] == district.branches[0]
    assert plan.creates[0].data["joined_on"] == joined


def test_a_month_date_is_kept_with_month_precision(district, people, rng):
    row = new_member(rng, "测试机关党支部")
    joined = dt.datetime.strptime(row["joined_on"], "%Y.%m.%d").date()
    row["joined_on"] = f"{joined:%Y%m}"
    plan_and_commit(roster([row]), people["alice"])
    member = Member.objects.get(id_number=row["id_number"])
    assert (member.joined_on, member.joined_on_precision) == (joined.replace(day=1), "month")


def test_a_month_in_the_file_for_a_day_in_the_database_is_no_change(district, people):
    member = add_members(district, 1)[0]
    month = f"{member.joined_on:%Y%m}"
    plan = plan_member_import(
        roster([member_row(member, joined_on=month)]), "名册.xlsx", user=people["alice"]
    )
    assert plan.counts["unchanged"] == 1


def test_an_organization_change_is_a_transfer_that_keeps_history(district, people):
    member = add_members(district, 1)[0]
    assert member.organization == district.branches[0]
    data = roster([member_row(member, organization="企业支部")])
    plan = plan_member_import(data, "名册.xlsx", user=people["alice"])
    assert plan.updates[0].changes == [("所在党组织", "测试机关党支部", "测试企业党支部")]

    commit_member_import(plan, user=people["alice"], filename="名册.xlsx", data=data)

    member.refresh_from_db()
    assert member.organization == district.branches[1]
    transfer = MemberTransfer.objects.get(member=member)
    assert [transfer.from_organization, transfer.to_organization] == district.branches[:2]
    assert transfer.reason == "名册导入"
    assert AuditEntry.objects.filter(action="orgs.member.transferred", object_id=str(member.pk))


def test_a_probationary_member_becomes_full_through_the_status_service(district, people, rng):
    data = new_member(rng, "测试机关党支部", status="预备党员")
    plan_and_commit(roster([data]), people["alice"])
    full = {**data, "status": "正式党员", "full_member_on": "2021-02-01"}

    plan = plan_member_import(roster([full]), "名册.xlsx", user=people["alice"])
    assert ("党员类别", "预备党员", "正式党员") in plan.updates[0].changes
    commit_member_import(plan, user=people["alice"], filename="名册.xlsx", data=roster([full]))

    member = Member.objects.get(id_number=data["id_number"])
    assert (member.status, member.full_member_on) == ("full", dt.date(2021, 2, 1))
    entry = AuditEntry.objects.get(action="orgs.member.status_changed", object_id=str(member.pk))
    assert entry.details["reason"] == "名册导入"


def test_an_import_never_takes_a_member_off_the_roster(district, people):
    member = add_members(district, 1)[0]
    plan = plan_member_import(
        roster([member_row(member, status="已去世")]), "名册.xlsx", user=people["alice"]
    )
    assert problems_of(plan) == [
        "第3行 党员类别 已去世：名册导入不办理党员转出或去世，请在党员页面办理状态变更"
    ]


def test_a_new_member_who_has_left_is_refused(district, people, rng):
    plan = plan_member_import(
        roster([new_member(rng, "测试机关党支部", status="已转出")]),
        "名册.xlsx",
        user=people["alice"],
    )
    assert [p.message for p in plan.problems] == ["新登记的党员应为正式党员或预备党员"]


# ---------------------------------------------------------------- problems write nothing


def test_row_57_with_a_bad_check_digit_names_the_row_column_and_expected_digit(
    district, people, rng
):
    rows = [new_member(rng, "测试机关党支部") for _ in range(60)]
    bad = rows[54]  # title row 1, header row 2: the 55th data row is row 57
    expected = id_check_char(bad["id_number"][:17])
    wrong = next(c for c in "0123456789X" if c != expected)
    bad["id_number"] = bad["id_number"][:17] + wrong
    data = roster(rows)

    plan = plan_member_import(data, "名册.xlsx", user=people["alice"])

    assert len(plan.problems) == 1
    problem = plan.problems[0]
    assert (problem.row, problem.column, problem.value) == (57, "身份证号", bad["id_number"])
    assert f"应为“{expected}”" in problem.message
    assert str(problem).startswith(f"第57行 身份证号 {bad['id_number']}：")
    with pytest.raises(DomainError) as exc:
        commit_member_import(plan, user=people["alice"], filename="名册.xlsx", data=data)
    assert exc.value.code == "import_has_problems"
    assert not Member.objects.filter(id_number=rows[0]["id_number"]).exists()
    assert not AuditEntry.objects.filter(action="orgs.member.imported").exists()

    sheet = load_workbook(BytesIO(plan.report(data))).worksheets[0]
    assert sheet["B57"].fill.fgColor.rgb.endswith("FFC7CE")
    assert not sheet["B56"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "校验位" in str(sheet.cell(57, sheet.max_column).value)


def test_every_row_of_an_id_number_repeated_in_the_file_is_reported(district, people, rng):
    rows = [new_member(rng, "测试机关党支部") for _ in range(4)]
    rows[3]["id_number"] = rows[1]["id_number"]
    plan = plan_member_import(roster(rows), "名册.xlsx", user=people["alice"])
    assert [(p.row, p.column) for p in plan.problems] == [(4, "身份证号"), (6, "身份证号")]
    assert all("第4、6行" in p.message for p in plan.problems)


def test_an_unknown_organization_is_a_problem_for_that_row(district, people, rng):
    rows = [new_member(rng, "测试机关党支部"), new_member(rng, "不存在的党支部")]
    plan = plan_member_import(roster(rows), "名册.xlsx", user=people["alice"])
    assert problems_of(plan) == ["第4行 所在党组织 不存在的党支部：找不到党组织“不存在的党支部”"]


def test_a_fifteen_character_id_number_is_refused(district, people, rng):
    row = new_member(rng, "测试机关党支部")
    row["id_number"] = row["id_number"][:6] + row["id_number"][8:17]  # the old 15-digit form
    plan = plan_member_import(roster([row]), "名册.xlsx", user=people["alice"])
    assert [(p.row, p.column) for p in plan.problems] == [(3, "身份证号")]
    assert "18位" in plan.problems[0].message


def test_a_phone_of_another_member_is_refused(district, people, rng):
    other = add_members(district, 1)[0]
    plan = plan_member_import(
        roster([new_member(rng, "测试机关党支部", phone=other.phone)]),
        "名册.xlsx",
        user=people["alice"],
    )
    assert [(p.column, p.message) for p in plan.problems] == [
        ("手机号", "该手机号已被其他党员使用")
    ]


def test_a_rule_of_the_member_service_becomes_a_problem_on_its_column(district, people, rng):
    row = new_member(rng, "测试机关党支部", joined_on="2030-01-01")
    plan = plan_member_import(roster([row]), "名册.xlsx", user=people["alice"])
    assert problems_of(plan) == ["第3行 入党日期 2030-01-01：入党日期不能晚于今天"]


# ---------------------------------------------------------------- scope


@pytest.fixture
def outsider_member(district):
    """A member of the other district's subtree (charlie's), outside bob's scope."""
    branch = services.create_organization(
        by=None,
        name="外区第一党支部",
        kind=Organization.Kind.BRANCH,
        parent=district.other_root,
        sector=Sector.objects.first(),
    )
    return add_members(
        type(district)(**{**district.__dict__, "branches": [branch], "members": []}), 1
    )[0]


def test_a_secretary_cannot_import_a_member_registered_outside_their_scope(
    district, people, rng, outsider_member
):
    rows = [new_member(rng, "测试机关党支部"), member_row(outsider_member, organization="机关支部")]

    plan = plan_member_import(roster(rows), "名册.xlsx", user=people["bob"])

    assert [(p.row, p.column, p.message) for p in plan.problems] == [(4, "身份证号", OUTSIDE_SCOPE)]
    assert "外区" not in str(plan.problems)
    assert plan.counts["created"] == 1


def test_a_secretary_cannot_import_into_an_organization_they_cannot_see(district, people, rng):
    plan = plan_member_import(
        roster([new_member(rng, "测试企业党支部")]), "名册.xlsx", user=people["bob"]
    )
    assert [p.message for p in plan.problems] == ["找不到党组织“测试企业党支部”"]


def test_a_secretary_imports_into_their_own_branch(district, people, rng):
    data = roster([new_member(rng, "测试机关党支部")])
    assert plan_and_commit(data, people["bob"])["created"] == 1


# ---------------------------------------------------------------- reads in bulk


def test_planning_reads_a_fixed_number_of_queries_however_many_rows(district, people, rng):
    def queries_for(count: int) -> int:
        existing = add_members(district, count)
        rows = [member_row(m, post="委员") for m in existing]
        rows += [new_member(rng, "测试社区党支部") for _ in range(count)]
        data = roster(rows)
        alice = User.objects.get(username="alice")  # no permission cache from an earlier plan
        with CaptureQueriesContext(connection) as captured:
            plan = plan_member_import(data, "名册.xlsx", user=alice)
        assert plan.counts["created"] == plan.counts["updated"] == count
        return len(captured)

    assert queries_for(5) == queries_for(50)


# ---------------------------------------------------------------- organizations

ORG_ROWS = [
    {"name": "测试新建企业党支部", "short_name": "新建支部", "kind": "党支部", "parent": "新总支"},
    {
        "name": "测试新建党总支",
        "short_name": "新总支",
        "kind": "党总支",
        "sector": "企业",
        "parent": "区党工委",
        "unit": "党群工作部",
        "is_two_new": "是",
        "founded_on": "2015.07",
    },
]


def test_organizations_are_created_parents_first_whatever_the_file_order(district, people):
    data = organizations(ORG_ROWS)
    plan = plan_organization_import(data, "党组织.xlsx", user=people["alice"])
    assert not plan.problems, problems_of(plan)
    assert [r.number for r in plan.creates] == [3, 2]

    counts = commit_organization_import(
        plan, user=people["alice"], filename="党组织.xlsx", data=data
    )

    assert counts == {"created": 2, "updated": 0, "unchanged": 0}
    general = Organization.objects.get(name="测试新建党总支")
    branch = Organization.objects.get(name="测试新建企业党支部")
    assert branch.parent == general and general.parent == district.root
    assert branch.path.startswith(general.path) and branch.depth == 2
    assert branch.sector.name == "企业"  # a branch inherits its parent's sector
    assert general.department == district.department and general.is_two_new
    assert general.founded_on == dt.date(2015, 7, 1)
    entry = AuditEntry.objects.get(action="orgs.organization.imported")
    assert entry.details["sha256"] == hashlib.sha256(data).hexdigest()
    assert entry.details["created"] == 2


def test_importing_organizations_twice_changes_nothing(district, people):
    data = organizations(ORG_ROWS)
    plan = plan_organization_import(data, "党组织.xlsx", user=people["alice"])
    commit_organization_import(plan, user=people["alice"], filename="党组织.xlsx", data=data)
    again = plan_organization_import(data, "党组织.xlsx", user=people["alice"])
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 2}


def test_an_organization_update_lists_its_changes(district, people):
    data = organizations([{"name": "测试学校党支部", "short_name": "校支部", "is_two_new": "是"}])
    plan = plan_organization_import(data, "党组织.xlsx", user=people["alice"])
    assert plan.updates[0].changes == [("简称", "学校支部", "校支部"), ("“两新”组织", "否", "是")]
    commit_organization_import(plan, user=people["alice"], filename="党组织.xlsx", data=data)
    assert Organization.objects.get(name="测试学校党支部").short_name == "校支部"


def test_a_cycle_of_parents_is_a_problem_for_each_row_in_it(district, people):
    data = organizations(
        [
            {"name": "甲党总支", "kind": "党总支", "parent": "乙党总支"},
            {"name": "乙党总支", "kind": "党总支", "parent": "甲党总支"},
        ]
    )
    plan = plan_organization_import(data, "党组织.xlsx", user=people["alice"])
    assert [(p.row, p.column) for p in plan.problems] == [(2, "上级党组织"), (3, "上级党组织")]
    assert "循环" in plan.problems[0].message


def test_an_unknown_parent_is_a_problem(district, people):
    data = organizations([{"name": "丙党支部", "kind": "党支部", "parent": "不存在的党委"}])
    plan = plan_organization_import(data, "党组织.xlsx", user=people["alice"])
    assert problems_of(plan) == ["第2行 上级党组织 不存在的党委：找不到党组织“不存在的党委”"]


def test_a_secretary_cannot_create_a_top_level_organization(district, people):
    data = organizations([{"name": "丁党委", "kind": "党委"}])
    plan = plan_organization_import(data, "党组织.xlsx", user=people["bob"])
    assert [p.message for p in plan.problems] == [
        "请选择上级党组织：您只能在所管理的党组织下新建或调整"
    ]
