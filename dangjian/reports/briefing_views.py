"""Briefings (工作简报): the list, drafting a new one for a period and scope, editing it in
versions beside the figures behind it, and downloading it as .docx or PDF.

Anyone with a scope (`scope_of`) writes briefings: the operator for any scope the dashboard
offers, a secretary or an officer for their own only. A briefing of another scope is not found
(404)."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from dangjian.core.errors import DomainError
from dangjian.core.forms import add_domain_error, redirect
from dangjian.reports import dashboard, documents, services
from dangjian.reports.briefings import changed_figures, draft, unchanged
from dangjian.reports.models import Briefing, BriefingVersion
from dangjian.reports.scopes import scope_of


class BriefingTextForm(forms.Form):
    title = forms.CharField(
        label="标题",
        max_length=services.TITLE_MAX,
        error_messages={"required": "请填写简报标题", "max_length": "标题过长"},
    )
    body = forms.CharField(
        label="正文",
        widget=forms.Textarea(attrs={"rows": 24}),
        max_length=services.BODY_MAX,
        strip=False,
        error_messages={"required": "请填写简报正文", "max_length": "正文过长"},
        help_text="每段一行；不以标点结尾的短行（30字以内）作为小标题。",
    )
    based_on = forms.IntegerField(required=False, widget=forms.HiddenInput)


def _own_scope(user):
    scope = scope_of(user)
    if scope is None:
        raise PermissionDenied
    return scope


def _visible(request, pk: int) -> Briefing:
    return get_object_or_404(Briefing.objects.visible_to(_own_scope(request.user)), pk=pk)


@login_required
def briefing_list(request):
    scope = _own_scope(request.user)
    latest = BriefingVersion.objects.filter(briefing=OuterRef("pk")).order_by("-number")
    briefings = (
        Briefing.objects.visible_to(scope)
        .annotate(
            title=Subquery(latest.values("title")[:1]),
            updated_at=Subquery(latest.values("created_at")[:1]),
            version_count=Count("versions"),
        )
        .select_related("created_by")
    )
    return render(request, "reports/briefing_list.html", {"briefings": briefings, "scope": scope})


@login_required
def briefing_create(request):
    """GET: the draft for the chosen period and scope, to edit. POST: save it as version 1."""
    own = _own_scope(request.user)
    choice = dashboard.DashboardForm(
        request.POST if request.method == "POST" else (request.GET or None),
        operator=own.everything,
    )
    period, scope = dashboard.chosen(choice, own)
    generated = draft(period, scope)
    text = BriefingTextForm(
        request.POST if request.method == "POST" else None,
        initial={"title": generated.title, "body": generated.body},
    )
    status = 400 if choice.is_bound and not choice.is_valid() else 200
    if request.method == "POST" and status == 200 and text.is_valid():
        try:
            briefing = services.create_briefing(
                by=request.user,
                period=period,
                scope=scope,
                title=text.cleaned_data["title"],
                body=text.cleaned_data["body"],
                generated=generated,
            )
        except DomainError as exc:
            add_domain_error(text, exc)
        else:
            messages.success(request, "工作简报已保存为第1版。")
            return redirect(request, reverse("briefing_detail", args=[briefing.pk]))
    if request.method == "POST":
        status = 400
    context = {
        "choice": choice,
        "form": text,
        "period": period,
        "scope": scope,
        "checks": unchanged(generated.figures),
        "scope_value": choice.cleaned_data.get("scope", "") if choice.is_valid() else "",
    }
    return render(request, "reports/briefing_create.html", context, status=status)


@login_required
def briefing_detail(request, pk: int):
    """The latest version to edit ("保存新版本"), the history, and the figures behind the
    draft, each flagged if its value has changed since."""
    briefing = _visible(request, pk)
    latest = briefing.latest_version()
    form = BriefingTextForm(
        request.POST if request.method == "POST" and "regenerate" not in request.POST else None,
        initial={"title": latest.title, "body": latest.body, "based_on": latest.number},
    )
    status = 200
    if request.method == "POST":
        outcome = _post(request, briefing, form)
        if outcome is not None:
            return outcome
        status = 400
    versions = briefing.versions.select_related("created_by").order_by("-number")
    context = {
        "briefing": briefing,
        "latest": latest,
        "form": form,
        "versions": versions,
        "checks": changed_figures(latest.figures, briefing.period, briefing.the_scope),
    }
    return render(request, "reports/briefing_detail.html", context, status=status)


def _post(request, briefing: Briefing, form: BriefingTextForm):
    """The redirect after a saved version; None when the form is shown again with errors."""
    try:
        if "regenerate" in request.POST:
            version = services.regenerate(briefing, by=request.user)
        elif form.is_valid():
            version = services.save_version(
                briefing,
                by=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                based_on=form.cleaned_data["based_on"],
            )
        else:
            return None
    except DomainError as exc:
        add_domain_error(form, exc)
        return None
    messages.success(request, f"已保存为第{version.number}版。")
    return redirect(request, reverse("briefing_detail", args=[briefing.pk]))


def _version(request, briefing: Briefing) -> BriefingVersion:
    """The version asked for (?version=N), the latest by default."""
    number = request.GET.get("version", "")
    if number.isdigit():
        return get_object_or_404(briefing.versions, number=int(number))
    return briefing.latest_version()


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    ascii_name = "briefing" + filename[filename.rindex(".") :]
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def briefing_docx(request, pk: int):
    briefing = _visible(request, pk)
    version = _version(request, briefing)
    data = documents.briefing_docx(briefing, version)
    services.record_download(briefing, version, by=request.user, fmt="docx")
    return _download(
        data,
        f"{version.title}（第{version.number}版）.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@login_required
def briefing_pdf(request, pk: int):
    briefing = _visible(request, pk)
    version = _version(request, briefing)
    data = documents.briefing_pdf(briefing, version)
    services.record_download(briefing, version, by=request.user, fmt="pdf")
    return _download(data, f"{version.title}（第{version.number}版）.pdf", "application/pdf")
