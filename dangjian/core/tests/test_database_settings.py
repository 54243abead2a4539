"""How the app talks to PostgreSQL: server-side parameters and prepared statements."""

import pytest
from django.db import connection

from dangjian import settings
from dangjian.accounts.models import User

POSTGRES_URL = "postgres://dangjian@db.internal:5432/dangjian?sslmode=require"


@pytest.mark.django_db
def test_postgresql_prepares_the_queries_every_request_repeats():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    for _ in range(6):  # prepared from the fifth run on a connection
        list(User.objects.filter(username="nobody"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "accounts_user"' in statement for statement in prepared)


def test_prepared_statements_are_on_and_url_options_are_kept(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", POSTGRES_URL)
    monkeypatch.delenv("DATABASE_PREPARED_STATEMENTS", raising=False)
    options = settings._database()["OPTIONS"]
    assert options == {"server_side_binding": True, "prepare_threshold": 5, "sslmode": "require"}


def test_prepared_statements_can_be_turned_off_for_a_pooler(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", POSTGRES_URL)
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "0")
    options = settings._database()["OPTIONS"]
    assert options["prepare_threshold"] is None and options["sslmode"] == "require"


def test_sqlite_gets_no_postgresql_options(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    options = settings._database()["OPTIONS"]
    assert "server_side_binding" not in options and options["transaction_mode"] == "IMMEDIATE"
