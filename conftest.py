import pytest

from dangjian.core import testing


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Argon2 is slow on purpose; tests hash with MD5 (test_settings_use_argon2 proves production).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(items):
    """A transactional test flushes the database when it ends, taking the rows data migrations
    inserted (the six sectors) from every test after it. Serialized rollback puts them back
    before each transactional test."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and "serialized_rollback" not in marker.kwargs
        ):
            kwargs = {**marker.kwargs, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Uploaded photos go to a folder of the test's own, never to var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the cache: one test's failed log-ins must not limit the next.
    # (django-axes keeps its lockouts in the database, which every test starts empty.)
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser(django_db_setup):
    """Debian's Chromium driven by Playwright (never `playwright install`). Missing Chromium
    fails under CI and skips elsewhere."""
    import os
    from pathlib import Path

    from django.db import connections

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs it")
        pytest.skip("Chromium is not installed; `make test` installs it")
    # Playwright's sync API runs an event loop; Django refuses ORM calls inside one otherwise.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # a busy CI machine is slower than the default 5 s

    serialized = getattr(connections["default"], "_test_serialized_contents", None)
    with sync_playwright() as playwright:
        # With the loop running, Django hands this thread a new connection object: give it the
        # serialized database, or serialized rollback silently restores nothing.
        if serialized is not None:
            connections["default"]._test_serialized_contents = serialized
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser):
    """A page the size of a small phone (375 px wide), in Chinese."""
    context = browser.new_context(
        viewport={"width": 375, "height": 812},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
