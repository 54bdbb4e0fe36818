"""Addresses of pages, as `django.urls.reverse` gives them, without its cost on every link.

A list or search page links each of its items, their topics and their tags: a hundred calls
to `reverse`, each walking the URL patterns (about 60 µs). The URLconf does not change while
the site runs, so an address is worked out by `reverse` once per URL name, language and script
prefix, with a stand-in for the slug, and the slug is put in its place after that.
"""
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language

_SLUG = "slug-stand-in-7f3a"  # matches the `slug` and `str` converters, and nothing else in an address
_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what `reverse` leaves unquoted in an argument


def page_url(name, slug=None):
    """reverse(name) or reverse(name, kwargs={"slug": slug}), for the active language."""
    language, prefix, urlconf = get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    if slug is None:
        return _reversed(name, False, language, prefix, urlconf)
    return _reversed(name, True, language, prefix, urlconf).replace(_SLUG, quote(str(slug), safe=_SAFE))


@lru_cache(maxsize=512)
def _reversed(name, with_slug, language, prefix, urlconf):
    # The key holds what reverse() reads besides its arguments: the language (i18n_patterns),
    # the script prefix and the URLconf; the arguments are only passed on.
    return reverse(name, kwargs={"slug": _SLUG} if with_slug else None)


def _forget(**kwargs):
    _reversed.cache_clear()


setting_changed.connect(_forget)  # tests that change the URLconf or the languages
