"""The portal's URLconf plus one bench-only page, `/bench/bare/`: the yardstick of the load run.

The bare view shows the same 20 findings as the first page of `/findings/` (same `published()`
gate, same order) with one query and a ten-line template: routing, the whole middleware stack,
one database round trip and a template render, and nothing of the portal's own work (facets,
counts, pagination, tags, breadcrumbs, the base template). How far a portal page stays from it
is what the portal's own work costs.
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


def bare(request):
    findings = list(
        Finding.objects.published()
        .order_by("topic__order", "topic_id", "order", "pk")
        .values_list("slug", "text")[:20]
    )
    return HttpResponse(BARE_TEMPLATE.render({"findings": findings}, request))


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *portal_urlpatterns]
