"""Settings for the test suite: production mode (DEBUG off, as pytest-django runs it) with a
test-only key, plain HTTP, static files from the source tree and fast password hashing.

Production mode redirects to HTTPS and serves hashed names after `collectstatic`;
tests/test_settings.py checks both of those with portal.settings itself.
"""
import os

# Before portal.settings reads it: production mode refuses to start with the development key.
os.environ.setdefault("SECRET_KEY", "test-only-key-never-used-outside-the-test-suite-9f3c1a7e5b")

from .settings import *  # noqa: E402, F403
from .settings import STORAGES  # noqa: E402

# Real password hashing costs a third of a second per sign-in; tests sign in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
# Secure cookies are never sent over the live server's plain HTTP (browser sign-in tests).
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# One cache per test process, emptied before each test (tests/conftest.py); the shared
# backends (a folder, Redis) are tested on their own in tests/test_cache.py.
CACHES = {
    alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
    for alias in ("default", "generation")
}
