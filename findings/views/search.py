"""Ranked search over every published kind, faceted by kind, tag and chapter."""
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from .. import formats
from ..exports import json_response
from ..facets import unknown_values
from ..feeds import describe, feed_title
from ..forms import SEARCH_SORTS
from ..kinds import Counting
from ..listing import search_listing
from ..query_state import cut_size, page_links, paginate
from ..search.query import did_you_mean, highlights
from ..tags import most_used, public_tags
from . import Crumb, crumbs

# How many tags the empty search page suggests, the most used first.
SUGGESTED_TAGS = 12
# Search counts results, of every kind.
RESULTS = Counting(
    _("Filter results"),
    ngettext_lazy("%(count)s result", "%(count)s results", "count"),
    ngettext_lazy("%(count)s result matches these filters", "%(count)s results match these filters", "count"),
)


@formats.offers(*formats.LIST_FORMATS)
def search(request):
    listing = search_listing(request.GET)
    state, parsed, faceted = listing.state, listing.parsed, listing.faceted
    title = gettext("Search")
    context = {
        "state": state, "parsed": parsed, "title": title, "breadcrumbs": crumbs(Crumb(title)), "counting": RESULTS,
    }
    if faceted is None:
        if state.q:
            state.messages.append(gettext("Type at least one word to search for (excluded words alone match nothing)."))
        if state.format is formats.JSON:  # an empty result, in the shape asked for
            return json_response(paginate([], state), request, state, [])
        context["suggested_tags"] = most_used(public_tags())[:SUGGESTED_TAGS]
        return formats.render_page(request, "findings/search.html", context, "search")

    if not state.format.renders_page and state.format is not formats.JSON:
        return formats.for_list(request, state, faceted, title, "search")
    documents, sort = listing.ordered()
    page = paginate(documents, state, count=listing.count())
    facet_views = listing.facet_views(page.paginator.count)
    hits = page.object_list.with_items()  # (document, item) pairs
    if state.format is formats.JSON:
        page.object_list = [item for _, item in hits]
        return json_response(page, request, state, facet_views)
    excerpts = highlights(parsed, page.object_list)
    context.update(
        {
            "page": page,
            "hits": [(item, excerpts.get(document.pk)) for document, item in hits],
            "facets": facet_views,
            "unknown": unknown_values(facet_views),
            "did_you_mean": did_you_mean(parsed) if page.paginator.count == 0 else None,
            "feed_title": feed_title(title, state, facet_views),
            "filters_in_words": describe(state, facet_views, html=True),
            "page_links": page_links(state, page),
            "sort": sort,
            "sorts": SEARCH_SORTS,
        }
    )
    return formats.render_page(request, "findings/search.html", context, "search", cut_size(page))
