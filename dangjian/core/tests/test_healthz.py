import pytest
from django.db import OperationalError

from dangjian.core import views

pytestmark = pytest.mark.django_db


class UnreachableConnection:
    """Stands in for `django.db.connection` when the database server is down."""

    vendor = "postgresql"

    def cursor(self):
        raise OperationalError("connection to server failed: Connection refused")


def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"


def test_healthz_is_never_cached(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_database_is_unreachable(client, monkeypatch):
    monkeypatch.setattr(views, "connection", UnreachableConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "unreachable"
    assert body["status"] != "ok"


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405
