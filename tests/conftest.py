import http.client
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from findings.models import Report
from findings.statistics import content_tables


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    """Tests talk plain HTTP, read static files from the source tree and hash passwords fast.

    Production mode redirects to HTTPS and serves hashed names after
    `collectstatic`; test_settings.py checks both of those separately.
    """
    from django.conf import settings

    with override_settings(
        # Real password hashing costs a third of a second per sign-in; tests sign in hundreds of times.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SECURE_SSL_REDIRECT=False,
        # Secure cookies are never sent over the live server's plain HTTP (browser sign-in tests).
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        WHITENOISE_USE_FINDERS=True,
        WHITENOISE_AUTOREFRESH=True,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database with the real WPSR 2023 content, loaded once for the whole session by
    the command `make run` uses. Each test runs in a transaction that is rolled back, so what
    one test changes, the next never sees."""
    with django_db_blocker.unblock():
        call_command("load_wpsr", verbosity=0)  # it refreshes the planner's statistics too


@pytest.fixture
def db(db, request):
    """A test that does not ask for `wpsr` starts from a database without content (users,
    groups and permissions stay): its own factories make all it sees."""
    if "wpsr" not in request.fixturenames:
        remove_content()


@pytest.fixture
def wpsr(db):
    """The real WPSR 2023 content (loaded once per session by `django_db_setup`).

    Tests on a live server (`transactional_db`) run last, after others have flushed the
    database, so one of them loads the content again when it is missing.
    """
    if not Report.objects.exists():
        call_command("load_wpsr", verbosity=0)


def remove_content():
    """Delete the content, its history, index and tags (users, groups and permissions stay)."""
    # Foreign keys are checked when the transaction ends, so the order does not matter.
    with transaction.atomic(), connection.cursor() as cursor:
        for table in content_tables():
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


# Browser tests (tests/test_browser*.py): Debian's Chromium driven by Playwright; a browser
# download does not work on these machines.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
@pytest.fixture(scope="module")
def _allow_sync_orm_beside_playwright():
    """Playwright's sync API keeps an event loop running in this thread, which Django's ORM refuses."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(_allow_sync_orm_beside_playwright):
    """One headless Chromium per test module; fails, never skips, when it cannot start."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: install the Debian package `chromium` (make system-deps).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except PlaywrightError as error:
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}", pytrace=False)
        yield browser
        browser.close()


@pytest.fixture
def site(transactional_db, wpsr, live_server):
    """The live server's address, serving the real WPSR 2023 content."""
    _assert_plain_http(live_server)
    return live_server.url


@pytest.fixture
def page(browser):
    """A fresh tab with its own history and cookies, at Playwright's default 1280x720 size."""
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def _assert_plain_http(server):
    """Fail clearly, not with Chromium's ERR_SSL_PROTOCOL_ERROR, if the server started before the test settings."""
    http_connection = http.client.HTTPConnection(server.thread.host, server.thread.port, timeout=10)
    http_connection.request("HEAD", "/no-such-page/")
    status = http_connection.getresponse().status
    http_connection.close()
    assert status == 404, f"the live server answers {status}: it was started with SECURE_SSL_REDIRECT on"
