"""The import pages: upload, problem report, preview, confirmation, result."""

import json
import random
import re
import time
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.core import uploads
from dangjian.core.masking import mask_id_number
from dangjian.core.models import AuditEntry
from dangjian.orgs import services
from dangjian.orgs.models import Member, Organization
from dangjian.orgs.tests.workbooks import new_member, organizations, roster

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def rng():
    return random.Random(400)


def upload(client, data: bytes, name: str = "名册.xlsx", url: str = "member_import"):
    return client.post(reverse(url), {"file": SimpleUploadedFile(name, data, content_type=XLSX)})


def token_of(response) -> str:
    return response.context["token"]


def test_the_upload_form_links_the_template(alice_client, district):
    page = alice_client.get(reverse("member_import")).content.decode()
    assert 'type="file"' in page and "上传并检查" in page
    assert reverse("member_import_template") in page


def test_the_list_pages_link_the_imports_for_managers_only(client, people):
    client.force_login(people["bob"])
    assert reverse("member_import") in client.get(reverse("member_list")).content.decode()
    assert (
        reverse("organization_import") in client.get(reverse("organization_tree")).content.decode()
    )
    client.force_login(people["dora"])  # an officer sees members but manages none
    assert reverse("member_import") not in client.get(reverse("member_list")).content.decode()


def test_a_file_with_a_bad_row_answers_400_with_the_report_and_writes_nothing(
    alice_client, district, rng
):
    rows = [new_member(rng, "测试机关党支部"), new_member(rng, "测试机关党支部", phone="123")]
    before = Member.objects.count()

    response = upload(alice_client, roster(rows))

    assert response.status_code == 400
    page = response.content.decode()
    assert "发现 <strong>1</strong> 处问题" in page and "未导入任何数据" in page
    assert re.search(r'<tr data-row="4">\s*<td>4</td>\s*<td class="text-nowrap">手机号</td>', page)
    assert "下载问题报告" in page
    assert Member.objects.count() == before
    assert not AuditEntry.objects.filter(action="orgs.member.imported").exists()

    report = alice_client.get(reverse("import_report", args=[response.context["report"]]))
    assert report.status_code == 200
    assert report["Content-Type"] == XLSX
    assert "%E9%97%AE%E9%A2%98%E6%8A%A5%E5%91%8A" in report["Content-Disposition"]  # 问题报告
    sheet = load_workbook(BytesIO(report.content)).worksheets[0]
    assert sheet["F4"].fill.fgColor.rgb.endswith("FFC7CE")


def test_only_the_uploader_downloads_the_report(client, people, district, rng):
    client.force_login(people["alice"])
    response = upload(client, roster([new_member(rng, "不存在的党支部")]))
    url = reverse("import_report", args=[response.context["report"]])
    client.force_login(people["pat"])  # another operator, even with the personal-data right
    assert client.get(url).status_code == 404
    client.force_login(people["alice"])
    assert client.get(url).status_code == 200


def test_a_file_that_is_not_a_workbook_is_refused_on_the_form(alice_client, district):
    response = upload(alice_client, b"MZ\x90\x00 not a workbook", name="名册.xlsx")
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert 'data-error-for="file"' in response.content.decode()


def test_no_file_is_refused_on_the_form(alice_client, district):
    response = alice_client.post(reverse("member_import"), {})
    assert response.status_code == 400
    assert "请选择要导入的文件" in response.content.decode()


def test_preview_then_confirm_imports_exactly_the_previewed_file(alice_client, district, rng):
    rows = [new_member(rng, "测试机关党支部") for _ in range(2)]
    existing = services.create_member(
        by=None,
        organization=district.branches[0],
        name=rows[0]["name"],
        id_number=rows[0]["id_number"],
        joined_on=None,
    )

    preview = upload(alice_client, roster(rows))

    assert preview.status_code == 200
    page = preview.content.decode()
    assert re.search(r'data-count="created">1<', page)
    assert re.search(r'data-count="updated">1<', page)
    assert "确认导入" in page and "入党日期：（空） →" in page
    assert mask_id_number(rows[1]["id_number"]) in page
    assert rows[1]["id_number"] not in page and rows[0]["phone"] not in page
    assert not Member.objects.filter(id_number=rows[1]["id_number"]).exists()

    result = alice_client.post(reverse("member_import"), {"token": token_of(preview)})

    assert result.status_code == 200
    assert "导入完成" in result.content.decode()
    assert result.context["counts"] == {"created": 1, "updated": 1, "unchanged": 0}
    assert Member.objects.filter(id_number=rows[1]["id_number"]).exists()
    existing.refresh_from_db()
    assert existing.phone == rows[0]["phone"]
    assert AuditEntry.objects.get(action="orgs.member.imported").details["source"] == "名册.xlsx"
    assert not (Path(settings.VAR_DIR) / "imports" / token_of(preview)).exists()


def test_confirming_twice_imports_once(alice_client, district, rng):
    preview = upload(alice_client, roster([new_member(rng, "测试机关党支部")]))
    token = token_of(preview)
    assert alice_client.post(reverse("member_import"), {"token": token}).status_code == 200
    again = alice_client.post(reverse("member_import"), {"token": token})
    assert again.status_code == 404
    assert "已经导入" in again.content.decode()
    assert AuditEntry.objects.filter(action="orgs.member.imported").count() == 1


def test_confirmation_plans_again_and_catches_a_change_since_the_preview(
    alice_client, district, rng
):
    preview = upload(alice_client, roster([new_member(rng, "测试学校党支部")]))
    services.update_organization(district.branches[3], by=None, name="测试实验学校党支部")

    response = alice_client.post(reverse("member_import"), {"token": token_of(preview)})

    assert response.status_code == 400
    assert "找不到党组织“测试学校党支部”" in response.content.decode()
    assert not AuditEntry.objects.filter(action="orgs.member.imported").exists()


def test_an_unknown_or_someone_elses_token_is_404(client, people, district, rng):
    client.force_login(people["alice"])
    token = token_of(upload(client, roster([new_member(rng, "测试机关党支部")])))
    client.force_login(people["pat"])
    assert client.post(reverse("member_import"), {"token": token}).status_code == 404
    assert client.post(reverse("member_import"), {"token": "0" * 32}).status_code == 404
    assert client.post(reverse("member_import"), {"token": "../../secret_key"}).status_code == 404
    client.force_login(people["alice"])  # the file is still alice's to confirm
    assert client.post(reverse("member_import"), {"token": token}).status_code == 200


def test_an_expired_upload_is_404(alice_client, district, rng):
    token = token_of(upload(alice_client, roster([new_member(rng, "测试机关党支部")])))
    meta = Path(settings.VAR_DIR) / "imports" / token / "meta.json"
    stale = {**json.loads(meta.read_text()), "created": time.time() - 2 * 3600}
    meta.write_text(json.dumps(stale))
    response = alice_client.post(reverse("member_import"), {"token": token})
    assert response.status_code == 404
    assert (
        not Member.objects.filter(organization=district.branches[0])
        .exclude(user__username="erin")
        .exists()
    )


def test_a_stash_of_one_kind_is_not_confirmed_as_another(alice_client, people, district):
    token = uploads.stash(b"data", owner=people["alice"], kind="members", filename="a.xlsx")
    response = alice_client.post(reverse("organization_import"), {"token": token})
    assert response.status_code == 404


def test_organizations_import_through_the_page(alice_client, district):
    data = organizations(
        [{"name": "测试新建党总支", "kind": "党总支", "sector": "企业", "parent": "区党工委"}]
    )
    preview = upload(alice_client, data, name="党组织.xlsx", url="organization_import")
    assert preview.status_code == 200
    assert "测试新建党总支" in preview.content.decode()
    result = alice_client.post(reverse("organization_import"), {"token": token_of(preview)})
    assert result.context["counts"]["created"] == 1
    assert Organization.objects.get(name="测试新建党总支").parent == district.root


def test_a_member_cannot_open_the_import_pages(client, people):
    client.force_login(people["erin"])
    assert client.get(reverse("member_import")).status_code == 403
    assert client.get(reverse("organization_import")).status_code == 403
