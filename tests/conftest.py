import http.client
from pathlib import Path

import django.test
import pytest
from django.core.management import call_command
from django.db import connection, transaction
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from findings.models import Report
from findings.statistics import content_tables

from .html import keep_body


class Client(django.test.Client):
    """Django's test client, except that a streamed download is read once as it arrives, so
    that a test may read its body as often as it needs (`response.getvalue()`)."""

    def request(self, **request):
        return keep_body(super().request(**request))


@pytest.fixture
def client():
    return Client()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty page cache: the previous test's pages were rendered from
    data its rollback undid."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in English: a request under a language prefix leaves its language
    active on the thread (as LocaleMiddleware does for every request, which activates its own),
    which would otherwise reach the next test's get_absolute_url() or gettext."""
    from django.utils import translation

    translation.deactivate()


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


# Chromium reports a refused inline script or style twice: as a `securitypolicyviolation` event
# (with the directive and the line) and as a console message (with the hash that would allow it);
# an error in the Permissions-Policy header only on the console. The page fixture collects all.
_REPORT_POLICY_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportPolicyViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline code"} on ${event.documentURI}`
    + (event.sourceFile ? ` (${event.sourceFile}:${event.lineNumber})` : "")
  );
});
"""
_POLICY_CONSOLE_WORDS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy", "Permissions policy")


@pytest.fixture
def page(browser):
    """A fresh tab with its own history and cookies, at Playwright's default 1280x720 size.

    The test fails at teardown if Chromium reported any Content-Security-Policy violation
    or any error in the Permissions-Policy header, on any page the tab opened.
    """
    context = browser.new_context()
    violations = []
    context.expose_binding("reportPolicyViolation", lambda source, text: violations.append(f"event: {text}"))
    context.add_init_script(_REPORT_POLICY_VIOLATIONS)

    def record_console(message):
        if any(words in message.text for words in _POLICY_CONSOLE_WORDS):
            violations.append(f"console {message.type} on {message.page.url if message.page else '?'}: {message.text}")

    context.on("console", record_console)  # popups (the admin's "+" beside a link) included
    page = context.new_page()
    yield page
    context.close()  # delivers the reports still on their way
    if violations:
        pytest.fail(
            f"{len(violations)} policy violations reported by Chromium:\n" + "\n".join(f"- {v}" for v in violations),
            pytrace=False,
        )


def _assert_plain_http(server):
    """Fail clearly, not with Chromium's ERR_SSL_PROTOCOL_ERROR, if the live server redirects to HTTPS
    (portal.test_settings turns the redirect off)."""
    http_connection = http.client.HTTPConnection(server.thread.host, server.thread.port, timeout=10)
    http_connection.request("HEAD", "/no-such-page/")
    status = http_connection.getresponse().status
    http_connection.close()
    assert status == 404, f"the live server answers {status}: it was started with SECURE_SSL_REDIRECT on"
