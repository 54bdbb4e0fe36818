"""The read-only API at /api/v1/ (django-ninja): its OpenAPI 3.1 schema, its docs page served
from this site's own static files, JSON errors with a message, and an ETag on every answer
(a repeat request with `If-None-Match` gets 304). Cross-origin reads are allowed by
django-cors-headers (CORS_URLS_REGEX in portal/settings.py)."""
from django.conf import settings
from django.http import Http404
from django.utils import translation
from django.views.decorators.http import conditional_page
from ninja import NinjaAPI, Swagger
from ninja.errors import HttpError, ValidationError

# The API is English, whatever the language of the request that first loads it (the URLconf
# loads on the first request, after LocaleMiddleware): its operations' names and descriptions
# are written from the kinds' translatable labels once, here.
with translation.override(settings.LANGUAGE_CODE):
    from .views import router


class Docs(Swagger):
    """Swagger UI from this site's static files (ninja ships them), with no inline script, and
    without its online validator badge, which would send the schema elsewhere."""

    template = "api/docs.html"


api = NinjaAPI(
    title="WPSR 2023 innovation portal API",
    version="1",
    description=(
        "The published findings of the United Nations World Public Sector Report 2023 on innovation in public "
        "administration: chapters, expert contributions, topics, key findings and suggestions, with the filters "
        "of the site's pages. Read-only; open to any origin. Each list answers as its page's `?format=json` does. "
        "Every answer carries an ETag: send it back in `If-None-Match` and an unchanged answer is `304 Not Modified`. "
        "The whole dataset is also one download: /data/."
    ),
    urls_namespace="api",
    docs=Docs(settings={"validatorUrl": None, "defaultModelsExpandDepth": 0}),
)
api.add_router("", router)
api.add_decorator(conditional_page, mode="view")


def _message(request, message, status):
    return api.create_response(request, {"message": message}, status=status)


# How a value that does not match its pattern is told: the pattern itself says little to a person.
PATTERN_MESSAGES = {
    "tag": "not a valid value: 1 to 100 characters, none of them a space, a control character or punctuation "
    "other than - and _",
    "slug": "not a valid slug: 1 to 100 letters, digits, - or _",
}


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    problems = [_problem(error) for error in exc.errors]
    summary = "; ".join(f"{problem['location']}: {problem['message']}" for problem in problems)
    return api.create_response(request, {"message": f"Invalid request: {summary}", "errors": problems}, status=422)


def _problem(error):
    # ninja names the operations' parameter class ("params") in the location; the URL does not.
    location = [str(part) for part in error.get("loc", ()) if part != "params"]
    message = error.get("msg", "")
    if error.get("type") == "string_pattern_mismatch":
        message = PATTERN_MESSAGES["slug" if location[:1] == ["path"] else "tag"]
    return {"location": ".".join(location), "message": message}


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _message(request, str(exc) or "Not found.", 404)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return _message(request, str(exc), exc.status_code)

