"""`manage.py import_roster` and `import_orgs`: the page's report on the command line."""

import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dangjian.core.models import AuditEntry
from dangjian.orgs.models import Member, Organization
from dangjian.orgs.tests.workbooks import new_member, organizations, roster

pytestmark = pytest.mark.django_db


@pytest.fixture
def rng():
    return random.Random(9)


def run(command: str, path, *args) -> str:
    out = StringIO()
    call_command(command, str(path), *args, stdout=out)
    return out.getvalue()


def test_import_roster_imports_as_the_given_user_and_prints_the_counts(tmp_path, people, rng):
    rows = [new_member(rng, "测试机关党支部") for _ in range(2)]
    path = tmp_path / "名册.xlsx"
    path.write_bytes(roster(rows))

    output = run("import_roster", path, "--user", "bob")

    assert "新增 2，更新 0，不变 0" in output and "导入完成" in output
    assert Member.objects.filter(id_number__in=[r["id_number"] for r in rows]).count() == 2
    assert AuditEntry.objects.get(action="orgs.member.imported").actor == people["bob"]
    assert "新增 0，更新 0，不变 2" in run("import_roster", path, "--user", "bob")


def test_dry_run_prints_the_changes_and_writes_nothing(tmp_path, people, rng):
    row = new_member(rng, "测试机关党支部")
    path = tmp_path / "名册2.xlsx"
    path.write_bytes(roster([row]))
    run("import_roster", path, "--user", "alice")
    path.write_bytes(roster([{**row, "post": "组织委员"}]))

    output = run("import_roster", path, "--user", "alice", "--dry-run")

    assert f"第3行 {row['name']}：职务：（空） → 组织委员" in output
    assert "未写入" in output
    assert Member.objects.get(id_number=row["id_number"]).post == ""


def test_problems_are_printed_and_the_command_fails(tmp_path, people, rng):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(roster([new_member(rng, "测试机关党支部"), new_member(rng, "不存在")]))
    out = StringIO()
    with pytest.raises(CommandError, match="1 处问题"):
        call_command("import_roster", str(path), "--user", "alice", stdout=out)
    assert "第4行 所在党组织 不存在：找不到党组织“不存在”" in out.getvalue()
    assert not AuditEntry.objects.filter(action="orgs.member.imported").exists()


def test_an_unreadable_file_fails_with_a_chinese_message(tmp_path, people):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(b"")
    with pytest.raises(CommandError) as exc:
        run("import_roster", path, "--user", "alice")
    assert "文件" in str(exc.value)


def test_the_user_must_exist_and_may_import(tmp_path, people):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(roster([]))
    with pytest.raises(CommandError, match="请用 --user"):
        run("import_roster", path)  # no "operator" in the test district
    with pytest.raises(CommandError, match="找不到账号"):
        run("import_roster", path, "--user", "nobody")
    with pytest.raises(CommandError, match="没有导入权限"):
        run("import_roster", path, "--user", "erin")


def test_import_orgs_creates_the_tree(tmp_path, people, district):
    path = tmp_path / "党组织.xlsx"
    path.write_bytes(
        organizations([{"name": "测试新建党总支", "kind": "党总支", "parent": "区党工委"}])
    )
    assert "新增 1" in run("import_orgs", path, "--user", "alice")
    assert Organization.objects.get(name="测试新建党总支").parent == district.root
    assert AuditEntry.objects.filter(action="orgs.organization.imported").count() == 1
