import pytest
from django.core.management import call_command


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
