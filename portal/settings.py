"""Settings for the WPSR 2023 portal, read from environment variables.

Defaults are safe: without DEBUG=1 the site runs in production mode (secure
cookies, HSTS, HTTPS redirect). `make run` sets DEBUG=1 for local development.
"""
import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean; a value that is neither true nor false stops start-up."""
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1 or 0)")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """Read an integer of at least `minimum`; anything else stops start-up."""
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} must be at least {minimum}")
    return number


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated list."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def csp_hash(inline: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline code."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()}'"


DEBUG = env_bool("DEBUG", False)

# The fallback key only suits development (DEBUG=1); production mode refuses to start with it,
# since anyone who reads this file could sign sessions, password-reset links and CSRF tokens.
# Tests set their own key (portal/test_settings.py).
DEVELOPMENT_SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: production mode (DEBUG off) refuses the development key. "
        "Set SECRET_KEY to a long random value, or DEBUG=1 for local development."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "simple_history",
    "import_export",
    "axes",
    "csp",
    "corsheaders",
    "ninja",  # its templates and static files: the API's docs page is served from this site
    "findings",
]

MIDDLEWARE = [
    # Outermost: one log line for every request, however it was answered.
    "findings.middleware.request_log",
    # Next, so that every response carries the policies, even the HTTPS redirect and the 400
    # for an unknown host that SecurityMiddleware and CommonMiddleware answer themselves.
    "csp.middleware.CSPMiddleware",
    "findings.middleware.permissions_policy",
    # Before anything that answers by itself, so that the API's errors carry the CORS header too.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The URL's language prefix decides the language of every public page
    # (findings.middleware.LocaleMiddleware); it reads no session (only the admin follows the
    # browser, from Accept-Language or the language cookie), so it can come before the cache,
    # which keys its pages by the active language.
    "findings.middleware.LocaleMiddleware",
    # Before anything that reads the session or the database: anonymous visitors' pages come
    # from the cache (findings.cache), even while the database is away.
    "findings.cache.page_cache",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "findings.middleware.reject_nul_characters",
    "findings.middleware.RejectMalformedHistoryIds",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes checks every sign-in first, so a locked-out user is refused before the password is.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Curators sign in at the admin; a sign-in without `next` lands on its index, not /accounts/profile/.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "findings.context_processors.canonical",
                "findings.context_processors.languages",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

# SQLite is the embedded default; DATABASE_URL (postgres://...) selects PostgreSQL.
# Under gunicorn (gunicorn.conf.py) requests run on threads that do not outlive them, so that
# configuration asks for no persistent connections (CONN_MAX_AGE=0) and, on PostgreSQL, for a
# pool per worker (DB_POOL=1) that checks each connection before lending it: a restarted server
# is reconnected to by itself, and a stopped one is a 503 after DB_POOL_TIMEOUT seconds.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if env_bool("DB_POOL", False) and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django checks each pooled connection before lending it when CONN_HEALTH_CHECKS is on.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env_int("DB_POOL_SIZE", 8, minimum=1),
        "timeout": env_int("DB_POOL_TIMEOUT", 5, minimum=1),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The interface speaks the six official languages of the United Nations; the content (the
# report's words, titles, tags) stays in English, the report's only language. English is at
# the unprefixed addresses people cite; the others under /ar/, /zh-hans/, /fr/, /ru/, /es/
# (portal/urls.py). Each language is named in itself, as the language switcher shows it.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("ar", "العربية"),
    ("zh-hans", "中文"),
    ("en", "English"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("es", "Español"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names; `collectstatic` must run before serving with DEBUG off.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

TAGGIT_CASE_INSENSITIVE = True
# Commas separate tags, a tag may contain spaces (findings/tagging.py): the admin's tag field
# reads and writes tags as the bulk actions, the import and export and the history do.
TAGGIT_TAGS_FROM_STRING = "findings.tagging.tags_from_string"
TAGGIT_STRING_FROM_TAGS = "findings.tagging.string_from_tags"

# Production hardening: on whenever DEBUG is off, so `check --deploy` is clean.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp), in every mode: this site's own files only, no inline
# script or style, the admin included (README: production). templates/admin/import_export/
# export.html replaces the one admin template with inline code. What the admin's libraries
# write in Python or include themselves keeps a few fixed style attributes, allowed by their
# hashes: 'unsafe-hashes' admits exactly these values, never one typed into content.
ADMIN_STYLE_ATTRIBUTES = [
    "border-top: 0",  # django-simple-history's list of versions
    "background:#e6ffe6;",  # django-import-export's preview: inserted text (diff-match-patch)
    "background:#ffe6e6;",  # and deleted text
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],  # the admin's icons are data: URLs in its stylesheets
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_HASHES, *(csp_hash(style) for style in ADMIN_STYLE_ATTRIBUTES)],
        "script-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features no page of this site uses, refused to it and to anything it could embed
# (findings.middleware.permissions_policy sends `feature=()` for each).
PERMISSIONS_POLICY_DISABLED = [
    "accelerometer", "browsing-topics", "camera", "display-capture", "geolocation", "gyroscope", "hid",
    "magnetometer", "microphone", "midi", "payment", "serial", "usb", "xr-spatial-tracking",
]
if env_bool("BEHIND_TLS_PROXY", False):
    # Only behind a proxy that sets this header itself (README: production).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # One line per request (findings.middleware.request_log); ACCESS_LOG=0 silences it.
    "loggers": {
        "portal.requests": {
            "handlers": ["console"], "propagate": False, "level": "INFO" if env_bool("ACCESS_LOG", True) else "WARNING",
        }
    },
}

# Sign-in lockout (django-axes): after 5 wrong passwords for one username from one address,
# that pair is refused for 15 minutes (templates/axes_lockout.html). Locking the pair, not the
# address alone, keeps colleagues behind one office's address able to sign in.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes_lockout.html"
# Behind N reverse proxies that append to X-Forwarded-For, the client is the Nth address from
# the right; without this, axes would see only the proxy's address. Never set it without a proxy:
# clients could then choose their own address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    # Without a proxy, forwarded headers come from the client and are not to be believed.
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Bulk import and export in the admin (django-import-export; formats are set on CuratedAdmin).
# One transaction per import, so a file with a bad row writes nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True

# The cache behind anonymous visitors' pages (findings.cache): "default" keeps the pages and
# "generation" the one token that every write replaces. By default folders that every gunicorn
# worker of this machine shares; REDIS_URL (redis://host:6379/0) shares them between machines.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_DIR = Path(os.environ.get("CACHE_DIR", BASE_DIR / "var" / "cache"))
if REDIS_URL:
    CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": alias}
        for alias in ("default", "generation")
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(CACHE_DIR / "pages"),
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 5000, minimum=100)},
        },
        "generation": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                       "LOCATION": str(CACHE_DIR / "generation")},
    }
# PAGE_CACHE=0 turns the page cache off (the benchmarks measure pages both ways).
PAGE_CACHE = env_bool("PAGE_CACHE", True)
# Never cached, whoever asks: the admin, and the health check the load balancer reads.
PAGE_CACHE_SKIP_PREFIXES = ("/admin/", "/healthz")

# The API and the data downloads are open to every origin, for reading only; no cookies travel
# with a cross-origin request (django-cors-headers; the rest of the site sends no CORS header).
CORS_URLS_REGEX = r"^/(api|data)/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag"]

# Portal-specific.
PORTAL_PAGE_SIZE = env_int("PORTAL_PAGE_SIZE", 20, minimum=1)
# Downloads of more than this many rows that one process streams at once; one more is told to
# come back later (429), so that a few large exports cannot hold up every other visitor.
PORTAL_LARGE_EXPORT_ROWS = env_int("PORTAL_LARGE_EXPORT_ROWS", 2000, minimum=1)
PORTAL_LARGE_EXPORTS_AT_ONCE = env_int("PORTAL_LARGE_EXPORTS_AT_ONCE", 2, minimum=1)


def _tag_url(tag):
    from django.urls import reverse

    return reverse("findings:tag-detail", kwargs={"slug": tag.slug})


# A tag's page ("View on site" in the admin, redirects of merged and renamed tags).
ABSOLUTE_URL_OVERRIDES = {"taggit.tag": _tag_url}
