"""Atom feeds of the lists and of search: the same filtered view, its first items, titled
with its filters in words. The title is in the page's language; the entries are the report's
English (`xml:lang="en"` on each)."""
import datetime

from django.http import HttpResponse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from .citations import CORPORATE_AUTHOR, named_authors, sorted_tags
from .exports import item_text
from .richtext import strip_control_characters

# How many entries a feed carries: the first ones, in the list's order.
FEED_SIZE = 50

# Atom requires an `updated` date on every entry. Content loaded from the fixtures has no
# `published_at`; it gets this fixed date (the start of the report's year, 2023) rather than
# "now", so that feed readers do not see every entry as changed on every fetch.
ATOM_UNDATED = datetime.datetime(2023, 1, 1, tzinfo=datetime.UTC)


def describe(state, facet_views, html=False):
    """The filters in words: "tag: AI, Data; search: “x”". With `html`, safe HTML in which the
    values that are content are marked as English and the words searched for as typed."""
    mark_content = _as_english if html else str
    mark_typed = _as_typed if html else str
    escape_ = conditional_escape if html else str
    parts = []
    for view in facet_views:
        chosen = [value.label for value in view.values if value.selected]
        if chosen:
            mark = mark_content if view.facet.labels_are_content else escape_
            values = ", ".join(mark(label) for label in chosen)
            parts.append(gettext("%(facet)s: %(values)s") % {"facet": escape_(view.label.lower()), "values": values})
    if state.q:
        parts.append(gettext("search: “%(words)s”") % {"words": mark_typed(state.q)})
    described = "; ".join(parts)
    return mark_safe(described) if html else described


def _as_english(text):
    return format_html('<span lang="en" dir="ltr">{}</span>', text)


def _as_typed(text):
    return format_html('<bdi translate="no">{}</bdi>', text)


def feed_title(title, state, facet_views):
    """A list's feed title: "Key findings – WPSR 2023 (tag: AI)"."""
    described = describe(state, facet_views)
    if described:
        return gettext("%(title)s – WPSR 2023 (%(filters)s)") % {"title": title, "filters": described}
    return gettext("%(title)s – WPSR 2023") % {"title": title}


class _Feed(Atom1Feed):
    """An Atom feed whose entries say they are in English, whatever the feed's language."""

    def item_attributes(self, item):
        return {**super().item_attributes(item), "xml:lang": "en"}


def atom_response(items, request, title, html_url) -> HttpResponse:
    """An Atom feed of `items` (the caller limits them), linking to the HTML list at `html_url`."""
    here = request.build_absolute_uri()
    feed = _Feed(
        title=strip_control_characters(title),
        link=request.build_absolute_uri(html_url),
        description="",  # RSS only; Atom has no required description.
        language=get_language(),
        # Also on the feed, so that an empty feed is still valid Atom.
        author_name=CORPORATE_AUTHOR,
        feed_url=here,
        feed_guid=here,
    )
    for item in items:
        url = request.build_absolute_uri(item.get_absolute_url())
        text = item_text(item)
        feed.add_item(
            title=strip_control_characters(str(item)),
            link=url,
            unique_id=url,
            # The summary is typed "html": escaping the plain text keeps "<" and "&" literal.
            description=escape(strip_control_characters(text)) if text else None,
            categories=[strip_control_characters(tag.name) for tag in sorted_tags(item)],
            author_name=", ".join(named_authors(item)) or CORPORATE_AUTHOR,
            pubdate=item.published_at,
            updateddate=item.published_at or ATOM_UNDATED,
        )
    response = HttpResponse(content_type=feed.content_type)
    feed.write(response, "utf-8")
    return response
