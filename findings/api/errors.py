"""Django's error pages (handler400, handler404) answer in JSON under the API's prefix, like the
API's own errors: a URL there that names no operation (`/api/v1/findings/a/b`), or a request
refused before it reaches one (a NUL character, findings.middleware), is still JSON to a client."""
from django.core.exceptions import TooManyFieldsSent
from django.http import JsonResponse
from django.views import defaults

from ..middleware import NulCharacterInRequest

PREFIX = "/api/"
# Refusals whose message helps the client and names nothing of the server.
_TOLD = (NulCharacterInRequest, TooManyFieldsSent)


def bad_request(request, exception):
    if request.path.startswith(PREFIX):
        message = f"Bad request: {exception}" if isinstance(exception, _TOLD) else "Bad request."
        return JsonResponse({"message": message}, status=400)
    return defaults.bad_request(request, exception)


def page_not_found(request, exception):
    if request.path.startswith(PREFIX):
        message = "Nothing is at this address: the API's operations are listed at /api/v1/docs."
        return JsonResponse({"message": message}, status=404)
    return defaults.page_not_found(request, exception)
