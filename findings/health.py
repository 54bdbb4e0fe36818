"""When the database is away: `/healthz` says so to the load balancer, and visitors get a
503 page in the site's design with `Retry-After` instead of a server error. Pages already in
the cache keep being served (findings.cache asks no database), and when the database is back
the next request reconnects by itself (CONN_HEALTH_CHECKS)."""
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.defaults import server_error

# Seconds a visitor (or a crawler) is asked to wait before trying again.
RETRY_AFTER = 30


@never_cache
def healthz(request):
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503,
                            headers={"Retry-After": str(RETRY_AFTER)})
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error_or_unavailable(request, template_name="500.html"):
    """handler500: a lost database is a 503 to try again later, anything else the 500 page."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = render(request, "503.html", status=503)
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response
    return server_error(request, template_name)
