from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse

AFTER_CHANGE = "accounts.after_password_change"


class PasswordChangeRequiredMiddleware:
    """A user with a one-time password (`must_change_password`) sees only the change-password
    page until they set their own; logging out and static files stay reachable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.must_change_password and not _exempt(request.path):
            if request.method == "GET" and request.headers.get("HX-Request") != "true":
                # Back here once the password is changed (a member who scanned a QR code
                # at the door lands on the check-in, not on the home page).
                request.session[AFTER_CHANGE] = request.get_full_path()
            return _redirect(request, reverse("password_change"))
        return self.get_response(request)


def _exempt(path: str) -> bool:
    return path in (reverse("password_change"), reverse("logout")) or path.startswith(
        settings.STATIC_URL
    )


def _redirect(request, url: str) -> HttpResponse:
    # Runs before core's middleware marks htmx requests, so it reads the header itself:
    # htmx would follow a 302 and swap the page into a fragment's place.
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)
