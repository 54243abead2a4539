import datetime as dt
from contextlib import contextmanager
from unittest import mock

from django.urls import reverse
from django.utils import timezone

from dangjian.core.testing import PASSWORD


def log_in(client, identifier: str, password: str = PASSWORD, **extra):
    return client.post(reverse("login"), {"username": identifier, "password": password}, **extra)


def logged_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


@contextmanager
def minutes_later(minutes: int):
    """Move django-axes' clock (it stamps each attempt with `axes.handlers.proxy.now`)."""
    later = timezone.now() + dt.timedelta(minutes=minutes)
    with mock.patch("axes.handlers.proxy.now", return_value=later):
        yield
