"""The public pages, in every language (portal.urls): fixed pages, then a list and a detail page
for each kind in findings.kinds."""
from django.urls import path, register_converter

from .kinds import KINDS
from .views import data, details, lists, pages, search, tags
from .views.map import connections_map

app_name = "findings"


class UnicodeSlugConverter:
    """Tag slugs keep their script ("participación-ciudadana", "数字政府"), as taggit makes them."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UnicodeSlugConverter, "unicode_slug")

urlpatterns = [
    path("", pages.home, name="home"),
    path("report/", pages.report, name="report"),
    path("search/", search.search, name="search"),
    path("map/", connections_map, name="map"),
    path("tags/", tags.tag_list, name="tag-list"),
    path("tags/<unicode_slug:slug>/", tags.tag_detail, name="tag-detail"),
    # The page about the open data, in every language; the files themselves are in English at
    # one address each (findings.data_urls).
    path("data/", data.data_index, name="data"),
]
for kind in KINDS:
    urlpatterns += [
        path(f"{kind.path}/", lists.list_page, {"kind": kind}, name=f"{kind.name}-list"),
        path(f"{kind.path}/<slug:slug>/", details.ContentDetailView.as_view(kind=kind), name=f"{kind.name}-detail"),
    ]
