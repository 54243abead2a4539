import json
import logging

from django.conf import settings
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dangjian.accounts.permissions import VIEW_AUDIT_LOG, require_perm
from dangjian.core import audit, queries
from dangjian.core.forms import AuditFilterForm

log = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not. For load balancers: no login."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.exception("health check: database unreachable")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "vendor": connection.vendor})


@require_GET
@require_perm(VIEW_AUDIT_LOG)
def audit_log(request):
    """The audit log, newest first, for the audit administrator. Read only: GET alone."""
    form = AuditFilterForm(request.GET or None)
    form.is_valid()  # a bad field is shown as an error and left out of the filters
    filters = form.cleaned_data if form.is_bound else {}
    entries = queries.audit_entries(**{k: v for k, v in filters.items() if v})
    page = Paginator(entries, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.details_text = json.dumps(entry.details, ensure_ascii=False) if entry.details else ""
        entry.action_label = audit.action_label(entry.action)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "core/audit_log.html", context)
