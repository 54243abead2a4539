"""The dispatcher's settings of service requests (群众诉求): the request categories (the
intake form's choices, each with its default department and working-day limits) and the
holiday table that working-day deadlines read (`core/calendar.py`).

Only dispatchers (`may_dispatch`, the operator) use these pages; anyone else gets 403 and a
visitor the log-in page. Every write goes through `deeds.request_services`."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core.errors import DomainError
from dangjian.core.forms import add_domain_error, form_page
from dangjian.core.models import CalendarDay
from dangjian.deeds import request_services as services
from dangjian.deeds.models import RequestCategory
from dangjian.deeds.request_queries import may_dispatch
from dangjian.deeds.settings_forms import YEARS, CalendarDayForm, CategoryForm, YearForm, year_of

WEEKDAYS = "一二三四五六日"


def dispatcher_required(view):
    """Log-in, then the district's right to handle requests (else 403)."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not may_dispatch(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


# ---------------------------------------------------------------- categories


@dispatcher_required
def request_categories(request):
    """Every category, the inactive ones too, with how many requests each holds."""
    categories = RequestCategory.objects.select_related("department").annotate(
        used=Count("requests")
    )
    return render(request, "deeds/settings/categories.html", {"categories": categories})


def _category_page(request, category: RequestCategory | None, title: str):
    form = CategoryForm(request.POST or None, category=category)
    return form_page(
        request,
        form,
        lambda data: services.save_category(category, by=request.user, **data),
        template="form.html",
        context={"title": title, "back": reverse("request_categories")},
        success_message="诉求类别已保存",
        success_url=lambda _: reverse("request_categories"),
    )


@dispatcher_required
def request_category_create(request):
    return _category_page(request, None, "新建诉求类别")


@dispatcher_required
def request_category_edit(request, pk: int):
    category = get_object_or_404(RequestCategory, pk=pk)
    return _category_page(request, category, f"编辑诉求类别：{category.name}")


# ---------------------------------------------------------------- the holiday table


def _calendar_url(year: int) -> str:
    return f"{reverse('request_calendar')}?year={year}"


@dispatcher_required
def request_calendar(request):
    """The holidays and worked weekend days of one year (?year=, this year by default); add
    or change a date (POST)."""
    today = timezone.localdate()
    year_form = YearForm(request.GET if "year" in request.GET else None)
    year = year_of(year_form, today)
    status = 400 if year_form.is_bound and not year_form.is_valid() else 200
    form = CalendarDayForm(request.POST or None, initial={"date": today})
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                day = services.set_calendar_day(data["date"], by=request.user, **_rest(data))
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"{day.date:%Y-%m-%d} 已设为{day.get_kind_display()}")
                return redirect(_calendar_url(day.date.year))
    days = [
        {"day": d, "weekday": WEEKDAYS[d.date.weekday()]}
        for d in CalendarDay.objects.filter(date__year=year)
    ]
    return render(
        request,
        "deeds/settings/calendar.html",
        {
            "form": form,
            "year_form": year_form,
            "year": year,
            "previous": year - 1 if year > YEARS[0] else None,
            "next": year + 1 if year < YEARS[1] else None,
            "days": days,
            "holidays": sum(d["day"].kind == CalendarDay.Kind.HOLIDAY for d in days),
            "workdays": sum(d["day"].kind == CalendarDay.Kind.WORKDAY for d in days),
        },
        status=status,
    )


def _rest(data: dict) -> dict:
    return {"kind": data["kind"], "name": data["name"]}


@require_POST
@dispatcher_required
def request_calendar_remove(request, pk: int):
    day = get_object_or_404(CalendarDay, pk=pk)
    services.remove_calendar_day(day, by=request.user)
    messages.success(request, f"已删除 {day.date:%Y-%m-%d} 的安排")
    return redirect(_calendar_url(day.date.year))
