"""A kind's list: faceted, searchable, sortable, paginated, in HTML or any other format."""
from .. import formats
from ..exports import json_response
from ..facets import FacetedList, unknown_values
from ..feeds import describe, feed_title
from ..forms import SORTS
from ..query_state import PageState, cut_size, page_links, paginate
from ..search.query import parse_query
from . import crumbs, note_words_left_out


@formats.offers(*formats.LIST_FORMATS)
def list_page(request, kind):
    state = PageState(request.GET, request.path, [facet.name for facet in kind.facets])
    parsed = parse_query(state.q)
    note_words_left_out(state, parsed)
    faceted = FacetedList(kind, state, parsed)
    results, sort = faceted.ordered()

    if not state.format.renders_page and state.format is not formats.JSON:
        return formats.for_list(request, state, faceted, kind.list_title, kind.path)
    page = paginate(results, state, count=faceted.results.count())
    facet_views = faceted.facet_views(page.paginator.count)
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
        "parsed": parsed,
        "title": kind.list_title,
        "feed_title": feed_title(kind.list_title, state, facet_views),
        "filters_in_words": describe(state, facet_views),
        "breadcrumbs": crumbs((kind.list_title, None)),
        "page_links": page_links(state, page),
        **kind.list_extras(),
    }
    return formats.render_page(request, f"findings/{kind.name}_list.html", context, kind.path, cut_size(page))
