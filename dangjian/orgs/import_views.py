"""Pages of the roster and organization imports: upload → problem report (400, nothing
written) or preview → confirm → result.

The uploaded bytes wait on the server (core.uploads) between the preview and the confirmation,
so the import writes exactly the file that was previewed; the confirmation plans the file again
before committing, so a change in the database since the preview is caught."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from dangjian.accounts.permissions import MANAGE_MEMBERS, MANAGE_ORGANIZATIONS, require_perm
from dangjian.core import uploads
from dangjian.core.errors import DomainError
from dangjian.core.spreadsheets import SpreadsheetError, xlsx_response
from dangjian.orgs import imports
from dangjian.orgs.forms import ImportForm

SHOWN = imports.PREVIEW_ROWS  # rows of problems, updates and creates a page lists


@dataclass(frozen=True)
class ImportPage:
    kind: str  # what the waiting upload is, for core.uploads
    title: str
    noun: str  # 党员 / 党组织
    plan: Callable
    commit: Callable
    back: str  # the list page's URL name
    template: str  # the blank template's URL name


MEMBERS = ImportPage(
    kind="members",
    title="导入党员名册",
    noun="党员",
    plan=imports.plan_member_import,
    commit=imports.commit_member_import,
    back="member_list",
    template="member_import_template",
)
ORGANIZATIONS = ImportPage(
    kind="organizations",
    title="导入党组织",
    noun="党组织",
    plan=imports.plan_organization_import,
    commit=imports.commit_organization_import,
    back="organization_tree",
    template="organization_import_template",
)


@require_perm(MANAGE_MEMBERS)
def member_import(request):
    return _import(request, MEMBERS)


@require_perm(MANAGE_ORGANIZATIONS)
def organization_import(request):
    return _import(request, ORGANIZATIONS)


@login_required
def import_report(request, token: str):
    """The red-marked copy of an uploaded file; only for the user who uploaded it."""
    report = uploads.load(token, owner=request.user, kind="report")
    if report is None:
        raise Http404("问题报告不存在或已过期")
    return xlsx_response(report.data, report.filename)


def _import(request, page: ImportPage):
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, page)
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        return _check(request, page, form)
    return _render(request, page, {"form": form}, 400 if posted else 200)


def _check(request, page: ImportPage, form: ImportForm):
    upload = form.cleaned_data["file"]
    data = upload.read(settings.IMPORT_MAX_BYTES + 1)  # read_table refuses what is over
    try:
        plan = page.plan(data, upload.name, user=request.user)
    except SpreadsheetError as exc:
        form.add_error("file", exc.message)
        return _render(request, page, {"form": form}, 400)
    if plan.problems:
        return _problems(request, page, plan, data, upload.name)
    token = uploads.stash(data, owner=request.user, kind=page.kind, filename=upload.name)
    return _render(request, page, {"plan": plan, "token": token, "filename": upload.name})


def _confirm(request, page: ImportPage):
    upload = uploads.take(request.POST["token"], owner=request.user, kind=page.kind)
    if upload is None:
        return _render(request, page, {"form": ImportForm(), "gone": True}, 404)
    plan = page.plan(upload.data, upload.filename, user=request.user)
    if plan.problems:  # the database changed since the preview
        return _problems(request, page, plan, upload.data, upload.filename)
    try:
        counts = page.commit(plan, user=request.user, filename=upload.filename, data=upload.data)
    except DomainError as exc:  # lost a race with another write: nothing was written
        return _render(request, page, {"form": ImportForm(), "error": exc.message}, 409)
    return _render(request, page, {"counts": counts, "filename": upload.filename})


def _problems(request, page: ImportPage, plan, data: bytes, filename: str):
    report = uploads.stash(
        plan.report(data),
        owner=request.user,
        kind="report",
        filename=f"{PurePath(filename).stem}-问题报告.xlsx",
    )
    context = {"form": ImportForm(), "plan": plan, "report": report, "filename": filename}
    return _render(request, page, context, 400)


def _render(request, page: ImportPage, context: dict, status: int = 200):
    return render(
        request, "orgs/import.html", {"page": page, "shown": SHOWN, **context}, status=status
    )
