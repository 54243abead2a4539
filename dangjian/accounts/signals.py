"""Security audit of logging in and out, from Django's auth signals and django-axes' lockout
signal. `authenticate` runs outside any transaction, so a refused log-in's entry is committed
on its own and is never rolled back with anything else. Also how long a member's session lasts."""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from dangjian.accounts.backends import find_user, masked_identifier, parse_identifier
from dangjian.accounts.permissions import granted_capabilities, own_member_id
from dangjian.core import audit
from dangjian.core.models import AuditEntry


def connect() -> None:
    user_logged_in.connect(logged_in, dispatch_uid="audit_logged_in")
    user_logged_in.connect(member_session_lasts, dispatch_uid="member_session_lasts")
    user_logged_out.connect(logged_out, dispatch_uid="audit_logged_out")
    user_login_failed.connect(login_failed, dispatch_uid="audit_login_failed")
    user_locked_out.connect(locked_out, dispatch_uid="audit_locked_out")


def logged_in(sender, request, user, **kwargs) -> None:
    typed = _typed(request)
    via = parse_identifier(typed)[0] if typed else ""
    audit.record("accounts.login.succeeded", user, actor=user, details={"via": via})


def member_session_lasts(sender, request, user, **kwargs) -> None:
    """A member who holds no other role stays logged in on their phone for
    MEMBER_SESSION_AGE, so they rarely log in at the door; staff keep the default."""
    if request is None or not hasattr(request, "session"):
        return
    if own_member_id(user) is not None and not granted_capabilities(user) and not user.is_staff:
        request.session.set_expiry(settings.MEMBER_SESSION_AGE)


def logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit.record("accounts.logout", user, actor=user)


def login_failed(sender, credentials, request=None, **kwargs) -> None:
    """A wrong identifier or password, or any attempt while the account is locked (django-axes
    refused it before a password was checked)."""
    typed = credentials.get("username") or ""
    refused = request is not None and not getattr(request, "credentials_checked", False)
    audit.record(
        "accounts.login.failed",
        find_user(typed) if typed else None,
        outcome=AuditEntry.Outcome.DENIED if refused else AuditEntry.Outcome.FAILURE,
        details={
            "identifier": masked_identifier(typed),
            "reason": "locked_out" if refused else "wrong_credentials",
        },
    )


def locked_out(sender, request, username, ip_address, **kwargs) -> None:
    """Recorded once, when the lock begins; the refused attempts that follow are failures."""
    if not getattr(request, "credentials_checked", False):
        return
    typed = _typed(request)
    audit.record(
        "accounts.login.locked_out",
        find_user(typed) if typed else None,
        outcome=AuditEntry.Outcome.DENIED,
        details={
            "identifier": masked_identifier(typed),
            "failures": settings.AXES_FAILURE_LIMIT,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )


def _typed(request) -> str:
    if request is None or request.method != "POST":
        return ""
    return request.POST.get("username", "")
