"""Public pages of service requests (群众诉求), no account needed: the intake form, the page
with the new tracking number, the tracking look-up, the status page with its rating form,
and the printable QR poster of a community (for the dispatchers).

Privacy: the status page is shown only to a browser whose session submitted the request or
proved its tracking number and the last four phone digits (`_verify`); it shows `public_text`
and redacted event texts, never the requester's name, phone, IP or photos. The digits travel
by POST only."""

import secrets

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from dangjian.core.errors import DomainError
from dangjian.core.forms import add_domain_error
from dangjian.core.middleware import client_ip
from dangjian.deeds import queries, request_services
from dangjian.deeds.forms import PUBLIC_STATUSES
from dangjian.deeds.models import Deed, RequestEvent, ServiceRequest
from dangjian.deeds.public_forms import IntakeForm, RateForm, TrackForm
from dangjian.deeds.request_queries import (
    IN_HAND,
    may_dispatch,
    may_rate,
    public_event_text,
    public_text,
    scrub,
)
from dangjian.deeds.request_services import RateLimited
from dangjian.orgs.models import Community

S = ServiceRequest.Status
VERIFIED = "verified_requests"  # session: ids of requests this browser proved it may follow
VERIFIED_MAX = 20
SUBMITTED = "submitted_request"  # session: the tracking number just given out


# ---------------------------------------------------------------- intake (反映诉求)


@sensitive_post_parameters("phone", "name")
def request_intake(request):
    form = IntakeForm(request.POST or None, request.FILES or None, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            made = request_services.submit_request(ip=client_ip(request), **form.cleaned_data)
        except RateLimited as exc:
            form.add_error(None, exc.message)
            return _too_many(_intake_page(request, form, status=429), exc)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            request.session[SUBMITTED] = made.tracking_number
            _verify(request, made)
            return redirect("request_submitted")
    return _intake_page(request, form, status=400 if request.method == "POST" else 200)


def _initial(request) -> dict:
    """A fresh submission token; `?community=<id>` (the poster's QR code) picks the community,
    anything else is ignored."""
    initial = {"submission": secrets.token_urlsafe(16)}
    wanted = request.GET.get("community", "")
    if wanted.isdigit() and Community.objects.filter(pk=wanted).exists():
        initial["community"] = int(wanted)
    return initial


def _intake_page(request, form, *, status: int):
    context = {"form": form, "retention_years": settings.REQUEST_RETENTION_YEARS}
    return render(request, "deeds/public/intake.html", context, status=status)


def _too_many(response, exc: RateLimited):
    response["Retry-After"] = str(exc.retry_after)
    return response


def request_submitted(request):
    """The tracking number just given out, big, with what to keep to follow the request."""
    number = request.session.get(SUBMITTED)
    if not number:
        return redirect("request_intake")
    return render(request, "deeds/public/submitted.html", {"tracking_number": number})


# ---------------------------------------------------------------- tracking (查询)


@sensitive_post_parameters("digits")
def request_track(request):
    initial = {"tracking_number": request.GET.get("number", "")[:16]}
    form = TrackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = request_services.find_by_tracking(
                data["tracking_number"], data["digits"], ip=client_ip(request)
            )
        except RateLimited as exc:
            form.add_error(None, exc.message)
            return _too_many(_track_page(request, form, status=429), exc)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            _verify(request, found)
            return redirect("request_status", found.tracking_number)
    return _track_page(request, form, status=400 if request.method == "POST" else 200)


def _track_page(request, form, *, status: int):
    return render(request, "deeds/public/track.html", {"form": form}, status=status)


def _verify(request, found: ServiceRequest) -> None:
    ids = [pk for pk in request.session.get(VERIFIED, []) if pk != found.pk]
    request.session[VERIFIED] = [*ids, found.pk][-VERIFIED_MAX:]


def _verified(request, tracking_number: str) -> ServiceRequest | None:
    """The request, if this browser's session proved it; else None."""
    return (
        ServiceRequest.objects.filter(
            tracking_number=tracking_number, pk__in=request.session.get(VERIFIED, [])
        )
        .select_related("category", "community", "department")
        .prefetch_related(
            Prefetch("events", queryset=RequestEvent.objects.select_related("department"))
        )
        .first()
    )


def _to_look_up(tracking_number: str):
    return redirect(f"{reverse('request_track')}?number={tracking_number}")


def request_status(request, tracking_number: str):
    found = _verified(request, tracking_number)
    if found is None:
        return _to_look_up(tracking_number)
    return _status_page(request, found, RateForm())


def _status_page(request, found: ServiceRequest, rate_form, *, status: int = 200):
    context = {
        "req": found,
        "text": public_text(found),
        "events": [_public_event(e, found) for e in found.events.all()],
        "in_hand": found.status in IN_HAND,
        "deed": _linked_deed(found),
        "may_rate": may_rate(found),
        "rate_form": rate_form,
    }
    return render(request, "deeds/public/status.html", context, status=status)


def _public_event(event: RequestEvent, found: ServiceRequest) -> dict:
    """What the requester sees of a step: its label, time, department and its public text."""
    text = public_event_text(event, found)
    return {
        "kind": event.kind,
        "label": event.get_kind_display(),
        "at": event.at,
        "round": event.round,
        "department": event.department.name if event.department else "",
        "text": text,
    }


def _linked_deed(found: ServiceRequest) -> dict | None:
    """The deed the request became: its title, status and progress; linked to the public
    ledger when it is on it. One query."""
    if found.deed_id is None:
        return None
    deed = (
        queries.with_progress(Deed.objects.filter(pk=found.deed_id))
        .only("pk", "title", "status", "outcome")
        .first()
    )
    if deed is None:
        return None
    return {
        "deed": deed,
        "title": scrub(deed.title, found),
        "progress": deed.progress,
        "public": deed.status in PUBLIC_STATUSES,
    }


# ---------------------------------------------------------------- follow-up (回访评价)


@require_POST
def request_rate(request, tracking_number: str):
    found = _verified(request, tracking_number)
    if found is None:
        return _to_look_up(tracking_number)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            request_services.rate_request(
                found, value=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _thanks(found))
            return redirect("request_status", found.tracking_number)
    found = _verified(request, tracking_number)  # as it stands now, e.g. rated meanwhile
    return _status_page(request, found, form, status=400)


def _thanks(found: ServiceRequest) -> str:
    found.refresh_from_db(fields=["round", "status"])
    if found.round == 2 and found.status != S.CLOSED:
        return "感谢您的评价。您对办理结果不满意，诉求已重新交办，进入第二轮办理。"
    return "感谢您的评价！"


# ---------------------------------------------------------------- the poster (二维码海报)


@login_required
def request_poster(request, community_id: int):
    """An A4 poster for a community's notice boards: a QR code that opens the intake form with
    the community filled in. For the district's dispatchers."""
    if not may_dispatch(request.user):
        raise PermissionDenied
    community = get_object_or_404(Community, pk=community_id)
    intake = request.build_absolute_uri(f"{reverse('request_intake')}?community={community.pk}")
    track = request.build_absolute_uri(reverse("request_track"))
    response = HttpResponse(poster_pdf(community, intake, track), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="request-poster-{community.pk}.pdf"'
    return response


def poster_html(community: Community, intake_url: str, track_url: str) -> str:
    """The poster's page: the QR code (segno, SVG) encodes the intake address with the
    community; the tracking address is printed for those who already submitted."""
    qr = segno.make_qr(intake_url, error="m")
    context = {
        "community": community,
        "intake_url": intake_url,
        "track_url": track_url,
        "qr_src": qr.svg_data_uri(scale=1, border=4, dark="#000", light="#fff", omitsize=True),
    }
    return render_to_string("deeds/public/poster.html", context)


def poster_pdf(community: Community, intake_url: str, track_url: str) -> bytes:
    """An A4 PDF (WeasyPrint, Noto CJK as the attendance sheet)."""
    from weasyprint import HTML  # imported here: loading pango costs time at start-up

    return HTML(string=poster_html(community, intake_url, track_url)).write_pdf()
