import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.models import AuditEntry
from dangjian.core.testing import add_members
from dangjian.orgs import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["home", "organization_tree", "member_list"])
def test_pages_need_login(client, district, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_is_chinese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_wrong_password_gives_a_chinese_error(client, people):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "账号或密码不正确" in response.content.decode()


def test_home_counts_members_by_sector(alice_client, district):
    add_members(district, 8)  # 2 in each of 4 branches; erin is a third in the government one
    page = alice_client.get(reverse("home")).content.decode()
    assert "在册党员" in page
    for sector in ["机关", "企业", "社区", "学校", "医院", "警营"]:
        assert sector in page
    counts = {s.name: n for s, n in alice_client.get(reverse("home")).context["by_sector"]}
    assert counts == {"机关": 3, "企业": 2, "社区": 2, "学校": 2, "医院": 0, "警营": 0}


def test_tree_shows_member_counts_per_node_and_subtree(alice_client, district):
    add_members(district, 8)
    rows = alice_client.get(reverse("organization_tree")).context["rows"]
    by_name = {r.organization.name: r for r in rows}
    assert by_name["测试机关党支部"].direct_members == 3  # two added and erin
    assert by_name["测试区党工委"].direct_members == 0
    assert by_name["测试区党工委"].total_members == 9
    assert [r.organization.depth for r in rows][:2] == [0, 1]  # parents before children


def names(response):
    return {m.name for m in response.context["page"].object_list}


def test_member_found_by_pinyin_initials_name_and_last_four_id_digits(alice_client, district):
    add_members(district, 4)
    _member(district, "张三丰", "11010519491231002X")
    url = reverse("member_list")
    assert names(alice_client.get(url, {"q": "zsf"})) == {"张三丰"}
    assert names(alice_client.get(url, {"q": "ZSF"})) == {"张三丰"}
    assert names(alice_client.get(url, {"q": "zhangsan"})) == {"张三丰"}
    assert names(alice_client.get(url, {"q": "三丰"})) == {"张三丰"}
    assert "张三丰" in names(alice_client.get(url, {"q": "002x"}))


def _member(district, name, id_number):
    return services.create_member(
        by=None, organization=district.branches[1], name=name, id_number=id_number
    )


def test_member_filters_by_organization_subtree_sector_and_status(alice_client, district):
    members = add_members(district, 8)
    url = reverse("member_list")
    gov = district.branches[0]
    in_gov = {m.name for m in members if m.organization_id == gov.pk} | {"尔琳"}
    assert names(alice_client.get(url, {"organization": gov.pk})) == in_gov
    assert (
        alice_client.get(url, {"organization": district.root.pk}).context["page"].paginator.count
        == 9
    )
    assert alice_client.get(url, {"sector": gov.sector.pk}).context["page"].paginator.count == 3
    services.change_member_status(members[0], "deceased", by=None, reason="病故")
    assert alice_client.get(url).context["page"].paginator.count == 8
    assert alice_client.get(url, {"status": "deceased"}).context["page"].paginator.count == 1
    assert alice_client.get(url, {"status": "all"}).context["page"].paginator.count == 9


def test_member_list_paginates(alice_client, district, settings):
    settings.PAGE_SIZE = 5
    add_members(district, 11)  # and erin: 12 in all
    page3 = alice_client.get(reverse("member_list"), {"page": 3}).context["page"]
    assert (page3.number, len(page3.object_list), page3.paginator.num_pages) == (3, 2, 3)
    assert "第 3 / 3 页" in alice_client.get(reverse("member_list"), {"page": 3}).content.decode()


def test_htmx_search_answers_with_the_results_fragment(alice_client, district):
    add_members(district, 2)
    response = alice_client.get(reverse("member_list"), {"q": "x"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "共 " in body


def test_bad_filter_value_is_a_message_not_an_error(alice_client, district):
    response = alice_client.get(reverse("member_list"), {"organization": "abc"})
    assert response.status_code == 200
    assert "查询条件有误" in response.content.decode()


def test_member_detail_masks_id_number_and_phone(alice_client, district):
    member = add_members(district, 1)[0]
    body = alice_client.get(reverse("member_detail", args=[member.pk])).content.decode()
    assert mask_id_number(member.id_number) in body
    assert mask_phone(member.phone) in body
    assert member.id_number not in body
    assert member.phone not in body


def test_full_id_number_is_a_deliberate_audited_action(client, people, district):
    member = add_members(district, 1)[0]
    client.force_login(people["pat"])
    page = client.get(reverse("member_detail", args=[member.pk])).content.decode()
    assert member.id_number not in page
    assert "查看完整信息" in page
    revealed = client.post(reverse("member_personal_data", args=[member.pk])).content.decode()
    assert member.id_number in revealed and member.phone in revealed
    entry = AuditEntry.objects.get(action="orgs.member.personal_data_viewed")
    assert (entry.actor, entry.object_id) == (people["pat"], str(member.pk))


def test_viewer_without_the_right_cannot_unmask(alice_client, district):
    member = add_members(district, 1)[0]
    page = alice_client.get(reverse("member_detail", args=[member.pk])).content.decode()
    assert "查看完整信息" not in page
    response = alice_client.post(reverse("member_personal_data", args=[member.pk]))
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="orgs.member.personal_data_viewed").exists()


def test_member_sees_their_own_full_data(client, people):
    erin = people["erin"]
    client.force_login(erin)
    body = client.get(reverse("member_detail", args=[erin.member.pk])).content.decode()
    assert erin.member.id_number in body


def test_unknown_member_is_404(alice_client, district):
    assert alice_client.get(reverse("member_detail", args=[999999])).status_code == 404
    assert alice_client.get(reverse("organization_detail", args=[999999])).status_code == 404


def test_transfer_history_is_shown_on_member_page(alice_client, district):
    member = add_members(district, 1)[0]
    services.transfer_member(member, district.branches[3], by=None, reason="工作调动")
    body = alice_client.get(reverse("member_detail", args=[member.pk])).content.decode()
    assert "工作调动" in body and "测试学校党支部" in body


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("home", None),
        ("organization_tree", None),
        ("member_list", None),
        ("member_list", {"q": "z"}),
        ("member_list", {"status": "all"}),
    ],
)
def test_page_query_count_does_not_grow_with_members(alice_client, district, name, params):
    add_members(district, 5)
    small = _queries(alice_client, reverse(name), params)
    add_members(district, 45)
    assert _queries(alice_client, reverse(name), params) == small


def test_member_detail_query_count_does_not_grow_with_transfers(alice_client, district):
    member = add_members(district, 1)[0]
    services.transfer_member(member, district.branches[1], by=None)
    one = _queries(alice_client, reverse("member_detail", args=[member.pk]))
    services.transfer_member(member, district.branches[2], by=None)
    services.transfer_member(member, district.branches[3], by=None)
    assert _queries(alice_client, reverse("member_detail", args=[member.pk])) == one
