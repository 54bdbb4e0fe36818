"""The public kinds of content, each declared once.

Everything that differs between a chapter, a contribution, a topic, a finding and a
suggestion is declared here: its labels and URLs, how its siblings are ordered, its facets,
what search reads, what its detail page adds. The list and detail pages, search and its
facets, the tag pages, the sitemap, the index signals and the downloads all read `KINDS`.

Labels and phrases are the interface's words, translated in the catalogues (locale/); what
they name (titles, tags) is content and stays in English.

To add a kind: its model (a `Sourced` subclass with `parents` and `search_text()`), a
migration, the templates `findings/<name>_list.html` and `findings/<name>_detail.html`, and
one entry in `KINDS`.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .addresses import page_url
from .models import Chapter, Contribution, Dimension, Finding, Suggestion, Topic

# How many items of one group a page shows before linking to the whole filtered list
# (a tag page's groups, a finding's siblings).
GROUP_SIZE = 20


@dataclass(frozen=True)
class Facet:
    """A filter of a list: its query parameter, and the lookups from a listed item to the
    value's slug (what the URL carries) and to its raw label."""

    name: str
    label: str
    lookup: str
    label_lookup: str
    # What people read for a raw label, in the interface's words ("Chapter 3"); None when the
    # raw label is content (a title, a tag name), shown as it is, in English.
    label_format: Callable | None = None
    # Relations on the way whose items must be published too (editorial links can point at drafts).
    public: tuple[str, ...] = ()
    # An item must carry every chosen value (unless the page asks for `match=any`).
    requires_all: bool = False
    # Values listed in the order of their raw label (chapters by number), not by count.
    in_order: bool = False

    @property
    def labels_are_content(self):
        return self.label_format is None

    def label_for(self, raw):
        return raw if self.label_format is None else self.label_format(raw)


TAG = Facet("tag", _("Tag"), "tags__slug", "tags__name", requires_all=True)


def _chapter_facet(path):
    return Facet("chapter", _("Chapter"), f"{path}slug", f"{path}number", Chapter.label_for, in_order=True)


def _related_topic_facet():
    return Facet(
        "topic", _("Related topic"), "related_topics__slug", "related_topics__title", public=("related_topics",)
    )


@dataclass(frozen=True)
class Counting:
    """How a list page counts its results, in words the catalogues translate (each plural
    takes the number as `count`)."""

    heading: str  # of the filter form: "Filter findings"
    counted: str  # "12 findings"
    matching: str  # "12 findings match these filters"
    none_match: str = ""  # "No findings match these filters."


@dataclass(frozen=True)
class Kind:
    name: str  # "finding": URL names, JSON ids, search rows
    model: type
    label: str  # one item, as a caption names it: "Key finding"
    plural: str  # several: "Key findings" (breadcrumbs, tag pages)
    list_title: str  # the list page's heading and feed title
    counting: Counting  # the list page's count, filter heading and empty result
    # In English for the API and the Data Package, which stay English: "finding", "findings".
    noun: str
    nouns: str
    previous_next: str  # the name of the detail page's previous/next links: "Previous and next key findings"
    path: str  # the URL segment: /findings/
    title_field: str  # what `sort=title` sorts by
    parent: str  # siblings share it: previous and next
    # Tagged kinds only: the detail page's heading over items sharing tags ("Related key
    # findings"); a tag page's link to the whole group (a plural of `count`, with `tag`), and
    # its link when the page already shows the whole group ("Filter key findings by this tag").
    related_heading: str = ""
    tag_group_all: str = ""
    tag_group_filter: str = ""
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
        return page_url(self.list_url_name)

    @property
    def search_relations(self):
        return (*self.search_select, *self.search_prefetch)


def _chapter_extras(chapter):
    return {
        "contributions": Contribution.objects.published_under("chapter", chapter).order_by("order", "pk"),
        "topics": Topic.objects.published_under("chapter", chapter).with_finding_counts(),
    }


def _topic_list_extras():
    return {"dimensions": Dimension.objects.published()}


def _finding_extras(finding):
    return {"siblings": Finding.objects.published_siblings(finding).exclude(pk=finding.pk)[:GROUP_SIZE]}


KINDS = (
    Kind(
        name="chapter", model=Chapter, label=_("Chapter"), plural=_("Chapters"), list_title=_("Chapters"),
        counting=Counting(
            _("Filter chapters"),
            ngettext_lazy("%(count)s chapter", "%(count)s chapters", "count"),
            ngettext_lazy(
                "%(count)s chapter matches these filters", "%(count)s chapters match these filters", "count"
            ),
            _("No chapters match these filters."),
        ),
        noun="chapter", nouns="chapters",
        previous_next=_("Previous and next chapters"),
        path="chapters", title_field="title", parent="report", order=("number",),
        chapter="", search_select=("report",), detail_extras=_chapter_extras, related=("contributions", "topics"),
    ),
    Kind(
        name="contribution", model=Contribution, label=_("Expert contribution"), plural=_("Expert contributions"),
        list_title=_("Expert contributions"),
        counting=Counting(
            _("Filter contributions"),
            ngettext_lazy("%(count)s contribution", "%(count)s contributions", "count"),
            ngettext_lazy(
                "%(count)s contribution matches these filters", "%(count)s contributions match these filters", "count"
            ),
            _("No contributions match these filters."),
        ),
        noun="contribution", nouns="contributions",
        previous_next=_("Previous and next expert contributions"),
        related_heading=_("Related expert contributions"),
        tag_group_all=ngettext_lazy(
            "%(count)s expert contribution tagged “%(tag)s”", "All %(count)s expert contributions tagged “%(tag)s”",
            "count",
        ),
        tag_group_filter=_("Filter expert contributions by this tag"),
        path="contributions", title_field="title", parent="chapter", chapter="chapter__",
        facets=(TAG, _chapter_facet("chapter__"), _related_topic_facet()),
        search_select=("chapter",), search_prefetch=("tags", "authors"), related=("related_topics",),
    ),
    Kind(
        name="topic", model=Topic, label=_("Topic"), plural=_("Topics"), list_title=_("Topics"),
        counting=Counting(
            _("Filter topics"),
            ngettext_lazy("%(count)s topic", "%(count)s topics", "count"),
            ngettext_lazy("%(count)s topic matches these filters", "%(count)s topics match these filters", "count"),
            _("No topics match these filters."),
        ),
        noun="topic", nouns="topics",
        previous_next=_("Previous and next topics"),
        related_heading=_("Related topics"),
        tag_group_all=ngettext_lazy(
            "%(count)s topic tagged “%(tag)s”", "All %(count)s topics tagged “%(tag)s”", "count"
        ),
        tag_group_filter=_("Filter topics by this tag"),
        path="topics", title_field="title", parent="chapter", chapter="chapter__",
        facets=(
            TAG,
            _chapter_facet("chapter__"),
            Facet("dimension", _("Dimension"), "dimension__slug", "dimension__title", public=("dimension",)),
            Facet(
                "contribution", _("Related contribution"), "related_contributions__slug",
                "related_contributions__title", public=("related_contributions",),
            ),
        ),
        search_select=("chapter", "dimension"), search_prefetch=("tags",), list_extras=_topic_list_extras,
        related=("findings", "related_contributions", "related_suggestions"),
    ),
    Kind(
        name="finding", model=Finding, label=_("Key finding"), plural=_("Key findings"), list_title=_("Key findings"),
        counting=Counting(
            _("Filter findings"),
            ngettext_lazy("%(count)s finding", "%(count)s findings", "count"),
            ngettext_lazy(
                "%(count)s finding matches these filters", "%(count)s findings match these filters", "count"
            ),
            _("No findings match these filters."),
        ),
        noun="finding", nouns="findings",
        previous_next=_("Previous and next key findings"),
        related_heading=_("Related key findings"),
        tag_group_all=ngettext_lazy(
            "%(count)s key finding tagged “%(tag)s”", "All %(count)s key findings tagged “%(tag)s”", "count"
        ),
        tag_group_filter=_("Filter key findings by this tag"),
        path="findings", title_field="text", parent="topic", chapter="topic__chapter__",
        facets=(
            TAG,
            Facet("topic", _("Topic"), "topic__slug", "topic__title"),
            _chapter_facet("topic__chapter__"),
            Facet(
                "dimension", _("Dimension"), "topic__dimension__slug", "topic__dimension__title",
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
        name="suggestion", model=Suggestion, label=_("Suggestion"), plural=_("Suggestions"),
        list_title=_("Suggestions made by experts"),
        counting=Counting(
            _("Filter suggestions"),
            ngettext_lazy("%(count)s suggestion", "%(count)s suggestions", "count"),
            ngettext_lazy(
                "%(count)s suggestion matches these filters", "%(count)s suggestions match these filters", "count"
            ),
            _("No suggestions match these filters."),
        ),
        noun="suggestion", nouns="suggestions",
        previous_next=_("Previous and next suggestions"),
        related_heading=_("Related suggestions"),
        tag_group_all=ngettext_lazy(
            "%(count)s suggestion tagged “%(tag)s”", "All %(count)s suggestions tagged “%(tag)s”", "count"
        ),
        tag_group_filter=_("Filter suggestions by this tag"),
        path="suggestions", title_field="text", parent="report",
        facets=(
            TAG,
            _related_topic_facet(),
            Facet(
                "dimension", _("Dimension"), "related_topics__dimension__slug", "related_topics__dimension__title",
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
