"""A kind's list: faceted, searchable, sortable, paginated, in HTML or any other format."""
from .. import formats
from ..exports import json_response
from ..facets import unknown_values
from ..feeds import describe, feed_title
from ..forms import SORTS
from ..listing import kind_listing
from ..query_state import cut_size, page_links, paginate
from . import Crumb, crumbs


@formats.offers(*formats.LIST_FORMATS)
def list_page(request, kind):
    listing = kind_listing(kind, request.GET)
    state = listing.state
    if not state.format.renders_page and state.format is not formats.JSON:
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
        "counting": kind.counting,
        "feed_title": feed_title(kind.list_title, state, facet_views),
        "filters_in_words": describe(state, facet_views, html=True),
        "breadcrumbs": crumbs(Crumb(kind.list_title)),
        "page_links": page_links(state, page),
        **kind.list_extras(),
    }
    return formats.render_page(request, f"findings/{kind.name}_list.html", context, kind.path, cut_size(page))
