from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from dangjian.accounts.permissions import VIEW_PERSONAL_DATA, has_perm
from dangjian.orgs import queries
from dangjian.orgs.forms import MemberSearchForm
from dangjian.orgs.models import Member, Organization


@login_required
def home(request):
    return render(
        request,
        "orgs/home.html",
        {
            "counts": queries.district_counts(),
            "by_sector": queries.members_by_sector(),
        },
    )


@login_required
def organization_tree(request):
    return render(
        request,
        "orgs/tree.html",
        {
            "rows": queries.flatten(queries.organization_tree()),
        },
    )


@login_required
def organization_detail(request, pk: int):
    org = get_object_or_404(
        Organization.objects.select_related(
            "sector", "parent", "secretary", "department", "community", "enterprise", "institution"
        ),
        pk=pk,
    )
    return render(
        request,
        "orgs/organization_detail.html",
        {
            "org": org,
            "ancestors": queries.ancestors(org),
            "children": org.children.select_related("sector").order_by("order", "id"),
            "member_count": Member.objects.active().filter(organization=org).count(),
            "subtree_count": Member.objects.active()
            .filter(organization__path__startswith=org.path)
            .count(),
        },
    )


@login_required
def member_list(request):
    form = MemberSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    members = queries.search_members(
        filters.get("q", ""),
        organization=filters.get("organization"),
        sector=filters.get("sector"),
        status=filters.get("status", ""),
    )
    page = Paginator(members, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "orgs/_member_results.html" if request.htmx else "orgs/member_list.html"
    return render(request, template, context)


@login_required
def member_detail(request, pk: int):
    member = get_object_or_404(Member.objects.select_related("organization__sector"), pk=pk)
    return render(
        request,
        "orgs/member_detail.html",
        {
            "member": member,
            "ancestors": queries.ancestors(member.organization),
            "transfers": member.transfers.select_related("from_organization", "to_organization"),
            "show_personal_data": has_perm(request.user, VIEW_PERSONAL_DATA, member),
        },
    )
