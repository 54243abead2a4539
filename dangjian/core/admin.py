from django.contrib import admin

from dangjian.core.models import AuditEntry, CalendarDay


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that only services write: the back office may look, never change."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log is append-only and written by services."""

    list_display = ["at", "actor_label", "ip", "action", "object_repr", "outcome"]
    list_filter = ["outcome", "action"]
    search_fields = ["actor_label", "action", "object_repr", "object_id"]
    date_hierarchy = "at"


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin):
    """Kept on the dispatcher's 节假日安排 page (deeds.request_services.set_calendar_day), which
    audits every change; the back office only looks."""

    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
