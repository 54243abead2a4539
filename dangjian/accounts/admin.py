from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from dangjian.accounts.models import Grant, User


class GrantInline(admin.TabularInline):
    model = Grant
    extra = 0
    autocomplete_fields = ["organization", "department", "community"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "name", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "name"]
    fieldsets = BaseUserAdmin.fieldsets + (("平台", {"fields": ["name", "must_change_password"]}),)
    inlines = [GrantInline]
