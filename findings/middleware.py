"""Request checks and response headers that apply to every page, the admin included."""
import functools
import logging
import time

from django.apps import apps
from django.conf import settings
from django.contrib.admin.utils import unquote
from django.core.exceptions import SuspiciousOperation, TooManyFieldsSent, ValidationError
from django.http import Http404, QueryDict
from django.middleware import locale
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class NulCharacterInRequest(SuspiciousOperation):
    """PostgreSQL cannot store or compare text with NUL; no real form or link sends one."""


def reject_nul_characters(get_response):
    """Answer 400, not a database error, when the query string or a form carries a NUL.

    Reading the parameters here, first, also makes a query string with more than
    DATA_UPLOAD_MAX_NUMBER_FIELDS parameters a 400 in every mode.
    """

    def middleware(request):
        try:
            query = request.GET
        except TooManyFieldsSent:
            # Django's 400 handling forgets an unreadable form (POST) but not an unreadable query
            # string: DEBUG's error page would read request.GET again, fail, and answer 500.
            request.GET = QueryDict()
            raise
        for params in [query, request.POST] if request.method == "POST" else [query]:
            for key, values in params.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise NulCharacterInRequest(f"NUL character in request parameter {key!r}")
        return get_response(request)

    return middleware


class RejectMalformedHistoryIds:
    """Answer 404, not a 500, for an admin history page whose ids are not keys of the model.

    django-simple-history passes both ids of `<id>/history/` and `<id>/history/<version>/` to
    the database as they are, so `abc` raises ValueError there; Django's own admin pages answer
    such an id with "not found".
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        model = _models_with_history_pages().get((request.resolver_match.namespace, request.resolver_match.url_name))
        if model is None:
            return None
        if "object_id" in view_kwargs:  # the list of versions (Django's route)
            keys = [(model._meta.pk, unquote(view_kwargs["object_id"]))]
        else:  # one version (django-simple-history's route): the item's id, then the version's
            object_id, version_id = view_args
            history = getattr(model, model._meta.simple_history_manager_attribute).model
            keys = [(model._meta.pk, unquote(object_id)), (history._meta.pk, version_id)]
        for field, value in keys:
            try:
                field.to_python(value)
            except ValidationError:
                raise Http404(f"{value!r} is not a {model._meta.verbose_name} history key") from None
        return None


@functools.cache
def _models_with_history_pages():
    """{(URL namespace, URL name): model} for the admin's history pages of recorded models."""
    pages = {}
    for model in apps.get_models():
        if hasattr(model._meta, "simple_history_manager_attribute"):
            name = f"{model._meta.app_label}_{model._meta.model_name}"
            pages[("admin", f"{name}_history")] = pages[("admin", f"{name}_simple_history")] = model
    return pages


def permissions_policy(get_response):
    """Send a Permissions-Policy header refusing the features in PERMISSIONS_POLICY_DISABLED."""
    header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DISABLED)

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", header)
        return response

    return middleware


class LocaleMiddleware(locale.LocaleMiddleware):
    """The language of a public page is its address's: `/fr/findings/` is French, `/findings/`
    English whatever the browser asks for (Accept-Language never redirects nor changes it), so
    a public page has one text per address: caches keep one copy without `Vary: Accept-Language`
    and citations read the same for everyone. People change language with the links of the
    language switcher.

    The admin, outside the language prefixes and never cached, follows the browser's
    Accept-Language, as Django's own LocaleMiddleware would.
    """

    def process_request(self, request):
        language = translation.get_language_from_path(request.path_info)
        request.language_from_browser = language is None and request.path.startswith(_admin_prefix())
        if request.language_from_browser:
            language = translation.get_language_from_request(request)
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        if getattr(request, "language_from_browser", True):
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


@functools.cache
def _admin_prefix():
    return reverse("admin:index")


_request_log = logging.getLogger("portal.requests")


def request_log(get_response):
    """One line per request, whatever answered it (the page cache included): method, path,
    status, and the milliseconds until the response was ready."""

    def middleware(request):
        started = time.perf_counter()
        response = get_response(request)
        elapsed = (time.perf_counter() - started) * 1000
        path = request.get_full_path()[:500]
        _request_log.info("%s %s %s %.1fms", request.method, path, response.status_code, elapsed)
        return response

    return middleware
