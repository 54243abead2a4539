"""The dispatcher's settings of service requests: request categories (what the intake form
offers, with the working-day limits dispatch starts from) and the holiday table that
working-day deadlines read. Only the dispatcher (alice) keeps them; refusals name the field
and write nothing; every change is audited."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry, CalendarDay
from dangjian.deeds import request_services
from dangjian.deeds.models import RequestCategory

pytestmark = pytest.mark.django_db
INTAKE = "/requests/new/"


def _as(client, user):
    client.logout()
    client.force_login(user)
    return client


def _category_data(**fields) -> dict:
    data = {
        "name": "噪音扰民",
        "department": "",
        "respond_days": "2",
        "resolve_days": "10",
        "position": "3",
        "is_active": "on",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def _option(category) -> str:
    return f'<option value="{category.pk}">{category.name}</option>'


def _entries(action: str):
    return AuditEntry.objects.filter(action=action).order_by("id")


# ---------------------------------------------------------------- categories


def test_the_operator_adds_a_category_that_the_intake_form_offers(
    client, people, departments, categories
):
    _as(client, people["alice"])
    response = client.post(
        reverse("request_category_create"),
        _category_data(department=departments["other"].pk),
    )
    assert response.status_code == 302
    assert response.url == reverse("request_categories")
    made = RequestCategory.objects.get(name="噪音扰民")
    assert (made.respond_days, made.resolve_days, made.position) == (2, 10, 3)
    assert made.department == departments["other"] and made.is_active

    client.logout()
    intake = client.get(INTAKE).content.decode()
    assert _option(made) in intake

    entry = _entries("deeds.category.saved").get()
    assert entry.actor == people["alice"] and entry.object_id == str(made.pk)
    assert entry.details["created"] is True
    assert entry.details["changes"]["respond_days"] == [None, 2]
    assert entry.details["changes"]["department"] == [None, "人力资源和社会保障局"]

    listing = _as(client, people["alice"]).get(reverse("request_categories")).content.decode()
    assert f'data-category="{made.pk}"' in listing and "响应 2 · 办理 10" in listing


def test_a_respond_limit_beyond_the_resolve_limit_is_refused_on_its_field(
    client, people, categories
):
    _as(client, people["alice"])
    response = client.post(
        reverse("request_category_create"), _category_data(respond_days="10", resolve_days="2")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-error-for="respond_days"' in page
    assert "响应时限（10个工作日）不能超过办理时限（2个工作日）" in page
    assert not RequestCategory.objects.filter(name="噪音扰民").exists()

    response = client.post(
        reverse("request_category_create"), _category_data(respond_days="0", resolve_days="2")
    )
    assert response.status_code == 400
    assert "响应时限至少为1个工作日" in response.content.decode()
    response = client.post(reverse("request_category_create"), _category_data(resolve_days="366"))
    assert response.status_code == 400
    assert 'data-error-for="resolve_days"' in response.content.decode()
    assert "办理时限应为1至365个工作日" in response.content.decode()

    assert RequestCategory.objects.count() == 2
    assert not _entries("deeds.category.saved").exists()


def test_a_duplicate_name_is_refused_when_adding_and_when_renaming(client, people, categories):
    _as(client, people["alice"])
    response = client.post(reverse("request_category_create"), _category_data(name=" 停车 "))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-error-for="name"' in page and "诉求类别名称“停车”已存在" in page
    assert RequestCategory.objects.count() == 2

    policy = categories["policy"]
    response = client.post(
        reverse("request_category_edit", args=[policy.pk]), _category_data(name="停车")
    )
    assert response.status_code == 400
    assert "诉求类别名称“停车”已存在" in response.content.decode()
    policy.refresh_from_db()
    assert (policy.name, policy.respond_days, policy.resolve_days) == ("企业政策", 2, 10)
    assert not _entries("deeds.category.saved").exists()


def test_editing_a_category_records_only_what_changed(client, people, departments, categories):
    parking = categories["parking"]
    page = _as(client, people["alice"]).get(reverse("request_category_edit", args=[parking.pk]))
    assert page.status_code == 200 and 'value="停车"' in page.content.decode()
    response = client.post(
        reverse("request_category_edit", args=[parking.pk]),
        _category_data(
            name="停车",
            department=departments["owner"].pk,
            respond_days="2",
            resolve_days="7",
            position="1",
        ),
    )
    assert response.status_code == 302
    parking.refresh_from_db()
    assert (parking.respond_days, parking.resolve_days) == (2, 7)
    entry = _entries("deeds.category.saved").get()
    assert entry.details == {"created": False, "changes": {"respond_days": [1, 2]}}


def test_deactivating_hides_a_category_from_intake_but_its_requests_keep_it(
    client, people, departments, categories, submit
):
    parking = categories["parking"]
    item = submit()
    assert _option(parking) in client.get(INTAKE).content.decode()

    _as(client, people["alice"])
    response = client.post(
        reverse("request_category_edit", args=[parking.pk]),
        _category_data(
            name="停车",
            department=departments["owner"].pk,
            respond_days="1",
            resolve_days="7",
            position="1",
            is_active=None,
        ),
    )
    assert response.status_code == 302
    parking.refresh_from_db()
    assert parking.is_active is False
    assert _entries("deeds.category.saved").get().details["changes"] == {"is_active": [True, False]}
    listing = client.get(reverse("request_categories")).content.decode()
    assert "已停用" in listing

    client.logout()
    intake = client.get(INTAKE).content.decode()
    assert _option(parking) not in intake and _option(categories["policy"]) in intake
    refused = client.post(
        INTAKE, {"category": parking.pk, "text": "停车难", "phone": "13912345679"}
    )
    assert refused.status_code == 400 and "请选择诉求类别" in refused.content.decode()

    item.refresh_from_db()
    assert item.category == parking
    page = _as(client, people["alice"]).get(reverse("request_detail", args=[item.pk]))
    assert "停车" in page.content.decode()
    assert RequestCategory.objects.filter(pk=parking.pk).exists()


def test_save_category_keeps_the_fields_it_is_not_given(people, categories):
    policy = request_services.save_category(
        categories["policy"], by=people["alice"], resolve_days=15
    )
    policy.refresh_from_db()
    assert (policy.name, policy.respond_days, policy.resolve_days) == ("企业政策", 2, 15)
    assert policy.for_enterprises is True
    with pytest.raises(DomainError) as refused:
        request_services.save_category(policy, by=people["alice"], respond_days=16)
    assert refused.value.field == "respond_days" and refused.value.code == "days_invalid"
    with pytest.raises(DomainError) as refused:
        request_services.save_category(None, by=people["alice"], name="  ")
    assert refused.value.message == "请填写诉求类别名称" and refused.value.field == "name"


# ---------------------------------------------------------------- who may


def test_only_the_dispatcher_reaches_the_settings(client, people, officers, categories):
    day = CalendarDay.objects.create(date=dt.date(2021, 10, 1), kind=CalendarDay.Kind.HOLIDAY)
    parking = categories["parking"]
    pages = [
        reverse("request_categories"),
        reverse("request_category_create"),
        reverse("request_category_edit", args=[parking.pk]),
        reverse("request_calendar"),
        reverse("request_calendar") + "?year=2021",
    ]
    _as(client, officers["dora"])
    for url in pages:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("request_category_create"), _category_data()).status_code == 403
    edit = client.post(
        reverse("request_category_edit", args=[parking.pk]), _category_data(name="改名")
    )
    assert edit.status_code == 403
    added = {"date": "2021-10-02", "kind": "holiday", "name": "国庆节"}
    assert client.post(reverse("request_calendar"), added).status_code == 403
    assert client.post(reverse("request_calendar_remove", args=[day.pk])).status_code == 403
    assert RequestCategory.objects.count() == 2 and CalendarDay.objects.count() == 1
    parking.refresh_from_db()
    assert parking.name == "停车"

    list_page = client.get(reverse("request_list")).content.decode()
    assert reverse("request_categories") not in list_page
    assert reverse("request_calendar") not in list_page

    client.logout()
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))

    list_page = _as(client, people["alice"]).get(reverse("request_list")).content.decode()
    assert f'href="{reverse("request_categories")}">诉求类别</a>' in list_page
    assert f'href="{reverse("request_calendar")}">节假日安排</a>' in list_page


# ---------------------------------------------------------------- the holiday table


def test_the_operator_keeps_the_holiday_table_of_a_year(client, people):
    _as(client, people["alice"])
    url = reverse("request_calendar")
    response = client.post(url, {"date": "2021-10-09", "kind": "workday", "name": "国庆节"})
    assert response.status_code == 302 and response.url == f"{url}?year=2021"
    response = client.post(url, {"date": "2021-10-01", "kind": "holiday", "name": "国庆节"})
    assert response.status_code == 302

    page = client.get(f"{url}?year=2021").content.decode()
    assert 'data-day="2021-10-01"' in page and 'data-day="2021-10-09"' in page
    assert '2021-10-09 <span class="small text-secondary">周六</span>' in page
    assert "节假日 1 天，调休上班 1 天" in page
    other_year = client.get(f"{url}?year=2022").content.decode()
    assert 'data-day="2021-10-01"' not in other_year and "2022年还没有登记节假日" in other_year

    saved = _entries("deeds.calendar.saved")
    assert [e.details for e in saved] == [
        {"date": "2021-10-09", "kind": "workday", "name": "国庆节"},
        {"date": "2021-10-01", "kind": "holiday", "name": "国庆节"},
    ]
    assert all(e.actor == people["alice"] for e in saved)

    holiday = CalendarDay.objects.get(date=dt.date(2021, 10, 1))
    response = client.post(reverse("request_calendar_remove", args=[holiday.pk]))
    assert response.status_code == 302 and response.url == f"{url}?year=2021"
    assert list(CalendarDay.objects.values_list("date", "kind")) == [
        (dt.date(2021, 10, 9), "workday")
    ]
    assert 'data-day="2021-10-01"' not in client.get(f"{url}?year=2021").content.decode()
    removed = _entries("deeds.calendar.removed").get()
    assert removed.details == {"date": "2021-10-01", "kind": "holiday", "name": "国庆节"}
    assert removed.actor == people["alice"]


def test_a_date_entered_again_is_changed_not_doubled(client, people):
    _as(client, people["alice"])
    url = reverse("request_calendar")
    client.post(url, {"date": "2021-10-09", "kind": "holiday", "name": "误填"})
    client.post(url, {"date": "2021-10-09", "kind": "workday", "name": "国庆节"})
    assert list(CalendarDay.objects.values_list("date", "kind", "name")) == [
        (dt.date(2021, 10, 9), "workday", "国庆节")
    ]
    assert _entries("deeds.calendar.saved").last().details["before"] == {
        "kind": "holiday",
        "name": "误填",
    }


def test_bad_calendar_input_is_refused_on_its_field(client, people):
    _as(client, people["alice"])
    url = reverse("request_calendar")
    response = client.post(url, {"date": "2021-10-08", "kind": "workday", "name": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-error-for="date"' in page
    assert "2021-10-08是工作日（周一至周五），调休上班只能设在周六或周日" in page

    response = client.post(url, {"date": "2021-13-01", "kind": "holiday"})
    assert response.status_code == 400
    assert "日期格式不正确" in response.content.decode()
    response = client.post(url, {"date": "2021-10-01", "kind": "sometimes"})
    assert response.status_code == 400
    assert 'data-error-for="kind"' in response.content.decode()
    assert not CalendarDay.objects.exists()
    assert not _entries("deeds.calendar.saved").exists()

    response = client.get(f"{url}?year=abc")
    assert response.status_code == 400
    assert "年份应为2000至2100之间的整数" in response.content.decode()


def test_a_holiday_on_the_next_working_day_moves_the_response_deadline(
    client, people, departments, submit
):
    """Dispatched on Friday 5 March 2021 with one working day: due Monday 8 March; once the
    operator marks that Monday a holiday, due Tuesday 9 March. A request dispatched before the
    change keeps its deadline."""
    friday = timezone.make_aware(dt.datetime(2021, 3, 5, 15, 0))
    local = timezone.localtime

    def dispatched(phone):
        item = submit(phone=phone)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(timezone, "now", lambda: friday)
            return request_services.dispatch_request(
                item, by=people["alice"], department=departments["owner"]
            )

    before = dispatched("13912345601")
    assert local(before.respond_by).replace(tzinfo=None) == dt.datetime(2021, 3, 8, 23, 59, 59)

    _as(client, people["alice"])
    response = client.post(
        reverse("request_calendar"), {"date": "2021-03-08", "kind": "holiday", "name": "停工"}
    )
    assert response.status_code == 302

    after = dispatched("13912345602")
    assert local(after.respond_by).replace(tzinfo=None) == dt.datetime(2021, 3, 9, 23, 59, 59)
    before.refresh_from_db()
    assert local(before.respond_by).date() == dt.date(2021, 3, 8)
