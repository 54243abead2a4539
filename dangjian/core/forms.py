"""Helpers for pages whose forms write through a service."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEntry


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the field it names (or on the form as a whole)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def redirect(request, url: str) -> HttpResponse:
    """A redirect that also works for htmx requests (which would otherwise swap the page)."""
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def form_page(
    request, form, action, *, template: str, context: dict, success_message: str, success_url
):
    """Run `action(cleaned_data)` for a valid POST and redirect to `success_url(result)`;
    otherwise (re-)render the form, with status 400 when a POST was refused."""
    if request.method == "POST" and form.is_valid():
        try:
            result = action(form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, success_message)
            return redirect(request, success_url(result))
    status = 400 if request.method == "POST" else 200
    return render(request, template, {**context, "form": form}, status=status)


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="操作人", required=False, max_length=150)
    action = forms.CharField(label="操作", required=False, max_length=80)
    obj = forms.CharField(label="对象", required=False, max_length=200)
    since = forms.DateField(label="起始日期", required=False)
    until = forms.DateField(label="截止日期", required=False)
    outcome = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部结果"), *AuditEntry.Outcome.choices]
    )
