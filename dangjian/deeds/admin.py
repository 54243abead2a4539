"""Back-office views of the deeds app. Read-only: request categories are kept on the
dispatcher's 诉求类别 page (deeds.request_services.save_category), which validates the
working-day limits and audits every change; the admin must not bypass that."""

from django.contrib import admin

from dangjian.core.admin import ReadOnlyAdmin
from dangjian.deeds.models import RequestCategory


@admin.register(RequestCategory)
class RequestCategoryAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "department",
        "respond_days",
        "resolve_days",
        "for_enterprises",
        "position",
        "is_active",
    ]
    list_filter = ["is_active", "for_enterprises"]
    search_fields = ["name"]
    list_select_related = ["department"]
