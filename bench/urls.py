"""The portal's URLconf plus one bench-only page, `/bench/bare/`: the yardstick of the load run.

The bare view shows the same 20 findings as the first page of `/findings/` (same `published()`
gate, same order) with one query and a ten-line template: routing, the whole middleware stack,
one database round trip and a template render, and nothing of the portal's own work (facets,
counts, pagination, tags, breadcrumbs, the base template). How far a portal page stays from it
is what the portal's own work costs.

Which 20 findings those are is asked once per worker (the first request, which the load run's
warm-up makes); every request then reads them by primary key, so that the yardstick costs the
same at 10,000 and 100,000 findings: finding the first page among many (a sort) is the portal's
work, not the framework's.
"""
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from findings.models import Finding
from portal.urls import handler500  # noqa: F401 (handler500: root URLconf)
from portal.urls import urlpatterns as portal_urlpatterns

BARE_TEMPLATE = engines["django"].from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Findings (bare)</title></head>
<body><h1>Findings</h1>
<ol>{% for slug, text in findings %}
<li><a href="/findings/{{ slug }}/">{{ text|truncatechars:200 }}</a></li>{% endfor %}
</ol></body></html>
"""
)


_FIRST_PAGE = []  # primary keys of the first page of /findings/, in its order


def _first_page():
    if not _FIRST_PAGE:
        _FIRST_PAGE.extend(
            Finding.objects.published()
            .order_by("topic__order", "topic_id", "order", "pk")
            .values_list("pk", flat=True)[:20]
        )
    return _FIRST_PAGE


def bare(request):
    pks = _first_page()
    rows = {pk: (slug, text) for pk, slug, text in Finding.objects.filter(pk__in=pks).values_list("pk", "slug", "text")}
    findings = [rows[pk] for pk in pks if pk in rows]
    return HttpResponse(BARE_TEMPLATE.render({"findings": findings}, request))


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *portal_urlpatterns]
