import http.client
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright


@pytest.fixture(autouse=True)
def _plain_http_and_unhashed_static(settings):
    """Tests talk plain HTTP and read static files from the source tree.

    Production mode redirects to HTTPS and serves hashed names after
    `collectstatic`; test_settings.py checks both of those separately.
    """
    settings.SECURE_SSL_REDIRECT = False
    # Secure cookies are never sent over the live server's plain HTTP (browser sign-in tests).
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def wpsr(db):
    """The real WPSR 2023 content, loaded by the same command `make run` uses."""
    call_command("load_wpsr", verbosity=0)


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
def site(request, transactional_db):
    """The live server's address, serving the real WPSR 2023 content.

    The session-wide live server is started here, after conftest's per-test settings are in
    place, because SecurityMiddleware and WhiteNoise read them only once, when it starts.
    """
    server = request.getfixturevalue("live_server")
    _assert_plain_http(server)
    call_command("load_wpsr", verbosity=0)
    return server.url


@pytest.fixture
def page(browser):
    """A fresh tab with its own history and cookies, at Playwright's default 1280x720 size."""
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def _assert_plain_http(server):
    """Fail clearly, not with Chromium's ERR_SSL_PROTOCOL_ERROR, if the server started before the test settings."""
    connection = http.client.HTTPConnection(server.thread.host, server.thread.port, timeout=10)
    connection.request("HEAD", "/no-such-page/")
    status = connection.getresponse().status
    connection.close()
    assert status == 404, f"the live server answers {status}: it was started with SECURE_SSL_REDIRECT on"
