"""The public kinds of content, each declared once.

Everything that differs between a chapter, a contribution, a topic, a finding and a
suggestion is declared here: its labels and URLs, how its siblings are ordered, its facets,
what search reads, what its detail page adds. The list and detail pages, search and its
facets, the tag pages, the sitemap, the index signals and the downloads all read `KINDS`.

To add a kind: its model (a `Sourced` subclass with `parents` and `search_text()`), a
migration, the templates `findings/<name>_list.html` and `findings/<name>_detail.html`, and
one entry in `KINDS`.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Chapter, Contribution, Dimension, Finding, Suggestion, Topic

# How many items of one group a page shows before linking to the whole filtered list
# (a tag page's groups, a finding's siblings).
GROUP_SIZE = 20


@dataclass(frozen=True)
class Facet:
    """A filter of a list: its query parameter, and the lookups from a listed item to the
    value's slug (what the URL carries) and to its label (what people read)."""

    name: str
    label: str
    lookup: str
    label_lookup: str
    label_format: str = "{}"
    # Relations on the way whose items must be published too (editorial links can point at drafts).
    public: tuple[str, ...] = ()
    # An item must carry every chosen value (unless the page asks for `match=any`).
    requires_all: bool = False
    # Values listed in the order of their raw label (chapters by number), not by count.
    in_order: bool = False

    def label_for(self, raw):
        return self.label_format.format(raw)


TAG = Facet("tag", "Tag", "tags__slug", "tags__name", requires_all=True)


def _chapter_facet(path):
    return Facet("chapter", "Chapter", f"{path}slug", f"{path}number", "Chapter {}", in_order=True)


def _related_topic_facet():
    return Facet("topic", "Related topic", "related_topics__slug", "related_topics__title", public=("related_topics",))


@dataclass(frozen=True)
class Kind:
    name: str  # "finding": URL names, JSON ids, search rows
    model: type
    label: str  # one item, as a caption names it: "Key finding"
    plural: str  # several: "Key findings" (breadcrumbs, tag pages, related items)
    list_title: str  # the list page's heading and feed title
    noun: str  # counted in a list: "1 finding"
    nouns: str  # "12 findings"
    path: str  # the URL segment: /findings/
    title_field: str  # what `sort=title` sorts by
    parent: str  # siblings share it: previous and next
    order: tuple[str, ...] = ("order",)  # position among siblings
    # The lookup from an item to its chapter ("" for a chapter itself), for the search page's
    # chapter facet; None when the kind sits under no chapter.
    chapter: str | None = None
    facets: tuple[Facet, ...] = ()
    # The relations `search_text()` reads: selected, prefetched; a change to any of them
    # rewrites the search rows of the items that quote it.
    search_select: tuple[str, ...] = ()
    search_prefetch: tuple[str, ...] = ()
    # More context for the list page, and for the detail page from its item.
    list_extras: Callable = field(default=lambda: {})
    detail_extras: Callable = field(default=lambda item: {})
    # The items a detail leads to, by name: an entry of `detail_extras` or a relation that
    # `for_detail()` prefetches (published only). Names starting `related_` are editorial links.
    related: tuple[str, ...] = ()

    def __str__(self):
        return self.name

    @property
    def tagged(self):
        return hasattr(self.model, "tags")

    @property
    def list_url_name(self):
        return f"findings:{self.name}-list"

    @property
    def detail_url_name(self):
        return f"findings:{self.name}-detail"

    @property
    def list_url(self):
        return reverse(self.list_url_name)

    @property
    def search_relations(self):
        return (*self.search_select, *self.search_prefetch)


def _chapter_extras(chapter):
    return {
        "contributions": chapter.contributions.published().order_by("order", "pk"),
        "topics": chapter.topics.published().with_finding_counts(),
    }


def _topic_list_extras():
    return {"dimensions": Dimension.objects.published()}


def _finding_extras(finding):
    return {"siblings": finding.topic.findings.published().exclude(pk=finding.pk)[:GROUP_SIZE]}


KINDS = (
    Kind(
        name="chapter", model=Chapter, label="Chapter", plural="Chapters", list_title="Chapters",
        noun="chapter", nouns="chapters", path="chapters", title_field="title", parent="report", order=("number",),
        chapter="", search_select=("report",), detail_extras=_chapter_extras, related=("contributions", "topics"),
    ),
    Kind(
        name="contribution", model=Contribution, label="Expert contribution", plural="Expert contributions",
        list_title="Expert contributions", noun="contribution", nouns="contributions", path="contributions",
        title_field="title", parent="chapter", chapter="chapter__",
        facets=(TAG, _chapter_facet("chapter__"), _related_topic_facet()),
        search_select=("chapter",), search_prefetch=("tags", "authors"), related=("related_topics",),
    ),
    Kind(
        name="topic", model=Topic, label="Topic", plural="Topics", list_title="Topics",
        noun="topic", nouns="topics", path="topics", title_field="title", parent="chapter", chapter="chapter__",
        facets=(
            TAG,
            _chapter_facet("chapter__"),
            Facet("dimension", "Dimension", "dimension__slug", "dimension__title", public=("dimension",)),
            Facet(
                "contribution", "Related contribution", "related_contributions__slug", "related_contributions__title",
                public=("related_contributions",),
            ),
        ),
        search_select=("chapter", "dimension"), search_prefetch=("tags",), list_extras=_topic_list_extras,
        related=("findings", "related_contributions", "related_suggestions"),
    ),
    Kind(
        name="finding", model=Finding, label="Key finding", plural="Key findings", list_title="Key findings",
        noun="finding", nouns="findings", path="findings", title_field="text", parent="topic",
        chapter="topic__chapter__",
        facets=(
            TAG,
            Facet("topic", "Topic", "topic__slug", "topic__title"),
            _chapter_facet("topic__chapter__"),
            Facet(
                "dimension", "Dimension", "topic__dimension__slug", "topic__dimension__title",
                public=("topic__dimension",),
            ),
            # The findings a contribution or a suggestion speaks to: those under the topics
            # its editors linked it to (the map's cells open these lists).
            Facet(
                "contribution", _("Related contribution"), "topic__related_contributions__slug",
                "topic__related_contributions__title", public=("topic__related_contributions",),
            ),
            Facet(
                "suggestion", _("Related suggestion"), "topic__related_suggestions__slug",
                "topic__related_suggestions__text", public=("topic__related_suggestions",),
            ),
        ),
        search_select=("topic",), search_prefetch=("tags",), detail_extras=_finding_extras, related=("siblings",),
    ),
    Kind(
        name="suggestion", model=Suggestion, label="Suggestion", plural="Suggestions",
        list_title="Suggestions made by experts", noun="suggestion", nouns="suggestions", path="suggestions",
        title_field="text", parent="report",
        facets=(
            TAG,
            _related_topic_facet(),
            Facet(
                "dimension", "Dimension", "related_topics__dimension__slug", "related_topics__dimension__title",
                public=("related_topics", "related_topics__dimension"),
            ),
        ),
        search_prefetch=("tags", "related_topics"), related=("related_topics",),
    ),
)
BY_NAME = {kind.name: kind for kind in KINDS}
BY_MODEL = {kind.model: kind for kind in KINDS}
TAGGED = tuple(kind for kind in KINDS if kind.tagged)


def of(item_or_model):
    """The kind of an item or a model (None for what is not a public kind, such as a Source)."""
    model = item_or_model if isinstance(item_or_model, type) else type(item_or_model)
    return BY_MODEL.get(model)
