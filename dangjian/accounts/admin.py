from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError

from dangjian.accounts import services
from dangjian.accounts.models import Grant, User
from dangjian.core.errors import DomainError


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "name", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "name"]
    fieldsets = BaseUserAdmin.fieldsets + (("平台", {"fields": ["name", "must_change_password"]}),)


class GrantForm(forms.ModelForm):
    class Meta:
        model = Grant
        fields = ["user", "role", "organization", "department", "community", "extra_capabilities"]

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            raise ValidationError("授权不能修改：请撤销后重新授权")
        if data.get("user") and data.get("role"):
            try:
                services.check_grant(
                    data["user"],
                    data["role"],
                    organization=data.get("organization"),
                    department=data.get("department"),
                    community=data.get("community"),
                )
            except DomainError as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    """Grants are written through accounts.services so each one is checked and audited."""

    form = GrantForm
    list_display = ["user", "role", "organization", "department", "community", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__name"]
    autocomplete_fields = ["user", "organization", "department", "community"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            grant = services.grant_role(
                data["user"],
                data["role"],
                by=request.user,
                organization=data.get("organization"),
                department=data.get("department"),
                community=data.get("community"),
                extra_capabilities=data.get("extra_capabilities") or (),
            )
        except DomainError as exc:  # lost a race with another grant
            messages.error(request, exc.message)
            return
        obj.pk = grant.pk

    def delete_model(self, request, obj):
        services.revoke_grant(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for grant in queryset:
            services.revoke_grant(grant, by=request.user)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)
