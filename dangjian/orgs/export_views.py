"""Downloads: member and organization exports, and the blank import templates."""

from django.utils import timezone

from dangjian.accounts.permissions import (
    EXPORT,
    MANAGE_MEMBERS,
    MANAGE_ORGANIZATIONS,
    VIEW_ORGS,
    require_perm,
)
from dangjian.core import audit
from dangjian.core.spreadsheets import xlsx_response
from dangjian.orgs import exports
from dangjian.orgs.models import Organization
from dangjian.orgs.views import filtered_members


def _stamp() -> str:
    return f"{timezone.localtime():%Y%m%d-%H%M}"


@require_perm(EXPORT)
def member_export(request):
    """The member list with the filters the page shows, in the import layout; audited."""
    _, filters, members = filtered_members(request)
    data, count, full = exports.members_workbook(members, user=request.user)
    audit.record(
        "orgs.member.exported",
        actor=request.user,
        details={
            "filters": {k: str(v) for k, v in filters.items() if v},
            "rows": count,
            "rows_with_full_personal_data": full,
        },
    )
    return xlsx_response(data, f"党员名册-{_stamp()}.xlsx")


@require_perm(EXPORT)
def organization_export(request):
    orgs = Organization.objects.visible_to(request.user, VIEW_ORGS)
    data, count = exports.organizations_workbook(orgs)
    audit.record("orgs.organization.exported", actor=request.user, details={"rows": count})
    return xlsx_response(data, f"党组织-{_stamp()}.xlsx")


@require_perm(MANAGE_MEMBERS)
def member_import_template(request):
    orgs = Organization.objects.visible_to(request.user, MANAGE_MEMBERS)
    return xlsx_response(exports.member_template(orgs), "党员名册导入模板.xlsx")


@require_perm(MANAGE_ORGANIZATIONS)
def organization_import_template(request):
    parents = Organization.objects.visible_to(request.user, MANAGE_ORGANIZATIONS).exclude(
        kind=Organization.Kind.BRANCH
    )
    return xlsx_response(exports.organization_template(parents), "党组织导入模板.xlsx")
