"""The staff pages of service requests: the journey from dispatch to a phone follow-up, who
sees what (another department's request is 404, people without the right get 403), send-back
and redispatch, 409 on a stale close, the review queue and blocklist, the full phone behind an
audited action, the three rates shown literally, and a constant query count."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.core.testing import photo_upload
from dangjian.deeds import request_services as rs
from dangjian.deeds.models import BlockedPhone, Deed, ServiceRequest

pytestmark = pytest.mark.django_db
S = ServiceRequest.Status
STALE_CLOSE = "该诉求当前状态为“已办结”，不能进行此操作，请刷新页面"


def _as(client, user):
    client.logout()
    client.force_login(user)
    return client


def _url(name, item, *extra):
    return reverse(name, args=[item.pk, *extra])


def _page(client, item) -> str:
    response = client.get(_url("request_detail", item))
    assert response.status_code == 200
    return response.content.decode()


def _fresh(item) -> ServiceRequest:
    return ServiceRequest.objects.get(pk=item.pk)


@pytest.fixture
def dispatched(submit, departments):
    """A parking request dispatched to dora's department."""
    return rs.dispatch_request(submit(), by=None, department=departments["owner"])


# ---------------------------------------------------------------- the journey


def test_a_request_from_dispatch_to_phone_follow_up_through_the_pages(
    client, people, officers, departments, submit
):
    item = submit()
    alice, dora = people["alice"], officers["dora"]

    page = _page(_as(client, alice), item)
    assert 'data-action="review"' not in page  # nothing held: the operator releases nothing
    assert 'data-action="dispatch"' in page
    response = client.post(
        _url("request_dispatch", item),
        {"department": departments["owner"].pk, "respond_days": 1, "resolve_days": 7},
    )
    assert response.status_code == 302
    assert _fresh(item).status == S.DISPATCHED

    _as(client, dora)
    assert item.tracking_number in client.get(reverse("request_list")).content.decode()
    page = _page(client, item)
    assert 'data-action="accept"' in page and 'data-action="dispatch"' not in page
    assert client.post(_url("request_accept", item)).status_code == 302
    response = client.post(_url("request_reply", item), {"text": "已联系物业，本周内施划停车位"})
    assert response.status_code == 302
    response = client.post(
        _url("request_close", item), {"outcome": "resolved", "text": "已施划停车位40个"}
    )
    assert response.status_code == 302
    item = _fresh(item)
    assert (item.status, item.outcome) == (S.CLOSED, "resolved")
    assert 'data-action="phone_rating"' not in _page(client, item)  # the operator's task

    _as(client, alice)
    response = client.post(
        _url("request_phone_rating", item), {"value": "satisfied", "comment": "挺好"}
    )
    assert response.status_code == 302
    page = _page(client, item)
    assert "第1轮：满意" in page
    assert "电话回访" in page and "记录人：区级管理员" in page
    assert 'data-action="phone_rating"' not in page  # one rating per round
    kinds = list(item.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "dispatched", "accepted", "replied", "closed", "rated"]
    assert "已施划停车位40个" in page


def test_another_departments_officer_gets_404(client, officers, departments, submit, dispatched):
    elsewhere = rs.dispatch_request(
        submit(ip="192.0.2.9"), by=None, department=departments["other"]
    )
    _as(client, officers["dora"])
    assert client.get(_url("request_detail", elsewhere)).status_code == 404
    assert client.post(_url("request_accept", elsewhere)).status_code == 404
    assert elsewhere.tracking_number not in client.get(reverse("request_list")).content.decode()
    _as(client, officers["olga"])
    assert client.get(_url("request_detail", dispatched)).status_code == 404
    assert _fresh(elsewhere).status == S.DISPATCHED


def test_people_without_the_right_get_403_and_visitors_the_log_in(client, people):
    for name in ("charlie", "erin", "bob"):
        _as(client, people[name])
        assert client.get(reverse("request_list")).status_code == 403, name
        assert client.get(reverse("request_rates")).status_code == 403, name
    client.logout()
    response = client.get(reverse("request_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_menu_shows_requests_to_those_who_handle_them(client, people):
    assert "群众诉求" in _as(client, people["dora"]).get(reverse("home")).content.decode()
    assert "群众诉求" not in _as(client, people["bob"]).get(reverse("home")).content.decode()


def test_an_officer_may_handle_but_not_dispatch_or_supervise(client, officers, dispatched):
    _as(client, officers["dora"])
    page = _page(client, dispatched)
    assert 'data-action="supervise"' not in page and 'data-action="make_deed"' not in page
    assert client.post(_url("request_supervise", dispatched), {"text": "快"}).status_code == 403
    assert client.get(reverse("request_blocklist")).status_code == 403
    assert not dispatched.supervisions.exists()


# ---------------------------------------------------------------- send back, 409, bad input


def test_send_back_needs_a_reason_returns_the_request_and_the_operator_redispatches(
    client, people, officers, departments, dispatched
):
    _as(client, officers["dora"])
    response = client.post(_url("request_send_back", dispatched), {"text": ""})
    assert response.status_code == 400
    assert "退回原因：请填写退回原因" in response.content.decode()
    assert _fresh(dispatched).status == S.DISPATCHED

    response = client.post(_url("request_send_back", dispatched), {"text": "属于人社局职责"})
    assert response.status_code == 302
    item = _fresh(dispatched)
    assert (item.status, item.department) == (S.PENDING, None)
    assert item.get_status_display() == "待派单"
    assert client.get(_url("request_detail", item)).status_code == 404  # no longer hers

    _as(client, people["alice"])
    page = _page(client, item)
    assert 'data-action="dispatch"' in page and "属于人社局职责" in page
    response = client.post(
        _url("request_dispatch", item),
        {"department": departments["other"].pk, "respond_days": 2, "resolve_days": 10},
    )
    assert response.status_code == 302
    assert _fresh(item).department == departments["other"]


def test_a_stale_close_answers_409_with_the_chinese_message(client, officers, dispatched):
    rs.accept_request(dispatched, by=None)
    _as(client, officers["dora"])
    data = {"outcome": "resolved", "text": "已解决"}
    assert client.post(_url("request_close", dispatched), data).status_code == 302

    response = client.post(_url("request_close", dispatched), data)

    assert response.status_code == 409
    assert STALE_CLOSE in response.content.decode()
    assert dispatched.events.filter(kind="closed").count() == 1


def test_a_close_without_outcome_names_the_field_and_writes_nothing(client, officers, dispatched):
    rs.accept_request(dispatched, by=None)
    _as(client, officers["dora"])
    response = client.post(_url("request_close", dispatched), {"text": "已解决"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-error-for="outcome"' in page and "办理结果：请选择办理结果" in page
    assert _fresh(dispatched).status == S.ACCEPTED


def test_dispatch_is_prefilled_from_the_category_and_refuses_inverted_deadlines(
    client, people, departments, categories, submit
):
    item = submit(
        category=categories["policy"], community=None, enterprise_name="中新天津生态城某公司"
    )
    _as(client, people["alice"])
    page = _page(client, item)
    assert f'<option value="{departments["other"].pk}" selected>人社局</option>' in page
    assert 'name="respond_days" value="2"' in page and 'name="resolve_days" value="10"' in page

    response = client.post(
        _url("request_dispatch", item),
        {"department": departments["other"].pk, "respond_days": 5, "resolve_days": 3},
    )
    assert response.status_code == 400
    assert "响应时限应为1个工作日以上，且不超过办理时限" in response.content.decode()
    assert _fresh(item).status == S.PENDING


# ---------------------------------------------------------------- review queue and blocklist


def test_the_review_queue_holds_a_blocklisted_phones_request_without_a_dispatch_form(
    client, people, departments, submit
):
    _as(client, people["alice"])
    response = client.post(
        reverse("request_blocklist"), {"phone": "13700001111", "reason": "多次恶意投诉"}
    )
    assert response.status_code == 302
    held = submit(phone="13700001111")
    assert held.status == S.REVIEW

    queue = client.get(reverse("request_list") + "?status=review").content.decode()
    assert held.tracking_number in queue and "手机号在黑名单中" in queue
    page = _page(client, held)
    assert 'data-action="review"' in page
    assert 'data-action="dispatch"' not in page
    assert "data-blocked" in page
    response = client.post(
        _url("request_dispatch", held),
        {"department": departments["owner"].pk, "respond_days": 1, "resolve_days": 7},
    )
    assert response.status_code == 409
    assert "该诉求当前状态为“待审核”" in response.content.decode()
    assert _fresh(held).status == S.REVIEW

    response = client.post(_url("request_review", held), {"decision": "dismiss", "reason": ""})
    assert response.status_code == 400 and "请填写不予受理的原因" in response.content.decode()
    assert client.post(_url("request_review", held), {"decision": "release"}).status_code == 302
    assert 'data-action="dispatch"' in _page(client, _fresh(held))


def test_the_blocklist_adds_refuses_bad_phones_and_removes(client, people, officers, submit):
    _as(client, people["alice"])
    response = client.post(reverse("request_blocklist"), {"phone": "12345", "reason": "骚扰"})
    assert response.status_code == 400
    assert 'data-error-for="phone"' in response.content.decode()
    assert not BlockedPhone.objects.exists()

    item = submit()
    assert client.post(_url("request_block_phone", item), {"reason": "重复"}).status_code == 302
    blocked = BlockedPhone.objects.get()
    assert blocked.phone == "13912345678"
    page = client.get(reverse("request_blocklist")).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    assert client.post(reverse("request_unblock", args=[blocked.pk])).status_code == 302
    assert not BlockedPhone.objects.exists()
    _as(client, officers["dora"])
    assert client.post(reverse("request_blocklist"), {"phone": "13700001111"}).status_code == 403


# ---------------------------------------------------------------- personal data, photos, text


def test_the_full_phone_needs_the_right_and_each_look_is_audited(client, people, submit):
    item = submit()
    page = _page(_as(client, people["alice"]), item)
    assert "139****5678" in page and "13912345678" not in page
    assert "查看完整号码" not in page
    assert client.post(_url("request_personal_data", item)).status_code == 403

    page = _page(_as(client, people["pat"]), item)
    assert "13912345678" not in page and "查看完整号码" in page
    response = client.post(_url("request_personal_data", item))
    assert response.status_code == 200 and "13912345678" in response.content.decode()
    entry = AuditEntry.objects.get(action="deeds.request.viewed_personal")
    assert entry.actor == people["pat"] and entry.object_id == str(item.pk)


def test_photos_are_served_only_to_those_who_see_the_request(
    client, people, officers, departments, submit
):
    item = rs.dispatch_request(
        submit(photos=[photo_upload()]), by=None, department=departments["owner"]
    )
    photo = item.photos.get()
    url = _url("request_photo", item, photo.pk)
    assert url in _page(_as(client, officers["dora"]), item)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert _as(client, officers["olga"]).get(url).status_code == 404
    assert _as(client, people["charlie"]).get(url).status_code == 403


def test_the_operator_edits_the_published_text_and_the_original_stays(client, people, submit):
    item = submit(text="王秀英家门口停车难，电话13912345678")
    _as(client, people["alice"])
    response = client.post(_url("request_edit_text", item), {"text": "小区门口停车难"})
    assert response.status_code == 302
    item = _fresh(item)
    assert (item.text, item.original_text) == (
        "小区门口停车难",
        "王秀英家门口停车难，电话13912345678",
    )
    page = _page(client, item)
    assert "原始内容（诉求人填写，仅工作人员可见）" in page


def test_the_operator_makes_a_deed_once_and_the_request_links_it(
    client, people, departments, dispatched
):
    _as(client, people["alice"])
    data = {
        "title": "雅境园小区停车场建设",
        "owner": departments["owner"].pk,
        "deadline": "2031-06-30",
    }
    assert client.post(_url("request_make_deed", dispatched), data).status_code == 302
    deed = Deed.objects.get(title="雅境园小区停车场建设")
    assert (deed.source, deed.owner, deed.status) == ("resident", departments["owner"], "proposed")
    page = _page(client, dispatched)
    assert reverse("deed_detail", args=[deed.pk]) in page
    assert 'data-action="make_deed"' not in page

    response = client.post(_url("request_make_deed", dispatched), data)
    assert response.status_code == 409
    assert "该诉求已转为实事项目" in response.content.decode()
    assert Deed.objects.count() == 1


def test_supervision_is_issued_by_the_operator_and_answered_by_the_department(
    client, people, officers, dispatched
):
    _as(client, people["alice"])
    response = client.post(_url("request_supervise", dispatched), {"text": "请今日内签收"})
    assert response.status_code == 302
    supervision = dispatched.supervisions.get()

    _as(client, officers["dora"])
    assert 'data-action="answer"' in _page(client, dispatched)
    url = _url("request_supervision_answer", dispatched, supervision.pk)
    assert client.post(url, {"text": ""}).status_code == 400
    assert client.post(url, {"text": "已签收并联系诉求人"}).status_code == 302
    page = _page(client, dispatched)
    assert "已签收并联系诉求人" in page and 'data-action="answer"' not in page


# ---------------------------------------------------------------- the three rates


def _handled(submit, department, *, outcome=None, rating=None, accept=True, **fields):
    item = rs.dispatch_request(submit(**fields), by=None, department=department)
    if accept:
        rs.accept_request(item, by=None)
    if outcome:
        rs.close_request(item, by=None, outcome=outcome, text="办结")
    if rating:
        rs.rate_request(item, value=rating)
    return item


@pytest.fixture
def four(submit, departments, categories):
    """Three parking requests with dora's department (resolved and satisfied; explained and
    unrated; never answered) and one policy request with 人社局 (resolved, basically)."""
    owner, other = departments["owner"], departments["other"]
    _handled(submit, owner, outcome="resolved", rating="satisfied", ip="198.51.100.1")
    _handled(submit, owner, outcome="explained", ip="198.51.100.2")
    _handled(submit, owner, accept=False, ip="198.51.100.3")
    _handled(
        submit,
        other,
        outcome="resolved",
        rating="basically",
        category=categories["policy"],
        ip="198.51.100.4",
    )


def _rates_row(page: str, table: str, label: str | None = None) -> str:
    start = page.index(f'data-rates="{table}"')
    if label is not None:
        start = page.index(f'data-row="{label}"', start)
    return page[start : page.index("</tr>", start)]


def test_the_rates_page_shows_each_rate_with_its_counts(client, people, four):
    page = _as(client, people["alice"]).get(reverse("request_rates")).content.decode()

    overall = _rates_row(page, "overall", "全部")
    assert "75.0%（3/4）" in overall  # responded in time / dispatched
    assert "66.7%（2/3）" in overall  # resolved / closed (the explained one counts as closed)
    assert "100.0%（2/2）" in overall  # satisfied + basically / rated
    assert 'data-cell="unrated">1<' in overall
    owner = _rates_row(page, "department", "党群工作部")
    assert "66.7%（2/3）" in owner and "50.0%（1/2）" in owner and "100.0%（1/1）" in owner
    other = _rates_row(page, "department", "人力资源和社会保障局")
    assert other.count("100.0%（1/1）") == 3 and 'data-cell="unrated">0<' in other
    assert "100.0%（1/1）" in _rates_row(page, "category", "企业政策")
    assert "响应率 = 在响应时限内签收或首次答复的诉求数 ÷ 期间内首次派单的诉求数" in page


def test_an_officer_sees_their_own_departments_rates(client, officers, four):
    page = _as(client, officers["dora"]).get(reverse("request_rates")).content.decode()
    overall = _rates_row(page, "overall", "全部")
    assert "66.7%（2/3）" in overall and "50.0%（1/2）" in overall
    assert "人力资源和社会保障局" not in page and "企业政策" not in page


def test_a_period_without_requests_shows_dashes_and_a_bad_period_is_refused(client, people, four):
    _as(client, people["alice"])
    page = client.get(reverse("request_rates") + "?start=2020-01-01&end=2020-12-31")
    overall = _rates_row(page.content.decode(), "overall", "全部")
    assert overall.count(">—<") == 3 and 'data-cell="dispatched">0<' in overall

    response = client.get(reverse("request_rates") + "?start=2021-05-01&end=2021-04-01")
    assert response.status_code == 400
    assert "截止日期：截止日期不能早于起始日期" in response.content.decode()


# ---------------------------------------------------------------- the list


def add_requests(submit, departments, count: int, start: int = 0) -> None:
    """`count` requests, from different phones and addresses, in every state in turn."""
    for i in range(start, start + count):
        item = submit(phone=f"138{i:08d}", ip=f"10.0.{i // 200}.{i % 200}")
        if i % 4 == 0:
            continue
        item = rs.dispatch_request(item, by=None, department=departments["owner"])
        if i % 4 == 1:
            continue
        rs.accept_request(item, by=None)
        if i % 4 == 3:
            rs.close_request(item, by=None, outcome="resolved", text="已解决")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_list_keeps_a_constant_query_count_at_5_and_50_requests(
    client, people, officers, departments, submit
):
    add_requests(submit, departments, 5)
    users = (people["alice"], officers["dora"])
    urls = [reverse("request_list"), reverse("request_list") + "?status=accepted&overdue=on&q=停车"]
    small = {(u.pk, url): _queries(_as(client, u), url) for u in users for url in urls}

    add_requests(submit, departments, 45, start=5)

    assert ServiceRequest.objects.count() == 50
    large = {(u.pk, url): _queries(_as(client, u), url) for u in users for url in urls}
    assert large == small


def test_the_list_filters_and_shows_overdue_first(client, people, departments, submit):
    late = rs.dispatch_request(submit(ip="192.0.2.1"), by=None, department=departments["owner"])
    ServiceRequest.objects.filter(pk=late.pk).update(
        resolve_by=timezone.now() - dt.timedelta(days=3)
    )
    fresh = submit(ip="192.0.2.2", text="路灯不亮")
    _as(client, people["alice"])

    page = client.get(reverse("request_list")).content.decode()
    assert page.index(late.tracking_number) < page.index(fresh.tracking_number)
    assert 'data-level="orange"' in page
    assert 'data-count="pending"' in page and "139****5678" in page and "13912345678" not in page

    overdue = client.get(reverse("request_list") + "?overdue=on").content.decode()
    assert late.tracking_number in overdue and fresh.tracking_number not in overdue
    found = client.get(reverse("request_list") + "?q=路灯").content.decode()
    assert fresh.tracking_number in found and late.tracking_number not in found
    by_number = client.get(reverse("request_list") + f"?q={late.tracking_number}")
    assert "共 1 件" in by_number.content.decode()


def test_dispatchers_find_each_communitys_qr_poster_on_the_list(client, people, community):
    client.force_login(people["alice"])
    page = client.get("/service-requests/").content.decode()
    assert f'href="/requests/poster/{community.pk}.pdf"' in page
    assert "雅境园社区（PDF）" in page
    client.force_login(people["dora"])
    assert "/requests/poster/" not in client.get("/service-requests/").content.decode()
