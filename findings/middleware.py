"""Request checks that apply to every page, the admin included."""
from django.core.exceptions import SuspiciousOperation


class NulCharacterInRequest(SuspiciousOperation):
    """PostgreSQL cannot store or compare text with NUL; no real form or link sends one."""


def reject_nul_characters(get_response):
    """Answer 400, not a database error, when the query string or a form carries a NUL."""

    def middleware(request):
        sources = [request.GET, request.POST] if request.method == "POST" else [request.GET]
        for params in sources:
            for key, values in params.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise NulCharacterInRequest(f"NUL character in request parameter {key!r}")
        return get_response(request)

    return middleware
