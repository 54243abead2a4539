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
    # Behind a load balancer the proxy must overwrite X-Real-IP; we never trust X-Forwarded-For
    # chains that a client can prepend to.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None
