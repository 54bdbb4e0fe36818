"""What a list or search page asks the database, read once for every form it is answered in:
the HTML page, `?format=json` and the API (findings.api) all call these, so none of them can
disagree with another about which items a filter gives, in which order, or how facets count.
"""
from dataclasses import dataclass

from django.http import QueryDict
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from .facets import SEARCH_FACETS, FacetedList, FacetedSearch
from .query_state import PageState
from .search.query import ParsedQuery, parse_query


@dataclass
class Listing:
    """A list or search as its URL asks for it: the validated state, the words, and the
    faceted results (None for a search without words, which has no results)."""

    state: PageState
    parsed: ParsedQuery
    faceted: FacetedList | FacetedSearch | None

    def ordered(self):
        """(the results in the order asked for, that order's name)."""
        return self.faceted.ordered() if self.faceted else ([], "relevance")

    def count(self):
        return self.faceted.count() if self.faceted else 0

    def items(self, start, stop):
        """The items from position `start` to `stop` in the order asked for, ready for a record
        (a search's documents become their items)."""
        if not self.faceted:
            return []
        ordered, _ = self.faceted.ordered()
        return list(self.faceted.as_items(ordered)[start:stop])

    def facet_views(self, total):
        return self.faceted.facet_views(total) if self.faceted else []


def kind_listing(kind, params: QueryDict) -> Listing:
    """A kind's list page (`kind.list_url`) as `params` ask for it."""
    state = PageState(params, kind.list_url, [facet.name for facet in kind.facets])
    parsed = _parse(state)
    return Listing(state, parsed, FacetedList(kind, state, parsed))


def search_listing(params: QueryDict) -> Listing:
    """The search page as `params` ask for it; without words to search for, no results."""
    state = PageState(params, reverse("findings:search"), [facet.name for facet in SEARCH_FACETS])
    parsed = _parse(state)
    return Listing(state, parsed, None if parsed.is_empty else FacetedSearch(state, parsed))


def _parse(state):
    parsed = parse_query(state.q)
    if parsed.ignored:
        # The words stay as typed, in English like the content they were looked for in.
        words = format_html_join(", ", '<span lang="en" dir="ltr">“{}”</span>', ((word,) for word in parsed.ignored))
        state.messages.append(format_html(gettext("Left out as too common to search for: {words}."), words=words))
    return parsed
