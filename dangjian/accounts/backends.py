"""Log-in by what people know: a member types their mobile number or ID number, staff type
their account name. Every form of one person's identifier leads to the same account, and to
the same lockout counter (`account_key`, django-axes' AXES_USERNAME_CALLABLE)."""

import hashlib
import re

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from dangjian.accounts.models import User
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.validators import normalize_code, validate_mobile

ID_SHAPE = re.compile(r"\d{17}[\dX]")
DIGITS_SHAPE = re.compile(r"\d{6,}X?")


def parse_identifier(typed: str) -> tuple[str, str]:
    """("phone" | "id_number" | "username", the normalised value)."""
    typed = str(typed or "")
    try:
        return "phone", validate_mobile(typed)
    except ValidationError:
        pass
    code = normalize_code(typed)
    if ID_SHAPE.fullmatch(code):
        return "id_number", code
    return "username", typed.strip()


def find_user(typed: str) -> User | None:
    """The account a typed identifier names: a member's by phone or ID number, else by username."""
    kind, value = parse_identifier(typed)
    if kind != "username":
        user = User.objects.filter(**{f"member__{kind}": value}).first()
        if user is not None:
            return user
    return User.objects.filter(username=str(typed or "").strip()).first()


def masked_identifier(typed: str) -> str:
    """The typed identifier as the audit log keeps it: phones and ID numbers masked."""
    kind, value = parse_identifier(typed)
    if kind == "phone":
        return mask_phone(value)
    if kind == "id_number" or DIGITS_SHAPE.fullmatch(normalize_code(value)):
        return mask_id_number(value)
    return value[:150]


def account_key(request, credentials: dict | None = None) -> str | None:
    """The lockout key of a log-in attempt: the account's username, whichever identifier was
    typed; a digest for identifiers that name no account (so no ID number is stored)."""
    typed = (credentials or {}).get("username") if credentials else None
    if typed is None and request is not None:
        typed = request.POST.get("username")
    if not typed:
        return None
    keys = request.__dict__.setdefault("_account_keys", {}) if request is not None else {}
    if typed not in keys:
        keys[typed] = _account_key(typed)
    return keys[typed]


def _account_key(typed: str) -> str:
    user = find_user(typed)
    if user is not None:
        return user.get_username()
    value = parse_identifier(typed)[1]
    return "unknown:" + hashlib.sha256(value.encode()).hexdigest()[:24]


class IdentifierBackend(ModelBackend):
    """Checks the password of the account `find_user` names. Marks the request so the audit
    can tell a checked password from an attempt django-axes refused before any check."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None:
            request.credentials_checked = True
        if not username or password is None:
            return None
        user = find_user(username)
        if user is None:
            User().set_password(password)  # as long as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
