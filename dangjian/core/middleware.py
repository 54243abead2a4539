from django.conf import settings

from dangjian.core import audit


class RequestContextMiddleware:
    """Makes the client IP of the current request available to `audit.record`, and marks
    requests made by htmx (`request.htmx`) so views can answer with a fragment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.htmx = request.headers.get("HX-Request") == "true"
        token = audit.current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            audit.current_ip.reset(token)


def client_ip(request) -> str | None:
    # X-Real-IP only when settings say a proxy in front overwrites it (TRUST_X_REAL_IP): a
    # client could otherwise pick any address to dodge per-IP limits. X-Forwarded-For chains,
    # which a client can prepend to, are never trusted.
    if settings.TRUST_X_REAL_IP and request.META.get("HTTP_X_REAL_IP"):
        return request.META["HTTP_X_REAL_IP"]
    return request.META.get("REMOTE_ADDR") or None
