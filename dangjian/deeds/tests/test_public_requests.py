"""The public request pages, without an account: intake (limits, the blocklist, flooding),
the tracking number, the look-up by number and the last four phone digits, the status page
with the linked deed's progress, rating, the QR poster, and no personal data on any of them."""

import datetime as dt
import random
import re
from io import BytesIO

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dangjian.core import synthetic
from dangjian.core.testing import photo_upload
from dangjian.deeds import request_services, services
from dangjian.deeds.models import RequestRating, ServiceRequest
from dangjian.deeds.request_services import TRACKING_REFUSED

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture
def form(categories, community):
    """form(**changes): the intake form as a resident fills it in."""

    def make(**changes):
        data = {
            "category": categories["parking"].pk,
            "community": community.pk,
            "enterprise_name": "",
            "place": "雅境园北门",
            "text": "小区门口停车难，晚上车辆乱停堵住消防通道",
            "name": "",
            "phone": PHONE,
        }
        data.update(changes)
        return data

    return make


def _post(client, data, ip="203.0.113.9"):
    return client.post(reverse("request_intake"), data, REMOTE_ADDR=ip)


def _errors(response) -> dict[str, str]:
    html = response.content.decode()
    return dict(re.findall(r'data-error-for="(\w+)">([^<]*)<', html))


def _look_up(client, number, digits, ip="203.0.113.9"):
    data = {"tracking_number": number, "digits": digits}
    return client.post(reverse("request_track"), data, REMOTE_ADDR=ip)


# ---------------------------------------------------------------- intake


def test_resident_submits_without_an_account_and_gets_a_tracking_number(client, form, community):
    response = _post(client, {**form(name="王秀英"), "photos": [photo_upload()]})

    assert response.status_code == 302
    assert response.url == reverse("request_submitted")
    made = ServiceRequest.objects.get()
    assert (made.community, made.name, made.phone) == (community, "王秀英", PHONE)
    assert made.ip == "203.0.113.9"
    assert made.status == ServiceRequest.Status.PENDING
    assert made.photos.count() == 1
    page = client.get(response.url).content.decode()
    assert f"data-tracking-number>{made.tracking_number}</div>" in page
    assert "手机号的后四位" in page


def test_intake_page_explains_what_is_kept_why_and_for_how_long(client, settings):
    settings.REQUEST_RETENTION_YEARS = 5
    page = client.get(reverse("request_intake")).content.decode()
    assert "隐私说明" in page
    assert "诉求办结后保存 5 年" in page
    assert "只有负责派单和办理这件诉求的工作人员能看到" in page
    assert 'type="file" name="photos"' in page and "multiple" in page


def test_community_in_the_address_fills_in_the_select(client, community):
    page = client.get(reverse("request_intake"), {"community": community.pk}).content.decode()
    assert f'<option value="{community.pk}" selected>雅境园社区</option>' in page

    for unknown in (community.pk + 100, "abc"):
        response = client.get(reverse("request_intake"), {"community": unknown})
        assert response.status_code == 200
        assert " selected>雅境园社区" not in response.content.decode()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"phone": "1391234"}, "phone", "手机号应为11位，现为7位"),
        ({"phone": ""}, "phone", "请填写手机号"),
        ({"text": "  "}, "text", "请填写诉求内容"),
        ({"community": "", "enterprise_name": ""}, "community", "请选择所属社区或填写企业名称"),
        ({"category": ""}, "category", "请选择诉求类别"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(
    client, form, changes, field, message
):
    response = _post(client, form(**changes))

    assert response.status_code == 400
    assert message in _errors(response)[field]
    assert ServiceRequest.objects.count() == 0


def test_too_many_photos_are_refused(client, form, settings):
    photos = [photo_upload(color=(i, 0, 0)) for i in range(settings.REQUEST_PHOTOS_MAX + 1)]
    response = _post(client, {**form(), "photos": photos})
    assert response.status_code == 400
    assert _errors(response)["photos"] == "现场照片：最多上传4张照片"
    assert ServiceRequest.objects.count() == 0


def test_eleventh_request_from_one_phone_gets_429_with_retry_after(client, form, settings):
    assert settings.REQUEST_PHONE_LIMIT[0] == 10
    for _ in range(10):
        assert _post(client, form()).status_code == 302

    response = _post(client, form())

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "提交过于频繁，请稍后再试" in response.content.decode()
    assert ServiceRequest.objects.count() == 10


def test_flooding_a_victims_phone_from_many_addresses_does_not_lock_the_victim_out(client, form):
    for i in range(30):
        flood = _post(Client(), form(text=f"恶意诉求{i}"), ip=f"198.51.100.{i + 1}")
        assert flood.status_code == 302

    response = _post(client, form(text="我自己的诉求：路灯不亮"), ip="203.0.113.9")

    assert response.status_code == 302
    mine = ServiceRequest.objects.get(text="我自己的诉求：路灯不亮")
    assert mine.status == ServiceRequest.Status.REVIEW  # held for a look, never refused
    page = client.get(response.url).content.decode()
    assert mine.tracking_number in page


def test_blocklisted_phone_lands_in_review_and_still_gets_a_tracking_number(client, form, people):
    request_services.block_phone(PHONE, by=people["alice"], reason="多次恶意投诉")

    response = _post(client, form())

    assert response.status_code == 302
    held = ServiceRequest.objects.get()
    assert held.status == ServiceRequest.Status.REVIEW
    assert held.tracking_number in client.get(response.url).content.decode()
    status = client.get(reverse("request_status", args=[held.tracking_number])).content.decode()
    assert "待审核" in status and "黑名单" not in status


def test_number_page_without_a_submission_goes_to_the_form(client):
    response = client.get(reverse("request_submitted"))
    assert response.status_code == 302 and response.url == reverse("request_intake")


# ---------------------------------------------------------------- tracking


def test_tracking_look_up_opens_the_status_page(client, submit):
    made = submit()
    status_url = reverse("request_status", args=[made.tracking_number])

    assert client.get(status_url).url == f"{reverse('request_track')}?number={made.tracking_number}"
    response = _look_up(client, made.tracking_number, "5678")

    assert response.status_code == 302 and response.url == status_url
    page = client.get(status_url)
    assert page.status_code == 200
    assert "待派单" in page.content.decode()
    assert "小区门口停车难" in page.content.decode()


def test_wrong_digits_and_wrong_number_get_the_same_message(client, submit):
    made = submit()

    wrong_digits = _look_up(client, made.tracking_number, "1234")
    wrong_number = _look_up(client, "20210101000000", "5678")

    assert wrong_digits.status_code == wrong_number.status_code == 400
    refused = {"tracking_number": f"受理编号：{TRACKING_REFUSED}"}
    assert _errors(wrong_digits) == _errors(wrong_number) == refused
    assert 'value="1234"' not in wrong_digits.content.decode()  # the digits are not echoed
    status_url = reverse("request_status", args=[made.tracking_number])
    assert client.get(status_url).status_code == 302  # still not verified


def test_too_many_failed_look_ups_get_429_with_retry_after(client, submit, settings):
    made = submit()
    limit = settings.REQUEST_TRACKING_FAILURE_LIMIT[0]
    for _ in range(limit):
        assert _look_up(client, made.tracking_number, "0000").status_code == 400

    response = _look_up(client, made.tracking_number, "5678")  # right, but too late

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "查询失败次数过多，请稍后再试" in response.content.decode()


# ---------------------------------------------------------------- status and rating


@pytest.fixture
def handled(submit, people, departments):
    """handled(): a request dispatched to dora's department and replied to."""

    def make(**fields):
        made = submit(**fields)
        request_services.dispatch_request(made, by=people["alice"], department=departments["owner"])
        return request_services.reply_to_request(made, by=people["dora"], text="已安排现场查看")

    return make


def _close(made, people, text="已施划停车位"):
    return request_services.close_request(made, by=people["dora"], outcome="resolved", text=text)


def _rate(client, made, rating, comment=""):
    url = reverse("request_rate", args=[made.tracking_number])
    return client.post(url, {"rating": rating, "comment": comment})


def test_status_page_shows_deadlines_timeline_and_outcome(client, handled, people):
    made = handled()
    _look_up(client, made.tracking_number, "5678")
    url = reverse("request_status", args=[made.tracking_number])

    page = client.get(url).content.decode()
    assert "办理中" in page
    resolve_by = timezone.localtime(made.resolve_by)
    assert f"{resolve_by:%Y}年{resolve_by.month}月{resolve_by.day}日前" in page
    assert "答复</strong>：<span" in page and "已安排现场查看" in page
    assert "党群工作部" in page  # the department of the dispatch and the reply

    _close(made, people)
    page = client.get(url).content.decode()
    assert 'data-outcome="resolved"><strong>已解决</strong>' in page
    assert "data-deadline" not in page
    assert "请评价办理结果" in page


def test_rating_before_closing_then_after_then_a_third_time(client, handled, people):
    made = handled()
    _look_up(client, made.tracking_number, "5678")
    url = reverse("request_status", args=[made.tracking_number])

    early = _rate(client, made, "satisfied")
    assert early.status_code == 400
    assert "诉求办结后才能评价" in early.content.decode()
    assert RequestRating.objects.count() == 0

    _close(made, people)
    first = _rate(client, made, "unsatisfied", "车还是乱停")
    assert first.status_code == 302 and first.url == url
    page = client.get(url).content.decode()
    assert "诉求已重新交办，进入第二轮办理" in page  # the message after rating
    assert "正在进行第二轮办理" in page
    assert "请评价" not in page

    _close(made, people, text="已加装隔离桩")
    assert "请评价第二轮办理结果" in client.get(url).content.decode()
    assert _rate(client, made, "basically").status_code == 302
    third = _rate(client, made, "satisfied")

    assert third.status_code == 400
    assert "本轮办理已评价，不能重复评价" in third.content.decode()
    made.refresh_from_db()
    assert (made.round, made.rating) == (2, "basically")
    assert list(made.ratings.values_list("value", flat=True)) == ["unsatisfied", "basically"]


def test_rating_without_the_look_up_goes_to_the_look_up(client, handled, people):
    made = _close(handled(), people)
    response = _rate(client, made, "satisfied")
    assert response.status_code == 302
    assert response.url.startswith(reverse("request_track"))
    assert RequestRating.objects.count() == 0


def test_status_page_shows_the_linked_deeds_progress(client, handled, people, departments):
    made = handled()
    deed = request_services.make_deed(
        made,
        by=people["alice"],
        title="雅境园北门停车场建设",
        owner=departments["owner"],
        deadline=timezone.localdate() + dt.timedelta(days=60),
    )
    _look_up(client, made.tracking_number, "5678")
    url = reverse("request_status", args=[made.tracking_number])
    ledger_url = reverse("public_ledger_detail", args=[deed.pk])

    proposed = client.get(url).content.decode()
    assert "雅境园北门停车场建设" in proposed and "拟办" in proposed
    assert ledger_url not in proposed  # not on the public ledger yet

    services.commit_deed(deed, by=people["alice"])
    part = deed.parts.get()
    services.update_part(part, by=people["dora"], version=part.version, progress=40)
    page = client.get(url).content.decode()
    assert f'href="{ledger_url}"' in page
    assert 'aria-valuenow="40"' in page and "推进中" in page


def test_status_page_query_count_does_not_grow_with_events(client, submit, people, departments):
    def queries(events: int) -> int:
        made = submit(phone=f"1391234{events:04d}")
        request_services.dispatch_request(made, by=people["alice"], department=departments["owner"])
        for i in range(events - 2):  # after the submission and the dispatch
            request_services.reply_to_request(made, by=people["dora"], text=f"进展{i}")
        assert made.events.count() == events
        _look_up(client, made.tracking_number, f"{events:04d}")
        url = reverse("request_status", args=[made.tracking_number])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    assert queries(2) == queries(20)


# ---------------------------------------------------------------- privacy


def test_no_public_page_shows_the_requesters_phone_id_number_or_name(
    client, form, people, departments
):
    id_number = synthetic.id_number(random.Random(3), born=dt.date(1980, 1, 1), male=False)
    other_phone = "13800138000"
    text = f"我叫王秀英，电话{PHONE}，身份证{id_number}，北门停车难，物业电话{other_phone}"
    response = _post(client, form(text=text, name="王秀英"))
    number_page = client.get(response.url).content.decode()
    made = ServiceRequest.objects.get()
    request_services.dispatch_request(made, by=people["alice"], department=departments["owner"])
    request_services.reply_to_request(
        made, by=people["dora"], text=f"王秀英您好，已联系物业（{other_phone}）现场查看"
    )
    _close(made, people)
    deed = request_services.make_deed(
        made,
        by=people["alice"],
        title="雅境园北门停车场建设",
        owner=departments["owner"],
        deadline=timezone.localdate() + dt.timedelta(days=60),
    )
    services.commit_deed(deed, by=people["alice"])

    pages = {
        "number": number_page,
        "intake": client.get(reverse("request_intake")).content.decode(),
        "look-up": client.get(reverse("request_track")).content.decode(),
        "status": client.get(reverse("request_status", args=[made.tracking_number])),
        "ledger": client.get(reverse("public_ledger")),
        "ledger detail": client.get(reverse("public_ledger_detail", args=[deed.pk])),
    }
    pages = {k: v if isinstance(v, str) else v.content.decode() for k, v in pages.items()}

    assert "北门停车难" in pages["status"] and "已联系物业" in pages["status"]
    assert "雅境园北门停车场建设" in pages["ledger"] and "北门停车难" in pages["ledger detail"]
    for name, html in pages.items():
        for secret in (PHONE, other_phone, id_number, "王秀英"):
            assert secret not in html, (name, secret)


# ---------------------------------------------------------------- the poster


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_operator_prints_a_communitys_qr_poster(client, people, community):
    client.force_login(people["alice"])
    response = client.get(reverse("request_poster", args=[community.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = re.sub(r"\s+", "", _pdf_text(response.content))
    assert "雅境园社区" in text and "有诉求扫码反映" in text
    assert f"http://testserver/requests/new/?community={community.pk}" in text
    assert "http://testserver/requests/track/" in text
    # the QR code is drawn as vector paths (segno's SVG): hundreds of line segments
    drawing = PdfReader(BytesIO(response.content)).pages[0].get_contents().get_data()
    assert drawing.count(b" l\n") > 100


def test_poster_is_refused_to_department_officers_and_unknown_communities(
    client, people, community
):
    client.force_login(people["dora"])
    assert client.get(reverse("request_poster", args=[community.pk])).status_code == 403
    client.force_login(people["alice"])
    assert client.get(reverse("request_poster", args=[community.pk + 100])).status_code == 404


def test_a_double_tap_on_submit_makes_one_request(client, form):
    page = client.get(reverse("request_intake")).content.decode()
    token = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    first = _post(client, {**form(), "submission": token})
    second = _post(client, {**form(), "submission": token})
    assert (first.status_code, second.status_code) == (302, 302)
    made = ServiceRequest.objects.get()
    assert made.tracking_number in client.get(second.url).content.decode()


def test_why_a_request_was_sent_back_stays_with_the_staff(client, submit, people, departments):
    made = submit()
    made = request_services.dispatch_request(
        made, by=people["alice"], department=departments["other"]
    )
    request_services.send_back_request(made, by=people["alice"], reason="人社局内部分工调整")
    _look_up(client, made.tracking_number, "5678")
    page = client.get(reverse("request_status", args=[made.tracking_number])).content.decode()
    assert 'data-event="sent_back"' in page
    assert "人社局内部分工调整" not in page
