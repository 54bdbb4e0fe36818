"""A kind's list: faceted, searchable, sortable, paginated, in HTML or any other format."""
from django.shortcuts import render

from .. import formats
from ..exports import json_response
from ..facets import unknown_values
from ..feeds import feed_title
from ..forms import SORTS
from ..listing import kind_listing
from ..query_state import page_links, paginate
from . import crumbs


@formats.offers(*formats.LIST_FORMATS)
def list_page(request, kind):
    listing = kind_listing(kind, request.GET)
    state = listing.state
    if state.format not in (formats.HTML, formats.JSON):
        return formats.for_list(request, state, listing.faceted, kind.list_title, kind.path)
    results, sort = listing.ordered()
    page = paginate(results, state, count=listing.count())
    facet_views = listing.facet_views(page.paginator.count)
    if state.format is formats.JSON:
        return json_response(page, request, state, facet_views)
    context = {
        "kind": kind,
        "page": page,
        "state": state,
        "facets": facet_views,
        "unknown": unknown_values(facet_views),
        "sort": sort,
        "sorts": SORTS,
        "parsed": listing.parsed,
        "title": kind.list_title,
        "feed_title": feed_title(kind.list_title, state, facet_views),
        "breadcrumbs": crumbs((kind.list_title, None)),
        "page_links": page_links(state, page),
        **kind.list_extras(),
    }
    return render(request, f"findings/{kind.name}_list.html", context)
