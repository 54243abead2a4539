from django.contrib import admin

from dangjian.core.models import AuditEntry


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
