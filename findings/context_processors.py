"""What base.html shows on every page: the address to cite, and the page in every language."""
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import get_script_prefix
from django.utils import translation


def canonical(request):
    """The page's address without its query string: the URL to index; and its English address,
    without a language prefix: the permalink, which citations give in every language."""
    return {
        "canonical_url": _absolute(request, request.path),
        "permalink_url": _absolute(request, get_script_prefix() + _unprefixed(request.path_info).lstrip("/")),
    }


def _unprefixed(path):
    """`path` without its language prefix (`/fr/findings/` → `/findings/`)."""
    if translation.get_language_from_path(path):
        return "/" + path.lstrip("/").partition("/")[2]
    return path


@dataclass(frozen=True)
class Alternate:
    code: str
    name: str  # in the language itself: "Français"
    path: str  # this page in that language
    absolute_url: str  # the same, absolute (`<link rel="alternate" hreflang>`)
    current: bool

    @property
    def is_default(self):
        return self.code == settings.LANGUAGE_CODE

    @property
    def direction(self):
        return "rtl" if self.code.split("-")[0] in settings.LANGUAGES_BIDI else "ltr"


def languages(request):
    """This page in each language of settings.LANGUAGES: the same address under that language's
    prefix (none for English). Nothing for pages outside the language prefixes (the admin).

    The language switcher adds the query string: a list's or search's understood parameters
    (`state.params`), or else the request's."""
    if getattr(request, "language_from_browser", True):
        return {"alternates": []}
    path = _unprefixed(request.path_info)
    current = translation.get_language()
    alternates = []
    for code, name in settings.LANGUAGES:
        prefix = "" if code == settings.LANGUAGE_CODE else f"{code}/"
        url = f"{get_script_prefix()}{prefix}{path.lstrip('/')}"
        alternates.append(Alternate(code, name, url, _absolute(request, url), code == current))
    return {"alternates": alternates, "request_query": request.META.get("QUERY_STRING", "")}


def _absolute(request, path):
    try:
        return request.build_absolute_uri(path)
    except DisallowedHost:
        # The 400 page for a Host header not in ALLOWED_HOSTS: never repeat that host.
        return path
