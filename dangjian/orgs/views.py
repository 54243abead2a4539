from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.permissions import (
    MANAGE_MEMBERS,
    MANAGE_ORGANIZATIONS,
    MANAGE_USERS,
    VIEW_AUDIT_LOG,
    VIEW_ORGS,
    VIEW_PERSONAL_DATA,
    granted_capabilities,
    has_perm,
    own_member_id,
    require_perm,
)
from dangjian.core.forms import form_page
from dangjian.orgs import queries, services
from dangjian.orgs.forms import (
    MemberForm,
    MemberSearchForm,
    OrganizationForm,
    StatusForm,
    TransferForm,
)
from dangjian.orgs.models import Member, Organization


@login_required
def home(request):
    """The district (or the user's part of it) at a glance; other users go where they work."""
    caps = granted_capabilities(request.user)
    if VIEW_ORGS not in caps:
        return redirect(_landing(request.user, caps))
    orgs = Organization.objects.visible_to(request.user)
    members = Member.objects.visible_to(request.user)
    return render(
        request,
        "orgs/home.html",
        {
            "counts": queries.district_counts(orgs, members),
            "by_sector": queries.members_by_sector(members),
        },
    )


def _landing(user, caps) -> str:
    if own_member_id(user):
        return reverse("member_detail", args=[own_member_id(user)])
    if VIEW_AUDIT_LOG in caps:
        return reverse("audit_log")
    if MANAGE_USERS in caps or user.is_staff:
        return reverse("admin:index")
    raise PermissionDenied("您的账号尚未获得任何授权，请联系系统管理员")


@require_perm(VIEW_ORGS)
def organization_tree(request):
    orgs = Organization.objects.visible_to(request.user)
    return render(
        request,
        "orgs/tree.html",
        {
            "rows": queries.flatten(queries.organization_tree(orgs)),
            "can_create": has_perm(request.user, MANAGE_ORGANIZATIONS),
        },
    )


@require_perm(VIEW_ORGS)
def organization_detail(request, pk: int):
    org = get_object_or_404(
        Organization.objects.visible_to(request.user).select_related(
            "sector", "parent", "secretary", "department", "community", "enterprise", "institution"
        ),
        pk=pk,
    )
    visible = Organization.objects.visible_to(request.user)
    return render(
        request,
        "orgs/organization_detail.html",
        {
            "org": org,
            "ancestors": [
                a for a in queries.ancestors(org) if has_perm(request.user, VIEW_ORGS, a)
            ],
            "children": visible.filter(parent=org).select_related("sector").order_by("order", "id"),
            "member_count": Member.objects.active().filter(organization=org).count(),
            "subtree_count": Member.objects.active()
            .filter(organization__path__startswith=org.path)
            .count(),
            "can_edit": has_perm(request.user, MANAGE_ORGANIZATIONS, org),
            "can_add_member": has_perm(request.user, MANAGE_MEMBERS, org),
        },
    )


def filtered_members(request) -> tuple[MemberSearchForm, dict, QuerySet[Member]]:
    """The members the list page shows for its GET filters (also what its export holds)."""
    form = MemberSearchForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    members = queries.search_members(
        filters.get("q", ""),
        base=Member.objects.visible_to(request.user),
        organization=filters.get("organization"),
        sector=filters.get("sector"),
        status=filters.get("status", ""),
    )
    return form, filters, members


@require_perm(VIEW_ORGS)
def member_list(request):
    form, _, members = filtered_members(request)
    page = Paginator(members, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_create": has_perm(request.user, MANAGE_MEMBERS),
    }
    template = "orgs/_member_results.html" if request.htmx else "orgs/member_list.html"
    return render(request, template, context)


@login_required
def member_detail(request, pk: int):
    member = _visible_member(request, pk)
    is_self = member.user_id == request.user.pk
    return render(
        request,
        "orgs/member_detail.html",
        {
            "member": member,
            "is_self": is_self,
            "ancestors": queries.ancestors(member.organization),
            "transfers": member.transfers.select_related("from_organization", "to_organization"),
            "can_view_organization": has_perm(request.user, VIEW_ORGS, member.organization),
            "can_reveal": not is_self and has_perm(request.user, VIEW_PERSONAL_DATA, member),
            "can_manage": has_perm(request.user, MANAGE_MEMBERS, member),
        },
    )


def _visible_member(request, pk: int, capability: str = VIEW_ORGS) -> Member:
    return get_object_or_404(
        Member.objects.visible_to(request.user, capability).select_related("organization__sector"),
        pk=pk,
    )


@require_POST
@login_required
def member_personal_data(request, pk: int):
    """The deliberate "查看完整信息" action: shows the full ID number and phone, audited."""
    member = _visible_member(request, pk)
    if not has_perm(request.user, VIEW_PERSONAL_DATA, member):
        raise PermissionDenied
    data = services.reveal_personal_data(member, by=request.user)
    return render(request, "orgs/_personal_data.html", {"member": member, "full": data})


# ---------------------------------------------------------------- editing


@require_perm(MANAGE_ORGANIZATIONS)
def organization_create(request):
    initial = {"parent": request.GET.get("parent")}
    form = OrganizationForm(request.POST or None, user=request.user, initial=initial)

    def create(data):
        services.check_placement(request.user, data.get("parent"))
        return services.create_organization(by=request.user, **data)

    return form_page(
        request,
        form,
        create,
        template="form.html",
        context={"title": "新建党组织", "back": reverse("organization_tree")},
        success_message="党组织已创建",
        success_url=lambda org: reverse("organization_detail", args=[org.pk]),
    )


@require_perm(MANAGE_ORGANIZATIONS)
def organization_edit(request, pk: int):
    org = get_object_or_404(
        Organization.objects.visible_to(request.user, MANAGE_ORGANIZATIONS), pk=pk
    )
    form = OrganizationForm(request.POST or None, user=request.user, instance=org)
    back = reverse("organization_detail", args=[org.pk])

    def update(data):
        if data.get("parent") != org.parent:
            services.check_placement(request.user, data.get("parent"))
        return services.update_organization(org, by=request.user, **data)

    return form_page(
        request,
        form,
        update,
        template="form.html",
        context={"title": f"编辑：{org.name}", "back": back},
        success_message="已保存",
        success_url=lambda _: back,
    )


@require_perm(MANAGE_MEMBERS)
def member_create(request):
    initial = {"organization": request.GET.get("organization")}
    form = MemberForm(request.POST or None, user=request.user, initial=initial)

    def create(data):
        return services.create_member(by=request.user, **data)

    return form_page(
        request,
        form,
        create,
        template="form.html",
        context={"title": "登记党员", "back": reverse("member_list")},
        success_message="党员已登记",
        success_url=lambda m: reverse("member_detail", args=[m.pk]),
    )


@require_perm(MANAGE_MEMBERS)
def member_edit(request, pk: int):
    member = _visible_member(request, pk, MANAGE_MEMBERS)
    form = MemberForm(request.POST or None, user=request.user, instance=member)
    back = reverse("member_detail", args=[member.pk])
    return form_page(
        request,
        form,
        lambda _: services.update_member(member, by=request.user, **form.changes()),
        template="form.html",
        context={"title": f"编辑党员：{member.name}", "back": back},
        success_message="已保存",
        success_url=lambda _: back,
    )


@require_perm(MANAGE_MEMBERS)
def member_transfer(request, pk: int):
    member = _visible_member(request, pk, MANAGE_MEMBERS)
    form = TransferForm(request.POST or None, user=request.user)
    back = reverse("member_detail", args=[member.pk])

    def transfer(data):
        return services.transfer_member(
            member,
            data["to_organization"],
            by=request.user,
            on=data.get("transferred_on"),
            reason=data["reason"],
        )

    return form_page(
        request,
        form,
        transfer,
        template="form.html",
        context={"title": f"组织关系转接：{member.name}", "back": back},
        success_message="组织关系已转接",
        success_url=lambda _: back,
    )


@require_perm(MANAGE_MEMBERS)
def member_status(request, pk: int):
    member = _visible_member(request, pk, MANAGE_MEMBERS)
    form = StatusForm(request.POST or None)
    back = reverse("member_detail", args=[member.pk])

    def change(data):
        return services.change_member_status(
            member, data["status"], by=request.user, reason=data["reason"], on=data.get("on")
        )

    return form_page(
        request,
        form,
        change,
        template="form.html",
        context={"title": f"党员状态变更：{member.name}", "back": back},
        success_message="党员状态已变更",
        success_url=lambda _: back,
    )
