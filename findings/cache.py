"""Anonymous visitors get pages from Django's cache, and never a stale one.

Every cached page is stored under the current *content generation*: a token kept in a cache of
its own (the alias "generation") that every write to the content replaces (any save, delete,
link or tag change of the findings and taggit models, through signals; `bump()` where a bulk
write sends none). A write therefore makes every earlier page unreachable at once, on every
worker and every machine that shares the cache; old entries expire by themselves. Inside a
transaction the generation is replaced at the write and again when the transaction commits,
so that no page rendered from data about to change is kept under the generation that follows.

Pages are keyed by the generation, this deployment's code, the path with its query string and
the language. Visitors who send a session cookie (curators signed in, or who were) always get
live pages: nothing of theirs is read from or written to the cache. HTML answers carry an ETag
built from the same key and `Cache-Control: no-cache`, so that a browser asks again each time
and gets `304 Not Modified` while nothing changed; answering that needs the generation alone.
"""
import hashlib
import secrets
import time
from pathlib import Path

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

GENERATION_KEY = "portal:content-generation"
# Apps whose every write changes what the public sees.
CONTENT_APPS = {"findings", "taggit"}
# Models of those apps whose writes change no public page by themselves.
NOT_SHOWN = {"findings.SearchDocument", "findings.SearchTerm", "findings.Revision"}
# A streamed download is kept if it is no larger than this; a larger one is streamed each time.
MAX_CACHED_BYTES = 8 * 1024 * 1024
# How long a page may stay in the cache at most (a newer generation makes it unreachable sooner).
TIMEOUT = 24 * 60 * 60
# Response headers that describe the content, kept with it; the others (the security policies,
# HSTS, ...) are added again on the way out by the middleware around this one.
KEPT_HEADERS = {"content-type", "content-disposition", "content-language", "x-rows-truncated", "location"}


def _code_version():
    """What changes when a new version of the portal is deployed (templates, code, static
    files), so that pages cached by the old one are not served by the new one."""
    digest = hashlib.sha1(settings.SECRET_KEY.encode())
    base = Path(settings.BASE_DIR)
    for folder, pattern in (("templates", "*.html"), ("findings", "*.py"), ("portal", "*.py"), ("static", "*")):
        for path in sorted((base / folder).rglob(pattern)):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path.relative_to(base)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


CODE_VERSION = _code_version()


def _new_token():
    return f"{time.time_ns():x}{secrets.token_hex(4)}"


def generation():
    """The current content generation (made on first use)."""
    token = caches["generation"].get(GENERATION_KEY)
    if token is None:
        caches["generation"].add(GENERATION_KEY, _new_token(), timeout=None)
        token = caches["generation"].get(GENERATION_KEY)
    return token


def bump():
    """The content changed: from now on no page cached before is served. Inside a transaction
    the generation is replaced at once and again when it commits (once, however many writes it
    holds), so that a page rendered from what the transaction replaced is never kept under the
    generation that follows it."""
    _replace()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(callback is _replace for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(_replace)


def _replace():
    # The generation lives in a cache of its own that holds nothing else, so that replacing it
    # on every write of a 10,000-row import costs little (the folder of pages is not scanned).
    caches["generation"].set(GENERATION_KEY, _new_token(), timeout=None)


def content_saved_or_deleted(sender, **kwargs):
    """post_save and post_delete: a write to the content bumps the generation."""
    bump()


def links_changed(sender, action, **kwargs):
    """m2m_changed (tags, authors, related topics)."""
    if action.startswith("post_") and sender._meta.app_label in CONTENT_APPS:
        bump()


def _shown_to_the_public(model):
    """Whether the public pages show what `model` holds. The search index is rewritten from
    the content (findings.search.index bumps once when it has), and history and pending
    revisions are the curators' alone; signals on them would only slow bulk deletes down."""
    return model._meta.label not in NOT_SHOWN and not model._meta.model_name.startswith("historical")


def remembered(name, compute):
    """`compute()`, worked out once per content generation and kept in the cache: for counts
    over a whole table (every tag's items, an unfiltered list's facets), whose cost grows with
    the data while their value changes only when the content does. Exact, since any write
    starts a new generation."""
    key = f"portal:data:{CODE_VERSION}:{generation()}:{name}"
    value = caches["default"].get(key)
    if value is None:
        value = compute()
        caches["default"].set(key, value, TIMEOUT)
    return value


def _cacheable(request):
    return (
        settings.PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path.startswith(settings.PAGE_CACHE_SKIP_PREFIXES)
        and _allowed_host(request)
    )


def _allowed_host(request):
    """An unknown Host is answered 400 further in (CommonMiddleware), never from the cache."""
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True


def _key(request, token):
    # The host too: pages hold absolute addresses (feeds, permalinks, citations).
    raw = f"{token}:{CODE_VERSION}:{get_language()}:{request.get_host()}:{request.get_full_path()}"
    return hashlib.sha1(raw.encode()).hexdigest()


def page_cache(get_response):
    """Middleware: anonymous GET and HEAD requests answered from the cache, and conditional
    requests answered 304 while the content is unchanged."""

    def middleware(request):
        if not _cacheable(request):
            return get_response(request)
        key = _key(request, generation())
        etag = f'"{key}"'
        if etag in request.headers.get("If-None-Match", ""):
            not_modified = HttpResponseNotModified()
            _mark(not_modified, etag)
            return not_modified
        stored = caches["default"].get(f"portal:page:{key}")
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response.headers[name] = value
            response.headers["X-Cache"] = "hit"
            _mark(response, etag)
            return response
        response = get_response(request)
        if _storable(response):
            headers = [(name, value) for name, value in response.headers.items() if name.lower() in KEPT_HEADERS]
            if response.streaming:
                keep = _kept_while_streamed_async if response.is_async else _kept_while_streamed
                response.streaming_content = keep(response.streaming_content, key, headers)
            else:
                caches["default"].set(f"portal:page:{key}", (response.status_code, headers, response.content), TIMEOUT)
            response.headers["X-Cache"] = "miss"
            _mark(response, etag)
        return response

    return middleware


def _storable(response):
    return (
        response.status_code in (200, 301)
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def _mark(response, etag):
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "no-cache"
    # A visitor who signs in gets other pages at the same address.
    patch_vary_headers(response, ["Cookie"])


class _Keeper:
    """The chunks of a streamed download as they go out, kept if they are few enough."""

    def __init__(self, key, headers):
        self.key, self.headers, self.chunks, self.size = key, headers, [], 0

    def add(self, chunk):
        if self.chunks is not None:
            self.size += len(chunk)
            if self.size <= MAX_CACHED_BYTES:
                self.chunks.append(chunk)
            else:
                self.chunks = None

    def keep(self):
        if self.chunks is not None:
            caches["default"].set(f"portal:page:{self.key}", (200, self.headers, b"".join(self.chunks)), TIMEOUT)


def _kept_while_streamed(chunks, key, headers):
    """Stream the chunks on; once all have gone out, keep them."""
    keeper = _Keeper(key, headers)
    for chunk in chunks:
        keeper.add(chunk)
        yield chunk
    keeper.keep()


async def _kept_while_streamed_async(chunks, key, headers):
    """The same, for a download streamed by an event loop (findings.formats)."""
    keeper = _Keeper(key, headers)
    async for chunk in chunks:
        keeper.add(chunk)
        yield chunk
    await sync_to_async(keeper.keep)()


def connect_signals():
    """Every write to a model of the content apps bumps the generation (and so do migrations)."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

    for label in CONTENT_APPS:
        for model in filter(_shown_to_the_public, apps.get_app_config(label).get_models()):
            uid = f"findings-cache-{model._meta.label}"
            post_save.connect(content_saved_or_deleted, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(content_saved_or_deleted, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(links_changed, dispatch_uid="findings-cache-links")
    post_migrate.connect(lambda **kwargs: bump(), dispatch_uid="findings-cache-migrate", weak=False)
