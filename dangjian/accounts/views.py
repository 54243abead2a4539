"""The user's own account: who they are, what they may do, and their API tokens."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from dangjian.accounts import services
from dangjian.accounts.forms import APITokenForm, LoginForm
from dangjian.accounts.middleware import AFTER_CHANGE
from dangjian.accounts.permissions import MANAGE_MEMBERS, has_perm, require_perm
from dangjian.core import ratelimit
from dangjian.core.errors import DomainError
from dangjian.core.forms import add_domain_error, form_page
from dangjian.core.middleware import client_ip
from dangjian.orgs.models import Member


@login_required
def account(request):
    return _account_page(request, APITokenForm())


@never_cache
@require_POST
@login_required
def api_token_create(request):
    """The secret is rendered in this one answer and never again (no redirect: it is not kept
    anywhere to be shown after one)."""
    form = APITokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = services.create_api_token(
                request.user, form.cleaned_data["name"], by=request.user
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _account_page(request, APITokenForm(), new_token=token, secret=secret)
    return _account_page(request, form, status=400)


@require_POST
@login_required
def api_token_revoke(request, pk: int):
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    services.revoke_api_token(token, by=request.user)
    messages.success(request, f"令牌“{token.name}”已吊销，使用它的程序将无法再访问")
    return redirect("account")


def _account_page(request, form, *, status=200, **extra):
    user = request.user
    context = {
        "form": form,
        "grants": user.grants.select_related("organization", "department", "community"),
        "tokens": user.api_tokens.all(),
        **extra,
    }
    return render(request, "accounts/account.html", context, status=status)


# ---------------------------------------------------------------- logging in


class LoginView(auth_views.LoginView):
    """Django's log-in page with one identifier field, and a limit on failed log-ins per IP
    address on top of django-axes' per-account lock."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        wait = ratelimit.retry_after(_ip_key(request), *_ip_limit())
        if wait:
            return _too_many_failures(request, wait)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        ratelimit.hit(_ip_key(self.request), *_ip_limit())
        return super().form_invalid(form)


def _ip_key(request) -> str:
    return f"login-failures:{client_ip(request)}"


def _ip_limit() -> tuple[int, int]:
    return settings.LOGIN_FAILURES_PER_IP, settings.LOGIN_FAILURE_WINDOW


def _too_many_failures(request, wait: int):
    minutes = -(-wait // 60)
    response = _login_page(request, f"本网络登录失败次数过多，请{minutes}分钟后再试")
    response["Retry-After"] = str(wait)
    return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer (AXES_LOCKOUT_CALLABLE) when an account is locked."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _login_page(request, f"登录失败次数过多，账号已暂时锁定，请{minutes}分钟后再试")


def _login_page(request, error: str):
    form = LoginForm(request, initial={"username": request.POST.get("username", "")})
    context = {"form": form, "error": error, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)


@sensitive_post_parameters()
@login_required
def password_change(request):
    """Set one's own password; required after a one-time password (see the middleware)."""
    form = PasswordChangeForm(request.user, request.POST or None)

    def change(data):
        services.change_own_password(request.user, data["new_password1"], by=request.user)
        update_session_auth_hash(request, request.user)  # stay logged in

    return form_page(
        request,
        form,
        change,
        template="accounts/password_change.html",
        context={"forced": request.user.must_change_password},
        success_message="密码已修改",
        success_url=lambda _: _after_change(request),
    )


def _after_change(request) -> str:
    """The page the user was kept from by the required change, else home."""
    url = request.session.pop(AFTER_CHANGE, "")
    safe = url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else reverse("home")


# ---------------------------------------------------------------- members' accounts


@never_cache
@require_POST
@require_perm(MANAGE_MEMBERS)
def member_account_activate(request, pk: int):
    member = _managed_member(request, pk)
    return _member_account_action(
        request, member, lambda: services.activate_member_account(member, by=request.user)[1]
    )


@never_cache
@require_POST
@require_perm(MANAGE_MEMBERS)
def member_account_reset(request, pk: int):
    member = _managed_member(request, pk)
    return _member_account_action(
        request, member, lambda: services.reset_member_password(member, by=request.user)
    )


def _managed_member(request, pk: int) -> Member:
    member = get_object_or_404(
        Member.objects.visible_to(request.user, MANAGE_MEMBERS).select_related("organization"),
        pk=pk,
    )
    if not has_perm(request.user, MANAGE_MEMBERS, member):
        raise PermissionDenied
    return member


def _member_account_action(request, member: Member, action):
    """Run `action` (which returns a one-time password) and show the password this once."""
    try:
        password = action()
    except DomainError as exc:
        return _member_account_page(request, member, status=409, error=exc.message)
    member.refresh_from_db(fields=["user"])
    return _member_account_page(request, member, one_time_password=password)


def _member_account_page(request, member: Member, *, status: int = 200, **extra):
    template = "accounts/_member_account.html" if request.htmx else "accounts/member_account.html"
    return render(request, template, {"member": member, **extra}, status=status)
