from django.contrib import admin

from dangjian.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only and written by services."""

    list_display = ["at", "actor_label", "ip", "action", "object_repr", "outcome"]
    list_filter = ["outcome", "action"]
    search_fields = ["actor_label", "action", "object_repr", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
