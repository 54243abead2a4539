"""Back-office views for maintenance. They are read-only for domain rows: every write with a
rule goes through orgs.services (the app's pages and imports), so the admin cannot bypass
validation or the audit log."""

from django.contrib import admin

from dangjian.core.admin import ReadOnlyAdmin
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.orgs.models import (
    Community,
    Department,
    Enterprise,
    Grid,
    Institution,
    Member,
    MemberTransfer,
    Organization,
    Sector,
)


@admin.register(Sector)
class SectorAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "order"]


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "short_name", "runs_campaign"]
    search_fields = ["name", "short_name"]


class GridInline(admin.TabularInline):
    model = Grid
    extra = 0


@admin.register(Community)
class CommunityAdmin(ReadOnlyAdmin):
    list_display = ["name", "address"]
    search_fields = ["name"]
    inlines = [GridInline]


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ["name", "credit_code", "industry", "community"]
    search_fields = ["name", "credit_code"]


@admin.register(Institution)
class InstitutionAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "sector", "parent", "is_two_new"]
    list_filter = ["kind", "sector", "is_two_new"]
    search_fields = ["name", "short_name"]
    list_select_related = ["sector", "parent"]


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ["name", "masked_id_number", "masked_phone", "organization", "status"]
    list_filter = ["status", "organization__sector"]
    search_fields = ["name", "name_initials"]
    list_select_related = ["organization"]
    exclude = ["id_number", "phone"]
    readonly_fields = ["masked_id_number", "masked_phone"]

    @admin.display(description="身份证号")
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description="手机号")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(MemberTransfer)
class MemberTransferAdmin(ReadOnlyAdmin):
    list_display = ["member", "from_organization", "to_organization", "transferred_on"]
    list_select_related = ["member", "from_organization", "to_organization"]
