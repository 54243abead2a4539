"""Pages that manage campaigns (党史学习教育) and places (活动地点): lists, create and edit
forms, and choosing the current campaign. Campaigns belong to the whole district, so only a
district-wide activity manager edits them; any activity manager edits places. Writes go
through `campaigns.services`."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import (
    MANAGE_ACTIVITIES,
    VIEW_ORGS,
    has_perm,
    require_perm,
    scope_for,
)
from dangjian.campaigns import services
from dangjian.campaigns.manage_forms import CampaignForm, PlaceFilterForm, PlaceForm
from dangjian.campaigns.models import Campaign, Place
from dangjian.core.forms import form_page


def may_manage_campaigns(user) -> bool:
    """Campaigns are the district's: only a holder of the activity right over all of it."""
    return has_perm(user, MANAGE_ACTIVITIES) and scope_for(user, MANAGE_ACTIVITIES).everything


def require_campaign_manager(view):
    @wraps(view)
    @require_perm(MANAGE_ACTIVITIES)
    def wrapped(request, *args, **kwargs):
        if not may_manage_campaigns(request.user):
            raise PermissionDenied("只有区级管理员可以维护党史学习教育")
        return view(request, *args, **kwargs)

    return wrapped


def _page(request, items):
    """The requested page of `items` and the list's other parameters, for the page links."""
    page = Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


# ---------------------------------------------------------------- campaigns


@require_perm(VIEW_ORGS)
def campaign_list(request):
    campaigns = (
        Campaign.objects.select_related("department")
        .annotate(activity_count=Count("activities"))
        .order_by("-starts_on", "-id")
    )
    page, query = _page(request, campaigns)
    context = {"page": page, "query": query, "can_manage": may_manage_campaigns(request.user)}
    return render(request, "campaigns/campaign_list.html", context)


@require_campaign_manager
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda data: services.create_campaign(by=request.user, **data),
        template="form.html",
        context={"title": "新建党史学习教育", "back": reverse("campaign_list")},
        success_message="党史学习教育已创建",
        success_url=lambda _: reverse("campaign_list"),
    )


@require_campaign_manager
def campaign_edit(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    form = CampaignForm(request.POST or None, instance=campaign)
    return form_page(
        request,
        form,
        lambda _: services.update_campaign(campaign, by=request.user, **form.changes()),
        template="form.html",
        context={"title": f"编辑党史学习教育：{campaign.name}", "back": reverse("campaign_list")},
        success_message="已保存",
        success_url=lambda _: reverse("campaign_list"),
    )


@require_POST
@require_campaign_manager
def campaign_set_current(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    services.set_current_campaign(campaign, by=request.user)
    messages.success(request, f"已将“{campaign.name}”设为当前党史学习教育")
    return redirect("campaign_list")


# ---------------------------------------------------------------- places


@require_perm(VIEW_ORGS)
def place_list(request):
    form = PlaceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    places = Place.objects.annotate(activity_count=Count("activities")).order_by("name", "id")
    if q := (filters.get("q") or "").strip():
        places = places.filter(Q(name__icontains=q) | Q(address__icontains=q))
    if filters.get("red"):
        places = places.filter(is_red_resource=filters["red"] == "1")
    page, query = _page(request, places)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "can_manage": has_perm(request.user, MANAGE_ACTIVITIES),
    }
    return render(request, "campaigns/place_list.html", context)


@require_perm(MANAGE_ACTIVITIES)
def place_create(request):
    form = PlaceForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda data: services.create_place(by=request.user, **data),
        template="form.html",
        context={"title": "新建活动地点", "back": reverse("place_list")},
        success_message="活动地点已创建",
        success_url=lambda _: reverse("place_list"),
    )


@require_perm(MANAGE_ACTIVITIES)
def place_edit(request, pk: int):
    place = get_object_or_404(Place, pk=pk)
    form = PlaceForm(request.POST or None, instance=place)
    return form_page(
        request,
        form,
        lambda data: services.update_place(place, by=request.user, **data),
        template="form.html",
        context={"title": f"编辑活动地点：{place.name}", "back": reverse("place_list")},
        success_message="已保存",
        success_url=lambda _: reverse("place_list"),
    )
