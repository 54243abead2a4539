import pytest

from dangjian.core import testing


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Argon2 is slow on purpose; tests hash with MD5 (test_settings_use_argon2 proves production).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def district(db):
    return testing.build_district()


@pytest.fixture
def people(district):
    return testing.personas(district)


@pytest.fixture
def alice_client(client, people):
    client.force_login(people["alice"])
    return client
